# Shared by the benchmark scripts (source it): a throwaway lab, optionally with a registry,
# and VCHs in it. Nothing here touches the real host's interfaces or firewall.
#
#   bench_lab PREFIX [--registry]   makes lab PREFIXxxxx; sets $lab, $state, $bin, DOCKER_CONFIG
#   bench_vch NAME [FLAGS...]       vic-machine create NAME --no-tls (+ the lab registry as mirror
#                                   when the lab has one); sets $host (IP:2375)
#   vm ARGS...                      vic-machine in the lab with the lab's state roots
#   d ARGS...                       the docker CLI from the public client namespace, -H $host
#   bench_teardown                  deletes the VCHs made here, then the lab (call it from the
#                                   script's own EXIT trap, after the script's own clean-up)
#   bench_raw_bundle NETNS ARGS...  the raw runtime's reference: the busybox layer the lab registry
#                                   serves, unpacked into $state/raw-bundle (sets $bundle), with a
#                                   `runc spec` running ARGS in network namespace NETNS
#   now, median, p90                nanosecond clock; median and 90th percentile in ms of ns
#                                   values read one per line
bin=${VIC_BIN_DIR:-$PWD/.build/release}
[ -x "$bin/vic-machine" ] || bin=$PWD/.build/debug
bench_vchs=()
bench_mirror=()

bench_lab() {
  lab=$1$(head -c2 /dev/urandom | od -An -tx1 | tr -d ' \n')
  state=/run/vic-lab/$lab
  export DOCKER_CONFIG=$state/docker-config
  scripts/lab.sh up "$lab" >/dev/null
  if [ "${2:-}" = --registry ]; then
    scripts/lab.sh registry "$lab" >/dev/null
    bench_mirror=(--registry-mirror http://10.99.32.1:5000)
  fi
}

vm() { nsenter --net="/run/netns/$lab" -- env VIC_STATE_ROOT="$state/state" VIC_RUN_ROOT="$state/run" "$bin/vic-machine" "$@"; }

bench_vch() {
  local name=$1
  shift
  bench_vchs+=("$name")
  vm create --name "$name" --bridge-network Bridge-DPG --no-tls "${bench_mirror[@]}" "$@" >"$state.$name.log" 2>&1 ||
    { cat "$state.$name.log" >&2; return 1; }
  host=$(grep -o 'DOCKER_HOST=[0-9.:]*' "$state.$name.log" | cut -d= -f2)
}

d() { nsenter --net="/run/netns/$lab-cpub" -- docker -H "$host" "$@"; }

bench_teardown() {
  local name
  for name in "${bench_vchs[@]}"; do
    vm delete --name "$name" >/dev/null 2>&1 || true
    rm -f "$state.$name.log"
  done
  scripts/lab.sh down "$lab" >/dev/null 2>&1 || true
}

bench_raw_bundle() {
  local netns=$1 layer
  shift
  bundle=$state/raw-bundle
  mkdir -p "$bundle/rootfs"
  layer=$(ls -S "$state/busybox-oci/blobs/sha256" | head -1)
  tar -xzf "$state/busybox-oci/blobs/sha256/$layer" -C "$bundle/rootfs"
  (cd "$bundle" && runc spec && python3 - "$netns" "$@" <<'PY'
import json, sys
c = json.load(open("config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = sys.argv[2:]
ns = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
c["linux"]["namespaces"] = ns + [{"type": "network", "path": "/run/netns/" + sys.argv[1]}]
json.dump(c, open("config.json", "w"))
PY
  )
}

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1e6}'; }
p90() { sort -n | awk '{a[NR]=$1} END {i=int(NR*0.9); if (i<1) i=1; printf "%.1f", a[i]/1e6}'; }
