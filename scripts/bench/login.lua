-- POSTs password logins, taking the users in BENCH_USERS (usernames separated by spaces) in
-- turn, all with the password in BENCH_PASSWORD.
local directory = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(directory .. "summary.lua")

local usernames = {}
for username in os.getenv("BENCH_USERS"):gmatch("%S+") do
    usernames[#usernames + 1] = username
end
local password = os.getenv("BENCH_PASSWORD")
local turn = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
    turn = turn % #usernames + 1
    local body = string.format(
        '{"grant_type":"password","username":"%s","password":"%s"}', usernames[turn], password)
    return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
    print_summary(summary, latency)
end
