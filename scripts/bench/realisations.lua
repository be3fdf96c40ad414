-- POSTs realisations, each to a slot (indicator, period and organisation) with no realisation
-- yet, so that every request creates one. BENCH_REQUESTS_FILE has one request a line: path, the
-- organisation user's bearer token and the JSON body, separated by tabs. Each of the
-- BENCH_THREADS threads sends every BENCH_THREADS-th line. A thread that runs out of lines
-- sends its last one again, which gets 409 and shows among wrk's non-2xx responses.
local directory = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(directory .. "summary.lua")

local next_thread = 0

function setup(thread)
    thread:set("thread_index", next_thread)
    next_thread = next_thread + 1
end

function init(args)
    local thread_count = tonumber(os.getenv("BENCH_THREADS"))
    queue = {}
    local line_number = 0
    for line in io.lines(os.getenv("BENCH_REQUESTS_FILE")) do
        if line_number % thread_count == thread_index then
            local path, token, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
            local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
            queue[#queue + 1] = wrk.format("POST", path, headers, body)
        end
        line_number = line_number + 1
    end
    position = 0
end

function request()
    if position < #queue then
        position = position + 1
    end
    return queue[position]
end

function done(summary, latency, requests)
    print_summary(summary, latency)
end
