#!/usr/bin/env bash
# Runs an image tarball made by `mlpack package --image FILE.tar` without a container engine: unpacks its layers
# (in the order manifest.json lists them) into a root filesystem, mounts /proc as a container runtime would, and
# starts the image's Entrypoint + Cmd with its Env, working directory and User in a chroot. Then checks /ping and
# one /predict. Needs root (chroot, mount). Measures that the image's contents run as its non-root user; what it
# does not exercise: namespaces, cgroups and the engine's own loading of the tarball.
#
#   bench/image_chroot_run.sh IMAGE.tar IMAGE_FILE_FOR_PREDICT [PORT]
set -euo pipefail
tarball="$1"; image="$2"; port="${3:-18090}"
work="$(mktemp -d)"; root="$work/rootfs"; mkdir -p "$root"
cleanup() {
  if [[ -n "${pid:-}" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done   # the server drains, then exits
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # Never remove the tree while /proc is mounted in it.
  if mountpoint -q "$root/proc"; then umount "$root/proc" 2>/dev/null || umount -l "$root/proc"; fi
  mountpoint -q "$root/proc" || rm -rf "$work"
}
trap cleanup EXIT
tar xf "$tarball" -C "$work"
python3 - "$work" > "$work/run.env" <<'PY'
import json, sys, shlex
w = sys.argv[1]
m = json.load(open(f"{w}/manifest.json"))[0]
cfg = json.load(open(f"{w}/{m['Config']}"))["config"]
print("LAYERS=" + shlex.quote(" ".join(m["Layers"])))
print("ENVS=" + shlex.quote(" ".join(cfg.get("Env", []))))
print("WORKDIR=" + shlex.quote(cfg.get("WorkingDir", "/")))
print("USERSPEC=" + shlex.quote(cfg.get("User", "0:0")))
print("CMD=" + shlex.quote(cfg["Cmd"][0]))
print("ENTRY=" + shlex.quote(" ".join(cfg["Entrypoint"])))
PY
# shellcheck disable=SC1091
source "$work/run.env"
for layer in $LAYERS; do tar xzf "$work/$layer" -C "$root" 2>/dev/null; done
mkdir -p "$root/proc" && mount -t proc proc "$root/proc"
echo "image user: $USERSPEC; entrypoint: $ENTRY; workdir: $WORKDIR"
start=$(date +%s.%N)
# shellcheck disable=SC2086 # ENVS is a list of NAME=VALUE words
env -i $ENVS PORT="$port" "$(command -v chroot)" --userspec="$USERSPEC" "$root" /bin/sh -c "cd $WORKDIR && $CMD" > "$work/server.log" 2>&1 &
for _ in $(seq 1 600); do
  if curl -sf "http://127.0.0.1:$port/ping" > /dev/null; then break; fi
  sleep 0.1
done
end=$(date +%s.%N)
pid="$(pgrep -f -- "--port $port" | head -1 || true)"
echo "ping: $(curl -s "http://127.0.0.1:$port/ping") after $(python3 -c "print(round($end-$start,2))") s"
echo "server process user: $(ps -o user= -p "$pid")"
echo "predict: $(curl -s -H 'Content-Type: image/png' --data-binary @"$image" "http://127.0.0.1:$port/predict?top_k=1")"
echo "peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status")"
