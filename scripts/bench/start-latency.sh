#!/usr/bin/env bash
# Benchmark: create-to-running latency inside vchd, from its own event stream: for each
# `docker run -d busybox sleep 60`, the time from the container's `create` event to its `start`
# event (vchd stamps both; the gap holds one API round trip for the start request and all of
# vchd's start work: rootfs, /etc files, bundle, namespace and NIC, shim, runtime). Side by side
# in the same run with the raw runtime starting the same bundle detached (`runc run -d`, with a
# new network namespace) and with the `docker version` round trip.
#
# Usage: scripts/bench/start-latency.sh [RUNS]   (default 20; root; .build/release, else debug)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
runs=${1:-20}
cleanup() {
  set +e
  for id in $(runc --root "$state/rawroot" list -q 2>/dev/null); do runc --root "$state/rawroot" delete -f "$id"; done
  ip netns del "$rawns" 2>/dev/null
  bench_teardown
}
trap cleanup EXIT
bench_lab vs --registry
rawns=$lab-raw
bench_vch sl
d pull -q busybox >/dev/null

since=$(date +%s)
ids=()
for _ in $(seq 1 "$runs"); do ids+=("$(d run -d busybox sleep 60)"); done
until=$(( $(date +%s) + 1 ))
events=$(d events --since "$since" --until "$until" --filter type=container --format '{{.Actor.ID}} {{.Action}} {{.TimeNano}}')
gaps=()
for id in "${ids[@]}"; do
  c=$(awk -v id="$id" '$1 == id && $2 == "create" {print $3}' <<<"$events")
  s=$(awk -v id="$id" '$1 == id && $2 == "start" {print $3}' <<<"$events")
  [ -n "$c" ] && [ -n "$s" ] && gaps+=($((s - c)))
done
d rm -f "${ids[@]}" >/dev/null

# The raw runtime: the busybox layer the registry serves, unpacked once, `sleep 60` detached.
bench_raw_bundle "$rawns" sleep 60
raw=() version=()
for i in $(seq 1 "$runs"); do
  t0=$(now)
  ip netns add "$rawns"
  runc --root "$state/rawroot" run -d --bundle "$bundle" "raw$i" >/dev/null 2>&1 </dev/null
  t1=$(now)
  runc --root "$state/rawroot" delete -f "raw$i"
  ip netns del "$rawns"
  raw+=($((t1 - t0)))
  t0=$(now); d version >/dev/null; version+=($(( $(now) - t0 )))
done
printf '%-46s %10s %10s\n' "median of $runs (ms)" "median" "p90"
printf '%-46s %10s %10s\n' "vchd: create event -> start event (docker run -d)" "$(printf '%s\n' "${gaps[@]}" | median)" "$(printf '%s\n' "${gaps[@]}" | p90)"
printf '%-46s %10s %10s\n' "raw: ip netns add + runc run -d, same bundle" "$(printf '%s\n' "${raw[@]}" | median)" "$(printf '%s\n' "${raw[@]}" | p90)"
printf '%-46s %10s %10s\n' "docker version round trip" "$(printf '%s\n' "${version[@]}" | median)" "$(printf '%s\n' "${version[@]}" | p90)"
echo "samples: ${#gaps[@]} of $runs containers had both events"
