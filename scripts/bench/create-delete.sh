#!/usr/bin/env bash
# Benchmark: median wall time of `vic-machine create` and `delete` in a throwaway lab, DHCP
# included, side by side with a reference measured in the same run: the bare plumbing a VCH
# needs (namespace, veth on the port group, one DHCP lease, teardown) done with ip and udhcpc.
#
# Usage: scripts/bench/create-delete.sh [RUNS]   (default 10; needs root and a build)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
bin=${VIC_BIN_DIR:-$PWD/.build/release}
[ -x "$bin/vic-machine" ] || bin=$PWD/.build/debug
lab=vb$(head -c2 /dev/urandom | od -An -tx1 | tr -d ' \n')
state=/run/vic-lab/$lab
cleanup() { scripts/lab.sh down "$lab" >/dev/null 2>&1 || true; }
trap cleanup EXIT
scripts/lab.sh up "$lab" >/dev/null

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.0f", m/1e6}'; }
in_lab() { nsenter --net=/run/netns/$lab -- "$@"; }

create_times=() delete_times=() ref_up=() ref_down=()
for i in $(seq 1 "$runs"); do
  t0=$(now)
  in_lab env VIC_STATE_ROOT=$state/state VIC_RUN_ROOT=$state/run "$bin/vic-machine" create --name bench \
    --bridge-network Bridge-DPG --tls-cert-path "$state/certs" >/dev/null
  t1=$(now)
  in_lab env VIC_STATE_ROOT=$state/state VIC_RUN_ROOT=$state/run "$bin/vic-machine" delete --name bench >/dev/null
  t2=$(now)
  create_times+=($((t1 - t0))) delete_times+=($((t2 - t1)))

  # Reference: the same plumbing by hand.
  t0=$(now)
  ip netns add vbref
  ip -n vbref link set lo up
  ip -n "$lab" link add vbref-p type veth peer name public netns vbref
  ip -n "$lab" link set vbref-p master vmnet up
  ip -n vbref link set public up
  nsenter --net=/run/netns/vbref -- busybox udhcpc -f -q -n -t 8 -T 1 -A 1 -i public -s /bin/true >/dev/null 2>&1
  t1=$(now)
  ip -n "$lab" link del vbref-p
  ip netns del vbref
  t2=$(now)
  ref_up+=($((t1 - t0))) ref_down+=($((t2 - t1)))
done

printf '%-28s %10s %16s %8s\n' "operation ($runs runs)" "vic (ms)" "reference (ms)" "ratio"
c=$(printf '%s\n' "${create_times[@]}" | median); r=$(printf '%s\n' "${ref_up[@]}" | median)
printf '%-28s %10s %16s %8s\n' "create (median)" "$c" "$r" "$(awk -v a="$c" -v b="$r" 'BEGIN{printf "%.1fx", a/b}')"
d=$(printf '%s\n' "${delete_times[@]}" | median); r=$(printf '%s\n' "${ref_down[@]}" | median)
printf '%-28s %10s %16s %8s\n' "delete (median)" "$d" "$r" "$(awk -v a="$d" -v b="$r" 'BEGIN{printf "%.1fx", a/b}')"
echo "reference: ip netns add + veth on the port group + one udhcpc lease; teardown: ip link del + ip netns del"
