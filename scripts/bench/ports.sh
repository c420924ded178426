#!/usr/bin/env bash
# Benchmark: published ports (issue 5), side by side with references measured in the same run.
#   - throughput: iperf3, one stream, 5 s, from the public client through PUBLIC_IP:5201 (DNAT in
#     the appliance), against the same client straight to the container IP over the bridge port
#     group (the client namespace gets a second NIC there for the reference);
#   - connection rate: wrk against busybox httpd, through the published port and direct;
#   - for both, a second reference that isolates the cost of the NAT from the cost of the hop:
#     the client routed to the container IP through the appliance without NAT (a /32 route via
#     PUBLIC_IP, and a forward rule the benchmark inserts into the appliance's table only for
#     those rounds: the VCH itself never forwards public traffic that it did not publish);
#   - time to publish: `docker start` with 0 (reference), 1, 10 and 100 published ports.
# iperf3's server runs in the container's network namespace (the busybox image has no iperf3);
# the data path is the container's.
#
# Usage: scripts/bench/ports.sh [RUNS] [ROUNDS]   (default 5 starts per port count and 3
#        alternating throughput rounds; needs root and a build)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
runs=${1:-5}
rounds=${2:-3}
iperf_pid=
cleanup() {
  [ -n "$iperf_pid" ] && kill "$iperf_pid" 2>/dev/null || true
  bench_teardown
}
trap cleanup EXIT
bench_lab vp --registry
bench_vch pb
public=${host%:*}
d pull -q busybox >/dev/null

# One httpd per round and path (ports 81...): busybox httpd closes each connection, and the
# server's TIME_WAIT sockets of one round would slow the next round's connects from the same
# client address to the same port. Published and direct differ in client address; the routed
# reference shares the published one's, so it gets ports of its own (80 + rounds + round).
[ "$rounds" -le 9 ] || { echo "ports.sh: at most 9 rounds" >&2; exit 2; }
id=$(d run -d --name srv -p 5201:5201 -p "8081-$((8080 + rounds)):81-$((80 + rounds))" busybox sh -c \
  "mkdir -p /www && echo ok > /www/index.html && for p in \$(seq 81 $((80 + 2 * rounds))); do httpd -p \$p -h /www; done && exec sleep 100000")
cip=$(d inspect -f '{{.NetworkSettings.IPAddress}}' srv)
nsenter --net=/run/netns/vch-pb-${id:0:12} -- iperf3 -s >/dev/null 2>&1 &
iperf_pid=$!
# The reference path: a second NIC for the public client, on the bridge port group.
ip -n "$lab" link add "$lab-xb" type veth peer name br0 netns "$lab-cpub"
ip -n "$lab" link set "$lab-xb" master bridgedpg up
ip -n "$lab-cpub" addr add 172.16.255.250/16 dev br0
ip -n "$lab-cpub" link set br0 up
client=$(ip -n "$lab-cpub" -4 -o addr show eth0 | awk '{sub("/.*", "", $4); print $4}')
appliance=vch-pb
routed() {  # on|off: the no-NAT reference through the appliance
  if [ "$1" = on ]; then
    ip -n "$lab-cpub" route add "$cip/32" via "$public" src "$client"
    nsenter --net=/run/netns/$appliance -- nft insert rule inet vic forward \
      iifname '"public"' oifname '"bridge"' ip daddr "$cip" accept comment '"ports.sh reference"'
  else
    ip -n "$lab-cpub" route del "$cip/32"
    local h
    h=$(nsenter --net=/run/netns/$appliance -- nft -a list chain inet vic forward |
      awk '/ports.sh reference/ {print $NF}')
    nsenter --net=/run/netns/$appliance -- nft delete rule inet vic forward handle "$h"
  fi
}
sleep 1

iperf() { nsenter --net=/run/netns/$lab-cpub -- iperf3 -c "$1" -p 5201 -t 5 -J | jq '.end.sum_received.bits_per_second / 1e9'; }
wrkrate() { nsenter --net=/run/netns/$lab-cpub -- wrk -t1 -c8 -d5s "http://$1/" | awk '/Requests\/sec/ {print $2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2fx", a/b}'; }
mid() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# Published, direct and routed alternate, $rounds times each, so that the machine's drift (two noisy
# cores) falls on both sides alike; the medians are compared.
tp_pub=() tp_dir=() tp_rt=() cr_pub=() cr_dir=() cr_rt=()
for round in $(seq 1 "$rounds"); do
  tp_pub+=("$(iperf "$public")"); tp_dir+=("$(iperf "$cip")")
  cr_pub+=("$(wrkrate "$public:$((8080 + round))")"); cr_dir+=("$(wrkrate "$cip:$((80 + round))")")
  routed on
  tp_rt+=("$(iperf "$cip")"); cr_rt+=("$(wrkrate "$cip:$((80 + rounds + round))")")
  routed off
done
tp_p=$(printf '%s\n' "${tp_pub[@]}" | mid) tp_d=$(printf '%s\n' "${tp_dir[@]}" | mid)
cr_p=$(printf '%s\n' "${cr_pub[@]}" | mid) cr_d=$(printf '%s\n' "${cr_dir[@]}" | mid)
tp_r=$(printf '%s\n' "${tp_rt[@]}" | mid) cr_r=$(printf '%s\n' "${cr_rt[@]}" | mid)
printf '%-30s %10s %8s %7s %12s %7s\n' "measure (median of $rounds)" "published" "direct" "ratio" "routed,noNAT" "ratio"
printf '%-30s %10.2f %8.2f %7s %12.2f %7s\n' "iperf3 1 stream 5 s (Gbit/s)" "$tp_p" "$tp_d" \
  "$(ratio "$tp_p" "$tp_d")" "$tp_r" "$(ratio "$tp_p" "$tp_r")"
printf '%-30s %10.0f %8.0f %7s %12.0f %7s\n' "wrk httpd 5 s (requests/s)" "$cr_p" "$cr_d" \
  "$(ratio "$cr_p" "$cr_d")" "$cr_r" "$(ratio "$cr_p" "$cr_r")"
echo "  iperf3 published: ${tp_pub[*]}; direct: ${tp_dir[*]}; routed: ${tp_rt[*]}"
echo "  wrk published: ${cr_pub[*]}; direct: ${cr_dir[*]}; routed: ${cr_rt[*]}"

start_time() {  # $1: number of published ports
  local flags=() times=()
  [ "$1" -gt 0 ] && flags=(-p "20000-$((20000 + $1 - 1)):20000-$((20000 + $1 - 1))")
  for _ in $(seq 1 "$runs"); do
    d create --name pt "${flags[@]}" busybox sleep 60 >/dev/null
    local t0; t0=$(now)
    d start pt >/dev/null
    times+=($(( $(now) - t0 )))
    d rm -f pt >/dev/null
  done
  printf '%s\n' "${times[@]}" | median
}
base=$(start_time 0)
printf '%-34s %14s %14s %8s\n' "docker start, median of $runs (ms)" "ports" "0 ports" "ratio"
for n in 1 10 100; do
  t=$(start_time "$n")
  printf '%-34s %14s %14s %8s\n' "  with $n published" "$t" "$base" "$(ratio "$t" "$base")"
done
