-- Prints one machine-readable line with a wrk run's figures, read by scripts/bench-load.sh:
-- requests, seconds, p50 and p99 latency in microseconds, responses other than 2xx and 3xx, and
-- socket errors (connect, read, write and timeout).
function print_summary(summary, latency)
    local errors = summary.errors
    io.write(string.format(
        "bench-summary requests=%d seconds=%.3f p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
        summary.requests,
        summary.duration / 1e6,
        latency:percentile(50),
        latency:percentile(99),
        errors.status,
        errors.connect + errors.read + errors.write + errors.timeout
    ))
end
