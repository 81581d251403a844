#!/usr/bin/env bash
# Magnitude pruning and budgets (issue 5). Prints markdown tables on stdout; progress goes to stderr.
#
#   usage: bench/prune.sh [imagenet] [budget] [potato] [sparse] [fallback] [limits]   (default: all six)
#
#   imagenet  ImageNet MobileNet v1 0.25 224 (../shared/data), calibrated on the even rows (0-based) of
#             imagenet/calibration.csv, evaluated on the odd rows (as bench/int8_vs_official.sh does):
#             int8 unpruned vs `--prune 0.5` (defaults: first conv, classifier, depthwise dense) vs
#             `--prune 0.5 --prune-include conv_preds` (the 1001-class classifier holds 54% of the weights).
#             Zeros in the pruned kernels, gzip -9 bytes (the gzip tool), top-1 and top-1 agreement with the
#             float SavedModel in Python's tf.lite.Interpreter.
#   budget    --max-size halfway between the pruned and the unpruned int8 gzip sizes, and one below reach
#             (64KB: pruning 99% of every prunable kernel, classifier included, leaves 74KB).
#   potato    potato-cnn-tfkeras-2.11, calibrated on Dataset.sample(200) of potato/images, accuracy budget
#             --max-accuracy-drop 0.5 on a held-out third of the other 1,952 images (every third row); the
#             chosen model is then checked in Python against the float SavedModel on the same images.
#   fallback  int8 MobileNet, unpruned, with the layer whose weights int8 disturbs most kept in float
#             (--float-layers), then the three worst: what the accuracy search's fallback steps buy, and cost.
#   sparse    --sparse-encoding on MobileNet: file bytes against the dense pruned file, and the outputs of
#             the sparse and dense files compared in Python (tf.lite.Interpreter) and in mlpack's Java
#             runtime (mlpack evaluate: top-1 agreement and mean KL).
#   limits    why the MobileNet targets are out of reach: the gzip size with the default dense layers when the
#             pruned kernels are 99% zeros (a floor for any sparsity), and the top-1 cost of pruning one
#             pointwise layer alone to 50% (the two largest), against the unpruned int8 model; then what
#             `--max-accuracy-drop 1.5 --eval-data` (the held-out rows) chooses for the same model.
#
# Needs ../shared/data (MLPACK_SHARED_DATA overrides); skips with a message, exit 0, when absent.
# Work files: ${MLPACK_BENCH_DIR:-~/.cache/mlpack/bench}/prune.
set -euo pipefail
BENCH_NAME=prune BENCH_SUBDIR=prune
source "$(dirname "${BASH_SOURCE[0]}")/shared_int8_setup.sh"
SECTIONS="${*:-imagenet budget potato sparse fallback limits}"
POTATO="$SHARED/models/potato-cnn-tfkeras-2.11"

gz() { gzip -9 -c "$1" | wc -c; }
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {'d': d}))" "$@"; }
ratio() { python3 -c "print(f'{$1/$2:.3f}')"; }

d="$WORK/imagenet"; mkdir -p "$d"
imagenet_inputs() {
  dump "$IMAGENET_CSV" even 224 224 crop tf "$d/calib"
  dump "$IMAGENET_CSV" odd 224 224 crop tf "$d/eval"
  [[ -f "$d/float.npy" ]] || run "$MOBILENET" "$d/eval" 224 224 "$d/float.npy"
}
# mobilenet NAME ARGS...: int8 MobileNet calibrated on the even rows, written to $d/NAME.tflite (+ .json)
mobilenet() {
  local name="$1"; shift
  nice -n 10 ./mlpack optimize "$MOBILENET" -o "$d/$name.tflite" --quantize int8 --calibration "$d/calib.csv" \
    --calibration-samples 100 --preprocess tf --resize crop --json "$d/$name.json" "$@" >>"$LOG" 2>&1
}
# scored NAME: $d/NAME.tflite's scores on the held-out rows in Python, $d/NAME.npy, unless newer than the model
scored() {
  [[ -f "$d/$1.npy" && "$d/$1.npy" -nt "$d/$1.tflite" ]] || run "$d/$1.tflite" "$d/eval" 224 224 "$d/$1.npy"
}

