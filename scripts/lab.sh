#!/usr/bin/env bash
# A throwaway network lab that plays "the vSphere host" for vic (docs: design.md, section 7).
#
#   lab.sh up LAB [--no-vm-network]     make lab LAB (name: a-z0-9, starts with a letter, <= 6 chars)
#   lab.sh down LAB                     remove everything lab LAB made (keeps going after failures)
#   lab.sh exec LAB [SUFFIX] -- CMD...  run CMD in netns LAB (or LAB-SUFFIX, e.g. cpub, rt)
#   lab.sh ls                           list labs
#
# Everything lives in network namespaces this script creates; nothing touches the real host's
# interfaces, routes or firewall. Processes run inside a namespace with `nsenter --net=`, never
# `ip netns exec` (that remounts /sys and hides the cgroup mounts).
#
# Topology of lab LAB:
#   netns LAB        "the host": lo, plus one bridge per port group (alias = port-group name), no
#                    addresses on them (like ESXi).
#   netns LAB-rt     the networks' gateway + DHCP box: a veth leg on each routed bridge holding
#                    .1; dnsmasq serves DHCP (.100-.199, 1h) on vmnet, vmnw51, mgmt. ip_forward=0.
#   netns LAB-cXXX   a client per network (eth0, static .250).
set -euo pipefail

readonly RUN_ROOT=/run/vic-lab
readonly NETNS_DIR=/run/netns
readonly DNSMASQ=/usr/sbin/dnsmasq

# One row per port group:
#   bridge|alias|tag|router address (or -)|DHCP range "first,last,mask" (or -)|client suffix (or -)|client address (or -)
# The tag names the host-side veth ends inside LAB: LAB-r<tag> (router leg), LAB-c<tag> (client leg).
readonly NETWORKS=(
  "vmnet|VM Network|vm|10.99.32.1/24|10.99.32.100,10.99.32.199,255.255.255.0|cpub|10.99.32.250/24"
  "vmnw51|VMNW51|51|10.99.51.1/24|10.99.51.100,10.99.51.199,255.255.255.0|c51|10.99.51.250/24"
  "mgmt|Mgmt|mg|10.99.60.1/24|10.99.60.100,10.99.60.199,255.255.255.0|cmg|10.99.60.250/24"
  "static|Static|st|10.99.70.1/24|-|cst|10.99.70.250/24"
  "bridgedpg|Bridge-DPG|bd|-|-|-|-"
  "connw|con-nw|cn|192.168.100.1/16|-|ccn|192.168.200.250/16"
)
readonly CLIENT_SUFFIXES=(cpub c51 cmg cst ccn)

say()  { printf 'lab: %s\n' "$*"; }
warn() { printf 'lab: warning: %s\n' "$*" >&2; }
die()  { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat >&2 <<'EOF'
usage:
  lab.sh up LAB [--no-vm-network]
  lab.sh down LAB
  lab.sh exec LAB [SUFFIX] -- CMD...
  lab.sh ls
EOF
  exit 2
}

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces)"; }

check_name() {
  local lab=$1
  [[ $lab =~ ^[a-z][a-z0-9]{0,5}$ ]] ||
    die "bad lab name '$lab': use 1-6 characters a-z0-9, starting with a letter (derived interface names must fit 15 characters)"
  # "vch-*" namespaces belong to VCHs; a lab called "vch" would make "vch-rt" etc.
  [ "$lab" != vch ] || die "lab name 'vch' is reserved (VCH namespaces are vch-*)"
}

ns_exists() { [ -e "$NETNS_DIR/$1" ]; }

# All namespace names a lab can own, in creation order.
lab_namespaces() {
  local lab=$1 s
  printf '%s\n' "$lab" "$lab-rt"
  for s in "${CLIENT_SUFFIXES[@]}"; do printf '%s\n' "$lab-$s"; done
}

