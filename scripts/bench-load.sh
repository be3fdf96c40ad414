#!/usr/bin/env bash
# Load-tests five routes with wrk and runs the same SQL statements with pgbench beside each, on
# the same database and with as many connections as the service's pool, and prints the figures
# as Markdown tables. docs/benchmarks.md explains what is measured and how to read the result.
#
# The routes: realisations submitted by many implementers at once, the indicator list, a road
# map's tree, the achievement report, and password logins. The pgbench scripts are in
# scripts/bench/*.sql, written from the service's statement log. Before the timed runs the script
# counts the statements that one request of each route logs and stops if a count differs from
# its pgbench script, because the script then no longer runs what the route runs.
#
# It builds the release binary, creates a fresh database, generates a road map with
# `petajalan synth` for the reads, and imports Semarang again under BENCH_WRITE_COPIES other
# codes, with every quarter open until today, for the submissions. It creates one `opd` user per
# implementing unit and starts the release server on loopback. On exit it stops the server and
# drops the database.
#
# Settings, with the defaults for a local PostgreSQL server with trust authentication:
#   BENCH_SERVER_URL    PostgreSQL server, without a database name (postgres://postgres@127.0.0.1:5432)
#   BENCH_DATABASE      database to create and drop (bench_load)
#   BENCH_PORT          loopback port of the service (18152)
#   BENCH_BINARY        a petajalan binary to use instead of building target/release/petajalan
#   BENCH_DURATION      seconds of each timed wrk and pgbench run (15)
#   BENCH_CONNECTIONS   wrk connections for the peak runs (32)
#   BENCH_THREADS       wrk and pgbench threads (2)
#   BENCH_POOL_SIZE     the service's PETAJALAN_DB_POOL_SIZE, and pgbench's clients (10)
#   BENCH_LOGIN_CONNECTIONS  wrk connections of the login runs (8)
#   BENCH_SWEEP_SECONDS seconds of each short run that looks for 80 % of the peak (3)
#   BENCH_WRITE_COPIES  copies of Semarang that the submissions fill (40)
#   BENCH_SCALE         size of the read road map, as a multiple of Semarang (1)
#   BENCH_KEEP=1        keeps the database for a look afterwards
set -euo pipefail

SERVER_URL=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DATABASE=${BENCH_DATABASE:-bench_load}
PORT=${BENCH_PORT:-18152}
DURATION=${BENCH_DURATION:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
POOL_SIZE=${BENCH_POOL_SIZE:-10}
LOGIN_CONNECTIONS=${BENCH_LOGIN_CONNECTIONS:-8}
SWEEP_SECONDS=${BENCH_SWEEP_SECONDS:-3}
WRITE_COPIES=${BENCH_WRITE_COPIES:-40}
SCALE=${BENCH_SCALE:-1}
SOURCE=data/semarang-2023-2024.toml
READ_CODE=bench-load
YEAR=2023

cd "$(dirname "$0")/.."
missing_tool() {
    echo "bench-load: $1 is missing; $2" >&2
    exit 2
}
for tool in curl jq psql; do
    command -v "$tool" >/dev/null || missing_tool "$tool" "install it with your package manager"
done
command -v wrk >/dev/null || missing_tool wrk "on Debian or Ubuntu install it with: apt-get install wrk"
command -v pgbench >/dev/null \
    || missing_tool pgbench "on Debian or Ubuntu it comes with PostgreSQL's client: apt-get install postgresql-client"
case $DATABASE in
    *[!a-z0-9_]*) echo "bench-load: BENCH_DATABASE may hold only a-z, 0-9 and _" >&2; exit 2 ;;
esac

# shellcheck source=scripts/bench/lifecycle.sh
. scripts/bench/lifecycle.sh
fail() {
    log "bench-load: $*"
    exit 1
}
random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

if [ -n "${BENCH_BINARY:-}" ]; then
    BIN=$BENCH_BINARY
