#!/usr/bin/env bash
# Inference server acceptance figures (issue 6), for an int8 MobileNet v1 0.25 at 224x224 (../shared/data's ImageNet
# model, `mlpack optimize --quantize int8`, raw uint8 pixel input, crop resize and labels in the metadata):
#
#   boot     process start -> GET /ping answers 200, median of 5 starts, for several JVM flag sets
#            (the server distribution: java -jar server/target/mlpack-server.jar --natives DIR)
#   load     wrk, 16 connections for 30 s on loopback, POST /predict with a rotation of 8 JPEG + 8 PNG ImageNet
#            images (bench/server_load.lua): requests/s, non-2xx and socket errors, p50/p90/p99 latency; the
#            server's peak RSS (VmHWM) after the run
#   ceiling  the same interpreter setup in-process (bench/java/ServerBaseline.java): as many threads as the server
#            has workers, 1 interpreter thread each, decode + resize + invoke over the same 16 files for 30 s, run
#            right after each load test so that both see the same machine load
#   correct  /predict top-1 on 50 potato images (../shared/data/potato/images) against the per-image top-1 of the
#            Evaluator that `mlpack evaluate` runs (bench/java/EvaluateTop1.java), same int8 potato model and images
#
#   usage: bench/server_bench.sh [all|boot|load|correct]   (default all)
#   env:   MLPACK_SHARED_DATA (default ../shared/data), MLPACK_BENCH_DIR (default ~/.cache/mlpack/bench),
#          LOAD_SECONDS (30), CONNECTIONS (16), WORKERS (default: the server's own default),
#          LOAD_SETS (JVM flag sets for the load test, default "small_c1_aot small default"; see below)
# Needs ../shared/data (skips, exit 0, when absent), wrk (apt-get install wrk), curl, the venv (tools/ensure-venv.sh)
# for converting 8 JPEGs to PNG.
set -euo pipefail
shopt -s extglob
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
WHAT=${1:-all}
SHARED="${MLPACK_SHARED_DATA:-$ROOT/../shared/data}"
if [[ ! -d "$SHARED/models/imagenet-mobilenet-v1-0.25-224" || ! -f "$SHARED/imagenet/calibration.csv" || ! -d "$SHARED/potato/images" ]]; then
  echo "server_bench: skipped: the shared data folder $SHARED (models/, imagenet/, potato/) is absent"
  exit 0
fi
command -v wrk >/dev/null || { echo "server_bench: needs wrk (apt-get install wrk)" >&2; exit 1; }
JH="$(tools/java-home)"
JAVA="$JH/bin/java"
W="${MLPACK_BENCH_DIR:-$HOME/.cache/mlpack/bench}/server"
mkdir -p "$W"
LOG="$W/log.txt"
: > "$LOG"
SECONDS_LOAD=${LOAD_SECONDS:-30}
CONNS=${CONNECTIONS:-16}
export TF_CPP_MIN_LOG_LEVEL=2

# ---- build: the CLI (for optimize / evaluate) and the server distribution
./mlpack --version >/dev/null
(JAVA_HOME="$JH" mvn -o -q -B -ntp -pl server -am -DskipTests package >>"$LOG" 2>&1)
JAR="$ROOT/server/target/mlpack-server.jar"
rm -rf "$W/natives" && "$JAVA" -jar "$JAR" --extract-natives "$W/natives" >>"$LOG"

MNET="$W/mobilenet-int8.tflite"
[[ -f $MNET && $MNET -nt cli/target/mlpack.jar ]] || ./mlpack optimize "$SHARED/models/imagenet-mobilenet-v1-0.25-224" -o "$MNET" \
  --quantize int8 --calibration "$SHARED/imagenet/calibration.csv" --preprocess tf --resize crop \
  --labels "$SHARED/imagenet/labels.txt" >>"$LOG" 2>&1
ls "$SHARED/potato/images" > "$W/potato-labels.txt"
POTATO="$W/potato-int8.tflite"
[[ -f $POTATO && $POTATO -nt cli/target/mlpack.jar ]] || ./mlpack optimize "$SHARED/models/potato-cnn-tfkeras-2.11" -o "$POTATO" \
  --quantize int8 --calibration "$SHARED/potato/images" --calibration-samples 100 --preprocess raw --resize bilinear \
  --labels "$W/potato-labels.txt" >>"$LOG" 2>&1

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts the server in the background (sets SERVER_PID, PORT), JVM flags in $1, then server flags; waits for /ping
# and sets BOOT_MS, the milliseconds from launch to the first 200, and BOOT_CPU_MS, the CPU time (user + system, all
# threads) the process had used by then: on a busy machine the wall time includes waiting for a core, the CPU time not.
start_server() {
  local jvm="$1"; shift
  PORT=$(free_port)
  local t0 t1
  t0=$(date +%s%N)
  # shellcheck disable=SC2086 # $jvm is a list of flags
  "$JAVA" $jvm -jar "$JAR" --natives "$W/natives" --host 127.0.0.1 --port "$PORT" "$@" >"$W/server.out" 2>>"$LOG" &
  SERVER_PID=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/ping"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server died:"; cat "$W/server.out"; tail -5 "$LOG"; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  BOOT_MS=$(( (t1 - t0) / 1000000 ))
  BOOT_CPU_MS=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$SERVER_PID/stat")
}
stop_server() { kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; }

