#!/usr/bin/env python3
"""Snapshot and compare entrycheck's verdicts on every bundled and regression
spec: the check that a refactoring changed no behaviour.

  verdicts.py snapshot --entrycheck BIN [--root DIR] [--jobs N] OUT.json
  verdicts.py compare BEFORE.json AFTER.json     (exit 1 if any verdict differs)

A snapshot maps "spec-file|scenario|profile|invariant" to the verdict kind
and, for violated and unknown ones, the message / reasons; a spec that
entrycheck rejects maps to its exit status and first error line.
"""
import argparse
import json
import pathlib
import subprocess
import sys


def spec_files(root):
    specs = sorted((root / "specs").glob("*.json"))
    for p in sorted((root / "tests" / "regression").rglob("*.json")):
        if p.name == "test.json":
            continue
        try:
            doc = json.loads(p.read_text())
        except ValueError:
            continue
        if isinstance(doc, dict) and ("sources" in doc or "extends" in doc):
            specs.append(p)
    return specs


def snapshot(args):
    root = pathlib.Path(args.root).resolve()
    out = {}
    for spec in spec_files(root):
        rel = spec.relative_to(root).as_posix()
        run = subprocess.run([args.entrycheck, "verify", str(spec), "--format", "json", "--jobs", str(args.jobs)],
                             capture_output=True, text=True)
        if run.returncode == 2 or not run.stdout.strip().startswith("["):
            first = (run.stderr.strip().splitlines() or [""])[0]
            out[f"{rel}|error"] = {"exit": run.returncode, "error": first}
            continue
        for v in json.loads(run.stdout):
            key = f"{rel}|{v['scenario']}|{v['cpu_profile']}|{v['invariant']}"
            entry = {"verdict": v["verdict"]}
            if v["verdict"] == "violated":
                entry["message"] = v.get("message", "")
            if v["verdict"] == "unknown":
                entry["reasons"] = sorted(v.get("reasons", []))
            out[key] = entry
        print(f"{rel}: {run.returncode}", file=sys.stderr)
    pathlib.Path(args.out).write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"{len(out)} verdicts -> {args.out}")


def compare(args):
    a = json.loads(pathlib.Path(args.before).read_text())
    b = json.loads(pathlib.Path(args.after).read_text())
    diffs = 0
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            diffs += 1
            print(f"{key}\n  before: {a.get(key)}\n  after:  {b.get(key)}")
    print(f"{len(a)} before, {len(b)} after, {diffs} differ")
    return 1 if diffs else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("snapshot")
    s.add_argument("--entrycheck", required=True)
    s.add_argument("--root", default=str(pathlib.Path(__file__).resolve().parents[2]))
    s.add_argument("--jobs", type=int, default=2)
    s.add_argument("out")
    c = sub.add_parser("compare")
    c.add_argument("before")
    c.add_argument("after")
    args = p.parse_args()
    return snapshot(args) if args.cmd == "snapshot" else compare(args)


if __name__ == "__main__":
    sys.exit(main() or 0)
