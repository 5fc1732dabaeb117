#!/usr/bin/env python3
"""Mutation check over the bundled proved examples (issue 5).

For each spec that entrycheck proves, apply small mutations to its main
entry source -- delete an instruction, swap two adjacent instructions, flip a
conditional jump, change an immediate -- and verify each mutant. A mutant is
"refuted" when some verdict is violated, "proved" when every verdict is
proved, "unknown" otherwise, "error" when entrycheck rejects it (exit 2).
Proved mutants are listed: each is either harmless (docs/examples.md says
why) or a bug the tool misses.

  python3 tests/mutation/mutate.py [--spec specs/x.json]... [--profile any]
        [--jobs 2] [--sample N --seed S] [--json out.json]
"""
import argparse
import concurrent.futures
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
DEFAULT_SPECS = ["specs/pti32-entry-stack-fixed.json", "specs/entry-stack-in-place.json",
                 "specs/pti32-round-trip.json"]
INSTRUCTION = re.compile(r"^(\s*(?:[\w.]+:\s*)*)([a-z][a-z0-9]*)(\s.*)?$")
DIRECTIVE_OR_MACRO = re.compile(r"^\s*(\.|#|[A-Z_]+\b|/\*|\*|//)")
JCC_FLIP = {"jz": "jnz", "jnz": "jz", "je": "jne", "jne": "je", "jb": "jae", "jae": "jb", "jc": "jnc",
            "jnc": "jc", "ja": "jbe", "jbe": "ja", "js": "jns", "jns": "js", "jl": "jge", "jge": "jl",
            "jle": "jg", "jg": "jle"}
KNOWN = {"mov", "movl", "movb", "movw", "movzbl", "movzwl", "lea", "leal", "add", "addl", "sub", "subl",
         "and", "andl", "or", "orl", "xor", "xorl", "not", "notl", "neg", "inc", "incl", "dec", "decl",
         "shl", "shll", "shr", "shrl", "sar", "sarl", "test", "testl", "testb", "cmp", "cmpl", "cmpw", "cmpb",
         "push", "pushl", "pop", "popl", "pushfl", "popfl", "cld", "std", "cli", "sti", "rep", "movsl", "call",
         "ret", "iret", "jmp", "btl", "btrl", "btsl", "xchg", "xchgl", "sysexit", "nop"} | set(JCC_FLIP)


def strip_comment(line):
    return line.split("/*")[0].split("//")[0]


def instruction_lines(text):
    """Indexes of lines that hold one instruction (possibly after labels)."""
    out = []
    in_comment = False
    for i, line in enumerate(text.split("\n")):
        if in_comment:
            in_comment = "*/" not in line
            continue
        if line.strip().startswith("/*") and "*/" not in line:
            in_comment = True
            continue
        code = strip_comment(line)
        if DIRECTIVE_OR_MACRO.match(code) or ";" in code:
            continue
        m = INSTRUCTION.match(code.rstrip())
        if m and m.group(2) in KNOWN:
            out.append(i)
    return out


def mutants(text):
    lines = text.split("\n")
    insns = instruction_lines(text)
    for i in insns:
        m = INSTRUCTION.match(strip_comment(lines[i]).rstrip())
        labels, mnemonic = m.group(1), m.group(2)
        # delete (keep any label on the line)
        yield f"delete line {i + 1}: {lines[i].strip()}", replace(lines, i, labels.rstrip() if labels.strip() else "")
        if mnemonic in JCC_FLIP:
            yield (f"flip line {i + 1}: {mnemonic} -> {JCC_FLIP[mnemonic]}",
                   replace(lines, i, lines[i].replace(mnemonic, JCC_FLIP[mnemonic], 1)))
        imm = re.search(r"\$(\(?[-~\w<> ()|&+*]+\)?)\s*,", lines[i])
        if imm and not mnemonic.startswith("push"):
            new = lines[i].replace("$" + imm.group(1), "$((" + imm.group(1) + ") ^ 1)", 1)
            yield f"immediate line {i + 1}: ${imm.group(1)} -> $(({imm.group(1)}) ^ 1)", replace(lines, i, new)
    for a, b in zip(insns, insns[1:]):
        if b != a + 1:
            continue
        la = INSTRUCTION.match(strip_comment(lines[a]).rstrip()).group(1)
        lb = INSTRUCTION.match(strip_comment(lines[b]).rstrip()).group(1)
        if la.strip() or lb.strip():
            continue  # a label pins the instruction where it is
        swapped = list(lines)
        swapped[a], swapped[b] = lines[b], lines[a]
        yield f"swap lines {a + 1} and {b + 1}: {lines[a].strip()} <-> {lines[b].strip()}", "\n".join(swapped)


