#!/usr/bin/env bash
# Contract fuzzing: runs schemathesis against the running service with the committed
# openapi/openapi.json, once for each kind of caller. The run fails on a 5xx response, on a
# status, body, content type or header that the document does not describe, and on a request
# that the service accepts although the document forbids it.
#
# It builds the debug binary and creates a throwaway database. It starts `petajalan serve
# --import data/semarang-2023-2024.toml` on loopback and creates one account per role with the
# command line. It opens a reporting period and adds a plan, a milestone and a realisation
# through the API, logs every account in, and runs `st run` with each bearer token.
# scripts/contract-fuzz.toml gives schemathesis real identifiers of the imported road map.
# Reports go to target/schemathesis/. On exit the script stops the server and drops the
# database. Everything stays on 127.0.0.1; only the schemathesis install reaches PyPI.
#
# Settings, with the defaults for a local PostgreSQL server with trust authentication:
#   DATABASE_URL        PostgreSQL server; its database part is ignored
#                       (postgres://postgres@127.0.0.1:5432)
#   FUZZ_DATABASE       database to create and drop (fuzz_contract_<process id>)
#   FUZZ_PORT           loopback port of the service (18100)
#   FUZZ_MAX_EXAMPLES   test cases per operation and phase (10)
#   FUZZ_SEED           random seed of the generated data (20231)
#   FUZZ_WORKERS        concurrent schemathesis workers (2)
#   FUZZ_ROLES          callers to fuzz as, in order (viewer service implementer coordinator admin)
set -euo pipefail

cd "$(dirname "$0")/.."

