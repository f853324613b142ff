-- POST /v1/games/dice/bets: player sessions (cookies from BENCH_COOKIES) taken round-robin,
-- so that one player's lease never serialises the run, and a new Idempotency-Key per bet.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local cookies, n = nil, 0
local prefix = os.getenv("BENCH_KEY_PREFIX") or "bench"
local body = '{"amount": "1", "params": {"target": "50", "condition": "under"}}'

function init(args)
  cookies = share_of(os.getenv("BENCH_COOKIES"))
end

function request()
  n = n + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Cookie"] = "bp_session=" .. cookies[(n % #cookies) + 1],
    ["Idempotency-Key"] = string.format("%s-%d-%d", prefix, id, n),
  }
  return wrk.format("POST", "/v1/games/dice/bets", headers, body)
end