imagenet() {
  log "imagenet: dumping the even/odd rows, converting"
  imagenet_inputs
  mobilenet int8
  mobilenet p50 --prune 0.5
  mobilenet p50-classifier --prune 0.5 --prune-include conv_preds
  echo
  echo "### ImageNet MobileNet v1 0.25 224, int8: calibrated on 100 images (even rows), evaluated on the other 100 (odd rows)"
  echo
  echo "| model | zeros in pruned kernels | zeros in all kernels | file bytes | gzip -9 bytes | gzip vs unpruned int8 | top-1 | top-1 agreement with float | SQNR vs float (dB) | convert s |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  local g0; g0=$(gz "$d/int8.tflite")
  for name in int8 p50 p50-classifier; do
    run "$d/$name.tflite" "$d/eval" 224 224 "$d/$name.npy"
    read -r a g s < <(metrics "$d/eval.labels" "$d/float.npy" "$d/$name.npy")
    local gzb; gzb=$(gz "$d/$name.tflite")
    local label="int8, unpruned"
    [[ $name == p50 ]] && label='`--prune 0.5` (classifier, first conv, depthwise dense)'
    [[ $name == p50-classifier ]] && label='`--prune 0.5 --prune-include conv_preds`'
    echo "| $label | $(jget "$d/$name.json" "round(d['pruned_sparsity'],3)") | $(jget "$d/$name.json" "round(d['sparsity'],3)") | $(bytes "$d/$name.tflite") | $gzb | $(ratio "$gzb" "$g0") | $a | $g | $s | $(jget "$d/$name.json" "d['seconds']") |"
  done
}

budget() {
  log "budget: --max-size between the pruned and unpruned int8 sizes, and below reach"
  imagenet_inputs
  [[ -f "$d/int8.json" ]] || mobilenet int8
  [[ -f "$d/p50-classifier.json" ]] || mobilenet p50-classifier --prune 0.5 --prune-include conv_preds
  local big small mid
  big=$(jget "$d/int8.json" "d['compressed_bytes']"); small=$(jget "$d/p50-classifier.json" "d['compressed_bytes']")
  mid=$(( (big + small) / 2 ))
  echo
  echo "### Size budget (gzip -9), ImageNet MobileNet v1 0.25 int8, \`--prune-include conv_preds\`"
  echo
  echo "| budget | exit | result |"
  echo "| --- | --- | --- |"
  local t0 t1 code
  t0=$(date +%s)
  set +e
  mobilenet budget --prune-include conv_preds --max-size "$mid"; code=$?
  set -e
  t1=$(date +%s)
  echo "| $mid bytes (halfway between $small, pruned 0.5, and $big, unpruned) | $code | $(jget "$d/budget.json" "'gzip %d bytes, %d file bytes, sparsity %.3f in pruned kernels, met %s, %d trials' % (d['compressed_bytes'], d['bytes'], d['pruned_sparsity'], d['budget']['met'], len(d['search']))"), $((t1 - t0)) s |"
  set +e
  mobilenet below --prune-include conv_preds --max-size 64KB; code=$?
  set -e
  echo "| 64KB (below the 0.99 model) | $code | \`$(grep '^mlpack: ' "$LOG" | tail -1)\` |"
}

potato() {
  local p="$WORK/potato"; mkdir -p "$p"
  log "potato: held-out third of the non-calibration images, accuracy budget"
  dump "$SHARED/potato/images" sample:200 256 256 bilinear raw "$p/calib" --no-float
  dump "$SHARED/potato/images" rest:200 256 256 bilinear raw "$p/rest" --no-float
  awk 'NR % 3 == 1' "$p/rest.csv" > "$p/heldout.csv"
  dump "$p/heldout.csv" all 256 256 bilinear raw "$p/heldout"
  printf "Potato___Early_blight\nPotato___Late_blight\nPotato___healthy\n" > "$p/labels.txt"
  local common=(--quantize int8 --calibration "$p/calib.csv" --calibration-samples 200 --preprocess raw --resize bilinear --labels "$p/labels.txt")
  nice -n 10 ./mlpack optimize "$POTATO" -o "$p/int8.tflite" "${common[@]}" --json "$p/int8.json" >>"$LOG" 2>&1
  local t0 t1; t0=$(date +%s)
  nice -n 10 ./mlpack optimize "$POTATO" -o "$p/budget.tflite" "${common[@]}" --max-accuracy-drop 0.5 \
    --eval-data "$p/heldout.csv" --json "$p/budget.json" > "$p/budget.out" 2>>"$LOG"
  t1=$(date +%s)
  run "$POTATO" "$p/heldout" 256 256 "$p/float.npy"
  run "$p/int8.tflite" "$p/heldout" 256 256 "$p/int8.npy"
  run "$p/budget.tflite" "$p/heldout" 256 256 "$p/budget.npy"
  local n; n=$(wc -l < "$p/heldout.labels")
  echo
  echo "### Accuracy budget: potato-cnn-tfkeras-2.11, \`--max-accuracy-drop 0.5\` on $n held-out images ($((t1 - t0)) s)"
  echo
  echo '```'
  sed -n '/^search path/,/^wrote/p' "$p/budget.out"
  echo '```'
  echo
  echo "Checked in Python (tf.lite.Interpreter, float SavedModel in TF) on the same $n images:"
  echo
  echo "| model | top-1 | drop vs float (points) | file bytes | gzip -9 bytes |"
  echo "| --- | --- | --- | --- | --- |"
  read -r fa _ _ < <(metrics "$p/heldout.labels" "$p/float.npy" "$p/float.npy")
  echo "| float SavedModel | $fa | | | |"
  for name in int8 budget; do
    read -r a _ _ < <(metrics "$p/heldout.labels" "$p/float.npy" "$p/$name.npy")
    echo "| $( [[ $name == int8 ]] && echo 'plain int8' || echo "chosen: $(jget "$p/budget.json" "min((t for t in d['search'] if t['meets']), key=lambda t: t['compressed_bytes'])['setting']")") | $a | $(python3 -c "print(f'{100*($fa-$a):.2f}')") | $(bytes "$p/$name.tflite") | $(gz "$p/$name.tflite") |"
  done
}

