#!/usr/bin/env python3
"""The bundled examples read as objects get the same verdicts as read as .S.

For every spec under specs/ whose source is one bundled example: assemble
the example into an ELF object with GNU as (objects.py: the spec's defines,
its constants as .set, ALTERNATIVE as .altinstructions and _ASM_EXTABLE as
__ex_table entries, the way the kernel's macros emit them), write a spec
that extends the original with the object as its only source, run
`entrycheck verify --format json` on both, and compare the verdicts of
every (scenario, CPU profile, invariant).

Expected, from the seam's construction (docs/object-input.md): identical.
The object has more instruction boundaries where an empty ALTERNATIVE
replacement leaves NOP padding (the .S front end emits nothing) and the
examples' .align padding; an event arriving at one of them finds the same
state as at the next instruction, so no verdict may change.

Usage: verdicts_diff.py --entrycheck BIN --root DIR [--jobs N] [SPEC...]
Exit status: 0 all agree, 1 some verdict differs, 2 set-up error.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import objects


def verdicts(ec, spec, jobs):
    p = subprocess.run([ec, "verify", spec, "--format", "json", "--jobs", str(jobs)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1, 3):
        return None, p.stderr.strip()
    return {(v["scenario"], v["cpu_profile"], v["invariant"]): v["verdict"] for v in json.loads(p.stdout)}, None


def object_spec(ec, spec, src, tmp):
    """The spec with the object as its source, or (None, error)."""
    tag = os.path.basename(spec)[:-len(".json")]
    obj, err = objects.assemble_for_spec(ec, spec, src, tmp, tag)
    if err:
        return None, err
    path = os.path.join(tmp, tag + ".json")
    with open(path, "w") as f:
        json.dump({"extends": os.path.abspath(spec), "sources": [obj], "cpufeatures": objects.CPUFEATURES}, f)
    return path, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--entrycheck", required=True)
    ap.add_argument("--root", default=".")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("specs", nargs="*")
    a = ap.parse_args()
    try:
        objects.check_tools()
    except objects.SetupError as e:
        print("verdicts-diff: %s" % e, file=sys.stderr)
        return 2
    specs = a.specs or sorted(os.path.join(a.root, "specs", f) for f in os.listdir(os.path.join(a.root, "specs"))
                              if f.endswith(".json"))
    problems, compared = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for spec in specs:
            src = objects.spec_example(a.root, spec)
            if not src:
                continue
            ospec, err = object_spec(a.entrycheck, spec, src, tmp)
            if err:
                problems.append("%s: cannot build the object: %s" % (spec, err.strip()))
                continue
            want, err1 = verdicts(a.entrycheck, spec, a.jobs)
            got, err2 = verdicts(a.entrycheck, ospec, a.jobs)
            if err1 or err2:
                problems.append("%s: verify failed: %s" % (spec, err1 or err2))
                continue
            for key in sorted(set(want) | set(got)):
                compared += 1
                if want.get(key) != got.get(key):
                    problems.append("%s %s: .S %s, object %s" % (spec, "/".join(key), want.get(key), got.get(key)))
            print("%s: %d verdicts compared" % (os.path.basename(spec), len(want)))
    for p in problems:
        print("MISMATCH " + p)
    print("verdicts-diff: %d verdicts, %d problem(s)" % (compared, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
