#!/usr/bin/env python3
"""entrycheck benchmarks (docs/performance.md). Run by hand or in a separate
CI step; nothing here is a timed assertion.

  bench.py run [--config LABEL=BIN[:--OPTION=VALUE,...]]... [--runs N] [--out FILE]
               [--what suite,specs,seed,scaling] [--lengths 10,30,...]
               [--depths 1,2,3] [--callgrind] [--scaling-runs N]
      Measures every configuration, interleaved run by run (A B A B ...) so
      that the machine's load hits them alike, and writes one JSON file:
        suite    the bundled suite (specs/*.json) as a whole, --jobs 2 and 1
        specs    each spec alone, --jobs 1
        seed     the seed's counterexample: pti32-entry-stack-v3,
                 scenario irq-from-kernel, profile stale
        scaling  generated entry sequences (gen_scaling.py) of each length at
                 each nesting depth
      Each figure is the median of N runs: wall and CPU seconds (getrusage of
      the child), peak RSS, and the stats `verify --format json` reports
      (paths, steps, NMI arrival points, nested entries, solver queries,
      solver seconds, exploration seconds; summed over the units).
      --callgrind adds the instruction count (valgrind --tool=callgrind,
      --jobs 1) of the seed, of the suite, and of each scaling point: a
      load-independent figure for ratios.
      The default configuration is the build's own entrycheck; a configuration's
      --OPTION=VALUE pairs are added to each `verify` it runs (e.g.
      fresh=build/cli/entrycheck:--solver-mode=fresh).
  bench.py crosscheck [--ec BIN] [--specs GLOB] [--quick | --nmi-encodings]
      Runs the suite under every folding and solver mode (verify --fold,
      --solver-mode, --query-cache, --model-reuse; docs/cli.md) and
      checks that every verdict (and its unknown-because reasons) is the same.
      Exit 1 when one differs.
  bench.py plot [RESULTS.json | --latest] [--svg docs/perf-scaling.svg] [--config LABEL]
      Time and peak memory against program length, one curve per depth
      (gnuplot), and prints the Markdown tables for docs/performance.md.
  bench.py table RESULTS.json
      Only the tables.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import gen_scaling  # noqa: E402

STAT_KEYS = ["paths", "steps", "nmi_points", "nested_entries", "solver_queries", "solver_seconds", "seconds"]


def default_binary():
    for b in (os.path.join(ROOT, "build", "cli", "entrycheck"),):
        if os.path.exists(b):
            return b
    return shutil.which("entrycheck") or os.path.join(ROOT, "build", "cli", "entrycheck")


def parse_config(text):
    label, _, rest = text.partition("=")
    binary, _, option_text = rest.partition(":")
    options = []
    for kv in filter(None, option_text.split(",")):
        k, _, v = kv.partition("=")
        if not k.startswith("--"):
            sys.exit(f"bench: --config {text}: expected --OPTION=VALUE after the binary, got '{kv}'")
        options += [k, v] if v else [k]
    return {"label": label, "binary": os.path.abspath(binary), "options": options}


def with_options(cfg, args):
    """The command line for one run: a configuration's options go to verify."""
    return args + cfg.get("options", []) if args and args[0] == "verify" else args


def measured(cfg, args, cwd=ROOT):
    """Runs entrycheck once under fork/wait4: the child's own rusage (CPU
    seconds, peak RSS), wall seconds, exit status and output."""
    env = dict(os.environ)
    args = with_options(cfg, args)
    r, w = os.pipe()
    er, ew = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.chdir(cwd)
            os.dup2(w, 1)
            os.dup2(ew, 2)
            os.close(r)
            os.close(er)
            os.execve(cfg["binary"], [cfg["binary"]] + args, env)
        finally:
            os._exit(127)
    os.close(w)
    os.close(ew)
    chunks, echunks = [], []
    # Read both pipes without deadlock.
    import selectors
    sel = selectors.DefaultSelector()
    sel.register(r, selectors.EVENT_READ, chunks)
    sel.register(er, selectors.EVENT_READ, echunks)
    open_fds = 2
    while open_fds:
        for key, _ in sel.select():
            data = os.read(key.fd, 1 << 16)
            if not data:
                sel.unregister(key.fd)
                os.close(key.fd)
                open_fds -= 1
            else:
                key.data.append(data)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    return {
        "exit": code,
        "wall_s": wall,
        "cpu_s": ru.ru_utime + ru.ru_stime,
        "user_s": ru.ru_utime,
        "sys_s": ru.ru_stime,
        "maxrss_kb": ru.ru_maxrss,
        "stdout": b"".join(chunks).decode(errors="replace"),
        "stderr": b"".join(echunks).decode(errors="replace"),
    }


