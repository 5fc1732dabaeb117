#!/usr/bin/env bash
# Configures and builds entrycheck into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DENTRYCHECK_WERROR=$werror >/dev/null
cmake --build build -j"$(nproc)"
