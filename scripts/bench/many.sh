#!/usr/bin/env bash
# Benchmark: COUNT running `sleep` containers in one VCH. Prints vchd's resident memory before
# and after, the time to start them, and the median time of `docker ps` and `docker ps -a` with
# them running. Prints figures; asserts nothing.
#
# Usage: scripts/bench/many.sh [COUNT]   (default 200, at most 500; root; .build/release, else
#                                        .build/debug). VIC_RUNTIME=crun|runc picks the runtime.
# Bounded: every docker call has a timeout, and the lab (VCH, containers, namespaces) is removed
# at the end, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-200}
[ "$count" -ge 1 ] && [ "$count" -le 500 ] || { echo "COUNT must be 1-500" >&2; exit 2; }
bin=${VIC_BIN_DIR:-$PWD/.build/release}
[ -x "$bin/vic-machine" ] || bin=$PWD/.build/debug
lab=vm$(head -c2 /dev/urandom | od -An -tx1 | tr -d ' \n')
state=/run/vic-lab/$lab
vch=many
created=0
vic() {
  nsenter --net=/run/netns/$lab -- env VIC_STATE_ROOT=$state/state VIC_RUN_ROOT=$state/run \
    ${VIC_RUNTIME:+VIC_RUNTIME=$VIC_RUNTIME} "$bin/vic-machine" "$@"
}
docker_cli() {
  timeout 120 nsenter --net=/run/netns/$lab-cpub -- \
    env DOCKER_CERT_PATH=$state/certs DOCKER_CONFIG=$state/docker docker -H "$host" --tls "$@"
}
cleanup() {
  set +e
  if [ "$created" = 1 ]; then
    docker_cli ps -aq 2>/dev/null | xargs -r -n 50 timeout 300 nsenter --net=/run/netns/$lab-cpub -- \
      env DOCKER_CERT_PATH=$state/certs DOCKER_CONFIG=$state/docker docker -H "$host" --tls rm -f >/dev/null 2>&1
    vic delete --name "$vch" >/dev/null 2>&1
  fi
  scripts/lab.sh down "$lab" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM
scripts/lab.sh up "$lab" >/dev/null
scripts/lab.sh registry "$lab" >/dev/null
created=1
vic create --name "$vch" --bridge-network Bridge-DPG --registry-mirror http://10.99.32.1:5000 \
  --tls-cert-path "$state/certs" >"$state/create.log"
host=$(sed -n 's/.*DOCKER_HOST=//p' "$state/create.log")
docker_cli pull busybox >/dev/null

rss() { awk '/^VmRSS/ {print $2}' "/proc/$(cat "$state/run/$vch/vchd.pid")/status"; }
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1e6}'; }
timed() { local t0 t1; t0=$(now); "$@" >/dev/null; t1=$(now); echo $((t1 - t0)); }

rss0=$(rss)
empty_ps=()
for i in 1 2 3 4 5; do empty_ps+=("$(timed docker_cli ps)"); done

t0=$(now)
# Four clients at a time, like a busy user; each `docker run -d` returns once the container runs.
seq 1 "$count" | xargs -P 4 -I{} timeout 120 nsenter --net=/run/netns/$lab-cpub -- \
  env DOCKER_CERT_PATH=$state/certs DOCKER_CONFIG=$state/docker docker -H "$host" --tls \
  run -d --name s{} busybox sleep 3600 >/dev/null
t1=$(now)
running=$(docker_cli ps -q | wc -l)
rss1=$(rss)
ps_times=() psa_times=()
for i in 1 2 3 4 5 6 7 8 9 10 11; do
  ps_times+=("$(timed docker_cli ps)")
  psa_times+=("$(timed docker_cli ps -a)")
done
shims=$(pgrep -f "vic-shim .*/$lab/run/$vch/" | wc -l)
t2=$(now)
docker_cli ps -aq | xargs -r -n 50 timeout 300 nsenter --net=/run/netns/$lab-cpub -- \
  env DOCKER_CERT_PATH=$state/certs DOCKER_CONFIG=$state/docker docker -H "$host" --tls rm -f >/dev/null
t3=$(now)
left=$(docker_cli ps -aq | wc -l)
rss2=$(rss)
runtime=$(docker_cli info --format '{{.DefaultRuntime}}')

printf '%-48s %12s\n' "$count sleep containers, runtime $runtime" "value"
printf '%-48s %12s\n' "containers running (docker ps -q)" "$running"
printf '%-48s %12s\n' "vic-shim processes" "$shims"
printf '%-48s %12s\n' "vchd RSS before (MiB)" "$(awk -v k="$rss0" 'BEGIN{printf "%.1f", k/1024}')"
printf '%-48s %12s\n' "vchd RSS with $count running (MiB)" "$(awk -v k="$rss1" 'BEGIN{printf "%.1f", k/1024}')"
printf '%-48s %12s\n' "vchd RSS per container (KiB)" "$(awk -v a="$rss0" -v b="$rss1" -v n="$count" 'BEGIN{printf "%.0f", (b-a)/n}')"
printf '%-48s %12s\n' "vchd RSS after removing them (MiB)" "$(awk -v k="$rss2" 'BEGIN{printf "%.1f", k/1024}')"
printf '%-48s %12s\n' "docker ps, no containers (median of 5, ms)" "$(printf '%s\n' "${empty_ps[@]}" | median)"
printf '%-48s %12s\n' "docker ps, $count running (median of 11, ms)" "$(printf '%s\n' "${ps_times[@]}" | median)"
printf '%-48s %12s\n' "docker ps -a, $count running (median of 11, ms)" "$(printf '%s\n' "${psa_times[@]}" | median)"
printf '%-48s %12s\n' "start $count with 4 clients (s)" "$(awk -v n="$((t1 - t0))" 'BEGIN{printf "%.1f", n/1e9}')"
printf '%-48s %12s\n' "rm -f all $count (s)" "$(awk -v n="$((t3 - t2))" 'BEGIN{printf "%.1f", n/1e9}')"
printf '%-48s %12s\n' "containers left after rm" "$left"
echo "bin: $bin"
