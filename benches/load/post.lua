-- wrk script for Kinship's load test (see BENCHMARKS.md). Sends the request body in the file
-- named by BODY_FILE (a GraphQL POST body) with the Authorization header in AUTHORIZATION, or,
-- without BODY_FILE, a GET of the URL. Counts as errors the responses that are not 200 or whose
-- body carries GraphQL "errors", and prints them with the median and 99th percentile latency.

local body_file = os.getenv("BODY_FILE")
if body_file and body_file ~= "" then
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  local file = assert(io.open(body_file, "r"))
  wrk.body = file:read("*a")
  file:close()
end
local authorization = os.getenv("AUTHORIZATION")
if authorization and authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("errors")
  end
  io.write(string.format("kinship_requests %d\n", summary.requests))
  io.write(string.format("kinship_errors %d\n", total + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("kinship_p50_ms %.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("kinship_p99_ms %.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("kinship_rps %.1f\n", summary.requests / (summary.duration / 1e6)))
end
