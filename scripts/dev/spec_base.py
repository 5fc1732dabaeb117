#!/usr/bin/env python3
"""Helps specs share a base ("extends", docs/spec-format.md): the common part
of a group of specs, and each spec's difference from a base, such that laying
the difference over the base (objects merge key by key, arrays and scalars
replace) gives the spec back exactly.

  spec_base.py common SPEC...            print the common base (JSON)
  spec_base.py diff BASE SPEC            print SPEC's difference from BASE
  spec_base.py check BASE SPEC DERIVED   exit 1 unless BASE + DERIVED == SPEC
"""
import collections
import json
import sys


def load(path):
    return json.load(open(path), object_pairs_hook=collections.OrderedDict)


def merge(base, over):
    if not isinstance(base, dict) or not isinstance(over, dict):
        return over
    out = collections.OrderedDict(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if k in out else v
    return out


def common(docs):
    """Keys every doc has; objects recursively, anything else by majority."""
    out = collections.OrderedDict()
    for k in docs[0]:
        if not all(k in d for d in docs):
            continue
        values = [d[k] for d in docs]
        if all(isinstance(v, dict) for v in values):
            out[k] = common(values)
        else:
            texts = collections.Counter(json.dumps(v, sort_keys=True) for v in values)
            text, _ = texts.most_common(1)[0]
            out[k] = next(v for v in values if json.dumps(v, sort_keys=True) == text)
    return out


def diff(base, spec):
    out = collections.OrderedDict()
    for k, v in spec.items():
        if k in base and base[k] == v:
            continue
        if k in base and isinstance(base[k], dict) and isinstance(v, dict):
            out[k] = diff(base[k], v)
        else:
            out[k] = v
    missing = [k for k in base if k not in spec]
    if missing:
        raise SystemExit(f"the spec lacks base keys {missing}: a base cannot be shared")
    return out


def same(a, b):
    """Equal (key order aside), and constants in the same order (they are evaluated in order)."""
    plain = lambda x: json.loads(json.dumps(x))
    return plain(a) == plain(b) and list(a.get("constants", {})) == list(b.get("constants", {}))


def main():
    cmd = sys.argv[1]
    if cmd == "common":
        print(json.dumps(common([load(p) for p in sys.argv[2:]]), indent=2))
    elif cmd == "diff":
        print(json.dumps(diff(load(sys.argv[2]), load(sys.argv[3])), indent=2))
    elif cmd == "check":
        base, spec, derived = (load(p) for p in sys.argv[2:5])
        derived.pop("extends", None)
        return 0 if same(merge(base, derived), spec) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
