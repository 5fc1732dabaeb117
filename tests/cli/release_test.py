#!/usr/bin/env python3
"""One version everywhere, and an install that holds what the README says
(ctest release).

  - `entrycheck --version` prints "entrycheck <PROJECT_VERSION>" (CMake's);
  - a trace written by `verify --trace-dir` carries the same string in
    "entrycheck_version", and the SARIF report in tool.driver.version;
  - `cmake --install BUILD --prefix P` puts the binary in P/bin, the JSON
    schemas in P/share/entrycheck/schemas and the docs (README, docs/*.md,
    the viewer screenshot) in P/share/doc/entrycheck; the installed binary
    runs.

Usage: release_test.py --entrycheck BIN --root REPO --build BUILD --version V --out DIR
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

SPEC = "specs/pti32-entry-stack-v3.json"
INSTALLED = ["bin/entrycheck", "share/entrycheck/schemas/spec.schema.json",
             "share/entrycheck/schemas/trace.schema.json", "share/doc/entrycheck/README.md",
             "share/doc/entrycheck/cli.md", "share/doc/entrycheck/trace-format.md",
             "share/doc/entrycheck/spec-format.md", "share/doc/entrycheck/viewer.png"]


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kw)


def main():
    ap = argparse.ArgumentParser()
    for a in ("--entrycheck", "--root", "--build", "--version", "--out"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    failures = []

    def expect(ok, what):
        print(("ok    " if ok else "FAIL  ") + what)
        if not ok:
            failures.append(what)

    version = run([args.entrycheck, "--version"])
    expect(version.returncode == 0 and version.stdout.strip() == "entrycheck " + args.version,
           f"--version prints 'entrycheck {args.version}' (got {version.stdout.strip()!r}, exit {version.returncode})")

    out = os.path.abspath(args.out)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    verify = run([args.entrycheck, "verify", SPEC, "--scenario", "irq-from-kernel", "--profile", "stale",
                  "--trace-dir", os.path.join(out, "traces"), "--sarif", os.path.join(out, "r.sarif")], cwd=args.root)
    expect(verify.returncode == 1, f"verify finds the seed's violation (exit {verify.returncode})")
    trace = os.path.join(out, "traces", "pti32-entry-stack-v3.irq-from-kernel.stale.resume.json")
    if os.path.exists(trace):
        expect(json.load(open(trace)).get("entrycheck_version") == args.version, "the trace's entrycheck_version")
    else:
        expect(False, "the trace was written")
    if os.path.exists(os.path.join(out, "r.sarif")):
        driver = json.load(open(os.path.join(out, "r.sarif")))["runs"][0]["tool"]["driver"]
        expect(driver.get("version") == args.version, f"SARIF tool.driver.version (got {driver.get('version')!r})")
    else:
        expect(False, "the SARIF report was written")

    prefix = os.path.join(out, "prefix")
    install = run(["cmake", "--install", args.build, "--prefix", prefix])
    expect(install.returncode == 0, f"cmake --install succeeds\n{install.stdout}{install.stderr}")
    for path in INSTALLED:
        expect(os.path.isfile(os.path.join(prefix, path)), f"installed {path}")
    installed = run([os.path.join(prefix, "bin/entrycheck"), "--version"])
    expect(installed.stdout.strip() == "entrycheck " + args.version, "the installed binary runs")
    print(f"release: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