fallback() {
  log "fallback: int8 MobileNet with its most int8-sensitive layers in float"
  imagenet_inputs
  [[ -f "$d/int8.json" ]] || mobilenet int8
  # The ranking, as a user sees it: the error for a --float-layers pattern that names no layer lists it.
  local names worst
  names=$( (nice -n 10 ./mlpack optimize "$MOBILENET" -o "$d/none.tflite" --quantize int8 --calibration "$d/calib.csv" \
    --calibration-samples 100 --preprocess tf --resize crop --float-layers no_such_layer 2>&1 || true) \
    | sed -n 's/.*most int8-sensitive layers are //p')
  IFS=', ' read -r -a worst <<< "$names"
  mobilenet fb1 --float-layers "${worst[0]}"
  mobilenet fb3 --float-layers "${worst[0]},${worst[1]},${worst[2]}"
  echo
  echo "### Per-layer float fallback, ImageNet MobileNet v1 0.25 int8 (\`bench/prune.sh fallback\`)"
  echo
  echo "Layers ranked by weight rounding noise, worst first: $names"
  echo
  echo "| model | file bytes | gzip -9 bytes | top-1 | top-1 agreement with float | SQNR vs float (dB) |"
  echo "| --- | --- | --- | --- | --- | --- |"
  for name in int8 fb1 fb3; do
    scored "$name"
    read -r a g s < <(metrics "$d/eval.labels" "$d/float.npy" "$d/$name.npy")
    local label="int8, every layer"
    [[ $name == fb1 ]] && label="\`--float-layers ${worst[0]}\`"
    [[ $name == fb3 ]] && label="\`--float-layers ${worst[0]},${worst[1]},${worst[2]}\`"
    echo "| $label | $(bytes "$d/$name.tflite") | $(gz "$d/$name.tflite") | $a | $g | $s |"
  done
}