else
    command -v cargo >/dev/null || missing_tool cargo "install Rust, or set BENCH_BINARY"
    log "== building the release binary"
    cargo build --release --locked --quiet
    BIN=$PWD/target/release/petajalan
fi

log "== creating database $DATABASE"
psql -q -d "$SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" -c "CREATE DATABASE $DATABASE" >/dev/null
DATABASE_CREATED=1
export DATABASE_URL=$SERVER_URL/$DATABASE
export PETAJALAN_LANG=en PETAJALAN_LOG=warn
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DATABASE_URL" "$@"; }

"$BIN" migrate >/dev/null
log "== generating the read road map ×$SCALE as $READ_CODE"
"$BIN" synth --from "$SOURCE" --scale "$SCALE" --code "$READ_CODE" >/dev/null
log "== importing $WRITE_COPIES copies of Semarang for the submissions"
for copy in $(seq 1 "$WRITE_COPIES"); do
    sed "s/^code = \"semarang-2023-2024\"/code = \"bench-load-w$copy\"/" "$SOURCE" >"$WORK/copy.toml"
    "$BIN" import "$WORK/copy.toml" >/dev/null
done

PASSWORD="bench-$(random_hex 24)"
printf '%s\n' "$PASSWORD" | "$BIN" user create --username bench-admin --role admin >/dev/null

# Starts the release server; $1 is its log filter. Every start signs with the same key, so that
# tokens made before the timed runs stay valid, and tokens last an hour, longer than a run.
JWT_SECRET=$(random_hex 32)
start_server() {
    if curl -s -o /dev/null "http://127.0.0.1:$PORT/health/live"; then
        fail "port $PORT is already in use by another program; stop it or set BENCH_PORT"
    fi
    PETAJALAN_BIND=127.0.0.1:$PORT PETAJALAN_LOG=$1 PETAJALAN_DB_POOL_SIZE=$POOL_SIZE \
        PETAJALAN_ACCESS_TOKEN_SECONDS=3600 PETAJALAN_JWT_SECRET=$JWT_SECRET \
        "$BIN" serve >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && return 0
        sleep 0.1
    done
    cat "$WORK/server.log" >&2
    fail "the server did not start"
}

API=http://127.0.0.1:$PORT/api/v1

login() {
    local token
    token=$(jq -n --arg username "$1" --arg password "$PASSWORD" '{grant_type: "password", $username, $password}' \
        | curl -s "$API/auth/token" -H 'Content-Type: application/json' --data @- | jq -r '.access_token // empty')
    [ -n "$token" ] || fail "login as $1 failed"
    printf '%s' "$token"
}

