#!/usr/bin/env bash
# int8 post-training quantization, side by side with TF 2.21's official converter given the SAME
# calibration images (the same preprocessed float arrays, dumped through mlpack's own image pipeline by
# bench/java/DumpInputs.java). Prints markdown tables on stdout; progress goes to stderr.
#
#   usage: bench/int8_vs_official.sh [imagenet] [potato] [families] [speed]     (default: all four)
#
#   imagenet  ImageNet MobileNet v1 0.25 224 (../shared/data): calibrate on the even rows (0-based) of
#             imagenet/calibration.csv, evaluate on the odd rows: top-1, top-1 agreement with the float
#             SavedModel, SQNR of the scores vs the float SavedModel, file size.
#   potato    the two potato CNNs: calibrate on Dataset.sample(200) of potato/images (stratified, what
#             --calibration-samples 200 picks), evaluate top-1 on the other 1,952.
#   families  the 15 keras.applications fixtures (96x96, optimizer/src/test/fixtures/make_fixtures.py):
#             calibrate on 64 ImageNet images (even rows), evaluate SQNR vs the SavedModel on FAMILY_EVAL_IMAGES (default: all 100) others
#             (odd rows), crop-resized to 96 and preprocessed in each family's mode.
#             Also: mlpack with --io float32 (fed the same floats as the official model), and the
#             float SavedModel fed the rounded uint8 pixels (the input rounding a uint8 model cannot avoid).
#   speed     `mlpack optimize --quantize int8` with the 200 calibration images vs the official
#             converter with the same 200 images, whole command wall time, alternating, median of SPEED_RUNS (3),
#             on MobileNet v1 0.75 224 (keras.applications, random weights: bench/make_bench_model.py) and on the
#             ImageNet MobileNet v1 0.25 224 (real weights). SPEED_BEFORE_JAR=path/to/mlpack.jar (with its lib/
#             beside it, e.g. built from an earlier commit) times that build too, in the same rotation.
#
# The official converter: TFLiteConverter.from_saved_model, optimizations=[DEFAULT],
# representative_dataset (the same preprocessed float arrays), supported_ops=[TFLITE_BUILTINS_INT8],
# float input/output (its defaults). mlpack's int8 models take raw uint8 pixels (its default --io uint8),
# fed the same images resized by the same pipeline and rounded; the official models are fed the floats.
# Both int8 models run in Python's tf.lite.Interpreter (TF 2.21, XNNPACK).
#
# REUSE=1 reuses the families' converted models and outputs from an earlier run when newer than the jar.
# Needs ../shared/data (MLPACK_SHARED_DATA overrides); skips with a message, exit 0, when absent.
# Work files: ${MLPACK_BENCH_DIR:-~/.cache/mlpack/bench}/int8 (about 2 GB, mostly the potato arrays).
set -euo pipefail
BENCH_NAME=int8_vs_official BENCH_SUBDIR=int8
source "$(dirname "${BASH_SOURCE[0]}")/shared_int8_setup.sh"
SECTIONS="${*:-imagenet potato families speed}"
SPEED_RUNS="${SPEED_RUNS:-3}"
# families: how many of the 100 held-out (odd) ImageNet rows the SQNR is measured on
FAMILY_EVAL_IMAGES="${FAMILY_EVAL_IMAGES:-100}"
FIXTURES="${MLPACK_FIXTURES:-$HOME/.cache/mlpack/fixtures/v1}"

