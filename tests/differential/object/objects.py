"""Shared by the object-input tests: the bundled examples assembled as ELF
objects with GNU as (`gcc -m32 -E` for the C preprocessor, then
`as --32 -L -g`), with a prelude that stands in for entrycheck's built-in
macros the way the kernel defines them: ALTERNATIVE emits .altinstructions
entries (Linux 6.1's struct alt_instr) and _ASM_EXTABLE 12-byte __ex_table
entries of type EX_TYPE_DEFAULT, so that the object front end reads the
alternatives and the exception table from the object, not from the source.
"""

import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "gas"))
import gas_diff  # noqa: E402  (the prelude for ENTRY, PER_CPU_VAR, ...)

CPUFEATURES = os.path.join(HERE, "cpufeatures.h")

# After gas_diff's prelude: the kernel's forms of the table macros.
KERNEL_PRELUDE = r"""
#include "%(cpufeatures)s"
#undef _ASM_EXTABLE
#undef _ASM_EXTABLE_UA
#define _ASM_EXTABLE(from, to) .pushsection __ex_table, "a"; .balign 4; .long (from) - ., (to) - ., 1; .popsection
#define _ASM_EXTABLE_UA(from, to) _ASM_EXTABLE(from, to)
"""

ALTERNATIVE_MACROS = r"""
.macro ALTERNATIVE oldinstr, newinstr, feature
140:
	\oldinstr
141:
	.skip -(((144f-143f)-(141b-140b)) > 0) * ((144f-143f)-(141b-140b)),0x90
142:
	.pushsection .altinstructions,"a"
	.long 140b - .
	.long 143f - .
	.word \feature
	.byte 142b - 140b
	.byte 144f - 143f
	.popsection
	.pushsection .altinstr_replacement,"ax"
143:
	\newinstr
144:
	.popsection
.endm
"""


class SetupError(Exception):
    pass


def check_tools():
    for tool in ("gcc", "as", "objdump"):
        if not shutil.which(tool):
            raise SetupError("'%s' not found: install gcc, gcc-multilib and binutils" % tool)


def assemble(src, defines, constants, tmp, tag):
    """The example `src` as an object in `tmp`, the spec's constants as
    `.set` (the .S uses some in assembly-time expressions); (path, None) or
    (None, error). cpp's line markers stay, so GNU as's DWARF lines name the
    .S file and its lines."""
    prelude = os.path.join(tmp, tag + ".prelude.h")
    with open(prelude, "w") as f:
        f.write(gas_diff.PRELUDE_CPP + KERNEL_PRELUDE % {"cpufeatures": CPUFEATURES} + ALTERNATIVE_MACROS)
        for name, value in sorted(constants.items()):
            f.write(".set %s, %d\n" % (name, value))
    cpp_out = os.path.join(tmp, tag + ".s")
    cmd = ["gcc", "-m32", "-E", "-x", "assembler-with-cpp", "-include", prelude]
    cmd += ["-D%s=%s" % (k, v) for k, v in defines.items()]
    p = subprocess.run(cmd + [src, "-o", cpp_out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        return None, p.stderr
    obj = os.path.join(tmp, tag + ".o")
    p = subprocess.run(["as", "--32", "-L", "-g", cpp_out, "-o", obj], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        return None, p.stderr
    return obj, None


def examples(root):
    """(name, path) of every bundled example."""
    out = []
    for name in sorted(os.listdir(os.path.join(root, "examples"))):
        path = os.path.join(root, "examples", name, "entry.S")
        if os.path.exists(path):
            out.append((name, path))
    return out


def strip_comments(text):
    return "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("//"))


def spec_example(root, spec):
    """The bundled example a spec's only source is, or None."""
    sources = gas_diff.spec_sources(spec, json.loads(strip_comments(open(spec).read())))  # a base's, with "extends"
    paths = {os.path.realpath(p) for _, p in examples(root)}
    return sources[0] if len(sources) == 1 and sources[0] in paths else None


def assemble_for_spec(ec, spec, src, tmp, tag):
    """`src` assembled with the defines and (evaluated) constants `spec` gives it."""
    p = subprocess.run([ec, "dump-program", src, "--spec", spec], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        return None, p.stderr
    header = json.loads(p.stdout.splitlines()[0])
    return assemble(src, header["defines"], header["constants"], tmp, tag)
