#!/usr/bin/env bash
# Applies one mutant patch to a scratch copy of the pristine Linux tree and prints
# the scratch tree's path, ready for `build-object.sh --tree`.
#
# Usage: scripts/linux/apply-mutant.sh [--scratch DIR] [--cache DIR] [--dry-run] PATCH
#        scripts/linux/apply-mutant.sh [--scratch DIR] [--cache DIR] --reset
#
#   PATCH         a unified diff against the tree (patch -p1; paths a/... b/...), e.g.
#                 scripts/linux/mutants/m01-*.patch. Text before the first diff
#                 header is a comment and is ignored by patch.
#   --scratch DIR the scratch tree (default CACHE/mutant-tree). Made once as a
#                 hard-linked copy of the pristine tree (cp -al: seconds, no disk);
#                 every file a patch touches is first replaced by a private copy, so
#                 the pristine tree is never written. Reuse one scratch path for all
#                 mutants: build-object.sh then rebuilds only entry_32.o (~4 s).
#   --cache DIR   cache root, as for build-object.sh (default
#                 ${ENTRYCHECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/entrycheck}).
#   --dry-run     restore the scratch tree, check that PATCH applies (patch
#                 --dry-run), change nothing else; prints the path on success.
#   --reset       restore every file the last mutant changed; print the path.
#
# The pristine tree is build-object.sh --print-tree (Debian's linux-source-6.1,
# unpacked once). Before each patch, the files the previous one touched (listed in
# SCRATCH/.entrycheck-mutant) are copied back from the pristine tree (fresh mtime,
# so make rebuilds the object). A scratch tree made from another unpack of the
# pristine tree is made again.
#
# Example (one mutant, then back to pristine):
#   obj=$(bash scripts/linux/build-object.sh --tree "$(bash scripts/linux/apply-mutant.sh \
#           scripts/linux/mutants/m01-switch-kernel-stack-copy-before-switch.patch)")
#   bash scripts/linux/apply-mutant.sh --reset >/dev/null
#
# stdout carries exactly one line (the scratch tree's path); messages go to stderr.
# Exit status 0 on success, 1 when the patch does not apply or a step fails (the
# scratch tree is then pristine again), 2 on a usage error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
log() { echo "apply-mutant: $*" >&2; }
die() { echo "apply-mutant: error: $*" >&2; exit 1; }
usage() { sed -n '2,34s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }

scratch="" cache="" mode=apply patch_file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --scratch) [ $# -ge 2 ] || usage; scratch=$2; shift 2 ;;
    --scratch=*) scratch=${1#*=}; shift ;;
    --cache) [ $# -ge 2 ] || usage; cache=$2; shift 2 ;;
    --cache=*) cache=${1#*=}; shift ;;
    --dry-run) mode=dry-run; shift ;;
    --reset) mode=reset; shift ;;
    -h|--help) usage ;;
    -*) echo "apply-mutant: unknown option: $1" >&2; usage ;;
    *) [ -z "$patch_file" ] || usage; patch_file=$1; shift ;;
  esac
done
if [ "$mode" = reset ]; then [ -z "$patch_file" ] || usage; else [ -n "$patch_file" ] || usage; fi
if [ -n "$patch_file" ]; then
  [ -f "$patch_file" ] || die "no such patch: $patch_file"
  patch_file=$(cd "$(dirname "$patch_file")" && pwd -P)/$(basename "$patch_file")
fi
command -v patch >/dev/null 2>&1 || die "patch(1) is missing (Debian package patch)"

cache=${cache:-${ENTRYCHECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/entrycheck}}
cache_args=(--cache "$cache")
pristine=$(bash "$here/build-object.sh" "${cache_args[@]}" --print-tree) \
  || die "cannot find the pristine tree (build-object.sh --print-tree failed)"
mkdir -p "$cache/locks"
scratch=${scratch:-$cache/mutant-tree}
case "$scratch" in /*) ;; *) scratch=$PWD/$scratch ;; esac
[ "$scratch" != "$pristine" ] || die "--scratch must not be the pristine tree"
record=$scratch/.entrycheck-mutant
origin_file=$scratch/.entrycheck-origin
origin="$pristine $(cat "$pristine.stamp" 2>/dev/null || stat -c %Y "$pristine/Makefile")"

exec 8>"$cache/locks/mutant-tree.lock" || die "cannot open the lock"
flock 8 || die "cannot lock $cache/locks/mutant-tree.lock"

# (Re)make the scratch tree when missing or made from another unpack.
if [ ! -f "$scratch/Makefile" ] || [ "$(cat "$origin_file" 2>/dev/null)" != "$origin" ]; then
  log "making the scratch tree $scratch from $pristine (hard links)"
  rm -rf "$scratch"
  mkdir -p "$(dirname "$scratch")"
  cp -al "$pristine" "$scratch" 2>/dev/null || { rm -rf "$scratch"; cp -a "$pristine" "$scratch"; } \
    || die "cannot copy $pristine to $scratch"
  echo "$origin" > "$origin_file"
fi

# Copies FILE (relative) from the pristine tree into the scratch tree as a private file.
restore_file() {
  [ -f "$pristine/$1" ] || die "$1 is not a file of the pristine tree"
  cp --remove-destination "$pristine/$1" "$scratch/$1" || die "cannot restore $1"
}
restore_previous() {
  local f
  if [ -f "$record" ]; then
    while IFS= read -r f; do [ -n "$f" ] && restore_file "$f"; done < "$record"
    rm -f "$record"
  fi
}

restore_previous
if [ "$mode" = reset ]; then echo "$scratch"; exit 0; fi

# The files PATCH changes: its '+++ b/PATH' headers (-p1).
mapfile -t files < <(sed -n 's|^+++ [^/]*/\([^[:space:]]*\).*|\1|p' "$patch_file" | sort -u)
[ ${#files[@]} -gt 0 ] || die "$patch_file has no '+++ b/...' header: not a -p1 unified diff"
for f in "${files[@]}"; do
  case "$f" in /*|*..*) die "$patch_file changes $f, outside the tree" ;; esac
done

if [ "$mode" = dry-run ]; then
  patch -p1 -d "$scratch" --dry-run --forward -s < "$patch_file" >&2 \
    || die "$patch_file does not apply to $pristine"
  echo "$scratch"; exit 0
fi

# Private copies first (never write through a hard link), then record, then patch.
for f in "${files[@]}"; do restore_file "$f"; done
printf '%s\n' "${files[@]}" > "$record"
if ! patch -p1 -d "$scratch" --forward --no-backup-if-mismatch -r - -s < "$patch_file" >&2; then
  restore_previous
  die "$patch_file does not apply to $pristine (the scratch tree is pristine again)"
fi
log "applied $(basename "$patch_file") to $scratch"
echo "$scratch"
