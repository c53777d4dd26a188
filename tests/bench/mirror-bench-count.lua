-- wrk script for mirror-bench.sh's memory scenario: stop after COUNT responses.
-- usage: wrk -t1 -d3600s ... -s mirror-bench-count.lua URL -- COUNT   (COUNT is per wrk thread)
-- wrk's main thread sleeps for the whole -d duration, so stopping the load thread is not
-- enough: SIGINT to wrk ends the sleep and wrk reports as usual. The response() hook costs
-- wrk some speed; this scenario measures the proxy's memory, not its throughput.
local limit = 0
local seen = 0

init = function(args)
  limit = tonumber(args[1]) or 0
end

response = function(status, headers, body)
  seen = seen + 1
  if limit > 0 and seen == limit then
    wrk.thread:stop()
    -- system() ignores SIGINT in its caller while the shell runs: signal a moment later, from
    -- the background (the shell's parent is wrk).
    os.execute("(sleep 0.2; kill -INT $PPID) >/dev/null 2>&1 &")
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"err_connect":%d,"err_read":%d,"err_write":%d,' ..
    '"err_status":%d,"err_timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
