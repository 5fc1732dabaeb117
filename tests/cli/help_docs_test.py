#!/usr/bin/env python3
"""`entrycheck --help` and each command's `--help` agree with docs/cli.md
(ctest cli-help-docs).

docs/cli.md carries, for the program and for every command `entrycheck
--help` lists, a block

    ```console
    $ entrycheck show --help
    <the exact output>
    ```

This test runs each `--help` and compares it with its block, line by
line (trailing blanks ignored); a command without a block, or a block for a
command that does not exist, fails too. The synopsis at the top of the page
(`entrycheck CMD ...` lines) must name exactly the options each `--help`
lists (either spelling of an option with two). After changing an option,
refresh the blocks with --update, fix the synopsis, and read the diff.

Usage: help_docs_test.py --entrycheck BIN --doc docs/cli.md [--update]
"""
import argparse
import re
import subprocess
import sys

BLOCK = re.compile(r"```console\n\$ entrycheck((?: [a-z-]+)?) --help\n(.*?)```", re.S)


def help_text(binary, command):
    args = [binary] + ([command] if command else []) + ["--help"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)}: exit {proc.returncode}\n{proc.stderr}")
    return "\n".join(line.rstrip() for line in proc.stdout.rstrip("\n").split("\n")) + "\n"


def commands(top_help):
    """The subcommands `entrycheck --help` lists (hidden ones are not listed)."""
    section = top_help.split("Subcommands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in section.splitlines() if line.strip()]


OPTION_LINE = re.compile(r"^\s+(-[\w-]+(?:,-[\w-]+)*)", re.M)
TOKEN = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def help_options(text):
    """Each option of a --help text as the set of its spellings, -h,--help left out."""
    options = text.split("Options:\n", 1)[1].split("\n\n", 1)[0] if "Options:\n" in text else ""
    return [set(m.group(1).split(",")) for m in OPTION_LINE.finditer(options)
            if m.group(1) != "-h,--help"]


def synopsis_problems(doc, actual):
    block = doc.split("```\n", 2)[1]  # the page's first code block
    lines = {}
    command = None
    for line in block.splitlines():
        words = line.split()
        if words[:1] == ["entrycheck"] and len(words) > 1:
            command = "" if words[1].startswith("-") else words[1]
            words = words[1:]
        elif not line[:1].isspace():  # indented lines continue the command above
            command = None
        if command is not None:
            lines.setdefault(command, set()).update(TOKEN.findall(" ".join(words)))
    problems = []
    for command, text in actual.items():
        name = ("entrycheck " + command).strip()
        named = lines.get(command, set())
        options = help_options(text)
        for spellings in options:
            if not spellings & named:
                problems.append(f"the synopsis of `{name}` lacks {'/'.join(sorted(spellings))}")
        for token in named:
            if not any(token in spellings for spellings in options):
                problems.append(f"the synopsis of `{name}` names {token}, which --help does not list")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--entrycheck", required=True)
    ap.add_argument("--doc", required=True)
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    doc = open(args.doc).read()
    top = help_text(args.entrycheck, "")
    wanted = [""] + commands(top)
    actual = {c: help_text(args.entrycheck, c) for c in wanted}
    documented = {m.group(1).strip(): m.group(2) for m in BLOCK.finditer(doc)}
    if args.update:
        doc = BLOCK.sub(lambda m: f"```console\n$ entrycheck{m.group(1)} --help\n"
                                  f"{actual.get(m.group(1).strip(), m.group(2))}```", doc)
        open(args.doc, "w").write(doc)
        documented = {m.group(1).strip(): m.group(2) for m in BLOCK.finditer(doc)}
    failures = []
    for c in wanted:
        name = ("entrycheck " + c).strip() + " --help"
        if c not in documented:
            failures.append(f"{args.doc} has no block for `{name}`")
        elif documented[c] != actual[c]:
            diff = [f"  doc: {d!r}\n  cli: {a!r}" for d, a in zip(documented[c].split("\n"), actual[c].split("\n")) if d != a]
            failures.append(f"`{name}` differs from {args.doc}:\n" + (diff[0] if diff else "  (line count differs)"))
    failures += synopsis_problems(doc, actual)
    for c in documented:
        if c not in wanted:
            failures.append(f"{args.doc} documents `entrycheck {c} --help`, but there is no such command")
    for f in failures:
        print(f)
    print(f"cli-help-docs: {len(wanted)} help texts, {len(failures)} disagreement(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