sparse() {
  log "sparse: --sparse-encoding against the dense pruned files"
  imagenet_inputs
  echo
  echo "### Sparse encoding, ImageNet MobileNet v1 0.25 (\`--prune-include conv_preds\`)"
  echo
  echo "| setting | dense file bytes | sparse file bytes | sparse/dense | pruned-kernel bytes saved / pruned-kernel bytes | Python max abs diff sparse vs dense | Java (mlpack evaluate) agreement, mean KL | DENSIFY ops |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  local name args kb
  for spec in "f32-p50|none|--prune 0.5" "int8-p50|int8|--prune 0.5 --prune-block 1" "int8-p50-b4|int8|--prune 0.5 --prune-block 4" "int8-p80|int8|--prune 0.8 --prune-block 1"; do
    IFS='|' read -r name q args <<< "$spec"
    for enc in dense sparse; do
      local extra=(); [[ $enc == sparse ]] && extra=(--sparse-encoding)
      if [[ $q == int8 ]]; then
        # shellcheck disable=SC2086
        mobilenet "$name-$enc" --prune-include conv_preds $args "${extra[@]}"
      else
        # shellcheck disable=SC2086
        nice -n 10 ./mlpack optimize "$MOBILENET" -o "$d/$name-$enc.tflite" --preprocess tf --resize crop \
          --prune-include conv_preds $args "${extra[@]}" --json "$d/$name-$enc.json" >>"$LOG" 2>&1
      fi
    done
    kb=$(jget "$d/$name-sparse.json" "sum(l['weights'] for l in d['per_layer_sparsity'] if l['kept_dense'] is None) * ($([[ $q == int8 ]] && echo 1 || echo 4))")
    local diff; diff=$($PY -c "
import numpy as np, tensorflow as tf, sys
outs = []
for f in sys.argv[1:3]:
    it = tf.lite.Interpreter(model_path=f); it.allocate_tensors()
    i = it.get_input_details()[0]; o = it.get_output_details()[0]
    x = np.fromfile(sys.argv[3] + ('.u8' if i['dtype'] == np.uint8 else '.f32'), dtype=i['dtype']).reshape(-1, 224, 224, 3)
    r = []
    for k in range(20):
        it.set_tensor(i['index'], x[k:k + 1]); it.invoke(); r.append(it.get_tensor(o['index']).copy())
    outs.append(np.concatenate(r))
print(float(np.abs(outs[0] - outs[1]).max()))" "$d/$name-dense.tflite" "$d/$name-sparse.tflite" "$d/eval" 2>>"$LOG")
    nice -n 10 ./mlpack evaluate --reference "$d/$name-dense.tflite" --candidate "$d/$name-sparse.tflite" --data "$d/eval.csv" \
      --preprocess tf --resize crop --labels "$SHARED/imagenet/labels.txt" --json "$d/$name-eval.json" >>"$LOG" 2>&1
    echo "| \`$args\` ($q) | $(bytes "$d/$name-dense.tflite") | $(bytes "$d/$name-sparse.tflite") | $(ratio "$(bytes "$d/$name-sparse.tflite")" "$(bytes "$d/$name-dense.tflite")") | $(ratio "$(( $(bytes "$d/$name-dense.tflite") - $(bytes "$d/$name-sparse.tflite") ))" "$kb") | $diff | $(jget "$d/$name-eval.json" "'%s, %s' % (d['agreement_top1'], d['mean_kl'])") | $(jget "$d/$name-sparse.json" "d['ops'].get('DENSIFY', 0)") |"
  done
}

limits() {
  log "limits: the gzip floor of the default dense layers, and single pointwise layers pruned alone"
  imagenet_inputs
  [[ -f "$d/int8.json" ]] || mobilenet int8
  [[ -f "$d/p50.json" ]] || mobilenet p50 --prune 0.5
  scored int8
  mobilenet p99 --prune 0.99
  # The layers --prune 0.5 prunes by default, and the two largest of them.
  local pruned largest
  pruned=$(jget "$d/p50.json" "','.join(l['layer'] for l in d['per_layer_sparsity'] if l['kept_dense'] is None)")
  largest=$(jget "$d/p50.json" "' '.join(l['layer'] for l in sorted((l for l in d['per_layer_sparsity'] if l['kept_dense'] is None), key=lambda l: -l['weights'])[:2])")
  for layer in $largest; do
    mobilenet "alone-$layer" --prune 0.5 --prune-skip "$(tr ',' '\n' <<< "$pruned" | grep -vx "$layer" | paste -sd, -)"
  done
  local g0; g0=$(gz "$d/int8.tflite")
  echo
  echo "### Limits, ImageNet MobileNet v1 0.25 int8 (\`bench/prune.sh limits\`)"
  echo
  echo "| model | zeros in pruned kernels | gzip -9 bytes | gzip vs unpruned int8 | top-1 | top-1 agreement with unpruned int8 | SQNR vs unpruned int8 (dB) |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  for name in int8 p50 p99 $(for l in $largest; do echo "alone-$l"; done); do
    scored "$name"
    read -r a _ _ < <(metrics "$d/eval.labels" "$d/int8.npy" "$d/$name.npy")
    read -r _ g s < <(metrics - "$d/int8.npy" "$d/$name.npy")
    local gzb label; gzb=$(gz "$d/$name.tflite")
    case $name in
      int8) label="int8, unpruned" ;;
      p50) label='`--prune 0.5` (defaults)' ;;
      p99) label='`--prune 0.99` (defaults)' ;;
      *) label="\`--prune 0.5\`, ${name#alone-} alone" ;;
    esac
    echo "| $label | $(jget "$d/$name.json" "round(d.get('pruned_sparsity', 0), 3)") | $gzb | $(ratio "$gzb" "$g0") | $a | $g | $s |"
  done
  local t0 t1; t0=$(date +%s)
  mobilenet drop15 --max-accuracy-drop 1.5 --eval-data "$d/eval.csv"
  t1=$(date +%s)
  echo
  echo "\`--max-accuracy-drop 1.5 --eval-data\` (the 100 held-out rows) on the same model, $((t1 - t0)) s:"
  echo
  echo "| setting | gzip -9 bytes (Java's Deflater) | top-1 | meets |"
  echo "| --- | --- | --- | --- |"
  jget "$d/drop15.json" "'\\n'.join('| %s | %d | %.2f | %s |' % (t['setting'], t['compressed_bytes'], t['top1'], t['meets']) for t in d['search'])"
}

for s in $SECTIONS; do "$s"; done
