"""Time the synthetic generator at several scales (wall and CPU time, peak memory, output size).

    .venv/bin/python benchmarks/bench_synth.py                 # scales 1, 10, 100
    .venv/bin/python benchmarks/bench_synth.py --scales 1 10   # a subset

Each scale runs in its own process (so peak memory is that run's own); the generated files go
to a temporary folder that is deleted afterwards. Prints a Markdown table for
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def inner(scale: float, out: str, seed: int) -> None:
    """Run one generation in this process and print its measurements as JSON."""
    import resource

    sys.path.insert(0, str(ROOT))
    t0 = time.perf_counter()
    from pipeline.cli import main

    code = main(["--params", str(ROOT / "params.yaml"), "synth", "--out", out, "--scale", str(scale), "--seed", str(seed)])
    wall = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)
    files = list(Path(out).rglob("*.csv"))
    episodes = sum(sum(1 for _ in p.open()) - 1 for p in files if p.name == "episodes.csv")
    print(json.dumps({"scale": scale, "exit": code, "wall_s": round(wall, 1), "cpu_s": round(ru.ru_utime + ru.ru_stime, 1),
                      "peak_rss_mb": round(ru.ru_maxrss / 1024), "files": len(files), "episode_rows": episodes,
                      "mb_written": round(sum(p.stat().st_size for p in files) / 1e6, 1)}))


def measure(scale: float, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([sys.executable, __file__, "--inner", str(scale), tmp, "--seed", str(seed)],
                              capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10, 100])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--inner", nargs=2, metavar=("SCALE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(float(args.inner[0]), args.inner[1], args.seed)
        return
    print("| --scale | wall (s) | CPU (s) | peak RSS (MB) | episode rows (all returns) | MB written |")
    print("|---:|---:|---:|---:|---:|---:|")
    for scale in args.scales:
        r = measure(scale, args.seed)
        print(f"| {r['scale']:g} | {r['wall_s']} | {r['cpu_s']} | {r['peak_rss_mb']} | {r['episode_rows']:,} | {r['mb_written']} |", flush=True)


if __name__ == "__main__":
    main()
