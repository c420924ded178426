#!/usr/bin/env bash
# Benchmark: docker networks on a VCH.
#   - `docker network create` + `rm`, median of RUNS, next to `docker network ls` (the CLI's own
#     round trip for a network call) measured in the same run;
#   - 500 user networks on a VCH made with `--bridge-network-width 28` on a /16 range: the time
#     to create them (4 clients in parallel), vchd's RSS before and after, and `network ls` time.
#     Each network is a Linux bridge in the lab's host namespace plus an appliance NIC; all are
#     removed again.
#
# Usage: scripts/bench/networks.sh [RUNS] [COUNT]   (defaults 20 and 500; root and a build)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
runs=${1:-20}
count=${2:-500}
trap bench_teardown EXIT
bench_lab vn
bench_vch nb --bridge-network-range 172.16.0.0/16 --bridge-network-width 28
rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$(cat "$state/run/nb/vchd.pid")/status"; }

cr=() ls_times=()
for _ in $(seq 1 "$runs"); do
  t0=$(now); d network create bench >/dev/null; d network rm bench >/dev/null; t1=$(now)
  d network ls -q >/dev/null; t2=$(now)
  cr+=($((t1 - t0))) ls_times+=($((t2 - t1)))
done
printf '%-40s %12s\n' "measure" "value"
printf '%-40s %12s\n' "network create + rm, median (ms)" "$(printf '%s\n' "${cr[@]}" | median)"
printf '%-40s %12s\n' "network ls round trip, median (ms)" "$(printf '%s\n' "${ls_times[@]}" | median)"

before=$(rss)
t0=$(now)
seq 1 "$count" | xargs -P 4 -I{} sh -c "nsenter --net=/run/netns/$lab-cpub -- docker -H $host network create n{} >/dev/null"
t1=$(now)
made=$(d network ls -q --filter type=custom | wc -l)
after=$(rss)
t2=$(now); d network ls >/dev/null; t3=$(now)
printf '%-40s %12s\n' "networks created (of $count)" "$made"
printf '%-40s %12.1f\n' "create $count networks, 4 clients (s)" "$(awk -v a=$t0 -v b=$t1 'BEGIN{print (b-a)/1e9}')"
printf '%-40s %12s\n' "vchd RSS before (MiB)" "$before"
printf '%-40s %12s\n' "vchd RSS with $count networks (MiB)" "$after"
printf '%-40s %12.1f\n' "network ls with $count (ms)" "$(awk -v a=$t2 -v b=$t3 'BEGIN{print (b-a)/1e6}')"
t0=$(now)
d network prune -f >/dev/null
t1=$(now)
printf '%-40s %12.1f\n' "network prune of $count (s)" "$(awk -v a=$t0 -v b=$t1 'BEGIN{print (b-a)/1e9}')"
printf '%-40s %12s\n' "networks left" "$(d network ls -q --filter type=custom | wc -l)"
