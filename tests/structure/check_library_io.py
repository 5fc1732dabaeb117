#!/usr/bin/env python3
"""Libraries neither read the environment nor print: no getenv/secure_getenv/
environ, no std::cout/cerr/clog, printf/fprintf/puts/perror, stdout/stderr
anywhere under model/ or solver/. Options come from the CLI as structs;
errors are exceptions printed by cli/ (docs/design.md).

Usage: check_library_io.py ROOT   (exit 1 and one line per finding on failure)
"""
import pathlib
import re
import sys

FORBIDDEN = [
    (re.compile(r"\b(secure_)?getenv\s*\("), "reads the environment"),
    (re.compile(r"\benviron\b"), "reads the environment"),
    (re.compile(r"\bstd::(cout|cerr|clog)\b"), "prints"),
    (re.compile(r"(?<![\w:])(std::)?(printf|fprintf|vprintf|vfprintf|puts|fputs|putchar|perror)\s*\("), "prints"),
    (re.compile(r"\b(stdout|stderr)\b"), "prints"),
]
COMMENT = re.compile(r"//.*?$|/\*.*?\*/", re.S | re.M)
STRING = re.compile(r'"(\\.|[^"\\])*"')


def code_only(text):
    """The text with comments and string literals blanked, lines kept."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))
    return COMMENT.sub(blank, STRING.sub(blank, text))


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    findings = []
    files = 0
    for top in ("model", "solver"):
        for src in sorted((root / top).rglob("*")):
            if src.suffix not in (".cpp", ".hpp", ".def", ".h") or not src.is_file():
                continue
            files += 1
            for number, line in enumerate(code_only(src.read_text()).splitlines(), 1):
                for pattern, what in FORBIDDEN:
                    if pattern.search(line):
                        findings.append(f"{src.relative_to(root)}:{number}: {what} ({pattern.search(line).group(0).strip()}): "
                                        "pass an option struct from cli/ / return the text to cli/")
    for f in findings:
        print(f)
    print(f"check_library_io: {files} files, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