def unit_key(v):
    return (v["spec"], v["scenario"], v["cpu_profile"])


def summarize_verdicts(text):
    """Stats summed over units (each unit's stats appear once per invariant)."""
    try:
        verdicts = json.loads(text)
    except json.JSONDecodeError:
        return None
    units = {}
    for v in verdicts:
        units.setdefault(unit_key(v), v.get("stats") or {})
    total = {k: 0 for k in STAT_KEYS}
    for s in units.values():
        for k in STAT_KEYS:
            total[k] += s.get(k, 0) or 0
    total["units"] = len(units)
    total["verdicts"] = {f"{v['spec']}/{v['scenario']}/{v['cpu_profile']}/{v['invariant']}": v["verdict"]
                         for v in verdicts}
    total["unit_stats"] = {"/".join(k): s for k, s in units.items()}
    return total


def callgrind_ir(cfg, args, cwd=ROOT):
    env = dict(os.environ)
    args = with_options(cfg, args)
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out",
                               cfg["binary"]] + args, cwd=cwd, env=env, capture_output=True, text=True)
    m = re.search(r"Collected : (\d+)", proc.stderr)
    return int(m.group(1)) if m else None


def loadavg():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def median_record(samples):
    """Median of the numeric fields; the stats of the first run (deterministic)."""
    rec = {}
    for k in ("wall_s", "cpu_s", "user_s", "sys_s", "maxrss_kb"):
        rec[k] = statistics.median(s[k] for s in samples)
        rec[k + "_all"] = [round(s[k], 4) if isinstance(s[k], float) else s[k] for s in samples]
    rec["exit"] = samples[0]["exit"]
    summ = [summarize_verdicts(s["stdout"]) for s in samples]
    if summ[0]:
        for k in STAT_KEYS:
            vals = [x[k] for x in summ if x]
            rec[k] = statistics.median(vals) if k.endswith("seconds") else vals[0]
        rec["units"] = summ[0]["units"]
        rec["verdicts"] = summ[0]["verdicts"]
        rec["stable_verdicts"] = all(x and x["verdicts"] == summ[0]["verdicts"] for x in summ)
        rec["unit_stats"] = summ[0]["unit_stats"]
    if samples[0]["exit"] not in (0, 1, 3):
        rec["stderr"] = samples[0]["stderr"][-2000:]
    return rec


def measure(configs, args, runs, cwd=ROOT, what=""):
    """Interleaved runs; returns {label: median record}."""
    samples = {c["label"]: [] for c in configs}
    for i in range(runs):
        for c in configs:
            s = measured(c, args, cwd)
            samples[c["label"]].append(s)
            print(f"  [{what}] {c['label']} run {i + 1}/{runs}: wall {s['wall_s']:.2f} s, cpu {s['cpu_s']:.2f} s, "
                  f"rss {s['maxrss_kb'] / 1024:.0f} MB, exit {s['exit']}", file=sys.stderr, flush=True)
    return {label: median_record(v) for label, v in samples.items()}


def suite_specs(pattern):
    return sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, pattern)))