ensure_deps() {
  local missing=0
  command -v ip >/dev/null 2>&1 || missing=1
  command -v nsenter >/dev/null 2>&1 || missing=1
  command -v setsid >/dev/null 2>&1 || missing=1
  [ -x "$DNSMASQ" ] || missing=1
  [ "$missing" = 0 ] && return 0
  say "installing dnsmasq-base iproute2 util-linux"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y dnsmasq-base iproute2 util-linux >/dev/null; then
    apt-get update -qq
    apt-get install -y dnsmasq-base iproute2 util-linux >/dev/null || die "could not install dnsmasq-base iproute2 util-linux"
  fi
  [ -x "$DNSMASQ" ] || die "$DNSMASQ missing after installing dnsmasq-base"
}

# Run a command in a lab namespace's network (only the network namespace is entered).
in_ns() { local ns=$1; shift; nsenter --net="$NETNS_DIR/$ns" -- "$@"; }

# Is PID a dnsmasq that belongs to this lab's state directory?
is_our_dnsmasq() {
  local pid=$1 dir=$2 exe cmd
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ -d "/proc/$pid" ] || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [ "${exe% (deleted)}" = "$DNSMASQ" ] || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *"--pid-file=$dir/dnsmasq.pid"* ]]
}

# ---------------------------------------------------------------------------------------------
# up

UP_LAB=""
UP_DONE=0
up_cleanup() {
  local rc=$?
  trap - ERR
  # Clean up whatever happens now: no -e, and a reader that went away (e.g. `| head`) can't stop us.
  set +e
  trap '' PIPE
  if [ -n "$UP_LAB" ] && [ "$UP_DONE" = 0 ]; then
    warn "up $UP_LAB failed part-way (exit $rc); removing what it made"
    do_down "$UP_LAB" || true
  fi
}

cmd_up() {
  local lab="" no_vm=0 a
  for a in "$@"; do
    case $a in
      --no-vm-network) no_vm=1 ;;
      -*) die "up: unknown option '$a'" ;;
      *) [ -z "$lab" ] || die "up: more than one lab name"; lab=$a ;;
    esac
  done
  [ -n "$lab" ] || usage
  check_name "$lab"
  need_root
  ensure_deps

  local dir=$RUN_ROOT/$lab ns
  # Refuse before making anything: the trap below is armed only once the lab is ours.
  [ ! -e "$dir" ] || die "lab '$lab' already exists ($dir); run: lab.sh down $lab"
  while read -r ns; do
    ! ns_exists "$ns" || die "network namespace '$ns' already exists (a stale lab?); run: lab.sh down $lab"
  done < <(lab_namespaces "$lab")
  mkdir -p "$RUN_ROOT"
  mkdir -m 0755 "$dir" 2>/dev/null || die "lab '$lab' already exists (or is being created): $dir"

  UP_LAB=$lab
  set -E
  trap 'warn "up $UP_LAB: command failed (line $LINENO): $BASH_COMMAND"' ERR
  trap up_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  : >"$dir/namespaces"
  printf '%s\n' "$no_vm" >"$dir/no-vm-network"

  # Record each namespace before making it, so that teardown knows it.
  mkns() {
    printf '%s\n' "$1" >>"$dir/namespaces"
    ip netns add "$1"
    ip -n "$1" link set lo up
  }

  local row br alias tag raddr range csuf caddr
  mkns "$lab"
  # The port groups are plain layer-2 switches, as on ESXi. Where br_netfilter is loaded (built
  # into some kernels) bridged IPv4, IPv6 and ARP would also pass through the netfilter hooks.
  in_ns "$lab" sh -c 'for f in /proc/sys/net/bridge/bridge-nf-call-*; do [ ! -e "$f" ] || echo 0 >"$f"; done'
  mkns "$lab-rt"
  # The router routes nowhere: it is only the networks' gateway address and DHCP server.
  in_ns "$lab-rt" sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward'

  for row in "${NETWORKS[@]}"; do
    IFS='|' read -r br alias tag raddr range csuf caddr <<<"$row"
    if [ "$br" = vmnet ] && [ "$no_vm" = 1 ]; then continue; fi

    # The port group: a bridge with no uplink and no address (no IPv6 link-local either).
    ip -n "$lab" link add "$br" type bridge stp_state 0 forward_delay 0
    ip -n "$lab" link set dev "$br" alias "$alias"
    ip -n "$lab" link set dev "$br" addrgenmode none
    ip -n "$lab" link set dev "$br" up

    if [ "$raddr" != - ]; then
      # Router leg: "$br" in LAB-rt, "$lab-r$tag" in LAB (both ends made in their own netns).
      ip -n "$lab-rt" link add "$br" type veth peer name "$lab-r$tag" netns "$lab"
      ip -n "$lab" link set dev "$lab-r$tag" addrgenmode none
      ip -n "$lab" link set dev "$lab-r$tag" master "$br"
      ip -n "$lab" link set dev "$lab-r$tag" up
      ip -n "$lab-rt" addr add "$raddr" dev "$br"
      ip -n "$lab-rt" link set dev "$br" up
    fi

    if [ "$csuf" != - ]; then
      # Client: eth0 in LAB-<suffix>, "$lab-c$tag" in LAB.
      mkns "$lab-$csuf"
      ip -n "$lab-$csuf" link add eth0 type veth peer name "$lab-c$tag" netns "$lab"
      ip -n "$lab" link set dev "$lab-c$tag" addrgenmode none
      ip -n "$lab" link set dev "$lab-c$tag" master "$br"
      ip -n "$lab" link set dev "$lab-c$tag" up
      ip -n "$lab-$csuf" addr add "$caddr" dev eth0
      ip -n "$lab-$csuf" link set dev eth0 up
    fi
  done

  start_dnsmasq "$lab" "$no_vm"
  write_summary "$lab" "$no_vm" >"$dir/summary.txt"
  UP_DONE=1
  trap - EXIT INT TERM ERR
  cat "$dir/summary.txt"
}