# JVM flag sets. "small" caps the heap for a 512 MB dyno (SerialGC: one GC thread and no per-region overhead, a
# small initial heap so that RSS grows only with use); "c1" stops at the C1 compiler (quicker warm-up, less
# compiler memory); "aot" adds a JDK 25 AOT cache (JEP 483/514/515) made by one training run (--check).
SMALL="-XX:+UseSerialGC -Xms16m -Xmx160m -Xss512k -XX:ReservedCodeCacheSize=48m -XX:MaxMetaspaceSize=96m"
flags_default=""
flags_small="$SMALL"
flags_small_c1="$SMALL -XX:TieredStopAtLevel=1"
flags_small_aot="$SMALL -XX:AOTCache=$W/small.aot"
flags_small_c1_aot="$SMALL -XX:TieredStopAtLevel=1 -XX:AOTCache=$W/small_c1.aot"
train_aot() { # $1 = cache file, rest = the flags it will be used with
  local out="$1"; shift
  rm -f "$out"
  # shellcheck disable=SC2068 # flags are words
  "$JAVA" $@ -XX:AOTCacheOutput="$out" -jar "$JAR" --natives "$W/natives" --model "$MNET" --check >>"$LOG" 2>&1
}

if [[ $WHAT == boot || $WHAT == all ]]; then
  train_aot "$W/small.aot" $SMALL
  train_aot "$W/small_c1.aot" $SMALL -XX:TieredStopAtLevel=1
  echo "== boot: process start -> /ping 200 (5 starts, median): wall ms, and CPU ms used by then; int8 MobileNet 224 ($(du -k "$MNET" | cut -f1) KB), load average $(cut -d' ' -f1 /proc/loadavg) at start"
  for set in default small small_c1 small_aot small_c1_aot; do
    var="flags_$set"
    runs=(); cpus=()
    for i in 1 2 3 4 5; do
      start_server "${!var}" --model "$MNET" --quiet
      runs+=("$BOOT_MS"); cpus+=("$BOOT_CPU_MS")
      stop_server
    done
    printf '%-13s wall %5s ms  cpu %5s ms   wall runs %s   flags: %s\n' "$set" "$(printf '%s\n' "${runs[@]}" | median)" \
      "$(printf '%s\n' "${cpus[@]}" | median)" "${runs[*]}" "${!var:-(none)}"
  done
  echo "   load average $(cut -d' ' -f1 /proc/loadavg) at the end; AOT caches $(du -m "$W/small.aot" | cut -f1) / $(du -m "$W/small_c1.aot" | cut -f1) MB;" \
    "server jar $(du -k "$JAR" | cut -f1) KB, lib/ $(du -sm server/target/lib | cut -f1) MB"
fi

