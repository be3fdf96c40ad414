#!/usr/bin/env bash
# Benchmarks the monitoring reports on the Semarang road map and on synthetic road maps 10 and
# 100 times its size, and prints the figures as a Markdown table. docs/benchmarks.md explains
# what is measured and how to read the result.
#
# It builds the release binary, creates a fresh database, imports Semarang, generates the road
# maps with `petajalan synth`, starts the release server on loopback, logs in as an admin made
# with `petajalan user create`, and times sequential requests to each report. On exit it stops
# the server and drops the database.
#
# Settings, with the defaults for a local PostgreSQL server with trust authentication:
#   BENCH_SERVER_URL  PostgreSQL server, without a database name (postgres://postgres@127.0.0.1:5432)
#   BENCH_DATABASE    database to create and drop (bench_report)
#   BENCH_PORT        loopback port of the service (18151)
#   BENCH_SCALES      road map sizes (1 10 100)
#   BENCH_REQUESTS    timed requests per report (30)
#   BENCH_WARMUP      untimed requests per report before those (3)
#   BENCH_YEAR, BENCH_QUARTER  the report's year and quarter (2023, 2)
#   BENCH_KEEP=1      keeps the database for a look afterwards
set -euo pipefail

SERVER_URL=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DATABASE=${BENCH_DATABASE:-bench_report}
PORT=${BENCH_PORT:-18151}
SCALES=${BENCH_SCALES:-1 10 100}
REQUESTS=${BENCH_REQUESTS:-30}
WARMUP=${BENCH_WARMUP:-3}
YEAR=${BENCH_YEAR:-2023}
QUARTER=${BENCH_QUARTER:-2}
SOURCE=data/semarang-2023-2024.toml

cd "$(dirname "$0")/.."
for tool in cargo curl jq psql; do
    command -v "$tool" >/dev/null || { echo "bench-report: $tool is missing" >&2; exit 2; }
done
case $DATABASE in
    *[!a-z0-9_]*) echo "bench-report: BENCH_DATABASE may hold only a-z, 0-9 and _" >&2; exit 2 ;;
esac

# shellcheck source=scripts/bench/lifecycle.sh
. scripts/bench/lifecycle.sh

log "== building the release binary"
cargo build --release --locked --quiet
BIN=$PWD/target/release/petajalan

log "== creating database $DATABASE"
psql -q -d "$SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" -c "CREATE DATABASE $DATABASE" >/dev/null
DATABASE_CREATED=1
export DATABASE_URL=$SERVER_URL/$DATABASE
export PETAJALAN_LANG=en PETAJALAN_LOG=warn
"$BIN" migrate >/dev/null
"$BIN" import "$SOURCE" >/dev/null

