"""The instruction catalog, as `entrycheck dump-instructions --json` prints it.

The Python tools take the instruction list from here rather than keeping
copies (model/program/instructions.def is the one place it is written):

    sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
    import instruction_catalog
    cat = instruction_catalog.load("build/cli/entrycheck")
    cat.jcc["jz"]            # -> "e"
    cat.base_ops["movs"]     # -> "movs"
    "movl" in cat.mnemonics  # every spelling GNU as and entrycheck take
"""
import json
import subprocess

SUFFIX_LETTER = {1: "b", 2: "w", 4: "l"}


class Catalog:
    def __init__(self, data):
        self.instructions = data["instructions"]
        self.conditions = data["conditions"]
        self.by_op = {i["op"]: i for i in self.instructions}
        # spelling -> op for base spellings (a size suffix may follow them)
        # and for spellings of instructions without a size ("cld").
        self.base_ops = {}
        # exact spellings that fix sizes: name -> (op, size, src_size)
        self.exact = {}
        for ins in self.instructions:
            for a in ins["att"]:
                if a["size"] or a["src_size"]:
                    self.exact.setdefault(a["name"], (ins["op"], a["size"], a["src_size"]))
                else:
                    self.base_ops.setdefault(a["name"], ins["op"])
        self.jcc = {name: c["cond"] for c in self.conditions for name in c["att"]}
        self.mnemonics = set(self.jcc) | set(self.exact)
        for ins in self.instructions:
            for a in ins["att"]:
                if a["size"] or a["src_size"]:
                    continue
                self.mnemonics.add(a["name"])
                if a["takes_suffix"]:
                    self.mnemonics.update(a["name"] + SUFFIX_LETTER[s] for s in ins["sizes"])

    def spellings(self, op):
        """Every spelling of one operation, with its suffixes."""
        ins = self.by_op[op]
        out = []
        for a in ins["att"]:
            out.append(a["name"])
            if a["takes_suffix"]:
                out.extend(a["name"] + SUFFIX_LETTER[s] for s in ins["sizes"])
        return out

    def negated_jcc(self):
        """Jcc spelling -> the spelling of the opposite condition (jz -> jnz).

        Conditions come in pairs in hardware order (cond ^ 1 is the
        negation); the spelling toggles the 'n' after the 'j' when that is a
        spelling of the opposite condition, else takes its first spelling."""
        out = {}
        for k, c in enumerate(self.conditions):
            opposite = self.conditions[k ^ 1]["att"]
            for name in c["att"]:
                toggled = "j" + name[2:] if name.startswith("jn") else "jn" + name[1:]
                out[name] = toggled if toggled in opposite else opposite[0]
        return out


def load(entrycheck):
    p = subprocess.run([entrycheck, "dump-instructions", "--json"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("entrycheck dump-instructions failed (%d): %s" % (p.returncode, p.stderr))
    return Catalog(json.loads(p.stdout))
