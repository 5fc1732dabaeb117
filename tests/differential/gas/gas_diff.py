#!/usr/bin/env python3
"""Differential test of entrycheck's assembly front end against GNU as.

For every .S under examples/ and tests/ (minus the deliberately broken unit
fixtures), and for every way it is meant to be assembled (once per spec that
names it in "sources", with the spec's defines and constants; or with the runs
a fixture declares), this script

  * asks entrycheck for its linked program (`entrycheck dump-program`, JSON
    lines: one per instruction, then the exception table);
  * assembles the same source with `gcc -m32` (same -D defines, the spec's
    constants as `.set`, and a prelude standing in for entrycheck's built-ins:
    PER_CPU_VAR, _ASM_EXTABLE, ENTRY/ENDPROC, ALTERNATIVE) and disassembles it
    with `objdump -d -r -M suffix`;
  * maps both to (operation, condition, operand size, rep, operands) with
    every number resolved, lays objdump's code sections end to end in the
    order entrycheck lays them out, and compares the two instruction streams:
    same instructions in the same order, same section, and every direct
    branch pointing at the same instruction (entrycheck gives an index;
    objdump's target address, or its relocation, is mapped to an index in
    objdump's own stream). Exception-table entries are compared the same way.

Instruction addresses are not compared: entrycheck gives nominal addresses
(4 bytes apart), not encodings.

Usage: gas_diff.py --entrycheck BIN [--root DIR] [-v] [FILE.S ...]
Exit status: 0 all runs agree, 1 some mismatch, 2 set-up error (missing
gcc -m32 / objdump, entrycheck failing to start, ...).

Runs a fixture declares: a comment line in the .S such as
    gas-diff-run: -D CONFIG_X=1 -F X86_FEATURE_XENPV
(one run per such line; a file without one gets a single plain run), and
    gas-diff-skip: reason
to leave a file out, and
    gas-diff-known-bug: description
for a fixture that shows a known difference (fixtures/known_bugs/): left out
unless --known-bugs is given. Files this script cannot annotate (the unit fixtures)
are configured in MANIFEST below.
"""

import argparse
import difflib
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

# Per-file configuration for sources that carry no gas-diff comments
# (paths relative to the project root).
MANIFEST = {
    "tests/model/asm/fixtures/missing_include.S": {"skip": "deliberately includes a missing file"},
    "tests/model/asm/fixtures/recursive.S": {"skip": "deliberately includes itself"},
    "tests/model/asm/fixtures/entry_seed.S": {
        "runs": [
            {"defines": {}, "features": []},
            {"defines": {"CONFIG_VM86": "1"}, "features": ["X86_FEATURE_XENPV"]},
        ]
    },
}

SEARCH_GLOBS = ["examples/**/*.S", "tests/**/*.S"]

# ---------------------------------------------------------------------------
# Mnemonic tables (independent of entrycheck's decode.cpp on purpose).

JCC = {
    "jo": "o", "jno": "no", "jb": "b", "jc": "b", "jnae": "b", "jae": "ae", "jnb": "ae",
    "jnc": "ae", "je": "e", "jz": "e", "jne": "ne", "jnz": "ne", "jbe": "be", "jna": "be",
    "ja": "a", "jnbe": "a", "js": "s", "jns": "ns", "jp": "p", "jpe": "p", "jnp": "np",
    "jpo": "np", "jl": "l", "jnge": "l", "jge": "ge", "jnl": "ge", "jle": "le", "jng": "le",
    "jg": "g", "jnle": "g",
}

# objdump base mnemonic -> our operation name (entrycheck's op_name spelling).
BASE_OPS = {
    "mov": "mov", "lea": "lea", "xchg": "xchg", "add": "add", "sub": "sub", "and": "and",
    "or": "or", "xor": "xor", "not": "not", "neg": "neg", "inc": "inc", "dec": "dec",
    "shl": "shl", "sal": "shl", "shr": "shr", "sar": "sar", "test": "test", "cmp": "cmp",
    "bt": "bt", "btr": "btr", "bts": "bts", "jmp": "jmp", "call": "call", "ret": "ret",
    "iret": "iret", "iretd": "iret", "push": "push", "pop": "pop", "pushf": "pushf",
    "popf": "popf", "cld": "cld", "std": "std", "cli": "cli", "sti": "sti", "movs": "movs",
    "nop": "nop", "sysexit": "sysexit",
}
SUFFIX = {"b": 1, "w": 2, "l": 4}

REG_WIDTH = {}
for _n in ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]:
    REG_WIDTH[_n] = 4
for _n in ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"]:
    REG_WIDTH[_n] = 2
for _n in ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"]:
    REG_WIDTH[_n] = 1
for _n in ["cr0", "cr2", "cr3", "cr4"]:
    REG_WIDTH[_n] = 4
