#!/bin/sh
# Regenerates this case's objects from its .S files (GNU as, binutils).
# The objects are committed: the regression runner runs only entrycheck.
set -e
cd "$(dirname "$0")"
for f in tail undefined alt extable jcc; do as --32 -L -g "$f.S" -o "$f.o"; done
as --64 "tail.S" -o amd64.o
printf '# gas-diff-skip: binary data, not assembly\n\000\001\002' > binary.S
