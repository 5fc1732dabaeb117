#!/usr/bin/env bash
# The main job: verify every bundled spec, writing traces to out/traces.
# Exit status is entrycheck's (1: a violation was found, as some bundled
# examples are meant to show).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p out/traces
status=0
for spec in specs/*.json; do
  ./build/cli/entrycheck verify "$spec" --trace-dir out/traces || status=$?
done
exit $status
