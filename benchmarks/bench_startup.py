"""Benchmark: start-up costs (issue 16). Not a timed test: prints medians, asserts nothing.

1. ``python -m pipeline --help`` (target: under 0.5 s).
2. Validating one LA-year of about 600 children in care (``synth --scale 0.9``: 597 in care at
   31 March 2026; the 2025-26 annual return, 10 files) with ``python -m pipeline validate
   --no-docs`` and with the DfE's validator (data-to-insight's ``csc-validator-be-903`` 0.1.17,
   Python 3.10, in its own environment outside the project, run by scripts/dfe903_runner.py)
   on the same files, side by side: the two commands alternate, each as a fresh process
   (start-up included, as a user runs it). Target: the pipeline no slower than the DfE's.
   Without the DfE's environment that side is skipped with a message. To create it:

       ~/.pyenv/versions/3.10.13/bin/python -m venv /tmp/dfe903
       /tmp/dfe903/bin/pip install csc-validator-be-903==0.1.17

3. With ``--dvc``: ``dvc repro`` with nothing changed, in this checkout (run ``make report``
   first; one settling run is not timed) and, for comparison, in a throw-away one-stage
   project (DVC's own floor). Target: under 1 s.

Each figure is the median of ``--runs`` runs (default 5): wall clock, and CPU time (user +
system of the process and its children, from ``os.wait4``), the steadier figure on a shared
machine.

    python benchmarks/bench_startup.py [--runs 5] [--scale 0.9] [--dvc] [--dfe-python PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
YEAR = "2025-26"
DFE_RULESET = "lac2025_26"


def timed(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> tuple[float, float, int]:
    """(wall s, CPU s, exit code) of one run of ``cmd`` (output discarded)."""
    import time

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def summary(name: str, runs: list[tuple[float, float, int]]) -> tuple[float, float]:
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    print(f"{name:<46} median {wall:6.2f} s wall {cpu:6.2f} s CPU   "
          f"(walls: {' '.join(f'{r[0]:.2f}' for r in runs)})", flush=True)
    return wall, cpu


def bench_help(n: int) -> None:
    summary("python -m pipeline --help", [timed([PYTHON, "-m", "pipeline", "--help"]) for _ in range(n)])


def la_year(cache: Path, scale: float) -> Path:
    """The 2025-26 return of `synth --scale <scale>` (generated once into the cache)."""
    folder = cache / f"scale-{scale:g}"
    if not (folder / "ssda903" / YEAR / "episodes.csv").exists():
        subprocess.run([PYTHON, "-m", "pipeline", "synth", "--out", str(folder), "--scale", str(scale)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return folder / "ssda903" / YEAR


def in_care_at_31_march(folder: Path) -> tuple[int, int]:
    """(children in care at the end of the return, rows in its files)."""
    import csv

    with open(folder / "episodes.csv", newline="") as f:
        open_children = {r["CHILD"] for r in csv.DictReader(f) if not r["DEC"]}
    rows = sum(len(p.read_text().splitlines()) - 1 for p in folder.glob("*.csv"))
    return len(open_children), rows


def bench_validate(n: int, folder: Path, dfe_python: Path) -> None:
    children, rows = in_care_at_31_march(folder)
    print(f"one LA-year: {folder} ({children} children in care at 31 March, {rows} rows in "
          f"{len(list(folder.glob('*.csv')))} files)", flush=True)
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    ours = [PYTHON, "-m", "pipeline", "validate", "--raw", str(folder), "--year", YEAR, "--no-docs",
            "--out", str(work / "validation"), "--processed", str(work / "processed")]
    theirs = [str(dfe_python), str(ROOT / "scripts" / "dfe903_runner.py"), str(folder), str(int(YEAR[:4]) + 1),
              DFE_RULESET, str(work / "dfe_rows.csv")]
    have_dfe = dfe_python.is_file()
    if not have_dfe:
        print(f"DfE validator: skipped, no environment at {dfe_python} (see this file's docstring)", flush=True)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    pipeline_runs, dfe_runs = [], []
    try:
        for _ in range(n):  # alternate, so that both see the same load
            pipeline_runs.append(timed(ours))
            if have_dfe:
                dfe_runs.append(timed(theirs, env=env))
        bad = [r[2] for r in pipeline_runs if r[2] not in (0, 2)] + [r[2] for r in dfe_runs if r[2] != 0]
        if bad:
            raise SystemExit(f"a run failed (exit codes {bad})")
        ours_wall, ours_cpu = summary("pipeline validate --no-docs (whole process)", pipeline_runs)
        if have_dfe:
            dfe_wall, dfe_cpu = summary("DfE validator (whole process)", dfe_runs)
            print(f"pipeline / DfE: {ours_wall / dfe_wall:.2f}x wall, {ours_cpu / dfe_cpu:.2f}x CPU "
                  f"(under 1: the pipeline is faster)", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def dvc_env() -> dict:
    return {**os.environ, "PATH": f"{Path(PYTHON).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "DVC_NO_ANALYTICS": "1", "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg", "SOURCE_DATE_EPOCH": "0"}


def bench_dvc(n: int) -> None:
    dvc = str(Path(PYTHON).with_name("dvc"))
    env = dvc_env()
    settle = timed([dvc, "repro"], env=env)
    if settle[2] != 0:
        raise SystemExit("dvc repro failed: run `make report` first")
    summary("dvc repro, nothing changed (this project)", [timed([dvc, "repro"], env=env) for _ in range(n)])
    floor = make_floor_project()
    try:
        summary("dvc repro, nothing changed (one-stage project)", [timed([dvc, "repro"], cwd=floor, env=env) for _ in range(n)])
    finally:
        shutil.rmtree(floor, ignore_errors=True)


def make_floor_project() -> Path:
    """A throw-away one-stage DVC project, built once (DVC's floor); the caller removes it."""
    dvc = str(Path(PYTHON).with_name("dvc"))
    env = dvc_env()
    floor = Path(tempfile.mkdtemp(prefix="bench-dvc-floor-"))
    for cmd in (["git", "init", "-q"], [dvc, "init", "-q"], [dvc, "config", "core.analytics", "false"],
                [dvc, "stage", "add", "-q", "-n", "one", "-d", "in.txt", "-o", "out.txt", "cp in.txt out.txt"]):
        (floor / "in.txt").write_text("x\n")
        subprocess.run(cmd, cwd=floor, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([dvc, "repro", "-q"], cwd=floor, env=env, check=True, stdout=subprocess.DEVNULL)
    return floor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (median reported; default 5)")
    parser.add_argument("--scale", type=float, default=0.9, help="synth scale of the LA-year (default 0.9: about 600 in care)")
    parser.add_argument("--cache", type=Path, default=ROOT / ".benchmarks" / "startup", help="where the synthetic LA-year is kept")
    parser.add_argument("--dfe-python", type=Path, default=Path("/tmp/dfe903/bin/python"),
                        help="python of the environment with csc-validator-be-903 (default /tmp/dfe903/bin/python)")
    parser.add_argument("--dvc", action="store_true", help="also time a no-op `dvc repro` here and in a one-stage project")
    parser.add_argument("--skip-validate", action="store_true", help="leave out the LA-year validation")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {args.runs} runs each", flush=True)
    bench_help(args.runs)
    if not args.skip_validate:
        bench_validate(args.runs, la_year(args.cache, args.scale), args.dfe_python)
    if args.dvc:
        bench_dvc(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
