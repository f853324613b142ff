-- Loaded first by every bench script (dofile): numbers the threads, and at the end prints one
-- machine-readable line that bench/run.py parses. Scripts count what they like in a global
-- table `counts` (per thread); done() adds the threads' tables up.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  thread:set("nthreads", tonumber(os.getenv("BENCH_THREADS") or "1"))
  table.insert(threads, thread)
end

counts = {}

function count(name)
  counts[name] = (counts[name] or 0) + 1
end

-- The lines of a file, keeping every nthreads-th one from offset `id`: each thread its own share.
function share_of(path)
  local mine, i = {}, 0
  for line in io.lines(path) do
    if line ~= "" then
      if i % nthreads == id then
        table.insert(mine, line)
      end
      i = i + 1
    end
  end
  return mine
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts") or {}
    for name, n in pairs(c) do
      totals[name] = (totals[name] or 0) + n
    end
  end
  local e = summary.errors
  local line = string.format(
    "BENCH_RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d"
      .. " connect=%d read=%d write=%d status=%d timeout=%d",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout)
  for name, n in pairs(totals) do
    line = line .. string.format(" %s=%d", name, n)
  end
  io.write(line .. "\n")
end
