#!/usr/bin/env bash
# Record the CSM copilot's sessions (cassettes/csm_copilot/) and their golden decisions
# (tests/replay/golden/) against a real language model. Run it as `make record`.
#
# With C360_LLM_BASE_URL and C360_LLM_MODEL set (and C360_LLM_API_KEY when the endpoint
# wants one), it records against that endpoint. Otherwise it starts the local model with
# scripts/serve_model.sh, records against it, and stops it again (unless it was already
# running). Extra arguments go to pytest, e.g. `-k blocked_citation` to record one session.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTEST="${PYTEST:-.venv/bin/pytest}"
PY="${PY:-.venv/bin/python}"

log() { echo "record_sessions.sh: $*" >&2; }

if [ -z "${C360_LLM_BASE_URL:-}" ] || [ -z "${C360_LLM_MODEL:-}" ]; then
  if [ ! -f .venv-record/server.pid ]; then
    trap 'scripts/stop_model.sh' EXIT  # we start it, so we stop it, whatever happens
  fi
  C360_LLM_BASE_URL="$(scripts/serve_model.sh)"
  # The model's name is whatever the server calls it.
  C360_LLM_MODEL="$("$PY" - "$C360_LLM_BASE_URL/models" <<'PYEOF'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as answer:
    print(json.load(answer)["data"][0]["id"])
PYEOF
)"
fi
export C360_LLM_BASE_URL C360_LLM_MODEL

# The tests block the network except loopback; let the endpoint's host through as well.
HOST="$("$PY" -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).hostname)' "$C360_LLM_BASE_URL")"
log "recording against $C360_LLM_MODEL at $C360_LLM_BASE_URL"
"$PYTEST" tests/replay -q -p no:randomly \
  --record-mode=rewrite --c360-update-golden \
  --allow-hosts="127.0.0.1,localhost,::1,$HOST" "$@"
log "done: review the diff of cassettes/ and tests/replay/golden/, then commit both"
