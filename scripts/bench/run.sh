#!/usr/bin/env bash
# Benchmark: `docker run --rm busybox true` end to end through a VCH, side by side in the same
# run with the docker CLI's own round trip (`docker version`) and with the raw OCI runtime
# running the same busybox bundle in a fresh network namespace.
# Target: run <= docker version + 2 x raw runtime.
#
# Usage: scripts/bench/run.sh [RUNS]   (default 20; root; uses .build/release, else .build/debug)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
bin=${VIC_BIN_DIR:-$PWD/.build/release}
[ -x "$bin/vic-machine" ] || bin=$PWD/.build/debug
runtime=${VIC_RUNTIME:-runc}
lab=vr$(head -c2 /dev/urandom | od -An -tx1 | tr -d ' \n')
state=/run/vic-lab/$lab
vic() { nsenter --net=/run/netns/$lab -- env VIC_STATE_ROOT=$state/state VIC_RUN_ROOT=$state/run VIC_RUNTIME=$runtime "$bin/vic-machine" "$@"; }
cleanup() {
  vic delete --name bench >/dev/null 2>&1 || true
  ip netns del vrraw 2>/dev/null || true
  scripts/lab.sh down "$lab" >/dev/null 2>&1 || true
}
trap cleanup EXIT
scripts/lab.sh up "$lab" >/dev/null
scripts/lab.sh registry "$lab" >/dev/null
vic create --name bench --bridge-network Bridge-DPG --registry-mirror http://10.99.32.1:5000 \
  --tls-cert-path "$state/certs" >"$state/create.log"
host=$(sed -n 's/.*DOCKER_HOST=//p' "$state/create.log")
docker_cli() { nsenter --net=/run/netns/$lab-cpub -- env DOCKER_CERT_PATH=$state/certs DOCKER_CONFIG=$state/docker docker -H "$host" --tls "$@"; }
docker_cli pull busybox >/dev/null

# The raw runtime's bundle: the same busybox layer, unpacked once.
bundle=$state/raw-bundle
mkdir -p "$bundle/rootfs"
layer=$(ls -S "$state/busybox-oci/blobs/sha256" | head -1)
tar -xzf "$state/busybox-oci/blobs/sha256/$layer" -C "$bundle/rootfs"
(cd "$bundle" && runc spec && python3 - <<'PY'
import json
c = json.load(open("config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["true"]
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"] + [{"type": "network", "path": "/run/netns/vrraw"}]
json.dump(c, open("config.json", "w"))
PY
)
raw_runtime=$(command -v "$runtime")
[ "$runtime" = crun ] && raw_runtime="unshare --mount --propagation private sh -c 'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec crun \"\$@\"' crun"

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1e6}'; }
version=() run=() raw=()
for i in $(seq 1 "$runs"); do
  t0=$(now); docker_cli version >/dev/null; t1=$(now); version+=($((t1 - t0)))
  t0=$(now); docker_cli run --rm busybox true; t1=$(now); run+=($((t1 - t0)))
  t0=$(now)
  ip netns add vrraw
  eval "$raw_runtime" --root "$state/rawroot" run --bundle "$bundle" "raw$i" >/dev/null
  ip netns del vrraw
  t1=$(now); raw+=($((t1 - t0)))
done
v=$(printf '%s\n' "${version[@]}" | median)
r=$(printf '%s\n' "${run[@]}" | median)
x=$(printf '%s\n' "${raw[@]}" | median)
printf '%-44s %10s\n' "median of $runs runs ($runtime)" "ms"
printf '%-44s %10s\n' "docker version (CLI round trip)" "$v"
printf '%-44s %10s\n' "$runtime run, same bundle, new netns" "$x"
printf '%-44s %10s\n' "docker run --rm busybox true (vic)" "$r"
printf '%-44s %10s\n' "target: version + 2 x raw" "$(awk -v a="$v" -v b="$x" 'BEGIN{printf "%.1f", a+2*b}')"
