"""Back-test of the projection: project from the first N annual returns, compare with what followed.

    python benchmarks/backtest_projection.py [--raw DIR] [--returns 2 3 4] [--simulations 300]

For each N, the returns are cut as an analyst holding only the first N annual returns would
hold them (``validate --as-of`` the N-th return's 31 March: later returns are not stitched),
the sufficiency year is the N-th return's year, and the projection (projection.years years)
is compared with the children actually in care at each later 31 March, counted from every
return. Also run, for comparison, the projection as it was before coverage was checked: the
window reaching back before the first return (left truncation). Without --raw the synthetic
demo authority is generated into a temporary folder. Prints one line per (N, method, year)
and a JSON summary; the figures are recorded in docs/measures.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.config import load_params  # noqa: E402
from pipeline.coverage import build_coverage_fact  # noqa: E402
from pipeline.measures.projection import describe_history, project_children_in_care  # noqa: E402
from pipeline.process.episodes import derive_episode_fields  # noqa: E402
from pipeline.process.sufficiency import build_sufficiency_facts  # noqa: E402
from pipeline.readers import read_raw  # noqa: E402
from pipeline.schema import parse_return_label  # noqa: E402
from pipeline.validate.assemble import assemble_validated  # noqa: E402


def facts_as_of(raw, as_of: date | None, sufficiency_year: str, simulations: int, window_years: int = 3,
                trend_years: int = 1) -> tuple[dict[str, pd.DataFrame], object]:
    """Sufficiency facts (with the coverage fact) from the returns ending by ``as_of``."""
    params = load_params(ROOT / "params.yaml", [f"sufficiency_year={sufficiency_year}", f"trend_years={trend_years}",
                                                f"projection.simulations={simulations}",
                                                f"projection.window_years={window_years}"])
    tables = assemble_validated(raw, as_of=as_of).tables
    episodes = derive_episode_fields(tables["episodes"], tables["header"], tables.get("postcodes"))
    facts = build_sufficiency_facts(tables, episodes, params)
    returns = [r for r in raw.returns if as_of is None or parse_return_label(r).end <= as_of]
    return {**facts, "coverage": build_coverage_fact(returns)}, params


def count_in_care(raw, years: list[str]) -> dict[str, int]:
    """Children in care at each year's 31 March, from every return."""
    facts, _ = facts_as_of(raw, None, years[-1], 0, trend_years=len(years))
    cla = facts["cla_31_march"]
    return {y: int((cla["YEAR"] == y).sum()) for y in years}


def backtest(raw_dir: Path, first_returns: list[int], simulations: int) -> list[dict]:
    """One row per (returns held, method, projected year): projected median, actual, error."""
    raw = read_raw(raw_dir)
    annual = sorted(r for r in raw.returns if parse_return_label(r).quarter is None)
    rows = []
    for n in first_returns:
        base = parse_return_label(annual[n - 1])
        facts, params = facts_as_of(raw, base.end, base.year.label, simulations)
        later = [base.year.shift(k).label for k in range(1, params.projection.years + 1)]
        later = [y for y in later if y in annual]
        actual = count_in_care(raw, later) if later else {}
        for method, f in (("covered window", facts), ("before coverage (left-truncated)",
                                                      {k: v for k, v in facts.items() if k != "coverage"})):
            history = describe_history(f, params)
            proj = project_children_in_care(f, params)
            total = proj[proj["PLACEMENT_GROUP"] == "TOTAL"].set_index("YEAR")["MEDIAN"] if len(proj) else None
            for y in later:
                p = float(total[y]) if total is not None else None
                rows.append({"returns": n, "base": base.year.label, "method": method, "year": y,
                             "history_months": history.months, "declined": history.declined,
                             "projected": p, "actual": actual[y],
                             "error_pct": None if p is None else round(100.0 * (p - actual[y]) / actual[y], 1)})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, default=None, help="raw folder (default: synthesise the demo authority)")
    ap.add_argument("--returns", type=int, nargs="+", default=[2, 3, 4], help="annual returns held (N)")
    ap.add_argument("--simulations", type=int, default=300)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        raw = args.raw
        if raw is None:
            raw = Path(tmp) / "raw"
            subprocess.run([sys.executable, "-m", "pipeline", "synth", "--out", str(raw)], check=True, cwd=ROOT,
                           stdout=subprocess.DEVNULL)
        rows = backtest(raw, args.returns, args.simulations)
    for r in rows:
        shown = "declined" if r["projected"] is None else f"{r['projected']:.0f} ({r['error_pct']:+.1f}%)"
        print(f"{r['returns']} returns to {r['base']}, {r['method']}, {r['history_months']} months: "
              f"31 March of {r['year']}: projected {shown}, actual {r['actual']}")
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
