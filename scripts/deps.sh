#!/usr/bin/env bash
# Installs the Debian packages vic needs to build, run and test. Idempotent; run as root.
set -euo pipefail

packages=(
  iproute2 util-linux nftables dnsmasq-base busybox-static runc crun docker-registry skopeo
  openssl jq python3-pip zlib1g-dev curl iperf3 wrk tini
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The docker CLI: already on most machines; otherwise Debian's docker.io carries it.
command -v docker >/dev/null 2>&1 || missing+=(docker.io)

if ((${#missing[@]})); then
  echo "vic: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Python docker SDK, the second real client the end-to-end tests drive.
# Debian's python3-docker for the system python; pip for another python3 (e.g. pyenv's).
if ! python3 -c "import docker" 2>/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-docker >/dev/null 2>&1 || true
  python3 -c "import docker" 2>/dev/null || python3 -m pip install --quiet docker ||
    python3 -m pip install --quiet --break-system-packages docker
fi

command -v swift >/dev/null 2>&1 || { echo "vic: swift is not on PATH (expected a Swift 6.2+ toolchain)" >&2; exit 1; }
