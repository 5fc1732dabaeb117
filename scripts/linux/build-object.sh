#!/usr/bin/env bash
# Builds Linux's arch/x86/entry/entry_32.o for i386 and prints its absolute path.
#
# Usage: scripts/linux/build-object.sh [--tree DIR] [--cache DIR] [--jobs N]
#                                      [--print-tree | --print-build]
#
#   (no --tree)     use Debian's linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz,
#                   installed through scripts/setup.sh when missing, as root), unpacked
#                   once into CACHE/linux-<version> (e.g. linux-6.1.192). That tree is
#                   left pristine: the build goes to CACHE/build/pkg-linux-<version>
#                   (make O=...), so mutation tests may copy it and pass the copy
#                   with --tree.
#   --tree DIR      use a kernel tree of your own (any 6.x, patched or not, but clean:
#                   no in-tree build, i.e. no .config there; `make mrproper` otherwise).
#                   Nothing is written into DIR: the build goes to
#                   CACHE/build/tree-<basename>-<hash of DIR's absolute path>. A new
#                   path costs a full configure + prepare (~40 s); patching the same
#                   path again rebuilds only entry_32.o (~3 s).
#   --cache DIR     cache root; default ${ENTRYCHECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/entrycheck}.
#   --jobs N        make -jN (default 2); make runs under `nice -n 10`.
#   --print-tree    print the kernel source tree instead of the object (unpacks the
#                   package tree when needed, builds nothing). Read e.g.
#                   TREE/arch/x86/include/asm/cpufeatures.h from there.
#   --print-build   build as usual, then print the O= directory instead of the object
#                   (BUILD/include/generated/asm-offsets.h, BUILD/.config, the logs).
#
# stdout carries exactly one line (the path); progress and errors go to stderr.
# Exit status 0 on success, 1 on any failure (with the reason, and for a failed
# build the log's last lines and its path), 2 on a usage error.
#
# Configuration (done once per build dir, redone when the list below changes):
# `make ARCH=i386 defconfig`, then HIGHMEM64G (selects X86_PAE; HIGHMEM4G, the
# defconfig choice, excludes PAE), CPU_MITIGATIONS + PAGE_TABLE_ISOLATION (needs
# X86_PAE), X86_LEGACY_VM86 (gives VM86), DEBUG_KERNEL + DEBUG_INFO_DWARF5 (gives
# DEBUG_INFO; entry_32.o then has a .debug_line naming entry_32.S), then
# `make ARCH=i386 olddefconfig`; every option in `required` must then be =y.
# Local labels (.L*) are kept in the symbol table: KAFLAGS=-Wa,-L.
# Two calls on the same build dir serialise on a flock. A call with everything up to
# date does not run make: it compares mtimes of what kbuild would consult (see
# up_to_date below), so it takes well under a second.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
log() { echo "build-object: $*" >&2; }
die() { echo "build-object: error: $*" >&2; exit 1; }
usage() { sed -n '2,29s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }

tree="" cache="" jobs=2 print=object
while [ $# -gt 0 ]; do
  case "$1" in
    --tree) [ $# -ge 2 ] || usage; tree=$2; shift 2 ;;
    --tree=*) tree=${1#*=}; shift ;;
    --cache) [ $# -ge 2 ] || usage; cache=$2; shift 2 ;;
    --cache=*) cache=${1#*=}; shift ;;
    --jobs) [ $# -ge 2 ] || usage; jobs=$2; shift 2 ;;
    --jobs=*) jobs=${1#*=}; shift ;;
    --print-tree) print=tree; shift ;;
    --print-build) print=build; shift ;;
    -h|--help) usage ;;
    *) echo "build-object: unknown argument: $1" >&2; usage ;;
  esac
done
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "build-object: --jobs wants a positive number, got '$jobs'" >&2; exit 2; }

