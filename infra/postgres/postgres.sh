#!/usr/bin/env bash
# Local PostgreSQL for Afternoon's dev and tests (no Docker).
#
#   infra/postgres/postgres.sh url    print a DATABASE_URL on stdout (and nothing else on stdout)
#   infra/postgres/postgres.sh stop   stop the server this script started in .local/postgres (never any other)
#
# `url` picks, in order:
#   1. $DATABASE_URL, if set (printed as is);
#   2. a server answering on 127.0.0.1:5432 (PG_SYSTEM_PORT): creates database `afternoon` if missing and prints
#      postgres://postgres@127.0.0.1:5432/afternoon (trust auth, user postgres);
#   3. otherwise a server of its own: initdb into <repo>/.local/postgres/data (trust auth) on first use, pg_ctl start
#      on 127.0.0.1:5433 (POSTGRES_PORT), create the database, print its URL.
# Env: PG_DATABASE (afternoon), PG_SYSTEM_PORT (5432), POSTGRES_PORT (5433), PG_BIN (dir with pg_ctl/initdb/...),
#      PG_OS_USER (postgres: the OS user the own server runs as when this script runs as root).
# Log messages go to stderr.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"

PG_HOST=127.0.0.1
PG_USER=postgres
PG_DATABASE="${PG_DATABASE:-afternoon}"
PG_SYSTEM_PORT="${PG_SYSTEM_PORT:-5432}"
POSTGRES_PORT="${POSTGRES_PORT:-5433}"
STATE_DIR="$ROOT/.local/postgres"
DATA_DIR="$STATE_DIR/data"
RUN_DIR="$STATE_DIR/run"
LOG_FILE="$STATE_DIR/postgres.log"
# initdb and postgres refuse to run as root: as root, the owned server runs as this OS user.
PG_OS_USER="${PG_OS_USER:-postgres}"

log() { printf 'postgres: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

find_pg_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    [[ -x "$PG_BIN/pg_ctl" ]] || die "PG_BIN=$PG_BIN has no pg_ctl"
    return 0
  fi
  local p
  if p="$(command -v pg_ctl 2>/dev/null)"; then
    PG_BIN="$(dirname "$(readlink -f "$p")")"
  else
    p="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
    [[ -n "$p" && -x "$p/pg_ctl" ]] || die "no PostgreSQL binaries: put pg_ctl on PATH, set PG_BIN, or apt-get install postgresql"
    PG_BIN="$p"
  fi
}

url_for() { printf 'postgres://%s@%s:%s/%s\n' "$PG_USER" "$PG_HOST" "$1" "$PG_DATABASE"; }

is_ready() { "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$1" -t 3 >/dev/null 2>&1; }

# Run a server-side tool (initdb, pg_ctl) as a non-root user when we are root.
as_pg_user() {
  if [[ $EUID -eq 0 ]]; then
    id "$PG_OS_USER" >/dev/null 2>&1 || die "running as root and OS user '$PG_OS_USER' does not exist (set PG_OS_USER)"
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    "$@"
  fi
}

ensure_database() { # port
  local port="$1" err
  if "$PG_BIN/psql" -h "$PG_HOST" -p "$port" -U "$PG_USER" -d postgres -tAq -v ON_ERROR_STOP=1 \
       -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" 2>/dev/null | grep -q 1; then
    return 0
  fi
  if ! err="$("$PG_BIN/createdb" -h "$PG_HOST" -p "$port" -U "$PG_USER" "$PG_DATABASE" 2>&1)"; then
    [[ "$err" == *"already exists"* ]] || die "createdb $PG_DATABASE on port $port failed: $err"
  else
    log "created database $PG_DATABASE on $PG_HOST:$port"
  fi
}

owned_running() { [[ -f "$DATA_DIR/PG_VERSION" ]] && as_pg_user "$PG_BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; }

start_owned() {
  mkdir -p "$STATE_DIR"
  if [[ ! -f "$DATA_DIR/PG_VERSION" ]]; then
    log "initdb into ${DATA_DIR#"$ROOT"/} ..."
    rm -rf "$DATA_DIR"
    mkdir -p "$DATA_DIR"
    if [[ $EUID -eq 0 ]]; then chown "$PG_OS_USER" "$DATA_DIR"; fi
    chmod 700 "$DATA_DIR"
    as_pg_user "$PG_BIN/initdb" -D "$DATA_DIR" -U "$PG_USER" --auth=trust -E UTF8 --no-locale >"$STATE_DIR/initdb.log" 2>&1 \
      || { cat "$STATE_DIR/initdb.log" >&2; die "initdb failed"; }
  fi
  mkdir -p "$RUN_DIR"
  touch "$LOG_FILE"
  if [[ $EUID -eq 0 ]]; then chown "$PG_OS_USER" "$RUN_DIR" "$LOG_FILE"; fi

  if owned_running; then
    local i
    for ((i = 0; i < 30; i++)); do is_ready "$POSTGRES_PORT" && return 0; sleep 1; done
    die "own server in ${DATA_DIR#"$ROOT"/} is running but not answering on $PG_HOST:$POSTGRES_PORT"
  fi
  is_ready "$POSTGRES_PORT" && die "port $POSTGRES_PORT is taken by a server that is not ${DATA_DIR#"$ROOT"/} (set POSTGRES_PORT)"

  log "starting own server on $PG_HOST:$POSTGRES_PORT (data ${DATA_DIR#"$ROOT"/}, log ${LOG_FILE#"$ROOT"/}) ..."
  if ! as_pg_user "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t 60 \
       -o "-p $POSTGRES_PORT -h $PG_HOST -k '$RUN_DIR'" start >&2; then
    tail -n 30 "$LOG_FILE" >&2 || true
    die "pg_ctl start failed"
  fi
}

cmd_url() {
  if [[ -n "${DATABASE_URL:-}" ]]; then
    printf '%s\n' "$DATABASE_URL"
    return 0
  fi
  find_pg_bin
  if is_ready "$PG_SYSTEM_PORT"; then
    ensure_database "$PG_SYSTEM_PORT"
    url_for "$PG_SYSTEM_PORT"
    return 0
  fi
  log "no server on $PG_HOST:$PG_SYSTEM_PORT; using one of this checkout's own on port $POSTGRES_PORT"
  start_owned
  ensure_database "$POSTGRES_PORT"
  url_for "$POSTGRES_PORT"
}

cmd_stop() {
  find_pg_bin
  if ! owned_running; then
    log "no server of this script's running (${DATA_DIR#"$ROOT"/})"
    return 0
  fi
  log "stopping own server (${DATA_DIR#"$ROOT"/}) ..."
  as_pg_user "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m fast -w -t 60 stop >&2
}

case "${1:-}" in
  url) cmd_url ;;
  stop) cmd_stop ;;
  *)
    sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
