#!/usr/bin/env bash
# Benchmark: `docker run --rm busybox true` end to end through a VCH, side by side in the same
# run with the docker CLI's own round trip (`docker version`) and with the raw OCI runtime
# running the same busybox bundle in a fresh network namespace. Prints figures; asserts nothing.
# Target: run <= docker version + 2 x raw runtime.
#
# Usage: scripts/bench/run.sh [RUNS]   (default 20; root; uses .build/release, else .build/debug)
#   RUNTIMES="runc crun"   the runtimes to measure, one VCH each (default: both; VIC_RUNTIME=X
#                          measures only X). vchd gets VIC_RUNTIME through vic-machine's environment.
# Everything runs in a throwaway lab (scripts/lab.sh) and is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
. scripts/bench/lib.sh
runtimes=${RUNTIMES:-${VIC_RUNTIME:-runc crun}}
lab=vr$(head -c2 /dev/urandom | od -An -tx1 | tr -d ' \n')
state=/run/vic-lab/$lab
rawns=$lab-raw
current=""
vic() { nsenter --net=/run/netns/$lab -- env VIC_STATE_ROOT=$state/state VIC_RUN_ROOT=$state/run "$@"; }
cleanup() {
  set +e
  [ -z "$current" ] || vic "$bin/vic-machine" delete --name "$current" >/dev/null 2>&1
  ip netns del "$rawns" 2>/dev/null
  for r in $runtimes; do [ -d "$state/rawroot-$r" ] && rm -rf "$state/rawroot-$r"; done
  scripts/lab.sh down "$lab" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM
scripts/lab.sh up "$lab" >/dev/null
scripts/lab.sh registry "$lab" >/dev/null

# The raw runtime's bundle: the same busybox layer the registry serves, unpacked once.
bench_raw_bundle "$rawns" true


# raw RUNTIME ID: the runtime runs the bundle once in a new network namespace, as vchd would.
raw() {
  local runtime=$1 id=$2
  ip netns add "$rawns"
  if [ "$runtime" = crun ] && [ ! -e /sys/fs/cgroup/cgroup.controllers ] && [ -e /sys/fs/cgroup/unified/cgroup.controllers ]; then
    # Hybrid cgroups: crun 1.8 refuses them; hide the cgroup2 mount the way the old per-call
    # wrapper did (vchd now does it in-process through vic-shim, cheaper than this reference).
    unshare --mount --propagation private sh -c 'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"' crun \
      --root "$state/rawroot-crun" run --bundle "$bundle" "$id" >/dev/null
  else
    timeout 30 "$runtime" --root "$state/rawroot-$runtime" run --bundle "$bundle" "$id" >/dev/null
  fi
  ip netns del "$rawns"
}

results=()
for runtime in $runtimes; do
  current=bench-$runtime
  vic env VIC_RUNTIME="$runtime" "$bin/vic-machine" create --name "$current" --bridge-network Bridge-DPG \
    --registry-mirror http://10.99.32.1:5000 --tls-cert-path "$state/certs-$runtime" >"$state/create-$runtime.log"
  host=$(sed -n 's/.*DOCKER_HOST=//p' "$state/create-$runtime.log")
  docker_cli() {
    timeout 60 nsenter --net=/run/netns/$lab-cpub -- \
      env DOCKER_CERT_PATH=$state/certs-$runtime DOCKER_CONFIG=$state/docker docker -H "$host" --tls "$@"
  }
  docker_cli pull busybox >/dev/null
  used=$(docker_cli info --format '{{.DefaultRuntime}}')
  # One warm-up of each, not counted.
  docker_cli run --rm busybox true
  raw "$runtime" warm

  version=() run=() rawt=()
  for i in $(seq 1 "$runs"); do
    t0=$(now); docker_cli version >/dev/null; t1=$(now); version+=($((t1 - t0)))
    t0=$(now); docker_cli run --rm busybox true; t1=$(now); run+=($((t1 - t0)))
    t0=$(now); raw "$runtime" "raw$i"; t1=$(now); rawt+=($((t1 - t0)))
  done
  v=$(printf '%s\n' "${version[@]}" | median)
  r=$(printf '%s\n' "${run[@]}" | median)
  x=$(printf '%s\n' "${rawt[@]}" | median)
  target=$(awk -v a="$v" -v b="$x" 'BEGIN{printf "%.1f", a+2*b}')
  verdict=$(awk -v r="$r" -v t="$target" 'BEGIN{print (r <= t) ? "met" : "missed"}')
  printf '%-46s %10s\n' "median of $runs runs, runtime $runtime (vchd: $used)" "ms"
  printf '%-46s %10s\n' "docker version (CLI round trip)" "$v"
  printf '%-46s %10s\n' "$runtime run, same bundle, new netns" "$x"
  printf '%-46s %10s\n' "docker run --rm busybox true (vic)" "$r"
  printf '%-46s %10s\n' "target: docker version + 2 x raw" "$target"
  printf '%-46s %10s\n' "run <= docker version + 2 x raw" "$verdict"
  echo
  results+=("$runtime: run $r ms, target $target ms ($verdict)")
  vic "$bin/vic-machine" delete --name "$current" >/dev/null
  current=""
done
printf '%s\n' "${results[@]}"
echo "bin: $bin"
