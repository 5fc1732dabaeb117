#!/usr/bin/env python3
"""Differential test of the object front end against GNU objdump.

For an ELF object, every instruction of every code section (the
`.altinstr_replacement` section included) as entrycheck decodes it
(`entrycheck dump-program --no-alternatives`: the code as it is in the
file) is compared with `objdump -d -r -M suffix`, after this normalisation:

  * boundaries: the same instructions at the same section offsets, in the
    same sections (so the same lengths);
  * instructions the program model holds: the same operation, condition,
    operation size, source size, rep prefix and operands, both sides put
    through gas_diff.canon (the forms that mean the same become equal:
    "shr %eax" is "shr $1, %eax", movs's spelled-out operands dropped,
    test/xchg operand order, a segment override naming the default segment,
    mov to a segment register read as 32-bit); where objdump shows a
    relocation, operand numbers are masked on both sides and the relocations'
    symbols compared instead (entrycheck annotates each field it resolved,
    a section symbol by its section's name); direct branches compare their
    targets as (section, offset), or as the external symbol of a call;
  * rows the program does not hold (.altinstr_replacement, and instructions
    the model does not support): boundaries only;
  * the exception table: every entry's (insn, fixup) against __ex_table's
    R_386_PC32 relocations and the section bytes (gas_diff.gas_extable).

Undefined symbols get distinct constants (-C NAME=VALUE) so that their
instructions resolve.

Usage: objdump_diff.py --entrycheck BIN [--root DIR] [--kernel OBJ] [--examples]
  --examples   the bundled examples assembled as objects (objects.py)
  --kernel OBJ the kernel's entry_32.o; when OBJ does not exist the test is
               skipped: a message and exit status 77 (ctest: "Skipped").
               "--kernel auto": the object scripts/linux/build-object.sh
               builds from Debian's linux-source into its cache
               (ENTRYCHECK_CACHE, else XDG_CACHE_HOME/entrycheck, else
               ~/.cache/entrycheck), with that tree's cpufeatures.h
Exit status: 0 agree, 1 mismatch, 2 set-up error, 77 skipped.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import objects

gas = objects.gas_diff
SKIPPED = 77


def our_rows(ec, obj, constants, cpufeatures):
    cmd = [ec, "dump-program", obj, "--no-alternatives"]
    if cpufeatures:
        cmd += ["--cpufeatures", cpufeatures]
    for k, v in sorted(constants.items()):
        cmd += ["-C", "%s=%d" % (k, v)]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    if not lines:
        raise objects.SetupError("dump-program failed on %s: %s" % (obj, p.stderr))
    return lines[0], [l for l in lines if l["kind"] == "insn"], [l for l in lines if l["kind"] == "extable"]


ANNOTATION_RE = re.compile(r"  # ([^+\-\s]+)")


def gas_view(ins, length, syms):
    """objdump's instruction through gas_diff's canonical form."""
    op, cond, size, src_size, rep, texts = gas.decode_gas(ins["text"])
    if op == "xchg" and len(texts) == 2 and texts[0] == texts[1] == "%ax":
        op, texts = "nop", []  # 66 90: objdump's "xchg %ax,%ax" is Zydis's (and the SDM's) 16-bit NOP
    # "0x0(%esi,%eiz,1)": a SIB byte with no index (GNU as's long NOP forms); %eiz is no register
    texts = [t.replace(",%eiz,1)", ")") for t in texts]
    direct = op in gas.BRANCHES and len(texts) == 1 and not texts[0].startswith("*")
    operands = [] if direct else [gas.parse_gas_operand(t) for t in texts]
    size = gas.gas_size(op, size, operands)
    if op == "verw":
        size = 2  # VERW r/m16 (SDM); objdump prints no suffix, gas_size's default is 4
    target = None
    if direct:
        printed = int(texts[0].split()[0], 16)
        rels = [r for r in ins["relocs"] if r[1] in ("R_386_PC32", "R_386_PLT32")]
        if rels:
            sec, value = syms.get(rels[0][2], (None, 0))
            in_place = printed - (ins["off"] + length)
            target = ("ext", rels[0][2]) if sec is None else ("at", sec, (value + in_place + 4) & 0xFFFFFFFF)
        else:
            target = ("at", ins["sec"], printed)
    masked = bool(ins["relocs"]) and target is None
    c = gas.canon(op, cond, size, src_size, rep, [mask(o) if masked else o for o in operands], target)
    c["relocs"] = sorted(r[2] for r in ins["relocs"]) if masked else []
    return c


def mask(o):
    if o[0] == "*":
        return ("*",) + mask(o[1:])
    if o[0] == "imm":
        return ("imm", "R")
    if o[0] == "mem":
        return o[:2] + ("R",) + o[3:]
    return o


def our_view(row, place_of, has_relocs):
    ops = [gas.our_operand(o) for o in row["operands"]]
    target = None
    if row["target"] is not None:
        target = ("at",) + place_of[row["target"]]
    elif row["external_call"]:
        target = ("ext", row["external_call"])
    c = gas.canon(row["op"], row["cond"], row["size"], row["src_size"], row["rep"],
                  [mask(o) if has_relocs else o for o in ops], target)
    c["relocs"] = sorted(ANNOTATION_RE.findall(row["text"])) if has_relocs else []
    return c


def compare_section(sec, mine, theirs, syms, place_of, size, problems):
    offs_mine = [r["offset"] for r in mine]
    offs_theirs = [i["off"] for i in theirs]
    if offs_mine != offs_theirs:
        first = next((k for k in range(min(len(offs_mine), len(offs_theirs))) if offs_mine[k] != offs_theirs[k]),
                     min(len(offs_mine), len(offs_theirs)))
        problems.append("%s: instruction boundaries differ from the %d-th on (entrycheck %s, objdump %s)" %
                        (sec, first, offs_mine[first:first + 3], offs_theirs[first:first + 3]))
        return 0
    compared = 0
    for k, (row, ins) in enumerate(zip(mine, theirs)):
        ins["sec"] = sec
        length = (theirs[k + 1]["off"] if k + 1 < len(theirs) else size) - ins["off"]
        if length != row["length"]:
            problems.append("%s+0x%x: length %d, objdump %d" % (sec, row["offset"], row["length"], length))
        if not row["in_program"] or row["unsupported"]:
            continue
        theirs_c = gas_view(ins, length, syms)
        mine_c = our_view(row, place_of, bool(ins["relocs"]) and theirs_c["target"] is None)
        compared += 1
        if mine_c != theirs_c:
            problems.append("%s+0x%x: entrycheck %r\n    objdump    %r  (%s)" % (sec, row["offset"], mine_c, theirs_c,
                                                                            ins["text"]))
    return compared


def check_object(ec, obj, cpufeatures, label):
    syms = gas.symbols(obj)
    undefined = sorted(n for n, (sec, _) in syms.items() if sec is None)
    constants = {n: 0x10000000 + 0x1000 * k for k, n in enumerate(undefined)}
    header, rows, extable = our_rows(ec, obj, constants, cpufeatures)
    dis = gas.disassemble(obj)
    sizes = dict(gas.code_sections(obj))
    place_of = {r["index"]: (r["section"], r["offset"]) for r in rows if r["index"] is not None}
    index_of = {v: k for k, v in place_of.items()}
    problems, compared = [], 0
    sections = sorted(set(r["section"] for r in rows) | set(s for s in dis if dis[s]))
    for sec in sections:
        mine = [r for r in rows if r["section"] == sec]
        compared += compare_section(sec, mine, dis.get(sec, []), syms, place_of, sizes.get(sec, 0), problems)
    theirs_ex = gas.gas_extable(obj, syms, lambda sec, off: index_of.get((sec, off)))
    mine_ex = [(e["from_index"], e["to_index"]) for e in extable]
    if sorted(mine_ex) != sorted(theirs_ex):
        problems.append("exception table: entrycheck %s, __ex_table %s" % (mine_ex, theirs_ex))
    unsupported = [r for r in rows if r["unsupported"]]
    print("%s: %d rows (%d in the program, %d unsupported), %d compared in full, %d exception-table entries" %
          (label, len(rows), len(place_of), len(unsupported), compared, len(extable)))
    for r in unsupported:
        print("  unsupported: %s+0x%x %s: %s" % (r["section"], r["offset"], r["att"], r["unsupported"]))
    return problems


def check_examples(ec, root, tmp):
    """Each bundled example assembled as its first spec assembles it (the
    spec's defines; its constants as .set: some are used at assembly time)."""
    specs = sorted(os.path.join(root, "specs", f) for f in os.listdir(os.path.join(root, "specs")) if f.endswith(".json"))
    problems, done = [], set()
    for spec in specs:
        src = objects.spec_example(root, spec)
        if not src or src in done:
            continue
        done.add(src)
        name = os.path.basename(os.path.dirname(src))
        obj, err = objects.assemble_for_spec(ec, spec, src, tmp, name)
        if err:
            problems.append("%s: cannot assemble %s: %s" % (spec, src, err))
            continue
        problems += check_object(ec, obj, objects.CPUFEATURES, name)
    if len(done) < len(objects.examples(root)):
        problems.append("some bundled example has no spec to assemble it with")
    return problems


def cached_kernel():
    """(entry_32.o, cpufeatures.h) of build-object.sh's default build, or (a path that does not exist, None)."""
    cache = os.environ.get("ENTRYCHECK_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "entrycheck")
    found = sorted(glob.glob(os.path.join(cache, "build", "pkg-linux-*", "arch", "x86", "entry", "entry_32.o")))
    if not found:
        return os.path.join(cache, "build", "pkg-linux-<version>", "arch/x86/entry/entry_32.o"), None
    version = found[-1].split(os.sep + "build" + os.sep + "pkg-")[1].split(os.sep)[0]
    header = os.path.join(cache, version, "arch", "x86", "include", "asm", "cpufeatures.h")
    return found[-1], header if os.path.exists(header) else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--entrycheck", required=True)
    ap.add_argument("--root", default=".")
    ap.add_argument("--kernel")
    ap.add_argument("--cpufeatures", help="the kernel tree's cpufeatures.h (names in the output)")
    ap.add_argument("--examples", action="store_true")
    a = ap.parse_args()
    try:
        objects.check_tools()
        gas.use_catalog(a.entrycheck)
    except (objects.SetupError, gas.SetupError) as e:
        print("objdump-diff: %s" % e, file=sys.stderr)
        return 2
    if a.kernel == "auto":
        a.kernel, header = cached_kernel()
        a.cpufeatures = a.cpufeatures or header
    if a.kernel and not os.path.exists(a.kernel):
        print("objdump-diff: SKIPPED: %s does not exist (build it with scripts/linux/build-object.sh)" % a.kernel)
        return SKIPPED
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        if a.examples:
            problems += check_examples(a.entrycheck, a.root, tmp)
        if a.kernel:
            problems += check_object(a.entrycheck, a.kernel, a.cpufeatures, a.kernel)
    for p in problems:
        print("MISMATCH " + p)
    print("objdump-diff: %d problem(s)" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
