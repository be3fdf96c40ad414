# Shared by the benchmark scripts, which source it after setting SERVER_URL and DATABASE: a work
# folder, and on exit the server stopped, the database dropped (unless BENCH_KEEP=1) and the
# folder removed.

WORK=$(mktemp -d)
SERVER_PID=
DATABASE_CREATED=

stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

cleanup() {
    stop_server
    if [ -n "$DATABASE_CREATED" ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
        psql -q -d "$SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" >&2; }
