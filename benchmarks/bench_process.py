"""Benchmark: process + measures (+ the quarterly paper) on national-scale synthetic data.

    python benchmarks/bench_process.py [--scale 100] [--cache DIR] [--validated DIR]

Generates `synth --scale N` once into the cache folder (default: $PIPELINE_BENCH_CACHE or
~/.cache/pipeline-bench), validates it once with `python -m pipeline validate`, then times,
in a fresh child process so that its peak memory is its own: reading the validated
parquet, building every fact table (`build_facts`), writing them, computing every measure
(`compute_all_measures`) and building the quarterly paper. Targets: under 2 minutes and
under 6 GB peak resident memory. Prints one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 120
TARGET_GB = 6.0


def _run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, cwd=ROOT)


def prepare(scale: float, cache: Path) -> Path:
    """Raw synthetic data and its validated tables, made once; returns the validated folder."""
    raw = cache / f"synth-{scale:g}" / "raw"
    processed = cache / f"synth-{scale:g}" / "processed"
    if not (raw / "ssda903").exists():
        _run([sys.executable, "-m", "pipeline", "synth", "--out", str(raw), "--scale", str(scale)])
    validated = processed / "validated"
    if not (validated / "episodes.parquet").exists():
        _run([sys.executable, "-m", "pipeline", "validate", "--raw", str(raw), "--processed", str(processed),
              "--out", str(processed / "validation"), "--no-docs"])
    return validated


def measure(validated: Path, out: Path) -> dict:
    """The timed work (runs in the child process)."""
    from pipeline.config import load_params
    from pipeline.measures.stage import compute_all_measures
    from pipeline.papers.quarterly import build_quarterly_paper
    from pipeline.process.catalog import build_facts
    from pipeline.process.stage import write_facts
    from pipeline.store import read_validated

    params = load_params(ROOT / "params.yaml")
    times = {}
    t0 = time.perf_counter()
    tables = read_validated(validated)
    times["read_validated_s"] = time.perf_counter() - t0
    t = time.perf_counter()
    facts = build_facts(tables, params)
    times["build_facts_s"] = time.perf_counter() - t
    t = time.perf_counter()
    write_facts(facts, out / "facts", params, sorted(tables))
    times["write_facts_s"] = time.perf_counter() - t
    t = time.perf_counter()
    measures = compute_all_measures(facts, params)
    times["measures_s"] = time.perf_counter() - t
    t = time.perf_counter()
    paper = build_quarterly_paper(facts, params)
    times["paper_s"] = time.perf_counter() - t
    times["total_s"] = time.perf_counter() - t0
    return {
        **{k: round(v, 2) for k, v in times.items()},
        "episodes": len(facts["episodes"]),
        "tracker_events": len(facts.get("tracker_events", [])),
        "fact_rows": sum(len(f) for f in facts.values()),
        "measure_rows": len(measures),
        "paper_cells": len(paper.count_cells()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=100)
    parser.add_argument("--cache", type=Path,
                        default=Path(os.environ.get("PIPELINE_BENCH_CACHE", Path.home() / ".cache" / "pipeline-bench")))
    parser.add_argument("--validated", type=Path, help="use this validated folder instead of generating one")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        with tempfile.TemporaryDirectory() as tmp:
            result = measure(args.validated, Path(tmp))
        result["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2)
        print(json.dumps(result))
        return 0
    validated = args.validated or prepare(args.scale, args.cache)
    start = time.perf_counter()
    child = subprocess.run([sys.executable, __file__, "--child", "--validated", str(validated)],
                           check=True, cwd=ROOT, capture_output=True, text=True)
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result["wall_s"] = round(time.perf_counter() - start, 1)
    result["scale"] = args.scale
    result["within_targets"] = result["total_s"] < TARGET_SECONDS and result["peak_rss_gb"] < TARGET_GB
    print(json.dumps(result))
    return 0 if result["within_targets"] else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
