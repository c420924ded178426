#!/usr/bin/env bash
# The whole test suite: unit, privileged (namespaces, bridges, dnsmasq) and end-to-end (the real
# docker CLI against real VCHs in throwaway labs). Run as root from the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "vic: the test suite needs root (it makes network namespaces)" >&2; exit 1; }

scripts/deps.sh
# One debug build serves the unit tests and, through VIC_BIN_DIR, the end-to-end tests.
swift build --build-tests
export VIC_BIN_DIR="$PWD/.build/debug"
swift test --skip-build "$@"
