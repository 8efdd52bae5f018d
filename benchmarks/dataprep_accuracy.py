"""Accuracy and synthesis time of ``mmlspark_py.dataprep.learn`` on by-example tasks.

Runs the two protocols of ../shared/dataprep/README.md: (a) fixed k = 1, 2, 3 (learn from rows
1..k, all later rows must match) and (b) examples to convergence (add the first wrong row, up to
10 examples). The learner sees the task's input column(s) as unlabeled inputs, as
``DeriveColumnByExample.fit`` does with its DataFrame. Prints both protocols overall and per tag,
then synthesis time per learn call (median, p95).

    python benchmarks/dataprep_accuracy.py [--tasks PATH] [--quick] [--verbose]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from mmlspark_py.dataprep import DataPrepError, learn  # noqa: E402

DEFAULT_TASKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                             "dataprep", "dev_tasks.jsonl")
TIMES = []
# The README's "purely syntactic" tasks: none of these tags.
NON_SYNTACTIC = {"Conditional", "Multicolumn", "DateTime", "Numeric"}


def _learn(examples, rows):
    t0 = time.perf_counter()
    try:
        return learn([(tuple(r["in"]), r["out"]) for r in examples],
                     inputs=[tuple(r["in"]) for r in rows], k=1, timeout=20.0)
    except DataPrepError:
        return None
    finally:
        TIMES.append(time.perf_counter() - t0)


def _ok(prog, row):
    try:
        return prog.run(tuple(row["in"])) == row["out"]
    except Exception:  # a crash on a row counts as a failure, as the protocol says
        return False


def fixed_k(rows, k, verbose=False):
    prog = _learn(rows[:k], rows)
    ok = prog is not None and all(_ok(prog, r) for r in rows[k:])
    if verbose and not ok:
        bad = next((r for r in rows[k:] if not _ok(prog, r)), None) if prog else None
        print(f"   k={k} FAIL {prog.explain() if prog else '-'} | first wrong: {bad and bad['in']}"
              f" -> {bad and prog.run(tuple(bad['in']))!r} want {bad and bad['out']!r}"
              .replace("\n", " | "))
    return ok


def convergence(rows):
    examples = [rows[0]]
    while True:
        prog = _learn(examples, rows)
        if prog is None:
            return None, None
        wrong = [r for r in rows if not _ok(prog, r)]
        if not wrong:
            return len(examples), prog
        if len(examples) == 10:
            return None, prog
        examples.append(wrong[0])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", default=DEFAULT_TASKS)
    ap.add_argument("--quick", action="store_true", help="first 12 tasks only")
    ap.add_argument("--verbose", action="store_true", help="per-task result and program")
    args = ap.parse_args(argv)
    tasks = [json.loads(line) for line in open(args.tasks, encoding="utf-8") if line.strip()]
    if args.quick:
        tasks = tasks[:12]
    results = []
    for t in tasks:
        rows = t["examples"]
        fk = {k: fixed_k(rows, k, args.verbose and k == 1) for k in (1, 2, 3)}
        conv, prog = convergence(rows)
        results.append((t, fk, conv))
        if args.verbose:
            print(f"{t['task']:16s} k1={int(fk[1])} k2={int(fk[2])} k3={int(fk[3])} conv={conv}  "
                  f"{prog.explain() if prog else '-'}".replace("\n", " | "))
    _report("all", results)
    _report("syntactic", [r for r in results if not NON_SYNTACTIC & set(r[0]["features"])])
    for tag in sorted({tag for t, _f, _c in results for tag in t["features"]}):
        _report(tag, [r for r in results if tag in r[0]["features"]])
    times = sorted(TIMES)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"synthesis time per learn call: median={statistics.median(times):.3f}s p95={p95:.3f}s "
          f"max={times[-1]:.3f}s calls={len(times)}")


def _report(name, results):
    n = len(results)
    pct = lambda c: 100.0 * c / n  # noqa: E731
    fk = " ".join(f"k{k}={pct(sum(f[k] for _t, f, _c in results)):5.1f}%" for k in (1, 2, 3))
    convs = [c for _t, _f, c in results if c is not None]
    cum = " ".join(f"<={m}:{pct(sum(c <= m for c in convs)):5.1f}%" for m in (1, 2, 3))
    mean = statistics.mean(convs) if convs else float("nan")
    print(f"{name:14s} n={n:3d} | fixed-k: {fk} | convergence: {cum} mean={mean:.2f} "
          f"unsolved={n - len(convs)}")


if __name__ == "__main__":
    main()