def cmd_run(a):
    configs = [parse_config(c) for c in a.config] or [{"label": "build", "binary": default_binary(), "options": []}]
    for c in configs:
        if not os.path.exists(c["binary"]):
            sys.exit(f"bench: no such binary {c['binary']} (build first)")
    what = set(a.what.split(","))
    specs = suite_specs(a.specs)
    result = {
        "meta": {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "host": platform.node(),
            "cpus": os.cpu_count(),
            "loadavg_start": loadavg(),
            "runs": a.runs,
            "configs": configs,
            "specs": specs,
            "git": subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
                                  text=True).stdout.strip(),
        },
        "configs": {c["label"]: {} for c in configs},
    }
    res = result["configs"]

    def put(section, key, measured_records):
        for label, rec in measured_records.items():
            sec = res[label].setdefault(section, {})
            if key is None:
                res[label][section] = rec
            else:
                sec[key] = rec

    if "suite" in what:
        for jobs in [int(j) for j in a.jobs.split(",")]:
            print(f"suite, --jobs {jobs}", file=sys.stderr)
            put("suite", f"jobs{jobs}", measure(configs, ["verify"] + specs + ["--format", "json", "--jobs", str(jobs)],
                                                a.runs, what=f"suite j{jobs}"))
    if "seed" in what:
        print("seed counterexample", file=sys.stderr)
        args = ["verify", "specs/pti32-entry-stack-v3.json", "--scenario", "irq-from-kernel", "--profile", "stale",
                "--format", "json"]
        put("seed", None, measure(configs, args, a.runs, what="seed"))
    if "specs" in what:
        for spec in specs:
            name = os.path.splitext(os.path.basename(spec))[0]
            print(f"spec {name}", file=sys.stderr)
            put("specs", name, measure(configs, ["verify", spec, "--format", "json", "--jobs", "1"], a.runs,
                                       what=name))
    if "scaling" in what:
        tmp = tempfile.mkdtemp(prefix="ec-scaling-")
        try:
            for depth in [int(x) for x in a.depths.split(",")]:
                for length in [int(x) for x in a.lengths.split(",")]:
                    spec = gen_scaling.generate(tmp, length, depth)
                    print(f"scaling depth {depth} length {length}", file=sys.stderr)
                    recs = measure(configs, ["verify", spec, "--format", "json"], a.scaling_runs or a.runs,
                                   cwd=tmp, what=f"d{depth} n{length}")
                    for label, rec in recs.items():
                        rec.update({"depth": depth, "length": length})
                        res[label].setdefault("scaling", []).append(rec)
                    if a.callgrind and length <= a.callgrind_max_length:
                        for c in configs:
                            ir = callgrind_ir(c, ["verify", spec, "--format", "json"], cwd=tmp)
                            res[c["label"]]["scaling"][-1]["ir"] = ir
                            print(f"  callgrind {c['label']}: {ir}", file=sys.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if a.callgrind and "seed" in what:
        for c in configs:
            res[c["label"]]["seed"]["ir"] = callgrind_ir(c, ["verify", "specs/pti32-entry-stack-v3.json", "--scenario",
                                                             "irq-from-kernel", "--profile", "stale", "--format",
                                                             "json"])
            print(f"  callgrind seed {c['label']}: {res[c['label']]['seed']['ir']}", file=sys.stderr)
    if a.callgrind and "suite" in what and a.callgrind_suite:
        for c in configs:
            res[c["label"]]["suite"]["jobs1"]["ir"] = callgrind_ir(c, ["verify"] + specs + ["--format", "json",
                                                                                           "--jobs", "1"])
            print(f"  callgrind suite {c['label']}: {res[c['label']]['suite']['jobs1']['ir']}", file=sys.stderr)

    result["meta"]["loadavg_end"] = loadavg()
    # Same verdicts everywhere?
    labels = list(res)
    check = {}
    if len(labels) > 1:
        base = res[labels[0]]
        for label in labels[1:]:
            diffs = []
            for jobs, rec in base.get("suite", {}).items():
                other = res[label].get("suite", {}).get(jobs, {})
                if rec.get("verdicts") != other.get("verdicts"):
                    diffs.append(f"suite {jobs}")
            for name, rec in base.get("specs", {}).items():
                if rec.get("verdicts") != res[label].get("specs", {}).get(name, {}).get("verdicts"):
                    diffs.append(f"spec {name}")
            for r1, r2 in zip(base.get("scaling", []), res[label].get("scaling", [])):
                if r1.get("verdicts") != r2.get("verdicts"):
                    diffs.append(f"scaling d{r1['depth']} n{r1['length']}")
            check[label] = diffs
        result["verdicts_differ_from_" + labels[0]] = check
    slim(result)
    out = a.out or os.path.join(HERE, "results", datetime.datetime.now().strftime("bench-%Y%m%d-%H%M%S.json"))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"wrote {out}", file=sys.stderr)
    print_tables(result)
    if any(check.values()):
        print(f"VERDICTS DIFFER: {check}", file=sys.stderr)
        return 1
    return 0


