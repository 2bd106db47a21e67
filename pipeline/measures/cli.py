"""Compute every measure for a period, unsuppressed (restricted output for analysts and auditors).

Builds the fact tables from the validated data (written by `python -m pipeline validate`
from the raw folder) and writes <out>/measures.csv: measure_id, period, dimension,
category, value, unit, reason. A figure that cannot be computed (its local source file was
not supplied, or no return covers its window: pipeline.coverage) has a missing value, unit
"unavailable" and the reason.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from pipeline.config import Origin, Params, check_period, load_params
from pipeline.coverage import mark_uncovered, read_coverage
from pipeline.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", type=Path, default=None,
                        help="raw folder the validated data must come from (default: params paths.raw)")
    parser.add_argument("--period", default=None, help="quarter, e.g. '2026-27 Q2' (default: params period)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: <processed>/measures/<period>)")
    parser.add_argument("--validated", type=Path, default=None,
                        help="folder of validated parquet files (default: <processed>/validated)")


def _check_raw(validated_dir: Path, raw: Path | None) -> None:
    """Refuse validated data that came from another raw folder (when the manifest says so)."""
    manifest = validated_dir / "manifest.json"
    if raw is None or not manifest.exists():
        return
    if not raw.is_dir():
        raise InputError(f"{raw}: no such raw folder")
    recorded = json.loads(manifest.read_text()).get("raw")
    if recorded and Path(recorded).resolve() != raw.resolve():
        raise InputError(f"validated data in {validated_dir} came from {recorded}, not {raw}: "
                         f"run `python -m pipeline validate --raw {raw}` first")


def compute_all_measures(facts: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """The quarterly and the sufficiency measures, in one frame; a figure whose window the
    returns do not cover is unavailable with the reason (column ``reason``, pipeline.coverage)."""
    from pipeline.measures.quarterly import compute_quarterly_measures
    from pipeline.measures.sufficiency import compute_sufficiency_measures

    frames = [compute_quarterly_measures(facts, params), compute_sufficiency_measures(facts, params)]
    return mark_uncovered(pd.concat(frames, ignore_index=True), read_coverage(facts), params.period)


def load_facts(validated_dir: Path, params: Params) -> dict[str, pd.DataFrame]:
    """The fact tables written by `python -m pipeline process` (<processed>/facts) when they
    are current for these validated data and parameters; otherwise built here."""
    from pipeline.process.catalog import build_facts
    from pipeline.process_cli import read_current_facts, read_validated

    folder = params.paths.processed / "facts"
    facts = read_current_facts(folder, validated_dir, params)
    if facts is not None:
        print(f"fact tables read from {folder}")
        return facts
    print(f"fact tables built from {validated_dir} ({folder} is absent or not current)")
    return build_facts(read_validated(validated_dir), params)


def print_unavailable(measures: pd.DataFrame) -> None:
    """One line per reason: the measures (and periods) it makes unavailable."""
    gone = measures[measures["unit"].eq("unavailable")]
    for reason, rows in gone.groupby("reason", sort=True):
        ids = ", ".join(sorted(set(rows["measure_id"])))
        periods = ", ".join(sorted(set(rows["period"].astype(str))))
        print(f"unavailable ({periods}): {ids}: {reason}")


def run(args: argparse.Namespace, params: Params) -> int:
    if args.period:  # as --set period=P: the period's folder and (unless set) its sufficiency year
        check_period(args.period, Origin(file="--period"))
        params = load_params(args.params, [*args.overrides, f"period={args.period}"])
    validated_dir = args.validated or params.paths.processed / "validated"
    if not validated_dir.is_dir():
        raw = args.raw or params.paths.raw
        raise InputError(f"{validated_dir}: no validated data; run `python -m pipeline validate --raw {raw}` first")
    _check_raw(validated_dir, args.raw)
    if args.validated is None:
        from pipeline.freshness import require_current, validated_problems

        require_current(validated_problems(params.paths.processed, args.raw or params.paths.raw), "measures")
    facts = load_facts(validated_dir, params)
    measures = compute_all_measures(facts, params)
    out = args.out or params.paths.processed / "measures" / params.period.slug
    out.mkdir(parents=True, exist_ok=True)
    path = out / "measures.csv"
    measures.to_csv(path, index=False)
    print(f"{len(measures):,} measure rows for {params.period.label} written to {path}")
    print_unavailable(measures)
    return 0
