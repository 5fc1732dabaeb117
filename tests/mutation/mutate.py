#!/usr/bin/env python3
"""Mutation check over the bundled proved examples (issue 5).

For each spec that entrycheck proves, apply small mutations to its main
entry source -- delete an instruction, swap two adjacent instructions, flip a
conditional jump, change an immediate -- and verify each mutant. A mutant is
"refuted" when some verdict is violated, "proved" when every verdict is
proved, "unknown" otherwise, "timeout" when a scenario gives no verdict within
--timeout seconds (scenarios run one at a time; the first violation settles the
mutant), "error" when entrycheck rejects it (exit 2).
Proved mutants are listed: each is either harmless (docs/examples.md says
why) or a bug the tool misses.

A mutant whose program is the same as the original's (the mutated line is in
a variant the spec's defines leave out, say) is "equivalent" and not
verified: `entrycheck cfg` with the spec's defines prints the same listing.

Profiles ("--profile auto", the default): for every PTI setting (and feature
set) among the spec's profiles, the one with segment_store "any" -- it
allows every store a "zero-extend" or "stale" CPU makes, so a violation on
either shows up there; a spec with PTI profiles is checked with PTI off and
on. Without such a profile, every profile of that setting. "--profile all"
checks every profile; "--profile a,b" exactly those (the ones the spec has).

  python3 tests/mutation/mutate.py [--spec specs/x.json]... [--profile auto]
        [--jobs 2] [--sample N --seed S] [--json out.json]
  python3 tests/mutation/mutate.py --spec specs/x.json --match 'delete line 139'   # some mutants
  python3 tests/mutation/mutate.py --list-proved out.json   # proved/unknown/timeout of a run
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
# Every bundled spec that proves everything (the bug variants and the sleeping in-place
# design are refuted or unknown as they are). pti32-entry-stack-fixed-sleeping mutates the
# same source as pti32-entry-stack-fixed under a harsher handler contract; sysenter-tf
# mutates only examples/sysenter-tf/entry.S (it includes the pti32-entry-stack macros).
DEFAULT_SPECS = ["specs/pti32-entry-stack-fixed.json", "specs/pti32-entry-stack-fixed-sleeping.json",
                 "specs/entry-stack-in-place.json", "specs/pti32-round-trip.json", "specs/sysenter-tf.json"]
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


def merge_spec(base, over):
    """docs/spec-format.md, base specs: objects merge key by key, the rest replaces."""
    if not isinstance(base, dict) or not isinstance(over, dict):
        return over
    out = dict(base)
    for k, v in over.items():
        out[k] = merge_spec(out[k], v) if k in out else v
    return out


def load_spec(path):
    """The spec with its bases ("extends") merged in, its sources relative to `path`'s folder."""
    spec = json.loads(strip_json_comments(open(path).read()))
    base = spec.pop("extends", None)
    if base is None:
        return spec
    base_path = os.path.join(os.path.dirname(path), base)
    merged = load_spec(base_path)
    merged["sources"] = [os.path.relpath(os.path.join(os.path.dirname(base_path), s), os.path.dirname(path))
                         for s in merged.get("sources", [])]
    return merge_spec(merged, spec)


def profile_name(p):
    return p if isinstance(p, str) else p["name"]


def choose_profiles(spec, wanted):
    """The CPU profiles a mutant is checked on (see the module comment)."""
    profiles = spec.get("cpu_profiles", ["any"])
    names = [profile_name(p) for p in profiles]
    if wanted == "all":
        return names
    if wanted != "auto":
        chosen = [n for n in wanted.split(",") if n in names]
        return chosen or names
    groups = {}
    for p in profiles:
        if isinstance(p, str):
            p = {"name": p, "segment_store": p}
        key = (bool(p.get("pti", False)), tuple(sorted(p.get("features", []))))
        groups.setdefault(key, []).append(p)
    chosen = []
    for group in groups.values():
        anys = [p["name"] for p in group if p.get("segment_store", "zero-extend") == "any"]
        chosen += anys[:1] or [p["name"] for p in group]
    return chosen


def listing(binary, source, spec_file):
    """The assembled program as `entrycheck cfg` prints it, without source positions."""
    proc = subprocess.run([binary, "cfg", source, "--spec", spec_file], capture_output=True, text=True,
                          timeout=120)
    if proc.returncode != 0:
        return None
    return re.sub(r"\S+\.S:\d+:\d+", "", proc.stdout)


def prepare(work, spec_path, spec, source, text):
    """Copy the examples (so #include "../x/y.S" still works), write the mutant and the spec."""
    examples = os.path.join(work, "examples")
    shutil.copytree(os.path.join(ROOT, "examples"), examples)
    rel = os.path.relpath(source, os.path.join(ROOT, "examples"))
    if text is not None:
        with open(os.path.join(examples, rel), "w") as f:
            f.write(text)
    specs = os.path.join(work, "specs")
    os.makedirs(specs)
    spec_file = os.path.join(specs, os.path.basename(spec_path))
    with open(spec_file, "w") as f:
        json.dump(spec, f)
    return os.path.join(examples, rel), spec_file