declare -A SYNTH_SECONDS
for scale in $SCALES; do
    log "== generating the road map ×$scale"
    started=$(date +%s.%N)
    "$BIN" synth --from "$SOURCE" --scale "$scale" --code "bench-x$scale" >"$WORK/synth-$scale.txt"
    SYNTH_SECONDS[$scale]=$(echo "$started $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}')
    tail -n 3 "$WORK/synth-$scale.txt" >&2
done

PASSWORD="bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$PASSWORD" | "$BIN" user create --username bench-admin --role admin >/dev/null

# Starts the release server; $1 is its log filter.
start_server() {
    if curl -s -o /dev/null "http://127.0.0.1:$PORT/health/live"; then
        log "bench-report: port $PORT is already in use by another program; stop it or set BENCH_PORT"; exit 1
    fi
    PETAJALAN_BIND=127.0.0.1:$PORT PETAJALAN_LOG=$1 \
        PETAJALAN_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
        "$BIN" serve >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && return 0
        sleep 0.1
    done
    cat "$WORK/server.log" >&2
    log "bench-report: the server did not start"
    exit 1
}

login() {
    local token
    token=$(printf '{"grant_type":"password","username":"bench-admin","password":"%s"}' "$PASSWORD" \
        | curl -s "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'Content-Type: application/json' --data @- \
        | jq -r '.access_token // empty')
    if [ -z "$token" ]; then
        log "bench-report: login as bench-admin failed"
        return 1
    fi
    printf '%s' "$token"
}

# The reports, as "label|path with @CODE@ for the road map".
REPORTS=(
    "achievement $YEAR, JSON|/api/v1/reports/achievement?roadmap=@CODE@&year=$YEAR"
    "achievement $YEAR-Q$QUARTER, JSON|/api/v1/reports/achievement?roadmap=@CODE@&year=$YEAR&quarter=$QUARTER"
    "achievement $YEAR, XLSX|/api/v1/reports/achievement?roadmap=@CODE@&year=$YEAR&format=xlsx"
    "compliance $YEAR, JSON|/api/v1/reports/compliance?roadmap=@CODE@&year=$YEAR"
)

url_of() { printf 'http://127.0.0.1:%s%s' "$PORT" "${1//@CODE@/$2}"; }

# Counts the SQL statements of one request of each report, from the server's statement log
# (target petajalan::sql at debug level), found by the request id the request sends.
log "== counting SQL statements per request"
start_server "warn,petajalan::sql=debug,petajalan::telemetry=info"
TOKEN=$(login)
declare -A STATEMENTS
for scale in $SCALES; do
    for index in "${!REPORTS[@]}"; do
        path=${REPORTS[$index]#*|}
        request_id="bench-count-$scale-$index"
        curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H "X-Request-Id: $request_id" "$(url_of "$path" "bench-x$scale")"
        STATEMENTS[$scale,$index]=$(grep -E "request\.id=$request_id[ }].*petajalan::sql" "$WORK/server.log" | grep -c . || true)
    done
done
stop_server

log "== timing $REQUESTS requests per report after $WARMUP to warm up"
start_server warn
declare -A INDICATORS REALISATIONS PEAK
ROWS=()
for scale in $SCALES; do
    code=bench-x$scale
    TOKEN=$(login)
    # Peak resident memory is measured per scale: writing 5 to clear_refs resets VmHWM.
    echo 5 >"/proc/$SERVER_PID/clear_refs" 2>/dev/null || true
    report=$(curl -sf -H "Authorization: Bearer $TOKEN" "$(url_of "${REPORTS[0]#*|}" "$code")")
    INDICATORS[$scale]=$(jq '.indicators | length' <<<"$report")
    judged=$(jq '[.indicators[] | select(.status == "on_track" or .status == "at_risk" or .status == "off_track")] | length' <<<"$report")
    if [ "$judged" -eq 0 ]; then
        log "bench-report: the report of $code judges no indicator; its realisations were not read"
        exit 1
    fi
    REALISATIONS[$scale]=$(curl -sf -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$PORT/api/v1/roadmaps/$code/realisations?page_size=1" | jq .total)
    for index in "${!REPORTS[@]}"; do
        label=${REPORTS[$index]%%|*}
        url=$(url_of "${REPORTS[$index]#*|}" "$code")
        for _ in $(seq 1 "$WARMUP"); do
            curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$url"
        done
        : >"$WORK/times"
        for _ in $(seq 1 "$REQUESTS"); do
            curl -s -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' \
                -H "Authorization: Bearer $TOKEN" "$url" >>"$WORK/times"
        done
        if awk '$1 != 200 { bad = 1 } END { exit !bad }' "$WORK/times"; then
            log "bench-report: $label of $code did not always answer 200"
            exit 1
        fi
        # Nearest-rank median and 95th percentile, in milliseconds.
        stats=$(awk '{ print $2 * 1000 }' "$WORK/times" | sort -n | awk '
            { value[NR] = $1 }
            END {
                median = value[int((NR + 1) / 2)]
                p95 = value[int(NR * 0.95 + 0.999999)]
                printf "%.1f | %.1f | %.1f", median, p95, value[NR]
            }')
        size=$(awk 'NR == 1 { printf "%.1f", $3 / 1024 }' "$WORK/times")
        ROWS+=("| ×$scale | $label | $stats | $size | ${STATEMENTS[$scale,$index]} |")
    done
    PEAK[$scale]=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")
done
stop_server

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
postgres=$(psql -At -d "$SERVER_URL/postgres" -c 'SHOW server_version')

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Machine: $(nproc) CPUs ($cpu), $memory memory; PostgreSQL $postgres; $(rustc --version); load average at the end $load."
echo "Each figure is over $REQUESTS sequential requests after $WARMUP to warm up; times in ms, sizes in KiB."
echo
echo "| road map | indicators | realisations | generated in (s) | server peak RSS (MiB) |"
echo "| --- | ---: | ---: | ---: | ---: |"
for scale in $SCALES; do
    echo "| ×$scale | ${INDICATORS[$scale]} | ${REALISATIONS[$scale]} | ${SYNTH_SECONDS[$scale]} | ${PEAK[$scale]} |"
done
echo
echo "| road map | report | median | p95 | max | size | SQL statements |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${ROWS[@]}"
