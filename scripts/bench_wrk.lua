-- wrk script for scripts/bench: replays a request list (one "METHOD\tPATH\tCOOKIE\tBODY\tTOKEN" per line),
-- each wrk thread taking every n-th line, and prints a JSON summary with p50/p95/p99. A third argument "page" asks
-- for whole pages as a browser does (no HX-Request header; scripts/bench_signedin.py).
local threads, counter = {}, 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  page = args[3] == "page"
  requests, index = {}, 0
  local n = 0
  for line in io.lines(file) do
    if n % nthreads == id - 1 then
      local method, path, cookie, body, token = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
      local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["HX-Request"] = "true"}
      if page then  -- a whole page as a browser asks for it, not an htmx fragment
        headers = {["Accept"] = "text/html", ["Accept-Language"] = "zh-CN"}
      end
      if cookie ~= "" then headers["Cookie"] = cookie end
      if token ~= "" then headers["x-csrftoken"] = token end
      table.insert(requests, wrk.format(method, path, headers, body))
    end
    n = n + 1
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