# POSTs JSON as the admin and fails unless the response status is 201.
admin_post() {
    local status
    status=$(curl -s -o "$WORK/response.json" -w '%{http_code}' -X POST "$API$1" \
        -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' --data "$2")
    [ "$status" = 201 ] || fail "POST $1 returned $status: $(cat "$WORK/response.json")"
}

start_server "warn,petajalan::sql=debug,petajalan::telemetry=info"
ADMIN_TOKEN=$(login bench-admin)

log "== creating one opd user per implementing unit, and opening every quarter until today"
ORGANISATIONS=$(sql -c "
    SELECT DISTINCT organisations.code
    FROM organisations
    JOIN (SELECT organisation_id FROM indicator_implementers
          UNION SELECT reporting_unit_id FROM indicators) AS reporters
        ON reporters.organisation_id = organisations.id
    WHERE organisations.kind = 'unit'
    ORDER BY 1")
USERS=()
for organisation in $ORGANISATIONS; do
    username="bench-opd-${organisation,,}"
    admin_post /users "$(jq -n --arg username "$username" --arg organisation "$organisation" --arg password "$PASSWORD" \
        '{$username, display_name: $username, role: "opd", $organisation, $password}')"
    USERS+=("$username")
done
: >"$WORK/tokens.tsv"
for username in "${USERS[@]}"; do
    printf '%s\t%s\n' "$username" "$(login "$username")" >>"$WORK/tokens.tsv"
done
READER=${USERS[0]}
READER_TOKEN=$(awk -F'\t' -v user="$READER" '$1 == user { print $2 }' "$WORK/tokens.tsv")
READER_ID=$(sql -c "SELECT id FROM users WHERE username = '$READER'")

# Deadline day: every quarter of the copies opens after its quarter ends and closes today (WIB).
TODAY=$(TZ=Asia/Jakarta date +%F)
for copy in $(seq 1 "$WRITE_COPIES"); do
    for year in 2023 2024; do
        for quarter in 1 2 3 4; do
            opens_on=$(date -d "$year-01-01 +$((3 * quarter)) months" +%F)
            admin_post "/roadmaps/bench-load-w$copy/periods" \
                "{\"period\":\"$year-Q$quarter\",\"opens_on\":\"$opens_on\",\"deadline\":\"$TODAY\",\"late_policy\":\"accept_late\"}"
        done
    done
done

# One slot per copy, indicator, quarter and reporting unit with a user, in a random order within
# each quarter. The route's requests and the pgbench script take slots that have no realisation
# yet, so that every submission creates one.
sql -c "CREATE TABLE bench_tokens (username TEXT PRIMARY KEY, token TEXT NOT NULL)"
sql -c "\\copy bench_tokens FROM '$WORK/tokens.tsv'"
sql <<'SQL'
CREATE TABLE bench_slots AS
WITH reporters AS (
    SELECT indicator_id, organisation_id FROM indicator_implementers
    UNION SELECT id, reporting_unit_id FROM indicators WHERE reporting_unit_id IS NOT NULL
)
SELECT row_number() OVER (ORDER BY periods.year, periods.quarter, random()) AS n,
       roadmaps.id AS roadmap_id, roadmaps.code AS roadmap_code,
       indicators.id AS indicator_id, indicators.code AS indicator_code,
       '{' || indicators.id || '}' AS indicator_array,
       periods.id AS period_id, '{' || periods.id || '}' AS period_array,
       periods.year, periods.quarter,
       users.organisation_id, '{' || users.organisation_id || '}' AS organisation_array,
       users.id AS user_id, '{' || users.id || '}' AS user_array, users.username AS actor_name,
       '75' AS printed, 75 AS value_number,
       (SELECT snapshot::text FROM realisation_versions ORDER BY id DESC LIMIT 1) AS snapshot,
       'realisation:0' AS audit_subject,
       '{"after": {"note": null, "state": "submitted", "printed": "75", "version": 1, "review_note": null}, "before": null, "request_id": "bench"}' AS audit_details,
       '/api/v1/roadmaps/' || roadmaps.code || '/realisations' AS path,
       bench_tokens.token,
       (jsonb_build_object('indicator', indicators.code, 'period', periods.year || '-Q' || periods.quarter)
        || CASE
               WHEN indicators.value_kind IN ('category', 'text') THEN '{"value": "Tercapai"}'::jsonb
               WHEN indicators.combine_rule = 'ratio' THEN '{"numerator": 75, "denominator": 100}'::jsonb
               ELSE '{"value": 75}'::jsonb
           END
        || CASE WHEN indicators.direction = 'text_met' THEN '{"met": true}'::jsonb ELSE '{}'::jsonb END)::text AS body
FROM reporters
JOIN indicators ON indicators.id = reporters.indicator_id
JOIN roadmaps ON roadmaps.id = indicators.roadmap_id AND roadmaps.code LIKE 'bench-load-w%'
JOIN reporting_periods AS periods ON periods.roadmap_id = roadmaps.id
JOIN users ON users.organisation_id = reporters.organisation_id AND users.username LIKE 'bench-opd-%'
JOIN bench_tokens ON bench_tokens.username = users.username;
CREATE UNIQUE INDEX ON bench_slots (n);
CREATE INDEX ON bench_slots (indicator_id, period_id, organisation_id);
CREATE SEQUENCE bench_slots_next;
ANALYZE;
SQL
SLOTS=$(sql -c "SELECT count(*) FROM bench_slots")
log "   $SLOTS slots for submissions"

# Writes the requests for the slots still without a realisation, in slot order, to $1.
write_requests() {
    sql -F $'\t' -c "
        SELECT path, token, body FROM bench_slots AS slots
        WHERE NOT EXISTS (
            SELECT 1 FROM realisations
            WHERE (indicator_id, period_id, organisation_id) = (slots.indicator_id, slots.period_id, slots.organisation_id))
        ORDER BY n" >"$1"
    [ -s "$1" ] || fail "no free slot is left for the submissions; raise BENCH_WRITE_COPIES (now $WRITE_COPIES)"
}

# Moves the pgbench script's slot sequence past every slot that has a realisation.
advance_slots() {
    sql -c "
        SELECT setval('bench_slots_next', greatest(1, (
            SELECT max(n) FROM bench_slots AS slots
            WHERE EXISTS (
                SELECT 1 FROM realisations
                WHERE (indicator_id, period_id, organisation_id) = (slots.indicator_id, slots.period_id, slots.organisation_id)))))" >/dev/null
}

READ_ROADMAP_ID=$(sql -c "SELECT id FROM roadmaps WHERE code = '$READ_CODE'")
INDICATOR_IDS=$(sql -c "SELECT '{' || string_agg(id::text, ',' ORDER BY position, id) || '}' FROM indicators WHERE roadmap_id = $READ_ROADMAP_ID")
# The indicators of the list's first page of 50.
PAGE_INDICATOR_IDS=$(sql -c "
    SELECT '{' || string_agg(id::text, ',' ORDER BY position, id) || '}' FROM (
        SELECT id, position FROM indicators WHERE roadmap_id = $READ_ROADMAP_ID ORDER BY position, id LIMIT 50) AS page")
# The organisations that the read routes name: coordinators, implementers and reporting units.
ORGANISATION_IDS=$(sql -c "
    SELECT '{' || string_agg(DISTINCT id::text, ',') || '}' FROM (
        SELECT coordinator_id AS id FROM indicators WHERE roadmap_id = $READ_ROADMAP_ID
        UNION SELECT reporting_unit_id FROM indicators WHERE roadmap_id = $READ_ROADMAP_ID
        UNION SELECT organisation_id FROM indicator_implementers
              WHERE indicator_id IN (SELECT id FROM indicators WHERE roadmap_id = $READ_ROADMAP_ID)
        UNION SELECT coordinator_id FROM objectives WHERE roadmap_id = $READ_ROADMAP_ID
        UNION SELECT coordinator_id FROM activities WHERE roadmap_id = $READ_ROADMAP_ID) AS named
    WHERE id IS NOT NULL")
LOGIN_USER_ID=$(sql -c "SELECT id FROM users WHERE username = '${USERS[0]}'")
NOW=$(date -u +%FT%TZ)

# The scenarios, as "label|kind|wrk script|URL path|pgbench script". The kind sets the target
# ratio of route to SQL throughput; a login writes three rows, so it counts as a write.
SCENARIOS=(
    "POST realisation|write|realisations.lua|/|realisation.sql"
    "GET indicators|read|get.lua|/api/v1/roadmaps/$READ_CODE/indicators|indicators.sql"
    "GET tree|read|get.lua|/api/v1/roadmaps/$READ_CODE/tree|tree.sql"
    "GET achievement report|read|get.lua|/api/v1/reports/achievement?roadmap=$READ_CODE&year=$YEAR|achievement.sql"
    "POST login|write|login.lua|/api/v1/auth/token|login.sql"
)
field() { cut -d'|' -f"$2" <<<"$1"; }

# The pgbench variables of every script.
PGBENCH_VARIABLES=(
    -D first_user="$READER_ID" -D last_user="$READER_ID" -D roadmap_code="$READ_CODE" -D roadmap_id="$READ_ROADMAP_ID"
    -D indicator_ids="$INDICATOR_IDS" -D page_indicator_ids="$PAGE_INDICATOR_IDS" -D organisation_ids="$ORGANISATION_IDS" -D page_size=50 -D offset=0
    -D target_role=target -D year="$YEAR" -D states='{verified}'
    -D state=submitted -D timeliness=on_time -D action=submit -D audit_action=realisation.submit -D client_ip=127.0.0.1
    -D submitted_at="$NOW" -D evidence_realisations='{0}' -D client_ids='{}'
    -D username="${USERS[0]}" -D user_id="$LOGIN_USER_ID" -D succeeded=true -D failed=false
    -D window_start="$(date -u -d '-15 minutes' +%FT%TZ)" -D login_action=login.success -D empty_details='{}'
    -D family_id="$(cat /proc/sys/kernel/random/uuid)" -D expires_at="$(date -u -d '+14 days' +%FT%TZ)"
)

# Counts the statements of the pgbench script $1, less the one that takes a slot.
script_statements() {
    grep -E '^(SELECT|INSERT|UPDATE|DELETE|BEGIN|COMMIT)' "scripts/bench/$1" | grep -vc bench_slots
}

# Sends one request of scenario $1 with request id $2.
send_once() {
    local path token body
    path=$(field "$1" 4)
    case $1 in
        "POST realisation"*)
            write_requests "$WORK/requests.tsv"
            IFS=$'\t' read -r path token body <"$WORK/requests.tsv"
            curl -sf -o /dev/null -X POST "http://127.0.0.1:$PORT$path" -H "X-Request-Id: $2" \
                -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data "$body" ;;
        "POST login"*)
            jq -n --arg username "${USERS[0]}" --arg password "$PASSWORD" '{grant_type: "password", $username, $password}' \
                | curl -sf -o /dev/null "$API/auth/token" -H "X-Request-Id: $2" -H 'Content-Type: application/json' --data @- ;;
        *)
            curl -sf -o /dev/null -H "Authorization: Bearer $READER_TOKEN" -H "X-Request-Id: $2" "http://127.0.0.1:$PORT$path" ;;
    esac
}

log "== checking the pgbench scripts against the statement log"
for index in "${!SCENARIOS[@]}"; do
    scenario=${SCENARIOS[$index]}
    send_once "$scenario" "bench-load-count-$index" || fail "$(field "$scenario" 1) failed"
done
sleep 0.5
for index in "${!SCENARIOS[@]}"; do
    scenario=${SCENARIOS[$index]}
    logged=$(grep -aE "request\.id=bench-load-count-$index[ }].*petajalan::sql" "$WORK/server.log" | grep -c . || true)
    scripted=$(script_statements "$(field "$scenario" 5)")
    if [ "$logged" != "$scripted" ]; then
        fail "$(field "$scenario" 1) ran $logged statements but scripts/bench/$(field "$scenario" 5) has $scripted; update the script from the statement log"
    fi
    STATEMENTS[$index]=$logged
done
stop_server

# Runs wrk: $1 scenario, $2 connections, $3 seconds, $4 output file. Prints "req/s p50 p99
# non2xx" with latencies in milliseconds.
run_wrk() {
    local scenario=$1 connections=$2 seconds=$3 output=$4
    local script path threads
    script=$(field "$scenario" 3)
    path=$(field "$scenario" 4)
    threads=$((connections < THREADS ? connections : THREADS))
    if [ "$script" = realisations.lua ]; then
        write_requests "$WORK/requests.tsv"
    fi
    BENCH_THREADS=$threads BENCH_TOKEN=$READER_TOKEN BENCH_REQUESTS_FILE=$WORK/requests.tsv \
        BENCH_USERS="${USERS[*]}" BENCH_PASSWORD=$PASSWORD \
        wrk -t "$threads" -c "$connections" -d "${seconds}s" --latency -s "scripts/bench/$script" \
        "http://127.0.0.1:$PORT$path" >"$output"
    if [ "$script" = realisations.lua ]; then
        # Requests still in flight when wrk stops may commit a moment later; the next run's list
        # of free slots must see them.
        sleep 1
    fi
    awk '/^bench-summary/ {
        for (i = 2; i <= NF; i++) { split($i, pair, "="); value[pair[1]] = pair[2] }
        printf "%.0f %.1f %.1f %d\n", value["requests"] / value["seconds"], value["p50_us"] / 1000,
            value["p99_us"] / 1000, value["non2xx"] + value["socket_errors"]
    }' "$output"
}