if [ -n "${DATABASE_URL:-}" ]; then
    SERVER_URL=${DATABASE_URL%/*}
else
    SERVER_URL=postgres://postgres@127.0.0.1:5432
fi
# The process id keeps two runs on one PostgreSQL server from dropping each other's database.
DATABASE=${FUZZ_DATABASE:-fuzz_contract_$$}
PORT=${FUZZ_PORT:-18100}
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-10}
SEED=${FUZZ_SEED:-20231}
WORKERS=${FUZZ_WORKERS:-2}
# The admin runs last: it may deactivate the other accounts or reset their passwords, which
# revokes their tokens.
ROLES=${FUZZ_ROLES:-viewer service implementer coordinator admin}
BASE=http://127.0.0.1:$PORT
REPORTS=target/schemathesis
VENV=target/ci-schemathesis
PASSWORD='Fuzz-Kontrak-2023!'

for tool in cargo curl jq psql python3; do
    command -v "$tool" >/dev/null || { echo "contract-fuzz: $tool is missing" >&2; exit 2; }
done
case $DATABASE in
    *[!a-z0-9_]*) echo "contract-fuzz: FUZZ_DATABASE may contain only a-z, 0-9 and _" >&2; exit 2 ;;
esac

SERVER_PID=
DATABASE_CREATED=

cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ -n "$DATABASE_CREATED" ]; then
        psql -q -d "$SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '\n==> %s\n' "$*" >&2; }

if [ ! -x "$VENV/bin/st" ]; then
    log "installing schemathesis 4 from PyPI into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet 'schemathesis==4.*'
fi

log "building the debug binary"
cargo build --locked --quiet
BIN=$PWD/target/debug/petajalan

log "creating database $DATABASE"
PGOPTIONS='-c client_min_messages=warning' psql -q -d "$SERVER_URL/postgres" \
    -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" -c "CREATE DATABASE $DATABASE" >/dev/null
DATABASE_CREATED=1

rm -rf "$REPORTS"
mkdir -p "$REPORTS"

export DATABASE_URL=$SERVER_URL/$DATABASE
export PETAJALAN_LANG=en
export PETAJALAN_LOG=warn
export PETAJALAN_BIND=127.0.0.1:$PORT
export PETAJALAN_WORKERS=2
export PETAJALAN_EVIDENCE_STORE=$REPORTS/evidence
export PETAJALAN_JWT_SECRET=contract-fuzz-signing-key-not-for-production-use
# The maximum lifetime, so that no token expires during a run.
export PETAJALAN_ACCESS_TOKEN_SECONDS=3600

if curl -s -o /dev/null "$BASE/health/live"; then
    echo "contract-fuzz: port $PORT is already in use by another program; stop it or set FUZZ_PORT" >&2
    exit 2
fi
log "starting the service on $BASE"
"$BIN" serve --import data/semarang-2023-2024.toml >"$REPORTS/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$REPORTS/server.log" >&2; exit 1; }
    curl -fs -o /dev/null "$BASE/health/ready" && break
    sleep 0.2
done
curl -fs -o /dev/null "$BASE/health/ready" || { echo "contract-fuzz: the service did not become ready" >&2; exit 1; }

log "creating one account per role"
create_user() {
    printf '%s\n' "$PASSWORD" | "$BIN" user create --username "$1" --role "$2" ${3:+--organisation "$3"} >/dev/null
}
# BAG-OTDA coordinates IND-05 (Nilai SAKIP), which BAPPEDA implements. The admin is created last
# and so gets the highest id. Generated ids are often small, and an admin run that resets its
# own password revokes its own token.
create_user fuzz-viewer viewer
create_user fuzz-coordinator opd BAG-OTDA
create_user fuzz-implementer opd BAPPEDA
create_user fuzz-admin admin
printf '%s\n' "$PASSWORD$PASSWORD" |
    "$BIN" client create --client-id fuzz-service --name "Contract fuzzing" --scopes read >/dev/null

login() {
    local body
    case $1 in
        service) body=$(jq -n --arg secret "$PASSWORD$PASSWORD" \
            '{grant_type: "client_credentials", client_id: "fuzz-service", client_secret: $secret}') ;;
        *) body=$(jq -n --arg user "fuzz-$1" --arg password "$PASSWORD" \
            '{grant_type: "password", username: $user, password: $password}') ;;
    esac
    curl -fsS -H 'Content-Type: application/json' -d "$body" "$BASE/api/v1/auth/token" | jq -er .access_token
}
# Every login happens before any fuzzing, because fuzzed logins with wrong passwords count
# towards the per-address limit and would get later logins refused with 429.
declare -A TOKENS
for role in $ROLES; do
    TOKENS[$role]=$(login "$role")
done

# Sends a POST as a role and prints the response body. It fails, and so stops the script,
# unless the service accepts the request.
post_as() {
    local token=${TOKENS[$1]:-$(login "$1")} output
    if ! output=$(curl -sS --fail-with-body -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "$3" "$BASE$2"); then
        echo "contract-fuzz: POST $2 as $1 failed: $output" >&2
        return 1
    fi
    printf '%s\n' "$output"
}

# A period open until 2099, a plan with a milestone, and a draft realisation give the write
# routes and the ids in scripts/contract-fuzz.toml something to act on.
log "opening period 2024-Q4 and adding a plan, a milestone and a realisation"
post_as admin /api/v1/roadmaps/semarang-2023-2024/periods \
    '{"period": "2024-Q4", "opens_on": "2025-01-01", "deadline": "2099-12-31", "late_policy": "refuse"}' >/dev/null
plan=$(post_as admin /api/v1/roadmaps/semarang-2023-2024/plans \
    '{"activity": "K1.04", "title": "Evaluasi SAKIP", "description": "Evaluasi SAKIP perangkat daerah",
      "output": "Laporan evaluasi", "output_unit": "dokumen", "output_quantity": 1,
      "starts_on": "2024-01-01", "ends_on": "2024-12-31", "budget": "150.000.000",
      "responsible": "BAPPEDA", "supporters": ["INSPEKTORAT"], "indicators": ["IND-05"]}' | jq -er .id)
post_as admin "/api/v1/plans/$plan/milestones" \
    '{"title": "Laporan evaluasi", "expected_output": "Laporan evaluasi selesai", "due": "2024-Q4", "weight": 100}' >/dev/null
post_as implementer /api/v1/roadmaps/semarang-2023-2024/realisations \
    '{"indicator": "IND-05", "period": "2024-Q4", "value": 76.5, "submit": false}' >/dev/null

# Every check runs except positive_data_acceptance. That check expects every request that
# matches the document to succeed, but the service also applies rules that JSON Schema cannot
# state: a referenced organisation or objective must exist, end_year must not precede
# start_year, an opd user needs an organisation, a change must change something, a bulk file
# must hold rows. Requests that break those rules are schema-valid and rightly get 400 or 422,
# which that check would report as failures. Limits that JSON Schema can state (lengths,
# patterns, formats, required fields) belong in the document instead, where
# negative_data_rejection checks that the service enforces them.
declare -A GENERATED
declare -A STATUS
FAILED=0
for role in $ROLES; do
    log "fuzzing as $role"
    set +e
    "$VENV/bin/st" --config-file scripts/contract-fuzz.toml run openapi/openapi.json \
        --url "$BASE" \
        --header "Authorization: Bearer ${TOKENS[$role]}" \
        --phases examples,coverage,fuzzing,stateful \
        --max-examples "$MAX_EXAMPLES" \
        --seed "$SEED" \
        --workers "$WORKERS" \
        --request-timeout 30 \
        --exclude-checks positive_data_acceptance \
        --generation-database none \
        --no-color \
        --report junit,ndjson \
        --report-dir "$REPORTS/$role" \
        2>&1 | tee "$REPORTS/$role.txt"
    STATUS[$role]=${PIPESTATUS[0]}
    set -e
    # The summary ends with "Test cases:" and, on the next line, "N generated, ...".
    GENERATED[$role]=$(awk '/^Test cases:/ { getline; print $1 }' "$REPORTS/$role.txt" | tail -n 1)
    [ "${STATUS[$role]}" -eq 0 ] || FAILED=1
done

log "generated requests"
total=0
for role in $ROLES; do
    count=${GENERATED[$role]:-0}
    total=$((total + count))
    result=passed
    [ "${STATUS[$role]}" -eq 0 ] || result="FAILED (exit ${STATUS[$role]})"
    printf '%-12s %8s  %s\n' "$role" "$count" "$result"
done
printf '%-12s %8s\n' total "$total"

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "contract-fuzz: the service stopped during the run; see $REPORTS/server.log" >&2
    FAILED=1
fi
exit "$FAILED"
