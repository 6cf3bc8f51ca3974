#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the test suite and the benchmarks.
#
#   scripts/postgres.sh start       start one (unless C360GUARD_TEST_PG_DSN already answers);
#                                   prints the DSN on stdout
#   scripts/postgres.sh dsn         print the DSN of the running server (exit 1 if none)
#   scripts/postgres.sh stop        stop the server this script started and delete its data
#   scripts/postgres.sh run CMD...  start, run CMD with C360GUARD_TEST_PG_DSN exported, stop
#                                   again if this call started it; CMD runs (and the postgres
#                                   tests skip, saying why) when no server can be started
#
# Binaries come from `pg_config --bindir` or /usr/lib/postgresql/*/bin. On a Debian-like
# machine without them, `start` installs the `postgresql` package with apt-get (as root;
# set C360GUARD_PG_INSTALL=0 to forbid). initdb and postgres refuse to run as root, so as
# root they run as the `postgres` system user, created when missing.
set -euo pipefail

STATE="${C360GUARD_PG_STATE:-${TMPDIR:-/tmp}/c360guard-pg-$(id -u)}"
DATABASE="c360guard_test"
SUPERUSER="postgres"

log() { echo "postgres.sh: $*" >&2; }

reachable() {  # reachable DSN: true when a server answers at DSN
  local psql
  psql="$(find_bin psql 2>/dev/null || command -v psql || true)"
  [ -n "$psql" ] && "$psql" "$1" -qAtc 'select 1' >/dev/null 2>&1
}

find_bin() {  # find_bin NAME: path of a PostgreSQL server binary
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [ -n "$dir" ] && [ -x "$dir/$1" ]; then echo "$dir/$1"; return 0; fi
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/$1" ]; then echo "$dir/$1"; return 0; fi
  done
  command -v "$1" 2>/dev/null && return 0
  return 1
}

install_postgres() {
  if [ "${C360GUARD_PG_INSTALL:-1}" = "0" ]; then
    log "PostgreSQL is not installed and C360GUARD_PG_INSTALL=0 forbids installing it"
    return 1
  fi
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    log "PostgreSQL is not installed; install it (e.g. apt-get install postgresql) or set C360GUARD_TEST_PG_DSN"
    return 1
  fi
  log "installing PostgreSQL with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
}

as_owner() {  # as_owner CMD...: run as the data directory's owner
  if [ "$(id -u)" = "0" ]; then
    # From /, which every user may enter: the caller's folder may be closed to the owner.
    if command -v runuser >/dev/null 2>&1; then
      (cd / && runuser -u "$SUPERUSER" -- "$@")
    else
      (cd / && su -s /bin/sh "$SUPERUSER" -c "$(printf '%q ' "$@")")
    fi
  else
    "$@"
  fi
}

ensure_system_user() {
  [ "$(id -u)" = "0" ] || return 0
  id "$SUPERUSER" >/dev/null 2>&1 && return 0
  log "creating the $SUPERUSER system user"
  useradd --system --no-create-home --shell /usr/sbin/nologin "$SUPERUSER" >&2
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
  else
    echo $((54000 + RANDOM % 1000))
  fi
}

current_dsn() {
  [ -f "$STATE/dsn" ] && reachable "$(cat "$STATE/dsn")" && cat "$STATE/dsn"
}

start() {
  if [ -n "${C360GUARD_TEST_PG_DSN:-}" ] && reachable "$C360GUARD_TEST_PG_DSN"; then
    echo "$C360GUARD_TEST_PG_DSN"; return 0
  fi
  if current_dsn; then return 0; fi
  rm -rf "$STATE"

  local initdb pg_ctl
  if ! initdb="$(find_bin initdb)"; then
    install_postgres || return 1
    initdb="$(find_bin initdb)" || { log "initdb not found after installing"; return 1; }
  fi
  pg_ctl="$(dirname "$initdb")/pg_ctl"
  ensure_system_user

  local port data
  port="$(free_port)"
  mkdir -p "$STATE"
  data="$(mktemp -d "${TMPDIR:-/tmp}/c360guard-pgdata.XXXXXX")"
  echo "$data" > "$STATE/data"
  [ "$(id -u)" = "0" ] && chown "$SUPERUSER" "$data"
  as_owner "$initdb" -D "$data" -U "$SUPERUSER" -A trust -E UTF8 --no-locale >"$STATE/initdb.log" 2>&1 \
    || { log "initdb failed:"; cat "$STATE/initdb.log" >&2; return 1; }
  as_owner "$pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c max_connections=200" start >&2 \
    || { log "the server did not start:"; cat "$data/server.log" >&2 || true; return 1; }
  echo "$pg_ctl" > "$STATE/pg_ctl"

  local dsn="postgresql://$SUPERUSER@127.0.0.1:$port/$DATABASE"
  "$(dirname "$initdb")/createdb" -h 127.0.0.1 -p "$port" -U "$SUPERUSER" "$DATABASE" >&2 \
    || { log "createdb failed"; return 1; }
  echo "$dsn" > "$STATE/dsn"
  log "started PostgreSQL on 127.0.0.1:$port (data in $data)"
  echo "$dsn"
}

stop() {
  [ -f "$STATE/data" ] || return 0
  local data; data="$(cat "$STATE/data")"
  if [ -f "$STATE/pg_ctl" ] && [ -d "$data" ]; then
    as_owner "$(cat "$STATE/pg_ctl")" -D "$data" -m fast -w stop >&2 || true
  fi
  rm -rf "$data" "$STATE"
  log "stopped"
}

run() {
  local dsn="" started=0 status=0
  if [ -n "${C360GUARD_TEST_PG_DSN:-}" ] && reachable "$C360GUARD_TEST_PG_DSN"; then
    dsn="$C360GUARD_TEST_PG_DSN"
  elif dsn="$(current_dsn)"; then
    :
  elif dsn="$(start)"; then
    started=1
  else
    dsn=""
    export C360GUARD_TEST_PG_UNAVAILABLE="scripts/postgres.sh could not start a server (see its messages above)"
  fi
  [ -n "$dsn" ] && export C360GUARD_TEST_PG_DSN="$dsn"
  "$@" || status=$?
  [ "$started" = "1" ] && stop
  return "$status"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  dsn) current_dsn || { [ -n "${C360GUARD_TEST_PG_DSN:-}" ] && reachable "$C360GUARD_TEST_PG_DSN" && echo "$C360GUARD_TEST_PG_DSN"; } ;;
  run) shift; run "$@" ;;
  *) echo "usage: scripts/postgres.sh start|stop|dsn|run CMD..." >&2; exit 2 ;;
esac
