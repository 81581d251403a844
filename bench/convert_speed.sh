#!/usr/bin/env bash
# Conversion speed, side by side in one run: `mlpack optimize` against TF 2.21's official converter on
# keras.applications.MobileNetV2 at 224x224. Both are timed as the whole command a user runs (process start
# included), alternating, RUNS times each; the table reports the median wall time.
# usage: bench/convert_speed.sh [RUNS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS=${1:-5}
PY="$(tools/ensure-venv.sh | tail -n 1)"
WORK="${MLPACK_BENCH_DIR:-$HOME/.cache/mlpack/bench}"
MODEL="$WORK/MobileNetV2-224"
mkdir -p "$WORK"
[ -f "$MODEL/saved_model.pb" ] || "$PY" bench/make_bench_model.py MobileNetV2 224 "$MODEL" >/dev/null 2>&1
./mlpack --version >/dev/null   # builds the CLI if needed, outside the timed runs

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

: > "$WORK/official.times"; : > "$WORK/mlpack.times"
for _ in $(seq "$RUNS"); do
  seconds "$PY" bench/official_convert.py "$MODEL" "$WORK/official.tflite" >> "$WORK/official.times"
  seconds ./mlpack optimize "$MODEL" -o "$WORK/mlpack.tflite" >> "$WORK/mlpack.times"
done
off=$(median < "$WORK/official.times"); ours=$(median < "$WORK/mlpack.times")
echo "| converter | median wall time (s) over $RUNS runs | output bytes |"
echo "| --- | --- | --- |"
echo "| TF 2.21 official (TFLiteConverter.from_saved_model) | $off | $(stat -c %s "$WORK/official.tflite") |"
echo "| mlpack optimize | $ours | $(stat -c %s "$WORK/mlpack.tflite") |"
echo "ratio mlpack/official: $(echo "scale=2; $ours / $off" | bc)"
