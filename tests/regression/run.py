#!/usr/bin/env python3
"""Runs every regression case: tests/regression/<area>/<case>/test.json.

A case is a list of commands run in the case's folder, each with the exit
status and the output patterns it must (and must not) produce:

  {"description": "...",
   "commands": [{"args": ["verify", "spec.json"], "exit": 1,
                 "stdout": ["regex", ...], "stdout_not": ["regex"],
                 "stderr": ["regex"], "stderr_not": ["regex"], "files": {"out/x.json": ["regex"]},
                 "json_schema": {"out/x.json": "$ROOT/docs/trace.schema.json"}}]}

"$EC" in args is the entrycheck binary; "$ROOT" the repository root.
More checks a command may carry:
  "junit": {"out/r.xml": {"tests": 30, "failures": 2, "errors": 0}}
  "save_verdicts": "name"      keep the verdict lines of stdout (timings cut)
  "stdout_max_lines": 59       stdout has at most this many lines
  "env": {"EC_FOLD": "bogus"}  extra environment variables for this command
  "timeout": 60                seconds the command may take (default 600): a hang fails
and a case may end with
  "union": {"whole": "name", "parts": ["a", "b"]}   the parts' verdicts, together, are the whole's
                                                    (or a list of such objects)
"""
import json
import os
import re
import shutil
import subprocess
import sys


VERDICT = re.compile(r"^(PROVED|VIOLATED|UNKNOWN) +(\S+ +scenario=\S+ +profile=\S+ +invariant=\S+)")


def verdict_lines(text):
    return sorted(m.group(1) + " " + m.group(2) for m in map(VERDICT.match, text.splitlines()) if m)


def check_junit(path, expected):
    import xml.etree.ElementTree as ET
    root = ET.parse(path).getroot()
    cases = root.findall(".//testcase")
    got = {"tests": len(cases),
           "failures": sum(1 for c in cases if c.find("failure") is not None),
           "errors": sum(1 for c in cases if c.find("error") is not None)}
    return [f"{path}: {k} = {got[k]}, expected {v}" for k, v in expected.items() if got[k] != v] + \
           [f"{path}: <testsuites {k}> = {root.get(k)}, testcases say {got[k]}"
            for k in ("tests", "failures", "errors") if root.get(k) != str(got[k])]


def run_case(root, binary, case_dir):
    spec = json.load(open(os.path.join(case_dir, "test.json")))
    out_dir = os.path.join(case_dir, "out")
    shutil.rmtree(out_dir, ignore_errors=True)
    failures = []
    saved = {}
    for n, cmd in enumerate(spec["commands"]):
        args = [a.replace("$EC", binary).replace("$ROOT", root) for a in cmd["args"]]
        where = f"command {n} ({' '.join(cmd['args'])})"
        env = dict(os.environ, **cmd.get("env", {}))
        try:
            proc = subprocess.run([binary] + args, cwd=case_dir, capture_output=True, text=True,
                                  errors="replace", timeout=cmd.get("timeout", 600), env=env)
        except subprocess.TimeoutExpired:
            failures.append(f"{where}: still running after {cmd.get('timeout', 600)} s")
            continue
        allowed = cmd["exit"] if isinstance(cmd["exit"], list) else [cmd["exit"]]
        if proc.returncode not in allowed:
            failures.append(f"{where}: exit {proc.returncode}, expected {cmd['exit']}\n"
                            f"--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}")
        for pat in cmd.get("stdout", []):
            if not re.search(pat, proc.stdout, re.M):
                failures.append(f"{where}: stdout lacks /{pat}/\n--- stdout\n{proc.stdout}")
        if "stdout_max_lines" in cmd and len(proc.stdout.splitlines()) > cmd["stdout_max_lines"]:
            failures.append(f"{where}: stdout has {len(proc.stdout.splitlines())} lines, "
                            f"at most {cmd['stdout_max_lines']} expected")
        for pat in cmd.get("stdout_not", []):
            if re.search(pat, proc.stdout, re.M):
                failures.append(f"{where}: stdout has forbidden /{pat}/")
        for pat in cmd.get("stderr", []):
            if not re.search(pat, proc.stderr, re.M):
                failures.append(f"{where}: stderr lacks /{pat}/\n--- stderr\n{proc.stderr}")
        for pat in cmd.get("stderr_not", []):
            if re.search(pat, proc.stderr, re.M):
                failures.append(f"{where}: stderr has forbidden /{pat}/")
        if "save_verdicts" in cmd:
            saved[cmd["save_verdicts"]] = verdict_lines(proc.stdout)
        for path, expected in cmd.get("junit", {}).items():
            try:
                failures += [f"{where}: {f}" for f in check_junit(os.path.join(case_dir, path), expected)]
            except Exception as e:  # noqa: BLE001 - a file that does not parse fails the test
                failures.append(f"{where}: {path} is not JUnit XML: {e}")
        for path, schema in cmd.get("json_schema", {}).items():
            import jsonschema  # Debian: python3-jsonschema
            schema = schema.replace("$ROOT", root).replace("$SARIF_SCHEMA", sarif_schema(root))
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
    unions = spec.get("union", [])
    for union in unions if isinstance(unions, list) else [unions]:
        whole = saved.get(union["whole"], [])
        parts = sorted(line for name in union["parts"] for line in saved.get(name, []))
        if not whole or parts != whole:
            failures.append(f"union of {union['parts']} is not {union['whole']}:\n"
                            f"  parts: {parts}\n  whole: {whole}")
    shutil.rmtree(out_dir, ignore_errors=True)
    return failures


def sarif_schema(root):
    """The SARIF 2.1.0 JSON Schema, fetched by scripts/setup.sh (npm) into tests/.cache."""
    return os.path.join(root, "tests/.cache/sarif-schema-2.1.0.json")


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
