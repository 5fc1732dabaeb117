#!/usr/bin/env bash
# Installs the Debian packages entrycheck needs, if any is missing.
set -euo pipefail
packages=(cmake g++ make pkg-config libz3-dev libboost-graph-dev nlohmann-json3-dev doctest-dev
          libcli11-dev libfmt-dev libvalijson-dev binutils gcc-multilib qemu-user python3 python3-jsonschema
          # scripts/linux/build-object.sh (kbuild of arch/x86/entry/entry_32.o): the Debian
          # kernel source, Kconfig's generated parser (flex, bison), timeconst.h (bc), the tarball (xz)
          linux-source-6.1 flex bison bc xz-utils
          # reading entry_32.o: ELF and DWARF .debug_line (libelf, libdw), x86 decoder (Zydis)
          libelf-dev libdw-dev libzydis-dev
          # the trace viewer's browser test (tests/browser/viewer_test.py): headless
          # Chromium driven by Selenium, run by Debian's python3
          chromium chromium-driver python3-selenium
          # the fuzz targets (tests/fuzz/, ctests fuzz-*): clang with libFuzzer, ASan and UBSan
          clang-14 libclang-rt-14-dev)
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

# The SARIF 2.1.0 JSON Schema, for the test that validates entrycheck's SARIF
# output; it ships in an npm package (the npm registry is reachable here).
schema=tests/.cache/sarif-schema-2.1.0.json
cd "$(dirname "$0")/.."
if [ ! -s "$schema" ]; then
  command -v npm >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq npm; }
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null && tar xzf ./*.tgz)
  mkdir -p "$(dirname "$schema")"
  cp "$tmp/package/lib/schemas/sarif-2.1.0-rtm.5.json" "$schema"
  rm -rf "$tmp"
fi