def slim(result):
    """Keeps result files small: verdicts as counts and a digest (they were
    compared across configurations already), per-unit stats only for the
    whole suite at --jobs 1."""
    import hashlib

    def slim_record(rec, keep_units):
        v = rec.pop("verdicts", None)
        if v is not None:
            counts = {}
            for x in v.values():
                counts[x] = counts.get(x, 0) + 1
            rec["verdict_counts"] = counts
            rec["verdicts_sha1"] = hashlib.sha1(json.dumps(sorted(v.items())).encode()).hexdigest()
        if not keep_units:
            rec.pop("unit_stats", None)

    for conf in result["configs"].values():
        for jobs, rec in conf.get("suite", {}).items():
            slim_record(rec, jobs == "jobs1")
        if conf.get("seed"):
            slim_record(conf["seed"], False)
        for rec in conf.get("specs", {}).values():
            slim_record(rec, False)
        for rec in conf.get("scaling", []):
            slim_record(rec, False)
    return result


# ---------------------------------------------------------------- reporting

def fmt_s(x):
    return "—" if x is None else (f"{x:.2f}" if x >= 0.1 else f"{x:.3f}")


def fmt_mb(kb):
    return "—" if kb is None else f"{kb / 1024:.0f}"


def fmt_ir(ir):
    return "—" if not ir else f"{ir / 1e9:.2f}"


def print_tables(result, out=sys.stdout):
    res = result["configs"]
    labels = list(res)
    meta = result["meta"]
    print(f"\n{meta['date']}, {meta['cpus']} CPUs, load average {meta.get('loadavg_start')} → "
          f"{meta.get('loadavg_end')}, median of {meta['runs']} runs\n", file=out)
    first = labels[0]
    if any("suite" in res[l] for l in labels):
        print("| run | config | wall s | CPU s | peak MB | units | paths | steps | NMI points | nested | queries | "
              "solver s | explore s | Gi instr | wall ratio |", file=out)
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|", file=out)
        rows = [("suite --jobs 2", lambda r: r.get("suite", {}).get("jobs2")),
                ("suite --jobs 1", lambda r: r.get("suite", {}).get("jobs1")),
                ("seed counterexample", lambda r: r.get("seed"))]
        for name in sorted(set().union(*[set(res[l].get("specs", {})) for l in labels])):
            rows.append((name, lambda r, n=name: r.get("specs", {}).get(n)))
        for title, get in rows:
            base = get(res[first])
            for l in labels:
                r = get(res[l])
                if not r:
                    continue
                ratio = f"{base['wall_s'] / r['wall_s']:.1f}×" if base and l != first and r["wall_s"] else ""
                print(f"| {title} | {l} | {fmt_s(r['wall_s'])} | {fmt_s(r['cpu_s'])} | {fmt_mb(r['maxrss_kb'])} | "
                      f"{r.get('units', '—')} | {r.get('paths', '—')} | {r.get('steps', '—')} | "
                      f"{r.get('nmi_points', '—')} | {r.get('nested_entries', '—')} | {r.get('solver_queries', '—')} | "
                      f"{fmt_s(r.get('solver_seconds'))} | {fmt_s(r.get('seconds'))} | {fmt_ir(r.get('ir'))} | "
                      f"{ratio} |", file=out)
    for l in labels:
        sc = res[l].get("scaling")
        if not sc:
            continue
        print(f"\nScaling ({l}):\n", file=out)
        print("| depth | length | wall s | CPU s | peak MB | paths | steps | NMI points | nested | queries | "
              "solver s | Gi instr | verdict |", file=out)
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|", file=out)
        for r in sc:
            verdicts = sorted(set((r.get("verdicts") or {}).values()) | set(r.get("verdict_counts") or {}))
            print(f"| {r['depth']} | {r['length']} | {fmt_s(r['wall_s'])} | {fmt_s(r['cpu_s'])} | "
                  f"{fmt_mb(r['maxrss_kb'])} | {r.get('paths')} | {r.get('steps')} | {r.get('nmi_points')} | "
                  f"{r.get('nested_entries')} | {r.get('solver_queries')} | {fmt_s(r.get('solver_seconds'))} | "
                  f"{fmt_ir(r.get('ir'))} | {', '.join(verdicts)} |", file=out)