# Runs pgbench with scenario $1's script. Prints "transactions/s p50 p99 failures" with
# nearest-rank latencies in milliseconds from the per-transaction log.
run_pgbench() {
    local script=$1 name
    name=${script%.sql}
    if [ "$script" = realisation.sql ]; then
        advance_slots
    fi
    rm -f "$WORK/pgbench-$name".*
    pgbench -n -M prepared -c "$POOL_SIZE" -j "$THREADS" -T "$DURATION" -f "scripts/bench/$script" \
        --log --log-prefix="$WORK/pgbench-$name" "${PGBENCH_VARIABLES[@]}" "$DATABASE_URL" \
        >"$WORK/pgbench-$name.txt" 2>&1 || {
        cat "$WORK/pgbench-$name.txt" >&2
        fail "pgbench $script failed; if it found no row in bench_slots, raise BENCH_WRITE_COPIES (now $WRITE_COPIES)"
    }
    local tps failed
    tps=$(awk '/^tps = .*without initial connection time/ { printf "%.0f", $3 }' "$WORK/pgbench-$name.txt")
    failed=$(awk '/^number of failed transactions/ { print $5 }' "$WORK/pgbench-$name.txt")
    cat "$WORK/pgbench-$name".[0-9]* | awk '{ print $3 / 1000 }' | sort -n | awk -v tps="$tps" -v failed="${failed:-0}" '
        { value[NR] = $1 }
        END { printf "%s %.1f %.1f %s\n", tps, value[int((NR + 1) / 2)], value[int(NR * 0.99 + 0.999999)], failed }'
}

