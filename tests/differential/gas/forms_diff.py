#!/usr/bin/env python3
"""Differential test of operand forms: entrycheck accepts what `as --32` accepts.

For every spelling of every instruction in the catalog (`entrycheck
dump-instructions --json`), generates lines with 0, 1 and 2 operands drawn
from a pool (registers of each width and family, immediates at the edges of
each size, memory with and without overrides, indirect operands, labels)
and some with prefixes, and feeds the same lines to GNU as (one file; its
errors and warnings name the line) and to `entrycheck check-instructions`
(each line loaded as its own program). Every line must be accepted by both
or rejected by both, and GNU as's "shortened" and "using default" warnings
must be given by entrycheck too, with the same text.

Allowed differences, counted and listed by kind:
  * not-supported: GNU as accepts, entrycheck rejects with "... is valid x86
    but not supported" (a form the catalog marks '!': iretw, ret $n, ...);
  * bare-indirect: GNU as accepts "jmp %eax"/"call %eax" with a warning
    ("indirect jmp without `*'"); entrycheck requires the '*'.

    python3 tests/differential/gas/forms_diff.py --entrycheck build/cli/entrycheck [-v]

Exit status: 0 agree, 1 some line differs, 2 set-up error (no `as`).
"""
import argparse
import collections
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
import instruction_catalog  # noqa: E402

REGISTERS = ["%eax", "%esp", "%ecx", "%ax", "%bx", "%al", "%ah", "%cl", "%ds", "%cs", "%ss", "%cr0", "%cr3"]
IMMEDIATES = ["$1", "$-1", "$0x80", "$-128", "$255", "$-255", "$256", "$-256", "$300", "$0x12345", "$-65535",
              "$0x80000000"]
MEMORY = ["(%eax)", "4(%esp)", "%fs:8(%ebx)", "%cs:0x10", "target", "(%esi)", "(%edi)"]
INDIRECT = ["*%eax", "*%ax", "*(%eax)", "*target"]
POOL_ONE = REGISTERS + IMMEDIATES + MEMORY + INDIRECT
# Two-operand lines: a smaller pool, every ordered pair.
POOL_TWO = ["%eax", "%ebx", "%ax", "%al", "%cl", "%ecx", "%ds", "%cs", "%cr3", "$1", "$300", "$-129", "(%eax)",
            "4(%esp)", "(%esi)", "(%edi)", "*%eax", "target"]
PREFIXES = ["rep", "repz", "repnz", "lock"]

# GNU as warnings entrycheck gives too (same text).
SHARED_WARNINGS = re.compile(r"shortened to|no instruction mnemonic suffix given")


def lines_for(catalog):
    """Every generated line, without duplicates, in a stable order."""
    out = []
    for mnemonic in sorted(catalog.mnemonics):
        out.append(mnemonic)
        out.extend("%s %s" % (mnemonic, o) for o in POOL_ONE)
        out.extend("%s %s, %s" % (mnemonic, a, b) for a, b in itertools.product(POOL_TWO, repeat=2))
        out.extend("%s %s" % (p, mnemonic) for p in PREFIXES)
        out.extend("%s %s %s" % (p, mnemonic, o) for p in PREFIXES[:1] for o in ("%eax", "(%eax)"))
    seen = set()
    return [x for x in out if not (x in seen or seen.add(x))]


def gas_results(lines, tmp):
    """Line -> ("ok" | "warning" | "error", [messages]) from one GNU as run."""
    src = os.path.join(tmp, "forms.s")
    with open(src, "w") as f:
        for line in lines:
            f.write("\t%s\n" % line)
        f.write("target:\n\tnop\n")
    p = subprocess.run(["as", "--32", "-o", os.path.join(tmp, "forms.o"), src], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    messages = collections.defaultdict(list)
    for m in re.finditer(r"^%s:(\d+): (Error|Warning): (.*)$" % re.escape(src), p.stderr, re.M):
        messages[int(m.group(1))].append((m.group(2), m.group(3)))
    out = {}
    for k, line in enumerate(lines, start=1):
        kinds = [kind for kind, _ in messages[k]]
        result = "error" if "Error" in kinds else "warning" if kinds else "ok"
        out[line] = (result, [text for _, text in messages[k]])
    return out


def our_results(ec, lines, tmp):
    src = os.path.join(tmp, "forms.lines")
    with open(src, "w") as f:
        for line in lines:
            f.write("\t%s\n" % line)
    p = subprocess.run([ec, "check-instructions", src], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("entrycheck check-instructions failed (%d): %s" % (p.returncode, p.stderr))
    out = {}
    for row, line in zip((json.loads(x) for x in p.stdout.splitlines()), lines):
        out[line] = (row["result"], row["messages"])
    return out


def allowed_difference(line, gas, ours):
    """The kind of an allowed difference, or None."""
    if gas[0] != "error" and ours[0] == "error":
        if any("is valid x86 but not supported" in m for m in ours[1]):
            return "not-supported"
        if any("indirect %s without `*'" % w in m for m in gas[1] for w in ("jmp", "call")):
            return "bare-indirect"
    return None


def compare(lines, gas, ours):
    problems, allowed = [], collections.defaultdict(list)
    for line in lines:
        g, o = gas[line], ours[line]
        g_accepts, o_accepts = g[0] != "error", o[0] != "error"
        if g_accepts != o_accepts:
            kind = allowed_difference(line, g, o)
            if kind:
                allowed[kind].append(line)
                continue
            problems.append("%-40s GNU as %s %s; entrycheck %s %s" % (line, g[0], g[1], o[0], o[1]))
            continue
        if not g_accepts:
            continue
        want = sorted(m for m in g[1] if SHARED_WARNINGS.search(m))
        got = sorted(o[1])
        if want != got:
            problems.append("%-40s warnings differ: GNU as %s; entrycheck %s" % (line, want, got))
    return problems, allowed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entrycheck", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if not shutil.which("as"):
        print("forms_diff: error: 'as' not found: install binutils", file=sys.stderr)
        return 2
    ec = os.path.realpath(args.entrycheck)
    catalog = instruction_catalog.load(ec)
    lines = lines_for(catalog)
    tmp = tempfile.mkdtemp(prefix="forms_diff.")
    try:
        gas = gas_results(lines, tmp)
        ours = our_results(ec, lines, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    problems, allowed = compare(lines, gas, ours)
    for p in problems:
        print(p)
    accepted = sum(1 for x in lines if gas[x][0] != "error")
    for kind, which in sorted(allowed.items()):
        print("allowed difference %s: %d line(s), e.g. %s" % (kind, len(which), "; ".join(which[:6])))
        if args.verbose:
            for x in which:
                print("    " + x)
    print("forms_diff: %d mnemonics, %d lines (%d accepted by GNU as): %s" %
          (len(catalog.mnemonics), len(lines), accepted,
           "%d mismatch(es)" % len(problems) if problems else "all agree"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