def cmd_table(a):
    with open(a.results) as f:
        print_tables(json.load(f))
    return 0


def latest_results():
    files = sorted(glob.glob(os.path.join(HERE, "results", "*.json")), key=os.path.getmtime)
    if not files:
        sys.exit("bench: no results in tests/bench/results (run `bench.py run` first)")
    return files[-1]


def cmd_plot(a):
    if a.latest or not a.results:
        a.results = latest_results()
    with open(a.results) as f:
        result = json.load(f)
    res = result["configs"]
    label = a.config or list(res)[-1]
    sc = res[label].get("scaling")
    if not sc:
        sys.exit(f"bench: no scaling results for {label} in {a.results}")
    if not shutil.which("gnuplot"):
        sys.exit("bench: gnuplot not found (Debian: apt-get install gnuplot-nox)")
    depths = sorted({r["depth"] for r in sc})
    with tempfile.TemporaryDirectory() as tmp:
        for d in depths:
            with open(os.path.join(tmp, f"d{d}.dat"), "w") as f:
                for r in sorted((r for r in sc if r["depth"] == d), key=lambda r: r["length"]):
                    f.write(f"{r['length']} {r['cpu_s']} {r['wall_s']} {r['maxrss_kb'] / 1024:.1f} "
                            f"{(r.get('ir') or 0) / 1e9} {r.get('steps')}\n")
        plots_t = ", ".join(f"'{tmp}/d{d}.dat' using 1:2 with linespoints title 'depth {d}'" for d in depths)
        plots_m = ", ".join(f"'{tmp}/d{d}.dat' using 1:4 with linespoints title 'depth {d}'" for d in depths)
        load = result["meta"].get("loadavg_start")
        load_text = f", load average {load[0]:.1f} on {result['meta']['cpus']} CPUs" if load else ""
        script = f"""
set terminal svg size 960,420 dynamic font 'sans,11'
set output '{os.path.abspath(a.svg)}'
set multiplot layout 1,2 title "entrycheck: generated entry sequences, NMIs on ({label}, median of {result['meta']['runs']} runs{load_text})"
set logscale xy
set grid
set key top left
set xlabel 'body length (instructions)'
set ylabel 'CPU seconds'
set title 'time'
plot {plots_t}
set ylabel 'peak RSS (MB)'
set title 'memory'
unset logscale y
plot {plots_m}
unset multiplot
"""
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    print(f"wrote {a.svg}", file=sys.stderr)
    print_tables(result)
    return 0


# ---------------------------------------------------------------- cross-check

MODES = [
    {},  # the defaults: fast folding, scoped solver, query cache, model reuse
    {"--solver-mode": "fresh"},
    {"--solver-mode": "assume"},
    {"--query-cache": "off", "--model-reuse": "off"},
    # the original domain: Z3's simplifier on every operation, the whole path
    # re-asserted for every query (slow: left out by --quick)
    {"--fold": "z3", "--solver-mode": "fresh", "--query-cache": "off", "--model-reuse": "off"},
]