log "== timing each scenario: wrk at $CONNECTIONS connections, pgbench with $POOL_SIZE clients, ${DURATION}s each"
start_server warn
ROWS=()
LOAD_ROWS=()
declare -A EIGHTY_CONNECTIONS EIGHTY_RATE EIGHTY_P99
for index in "${!SCENARIOS[@]}"; do
    scenario=${SCENARIOS[$index]}
    label=$(field "$scenario" 1)
    kind=$(field "$scenario" 2)
    peak_connections=$CONNECTIONS
    [ "$label" = "POST login" ] && peak_connections=$LOGIN_CONNECTIONS
    log "-- $label"

    run_wrk "$scenario" "$peak_connections" "$DURATION" "$WORK/wrk-$index.txt" >"$WORK/figures"
    read -r route_rate route_p50 route_p99 route_errors <"$WORK/figures"
    run_pgbench "$(field "$scenario" 5)" >"$WORK/figures"
    read -r sql_rate sql_p50 sql_p99 _ <"$WORK/figures"
    ratio=$(awk -v route="$route_rate" -v sql="$sql_rate" 'BEGIN { printf "%.0f", 100 * route / sql }')
    goal=$([ "$kind" = write ] && echo 50 || echo 70)
    verdict=$([ "$ratio" -ge "$goal" ] && echo met || echo "not met")
    ROWS+=("| $label | ${STATEMENTS[$index]} | $route_rate | $route_p50 | $route_p99 | $route_errors | $sql_rate | $sql_p50 | $sql_p99 | $ratio % | ≥ $goal %: $verdict |")

    # The fewest connections, doubling from 1, whose throughput reaches 80 % of the peak.
    chosen=$peak_connections
    for connections in 1 2 4 8 16 32 64 128; do
        [ "$connections" -lt "$peak_connections" ] || break
        run_wrk "$scenario" "$connections" "$SWEEP_SECONDS" "$WORK/sweep.txt" >"$WORK/figures"
        read -r rate _ _ _ <"$WORK/figures"
        if [ "$((rate * 10))" -ge "$((route_rate * 8))" ]; then
            chosen=$connections
            break
        fi
    done
    run_wrk "$scenario" "$chosen" "$DURATION" "$WORK/eighty-$index.txt" >"$WORK/figures"
    read -r rate _ p99 errors <"$WORK/figures"
    share=$(awk -v rate="$rate" -v peak="$route_rate" 'BEGIN { printf "%.0f", 100 * rate / peak }')
    verdict=$(awk -v p99="$p99" 'BEGIN { print (p99 < 50 ? "met" : "not met") }')
    LOAD_ROWS+=("| $label | $chosen | $rate | $share % | $p99 | $errors | < 50 ms: $verdict |")
    EIGHTY_CONNECTIONS[$index]=$chosen
    EIGHTY_RATE[$index]=$rate
    EIGHTY_P99[$index]=$p99
