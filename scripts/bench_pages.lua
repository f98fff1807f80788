-- wrk script for scripts/bench_signedin.py: whole pages as a browser asks for them (no HX-Request header, unlike
-- bench_wrk.lua), replaying "PATH\tCOOKIE" lines round and round; prints a JSON summary with p50/p95/p99.
function init(args)
  requests, index = {}, 0
  for line in io.lines(args[1]) do
    local path, cookie = line:match("^([^\t]*)\t([^\t]*)$")
    local headers = {["Accept"] = "text/html", ["Accept-Language"] = "zh-CN"}
    if cookie ~= "" then headers["Cookie"] = cookie end
    table.insert(requests, wrk.format("GET", path, headers))
  end
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "non2xx": %d, "socket_errors": %d, "p50": %.2f, "p95": %.2f, "p99": %.2f}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
