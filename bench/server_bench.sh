#!/usr/bin/env bash
# The inference server's acceptance figures (issue 14), each side by side with the baseline in one run: the server and
# Procfile that `mlpack package` generated before this work (git ref $BASELINE_REF, built from `git archive` into the
# work folder), against the current ones. Both package the same int8 ImageNet MobileNet v1 0.25 (../shared/data) for
# Standard-1X with --no-self-check; each archive is extracted into an empty folder and its Procfile's web command runs
# there with PORT set, as Heroku runs it.
#
#   boot      process start -> first 200 from /ping, median of 5, baseline, current and `mlpack serve` alternating; then
#             the current Procfile without its AOT cache, with C1 only (-XX:TieredStopAtLevel=1), both, with the usual
#             JIT thresholds, and with CLDR's locale data (without -Djava.locale.providers=SPI)
#   load      wrk, 16 connections x 30 s after 5 s of warm-up, POST /predict of 16 ImageNet JPEGs (about 500 x 375): requests/s, latency,
#             non-2xx, peak RSS (VmHWM); then the in-process invoke-only rate with the same workers and threads
#             (bench/java/ServerBaseline.java), so served / invoke-only is measured under the same machine load;
#             also `mlpack serve` under the same load, the current server with 2 workers against 2 threads, and with C1
#             only; then decoding alone, libjpeg-turbo against ImageIO
#   throughput  the served / invoke-only ratio of the generated Procfile as the median of ROUNDS (5) rounds, each a
#             load run as above then its invoke-only run
#   small     the load test with the 16 JPEGs shrunk to 256 x 256 (cheap to decode), and decoding alone for both sizes
#   attacks   bench/java/ServerAttacks.java against both: 500 slow-header connections for 30 s with /ping probed every
#             100 ms; 16 concurrent 4096 x 4096 JPEG photos; 17 concurrent bodies of just under 10 MB; a 10 MB multipart
#             of 2048 x 2048 JPEGs then a small request, and one of 805 small JPEGs; malformed requests (a Content-Length
#             that is not a number, a bad URI escape, a 20 KB header, a line that is not HTTP); TF Serving's documented
#             `curl -d '{"instances": ...}'`, the columnar form and an unknown version; SIGTERM under 16 keep-alive
#             clients. Peak RSS after each burst
#   correct   /predict top-1 against `mlpack evaluate`'s (bench/java/EvaluateTop1.java) on 50 potato images (potato
#             model), the 99 held-out ImageNet images (the odd rows of calibration.csv), and 50 of them enlarged 4x
#             (about 2000 x 1500: DCT-scaled by 1/4)
#   engines   the two HTTP engines alone (bench/java/HttpEngines.java: the JDK's HttpServer on virtual threads with its
#             limits, and Jetty 12 as the server configures it), each answering /ping, with the Procfile's JVM flags
#             and an AOT cache each: boot to /ping (median of 5, alternating), CPU by then, /ping requests/s and peak
#             RSS under wrk (16 connections, 10 s), 500 slow-header connections, and the malformed requests
#
#   usage: bench/server_bench.sh [all|boot|load|throughput|small|attacks|correct|engines]...   (default all)
#   env:   MLPACK_SHARED_DATA (../shared/data), MLPACK_BENCH_DIR (~/.cache/mlpack/bench), BASELINE_REF (7f13095, the
#          commit before issue 14), LOAD_SECONDS (30), WARMUP_SECONDS (5), CONNECTIONS (16), ROUNDS (5)
# Needs ../shared/data (skips, exit 0, when absent), wrk and curl (apt-get install wrk curl), the venv
# (tools/ensure-venv.sh) for PIL, git (for the baseline's sources), and the Maven repository already holding the
# project's dependencies (the baseline is built offline).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
WHAT=("${@:-all}")
SHARED="${MLPACK_SHARED_DATA:-$ROOT/../shared/data}"
if [[ ! -d "$SHARED/models/imagenet-mobilenet-v1-0.25-224" || ! -f "$SHARED/imagenet/calibration.csv" || ! -d "$SHARED/potato/images" ]]; then
  echo "server_bench: skipped: the shared data folder $SHARED (models/, imagenet/, potato/) is absent"
  exit 0
