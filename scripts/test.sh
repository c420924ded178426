#!/usr/bin/env bash
# The whole test suite: unit, privileged (namespaces, bridges, dnsmasq) and end-to-end (the real
# docker CLI against real VCHs in throwaway labs). Run as root from the repository.
# Afterwards it checks that the suite left nothing behind: no network namespace, lab directory,
# mount under the lab root or container cgroup that was not there before. Anything left fails it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "vic: the test suite needs root (it makes network namespaces)" >&2; exit 1; }

scripts/deps.sh
# One debug build serves the unit tests and, through VIC_BIN_DIR, the end-to-end tests.
swift build --build-tests
export VIC_BIN_DIR="$PWD/.build/debug"

# One line per thing a run could leave behind; never fails (an empty list is the good case).
leftovers() {
  { ip netns list 2>/dev/null || true; } | awk '{print "netns " $1}'
  { ls /run/vic-lab 2>/dev/null || true; } | sed 's/^/lab /'
  awk '$2 ~ "^/run/vic-lab/" {print "mount " $2}' /proc/self/mounts
  { ls /sys/fs/cgroup /sys/fs/cgroup/*/ 2>/dev/null || true; } | { grep -E '^[0-9a-f]{64}$' || true; } | sort -u | sed 's/^/cgroup /'
}
before=$(leftovers | sort)
status=0
swift test --skip-build "$@" || status=$?
after=$(leftovers | sort)
left=$(comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed '/^$/d')
if [ -n "$left" ]; then
  echo "vic: the test suite left these behind:" >&2
  sed 's/^/  /' <<<"$left" >&2
  [ "$status" != 0 ] || status=1
fi
exit "$status"
