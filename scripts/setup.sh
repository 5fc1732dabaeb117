#!/usr/bin/env bash
# Installs the Debian packages entrycheck needs, if any is missing.
set -euo pipefail
packages=(cmake g++ make pkg-config libz3-dev libboost-graph-dev nlohmann-json3-dev doctest-dev
          libcli11-dev libfmt-dev binutils gcc-multilib qemu-user python3 python3-jsonschema)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
