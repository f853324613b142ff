-- POST /auth to the reference wallet, signed: BENCH_SIGNED holds pre-signed calls, one per
-- line as "<timestamp> <signature> <body>" (HMAC needs no Lua library that way). /auth writes
-- nothing, so a thread cycles through its share.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local calls, n = nil, 0

function init(args)
  calls = {}
  for _, line in ipairs(share_of(os.getenv("BENCH_SIGNED"))) do
    local timestamp, signature, body = line:match("^(%S+) (%S+) (.*)$")
    table.insert(calls, wrk.format("POST", "/auth", {
      ["Content-Type"] = "application/json",
      ["X-Timestamp"] = timestamp,
      ["X-Signature"] = signature,
    }, body))
  end
end

function request()
  n = n + 1
  return calls[(n % #calls) + 1]
end