if [[ $WHAT == load || $WHAT == all ]]; then
  IMGS="$W/load-images"
  if [[ ! -d $IMGS ]]; then
    mkdir -p "$IMGS"
    PY="$(tools/ensure-venv.sh | tail -n 1)"
    mapfile -t cal < <(tail -n +2 "$SHARED/imagenet/calibration.csv" | cut -d, -f1 | head -16)
    for i in $(seq 0 7); do cp "$SHARED/imagenet/${cal[$i]}" "$IMGS/img$i.jpg"; done
    for i in $(seq 8 15); do "$PY" -c 'import sys; from PIL import Image; Image.open(sys.argv[1]).convert("RGB").save(sys.argv[2])' \
      "$SHARED/imagenet/${cal[$i]}" "$IMGS/img$i.png"; done
  fi
  FILES=("$IMGS"/*)
  [[ -f "$W/small_c1.aot" ]] || train_aot "$W/small_c1.aot" $SMALL -XX:TieredStopAtLevel=1
  echo "== load: wrk $CONNS connections x ${SECONDS_LOAD}s, POST /predict, 8 JPEG + 8 PNG ImageNet images ($(du -ck "${FILES[@]}" | tail -1 | cut -f1) KB); load average $(cut -d' ' -f1 /proc/loadavg)"
  ceiling() { # $1 = mode, $2 = JVM flags (the server's, without its AOT cache, which belongs to the server's classes)
    # shellcheck disable=SC2086 # flags are words
    "$JAVA" --enable-native-access=ALL-UNNAMED ${2//-XX:AOTCache=*([^ ])/} -cp "$ROOT/server/target/lib/*" \
      bench/java/ServerBaseline.java "$MNET" "$workers" 1 "$SECONDS_LOAD" "$1" "${FILES[@]}" 2>>"$LOG" | sed 's/images_per_second=//'
  }
  for set in ${LOAD_SETS:-small_c1_aot small default}; do
    var="flags_$set"
    # shellcheck disable=SC2086 # optional flag pair
    start_server "${!var}" --model "$MNET" --quiet ${WORKERS:+--workers $WORKERS}
    desc=$(grep -o '[0-9]* workers x [0-9]* threads, queue [0-9]*' "$W/server.out")
    workers=$(echo "$desc" | awk '{print $1}')
    wrk -t1 -c"$CONNS" -d"${SECONDS_LOAD}s" --timeout 30s -s bench/server_load.lua "http://127.0.0.1:$PORT" -- "${FILES[@]}" > "$W/wrk-$set.txt"
    rss=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$SERVER_PID/status")
    stop_server
    rps=$(tail -1 "$W/wrk-$set.txt" | grep -o 'rps=[0-9.]*' | cut -d= -f2)
    # The ceiling right after, under the same machine load: the server's setup without HTTP, same threads.
    full=$(ceiling full "${!var}")
    echo "$set ($desc): $(tail -1 "$W/wrk-$set.txt") peak_rss_mb=$rss"
    echo "   in-process ceiling, $workers threads: $full images/s (decode + resize + invoke) -> server at $(awk -v a="$rps" -v b="$full" 'BEGIN {printf "%.0f", 100 * a / b}')% of it; load average $(cut -d' ' -f1 /proc/loadavg)"
  done
  echo "   invoke only (pre-decoded inputs), $workers threads: $(ceiling invoke "$SMALL") images/s"
fi

if [[ $WHAT == correct || $WHAT == all ]]; then
  # 50 potato images, spread over the three classes (17 + 17 + 16, the first by name in each folder).
  D="$W/potato-50"
  rm -rf "$D"
  n=(17 17 16); k=0
  for c in $(cat "$W/potato-labels.txt"); do
    mkdir -p "$D/$c"
    mapfile -t pick < <(ls "$SHARED/potato/images/$c" | sort)
    for f in "${pick[@]:0:${n[$k]}}"; do ln -s "$SHARED/potato/images/$c/$f" "$D/$c/$f"; done
    k=$((k + 1))
  done
  "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$ROOT/cli/target/mlpack.jar:$ROOT/cli/target/lib/*" bench/java/EvaluateTop1.java \
    "$POTATO" "$D" "$W/potato-labels.txt" 2>>"$LOG" | sort > "$W/evaluate-top1.tsv"
  start_server "" --model "$POTATO" --quiet
  : > "$W/server-top1.tsv"
  for f in "$D"/*/*; do
    idx=$(curl -s -H 'Content-Type: image/jpeg' --data-binary @"$f" "http://127.0.0.1:$PORT/predict?top_k=1" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["predictions"][0]["index"])')
    printf '%s\t%s\n' "$(realpath -s "$f")" "$idx" >> "$W/server-top1.tsv"
  done
  stop_server
  sort -o "$W/server-top1.tsv" "$W/server-top1.tsv"
  total=$(wc -l < "$W/server-top1.tsv")
  same=$(join -t $'\t' "$W/evaluate-top1.tsv" "$W/server-top1.tsv" | awk -F'\t' '$2 == $3' | wc -l)
  echo "== correct: /predict top-1 equals mlpack evaluate's on $same of $total potato images (evaluate listed $(wc -l < "$W/evaluate-top1.tsv"))"
  ./mlpack evaluate --reference "$POTATO" --candidate "$POTATO" --data "$D" --labels "$W/potato-labels.txt" \
    --json "$W/evaluate.json" >>"$LOG" 2>&1
  correct=$(awk -F'\t' 'NR==FNR {lab[NR-1]=$1; next} {split($1, p, "/"); if (lab[$2] == p[length(p)-1]) c++} END {print c+0}' \
    "$W/potato-labels.txt" "$W/server-top1.tsv")
  echo "   top-1 accuracy: server $correct/$total, mlpack evaluate $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["candidate"]["top1"])' "$W/evaluate.json")"
fi
