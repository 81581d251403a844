-- wrk script for bench/server_bench.sh: POST /predict with a rotation of image files, mixed JPEG and PNG.
-- usage: wrk -s bench/server_load.lua URL -- FILE...   (Content-Type from the file extension)
local bodies = {}
local counter = 0

function init(args)
  for _, path in ipairs(args) do
    local f = assert(io.open(path, "rb"))
    local data = f:read("*all")
    f:close()
    local ctype = path:match("%.png$") and "image/png" or "image/jpeg"
    bodies[#bodies + 1] = wrk.format("POST", "/predict?top_k=1", { ["Content-Type"] = ctype }, data)
  end
  counter = math.random(#bodies)
end

function request()
  counter = counter % #bodies + 1
  return bodies[counter]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("requests=%d duration_s=%.2f rps=%.1f non2xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), e.status, e.connect, e.read,
    e.write, e.timeout, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
