#!/usr/bin/env python3
"""Lists C++ functions longer than a limit (lines from the signature's line to
the closing brace), longest first: the style check "small functions (< ~60
lines)" of docs/design.md.

  long_functions.py [--limit 60] [--top N] [DIR...]   (default: model solver cli)

A heuristic, not a parser: comments and string literals are blanked, then a
'{' whose header (the text since the previous ';', '{' or '}') ends in a
parameter list -- optionally followed by const, noexcept, override, a
trailing return type or a constructor's initializer list -- and is not
if/for/while/switch/catch opens a function, unless one is already open
(lambdas count toward the function that holds them). Exit 1 when some
function is over the limit.
"""
import argparse
import pathlib
import re
import sys

CONTROL = re.compile(r"\b(if|for|while|switch|catch|do|else|return)\b\s*\(?[^)]*$")
FUNCTION = re.compile(r"\)\s*(const\s*)?(noexcept\s*)?(override\s*)?(final\s*)?(->\s*[\w:<>,\s*&]+)?\s*(:.*)?$", re.S)
NOT_FUNCTION = re.compile(r"^\s*(namespace|class|struct|union|enum|extern)\b|=\s*$|\[[^\]]*\]\s*\([^)]*\)\s*(mutable\s*)?(->[^{]*)?$")


def blank(text):
    """Comments and literals replaced by spaces, newlines kept."""
    out = re.sub(r"//[^\n]*|/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    out = re.sub(r'R"(\w*)\(.*?\)\1"', lambda m: re.sub(r"[^\n]", " ", m.group(0)), out, flags=re.S)
    out = re.sub(r'"(\\.|[^"\\\n])*"', '""', out)
    return re.sub(r"'(\\.|[^'\\\n])'", "' '", out)


def functions(path):
    text = blank(path.read_text())
    found = []
    depth = 0
    open_at = None  # (depth, line, name) of the function being read
    header_start = 0
    for i, c in enumerate(text):
        if c == "{":
            header = text[header_start:i]
            if open_at is None and looks_like_function(header):
                line = text.count("\n", 0, header_start + len(header) - len(header.lstrip())) + 1
                open_at = (depth, line, name_of(header))
            depth += 1
            header_start = i + 1
        elif c == "}":
            depth -= 1
            header_start = i + 1
            if open_at and depth == open_at[0]:
                end = text.count("\n", 0, i) + 1
                found.append((end - open_at[1] + 1, str(path), open_at[1], open_at[2]))
                open_at = None
        elif c == ";":
            header_start = i + 1
    return found


def looks_like_function(header):
    h = header.strip()
    if not h or "(" not in h or CONTROL.search(h.split("(")[0] + "(") or NOT_FUNCTION.search(h):
        return False
    return bool(FUNCTION.search(h))


def name_of(header):
    before = header.split("(")[0].split()
    return before[-1] if before else "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="*", default=["model", "solver", "cli"])
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--top", type=int, default=10)
    a = ap.parse_args()
    all_functions = []
    for d in a.dirs:
        for p in sorted(pathlib.Path(d).rglob("*")):
            if p.suffix in (".cpp", ".hpp", ".h") and p.is_file():
                all_functions += functions(p)
    all_functions.sort(reverse=True)
    over = [f for f in all_functions if f[0] > a.limit]
    for length, path, line, name in all_functions[: max(a.top, len(over))]:
        print(f"{length:5d}  {path}:{line}  {name}")
    print(f"{len(all_functions)} functions, {len(over)} over {a.limit} lines, longest {all_functions[0][0] if all_functions else 0}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