done

log "-- GET indicators during a login storm"
storm_seconds=$((DURATION + 2))
login_scenario=${SCENARIOS[4]}
run_wrk "$login_scenario" "$LOGIN_CONNECTIONS" "$storm_seconds" "$WORK/storm-logins.txt" >"$WORK/storm-login-figures.txt" &
STORM_PID=$!
sleep 1
run_wrk "${SCENARIOS[1]}" "${EIGHTY_CONNECTIONS[1]}" "$DURATION" "$WORK/storm-get.txt" >"$WORK/figures"
read -r storm_rate _ storm_p99 storm_errors <"$WORK/figures"
wait "$STORM_PID"
read -r storm_login_rate _ _ storm_login_errors <"$WORK/storm-login-figures.txt"
storm_verdict=$(awk -v storm="$storm_p99" -v quiet="${EIGHTY_P99[1]}" 'BEGIN { print (storm <= 2 * quiet ? "met" : "not met") }')

PEAK_RSS=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")
END_RSS=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")
stop_server

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
postgres=$(psql -At -d "$SERVER_URL/postgres" -c 'SHOW server_version')
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Machine: $(nproc) CPUs ($cpu), $memory memory; PostgreSQL $postgres; $("$BIN" --version); wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }'); load average at the end $load."
echo "Service: PETAJALAN_WORKERS=0 (one per CPU), PETAJALAN_DB_POOL_SIZE=$POOL_SIZE. Each timed run lasts ${DURATION}s; wrk, pgbench, the service and PostgreSQL share the CPUs."
echo "Submissions: $SLOTS slots in $WRITE_COPIES copies of Semarang; reads on $READ_CODE, Semarang ×$SCALE with its synthetic realisations. Latencies in ms."
echo
echo "| scenario | SQL statements | route req/s | route p50 | route p99 | route errors | SQL tx/s | SQL p50 | SQL p99 | route/SQL | target |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${ROWS[@]}"
echo
echo "| scenario | connections | req/s | of peak | p99 | errors | target |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${LOAD_ROWS[@]}"
echo
echo "| GET indicators at ${EIGHTY_CONNECTIONS[1]} connections | req/s | p99 | errors |"
echo "| --- | ---: | ---: | ---: |"
echo "| alone | ${EIGHTY_RATE[1]} | ${EIGHTY_P99[1]} | |"
echo "| with $LOGIN_CONNECTIONS connections logging in ($storm_login_rate logins/s, $storm_login_errors errors) | $storm_rate | $storm_p99 | $storm_errors |"
echo
echo "Login storm target (p99 at most twice the quiet value): $storm_verdict."
echo "Server memory: peak resident $PEAK_RSS MiB (VmHWM), $END_RSS MiB resident at the end (VmRSS); target < 200 MiB: $([ "$PEAK_RSS" -lt 200 ] && echo met || echo "not met")."
