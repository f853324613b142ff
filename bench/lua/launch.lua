-- GET /launch with a fresh launch token per request (each token is single-use). Tokens come
-- from BENCH_TOKENS, one per line, shared out between the threads; a 302 is a success.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local tokens, next_token = nil, 1

function init(args)
  tokens = share_of(os.getenv("BENCH_TOKENS"))
end

function request()
  local token = tokens[next_token]
  if token == nil then
    -- Out of tokens: replay the last one (a 409, counted) rather than stall the thread.
    count("tokens_exhausted")
    token = tokens[#tokens]
  else
    next_token = next_token + 1
  end
  return wrk.format("GET", "/launch?token=" .. token)
end

function response(status, headers, body)
  if status ~= 302 then
    count("not_302")
  end
end