# mlpack_int8 MODEL OUT CALIB_CSV N PREPROCESS RESIZE: prints nothing, returns the CLI's status
mlpack_int8() {
  nice -n 10 ./mlpack optimize "$1" -o "$2" --quantize int8 --calibration "$3" --calibration-samples "$4" \
    --preprocess "$5" --resize "$6" --json "${2%.tflite}.json" "${@:7}" >>"$LOG" 2>&1
}
# fresh FILE DEP: FILE exists and is newer than DEP (reuse a result of an earlier run of this script)
fresh() { [[ -n "${REUSE:-}" && -s "$1" && "$1" -nt "$2" ]]; }
# official_int8 MODEL CALIB_PREFIX H W OUT: prints "FAILED: ..." on failure
official_int8() {
  local out
  if out="$($EVAL official "$1" "$2" "$3" "$4" "$5" 2>>"$LOG")"; then return 0; fi
  echo "$out" | grep '^FAILED' | head -1
  return 1
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >>"$LOG" 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

# ---------------------------------------------------------------------------------------------- 1
imagenet() {
  local d="$WORK/imagenet"; mkdir -p "$d"
  log "imagenet: dumping the even/odd rows through mlpack's pipeline"
  dump "$IMAGENET_CSV" even 224 224 crop tf "$d/calib"
  dump "$IMAGENET_CSV" odd 224 224 crop tf "$d/eval"
  log "imagenet: converting (mlpack, official)"
  mlpack_int8 "$MOBILENET" "$d/mlpack.tflite" "$d/calib.csv" 100 tf crop
  official_int8 "$MOBILENET" "$d/calib" 224 224 "$d/official.tflite"
  log "imagenet: running the float SavedModel and both int8 models on the 100 odd rows"
  run "$MOBILENET" "$d/eval" 224 224 "$d/float.npy"
  run "$d/mlpack.tflite" "$d/eval" 224 224 "$d/mlpack.npy"
  run "$d/official.tflite" "$d/eval" 224 224 "$d/official.npy"
  nice -n 10 ./mlpack optimize "$MOBILENET" -o "$d/float.tflite" >>"$LOG" 2>&1
  local fbytes; fbytes=$(du -sb "$MOBILENET" | cut -f1)
  echo
  echo "### ImageNet MobileNet v1 0.25 224: calibrated on 100 images (even rows), evaluated on the other 100 (odd rows)"
  echo
  echo "| model | top-1 | top-1 agreement with float | SQNR vs float (dB) | file bytes |"
  echo "| --- | --- | --- | --- | --- |"
  read -r a _ _ < <(metrics "$d/eval.labels" "$d/float.npy" "$d/float.npy")
  echo "| float SavedModel (TF 2.21) | $a | 1 | | $(bytes "$d/float.tflite") (float32 .tflite; SavedModel folder $fbytes) |"
  read -r a g s < <(metrics "$d/eval.labels" "$d/float.npy" "$d/official.npy")
  echo "| official int8 (TF 2.21) | $a | $g | $s | $(bytes "$d/official.tflite") |"
  read -r a g s < <(metrics "$d/eval.labels" "$d/float.npy" "$d/mlpack.npy")
  echo "| mlpack int8 | $a | $g | $s | $(bytes "$d/mlpack.tflite") |"
}

# ---------------------------------------------------------------------------------------------- 2
potato() {
  local d="$WORK/potato"; mkdir -p "$d"
  log "potato: dumping Dataset.sample(200) and the other images through mlpack's pipeline"
  dump "$SHARED/potato/images" sample:200 256 256 bilinear raw "$d/calib"
  dump "$SHARED/potato/images" rest:200 256 256 bilinear raw "$d/eval"
  local n; n=$(wc -l < "$d/eval.labels")
  echo
  echo "### Potato CNNs: calibrated on 200 images (stratified), top-1 on the other $n"
  echo
  echo "| model | float | official int8 (TF 2.21) | mlpack int8 | mlpack agreement / SQNR vs float | bytes float SavedModel → official → mlpack |"
  echo "| --- | --- | --- | --- | --- | --- |"
  local m name ref off offcell
  for name in potato-cnn-tfkeras-2.11 potato-cnn-keras3-export; do
    m="$SHARED/models/$name"
    log "potato: $name"
    mlpack_int8 "$m" "$d/$name-mlpack.tflite" "$d/calib.csv" 200 raw bilinear
    run "$d/$name-mlpack.tflite" "$d/eval" 256 256 "$d/$name-mlpack.npy"
    if [[ "$name" == *keras3* ]]; then
      # Its RandomFlip/RandomRotation layers are live in the SavedModel: use mlpack's float .tflite
      # (augmentation as identities) as the float reference.
      nice -n 10 ./mlpack optimize "$m" -o "$d/$name-float.tflite" >>"$LOG" 2>&1
      run "$d/$name-float.tflite" "$d/eval" 256 256 "$d/$name-float.npy"
      ref="float .tflite (mlpack)"
    else
      run "$m" "$d/eval" 256 256 "$d/$name-float.npy"
      ref="SavedModel"
    fi
    if off="$(official_int8 "$m" "$d/calib" 256 256 "$d/$name-official.tflite")"; then
      run "$d/$name-official.tflite" "$d/eval" 256 256 "$d/$name-official.npy"
      read -r a _ _ < <(metrics "$d/eval.labels" "$d/$name-float.npy" "$d/$name-official.npy")
      offcell="$a"; offb="$(bytes "$d/$name-official.tflite")"
    else
      offcell="fails: \`${off#FAILED: }\`"; offb="—"
    fi
    read -r fa _ _ < <(metrics "$d/eval.labels" "$d/$name-float.npy" "$d/$name-float.npy")
    read -r a g s < <(metrics "$d/eval.labels" "$d/$name-float.npy" "$d/$name-mlpack.npy")
    echo "| $name | $fa ($ref) | $offcell | $a | $g / $s dB | $(du -sb "$m" | cut -f1) → $offb → $(bytes "$d/$name-mlpack.tflite") |"
  done
}

# ---------------------------------------------------------------------------------------------- 3
families() {
  local d="$WORK/families"; mkdir -p "$d"
  local fams=(Xception VGG16 ResNet50 ResNet50V2 InceptionV3 InceptionResNetV2 MobileNet MobileNetV2
              MobileNetV3Small MobileNetV3Large DenseNet121 NASNetMobile EfficientNetB0 EfficientNetV2B0 ConvNeXtTiny)
  local missing=() f
  for f in "${fams[@]}"; do [[ -f "$FIXTURES/$f/meta.properties" ]] || missing+=("$f"); done
  if ((${#missing[@]})); then
    log "families: generating fixtures ${missing[*]} (make_fixtures.py; slow)"
    nice -n 10 "$PY" optimizer/src/test/fixtures/make_fixtures.py "$FIXTURES" --only "$(IFS=,; echo "${missing[*]}")" >>"$LOG" 2>&1
  fi
  echo
  echo "### keras.applications families (96×96 fixtures): SQNR vs the float SavedModel, dB (calibrated on 64 ImageNet images, evaluated on $FAMILY_EVAL_IMAGES others)"
  echo
  echo "| family | preprocess | official int8 (float io) | mlpack int8 \`--io float32\` | mlpack − official | mlpack int8 (default uint8 io) | float model on rounded pixels | top-1 agreement: official / mlpack f32 io / mlpack uint8 io |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  local sum_o=0 sum_m=0 sum_u=0 k=0 ku=0 mode fd so sm su sr go gm gu off diff
  for f in "${fams[@]}"; do
    fd="$d/$f"; mkdir -p "$fd"
    mode=$(sed -n 's/^preprocess=//p' "$FIXTURES/$f/meta.properties")
    log "families: $f ($mode)"
    dump "$IMAGENET_CSV" even+head:64 96 96 crop "$mode" "$d/calib-$mode"
    dump "$IMAGENET_CSV" "odd+head:$FAMILY_EVAL_IMAGES" 96 96 crop "$mode" "$d/eval-$mode"
    fresh "$fd/float.npy" "$FIXTURES/$f/saved_model/saved_model.pb" || run "$FIXTURES/$f/saved_model" "$d/eval-$mode" 96 96 "$fd/float.npy"
    # the float SavedModel fed the rounded uint8 pixels (what a uint8-input model sees), preprocessed in numpy
    fresh "$fd/rounded.npy" "$fd/float.npy" || $EVAL rounded "$FIXTURES/$f/saved_model" "$d/eval-$mode" 96 96 "$mode" "$fd/rounded.npy" >>"$LOG" 2>&1
    read -r _ _ sr < <(metrics - "$fd/float.npy" "$fd/rounded.npy")
    sm="fails" gm="—" su="fails" gu="—" so="fails" go="—"
    if fresh "$fd/mlpack-f32io.tflite" "$ROOT/cli/target/mlpack.jar" \
        || mlpack_int8 "$FIXTURES/$f/saved_model" "$fd/mlpack-f32io.tflite" "$d/calib-$mode.csv" 64 "$mode" crop --io float32; then
      run "$fd/mlpack-f32io.tflite" "$d/eval-$mode" 96 96 "$fd/mlpack-f32io.npy"
      read -r _ gm sm < <(metrics - "$fd/float.npy" "$fd/mlpack-f32io.npy")
    fi
    if fresh "$fd/mlpack.tflite" "$ROOT/cli/target/mlpack.jar" \
        || mlpack_int8 "$FIXTURES/$f/saved_model" "$fd/mlpack.tflite" "$d/calib-$mode.csv" 64 "$mode" crop; then
      run "$fd/mlpack.tflite" "$d/eval-$mode" 96 96 "$fd/mlpack.npy"
      read -r _ gu su < <(metrics - "$fd/float.npy" "$fd/mlpack.npy")
    fi
    if fresh "$fd/official.tflite" "$FIXTURES/$f/saved_model/saved_model.pb" \
        || off="$(official_int8 "$FIXTURES/$f/saved_model" "$d/calib-$mode" 96 96 "$fd/official.tflite")"; then
      run "$fd/official.tflite" "$d/eval-$mode" 96 96 "$fd/official.npy"
      read -r _ go so < <(metrics - "$fd/float.npy" "$fd/official.npy")
    else
      log "families: $f official: $off"
    fi
    diff="—"
    if [[ "$sm" != fails && "$so" != fails ]]; then
      diff=$(printf "%+.2f" "$(echo "$sm - $so" | bc)")
      sum_m=$(echo "$sum_m + $sm" | bc); sum_o=$(echo "$sum_o + $so" | bc); k=$((k + 1))
    fi
    if [[ "$su" != fails ]]; then sum_u=$(echo "$sum_u + $su" | bc); ku=$((ku + 1)); fi
    echo "| $f | $mode | $so | $sm | $diff | $su | $sr | $go / $gm / $gu |"
  done
  if ((k)); then
    local am ao au
    am=$(printf "%.2f" "$(echo "scale=4; $sum_m / $k" | bc)"); ao=$(printf "%.2f" "$(echo "scale=4; $sum_o / $k" | bc)")
    au=$(printf "%.2f" "$(echo "scale=4; $sum_u / $ku" | bc)")
    echo "| **average** ($k families) | | **$ao** | **$am** | **$(printf "%+.2f" "$(echo "$am - $ao" | bc)")** | **$au** | | |"
  fi
}

# ---------------------------------------------------------------------------------------------- 4
# speed_model NAME LABEL MODEL DIR: times both converters on MODEL with the 200 calibration images, alternating,
# and prints one table row: medians, output bytes, the ratio. Both run at normal priority, as a user runs them: at
# nice 10 they got whatever CPU the machine's other work left, and the times measured that work more than theirs.
# With SPEED_BEFORE_JAR (an mlpack.jar with its lib/, e.g. built at an earlier commit), that jar is timed in the
# same rotation and the row gets its median and ratio too.
speed_model() {
  local name="$1" label="$2" model="$3" d="$4" i off ours before="" args
  args=(optimize "$model" --quantize int8 --calibration "$IMAGENET_CSV" --calibration-samples 200 --preprocess tf --resize crop)
  : > "$d/$name-official.times"; : > "$d/$name-mlpack.times"; : > "$d/$name-before.times"
  for i in $(seq "$SPEED_RUNS"); do
    log "speed: $name, run $i/$SPEED_RUNS"
    seconds ./mlpack "${args[@]}" -o "$d/$name-mlpack.tflite" >> "$d/$name-mlpack.times"
    seconds "$PY" "$ROOT/bench/int8_eval.py" official "$model" "$d/all" 224 224 "$d/$name-official.tflite" >> "$d/$name-official.times"
    if [[ -n "${SPEED_BEFORE_JAR:-}" ]]; then
      seconds "$JH/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar "$SPEED_BEFORE_JAR" \
        "${args[@]}" -o "$d/$name-before.tflite" >> "$d/$name-before.times"
    fi
  done
  off=$(printf "%.2f" "$(median < "$d/$name-official.times")"); ours=$(printf "%.2f" "$(median < "$d/$name-mlpack.times")")
  if [[ -n "${SPEED_BEFORE_JAR:-}" ]]; then
    local b; b=$(printf "%.2f" "$(median < "$d/$name-before.times")")
    before=" $b ($(printf "%.2f" "$(echo "scale=4; $b / $off" | bc)")) |"
  fi
  echo "| $label | $off |$before $ours | **$(printf "%.2f" "$(echo "scale=4; $ours / $off" | bc)")** | $(bytes "$d/$name-official.tflite") / $(bytes "$d/$name-mlpack.tflite") |"
}

speed() {
  local d="$WORK/speed"; mkdir -p "$d"
  dump "$IMAGENET_CSV" all 224 224 crop tf "$d/all"
  # No ImageNet weights can be downloaded for width 0.75: keras.applications.MobileNet(alpha=0.75) with random weights
  local wide="$WORK/MobileNet-0.75-224"
  [[ -f "$wide/saved_model.pb" ]] || nice -n 10 "$PY" bench/make_bench_model.py MobileNet 224 "$wide" 0.75 >>"$LOG" 2>&1
  local bh="" bs=""
  if [[ -n "${SPEED_BEFORE_JAR:-}" ]]; then bh=" mlpack before, s (ratio) |"; bs=" --- |"; fi
  echo
  echo "### int8 conversion time, 200 calibration images, 224×224 (median of $SPEED_RUNS, whole command, alternating)"
  echo
  echo "| model | TF 2.21 official int8, s (reads the images decoded and preprocessed, as a float array) |$bh \`mlpack optimize --quantize int8\`, s (decodes and crop-resizes the 200 JPEGs itself) | mlpack / official | output bytes, official / mlpack |"
  echo "| --- | --- |$bs --- | --- | --- |"
  speed_model mobilenet-0.75 "MobileNet v1 0.75 224 (random weights)" "$wide" "$d"
  speed_model mobilenet-0.25 "ImageNet MobileNet v1 0.25 224 (real weights)" "$MOBILENET" "$d"
}

for s in $SECTIONS; do
  case "$s" in
    imagenet|potato|families|speed) "$s" ;;
    *) echo "unknown section $s (expected imagenet, potato, families, speed)" >&2; exit 2 ;;
  esac
done
