#!/usr/bin/env bash
# Stop the model server that scripts/serve_model.sh started (pid in .venv-record/server.pid).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PID_FILE="$ROOT/.venv-record/server.pid"

log() { echo "stop_model.sh: $*" >&2; }

alive() {  # alive PID: true when PID is a running llama_cpp.server
  local args=""
  kill -0 "$1" 2>/dev/null || return 1
  if [ -r "/proc/$1/cmdline" ]; then
    args="$(tr '\0' ' ' <"/proc/$1/cmdline")"
  else
    args="$(ps -p "$1" -o args= 2>/dev/null || true)"
  fi
  case "$args" in *llama_cpp.server*) return 0 ;; *) return 1 ;; esac
}

if [ ! -f "$PID_FILE" ]; then
  log "not running (no $PID_FILE)"
  exit 0
fi

pid="$(cat "$PID_FILE")"
if ! alive "$pid"; then
  log "not running (stale pid $pid)"
  rm -f "$PID_FILE"
  exit 0
fi

kill "$pid"
for _ in $(seq 1 30); do
  alive "$pid" || break
  sleep 0.5
done
if alive "$pid"; then
  log "pid $pid ignored SIGTERM for 15s; sending SIGKILL"
  kill -9 "$pid" 2>/dev/null || true
fi
rm -f "$PID_FILE"
log "stopped pid $pid"
