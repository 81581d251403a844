#!/usr/bin/env bash
# Runtime latency of int8 models, side by side in one run: mlpack's Java interpreter setup
# (dev.mlpack.runtime.tflite.TfliteModel + TfliteInterpreter with InterpreterOptions.defaults(): XNNPACK with
# its int8 flags, 1 thread; bench/java/Latency.java) against Python's tf.lite.Interpreter(num_threads=1)
# (TF 2.21, XNNPACK by default; bench/latency.py), on the same .tflite file. One timed run = set the input,
# invoke, read the output as floats; WARMUP untimed runs first, then RUNS timed runs; the two sides
# alternate ROUNDS times and the table reports the median of each side's per-round medians.
#
#   usage: bench/runtime_latency.sh [RUNS=200] [ROUNDS=3] [WARMUP=20]
#
# Models: `mlpack optimize --quantize int8` (200 ImageNet calibration images from ../shared/data) of
#   mobilenet-v1-0.25     the ImageNet MobileNet v1 0.25 224 (real weights);
#   mobilenetv2-fixture   keras.applications.MobileNetV2 at 224, random weights with BatchNorm re-estimated
#                         on real images (make_fixtures.py --size 224), 5-class head;
#   mobilenetv2-random    keras.applications.MobileNetV2 at 224, plain random weights (bench/make_bench_model.py):
#                         its activations die out by block 10, a stress case for tiny quantization scales.
# A model the Java runtime cannot load is reported as such (first TFLite error line) instead of timed. Needs ../shared/data (MLPACK_SHARED_DATA); skips, exit 0, when absent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
RUNS=${1:-200}
ROUNDS=${2:-3}
WARMUP=${3:-20}
SHARED="${MLPACK_SHARED_DATA:-$ROOT/../shared/data}"
if [[ ! -d "$SHARED/models/imagenet-mobilenet-v1-0.25-224" || ! -f "$SHARED/imagenet/calibration.csv" ]]; then
  echo "runtime_latency: skipped: the shared data folder $SHARED (models/, imagenet/) is absent"
  exit 0
fi
PY="$(tools/ensure-venv.sh | tail -n 1)"
JH="$(tools/java-home)"
export TF_CPP_MIN_LOG_LEVEL=2
WORK="${MLPACK_BENCH_DIR:-$HOME/.cache/mlpack/bench}/latency"
mkdir -p "$WORK/classes"
LOG="$WORK/log.txt"
: > "$LOG"
./mlpack --version >/dev/null   # builds the CLI if needed
CP="$WORK/classes:$ROOT/cli/target/mlpack.jar:$ROOT/cli/target/lib/*"
"$JH/bin/javac" -nowarn -d "$WORK/classes" -cp "$CP" bench/java/Latency.java

CSV="$SHARED/imagenet/calibration.csv"
V2="$HOME/.cache/mlpack/bench/MobileNetV2-224"
[[ -f "$V2/saved_model.pb" ]] || nice -n 10 "$PY" bench/make_bench_model.py MobileNetV2 224 "$V2" >>"$LOG" 2>&1
FX="$HOME/.cache/mlpack/bench/fixtures224"
[[ -f "$FX/MobileNetV2/meta.properties" ]] || nice -n 10 "$PY" optimizer/src/test/fixtures/make_fixtures.py "$FX" --size 224 --only MobileNetV2 >>"$LOG" 2>&1
MODELS=(mobilenet-v1-0.25 mobilenetv2-fixture mobilenetv2-random)
for pair in "mobilenet-v1-0.25:$SHARED/models/imagenet-mobilenet-v1-0.25-224" "mobilenetv2-fixture:$FX/MobileNetV2/saved_model" "mobilenetv2-random:$V2"; do
  name="${pair%%:*}"; model="${pair#*:}"
  if [[ ! -f "$WORK/$name-int8.tflite" || "$WORK/$name-int8.tflite" -ot "$ROOT/cli/target/mlpack.jar" ]]; then
    echo "runtime_latency: converting $name to int8" >&2
    nice -n 10 ./mlpack optimize "$model" -o "$WORK/$name-int8.tflite" --quantize int8 --calibration "$CSV" \
      --calibration-samples 200 --preprocess tf --resize crop >>"$LOG" 2>&1
  fi
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
java_run() {
  local out
  if ! out="$("$JH/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp "$CP" \
        Latency "$1" "$RUNS" "$WARMUP" 2>"$WORK/java.err")"; then
    cat "$WORK/java.err" >>"$LOG"
    echo "fails - - - $(grep -m1 '^ERROR' "$WORK/java.err" | sed 's/^ERROR: .*lite\//ERROR: /') $(grep -m1 'Node number' "$WORK/java.err")"
    return 0
  fi
  cat "$WORK/java.err" >>"$LOG"
  echo "$out" | tail -n 1
}
py_run() { "$PY" bench/latency.py "$1" "$RUNS" "$WARMUP" 2>>"$LOG" | tail -n 1; }

echo "| model (int8, uint8 input) | bytes | Java mlpack runtime, median ms | Python tf.lite, median ms | Java/Python | invoke() alone, Java / Python ms |"
echo "| --- | --- | --- | --- | --- | --- |"
for name in "${MODELS[@]}"; do
  f="$WORK/$name-int8.tflite"
  : > "$WORK/$name.java"; : > "$WORK/$name.py"; : > "$WORK/$name.java-invoke"; : > "$WORK/$name.py-invoke"
  plan=""
  for r in $(seq "$ROUNDS"); do
    echo "runtime_latency: $name round $r/$ROUNDS" >&2
    read -r jm _ _ xnn plan ji < <(java_run "$f")
    if [[ "$jm" == fails ]]; then
      read -r pm _ _ _ < <(py_run "$f")
      echo "| $name | $(stat -c %s "$f") | **fails to load**: \`$plan $ji\` | $(printf "%.2f" "$pm") | — | |"
      continue 2
    fi
    read -r pm _ _ pi < <(py_run "$f")
    echo "$jm" >> "$WORK/$name.java"; echo "$pm" >> "$WORK/$name.py"
    echo "$ji" >> "$WORK/$name.java-invoke"; echo "$pi" >> "$WORK/$name.py-invoke"
    echo "runtime_latency:   java $jm ms (invoke only $ji; xnnpack=$xnn, plan=$plan nodes), python $pm ms (invoke only $pi)" >&2
  done
  j=$(printf "%.2f" "$(median < "$WORK/$name.java")"); p=$(printf "%.2f" "$(median < "$WORK/$name.py")")
  ji=$(printf "%.2f" "$(median < "$WORK/$name.java-invoke")"); pi=$(printf "%.2f" "$(median < "$WORK/$name.py-invoke")")
  echo "| $name | $(stat -c %s "$f") | $j | $p | $(printf "%.2f" "$(echo "scale=4; $j / $p" | bc)") | $ji / $pi |"
done
echo
echo "($RUNS timed runs after $WARMUP warm-up runs per process, $ROUNDS alternating rounds, 1 thread; per-round medians in $WORK)"
