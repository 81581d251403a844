#!/usr/bin/env bash
# Ensures a Python venv with the TensorFlow/Keras versions the project's
# Python helpers (sample and test-fixture generators) are written against.
#
#   venv:     ${MLPACK_VENV:-$HOME/.cache/mlpack/venv}
#   packages: tensorflow-cpu==2.21.0 keras==3.15.1 pillow
#   index:    $PIP_INDEX_URL if set; else file:///opt/pypi/simple if that
#             directory exists; else pip's default index.
#
# Idempotent: once the packages import, a marker file inside the venv records
# the requirement set and later runs return at once.
# Prints the venv's python path as the LAST line of stdout; everything else
# (pip output, progress) goes to stderr.
set -euo pipefail

REQS=(tensorflow-cpu==2.21.0 keras==3.15.1 pillow)
VENV="${MLPACK_VENV:-$HOME/.cache/mlpack/venv}"
PY="$VENV/bin/python"
MARKER="$VENV/.mlpack-ok"
WANT="${REQS[*]}"

log() { echo "ensure-venv: $*" >&2; }

if [[ -f "$MARKER" && -x "$PY" && "$(cat "$MARKER" 2>/dev/null)" == "$WANT" ]]; then
  echo "$PY"
  exit 0
fi

# Serialise concurrent callers (two test JVMs, a developer shell...).
mkdir -p "$(dirname "$VENV")"
LOCK="$VENV.lock"
exec 9>"$LOCK"
if command -v flock >/dev/null 2>&1; then
  log "waiting for lock $LOCK"
  flock 9
fi
# Another caller may have finished while we waited.
if [[ -f "$MARKER" && -x "$PY" && "$(cat "$MARKER" 2>/dev/null)" == "$WANT" ]]; then
  echo "$PY"
  exit 0
fi

BASE_PY="${MLPACK_PYTHON:-}"
if [[ -z "$BASE_PY" ]]; then
  for c in python3.11 python3.12 python3.10 python3.13 python3; do
    if command -v "$c" >/dev/null 2>&1; then BASE_PY="$(command -v "$c")"; break; fi
  done
fi
if [[ ! -x "$PY" ]]; then
  if [[ -z "$BASE_PY" ]]; then
    log "no python3 found on PATH (set MLPACK_PYTHON)"
    exit 2
  fi
  log "creating venv $VENV with $BASE_PY"
  "$BASE_PY" -m venv "$VENV" >&2
fi

PIP_ARGS=(--disable-pip-version-check --no-input)
if [[ -n "${PIP_INDEX_URL:-}" ]]; then
  PIP_ARGS+=(--index-url "$PIP_INDEX_URL")
elif [[ -d /opt/pypi/simple ]]; then
  PIP_ARGS+=(--index-url file:///opt/pypi/simple)
fi

if "$PY" - "${REQS[@]}" >/dev/null 2>&1 <<'EOF'
import sys
from importlib import metadata
for req in sys.argv[1:]:
    name, _, ver = req.partition("==")
    have = metadata.version(name)
    if ver and have != ver:
        raise SystemExit(f"{name} {have} != {ver}")
import tensorflow, keras, PIL  # noqa: F401
EOF
then
  log "packages already present"
else
  log "installing ${REQS[*]} (this can take several minutes)"
  "$PY" -m pip install "${PIP_ARGS[@]}" "${REQS[@]}" >&2
  "$PY" -c "import tensorflow, keras, PIL" >&2
fi

printf '%s' "$WANT" >"$MARKER"
echo "$PY"
