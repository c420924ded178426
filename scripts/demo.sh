#!/usr/bin/env bash
# The main job, in a throwaway lab so the real host's interfaces and firewall stay untouched:
# a "VM Network" with DHCP, a bridge port group and a registry serving busybox; then
# `vic-machine create`, and the real docker CLI against the VCH from a client namespace.
# Everything is removed at the end unless --keep is given; `demo.sh --clean` removes a kept demo.
set -euo pipefail
cd "$(dirname "$0")/.."
keep=false
clean=false
case "${1:-}" in
  --keep) keep=true ;;
  --clean) clean=true ;;
  "") ;;
  *) echo "usage: $0 [--keep | --clean]" >&2; exit 2 ;;
esac
bin=$(dirname "$(command -v vic-machine || echo "$PWD/.build/release/vic-machine")")
lab=demo
state=/run/vic-lab/$lab

in_lab() { nsenter --net=/run/netns/$lab -- "$@"; }
client() { nsenter --net=/run/netns/$lab-cpub -- env DOCKER_CONFIG="$state/docker" "$@"; }
vic() { in_lab env VIC_STATE_ROOT="$state/state" VIC_RUN_ROOT="$state/run" "$bin/vic-machine" "$@"; }
cleanup() {
  $keep && return
  vic delete --name demo >/dev/null 2>&1 || true
  scripts/lab.sh down "$lab" >/dev/null 2>&1 || true
}
trap cleanup EXIT
if $clean; then exit 0; fi
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

scripts/lab.sh down "$lab" >/dev/null 2>&1 || true
scripts/lab.sh up "$lab" | tail -n +2
scripts/lab.sh registry "$lab"

step vic-machine create --name demo --bridge-network Bridge-DPG --registry-mirror http://10.99.32.1:5000 \
  --volume-store "$state/volumes:default"
vic create --name demo --bridge-network Bridge-DPG --registry-mirror http://10.99.32.1:5000 \
  --volume-store "$state/volumes:default" --tls-cert-path "$state/certs" | tee "$state/create.log"
host=$(sed -n 's/.*DOCKER_HOST=//p' "$state/create.log")
export DOCKER_CERT_PATH=$state/certs

step docker -H "$host" --tls info
client env DOCKER_CERT_PATH="$DOCKER_CERT_PATH" docker -H "$host" --tls info
step docker -H "$host" --tls network ls
client env DOCKER_CERT_PATH="$DOCKER_CERT_PATH" docker -H "$host" --tls network ls
step docker -H "$host" --tls run --rm busybox sh -c "ip -4 addr show eth0; cat /etc/resolv.conf; netstat -rn"
client env DOCKER_CERT_PATH="$DOCKER_CERT_PATH" docker -H "$host" --tls run --rm busybox \
  sh -c "ip -4 addr show eth0; cat /etc/resolv.conf; netstat -rn"

step docker -H "$host" --tls run --rm -v demo-data:/data busybox sh -c "hostname > /data/writer"
client env DOCKER_CERT_PATH="$DOCKER_CERT_PATH" docker -H "$host" --tls run --rm -v demo-data:/data busybox \
  sh -c "hostname > /data/writer"
step docker -H "$host" --tls run --rm -v demo-data:/data:ro busybox cat /data/writer "  # a volume outlives its container"
client env DOCKER_CERT_PATH="$DOCKER_CERT_PATH" docker -H "$host" --tls run --rm -v demo-data:/data:ro busybox \
  cat /data/writer

step docker -H "$host" --tls run -d --name web -p 8080:80 busybox httpd -f -p 80 -h /etc
client env DOCKER_CERT_PATH="$DOCKER_CERT_PATH" docker -H "$host" --tls run -d --name web -p 8080:80 busybox \
  httpd -f -p 80 -h /etc
client env DOCKER_CERT_PATH="$DOCKER_CERT_PATH" docker -H "$host" --tls ps
step curl http://"${host%:*}":8080/hostname "  # from the public network, through the published port"
for _ in 1 2 3 4 5 6 7 8 9 10; do
  client curl -sf -m 2 "http://${host%:*}:8080/hostname" && break
  sleep 0.3
done

if $keep; then
  echo
  echo "Kept. Use the VCH from its client namespace:"
  echo "  nsenter --net=/run/netns/$lab-cpub env DOCKER_CERT_PATH=$DOCKER_CERT_PATH docker -H $host --tls ps"
  echo "Remove it with: $0 --clean"
fi
