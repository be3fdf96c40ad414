-- Sends GET requests to the URL given to wrk, with the bearer token in BENCH_TOKEN.
local directory = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(directory .. "summary.lua")

wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

function done(summary, latency, requests)
    print_summary(summary, latency)
end