SEGMENT_REGS = {"es", "cs", "ss", "ds", "fs", "gs"}
TO_32 = {"ax": "eax", "cx": "ecx", "dx": "edx", "bx": "ebx", "sp": "esp", "bp": "ebp",
         "si": "esi", "di": "edi"}

BRANCHES = {"jmp", "jcc", "call"}
SHIFTS = {"shl", "shr", "sar"}

# ---------------------------------------------------------------------------


class SetupError(Exception):
    pass


def run(cmd, cwd=None, check=True):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and p.returncode != 0:
        raise SetupError("command failed (%d): %s\n%s%s" % (p.returncode, " ".join(map(shlex.quote, cmd)),
                                                            p.stdout, p.stderr))
    return p


def check_tools(tmp):
    for tool in ("gcc", "objdump"):
        if not shutil.which(tool):
            raise SetupError("'%s' not found: install gcc, gcc-multilib and binutils "
                             "(the differential test needs gcc -m32 and objdump)" % tool)
    src = os.path.join(tmp, "probe.S")
    with open(src, "w") as f:
        f.write("\tmovl %esp, %eax\n")
    p = run(["gcc", "-m32", "-c", src, "-o", os.path.join(tmp, "probe.o")], check=False)
    if p.returncode != 0:
        raise SetupError("'gcc -m32 -c' cannot assemble a trivial .S file (install gcc-multilib?):\n"
                         + p.stderr)


def strip_json_comments(text):
    return "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("//"))


def spec_sources(spec, j):
    """realpaths of a spec's sources, from its base ("extends") when it names none."""
    if "sources" in j or "extends" not in j:
        return [os.path.realpath(os.path.join(os.path.dirname(spec), s)) for s in j.get("sources", [])]
    base = os.path.join(os.path.dirname(spec), j["extends"])
    return spec_sources(base, json.loads(strip_json_comments(open(base).read())))


def load_specs(root):
    """realpath of a source -> [spec path, ...]"""
    users = {}
    for spec in sorted(glob.glob(os.path.join(root, "specs", "*.json"))):
        try:
            j = json.loads(strip_json_comments(open(spec).read()))
        except ValueError as e:
            raise SetupError("cannot read spec %s: %s" % (spec, e))
        for path in spec_sources(spec, j):
            users.setdefault(path, []).append(spec)
    return users


def parse_run_line(args):
    """'-D A=1 -F FEAT -C SYM=5' -> run dict"""
    r = {"defines": {}, "features": [], "constants": {}}
    words = shlex.split(args)
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("-D", "-F", "-C") and i + 1 < len(words):
            v = words[i + 1]
            i += 2
        elif w[:2] in ("-D", "-F", "-C") and len(w) > 2:
            v = w[2:]
            w = w[:2]
            i += 1
        else:
            raise SetupError("bad gas-diff-run word '%s'" % w)
        if w == "-F":
            r["features"].append(v)
        else:
            name, _, value = v.partition("=")
            (r["defines"] if w == "-D" else r["constants"])[name] = value or "1"
    return r


def runs_for(root, path, spec_users, known_bugs=False):
    rel = os.path.relpath(path, root)
    text = open(path, errors="replace").read()
    m = re.search(r"gas-diff-known-bug:\s*(.*)", text)
    if m and not known_bugs:
        return None, "known front-end bug: " + m.group(1).strip()
    m = re.search(r"gas-diff-skip:\s*(.*)", text)
    conf = MANIFEST.get(rel, {})
    if m or "skip" in conf:
        return None, (m.group(1).strip() if m else conf["skip"])
    specs = spec_users.get(os.path.realpath(path), [])
    if specs:
        return [{"spec": s, "defines": {}, "features": [], "constants": {}} for s in specs], None
    runs = [parse_run_line(a) for a in re.findall(r"gas-diff-run:(.*)", text)]
    if not runs and "runs" in conf:
        runs = [dict({"constants": {}}, **r) for r in conf["runs"]]
    return runs or [{"defines": {}, "features": [], "constants": {}}], None


# ---------------------------------------------------------------------------
# Our side


def ours(ec, root, path, r):
    cmd = [ec, "dump-program", path]
    if r.get("spec"):
        cmd += ["--spec", r["spec"]]
    for k, v in r["defines"].items():
        cmd += ["-D", "%s=%s" % (k, v)]
    for k, v in r["constants"].items():
        cmd += ["-C", "%s=%s" % (k, v)]
    for f in r["features"]:
        cmd += ["-F", f]
    p = run(cmd, cwd=root, check=False)
    if p.returncode != 0:
        return None, p.stderr.strip() or ("exit status %d" % p.returncode)
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    header = lines[0]
    insns = [l for l in lines if l["kind"] == "insn"]
    extable = [l for l in lines if l["kind"] == "extable"]
    return (header, insns, extable), None


def our_operand(o):
    k = o["kind"]
    if k == "reg":
        t = ("reg", o["reg"])
    elif k == "imm":
        t = ("imm", o["imm"] & 0xFFFFFFFF)
    else:
        t = ("mem", o["seg"], o["disp"] & 0xFFFFFFFF, o["base"], o["index"], o["scale"] if o["index"] else 1)
    return ("*",) + t if o["indirect"] else t


