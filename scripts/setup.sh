#!/usr/bin/env bash
# Installs everything, builds vic in release mode, installs vic-machine, vchd and vic-shim onto
# PATH (/usr/local/bin), then runs the demo. Run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "vic: setup needs root" >&2; exit 1; }
scripts/deps.sh
swift build -c release --product vic-machine
swift build -c release --product vchd
swift build -c release --product vic-shim
install -m 0755 .build/release/vic-machine .build/release/vchd .build/release/vic-shim /usr/local/bin/
echo "vic: installed $(vic-machine version) into /usr/local/bin"
exec scripts/demo.sh