fi
for tool in wrk curl git; do command -v $tool >/dev/null || { echo "server_bench: needs $tool (apt-get install $tool)" >&2; exit 1; }; done
want() { local w; for w in "${WHAT[@]}"; do [[ $w == all || $w == "$1" ]] && return 0; done; return 1; }
JH="$(tools/java-home)"
JAVA="$JH/bin/java"
# The Procfiles say "java": Heroku puts its JDK first on PATH; here, the project's Java 25.
export PATH="$JH/bin:$PATH"
W="${MLPACK_BENCH_DIR:-$HOME/.cache/mlpack/bench}/server"
BASELINE_REF=${BASELINE_REF:-7f13095}
SECONDS_LOAD=${LOAD_SECONDS:-30}
WARMUP_SECONDS=${WARMUP_SECONDS:-5}
CONNS=${CONNECTIONS:-16}
mkdir -p "$W"
LOG="$W/log.txt"
: > "$LOG"
export TF_CPP_MIN_LOG_LEVEL=2
PY="$(tools/ensure-venv.sh | tail -n 1)"
load() { cut -d' ' -f1 /proc/loadavg; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- builds: the current CLI and server (./mlpack builds when sources changed), and the baseline's, offline
./mlpack --version >/dev/null
BASE_SRC="$W/baseline-$BASELINE_REF"
if [[ ! -f "$BASE_SRC/cli/target/mlpack.jar" ]]; then
  rm -rf "$BASE_SRC" && mkdir -p "$BASE_SRC"
  git archive "$BASELINE_REF" | tar -x -C "$BASE_SRC"
  (cd "$BASE_SRC" && JAVA_HOME="$JH" mvn -o -q -B -ntp -DskipTests package -pl cli -am >>"$LOG" 2>&1)
fi

# ---- models and images
MNET="$W/mobilenet-int8.tflite"
[[ -f $MNET && $MNET -nt cli/target/mlpack.jar ]] || ./mlpack optimize "$SHARED/models/imagenet-mobilenet-v1-0.25-224" -o "$MNET" \
  --quantize int8 --calibration "$SHARED/imagenet/calibration.csv" --preprocess tf --resize crop \
  --labels "$SHARED/imagenet/labels.txt" >>"$LOG" 2>&1
JPEGS="$W/jpegs"
if [[ ! -d $JPEGS ]]; then
  mkdir -p "$JPEGS"
  i=0
  for f in $(tail -n +2 "$SHARED/imagenet/calibration.csv" | cut -d, -f1 | head -16); do cp "$SHARED/imagenet/$f" "$JPEGS/img$i.jpg"; i=$((i + 1)); done
fi
BIG="$W/big"
if [[ ! -f $BIG/done-2 ]]; then
  rm -rf "$BIG" && mkdir -p "$BIG"
  # Photo-like large JPEGs made from ImageNet images (bicubic enlargement plus sensor-like noise, as a camera's
  # files have): 4096 x 4096 at quality 92; bodies of just under 10 MB; 2048 x 2048 for the deadline's multipart.
  "$PY" - "$SHARED/imagenet" "$BIG" <<'PY'
import io, os, sys, numpy as np
from PIL import Image
src, out = sys.argv[1], sys.argv[2]
names = sorted(f for f in os.listdir(os.path.join(src, "calibration")))[:4]
rng = np.random.default_rng(7)
def photo(name, size):
    im = Image.open(os.path.join(src, "calibration", name)).convert("RGB").resize(size, Image.BICUBIC)
    a = np.asarray(im, dtype=np.int16) + rng.normal(0, 6, (size[1], size[0], 3)).astype(np.int16)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
for i, n in enumerate(names):
    p = photo(n, (4096, 4096))
    p.save(os.path.join(out, f"photo4096_{i}.jpg"), quality=92)
    # A body of just under 10 MB (--max-body): the photo with more noise at quality 100 without chroma subsampling
    # (well over 10 MB), its rows cut, 16 at a time, until the file fits.
    noisy = np.clip(np.asarray(p, dtype=np.int16) + rng.normal(0, 24, (4096, 4096, 3)), 0, 255).astype(np.uint8)
    def encoded(rows):
        b = io.BytesIO(); Image.fromarray(noisy[:rows]).save(b, format="JPEG", quality=100, subsampling=0); return b.getvalue()
    limit = 10 * 1024 * 1024 - 4096
    rows, data = 4096, encoded(4096)
    while len(data) > limit:
        rows = min(rows - 16, int(rows * limit / len(data)) // 16 * 16)
        data = encoded(rows)
    open(os.path.join(out, f"body10mb_{i}.jpg"), "wb").write(data)
    photo(n, (2048, 2048)).save(os.path.join(out, f"photo2048_{i}.jpg"), quality=90)
PY
  # A multipart body of 2048 x 2048 JPEGs, as many as fit in 10 MB.
  "$PY" - "$BIG" <<'PY'
import os, sys
d = sys.argv[1]; parts = []; size = 0; i = 0
files = sorted(f for f in os.listdir(d) if f.startswith("photo2048_"))
while True:
    data = open(os.path.join(d, files[i % len(files)]), "rb").read()
    part = (b"--mlpackbench\r\nContent-Disposition: form-data; name=\"image\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" + data + b"\r\n")
    if size + len(part) + 20 > 10 * 1024 * 1024: break
    parts.append(part); size += len(part); i += 1
open(os.path.join(d, "multipart10mb.bin"), "wb").write(b"".join(parts) + b"--mlpackbench--\r\n")
print(len(parts), "images in the multipart", file=sys.stderr)
PY
  # The issue's case: 805 small images in one 10 MB multipart (more than --max-images).
  "$PY" - "$SHARED/imagenet" "$BIG" <<'PY'
import io, os, sys
from PIL import Image
src, d = sys.argv[1], sys.argv[2]
name = sorted(os.listdir(os.path.join(src, "calibration")))[0]
b = io.BytesIO(); Image.open(os.path.join(src, "calibration", name)).convert("RGB").resize((96, 96)).save(b, format="JPEG", quality=98)
part = b"--mlpackbench\r\nContent-Disposition: form-data; name=\"image\"; filename=\"s.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" + b.getvalue() + b"\r\n"
n = min(805, (10 * 1024 * 1024 - 20) // len(part))
open(os.path.join(d, "multipart805.bin"), "wb").write(part * n + b"--mlpackbench--\r\n")
print(n, "small images in the second multipart", file=sys.stderr)
PY
  touch "$BIG/done-2"
fi

# ---- the two artifacts, extracted
package_app() { # $1 = name, $2.. = the CLI to run
  local name=$1; shift
  rm -rf "$W/$name-app" "$W/$name-run"
  "$@" package "$MNET" --target heroku -o "$W/$name-app" --name mobilenet --no-self-check >>"$LOG" 2>&1
  mkdir -p "$W/$name-run"
  tar -xzf "$W/$name-app/mobilenet.tar.gz" -C "$W/$name-run"
}
package_app baseline "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$BASE_SRC/cli/target/mlpack.jar"
package_app current ./mlpack
web() { sed -n 's/^web: //p' "$W/$1-run/Procfile"; }
echo "baseline ($BASELINE_REF) Procfile: $(web baseline)"
echo "current  ($(git rev-parse --short HEAD)) Procfile: $(web current)"
echo "archives: baseline $(du -k "$W/baseline-app/mobilenet.tar.gz" | cut -f1) KB, current $(du -k "$W/current-app/mobilenet.tar.gz" | cut -f1) KB"

# Starts an app's Procfile command (exec: the PID is Java's) or `mlpack serve`; sets PID, PORT, BOOT_MS and BOOT_CPU_MS,
# the CPU time (user + system, all threads) used by then: on a shared machine the wall time includes waiting for a core.
# EDIT, if set, is a sed script applied to the Procfile's command (a variant of its JVM flags).
start() { # $1 = baseline|current|serve, rest: extra server options
  local which=$1; shift
  PORT=$(free_port)
  local t0 t1
  t0=$(date +%s%N)
  if [[ $which == serve ]]; then
    "$ROOT/mlpack" serve "$MNET" --host 127.0.0.1 --port "$PORT" --workers 1 --quiet "$@" >"$W/server.out" 2>&1 &
  else
    (cd "$W/$which-run" && PORT=$PORT exec bash -c "exec $(web "$which" | sed "${EDIT:-}") --quiet $*") >"$W/server.out" 2>&1 &
  fi
  PID=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/ping"; do
    kill -0 "$PID" 2>/dev/null || { echo "server died:"; cat "$W/server.out"; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  BOOT_MS=$(( (t1 - t0) / 1000000 ))
  BOOT_CPU_MS=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$PID/stat")
}
stop() { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
rss() { awk '/VmHWM/ {print int($2/1024)}' "/proc/$PID/status"; }
invoke_only() { # $1 = threads
  "$JAVA" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -cp "$ROOT/server/target/lib/*" bench/java/ServerBaseline.java \
    "$MNET" "$1" 1 "$SECONDS_LOAD" invoke "$JPEGS"/* 2>>"$LOG" | sed 's/images_per_second=//'
}
decode_only() { # $1 = decode|decode-imageio: one thread decoding the JPEGs to the model's input
  "$JAVA" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -cp "$ROOT/server/target/lib/*" \
    bench/java/ServerBaseline.java "$MNET" 1 1 10 "$1" "${LOAD_DIR:-$JPEGS}"/* 2>>"$LOG" | sed 's/images_per_second=//'
}
attack() { "$JAVA" bench/java/ServerAttacks.java "$@" 2>>"$LOG"; }

if want boot; then
  # mlpack serve prepares its flags, natives and AOT cache once per build: not part of its boot.
  start serve; stop
  echo "== boot: process start -> /ping 200, 5 starts each, alternating; load average $(load)"
  b=(); c=(); s=(); bc=(); cc=(); sc=()
  for i in 1 2 3 4 5; do
    start baseline; b+=("$BOOT_MS"); bc+=("$BOOT_CPU_MS"); stop
    start current; c+=("$BOOT_MS"); cc+=("$BOOT_CPU_MS"); stop
    start serve; s+=("$BOOT_MS"); sc+=("$BOOT_CPU_MS"); stop
  done
  bm=$(printf '%s\n' "${b[@]}" | median); cm=$(printf '%s\n' "${c[@]}" | median); sm=$(printf '%s\n' "${s[@]}" | median)
  bcm=$(printf '%s\n' "${bc[@]}" | median); ccm=$(printf '%s\n' "${cc[@]}" | median); scm=$(printf '%s\n' "${sc[@]}" | median)
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
  echo "baseline Procfile  median ${bm} ms, CPU ${bcm} ms  (${b[*]})"
  echo "current Procfile   median ${cm} ms, CPU ${ccm} ms  (${c[*]})  -> $(ratio "$cm" "$bm") x baseline (CPU $(ratio "$ccm" "$bcm") x)"
  echo "mlpack serve       median ${sm} ms, CPU ${scm} ms  (${s[*]})  -> $(ratio "$sm" "$cm") x current Procfile (CPU $(ratio "$scm" "$ccm") x)"
  echo "   load average $(load) at the end"
  echo "-- the current Procfile without its AOT cache, with C1 only, both, without its compile threshold scaling, or with CLDR's locale data: 5 starts each, alternating; load average $(load)"
  variants=("as generated|" "without the AOT cache|s/ -XX:AOTCache=server.aot//" "C1 only|s/ -XX:-UsePerfData/ -XX:TieredStopAtLevel=1 -XX:-UsePerfData/"
            "C1 only, no AOT cache|s/ -XX:AOTCache=server.aot//; s/ -XX:-UsePerfData/ -XX:TieredStopAtLevel=1 -XX:-UsePerfData/"
            "usual JIT thresholds|s/ -XX:CompileThresholdScaling=10//" "with CLDR's locales|s/ -Djava.locale.providers=SPI//")
  declare -A vw vc
  for i in 1 2 3 4 5; do
    for v in "${variants[@]}"; do
      EDIT="${v#*|}" start current; vw[$v]+="$BOOT_MS "; vc[$v]+="$BOOT_CPU_MS "; stop
    done
  done
  for v in "${variants[@]}"; do
    printf '%-28s median %s ms, CPU %s ms  (%s)\n' "${v%%|*}" "$(printf '%s\n' ${vw[$v]} | median)" "$(printf '%s\n' ${vc[$v]} | median)" "${vw[$v]}"
  done
fi

run_load() { # $1 = label, $2 = baseline|current|serve, $3 = workers (invoke-only threads), rest: server options
  local label=$1 which=$2 threads=$3; shift 3
  start "$which" "$@"
  # Warm: the JIT compiles the request path after ten times the usual calls (-XX:CompileThresholdScaling=10); what
  # a server does once warm is what it does all day.
  wrk -t1 -c"$CONNS" -d"${WARMUP_SECONDS}s" --timeout 30s -s bench/server_load.lua "http://127.0.0.1:$PORT" -- "${LOAD_DIR:-$JPEGS}"/* > /dev/null
  sleep 1 # the warm-up's last 16 requests, abandoned by wrk, still hold the queue until they are answered
  wrk -t1 -c"$CONNS" -d"${SECONDS_LOAD}s" --timeout 30s -s bench/server_load.lua "http://127.0.0.1:$PORT" -- "${LOAD_DIR:-$JPEGS}"/* > "$W/wrk.txt"
  local r; r=$(rss)
  stop
  local line rps inv
  line=$(tail -1 "$W/wrk.txt")
  rps=$(echo "$line" | grep -o 'rps=[0-9.]*' | cut -d= -f2)
  inv=$(invoke_only "$threads")
  printf '%-28s %s peak_rss_mb=%s\n' "$label" "$line" "$r"
  printf '%-28s invoke-only %s images/s with %s thread(s) -> served / invoke-only %s%%; load average %s\n' "" "$inv" "$threads" \
    "$(awk -v a="$rps" -v b="$inv" 'BEGIN {printf "%.0f", 100 * a / b}')" "$(load)"
}

if want load; then
  echo "== load: wrk $CONNS connections x ${SECONDS_LOAD}s, POST /predict?top_k=1, 16 ImageNet JPEGs; load average $(load)"
  run_load "baseline Procfile (1 worker)" baseline 1
  run_load "current Procfile (1 worker)" current 1
  run_load "mlpack serve (1 worker)" serve 1
  run_load "current, --workers 2" current 2 --workers 2
  EDIT='s/ -XX:-UsePerfData/ -XX:TieredStopAtLevel=1 -XX:-UsePerfData/' run_load "current, C1 only, 1 worker" current 1
  echo "decoding alone, 1 thread, 10 s: InputDecoder (libjpeg-turbo) $(decode_only decode) images/s; the same with JPEGs through ImageIO $(decode_only decode-imageio) images/s; load average $(load)"
fi

if want throughput; then
  # One 30 s run of each swings by 15% on these shared cores (other tenants, the other runs' leftovers): the
  # acceptance ratio is taken as the median of ROUNDS rounds, each a served run of the generated Procfile right
  # followed by its invoke-only run.
  echo "== throughput: ${ROUNDS:-5} rounds of the current Procfile (1 worker) served, then invoke-only; load average $(load)"
  ratios=()
  for i in $(seq "${ROUNDS:-5}"); do
    run_load "round $i" current 1 | tee "$W/round.txt"
    ratios+=("$(grep -o 'invoke-only [0-9]*%' "$W/round.txt" | grep -o '[0-9]*')")
  done
  echo "served / invoke-only, median of ${#ratios[@]}: $(printf '%s\n' "${ratios[@]}" | median)% (${ratios[*]})"
fi

if want small; then
  # The same load with the 16 JPEGs shrunk to 256 x 256 (the crop's size: no DCT scaling, a sixth of the pixels): what
  # the HTTP path serves when decoding costs little, against the same invoke-only rate.
  SMALL="$W/jpegs256"
  if [[ ! -f $SMALL.done ]]; then
    rm -rf "$SMALL" && mkdir -p "$SMALL"
    "$PY" - "$JPEGS" "$SMALL" <<'PY'
import os, sys
from PIL import Image
src, out = sys.argv[1:3]
for f in sorted(os.listdir(src)):
    Image.open(os.path.join(src, f)).convert("RGB").resize((256, 256), Image.BICUBIC).save(os.path.join(out, f), quality=90)
PY
    touch "$SMALL.done"
  fi
  echo "== small: wrk $CONNS connections x ${SECONDS_LOAD}s, POST /predict?top_k=1, the 16 JPEGs at 256 x 256; load average $(load)"
  LOAD_DIR="$SMALL" run_load "current Procfile, 256x256 JPEGs" current 1
  echo "decoding alone, 1 thread, 10 s, 256 x 256: $(LOAD_DIR="$SMALL" decode_only decode) images/s; ImageNet-size: $(decode_only decode) images/s; load average $(load)"
fi

if want attacks; then
  echo "== attacks; load average $(load)"
  for which in baseline current; do
    start "$which"
    echo "-- $which: $(attack slowloris "$PORT" 500 30)"
    stop
    start "$which"
    echo "-- $which: 16 x 4096x4096 JPEG photos ($(du -k "$BIG/photo4096_0.jpg" | cut -f1) KB): $(attack burst "$PORT" 16 image/jpeg "$BIG"/photo4096_*.jpg) peak_rss_mb=$(rss)"
    echo "-- $which: 17 x 10 MB bodies ($(du -k "$BIG/body10mb_0.jpg" | cut -f1) KB JPEGs): $(attack burst "$PORT" 17 image/jpeg "$BIG"/body10mb_*.jpg) peak_rss_mb=$(rss)"
    t0=$(date +%s%N)
    status=$(curl -s -o "$W/multipart.json" -w '%{http_code}' --max-time 60 -H 'Content-Type: multipart/form-data; boundary=mlpackbench' \
      --data-binary @"$BIG/multipart10mb.bin" "http://127.0.0.1:$PORT/predict?top_k=1" || echo "no-answer")
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    next=$(curl -s -o /dev/null -w '%{http_code} in %{time_total} s' --max-time 60 -H 'Content-Type: image/jpeg' --data-binary @"$JPEGS/img0.jpg" \
      "http://127.0.0.1:$PORT/predict" || echo "no-answer")
    echo "-- $which: 10 MB multipart of $(grep -c 'name="image"' "$BIG/multipart10mb.bin") 2048x2048 JPEGs: $status after $ms ms ($(head -c 100 "$W/multipart.json")); the next request: $next; peak_rss_mb=$(rss)"
    t0=$(date +%s%N)
    status=$(curl -s -o "$W/multipart.json" -w '%{http_code}' --max-time 60 -H 'Content-Type: multipart/form-data; boundary=mlpackbench' \
      --data-binary @"$BIG/multipart805.bin" "http://127.0.0.1:$PORT/predict?top_k=1" || echo "no-answer")
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    echo "-- $which: 10 MB multipart of $(grep -c 'name="image"' "$BIG/multipart805.bin") small JPEGs: $status after $ms ms ($(head -c 100 "$W/multipart.json"))"
    echo "-- $which: $(attack protocol "$PORT")"
    # The name TF Serving clients must use: the current server's is --model-name (the app name), the baseline's the metadata's.
    name=$(curl -s "http://127.0.0.1:$PORT/metrics" | sed -n 's/^mlpack_model_info{name="\([^"]*\)".*/\1/p')
    b64=$(base64 -w0 "$JPEGS/img0.jpg")
    row=$(curl -s -o /dev/null -w '%{http_code}' -d "{\"instances\": [{\"b64\": \"$b64\"}]}" -X POST "http://127.0.0.1:$PORT/v1/models/$name:predict")
    col=$(curl -s -o /dev/null -w '%{http_code}' -d "{\"inputs\": [{\"b64\": \"$b64\"}]}" -X POST "http://127.0.0.1:$PORT/v1/models/$name:predict")
    ver=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1/models/$name/versions/999")
    echo "-- $which: TF Serving (model $name): curl -d '{\"instances\": [{\"b64\": ...}]}': $row; '{\"inputs\": ...}': $col; /versions/999: $ver"
    stop
    start "$which"
    echo "-- $which: $(attack drain "$PORT" 16 5 "$PID" "$JPEGS/img0.jpg") exit_code=$(wait "$PID"; echo $?)"
  done
fi

if want correct; then
  top1() { # server top-1 of every file under $1 -> $2 (FILE<TAB>INDEX), against the app already started
    : > "$2"
    for f in "$1"/*/*; do
      idx=$(curl -s -H 'Content-Type: image/jpeg' --data-binary @"$f" "http://127.0.0.1:$PORT/predict?top_k=1" \
        | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["predictions"][0]["index"] if "predictions" in a else "error: " + a.get("error", "?"))')
      printf '%s\t%s\n' "$(realpath -s "$f")" "$idx" >> "$2"
    done
    sort -o "$2" "$2"
  }
  evaluate_top1() { # $1 model, $2 data, $3 labels -> stdout
    "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$ROOT/cli/target/mlpack.jar:$ROOT/cli/target/lib/*" bench/java/EvaluateTop1.java \
      "$1" "$2" "$3" 2>>"$LOG" | sort
  }
  agree() { join -t $'\t' "$1" "$2" | awk -F'\t' '$2 == $3 {s++} END {print s + 0}'; }
  correct() { awk -F'\t' '{n = split($1, p, "/"); if (p[n - 1] == $2) s++} END {print s + 0}' "$1"; } # class folder = index
  same_as_original() { # $1 = a 4x listing: how many top-1 equal evaluate's on the original-size image (by file name)
    awk -F'\t' 'NR == FNR {n = split($1, p, "/"); o[p[n]] = $2; next} {n = split($1, p, "/"); if (o[p[n]] == $2) s++} END {print s + 0}' \
      "$W/eval-imagenet.tsv" "$1"
  }
  # ImageNet: the 99 odd rows (held out from calibration), and the first 50 of them that stay within the server's pixel
  # limit (4096 x 4096) when enlarged 4x (DCT-scaled by 1/4 when served).
  IN="$W/imagenet-heldout"; IN4="$W/imagenet-4x"
  if [[ ! -f $IN4/done-2 ]]; then
    rm -rf "$IN" "$IN4"
    "$PY" - "$SHARED/imagenet" "$IN" "$IN4" <<'PY'
import csv, os, sys
from PIL import Image
src, out, out4 = sys.argv[1:4]
rows = list(csv.reader(open(os.path.join(src, "calibration.csv"))))[1:]
enlarged = 0
for path, label in rows[1::2]:
    os.makedirs(os.path.join(out, label), exist_ok=True)
    os.symlink(os.path.join(src, path), os.path.join(out, label, os.path.basename(path)))
    im = Image.open(os.path.join(src, path)).convert("RGB")
    if enlarged < 50 and max(im.size) <= 1024:
        os.makedirs(os.path.join(out4, label), exist_ok=True)
        im.resize((im.width * 4, im.height * 4), Image.BICUBIC).save(os.path.join(out4, label, os.path.basename(path)), quality=92)
        enlarged += 1
open(os.path.join(out4, "done-2"), "w").close()
PY
  fi
  awk '{print NR - 1}' "$SHARED/imagenet/labels.txt" > "$W/imagenet-index-labels.txt"
  POTATO="$W/potato-int8.tflite"
  ls "$SHARED/potato/images" > "$W/potato-labels.txt"
  [[ -f $POTATO && $POTATO -nt cli/target/mlpack.jar ]] || ./mlpack optimize "$SHARED/models/potato-cnn-tfkeras-2.11" -o "$POTATO" \
    --quantize int8 --calibration "$SHARED/potato/images" --calibration-samples 100 --preprocess raw --resize bilinear \
    --labels "$W/potato-labels.txt" >>"$LOG" 2>&1
  P50="$W/potato-50"
  rm -rf "$P50"; n=(17 17 16); k=0
  for c in $(cat "$W/potato-labels.txt"); do
    mkdir -p "$P50/$c"
    mapfile -t pick < <(ls "$SHARED/potato/images/$c" | sort)
    for f in "${pick[@]:0:${n[$k]}}"; do ln -s "$SHARED/potato/images/$c/$f" "$P50/$c/$f"; done
    k=$((k + 1))
  done
  echo "== correct: /predict top-1 (current server, Procfile flags) against mlpack evaluate's, image by image"
  for set in "potato:$POTATO:$P50:$W/potato-labels.txt" "imagenet:$MNET:$IN:$W/imagenet-index-labels.txt" \
             "imagenet-4x:$MNET:$IN4:$W/imagenet-index-labels.txt"; do
    IFS=: read -r name model data labels <<< "$set"
    evaluate_top1 "$model" "$data" "$labels" > "$W/eval-$name.tsv"
    PORT=$(free_port)
    (cd "$W/current-run" && PORT=$PORT exec bash -c "exec $(web current | sed "s|--model model.tflite|--model $model|") --quiet") >"$W/server.out" 2>&1 &
    PID=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$PORT/ping"; do sleep 0.05; done
    top1 "$data" "$W/server-$name.tsv"
    stop
    echo "$name: $(agree "$W/eval-$name.tsv" "$W/server-$name.tsv") of $(wc -l < "$W/server-$name.tsv") identical (evaluate listed $(wc -l < "$W/eval-$name.tsv"); server errors: $(grep -c $'\terror' "$W/server-$name.tsv" || true))"
    if [[ $name == imagenet* ]]; then
      echo "   top-1 accuracy: evaluate $(correct "$W/eval-$name.tsv"), server $(correct "$W/server-$name.tsv")"
      if [[ $name == imagenet-4x ]]; then
        echo "   top-1 as on the original-size image: evaluate $(same_as_original "$W/eval-$name.tsv"), server $(same_as_original "$W/server-$name.tsv")"
      fi
    fi
  done
fi

if want engines; then
  echo "== engines: /ping on each HTTP engine alone (bench/java/HttpEngines.java), the Procfile's JVM flags, an AOT cache each; load average $(load)"
  E="$W/engines"
  rm -rf "$E" && mkdir -p "$E/classes"
  "$JH/bin/javac" -d "$E/classes" -cp "$ROOT/server/target/lib/*" bench/java/HttpEngines.java
  "$JH/bin/jar" cf "$E/engines.jar" -C "$E/classes" .
  ECP="$E/engines.jar:$(ls "$ROOT"/server/target/lib/*.jar | tr '\n' ':' | sed 's/:$//')"
  read -ra FLAGS <<< "$(web current | sed 's/^java //; s/ -XX:AOTCache=.*//')"
  engine_start() { # $1 = jdk|jetty, rest: JVM options; sets PID, PORT, BOOT_MS, BOOT_CPU_MS
    local which=$1; shift
    PORT=$(free_port)
    local t0; t0=$(date +%s%N)
    "$JAVA" "${FLAGS[@]}" "$@" -cp "$ECP" HttpEngines "$which" "$PORT" >"$W/server.out" 2>&1 &
    PID=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$PORT/ping"; do sleep 0.005; done
    BOOT_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
    BOOT_CPU_MS=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$PID/stat")
  }
  for e in jdk jetty; do # the AOT cache's training run: a boot and some /ping, written at exit
    engine_start $e -XX:AOTCacheOutput="$E/$e.aot"
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/ping"; done
    stop
  done
  declare -A wall cpu
  for i in 1 2 3 4 5; do
    for e in jdk jetty; do
      engine_start $e -XX:AOTCache="$E/$e.aot"; wall[$e]+="$BOOT_MS "; cpu[$e]+="$BOOT_CPU_MS "; stop
    done
  done
  for e in jdk jetty; do
    engine_start $e -XX:AOTCache="$E/$e.aot"
    rps=$(wrk -t1 -c16 -d10s "http://127.0.0.1:$PORT/ping" | awk '/Requests\/sec/ {print $2}')
    echo "$e: boot median $(printf '%s\n' ${wall[$e]} | median) ms (${wall[$e]}), CPU $(printf '%s\n' ${cpu[$e]} | median) ms; /ping ${rps} requests/s, peak_rss_mb=$(rss)"
    stop
    engine_start $e -XX:AOTCache="$E/$e.aot"
    echo "$e: $(attack slowloris "$PORT" 500 15)"
    echo "$e: $(attack protocol "$PORT")"
    stop
  done
fi
