#!/usr/bin/env bash
# mlpack evaluate against an independent Python/TF 2.21 computation (bench/eval_reference.py):
#   1. correctness: top-1/top-5 of the SavedModel (reference) and of mlpack's int8 .tflite (candidate), on
#      (a) potato-cnn-tfkeras-2.11 on potato/images (raw, bilinear), (b) ImageNet MobileNet v1 0.25 224 on
#      imagenet/calibration.csv (tf, crop);
#   2. speed: wall time of the whole evaluation of 1,000 images, mlpack vs Python, alternating, median of
#      SPEED_RUNS (default 3) runs each, with (a) ImageNet MobileNet 224: the 200 ImageNet images listed 5 times
#      (a CSV of 1,000 rows; crop resize) and (b) the potato CNN (256x256) on 1,000 potato images.
# Needs ../shared/data (skips cleanly without it). Usage: bench/eval_vs_python.sh [correctness|speed|all]
set -euo pipefail
cd "$(dirname "$0")/.."
D=${MLPACK_DATA:-../shared/data}
O=out/bench-eval
WHAT=${1:-all}
if [[ ! -d $D/models/potato-cnn-tfkeras-2.11 || ! -d $D/models/imagenet-mobilenet-v1-0.25-224 || ! -d $D/potato/images || ! -f $D/imagenet/calibration.csv ]]; then
  echo "eval_vs_python: $D (shared models and images) not found; skipping"; exit 0
fi
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
PY=$(tools/ensure-venv.sh | tail -1)
mkdir -p "$O"
ML="nice -n 5 ./mlpack"
PYR="nice -n 5 $PY bench/eval_reference.py"
POTATO=$D/models/potato-cnn-tfkeras-2.11
MNET=$D/models/imagenet-mobilenet-v1-0.25-224
ls "$D/potato/images" > "$O/potato-labels.txt"   # the 3 folder names, sorted

# int8 candidates, calibrated on 100 images of the same data
[[ -f $O/potato-int8.tflite ]] || $ML optimize "$POTATO" -o "$O/potato-int8.tflite" --quantize int8 \
  --calibration "$D/potato/images" --calibration-samples 100 --preprocess raw --resize bilinear --labels "$O/potato-labels.txt"
[[ -f $O/mnet-int8.tflite ]] || $ML optimize "$MNET" -o "$O/mnet-int8.tflite" --quantize int8 \
  --calibration "$D/imagenet/calibration.csv" --calibration-samples 100 --preprocess tf --resize crop --labels "$D/imagenet/labels.txt"

py_get() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(' '.join('%.4f' % d[m][k] for m in ('reference','candidate') for k in ('top1','top5')))" "$1"; }

if [[ $WHAT == correctness || $WHAT == all ]]; then
  echo "== correctness: top-1/top-5 (reference ref5 candidate cand5), mlpack vs Python"
  $ML evaluate --reference "$POTATO" --candidate "$O/potato-int8.tflite" --data "$D/potato/images" --preprocess raw \
    --resize bilinear --labels "$O/potato-labels.txt" --json "$O/potato-mlpack.json" > "$O/potato-mlpack.log" 2>&1
  $PYR --reference "$POTATO" --candidate "$O/potato-int8.tflite" --data "$D/potato/images" --preprocess raw \
    --resize bilinear --labels "$O/potato-labels.txt" --batch 32 --json "$O/potato-py.json" > "$O/potato-py.log" 2>&1
  $ML evaluate --reference "$MNET" --candidate "$O/mnet-int8.tflite" --data "$D/imagenet/calibration.csv" --preprocess tf \
    --resize crop --labels "$D/imagenet/labels.txt" --json "$O/mnet-mlpack.json" > "$O/mnet-mlpack.log" 2>&1
  $PYR --reference "$MNET" --candidate "$O/mnet-int8.tflite" --data "$D/imagenet/calibration.csv" --preprocess tf \
    --resize crop --labels "$D/imagenet/labels.txt" --batch 32 --json "$O/mnet-py.json" > "$O/mnet-py.log" 2>&1
  for m in potato mnet; do
    echo "$m mlpack: $(py_get "$O/$m-mlpack.json")"
    echo "$m python: $(py_get "$O/$m-py.json")"
  done
fi

if [[ $WHAT == speed || $WHAT == all ]]; then
  # 1,000 potato images: 500 Early_blight + 500 Late_blight (every class folder truncated alike, so that
  # mlpack's stratified --limit and Python's take the same images is irrelevant for time: both evaluate 1,000).
  S=$O/speed-1000
  if [[ ! -d $S ]]; then
    for c in Potato___Early_blight Potato___Late_blight; do
      mkdir -p "$S/$c"; ls "$D/potato/images/$c" | sort | head -500 | while read -r f; do ln -s "$(realpath "$D/potato/images/$c/$f")" "$S/$c/$f"; done
    done
  fi
  # the 200 labelled ImageNet images, 5 times over (absolute paths)
  for i in 1 2 3 4 5; do
    sed "s|^|$(realpath "$D/imagenet")/|" "$D/imagenet/calibration.csv"
  done > "$O/speed-1000.csv"
  # t CMD...: wall seconds of CMD; a failing CMD stops the benchmark (its time would mean nothing)
  t() {
    local s e
    s=$(date +%s.%N)
    if ! "$@" > "$O/speed-last.log" 2>&1; then echo "eval_vs_python: failed: $* (see $O/speed-last.log)" >&2; exit 1; fi
    e=$(date +%s.%N); echo "$e - $s" | bc
  }
  med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
  RUNS=${SPEED_RUNS:-3}
  # TFLite threads on both sides (mlpack --threads, Python num_threads); the SavedModel uses TF's defaults on both.
  THREADS=${SPEED_THREADS:-1}
  echo "== speed: 1,000 images, wall seconds (median of $RUNS, alternating), mlpack evaluate vs Python, TFLite at $THREADS thread(s)"
  for m in ${SPEED_MODELS:-mnet potato}; do
    if [[ $m == mnet ]]; then
      args=(--reference "$MNET" --candidate "$O/mnet-int8.tflite" --data "$O/speed-1000.csv" --preprocess tf --resize crop --labels "$D/imagenet/labels.txt")
    else
      args=(--reference "$POTATO" --candidate "$O/potato-int8.tflite" --data "$S" --preprocess raw --resize bilinear --labels "$O/potato-labels.txt")
    fi
    ml=(); py32=()
    for ((i = 0; i < RUNS; i++)); do
      ml+=("$(t $ML evaluate "${args[@]}" --threads "$THREADS")")
      py32+=("$(t $PYR "${args[@]}" --threads "$THREADS" --batch 32)")
    done
    echo "$m: mlpack ${ml[*]} -> $(med "${ml[@]}") s | python batch32 ${py32[*]} -> $(med "${py32[@]}") s | ratio $(echo "$(med "${ml[@]}") / $(med "${py32[@]}")" | bc -l | cut -c1-5)"
  done
fi