def verdict_fields(text):
    out = {}
    for v in json.loads(text):
        out[f"{v['spec']}/{v['scenario']}/{v['cpu_profile']}/{v['invariant']}"] = (
            v["verdict"], tuple(sorted(v.get("unknown_because") or [])))
    return out


def cmd_crosscheck(a):
    binary = os.path.abspath(a.ec or default_binary())
    specs = suite_specs(a.specs)
    modes = MODES if not a.quick else MODES[:4]
    if a.nmi_encodings:  # the NMI encodings instead: symbolic (default) against one path per arrival point
        modes = [{}, {"--nmi-encoding": "per-arrival"}]
    results = []
    for mode in modes:
        options = [x for k, v in mode.items() for x in (k, v)]
        cfg = {"label": ",".join(f"{k}={v}" for k, v in mode.items()) or "default", "binary": binary,
               "options": options}
        s = measured(cfg, ["verify"] + specs + ["--format", "json", "--jobs", str(a.jobs)])
        if s["exit"] not in (0, 1, 3):
            print(f"crosscheck: {cfg['label']}: exit {s['exit']}\n{s['stderr']}", file=sys.stderr)
            return 2
        results.append((cfg["label"], verdict_fields(s["stdout"]), s["wall_s"]))
        print(f"crosscheck: {cfg['label']}: {len(results[-1][1])} verdicts, {s['wall_s']:.1f} s wall", file=sys.stderr)
    base_label, base, _ = results[0]
    bad = False
    for label, got, _ in results[1:]:
        diff = sorted(k for k in set(base) | set(got) if base.get(k) != got.get(k))
        if diff:
            bad = True
            print(f"crosscheck: {label} differs from {base_label} on {len(diff)} verdicts:", file=sys.stderr)
            for k in diff[:20]:
                print(f"  {k}: {base.get(k)} vs {got.get(k)}", file=sys.stderr)
    if not bad:
        print(f"crosscheck: all {len(results)} modes agree on {len(base)} verdicts", file=sys.stderr)
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--config", action="append", default=[], help="LABEL=BIN[:VAR=VALUE,...]")
    r.add_argument("--runs", type=int, default=3)
    r.add_argument("--scaling-runs", type=int, default=0, help="runs per scaling point (default: --runs)")
    r.add_argument("--out")
    r.add_argument("--what", default="suite,seed,specs,scaling")
    r.add_argument("--specs", default="specs/*.json")
    r.add_argument("--jobs", default="2,1", help="--jobs values for the whole suite")
    r.add_argument("--lengths", default="10,30,100,300,1000")
    r.add_argument("--depths", default="1,2,3")
    r.add_argument("--callgrind", action="store_true")
    r.add_argument("--callgrind-suite", action="store_true", help="also the whole suite under callgrind (slow)")
    r.add_argument("--callgrind-max-length", type=int, default=1000)
    c = sub.add_parser("crosscheck")
    c.add_argument("--ec")
    c.add_argument("--specs", default="specs/*.json")
    c.add_argument("--jobs", type=int, default=2)
    c.add_argument("--quick", action="store_true", help="skip the original (slow) domain")
    c.add_argument("--nmi-encodings", action="store_true",
                   help="compare --nmi-encoding symbolic and per-arrival instead of the solver modes (slow)")
    p = sub.add_parser("plot")
    p.add_argument("results", nargs="?")
    p.add_argument("--latest", action="store_true", help="the newest tests/bench/results/*.json")
    p.add_argument("--svg", default=os.path.join(ROOT, "docs", "perf-scaling.svg"))
    p.add_argument("--config")
    t = sub.add_parser("table")
    t.add_argument("results")
    a = ap.parse_args()
    return {"run": cmd_run, "crosscheck": cmd_crosscheck, "plot": cmd_plot, "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