def original_listing(binary, spec_path, spec, source):
    work = tempfile.mkdtemp(prefix="ec-mutant-")
    try:
        return listing(binary, *prepare(work, spec_path, spec, source, None))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_mutant(binary, spec_path, spec, source, description, text, profiles, original, timeout):
    work = tempfile.mkdtemp(prefix="ec-mutant-")
    try:
        mutant_source, spec_file = prepare(work, spec_path, spec, source, text)
        if original is not None and listing(binary, mutant_source, spec_file) == original:
            return description, "equivalent", ["the assembled program is unchanged"]
        # One scenario at a time: the first violation settles the mutant, and a mutant that
        # makes one scenario explode (a loop that runs to max_steps, say) loses only that one.
        verdicts, timed_out = [], []
        for scenario in [s["name"] for s in spec["scenarios"]]:
            args = [binary, "verify", spec_file, "--format", "json", "--scenario", scenario]
            for p in profiles:
                args += ["--profile", p]
            try:
                proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out.append(f"{scenario}: no verdict within {timeout} s")
                continue
            if proc.returncode == 2:
                return description, "error", proc.stderr.strip().splitlines()[:1]
            verdicts += json.loads(proc.stdout)
            if any(v["verdict"] == "violated" for v in verdicts):
                break
        kinds = {v["verdict"] for v in verdicts}
        if "violated" in kinds:
            hit = sorted({f"{v['invariant']}@{v['scenario']}/{v['cpu_profile']}"
                          for v in verdicts if v["verdict"] == "violated"})
            return description, "refuted", hit
        if timed_out:
            return description, "timeout", timed_out
        if kinds == {"proved"}:
            return description, "proved", []
        reasons = {r.replace(work + "/", "") for v in verdicts for r in v.get("unknown_because", [])}
        return description, "unknown", sorted(reasons)[:2]
    finally:
        shutil.rmtree(work, ignore_errors=True)


KINDS = ["refuted", "proved", "unknown", "timeout", "error", "equivalent"]


def print_table(results):
    print(f"\n| spec | mutants | {' | '.join(KINDS)} |")
    print("| --- | --- |" + " --- |" * len(KINDS))
    total = {k: 0 for k in KINDS}
    for spec, r in results.items():
        c = r["counts"]
        for k in KINDS:
            total[k] += c.get(k, 0)
        print(f"| {spec} | {sum(c.values())} | {' | '.join(str(c.get(k, 0)) for k in KINDS)} |")
    print(f"| total | {sum(total.values())} | {' | '.join(str(total[k]) for k in KINDS)} |")


def list_proved(path):
    results = json.load(open(path))
    for spec, r in results.items():
        print(f"{spec} (profiles {', '.join(r.get('profiles', []))})")
        for m in r["mutants"]:
            if m["result"] in ("proved", "unknown", "timeout", "error"):
                print(f"  {m['result']:8} {m['mutation']}  {'; '.join(m['detail'])}")
    print_table(results)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spec", action="append")
    ap.add_argument("--entrycheck", default=os.path.join(ROOT, "build/cli/entrycheck"))
    ap.add_argument("--profile", default="auto",
                    help="auto (the 'any' profile per PTI setting), all, or a comma-separated list")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sample", type=int, default=0, help="check only this many mutants per spec")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=60,
                    help="seconds per scenario of a mutant; past it the mutant is 'timeout'")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--match", action="append",
                    help="check only mutations whose description contains this (repeatable), e.g. 'delete line 57'")
    ap.add_argument("--list-proved", metavar="JSON", help="list the proved/unknown/error mutants of a run and exit")
    ap.add_argument("--no-equivalence", action="store_true", help="verify mutants whose program is unchanged too")
    args = ap.parse_args()
    if args.list_proved:
        list_proved(args.list_proved)
        return
    results = {}
    for spec_rel in args.spec or DEFAULT_SPECS:
        spec_path = os.path.join(ROOT, spec_rel)
        spec = load_spec(spec_path)
        source = os.path.normpath(os.path.join(os.path.dirname(spec_path), spec["sources"][0]))
        profiles = choose_profiles(spec, args.profile)
        original = None if args.no_equivalence else original_listing(args.entrycheck, spec_path, spec, source)
        todo, seen = [], set()
        for d, t in mutants(open(source).read()):
            if t not in seen:  # e.g. swapping two equal lines
                seen.add(t)
                todo.append((d, t))
        if args.match:
            todo = [(d, t) for d, t in todo if any(m == d.split(":")[0] or m in d for m in args.match)]
        if args.sample:
            random.Random(args.seed).shuffle(todo)
            todo = todo[:args.sample]
        print(f"{spec_rel}: {len(todo)} mutants of {os.path.relpath(source, ROOT)}"
              f" (profiles {', '.join(profiles)}, seed {args.seed})", flush=True)
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_mutant, args.entrycheck, spec_path, spec, source, d, t, profiles, original,
                                   args.timeout)
                       for d, t in todo]
            rows = []
            for n, f in enumerate(futures, 1):
                rows.append(f.result())
                if n % 20 == 0:
                    print(f"  ... {n}/{len(futures)}", flush=True)
        counts = {}
        for d, kind, detail in rows:
            counts[kind] = counts.get(kind, 0) + 1
        print("  " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
        for d, kind, detail in rows:
            if kind not in ("refuted", "equivalent"):
                print(f"  {kind:8} {d}  {'; '.join(detail)}")
        results[spec_rel] = {"source": os.path.relpath(source, ROOT), "profiles": profiles, "counts": counts,
                             "mutants": [{"mutation": d, "result": k, "detail": x} for d, k, x in rows]}
        if args.json:  # after every spec: a long run leaves its partial results behind
            json.dump(results, open(args.json, "w"), indent=2)
    print_table(results)


if __name__ == "__main__":
    main()
