"""Where a no-op ``dvc repro`` spends its time (issue 16), phase by phase. Not a timed test.

Runs ``dvc repro`` in-process ``--runs`` times (each a fresh Python process) with timers around
DVC's own steps, and prints each step's minimum over the runs in milliseconds (the minimum:
on a shared machine the least disturbed run is the best estimate of the work):

- ``import``: importing DVC's command line; ``Repo.__init__``: opening the repository;
- ``collect_stages``: loading ``dvc.yaml`` (with ``dvc.lock`` and ``params.yaml``) for the targets;
- ``Index.from_repo``: loading every ``dvc.yaml`` of the project again, for the graph;
- ``build_graph``: the stage graph (mostly importing networkx);
- ``Stage.reproduce <stage>``: checking one stage's deps, outs and params (and running it when
  it changed; ``Stage.dump`` writes its lock entry).

It runs in this checkout (after ``make report``) and, for comparison, in a throw-away one-stage
project (DVC's floor, as ``bench_startup.py --dvc`` builds it):

    python benchmarks/dvc_phases.py [--runs 7] [--cwd DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_startup import dvc_env, make_floor_project  # noqa: E402

# Executed in the child process: wraps DVC's steps with timers, then runs `dvc repro`.
CHILD = r"""
import functools, importlib, sys, time
T0 = time.perf_counter()

def wrap(module, qualname):
    owner = importlib.import_module(module)
    *path, name = qualname.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            label = qualname
            if qualname == "Stage.reproduce":
                label += " " + args[0].addressing
            print(f"PHASE {label}\t{1000 * (time.perf_counter() - start):.2f}", file=sys.stderr)

    setattr(owner, name, timed)

for module, qualname in [("dvc.repo", "Repo.__init__"), ("dvc.repo.reproduce", "collect_stages"),
                         ("dvc.repo.index", "Index.from_repo"), ("dvc.repo.graph", "build_graph"),
                         ("dvc.stage", "Stage.reproduce"), ("dvc.stage", "Stage.dump")]:
    wrap(module, qualname)
from dvc.cli import main
print(f"PHASE import\t{1000 * (time.perf_counter() - T0):.2f}", file=sys.stderr)
code = main(["repro"])
print(f"PHASE total\t{1000 * (time.perf_counter() - T0):.2f}", file=sys.stderr)
sys.exit(code)
"""


def run_once(cwd: Path) -> dict[str, float]:
    """{phase: ms} of one `dvc repro` (a phase met twice is summed). `-P`: the working directory is
    not put on sys.path, as when the `dvc` script runs."""
    proc = subprocess.run([sys.executable, "-P", "-c", CHILD], cwd=cwd, env=dvc_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"dvc repro failed in {cwd}:\n{proc.stderr[-2000:]}")
    phases: dict[str, float] = defaultdict(float)
    for line in proc.stderr.splitlines():
        if m := re.match(r"PHASE (.+)\t([\d.]+)$", line):
            phases[m.group(1)] += float(m.group(2))
    return phases


def report(cwd: Path, n: int, title: str) -> None:
    run_once(cwd)  # settle: a first run may still run a stage
    runs = [run_once(cwd) for _ in range(n)]
    load = os.getloadavg()
    print(f"{title}: minimum of {n} runs (ms), load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}", flush=True)
    names = list(dict.fromkeys(name for r in runs for name in r))
    stages = 0.0
    for name in names:
        best = min(r.get(name, 0.0) for r in runs)
        stages += best if name.startswith("Stage.") else 0.0
        print(f"  {name:<58} {best:8.1f}")
    print(f"  {'all stages (sum of the minima above)':<58} {stages:8.1f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs (minimum reported; default 7)")
    parser.add_argument("--cwd", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the DVC project (default: this checkout)")
    args = parser.parse_args(argv)
    report(args.cwd, args.runs, str(args.cwd))
    floor = make_floor_project()
    try:
        report(floor, args.runs, "one-stage project (DVC's floor)")
    finally:
        shutil.rmtree(floor, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