start_dnsmasq() {
  local lab=$1 no_vm=$2 dir=$RUN_ROOT/$1 row br alias tag raddr range csuf caddr gw
  local args=(
    --keep-in-foreground --port=0 --no-resolv --no-hosts --conf-file=/dev/null
    --dhcp-authoritative --bind-interfaces --except-interface=lo
    # No ICMP probe before an offer: dnsmasq would silently drop a new client's first DISCOVER
    # while it probes, so every first lease would cost a client retransmit (3-4 s). Addresses in
    # the ranges are handed out by this dnsmasq only.
    --no-ping
    --pid-file="$dir/dnsmasq.pid" --dhcp-leasefile="$dir/dnsmasq.leases"
    --log-dhcp --log-facility="$dir/dnsmasq.log"
  )
  for row in "${NETWORKS[@]}"; do
    IFS='|' read -r br alias tag raddr range csuf caddr <<<"$row"
    [ "$range" != - ] || continue
    if [ "$br" = vmnet ] && [ "$no_vm" = 1 ]; then continue; fi
    gw=${raddr%/*}
    args+=(
      --interface="$br"
      --dhcp-range="set:$br,$range,1h"
      --dhcp-option="tag:$br,option:router,$gw"
      --dhcp-option="tag:$br,option:dns-server,$gw"
    )
  done

  : >"$dir/dnsmasq.leases"
  # setsid: its own session, so the caller's terminal signals don't reach it; all output to files,
  # so nobody waiting on our stdout waits on dnsmasq.
  setsid nsenter --net="$NETNS_DIR/$lab-rt" -- "$DNSMASQ" "${args[@]}" \
    </dev/null >>"$dir/dnsmasq.stderr" 2>&1 &
  local bgpid=$! pid="" i
  printf '%s\n' "$bgpid" >"$dir/dnsmasq.spawn-pid"

  # Wait until dnsmasq has written its pid file (it has bound its sockets by then).
  for ((i = 0; i < 50; i++)); do
    if [ -s "$dir/dnsmasq.pid" ]; then
      pid=$(<"$dir/dnsmasq.pid")
      is_our_dnsmasq "$pid" "$dir" && break
      pid=""
    fi
    if ! kill -0 "$bgpid" 2>/dev/null; then
      warn "dnsmasq exited at start; its output:"
      tail -n 20 "$dir/dnsmasq.stderr" "$dir/dnsmasq.log" >&2 2>/dev/null || true
      die "dnsmasq did not start in $lab-rt"
    fi
    sleep 0.1
  done
  [ -n "$pid" ] || die "dnsmasq did not write $dir/dnsmasq.pid within 5 s"
  sleep 0.2
  is_our_dnsmasq "$pid" "$dir" || {
    tail -n 20 "$dir/dnsmasq.stderr" "$dir/dnsmasq.log" >&2 2>/dev/null || true
    die "dnsmasq (pid $pid) died right after starting"
  }
}

write_summary() {
  local lab=$1 no_vm=$2 row br alias tag raddr range csuf caddr r
  echo "lab $lab is up (state: $RUN_ROOT/$lab)"
  echo "namespaces: $(paste -sd' ' "$RUN_ROOT/$lab/namespaces")"
  printf '  %-10s %-12s %-17s %-20s %-28s %s\n' BRIDGE ALIAS SUBNET "ROUTER ($lab-rt)" "DHCP" "CLIENT"
  for row in "${NETWORKS[@]}"; do
    IFS='|' read -r br alias tag raddr range csuf caddr <<<"$row"
    if [ "$br" = vmnet ] && [ "$no_vm" = 1 ]; then continue; fi
    local subnet=-
    case $br in
      vmnet) subnet=10.99.32.0/24 ;; vmnw51) subnet=10.99.51.0/24 ;; mgmt) subnet=10.99.60.0/24 ;;
      static) subnet=10.99.70.0/24 ;; connw) subnet=192.168.0.0/16 ;;
    esac
    r=-
    [ "$range" = - ] || r="${range%,*} 1h"
    r=${r/,/-}
    local c=-
    [ "$csuf" = - ] || c="$lab-$csuf $caddr"
    printf '  %-10s %-12s %-17s %-20s %-28s %s\n' "$br" "\"$alias\"" "$subnet" "$raddr" "$r" "$c"
  done
  [ "$no_vm" = 0 ] || echo "  (no vmnet / \"VM Network\": --no-vm-network)"
  echo "dnsmasq: pid $(cat "$RUN_ROOT/$lab/dnsmasq.pid" 2>/dev/null), log $RUN_ROOT/$lab/dnsmasq.log"
}

# ---------------------------------------------------------------------------------------------
# down

# Removes whatever exists of lab LAB, in reverse order of creation. Returns the number of failures.
do_down() {
  local lab=$1 dir=$RUN_ROOT/$1 fails=0 ns pid f pids
  # A reader that goes away (e.g. `| head`) must not stop a teardown half-way.
  trap '' PIPE
  local -a nss=()

  # Namespaces: the ones recorded, plus the fixed names (in case the record is gone), reversed.
  local -A seen=()
  local -a all=()
  if [ -f "$dir/namespaces" ]; then mapfile -t all <"$dir/namespaces"; fi
  while read -r ns; do all+=("$ns"); done < <(lab_namespaces "$lab")
  for ns in "${all[@]}"; do
    [ -n "$ns" ] && [ -z "${seen[$ns]:-}" ] || continue
    # Only names of this lab, never a VCH's.
    [ "$ns" = "$lab" ] || [[ $ns == "$lab"-* ]] || { warn "ignoring foreign namespace '$ns' in record"; continue; }
    seen[$ns]=1
    nss=("$ns" "${nss[@]}")
  done

  # 1. dnsmasq, by its recorded pid (only if it really is this lab's dnsmasq).
  for f in dnsmasq.pid dnsmasq.spawn-pid; do
    [ -s "$dir/$f" ] || continue
    pid=$(<"$dir/$f")
    is_our_dnsmasq "$pid" "$dir" || continue
    if kill -TERM "$pid" 2>/dev/null; then
      local i
      for ((i = 0; i < 30; i++)); do is_our_dnsmasq "$pid" "$dir" || break; sleep 0.1; done
      if is_our_dnsmasq "$pid" "$dir"; then
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.2
      fi
    fi
    if is_our_dnsmasq "$pid" "$dir"; then
      warn "could not stop dnsmasq (pid $pid)"; fails=$((fails + 1))
    else
      say "stopped dnsmasq (pid $pid)"
    fi
  done

  # 1b. The registries, by their recorded pids (only if they run this lab's configuration).
  local registry
  for registry in registry registry-auth; do
    [ -s "$dir/$registry.pid" ] || continue
    pid=$(<"$dir/$registry.pid")
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$dir/$registry.yml"; then
      kill -TERM "$pid" 2>/dev/null || true
      say "stopped docker-registry (pid $pid)"
    fi
  done

  # 2. Client, router and host namespaces (deleting LAB deletes its bridges and veth ends).
  #    Extra namespaces made by tests on the lab's bridges are not ours: we note them only.
  for ns in "${nss[@]}"; do
    ns_exists "$ns" || continue
    pids=$(ip netns pids "$ns" 2>/dev/null | paste -sd' ' || true)
    [ -z "$pids" ] || warn "namespace $ns still has processes not started by lab.sh: $pids (left running)"
    if ip netns delete "$ns"; then
      say "deleted netns $ns"
    else
      warn "could not delete netns $ns"; fails=$((fails + 1))
    fi
  done
  local other=()
  while read -r ns _; do
    [[ $ns == "$lab"-* ]] && [ -z "${seen[$ns]:-}" ] && other+=("$ns")
  done < <(ip netns list 2>/dev/null)
  ((${#other[@]} == 0)) || warn "namespaces named $lab-* that lab.sh did not make were left alone: ${other[*]}"

  # 3. The state directory: kept after a failure, so that the lab still shows and `down` can retry.
  if [ "$fails" != 0 ]; then
    [ ! -e "$dir" ] || warn "kept $dir (run lab.sh down $lab again once the failure is fixed)"
  elif [ -e "$dir" ]; then
    if rm -rf -- "$dir"; then say "removed $dir"; else warn "could not remove $dir"; fails=$((fails + 1)); fi
  fi
  return "$fails"
}

cmd_down() {
  [ $# = 1 ] || usage
  local lab=$1 ns any=0
  check_name "$lab"
  need_root
  [ -e "$RUN_ROOT/$lab" ] && any=1
  while read -r ns; do ns_exists "$ns" && any=1; done < <(lab_namespaces "$lab")
  if [ "$any" = 0 ]; then
    say "lab '$lab' does not exist; nothing to do"
    return 0
  fi
  local fails=0
  do_down "$lab" || fails=$?
  if [ "$fails" != 0 ]; then
    printf 'lab: error: down %s: %s step(s) failed (see above)\n' "$lab" "$fails" >&2
    exit 1
  fi
  say "lab $lab is down"
}

# ---------------------------------------------------------------------------------------------
# exec, ls

cmd_exec() {
  [ $# -ge 1 ] || usage
  local lab=$1 ns; shift
  check_name "$lab"
  ns=$lab
  if [ $# -ge 1 ] && [ "$1" != -- ]; then
    [[ $1 =~ ^[a-z0-9]+$ ]] || die "exec: bad namespace suffix '$1'"
    ns=$lab-$1; shift
  fi
  [ "${1:-}" = -- ] || die "exec: expected -- before the command"
  shift
  [ $# -ge 1 ] || die "exec: no command given"
  ns_exists "$ns" || die "exec: network namespace '$ns' does not exist"
  exec nsenter --net="$NETNS_DIR/$ns" -- "$@"
}

cmd_ls() {
  [ -d "$RUN_ROOT" ] || return 0
  local d lab pid state vm
  for d in "$RUN_ROOT"/*/; do
    [ -d "$d" ] || continue
    lab=$(basename "$d")
    state=up
    pid=$(cat "$d/dnsmasq.pid" 2>/dev/null || true)
    is_our_dnsmasq "$pid" "${d%/}" || state="degraded (dnsmasq not running)"
    ns_exists "$lab" || state="broken (netns $lab missing)"
    vm="VM Network"
    [ "$(cat "$d/no-vm-network" 2>/dev/null || echo 0)" = 0 ] || vm="no VM Network"
    printf '%s\t%s\t%s\n' "$lab" "$state" "$vm"
  done
}

# Serves a registry on the router (10.99.x.1:5000 on every lab network, plain HTTP) and pushes
# the busybox fixture to it as library/busybox:latest. A second registry on :5001 serves the
# same storage to user "vic" with password "vic-lab-password" only (htpasswd, basic auth).
cmd_registry() {
  [ $# = 1 ] || usage
  local lab=$1 dir=$RUN_ROOT/$1
  need_root
  [ -d "$dir" ] && ns_exists "$lab-rt" || die "lab '$lab' does not exist"
  command -v docker-registry >/dev/null && command -v skopeo >/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry skopeo >/dev/null 2>&1 ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry skopeo >/dev/null; }
  }
  mkdir -p "$dir/registry"
  cat >"$dir/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/registry
  delete:
    enabled: true
http:
  addr: 0.0.0.0:5000
YML
  nsenter --net="$NETNS_DIR/$lab-rt" -- docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 </dev/null &
  echo $! >"$dir/registry.pid"
  local i
  for ((i = 0; i < 100; i++)); do
    in_ns "$lab-rt" bash -c 'exec 3<>/dev/tcp/127.0.0.1/5000' 2>/dev/null && break
    sleep 0.05
  done
  [ "$i" -lt 100 ] || die "docker-registry did not listen within 5 s (see $dir/registry.log)"
  python3 "$(dirname "$0")/fixtures/busybox-image.py" "$dir/busybox-oci" latest >/dev/null
  in_ns "$lab-rt" skopeo copy --quiet --dest-tls-verify=false \
    "oci:$dir/busybox-oci:latest" "docker://127.0.0.1:5000/library/busybox:latest"
  say "registry: http://<router>:5000 (e.g. 10.99.32.1:5000) serves library/busybox:latest"

  # bcrypt at the lowest cost: the registry checks it on every request.
  python3 -W ignore -c 'import crypt; print("vic:" + crypt.crypt("vic-lab-password", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))' \
    >"$dir/registry.htpasswd"
  sed -e "s/0.0.0.0:5000/0.0.0.0:5001/" "$dir/registry.yml" >"$dir/registry-auth.yml"
  printf 'auth:\n  htpasswd:\n    realm: vic-lab\n    path: %s\n' "$dir/registry.htpasswd" >>"$dir/registry-auth.yml"
  nsenter --net="$NETNS_DIR/$lab-rt" -- docker-registry serve "$dir/registry-auth.yml" >"$dir/registry-auth.log" 2>&1 </dev/null &
  echo $! >"$dir/registry-auth.pid"
  for ((i = 0; i < 100; i++)); do
    in_ns "$lab-rt" bash -c 'exec 3<>/dev/tcp/127.0.0.1/5001' 2>/dev/null && break
    sleep 0.05
  done
  [ "$i" -lt 100 ] || die "docker-registry (auth) did not listen within 5 s (see $dir/registry-auth.log)"
  say "registry: http://<router>:5001 serves the same to user vic (password vic-lab-password)"
}

main() {
  [ $# -ge 1 ] || usage
  local cmd=$1; shift
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    exec) cmd_exec "$@" ;;
    ls) [ $# = 0 ] || usage; cmd_ls ;;
    registry) cmd_registry "$@" ;;
    -h|--help|help) usage ;;
    *) printf 'lab: error: unknown command %s\n' "$cmd" >&2; usage ;;
  esac
}

main "$@"
