-- Mixed traffic for the memory check: health, me, mint, launch, dice bet and fairness verify
-- in turn, until each thread has BENCH_LIMIT responses. wrk always runs for its -d, so a thread
-- that is done stops and leaves a file in BENCH_DONE_DIR; bench/run.py then interrupts wrk.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local key = os.getenv("BENCH_AGGREGATOR_KEY")
local operator = os.getenv("BENCH_OPERATOR")
local prefix = os.getenv("BENCH_KEY_PREFIX") or "mixed"
local mint_body = os.getenv("BENCH_MINT_BODY")
local verify_body = os.getenv("BENCH_VERIFY_BODY")
local bet_body = '{"amount": "1", "params": {"target": "50", "condition": "under"}}'
local limit = tonumber(os.getenv("BENCH_LIMIT") or "100")
local tokens, cookies, next_token, n, received = nil, nil, 1, 0, 0

function init(args)
  tokens = share_of(os.getenv("BENCH_TOKENS"))
  cookies = share_of(os.getenv("BENCH_COOKIES"))
end

function request()
  n = n + 1
  local kind = n % 6
  if kind == 0 then
    return wrk.format("GET", "/v1/health")
  elseif kind == 1 then
    return wrk.format("GET", "/api/v1/bo/aggregator/me", { ["X-Aggregator-Key"] = key })
  elseif kind == 2 then
    return wrk.format("POST", "/v1/aggregator/operators/" .. operator .. "/launch-tokens",
      { ["X-Aggregator-Key"] = key, ["Content-Type"] = "application/json" }, mint_body)
  elseif kind == 3 then
    local token = tokens[next_token] or tokens[#tokens]
    next_token = next_token + 1
    return wrk.format("GET", "/launch?token=" .. token)
  elseif kind == 4 then
    return wrk.format("POST", "/v1/games/dice/bets", {
      ["Content-Type"] = "application/json",
      ["Cookie"] = "bp_session=" .. cookies[(n % #cookies) + 1],
      ["Idempotency-Key"] = string.format("%s-%d-%d", prefix, id, n),
    }, bet_body)
  end
  return wrk.format("POST", "/v1/fairness/verify", { ["Content-Type"] = "application/json" },
    verify_body)
end

function response(status, headers, body)
  received = received + 1
  if status >= 400 then
    count("status_" .. status)
  end
  if received == limit then
    local marker = io.open(os.getenv("BENCH_DONE_DIR") .. "/thread-" .. id, "w")
    marker:close()
    wrk.thread:stop()
  end
end
