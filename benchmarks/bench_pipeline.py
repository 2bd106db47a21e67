"""Each stage of the pipeline, and the whole chain, timed at several scales of synthetic data.

    .venv/bin/python benchmarks/bench_pipeline.py                      # scale 1, every stage
    .venv/bin/python benchmarks/bench_pipeline.py --scales 10 100 --stages validate process measures

Synthetic raw data is generated once per scale into --cache (default .benchmarks/pipeline/,
reused on later runs). Each stage runs as its own process, as DVC runs it
(`python -m pipeline --set paths.raw=... --set paths.processed=... --set paths.reports=...`),
and is reported with its wall time, CPU time and peak resident memory (os.wait4's rusage
of that process, so each figure is the stage's own). The I/O floor is the time pyarrow.csv
takes merely to read the same raw CSV files, in this process; the processing stage is
reported as a multiple of it. Prints a Markdown table and the machine it ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = {
    "validate": ["validate"],
    "process": ["process"],
    "candidates": ["candidates"],
    "measures": ["measures"],
    "paper quarterly": ["paper", "quarterly"],
    "paper sufficiency": ["paper", "sufficiency"],
    "render": ["render"],
    "check-publication": ["check-publication"],
}


def machine() -> str:
    model = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                  if ln.startswith("model name")), platform.processor())
    mem_kb = next(int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
    load = os.getloadavg()[0]
    return (f"{os.cpu_count()} cores ({model}), {mem_kb / 2**20:.0f} GB, Python {platform.python_version()}, "
            f"load average {load:.1f} at the start")


def run_measured(cmd: list[str], log: Path) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MB, exit code) of one child process."""
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def ensure_raw(cache: Path, scale: float) -> Path:
    raw = cache / f"scale-{scale:g}" / "raw"
    if not (raw / ".complete").exists():
        raw.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pipeline", "synth", "--out", str(raw), "--scale", str(scale)]
        wall, cpu, rss, code = run_measured(cmd, raw.parent / "synth.log")
        if code:
            sys.exit(f"synth failed; see {raw.parent / 'synth.log'}")
        (raw / ".complete").write_text(f"{wall:.1f} s\n")
    return raw


def csv_floor(raw: Path) -> tuple[float, int]:
    """Seconds pyarrow takes to read every raw CSV once (its own type inference), and the rows."""
    import pyarrow.csv as pv

    files = sorted(raw.rglob("*.csv"))
    start = time.perf_counter()
    rows = sum(pv.read_csv(f).num_rows for f in files)
    return time.perf_counter() - start, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0])
    ap.add_argument("--stages", nargs="+", default=list(STAGES), help=f"from: {', '.join(STAGES)}")
    ap.add_argument("--cache", type=Path, default=ROOT / ".benchmarks" / "pipeline")
    args = ap.parse_args()
    print(f"Machine: {machine()}\n")
    print("| scale | stage | wall (s) | CPU (s) | peak RSS (MB) |")
    print("|---:|---|---:|---:|---:|")
    for scale in args.scales:
        raw = ensure_raw(args.cache, scale)
        work = args.cache / f"scale-{scale:g}"
        base = [sys.executable, "-m", "pipeline", "--set", f"paths.raw={raw}",
                "--set", f"paths.processed={work / 'processed'}", "--set", f"paths.reports={work / 'reports'}"]
        totals = [0.0, 0.0, 0.0]
        times = {}
        for name in args.stages:
            wall, cpu, rss, code = run_measured(base + STAGES[name], work / f"{name.replace(' ', '_')}.log")
            if code:
                print(f"| {scale:g} | {name} | failed (exit {code}; see {work}) | | |")
                return 1
            times[name] = wall
            totals = [totals[0] + wall, totals[1] + cpu, max(totals[2], rss)]
            print(f"| {scale:g} | {name} | {wall:.1f} | {cpu:.1f} | {rss:.0f} |", flush=True)
        print(f"| {scale:g} | **total** | **{totals[0]:.1f}** | {totals[1]:.1f} | {totals[2]:.0f} (max) |")
        floor, rows = csv_floor(raw)
        line = f"| {scale:g} | pyarrow.csv read of the raw CSVs ({rows:,} rows; I/O floor) | {floor:.1f} | | |"
        if "process" in times:
            line += f"\n| {scale:g} | process / floor | {times['process'] / floor:.1f}x | | |"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
