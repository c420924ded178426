#!/usr/bin/env bash
# Benchmark: the embedded DNS server answering a container-name lookup from a container, side
# by side in the same run with dnsmasq answering the same name from a hosts file on the same
# box. Both servers sit one veth hop from the client: vic's on the bridge gateway (in the
# appliance), dnsmasq in a namespace of its own on the bridge port group.
# The client is a Python UDP loop run in the container's network namespace: 2000 sequential
# queries (p50, p99 latency), then 5 s with 16 queries in flight (queries per second).
#
# Usage: scripts/bench/dns.sh   (needs root and a build; makes and removes its own lab)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
dnsmasq_pid=
cleanup() {
  [ -n "$dnsmasq_pid" ] && kill "$dnsmasq_pid" 2>/dev/null || true
  ip netns del "$lab-dq" 2>/dev/null || true
  rm -f "$state.hosts"
  bench_teardown
}
trap cleanup EXIT
bench_lab vd --registry
bench_vch db
d pull -q busybox >/dev/null
d run -d --name target busybox sleep 600 >/dev/null
id=$(d run -d --name client busybox sleep 600)
target_ip=$(d inspect -f '{{.NetworkSettings.IPAddress}}' target)

# The reference: dnsmasq with a hosts file, on the bridge port group.
ip netns add "$lab-dq"
ip -n "$lab" link add "$lab-dq" type veth peer name eth0 netns "$lab-dq"
ip -n "$lab" link set "$lab-dq" master bridgedpg up
ip -n "$lab-dq" addr add 172.16.255.253/16 dev eth0
ip -n "$lab-dq" link set eth0 up
ip -n "$lab-dq" link set lo up
echo "$target_ip target" >"$state.hosts"
nsenter --net=/run/netns/$lab-dq -- /usr/sbin/dnsmasq --keep-in-foreground --no-resolv --no-hosts \
  --addn-hosts="$state.hosts" --listen-address=172.16.255.253 --bind-interfaces --port=53 --cache-size=0 &
dnsmasq_pid=$!
sleep 1

client='
import os, random, socket, struct, sys, time
server, name = sys.argv[1], sys.argv[2]
def query(qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1); s.connect((server, 53))
lat = []
for i in range(2000):
    t = time.perf_counter(); s.send(query(i)); r = s.recv(512); lat.append(time.perf_counter() - t)
    assert r[3] & 15 == 0 and struct.unpack(">H", r[6:8])[0] >= 1, "no answer"
lat.sort()
s.setblocking(False); sent = done = 0; end = time.perf_counter() + 5
while time.perf_counter() < end:
    while sent - done < 16:
        s.send(query(sent & 0xffff)); sent += 1
    try:
        while True: s.recv(512); done += 1
    except BlockingIOError: pass
print("%.3f %.3f %.0f" % (lat[999] * 1e3, lat[1979] * 1e3, done / 5))
'
run_client() { nsenter --net=/run/netns/vch-db-${id:0:12} -- python3 -c "$client" "$1" target; }
read -r vp50 vp99 vqps < <(run_client 172.16.0.1)
read -r rp50 rp99 rqps < <(run_client 172.16.255.253)
printf '%-30s %12s %12s %8s\n' "container-name lookup" "vic DNS" "dnsmasq" "ratio"
printf '%-30s %12s %12s %8s\n' "p50 latency (ms)" "$vp50" "$rp50" "$(awk -v a="$vp50" -v b="$rp50" 'BEGIN{printf "%.2fx", a/b}')"
printf '%-30s %12s %12s %8s\n' "p99 latency (ms)" "$vp99" "$rp99" "$(awk -v a="$vp99" -v b="$rp99" 'BEGIN{printf "%.2fx", a/b}')"
printf '%-30s %12s %12s %8s\n' "queries/s, 16 in flight, 5 s" "$vqps" "$rqps" "$(awk -v a="$vqps" -v b="$rqps" 'BEGIN{printf "%.2fx", a/b}')"