def is_our_data_address(v, text_base, stride, count):
    """Whether v is in entrycheck's data area (model/asm/link.cpp
    data_addresses): from the page after the end of the text, 0x100 bytes a
    data-section label; 4096 labels' worth, so other numbers stay numbers."""
    base = ((text_base + stride * count) // 0x1000 + 1) * 0x1000
    return base <= v < base + 0x100 * 4096


def our_code_refs(o, text_base, stride, count):
    """A number that is a nominal instruction address (entrycheck's layout:
    text_base + stride * index) becomes ("code", index), as GNU as's
    relocations against code do on the other side; one in the data area
    (data-section labels) becomes ("data", value)."""
    if o[0] == "*":
        return ("*",) + our_code_refs(o[1:], text_base, stride, count)

    def ref(v):
        k, r = divmod(v - text_base, stride)
        if r == 0 and 0 <= k <= count:
            return ("code", k)
        return ("data", v) if is_our_data_address(v, text_base, stride, count) else v
    if o[0] == "imm":
        return ("imm", ref(o[1]))
    if o[0] == "mem":
        return o[:2] + (ref(o[2]),) + o[3:]
    return o


def our_canon(i, header):
    ops = [our_code_refs(our_operand(o), header["text_base"], header["stride"], header["instructions"])
           for o in i["operands"]]
    target = None
    if i["target"] is not None:
        target = ("idx", i["target"])
    elif i["external_call"]:
        target = ("ext", i["external_call"])
    return canon(i["op"], i["cond"], i["size"], i["src_size"], i["rep"], ops, target)


# ---------------------------------------------------------------------------
# GNU as side

PRELUDE_CPP = r"""
#define PER_CPU_VAR(x) %fs:x
#define _ASM_EXTABLE(from, to) .pushsection __ex_table, "a"; .long (from) - ., (to) - .; .popsection
#define _ASM_EXTABLE_UA(from, to) _ASM_EXTABLE(from, to)
#define _ASM_EXTABLE_TYPE(from, to, type) .pushsection __ex_table, "a"; .long (from) - ., (to) - ., (type); .popsection
#define ENTRY(name) .globl name; name:
#define GLOBAL(name) .globl name; name:
#define SYM_CODE_START(name) .globl name; name:
#define SYM_FUNC_START(name) .globl name; name:
#define SYM_CODE_START_NOALIGN(name) .globl name; name:
#define SYM_CODE_START_LOCAL(name) name:
#define SYM_FUNC_START_LOCAL(name) name:
#define SYM_CODE_START_LOCAL_NOALIGN(name) name:
#define END(name)
#define ENDPROC(name)
#define SYM_CODE_END(name)
#define SYM_FUNC_END(name)
"""


def feature_chain(arg, features, chosen, otherwise):
    """gas text: `chosen` if \\arg names one of features, else `otherwise`."""
    out = []
    for f in features:
        out += [".ifc \\%s,%s" % (arg, f), chosen, ".else"]
    out.append(otherwise)
    out += [".endif"] * len(features)
    return "\n".join(out)


def prelude(constants, features):
    lines = [PRELUDE_CPP]
    # ALTERNATIVE is entrycheck's built-in: the old instruction unless the run
    # has the feature (ALTERNATIVE_2: the last alternative whose feature is present).
    lines.append(".macro ALTERNATIVE oldinstr, newinstr, feature")
    lines.append(feature_chain("feature", features, "\\newinstr", "\\oldinstr"))
    lines.append(".endm")
    lines.append(".macro ALTERNATIVE_2 oldinstr, newinstr1, feature1, newinstr2, feature2")
    lines.append(feature_chain("feature2", features, "\\newinstr2",
                               feature_chain("feature1", features, "\\newinstr1", "\\oldinstr")))
    lines.append(".endm")
    for name, value in sorted(constants.items()):
        lines.append(".set %s, %d" % (name, value))
    return "\n".join(lines) + "\n"


ALIGN_RE = re.compile(r"(^|;)([ \t]*)\.(p2align|balign|align|nops)\b[^;\n]*", re.M)


def assemble(path, r, constants, tmp, tag):
    """Returns (object file, error text)."""
    pre = os.path.join(tmp, tag + ".prelude.h")
    with open(pre, "w") as f:
        f.write(prelude(constants, r["features"]))
    cpp_out = os.path.join(tmp, tag + ".s")
    obj = os.path.join(tmp, tag + ".o")
    cmd = ["gcc", "-m32", "-E", "-x", "assembler-with-cpp", "-include", pre]
    cmd += ["-D%s=%s" % (k, v) for k, v in r["defines"].items()]
    p = run(cmd + [path, "-o", cpp_out], check=False)
    if p.returncode != 0:
        return None, p.stderr
    # entrycheck ignores alignment; so must GNU as, or its NOP padding would
    # show up as extra instructions.
    text = ALIGN_RE.sub(r"\1\2", open(cpp_out).read())
    with open(cpp_out, "w") as f:
        f.write(text)
    p = run(["gcc", "-m32", "-c", "-g", "-x", "assembler", cpp_out, "-o", obj], check=False)
    if p.returncode != 0:
        return None, p.stderr
    return obj, None


def gas_first_error(text):
    for line in text.splitlines():
        if "Error:" in line or "error:" in line:
            return line.strip()
    return text.strip().splitlines()[0] if text.strip() else "?"


def symbols(obj):
    """name -> (section or None if undefined, value)"""
    out = {}
    for line in run(["objdump", "-t", obj]).stdout.splitlines():
        m = re.match(r"^([0-9a-f]{8}) (.{7}) (\S+)\t[0-9a-f]+ (.*)$", line)
        if not m:
            continue
        value, flags, sec, name = int(m.group(1), 16), m.group(2), m.group(3), m.group(4).strip()
        if "d" in flags[5:6] or name == "":
            name = sec  # section symbol
        out[name] = (None if sec == "*UND*" else sec, value)
    return out


def code_sections(obj):
    """[(name, size)] of executable sections, in header order."""
    out = []
    lines = run(["objdump", "-h", obj]).stdout.splitlines()
    for n, line in enumerate(lines):
        m = re.match(r"^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s", line)
        if m and n + 1 < len(lines) and "CODE" in lines[n + 1]:
            out.append((m.group(1), int(m.group(2), 16)))
    return out


RELOC_RE = re.compile(r"\t([0-9a-f]+): (R_386_\w+)\t(\S+)")
INSN_RE = re.compile(r"^\s*([0-9a-f]+):\t(.*)$")
LINE_RE = re.compile(r"^(/?[^\s:][^:]*):(\d+)( \(discriminator \d+\))?$")


def disassemble(obj):
    """section -> list of {off, text, relocs, line}"""
    p = run(["objdump", "-d", "-r", "-w", "-l", "-M", "suffix", "--no-show-raw-insn", obj])
    out, sec, where = {}, None, None
    for line in p.stdout.splitlines():
        m = re.match(r"^Disassembly of section (\S+):$", line)
        if m:
            sec = m.group(1)
            out[sec] = []
            continue
        if sec is None:
            continue
        m = LINE_RE.match(line)
        if m:
            where = "%s:%s" % (m.group(1), m.group(2))
            continue
        m = INSN_RE.match(line)
        if not m:
            continue
        body = m.group(2)
        relocs = [(int(a, 16), t, s) for a, t, s in RELOC_RE.findall(body)]
        body = RELOC_RE.sub("", body).strip()
        if body.startswith("..."):
            continue
        out[sec].append({"off": int(m.group(1), 16), "text": body, "relocs": relocs, "line": where})
    return out


def split_operands(s):
    ops, depth, cur = [], 0, ""
    for c in s:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "," and depth == 0:
            ops.append(cur.strip())
            cur = ""
        else:
            cur += c
    if cur.strip():
        ops.append(cur.strip())
    return ops


def num(s):
    s = s.strip()
    neg = s.startswith("-")
    v = int(s.lstrip("-"), 0) if s.lstrip("-") else 0
    return (-v if neg else v) & 0xFFFFFFFF


def parse_gas_operand(s):
    ind = s.startswith("*")
    if ind:
        s = s[1:]
    if s.startswith("%") and ":" not in s:
        t = ("reg", s[1:])
    elif s.startswith("$"):
        t = ("imm", num(s[1:]))
    else:
        seg = None
        m = re.match(r"^%(\w+):(.*)$", s)
        if m:
            seg, s = m.group(1), m.group(2)
        m = re.match(r"^([^(]*)(?:\(([^)]*)\))?$", s)
        disp = num(m.group(1)) if m.group(1) else 0
        base = index = None
        scale = 1
        if m.group(2) is not None:
            parts = [x.strip() for x in m.group(2).split(",")]
            base = parts[0][1:] if parts[0] else None
            if len(parts) > 1 and parts[1]:
                index = parts[1][1:]
                scale = int(parts[2]) if len(parts) > 2 and parts[2] else 1
        t = ("mem", seg, disp, base, index, scale if index else 1)
    return ("*",) + t if ind else t


def decode_gas(text):
    """objdump text -> (op, cond, size or None, src_size, rep, operand strings)"""
    words = text.split(None, 1)
    mn, rest = words[0], (words[1] if len(words) > 1 else "")
    rep = False
    while mn in ("rep", "repz", "repe"):
        rep = True
        words = rest.split(None, 1)
        mn, rest = words[0], (words[1] if len(words) > 1 else "")
    rest = rest.split("<")[0].strip() if mn.startswith(("j", "call")) else rest.strip()
    operands = split_operands(rest)
    if mn in JCC:
        return "jcc", JCC[mn], 4, None, rep, operands
    m = re.match(r"^mov([sz])([bw])([wl])$", mn)
    if m:
        return ("movzx" if m.group(1) == "z" else "movsx"), None, SUFFIX[m.group(3)], SUFFIX[m.group(2)], rep, operands
    if mn in BASE_OPS:
        return BASE_OPS[mn], None, None, None, rep, operands
    if mn[:-1] in BASE_OPS and mn[-1] in SUFFIX:
        return BASE_OPS[mn[:-1]], None, SUFFIX[mn[-1]], None, rep, operands
    return "?" + mn, None, None, None, rep, operands


def gas_size(op, size, operands):
    if size:
        return size
    width = 0
    seg = False
    for o in operands:
        if o[0] == "reg":
            if o[1] in REG_WIDTH:
                width = max(width, REG_WIDTH[o[1]])
            elif o[1] in SEGMENT_REGS:
                seg = True
    if width:
        return width
    if seg and op not in ("push", "pop"):
        return 2
    return 4


def drop_default_segment(o):
    if o[0] == "*":
        return ("*",) + drop_default_segment(o[1:])
    if o[0] != "mem" or o[1] is None:
        return o
    default = "ss" if o[3] in ("esp", "ebp") else "ds"
    return ("mem", None) + o[2:] if o[1] == default else o


def canon(op, cond, size, src_size, rep, operands, target):
    """Both sides go through this: the forms that mean the same become equal."""
    operands = list(operands)
    if op in SHIFTS and len(operands) == 1:
        operands.insert(0, ("imm", 1))  # "shrl %ecx" is "shrl $1, %ecx"
    if op == "movs":
        operands = []  # objdump spells out %ds:(%esi),%es:(%edi)
    if op in ("test", "xchg"):
        operands.sort(key=repr)  # commutative; objdump prints the encoded order
    if op == "mov" and len(operands) == 2 and operands[1][0] == "reg" and operands[1][1] in SEGMENT_REGS \
            and operands[0][0] == "reg":
        # mov to a segment register loads 16 bits whatever the size; gas drops
        # the 0x66 prefix of "movw %dx, %ds"
        operands[0] = ("reg", TO_32.get(operands[0][1], operands[0][1]))
        size = 4
    if op not in ("movzx", "movsx"):
        src_size = size
    # An override naming the segment the address uses anyway (%ds, or %ss with
    # an %esp/%ebp base) changes nothing; GNU as drops its prefix.
    operands = [drop_default_segment(o) for o in operands]
    mask = {1: 0xFF, 2: 0xFFFF, 4: 0xFFFFFFFF}.get(size, 0xFFFFFFFF)
    if op in SHIFTS or op in ("bt", "btr", "bts"):
        mask = 0xFF
    operands = [("imm", o[1] & mask) if o[0] == "imm" and isinstance(o[1], int) else o for o in operands]
    return {"op": op, "cond": cond, "size": size, "src_size": src_size, "rep": rep,
            "operands": tuple(operands), "target": target}


def gas_stream(obj, order):
    """Instructions of the code sections laid end to end in `order`.

    Returns (insns, section_base, problems)."""
    dis = disassemble(obj)
    syms = symbols(obj)
    secs = dict(code_sections(obj))
    base, n = {}, 0
    for s in order:
        base[s] = n
        n += len(dis.get(s, []))
    offsets = {s: {ins["off"]: k for k, ins in enumerate(dis.get(s, []))} for s in order}

    def index_of(sec, off):
        if sec not in base:
            return None
        if off in offsets[sec]:
            return base[sec] + offsets[sec][off]
        if off == secs.get(sec):  # the end of the section: the next one's start
            return base[sec] + len(dis.get(sec, []))
        return None

    out = []
    for s in order:
        items = dis.get(s, [])
        for k, ins in enumerate(items):
            end = items[k + 1]["off"] if k + 1 < len(items) else secs.get(s, ins["off"])
            op, cond, size, src_size, rep, opstrs = decode_gas(ins["text"])
            target = None
            operands = []
            if op in BRANCHES and opstrs and not opstrs[0].startswith("*"):
                tdisp = int(opstrs[0], 16)  # objdump prints branch targets in bare hex
                pc = [r for r in ins["relocs"] if r[1] in ("R_386_PC32", "R_386_PLT32")]
                if pc:
                    roff, _, sym = pc[0]
                    sec, value = syms.get(sym, (None, 0))
                    if sec is None:
                        target = ("ext", sym)
                    else:
                        idx = index_of(sec, (value + tdisp - roff) & 0xFFFFFFFF)
                        target = ("idx", idx) if idx is not None else ("addr", sec, value + tdisp - roff)
                else:
                    idx = index_of(s, tdisp)
                    target = ("idx", idx) if idx is not None else ("addr", s, tdisp)
            else:
                operands = [parse_gas_operand(o) for o in opstrs]
                # Absolute relocations against code (e.g. "movl $1b, %eax"):
                # the operand names an instruction, not a number.
                for roff, rtype, sym in ins["relocs"]:
                    if rtype != "R_386_32":
                        continue
                    sec, value = syms.get(sym, (None, 0))
                    kind = [o[1] if o[0] == "*" else o[0] for o in operands]
                    slots = [j for j, k in enumerate(kind) if k in ("imm", "mem")]
                    if roff == end - 4 and any(kind[j] == "imm" for j in slots):
                        slots = [j for j in slots if kind[j] == "imm"]
                    else:
                        slots = [j for j in slots if kind[j] == "mem"] or slots
                    if not slots:
                        continue
                    j = slots[0]
                    star = operands[j][:1] if operands[j][0] == "*" else ()
                    o = operands[j][len(star):]
                    field = o[1] if o[0] == "imm" else o[2]
                    if sec is None:
                        ref = ("sym", sym, field)
                    elif sec not in base:  # a data section
                        ref = ("data", sec, (value + field) & 0xFFFFFFFF)
                    else:
                        idx = index_of(sec, (value + field) & 0xFFFFFFFF)
                        ref = ("code", idx) if idx is not None else ("addr", sec, value + field)
                    operands[j] = star + (("imm", ref) if o[0] == "imm" else o[:2] + (ref,) + o[3:])
            size = gas_size(op, size, [o[1:] if o[0] == "*" else o for o in operands])
            c = canon(op, cond, size, src_size, rep, operands, target)
            c["section"] = s
            c["where"] = "%s+0x%x: %s" % (s, ins["off"], ins["text"])
            c["line"] = ins["line"]
            out.append(c)
    return out, dis, syms


def gas_extable(obj, syms, index_of_fn):
    """[(from index, to index)] from __ex_table's PC-relative relocations."""
    p = run(["objdump", "-r", "-s", "-j", "__ex_table", obj], check=False)
    if p.returncode != 0 or "__ex_table" not in p.stdout:
        return []
    data = bytearray()
    relocs = []
    for line in p.stdout.splitlines():
        m = re.match(r"^([0-9a-f]{8}) (R_386_\w+)\s+(\S+)$", line)
        if m:
            relocs.append((int(m.group(1), 16), m.group(2), m.group(3)))
            continue
        m = re.match(r"^ ([0-9a-f]{4,}) ((?:[0-9a-f]{2,8} ?){1,4})", line)
        if m:
            for word in m.group(2).split():
                data += bytes.fromhex(word)
    ends = []
    for off, rtype, sym in relocs:
        if rtype != "R_386_PC32":
            continue
        field = int.from_bytes(data[off:off + 4], "little")
        sec, value = syms.get(sym, (None, 0))
        # ".long x - ." against a section symbol: the field holds x's offset
        # in that section (REL: addend in place, S + A - P).
        ends.append(index_of_fn(sec, (value + field) & 0xFFFFFFFF) if sec else ("sym", sym))
    return [(ends[k], ends[k + 1]) for k in range(0, len(ends) - 1, 2)]


def undefined_data_symbols(obj):
    """Undefined symbols the code uses other than as call/jump targets."""
    dis = disassemble(obj)
    branch_only, other = set(), set()
    for items in dis.values():
        for ins in items:
            op = decode_gas(ins["text"])[0]
            for _, rtype, sym in ins["relocs"]:
                (branch_only if op in BRANCHES and rtype in ("R_386_PC32", "R_386_PLT32") else other).add(sym)
    syms = symbols(obj)
    return sorted(s for s in other if s in syms and syms[s][0] is None)


# ---------------------------------------------------------------------------


def show_ours(i):
    loc = i["loc"]
    s = "%s:%d: %s" % (loc["file"], loc["line"], i["text"])
    if i["expanded_from"]:
        s += "  (in %s)" % ", ".join("%s at %s:%d" % (m, l["file"], l["line"])
                                     for m, l in zip(i["macros"], i["expanded_from"]))
    return s


def key(c):
    return (c["op"], c["cond"], c["size"], c["src_size"], c["rep"],
            tuple(("*",) + o[1:2] if o[0] == "*" else o[:1] for o in c["operands"]),
            tuple(normal_operand(o) for o in c["operands"]),
            c["target"][0] if c["target"] else None)


def normal_operand(o):
    """Operand without references to instructions (those are compared by index later)."""
    if o[0] == "*":
        return ("*",) + normal_operand(o[1:])
    if o[0] == "imm" and isinstance(o[1], tuple):
        return ("imm", "ref")
    if o[0] == "mem" and isinstance(o[2], tuple):
        return o[:2] + ("ref",) + o[3:]
    return o


def fmt(c):
    d = dict((k, c[k]) for k in ("op", "cond", "size", "src_size", "rep", "operands", "target"))
    if d["cond"] is None:
        del d["cond"]
    if d["src_size"] == d["size"]:
        del d["src_size"]
    if not d["rep"]:
        del d["rep"]
    if d["target"] is None:
        del d["target"]
    return repr(d)


def compare_run(label, mine, gas, ours_raw, our_ex, gas_ex, text_base, stride, problems):
    a = [key(c) for c in mine]
    b = [key(c) for c in gas]
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    mapping = {}
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                mapping[i1 + k] = j1 + k
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            o = ours_raw[i1 + k] if i1 + k < i2 else None
            g = gas[j1 + k] if j1 + k < j2 else None
            msg = "%s: instruction mismatch (%s)\n" % (label, tag)
            if o:
                msg += "    ours #%d   %s\n               %s\n" % (i1 + k, show_ours(o), fmt(mine[i1 + k]))
            else:
                msg += "    ours       (nothing)\n"
            if g:
                msg += "    gas  #%d   %s   [%s]\n               %s" % (j1 + k, g["where"], g["line"], fmt(g))
            else:
                msg += "    gas        (nothing)"
            problems.append(msg)
    mapping[len(mine)] = len(gas)

    # Data addresses are nominal on our side: a data reference agrees when
    # ours and GNU as's (section, offset) pair up one to one throughout the run.
    data_pairs = {}

    def pair_data(v, g):
        if data_pairs.setdefault(v, g) != g:
            return False
        return all(o == v for o, d in data_pairs.items() if d == g)

    def map_ref(v, g=None):
        if isinstance(v, tuple) and v[0] == "code":
            return ("code", mapping.get(v[1], "unmatched #%d" % v[1]))
        if isinstance(v, tuple) and v[0] == "data":
            paired = isinstance(g, tuple) and g[0] == "data" and pair_data(v[1], g)
            return g if paired else ("data", "0x%x" % v[1])
        return v

    for i, j in sorted(mapping.items()):
        if i >= len(mine):
            continue
        m, g = mine[i], gas[j]
        bad = []
        if m["section"] != g["section"]:
            bad.append("section %s vs %s" % (m["section"], g["section"]))
        mt, gt = m["target"], g["target"]
        if mt and mt[0] == "idx":
            mt = ("idx", mapping.get(mt[1], "unmatched #%d" % mt[1]))
        if mt != gt:
            bad.append("branch target %s vs %s" % (mt, gt))
        for mo, go in zip(m["operands"], g["operands"]):
            mo, go = (mo[1:], go[1:]) if mo[0] == "*" else (mo, go)
            if go[0] == "imm" and isinstance(go[1], tuple) and map_ref(mo[1], go[1]) != go[1]:
                bad.append("immediate %s vs %s" % (map_ref(mo[1], go[1]), go[1]))
            if go[0] == "mem" and isinstance(go[2], tuple) and map_ref(mo[2], go[2]) != go[2]:
                bad.append("displacement %s vs %s" % (map_ref(mo[2], go[2]), go[2]))
        if bad:
            problems.append("%s: %s\n    ours #%d   %s\n    gas  #%d   %s   [%s]" %
                            (label, "; ".join(bad), i, show_ours(ours_raw[i]), j, g["where"], g["line"]))

    ours_pairs = [(mapping.get(e["from_index"]), mapping.get(e["to_index"])) for e in our_ex]
    if ours_pairs != gas_ex:
        problems.append("%s: exception table differs (as gas instruction indexes)\n    ours %s\n    gas  %s" %
                        (label, ours_pairs, gas_ex))


def check_run(ec, root, path, r, tmp, tag, stats, problems, verbose):
    rel = os.path.relpath(path, root)
    desc = rel
    if r.get("spec"):
        desc += " [spec %s]" % os.path.relpath(r["spec"], root)
    extra = ["-D%s=%s" % kv for kv in r["defines"].items()] + ["-F" + f for f in r["features"]] + \
        ["-C%s=%s" % kv for kv in r["constants"].items()]
    if extra:
        desc += " [%s]" % " ".join(extra)

    # Symbols the source leaves to the platform (asm-offsets) and no spec
    # gives: both sides get the same distinct values. GNU as names the
    # undefined ones when it can assemble the file without them; entrycheck
    # names the rest one by one ("undefined symbol 'X'").
    constants = {k: int(v, 0) for k, v in r["constants"].items()}

    def add(name):
        constants[name] = 0x1000 + 0x24 * len(constants)
        return dict(r, constants=dict((k, str(v)) for k, v in constants.items()))

    if not r.get("spec"):
        obj, err = assemble(path, r, {}, tmp, tag + ".probe")
        for name in (undefined_data_symbols(obj) if obj else []):
            if name not in constants:
                r = add(name)
    for _ in range(1000):
        got, err = ours(ec, root, path, r)
        m = re.search(r"error: undefined symbol '([^']+)'", err or "")
        if got is not None or not m or m.group(1) in constants:
            break
        r = add(m.group(1))
    if got is None:
        # Deliberately bad input (the regression error cases) is rejected by
        # both; only a one-sided rejection is a difference.
        obj, gerr = (None, "") if r.get("spec") else assemble(path, r, constants, tmp, tag)
        if obj is None and not r.get("spec"):
            stats["both_reject"].append("%s (entrycheck: %s; gas: %s)" % (
                desc, err.splitlines()[0], gas_first_error(gerr)))
            return
        problems.append("%s: entrycheck rejects it%s:\n    %s" % (
            desc, "" if r.get("spec") else " (GNU as accepts it)", err.replace("\n", "\n    ")))
        return
    header, insns, extable = got
    # The spec's defines and constants as entrycheck saw them (for a spec run
    # they come from the spec; -D on the command line would override).
    r = dict(r, defines=dict(header["defines"]))
    obj, err = assemble(path, r, dict(header["constants"]), tmp, tag)
    if obj is None:
        problems.append("%s: GNU as rejects what entrycheck accepts:\n%s" % (desc, err))
        return

    our_order = []
    for i in insns:
        if i["section"] not in our_order:
            our_order.append(i["section"])
    gas_secs = [s for s, size in code_sections(obj) if size > 0]
    if set(our_order) != set(gas_secs):
        problems.append("%s: code sections differ: ours %s, gas %s" % (desc, our_order, gas_secs))
    # GNU as creates .text first whatever the source does; the order of the
    # others is the order of first appearance, as in entrycheck's layout.
    if [s for s in our_order if s != ".text" and s in gas_secs] != \
            [s for s in gas_secs if s != ".text" and s in our_order]:
        problems.append("%s: code section order differs: ours %s, gas %s" % (desc, our_order, gas_secs))
    order = our_order + [s for s in gas_secs if s not in our_order]

    gas, dis, syms = gas_stream(obj, order)
    base, n = {}, 0
    for s in order:
        base[s] = n
        n += len(dis.get(s, []))
    secsizes = dict(code_sections(obj))

    def index_of(sec, off):
        if sec not in base:
            return None
        for k, ins in enumerate(dis.get(sec, [])):
            if ins["off"] == off:
                return base[sec] + k
        return base[sec] + len(dis[sec]) if off == secsizes.get(sec) else None

    gas_ex = gas_extable(obj, syms, index_of)
    mine = []
    for i in insns:
        c = our_canon(i, header)
        c["section"] = i["section"]
        mine.append(c)
    before = len(problems)
    compare_run(desc, mine, gas, insns, extable, gas_ex, header["text_base"], header["stride"], problems)
    stats["runs"] += 1
    stats["instructions"] += len(insns)
    stats["extable"] += len(extable)
    if verbose:
        print("%-70s %4d insns %2d extable  %s" % (desc, len(insns), len(extable),
                                                  "ok" if len(problems) == before else "MISMATCH"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entrycheck", required=True)
    ap.add_argument("--root", default=os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--known-bugs", action="store_true",
                    help="also run the fixtures marked gas-diff-known-bug (they are expected to differ)")
    ap.add_argument("--keep", help="keep intermediate files in this directory")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    root = os.path.realpath(args.root)
    ec = os.path.realpath(args.entrycheck)
    start = time.time()
    tmp = args.keep or tempfile.mkdtemp(prefix="gas_diff.")
    os.makedirs(tmp, exist_ok=True)
    try:
        if not os.access(ec, os.X_OK):
            raise SetupError("entrycheck binary '%s' not found or not executable" % ec)
        check_tools(tmp)
        spec_users = load_specs(root)
        if args.files:
            files = [os.path.realpath(f) for f in args.files]
        else:
            files = sorted({os.path.realpath(f) for g in SEARCH_GLOBS
                            for f in glob.glob(os.path.join(root, g), recursive=True)})
        stats = {"files": 0, "runs": 0, "instructions": 0, "extable": 0, "both_reject": []}
        problems, skipped = [], []
        for n, path in enumerate(files):
            runs, why = runs_for(root, path, spec_users, args.known_bugs)
            if runs is None:
                skipped.append("%s (%s)" % (os.path.relpath(path, root), why))
                continue
            stats["files"] += 1
            for k, r in enumerate(runs):
                check_run(ec, root, path, r, tmp, "f%d.r%d" % (n, k), stats, problems, args.verbose)
    except SetupError as e:
        print("gas_diff: error: %s" % e, file=sys.stderr)
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    for p in problems:
        print(p)
    for s in skipped:
        print("skipped: " + s)
    for s in stats["both_reject"]:
        print("both reject (deliberately bad input): " + s)
    if stats["files"] == 0 or stats["runs"] == 0:
        problems.append("nothing compared")
    print("gas_diff: %d files, %d runs, %d instructions, %d extable entries compared in %.1fs: %s" %
          (stats["files"], stats["runs"], stats["instructions"], stats["extable"], time.time() - start,
           "%d mismatch(es)" % len(problems) if problems else "all agree"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