cache=${cache:-${ENTRYCHECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/entrycheck}}
mkdir -p "$cache" || die "cannot create the cache directory $cache"
cache=$(cd "$cache" && pwd -P)
case "$cache/" in "$repo"/*) die "the cache ($cache) must be outside the repository ($repo)" ;; esac
mkdir -p "$cache/locks" "$cache/build"

# Tools kbuild needs for this object (Kconfig: flex, bison; timeconst.h: bc).
need_tools() {
  local t missing=()
  for t in make gcc ld flex bison bc perl tar xz flock sha1sum; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing tools: ${missing[*]}; run scripts/setup.sh as root"
  log "missing tools (${missing[*]}): running scripts/setup.sh"
  bash "$repo/scripts/setup.sh" >&2 || die "scripts/setup.sh failed"
  for t in "${missing[@]}"; do command -v "$t" >/dev/null 2>&1 || die "still missing after scripts/setup.sh: $t"; done
}

# Holds an exclusive lock on $1 on file descriptor 9 for the rest of the script
# (one lock per run: the build dir's; taking it again is a no-op).
held_lock=""
lock() {
  [ "$held_lock" = "$1" ] && return 0
  [ -z "$held_lock" ] || die "internal: lock $1 requested while holding $held_lock"
  held_lock=$1
  exec 9>"$1" || die "cannot open the lock $1"
  if ! flock -n 9; then
    log "waiting for $1 (another build-object.sh is using this cache)"
    flock 9 || die "cannot lock $1"
  fi
}

# ---- the source tree -------------------------------------------------------
if [ -n "$tree" ]; then
  [ -d "$tree" ] || die "--tree $tree: no such directory"
  tree=$(cd "$tree" && pwd -P)
  case "$tree/" in "$cache"/build/*) die "--tree $tree is a build directory of this cache" ;; esac
  [ -f "$tree/Makefile" ] && [ -f "$tree/arch/x86/entry/entry_32.S" ] && [ -f "$tree/Kconfig" ] \
    || die "--tree $tree does not look like a Linux source tree (no Makefile, Kconfig or arch/x86/entry/entry_32.S)"
  kver=$(awk -F' *= *' '$1=="VERSION"{v=$2} $1=="PATCHLEVEL"{p=$2} $1=="SUBLEVEL"{s=$2} END{print v"."p"."s}' "$tree/Makefile")
  [[ "$kver" == 6.* ]] || die "--tree $tree is Linux $kver; this script supports 6.x"
  if [ -e "$tree/.config" ] || [ -d "$tree/include/config" ] || [ -d "$tree/arch/x86/include/generated" ]; then
    die "--tree $tree has been configured or built in place (.config or include/config exists); kbuild refuses O= builds from such a tree: use a clean copy or run 'make mrproper' in it"
  fi
  key="tree-$(basename "$tree" | tr -c 'A-Za-z0-9._\n-' '_')-$(printf '%s' "$tree" | sha1sum | cut -c1-12)"
else
  tarball=/usr/src/linux-source-6.1.tar.xz
  if [ ! -f "$tarball" ]; then
    [ "$(id -u)" -eq 0 ] || die "$tarball is missing: install linux-source-6.1 (run scripts/setup.sh as root)"
    log "$tarball is missing: running scripts/setup.sh"
    bash "$repo/scripts/setup.sh" >&2 || die "scripts/setup.sh failed"
    [ -f "$tarball" ] || die "$tarball is still missing after scripts/setup.sh (package linux-source-6.1)"
  fi
  pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) \
    || die "cannot read the version of the package linux-source-6.1 (dpkg-query); is it installed?"
  kver=${pkgver%%-*}            # 6.1.192-3 -> 6.1.192
  tree=$cache/linux-$kver
  key="pkg-linux-$kver"
  # What the unpacked tree came from; a different package revision re-unpacks it.
  origin="linux-source-6.1 $pkgver $(stat -c '%s %Y' "$tarball")"
  if [ ! -f "$tree.stamp" ] || [ "$(cat "$tree.stamp")" != "$origin" ] || [ ! -f "$tree/Makefile" ]; then
    need_tools
    # The build dir's lock also guards the unpack, so no build runs while the tree moves.
    lock "$cache/locks/$key.lock"
    if [ ! -f "$tree.stamp" ] || [ "$(cat "$tree.stamp")" != "$origin" ] || [ ! -f "$tree/Makefile" ]; then
      log "unpacking $tarball ($pkgver) into $tree"
      tmp=$(mktemp -d "$cache/.unpack.XXXXXX") || die "cannot create a temporary directory in $cache"
      tar -xJf "$tarball" -C "$tmp" || { rm -rf "$tmp"; die "cannot unpack $tarball"; }
      [ -f "$tmp/linux-source-6.1/Makefile" ] || { rm -rf "$tmp"; die "$tarball has no linux-source-6.1/Makefile"; }
      # Build dirs made from an older tree are stale too.
      rm -rf "$tree" "$tree.stamp" "$cache/build/$key"
      mv "$tmp/linux-source-6.1" "$tree"
      rmdir "$tmp"
      echo "$origin" > "$tree.stamp"
    fi
  fi
fi

if [ "$print" = tree ]; then
  echo "$tree"
  exit 0
fi

# ---- configure and build ---------------------------------------------------
need_tools
out=$cache/build/$key
mkdir -p "$out"
lock "$cache/locks/$key.lock"
buildlog=$out/entrycheck-build.log   # this call's make output (configuration included when done)
: > "$buildlog"

# scripts/config arguments applied after defconfig, and what must come out =y.
config_args=(--disable HIGHMEM4G --disable NOHIGHMEM --enable HIGHMEM64G --enable X86_PAE
             --enable CPU_MITIGATIONS --enable PAGE_TABLE_ISOLATION
             --enable X86_LEGACY_VM86
             --enable DEBUG_KERNEL --disable DEBUG_INFO_NONE --disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT
             --disable DEBUG_INFO_DWARF4 --enable DEBUG_INFO_DWARF5 --enable DEBUG_INFO
             --disable DEBUG_INFO_REDUCED --disable DEBUG_INFO_SPLIT --disable DEBUG_INFO_COMPRESSED)
required=(X86_32 X86_PAE PAGE_TABLE_ISOLATION X86_LEGACY_VM86 VM86 DEBUG_INFO DEBUG_INFO_DWARF5)
# Why an option can be missing after olddefconfig (Kconfig drops it silently).
why() {
  case "$1" in
    X86_PAE) echo "X86_PAE depends on X86_32 && !HIGHMEM4G; HIGHMEM64G (which selects it) needs a CPU other than 486/586/GeodeLX/CyrixIII/Elan/WinChip/K6 (arch/x86/Kconfig)" ;;
    PAGE_TABLE_ISOLATION) echo "PAGE_TABLE_ISOLATION depends on CPU_MITIGATIONS and (X86_64 || X86_PAE) (arch/x86/Kconfig)" ;;
    X86_LEGACY_VM86|VM86) echo "X86_LEGACY_VM86 depends on X86_32 (in 6.1; check the tree's arch/x86/Kconfig); VM86 defaults to X86_LEGACY_VM86" ;;
    DEBUG_INFO|DEBUG_INFO_DWARF5) echo "the 'Debug information' choice depends on DEBUG_KERNEL; DEBUG_INFO_DWARF5 needs gcc, or clang with GNU as >= 2.35.2 and non-constant .uleb128 (lib/Kconfig.debug)" ;;
    X86_32) echo "ARCH=i386 defconfig should give X86_32" ;;
  esac
}
check_config() {  # check_config WHEN: every required option is =y in .config
  local o got
  for o in "${required[@]}"; do
    grep -qx "CONFIG_$o=y" "$out/.config" || {
      got=$(grep -E "^(# )?CONFIG_${o}[= ]" "$out/.config" || echo "CONFIG_$o absent")
      die "CONFIG_$o is not =y after $1 ($got) in $out/.config: $(why "$o")"
    }
  done
}
config_id="$(printf '%s ' "${config_args[@]}") | KAFLAGS=-Wa,-L"
# shellcheck disable=SC2054  # the comma is part of -Wa,-L
kmake=(nice -n 10 make -C "$tree" O="$out" ARCH=i386 KAFLAGS=-Wa,-L)

run_logged() {  # run_logged WHAT COMMAND...: append to the log, fail with its tail
  echo "### $(date -Is) $*" >> "$buildlog"
  if ! "${@:2}" >> "$buildlog" 2>&1; then
    echo "build-object: error: $1 failed; last lines of $buildlog:" >&2
    tail -n 30 "$buildlog" | sed 's/^/  | /' >&2
    echo "build-object: full log: $buildlog" >&2
    exit 1
  fi
}

if [ ! -f "$out/.config" ] || [ "$(cat "$out/.entrycheck-config" 2>/dev/null)" != "$config_id" ]; then
  log "configuring $tree (Linux $kver) in $out"
  rm -f "$out/.entrycheck-config"
  run_logged "make defconfig" "${kmake[@]}" defconfig
  run_logged "scripts/config" "$tree/scripts/config" --file "$out/.config" "${config_args[@]}"
  run_logged "make olddefconfig" "${kmake[@]}" olddefconfig
  check_config olddefconfig
  echo "$config_id" > "$out/.entrycheck-config"
fi

obj=$out/arch/x86/entry/entry_32.o
stamp=$out/.entrycheck-built
built_id="$tree | $config_id | $(gcc --version | head -n 1) | $(as --version | head -n 1)"

# up_to_date: true when make would have nothing to do, decided from the files kbuild
# itself consults (a no-op `make` still costs seconds: prepare, checksyscalls.sh):
# the object's prerequisites recorded by fixdep (.entry_32.o.cmd) must be older than the
# object, the Makefiles that shape its command line older than the last successful
# run (.entrycheck-built); the Kconfig files
# (auto.conf.cmd) and .config older than include/config/auto.conf; same tree, config
# and toolchain as the last successful build. Anything else runs make.
up_to_date() {
  [ -f "$obj" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$built_id" ] || return 1
  local cmdf=$out/arch/x86/entry/.entry_32.o.cmd auto=$out/include/config/auto.conf f
  [ -f "$cmdf" ] && [ -f "$auto" ] && [ -f "$auto.cmd" ] || return 1
  [ "$out/.config" -nt "$auto" ] && return 1
  local deps=() kconf=()
  mapfile -t deps < <(sed -n '/^deps_arch\/x86\/entry\/entry_32\.o := /,/^$/{
      s/^[[:space:]]*//; s/[[:space:]]*\\$//; s/^\$(wildcard \(.*\))$/\1/; /:=/d; /^$/d; p; }' "$cmdf")
  [ ${#deps[@]} -gt 10 ] || return 1      # unexpected .cmd format: let make decide
  deps+=("$tree/arch/x86/entry/entry_32.S")
  for f in "${deps[@]}"; do
    case "$f" in /*) ;; *) f=$out/$f ;; esac
    [ "$f" -nt "$obj" ] && return 1
  done
  # Makefiles change the command line, which make compares (not their mtime): any edit
  # since the last successful run sends us to make once.
  for f in Makefile arch/x86/Makefile arch/x86/Makefile_32.cpu arch/x86/entry/Makefile \
           scripts/Kbuild.include scripts/Makefile.build scripts/Makefile.lib \
           scripts/Makefile.compiler scripts/Makefile.debug; do
    [ "$tree/$f" -nt "$stamp" ] && return 1
  done
  mapfile -t kconf < <(sed -n '/^deps_config := /,/^$/{s/^[[:space:]]*//; s/[[:space:]]*\\$//; /:=/d; /^$/d; p; }' "$auto.cmd")
  [ ${#kconf[@]} -gt 10 ] || return 1
  for f in "${kconf[@]}"; do
    case "$f" in /*) ;; *) f=$tree/$f ;; esac
    [ "$f" -nt "$auto" ] && return 1
  done
  return 0
}

if up_to_date; then
  log "up to date: $obj"
else
  rm -f "$stamp"
  log "make arch/x86/entry/entry_32.o in $out (log: $buildlog)"
  run_logged "make arch/x86/entry/entry_32.o" "${kmake[@]}" -j"$jobs" arch/x86/entry/entry_32.o
  [ -f "$obj" ] || die "make succeeded but $obj does not exist (log: $buildlog)"
fi
# make re-runs Kconfig (syncconfig) when a patched tree's Kconfig files changed.
check_config "make (syncconfig)"

# Checks on the product: i386 relocatable, local labels kept, .debug_line names entry_32.S.
file_hdr=$(readelf -h "$obj" 2>/dev/null) || die "readelf cannot read $obj"
grep -q 'Class:.*ELF32' <<<"$file_hdr" && grep -q 'Machine:.*80386' <<<"$file_hdr" \
  || die "$obj is not an ELF32 i386 object"
# (grep without -q: an early exit would SIGPIPE the producer and fail under pipefail)
nm "$obj" | grep ' t \.L' >/dev/null \
  || die "$obj has no .L symbols (e.g. .Lsyscall_32_done): the local labels were not kept (KAFLAGS=-Wa,-L)"
readelf --debug-dump=decodedline "$obj" 2>/dev/null | grep 'entry_32\.S' >/dev/null \
  || die "$obj has no .debug_line entries for entry_32.S (CONFIG_DEBUG_INFO?)"
echo "$built_id" > "$stamp"

case "$print" in
  build) echo "$out" ;;
  *) echo "$obj" ;;
esac
