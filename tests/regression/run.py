#!/usr/bin/env python3
"""Runs every regression case: tests/regression/<area>/<case>/test.json.

A case is a list of commands run in the case's folder, each with the exit
status and the output patterns it must (and must not) produce:

  {"description": "...",
   "commands": [{"args": ["verify", "spec.json"], "exit": 1,
                 "stdout": ["regex", ...], "stdout_not": ["regex"],
                 "stderr": ["regex"], "files": {"out/x.json": ["regex"]},
                 "json_schema": {"out/x.json": "$ROOT/docs/trace.schema.json"}}]}

"$EC" in args is the entrycheck binary; "$ROOT" the repository root.
"""
import json
import os
import re
import shutil
import subprocess
import sys


def run_case(root, binary, case_dir):
    spec = json.load(open(os.path.join(case_dir, "test.json")))
    out_dir = os.path.join(case_dir, "out")
    shutil.rmtree(out_dir, ignore_errors=True)
    failures = []
    for n, cmd in enumerate(spec["commands"]):
        args = [a.replace("$EC", binary).replace("$ROOT", root) for a in cmd["args"]]
        proc = subprocess.run([binary] + args, cwd=case_dir, capture_output=True, text=True, timeout=600)
        where = f"command {n} ({' '.join(cmd['args'])})"
        if proc.returncode != cmd["exit"]:
            failures.append(f"{where}: exit {proc.returncode}, expected {cmd['exit']}\n"
                            f"--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}")
        for pat in cmd.get("stdout", []):
            if not re.search(pat, proc.stdout, re.M):
                failures.append(f"{where}: stdout lacks /{pat}/\n--- stdout\n{proc.stdout}")
        for pat in cmd.get("stdout_not", []):
            if re.search(pat, proc.stdout, re.M):
                failures.append(f"{where}: stdout has forbidden /{pat}/")
        for pat in cmd.get("stderr", []):
            if not re.search(pat, proc.stderr, re.M):
                failures.append(f"{where}: stderr lacks /{pat}/\n--- stderr\n{proc.stderr}")
        for path, schema in cmd.get("json_schema", {}).items():
            import jsonschema  # Debian: python3-jsonschema
            schema = schema.replace("$ROOT", root)
            try:
                jsonschema.validate(json.load(open(os.path.join(case_dir, path))), json.load(open(schema)))
            except Exception as e:  # noqa: BLE001 - report any failure as a test failure
                failures.append(f"{where}: {path} does not validate against {schema}: {e}")
        for path, pats in cmd.get("files", {}).items():
            full = os.path.join(case_dir, path)
            if not os.path.exists(full):
                failures.append(f"{where}: {path} was not written")
                continue
            text = open(full).read()
            for pat in pats:
                if not re.search(pat, text, re.M):
                    failures.append(f"{where}: {path} lacks /{pat}/")
    shutil.rmtree(out_dir, ignore_errors=True)
    return failures


def main():
    root = os.path.abspath(sys.argv[1])
    binary = os.environ.get("EC_BIN") or os.path.join(root, "build/cli/entrycheck")
    only = sys.argv[2] if len(sys.argv) > 2 else ""
    base = os.path.join(root, "tests/regression")
    cases = sorted(os.path.dirname(os.path.join(dp, f)) for dp, _, fs in os.walk(base)
                   for f in fs if f == "test.json")
    passed = failed = 0
    for case in cases:
        name = os.path.relpath(case, base)
        if only and only not in name:
            continue
        failures = run_case(root, binary, case)
        if failures:
            failed += 1
            print(f"FAIL {name}")
            for f in failures:
                print("  " + f.replace("\n", "\n  "))
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
