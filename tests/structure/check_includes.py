#!/usr/bin/env python3
"""The tree is the pipeline: each folder under model/, solver/ and cli/ may
include only from itself and the folders its module_dependencies.txt lists,
the lists form no cycle, and only solver/smt includes Z3.

Usage: check_includes.py ROOT   (exit 1 and one line per problem on failure)
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def module_of(root, path):
    """The folder (relative to root) that holds a project file."""
    return path.parent.relative_to(root).as_posix()


def read_deps(folder):
    deps = set()
    for line in (folder / "module_dependencies.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            deps.add(line)
    return deps


def find_cycle(graph):
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return trail + [node, nxt]
            if nxt not in state:
                found = visit(nxt, trail + [node])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    problems = []
    folders = {}
    for top in ("model", "solver", "cli"):
        for d in [root / top] + sorted(p for p in (root / top).rglob("*") if p.is_dir()):
            sources = list(d.glob("*.cpp")) + list(d.glob("*.hpp")) + list(d.glob("*.def"))
            if not sources:
                continue
            rel = d.relative_to(root).as_posix()
            if not (d / "module_dependencies.txt").exists():
                problems.append(f"{rel}: no module_dependencies.txt")
                continue
            if not (d / "README.md").exists():
                problems.append(f"{rel}: no README.md")
            folders[rel] = (d, read_deps(d), sources)
    for rel, (d, deps, sources) in folders.items():
        for dep in deps:
            if dep not in folders:
                problems.append(f"{rel}/module_dependencies.txt: '{dep}' is not a folder of the tree")
        for src in sorted(sources):
            text = src.read_text()
            for m in INCLUDE.finditer(text):
                kind, name = m.groups()
                line = text.count("\n", 0, m.start()) + 1
                where = f"{src.relative_to(root)}:{line}"
                if kind == "<":
                    if name.startswith("z3") and rel != "solver/smt":
                        problems.append(f"{where}: includes <{name}>: only solver/smt may include Z3")
                    continue
                target = root / name
                if not target.exists():
                    continue  # generated files (build dir)
                owner = module_of(root, target)
                if owner != rel and owner not in deps:
                    problems.append(f"{where}: includes \"{name}\" from {owner}, "
                                    f"which {rel}/module_dependencies.txt does not list")
    cycle = find_cycle({rel: deps for rel, (_, deps, _) in folders.items()})
    if cycle:
        problems.append("module dependency cycle: " + " -> ".join(cycle))
    for p in problems:
        print(p)
    print(f"check_includes: {len(folders)} folders, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
