# Sourced by the benchmarks that compare mlpack's int8 models in Python (int8_vs_official.sh, prune.sh), after
# `set -euo pipefail` and with BENCH_NAME (log prefix) and BENCH_SUBDIR (work folder) set. Skips the caller with
# exit 0 when ../shared/data (MLPACK_SHARED_DATA overrides) is absent; otherwise builds the CLI outside any timing,
# compiles bench/java/DumpInputs.java and defines:
#   ROOT SHARED WORK LOG PY JH CP EVAL IMAGENET_CSV MOBILENET, and log dump run metrics bytes.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
SHARED="${MLPACK_SHARED_DATA:-$ROOT/../shared/data}"
if [[ ! -d "$SHARED/models" || ! -f "$SHARED/imagenet/calibration.csv" ]]; then
  echo "$BENCH_NAME: skipped: the shared data folder $SHARED (models/, imagenet/, potato/) is absent"
  exit 0
fi
SHARED="$(cd "$SHARED" && pwd)"
WORK="${MLPACK_BENCH_DIR:-$HOME/.cache/mlpack/bench}/$BENCH_SUBDIR"
mkdir -p "$WORK/classes"
LOG="$WORK/log.txt"
: > "$LOG"
log() { echo "$BENCH_NAME: $*" >&2; }

PY="$(tools/ensure-venv.sh | tail -n 1)"
JH="$(tools/java-home)"
export TF_CPP_MIN_LOG_LEVEL=2
./mlpack --version >/dev/null   # builds the CLI if needed, outside any timing
CP="$WORK/classes:$ROOT/cli/target/mlpack.jar:$ROOT/cli/target/lib/*"
"$JH/bin/javac" -nowarn -d "$WORK/classes" -cp "$CP" bench/java/DumpInputs.java
EVAL="nice -n 10 $PY $ROOT/bench/int8_eval.py"
IMAGENET_CSV="$SHARED/imagenet/calibration.csv"
MOBILENET="$SHARED/models/imagenet-mobilenet-v1-0.25-224"

# dump DATA SELECT H W RESIZE PREPROCESS PREFIX [--no-float]: mlpack's pipeline -> PREFIX.{f32,u8,csv,labels}
dump() {
  if [[ ! -f "$7.labels" || "$7.labels" -ot "$ROOT/bench/java/DumpInputs.java" ]]; then
    nice -n 10 "$JH/bin/java" -cp "$CP" DumpInputs "$@" >/dev/null
  fi
}
run() { $EVAL run "$@" >>"$LOG" 2>&1; }                    # run MODEL PREFIX H W OUT.npy
metrics() { $EVAL metrics "$@" 2>>"$LOG"; }                 # metrics LABELS REF.npy OUT.npy
bytes() { stat -c %s "$1"; }