def replace(lines, i, new):
    out = list(lines)
    out[i] = new
    return "\n".join(out)


def strip_json_comments(text):
    return re.sub(r"^\s*//.*$", "", text, flags=re.M)


def run_mutant(binary, spec_path, spec, source, description, text, profile):
    work = tempfile.mkdtemp(prefix="ec-mutant-")
    try:
        # Keep the example's folder layout, so #include "../x/y.S" still works.
        examples = os.path.join(work, "examples")
        shutil.copytree(os.path.join(ROOT, "examples"), examples)
        rel = os.path.relpath(source, os.path.join(ROOT, "examples"))
        with open(os.path.join(examples, rel), "w") as f:
            f.write(text)
        specs = os.path.join(work, "specs")
        os.makedirs(specs)
        with open(os.path.join(specs, os.path.basename(spec_path)), "w") as f:
            json.dump(spec, f)
        args = [binary, "verify", os.path.join(specs, os.path.basename(spec_path)), "--format", "json"]
        if profile:
            args += ["--profile", profile]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=1800)
        if proc.returncode == 2:
            return description, "error", proc.stderr.strip().splitlines()[:1]
        verdicts = json.loads(proc.stdout)
        kinds = {v["verdict"] for v in verdicts}
        if "violated" in kinds:
            hit = sorted({f"{v['invariant']}@{v['scenario']}" for v in verdicts if v["verdict"] == "violated"})
            return description, "refuted", hit
        if kinds == {"proved"}:
            return description, "proved", []
        return description, "unknown", sorted({r for v in verdicts for r in v.get("unknown_because", [])})[:2]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spec", action="append")
    ap.add_argument("--entrycheck", default=os.path.join(ROOT, "build/cli/entrycheck"))
    ap.add_argument("--profile", default="any", help="CPU profile to check ('' for all; any covers both others)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sample", type=int, default=0, help="check only this many mutants per spec")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    results = {}
    for spec_rel in args.spec or DEFAULT_SPECS:
        spec_path = os.path.join(ROOT, spec_rel)
        spec = json.loads(strip_json_comments(open(spec_path).read()))
        source = os.path.normpath(os.path.join(os.path.dirname(spec_path), spec["sources"][0]))
        profiles = [p if isinstance(p, str) else p["name"] for p in spec.get("cpu_profiles", ["any"])]
        profile = args.profile if args.profile in profiles else ""
        todo = list(mutants(open(source).read()))
        if args.sample:
            random.Random(args.seed).shuffle(todo)
            todo = todo[:args.sample]
        print(f"{spec_rel}: {len(todo)} mutants of {os.path.relpath(source, ROOT)}"
              f" (profile {profile or 'all'}, seed {args.seed})", flush=True)
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_mutant, args.entrycheck, spec_path, spec, source, d, t, profile)
                       for d, t in todo]
            rows = [f.result() for f in futures]
        counts = {}
        for d, kind, detail in rows:
            counts[kind] = counts.get(kind, 0) + 1
        print("  " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
        for d, kind, detail in rows:
            if kind != "refuted":
                print(f"  {kind:8} {d}  {'; '.join(detail)}")
        results[spec_rel] = {"counts": counts, "mutants": [{"mutation": d, "result": k, "detail": x} for d, k, x in rows]}
    if args.json:
        json.dump(results, open(args.json, "w"), indent=2)


if __name__ == "__main__":
    main()
