#!/usr/bin/env bash
# Issue 7 acceptance, "Procfile boot": package an int8 potato model for Heroku, then, independently of mlpack's own
# self-check, in a clean temporary folder: extract the archive, run the Procfile's web command with PORT set
# (sh -c, as Heroku's process manager does), time process start -> first 200 from /ping (5 boots, median), read the
# peak RSS (VmHWM), and send 50 potato images (17/17/16 from the 3 classes) through /predict. Their top-1 is compared
# image by image with `mlpack evaluate` run on each image alone (the candidate's top-1: its label when correct, its
# confused pair otherwise).
#
# Needs ../shared/data (skips cleanly without it) and the server distribution (server/target/mlpack-server.jar,
# built by ./mlpack; or MLPACK_SERVER_DIST=DIR). Usage: bench/package_selfcheck.sh
set -euo pipefail
cd "$(dirname "$0")/.."
D=${MLPACK_DATA:-../shared/data}
O=out/bench-package
if [[ ! -d $D/models/potato-cnn-tfkeras-2.11 || ! -d $D/potato/images ]]; then
  echo "package_selfcheck: $D (shared models and images) not found; skipping"; exit 0
fi
export JAVA_HOME=${JAVA_HOME:-$(tools/java-home)}
[[ -n ${MLPACK_SERVER_DIST:-} ]] && export MLPACK_JAVA_OPTS="${MLPACK_JAVA_OPTS:-} -Dmlpack.server.dist=$MLPACK_SERVER_DIST"
ML=./mlpack
mkdir -p "$O"
POTATO=$D/models/potato-cnn-tfkeras-2.11
ls "$D/potato/images" > "$O/potato-labels.txt"
[[ -f $O/potato-int8.tflite ]] || $ML optimize "$POTATO" -o "$O/potato-int8.tflite" --quantize int8 \
  --calibration "$D/potato/images" --calibration-samples 100 --preprocess raw --resize bilinear --labels "$O/potato-labels.txt" >/dev/null

# 50 images: sorted, round robin over the classes (as the self-check picks them)
rm -rf "$O/data50" && mkdir -p "$O/data50"
python3 - "$D/potato/images" "$O/data50" <<'PY'
import os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
classes = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
files = {c: sorted(f for f in os.listdir(os.path.join(src, c)) if f.lower().endswith((".jpg", ".jpeg", ".png"))) for c in classes}
picked, i = [], 0
while len(picked) < 50:
    for c in classes:
        if i < len(files[c]) and len(picked) < 50:
            picked.append((c, files[c][i]))
    i += 1
for c, f in picked:
    os.makedirs(os.path.join(dst, c), exist_ok=True)
    shutil.copy(os.path.join(src, c, f), os.path.join(dst, c, f))
PY

echo "== mlpack package (with its own self-check)"
$ML package "$O/potato-int8.tflite" --target heroku -o "$O/app" --name potato-disease --verify-data "$O/data50" \
  --json "$O/package.json" | sed -n '/^packaged/,$p'

echo "== independent Procfile boot from the extracted archive"
web="$(sed -n 's/^web: //p' "$O/app/Procfile")"
boots=()
for run in 1 2 3 4 5; do
  app="$(mktemp -d)"
  tar xzf "$O/app/potato-disease.tar.gz" -C "$app"
  port=$((20000 + RANDOM % 20000))
  start=$(date +%s%N)
  (cd "$app" && PORT=$port PATH="$JAVA_HOME/bin:$PATH" exec sh -c "$web" > "$app.log" 2>&1) &
  shell=$!
  until curl -sf "http://127.0.0.1:$port/ping" > /dev/null; do
    sleep 0.01
    (( ($(date +%s%N) - start) / 1000000 > 60000 )) && { echo "no /ping within 60 s"; cat "$app.log"; exit 1; }
  done
  end=$(date +%s%N)
  boots+=("$(( (end - start) / 1000000 ))")
  java_pid=$(pgrep -f -- "--port $port" | head -1)
  if [[ $run == 1 ]]; then
    : > "$O/server-top1.txt"
    for f in "$O"/data50/*/*; do
      label=$(curl -s -H 'Content-Type: image/jpeg' --data-binary @"$f" "http://127.0.0.1:$port/predict?top_k=1" \
        | python3 -c "import json,sys; print(json.load(sys.stdin)['predictions'][0]['label'])")
      echo "$(basename "$(dirname "$f")")/$(basename "$f")|$label" >> "$O/server-top1.txt"
    done
    echo "peak RSS after 50 predictions: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/"$java_pid"/status)"
  fi
  kill -TERM "$java_pid" 2>/dev/null || true
  wait "$shell" 2>/dev/null || true
  rm -rf "$app" "$app.log"
done
sorted=($(printf '%s\n' "${boots[@]}" | sort -n))
echo "boot to first /ping 200 (ms), 5 runs: ${boots[*]}; median ${sorted[2]} ms"

echo "== mlpack evaluate, image by image"
: > "$O/evaluate-top1.txt"
while IFS='|' read -r rel _; do
  one="$(mktemp -d)"; mkdir -p "$one/$(dirname "$rel")"; cp "$O/data50/$rel" "$one/$rel"
  $ML evaluate --reference "$O/potato-int8.tflite" --candidate "$O/potato-int8.tflite" --data "$one" --json "$one/e.json" > /dev/null 2>&1
  python3 - "$one/e.json" "$rel" >> "$O/evaluate-top1.txt" <<'PY'
import json, sys
d, rel = json.load(open(sys.argv[1])), sys.argv[2]
actual = rel.split("/")[0]
pairs = d["confused_pairs"]["candidate"]
print(f"{rel}|{actual if d['candidate']['top1'] == 1.0 else pairs[0]['predicted']}")
PY
  rm -rf "$one"
done < "$O/server-top1.txt"
same=$(paste -d'|' "$O/server-top1.txt" "$O/evaluate-top1.txt" | awk -F'|' '$1==$3 && $2==$4' | wc -l)
correct=$(awk -F'|' '{split($1,a,"/"); if (a[1]==$2) n++} END {print n+0}' "$O/server-top1.txt")
echo "/predict top-1 equals mlpack evaluate's on $same of 50 images (server top-1 accuracy $correct/50)"
