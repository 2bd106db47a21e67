"""The measures stage (`python -m pipeline measures`): every measure for a period,
unsuppressed (restricted output for analysts and auditors).

Builds the fact tables from the validated data (written by `python -m pipeline validate`
from the raw folder) and writes <out>/measures.csv: measure_id, period, dimension,
category, value, unit, reason. A figure that cannot be computed (its local source file was
not supplied, or no return covers its window: pipeline.coverage) has a missing value, unit
"unavailable" and the reason.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.config import Params
from pipeline.coverage import mark_uncovered, read_coverage
from pipeline.errors import InputError
from pipeline.store import Layout, read_manifest, recorded_path


def _check_raw(validated_dir: Path, raw: Path | None) -> None:
    """Refuse validated data that came from another raw folder (when the manifest says so)."""
    manifest = read_manifest(validated_dir)
    if raw is None or manifest is None:
        return
    if not raw.is_dir():
        raise InputError(f"{raw}: no such raw folder")
    recorded = manifest.get("raw")
    if recorded and recorded_path(recorded, validated_dir).resolve() != raw.resolve():
        raise InputError(f"validated data in {validated_dir} came from {recorded_path(recorded, validated_dir)}, not {raw}: "
                         f"run `python -m pipeline validate --raw {raw}` first")


def compute_all_measures(facts: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """The quarterly and the sufficiency measures, in one frame; a figure whose window the
    returns do not cover is unavailable with the reason (column ``reason``, pipeline.coverage)."""
    from pipeline.measures.quarterly import compute_quarterly_measures
    from pipeline.measures.sufficiency import compute_sufficiency_measures

    frames = [compute_quarterly_measures(facts, params), compute_sufficiency_measures(facts, params)]
    return mark_uncovered(pd.concat(frames, ignore_index=True), read_coverage(facts), params.period)


def read_or_build_facts(validated_dir: Path, params: Params) -> dict[str, pd.DataFrame]:
    """The fact tables written by `python -m pipeline process` (<processed>/facts) when they
    are current for these validated data and parameters; otherwise built here."""
    from pipeline.process.catalog import build_facts
    from pipeline.process.stage import read_current_facts
    from pipeline.store import read_validated

    folder = Layout(params.paths).facts
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


def run_measures(params: Params, *, raw: Path | None = None, out: Path | None = None,
                 validated: Path | None = None) -> int:
    """Write <out>/measures.csv (default <processed>/measures/<period>) from the fact tables of
    `validated` (default <processed>/validated, which must be current and come from `raw`)."""
    where = Layout(params.paths)
    validated_dir = validated or where.validated
    if not validated_dir.is_dir():
        raise InputError(f"{validated_dir}: no validated data; run `python -m pipeline validate --raw {raw or params.paths.raw}` first")
    _check_raw(validated_dir, raw)
    if validated is None:
        from pipeline.freshness import require_current, validated_problems

        require_current(validated_problems(params.paths.processed, raw or params.paths.raw), "measures")
    facts = read_or_build_facts(validated_dir, params)
    measures = compute_all_measures(facts, params)
    out = out or where.measures(params.period.slug)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "measures.csv"
    measures.to_csv(path, index=False)
    print(f"{len(measures):,} measure rows for {params.period.label} written to {path}")
    print_unavailable(measures)
    return 0
