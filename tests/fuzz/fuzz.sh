#!/usr/bin/env bash
# The fuzz targets' build and runs (tests/fuzz/README.md).
#   fuzz.sh build SOURCE_DIR BUILD_DIR [LAUNCHER]  configure and build the fuzz configuration
#                                                  (clang++-14, ASan+UBSan) in BUILD_DIR
#   fuzz.sh run SOURCE_DIR BUILD_DIR TARGET SECONDS [JOBS]
#                                                  fuzz TARGET (asm, spec, trace, exec_state) from
#                                                  its seeds in tests/fuzz/TARGET for SECONDS
# A crash, leak-free abort, timeout (20 s per input) or out-of-memory (2 GB)
# fails the run; libFuzzer saves the input under BUILD_DIR/artifacts/.
set -euo pipefail
mode=$1
source=$(cd "$2" && pwd)  # absolute: the runs work in the build folder
mkdir -p "$3"
build=$(cd "$3" && pwd)
case $mode in
  build)
    cxx=$(command -v clang++-14 || command -v clang++ || true)
    if [ -z "$cxx" ]; then
      echo "fuzz: clang++ not found: install the Debian packages clang-14 and libclang-rt-14-dev (scripts/setup.sh)" >&2
      exit 1
    fi
    launcher=()
    if [ -n "${4:-}" ]; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER="$4"); fi
    cmake -S "$source" -B "$build" -DENTRYCHECK_FUZZ=ON -DCMAKE_CXX_COMPILER="$cxx" \
          -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
    cmake --build "$build" -j2
    ;;
  run)
    target=$4 seconds=$5 jobs=${6:-1}
    corpus=$build/corpus/$target
    seeds=("$source/tests/fuzz/$target")
    # The assembler's seeds include the test fixtures, read where they are.
    if [ "$target" = asm ]; then
      seeds+=("$source/tests/differential/gas/fixtures" "$source/tests/model/asm/fixtures")
    fi
    mkdir -p "$corpus" "$build/artifacts"
    cd "$build"
    parallel=()
    if [ "$jobs" -gt 1 ]; then parallel=(-jobs="$jobs" -workers="$jobs"); fi
    # New inputs go to the scratch corpus (first folder); the seeds stay as
    # they are. Leak checking is off: static tables are never freed.
    ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
      "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
      -max_len=65536 "${parallel[@]}" -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$target-" "$corpus" "${seeds[@]}"
    ;;
  *)
    echo "usage: fuzz.sh build|run ..." >&2
    exit 2
    ;;
esac
