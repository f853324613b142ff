-- One fixed request: method and body from the environment, headers from wrk's -H.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.body = body
end
