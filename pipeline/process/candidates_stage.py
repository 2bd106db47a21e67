"""The candidates stage: the restricted list of children to consider for exit from care
(never published). What it reads and writes (the command's help): pipeline/commands/candidates.py.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from pipeline.config import Params
from pipeline.errors import InputError
from pipeline.store import Layout, read_optional_table, record_path

DERIVED_COLUMNS = ("DOB", "PLACEMENT_GROUP")


def run_candidates(params: Params, *, validated: Path | None = None, facts: Path | None = None,
                   out: Path | None = None) -> int:
    """Write the list under `out` (default <processed>/restricted/<period>/candidates) from the
    episodes in `facts` or `validated` (defaults under <processed>, which must be current)."""
    from pipeline.process.candidates import build_candidates

    where = Layout(params.paths)
    checked = validated is None and facts is None
    validated = validated or where.validated
    facts = facts or where.facts
    out = out or where.candidates(params.period.slug)
    if checked:
        from pipeline.freshness import facts_problems, require_current, validated_problems

        problems = validated_problems(params.paths.processed, params.paths.raw)
        if not problems and (facts / "manifest.json").exists():
            problems = [p for p in facts_problems(params.paths.processed, params) if "validated" in p]
        require_current(problems, "candidates")
    episodes, source = read_episodes(validated, facts)
    tracker = read_optional_table(validated / "permanence_tracker.parquet")
    unit_costs = read_optional_table(validated / "unit_costs.parquet")
    result = build_candidates(episodes, tracker, unit_costs, params)
    write_outputs(out, result, params, {"episodes": record_path(Path(source), out), "permanence_tracker": tracker is not None,
                                        "unit_costs": unit_costs is not None})
    print(f"Children to consider for exit from care, {params.period.label} (restricted: {out})")
    print(result.summary.to_string(index=False))
    print(f"Distinct children listed: {int(result.rows['FIRST_FOR_CHILD'].sum())}")
    for note in result.notes:
        print(f"Note: {note}")
    return 0


def read_episodes(validated: Path, facts: Path) -> tuple[pd.DataFrame, str]:
    """Derived episodes from the facts folder if present, else derived from validated data."""
    from pipeline.process.episodes import derive_episode_fields

    fact = facts / "episodes.parquet"
    if fact.exists():
        episodes = pd.read_parquet(fact)
        if all(c in episodes.columns for c in DERIVED_COLUMNS):
            return episodes, str(fact)
    paths = [validated / "episodes.parquet", validated / "header.parquet"]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise InputError(f"{missing[0]} not found: run `python -m pipeline validate` first")
    return derive_episode_fields(pd.read_parquet(paths[0]), pd.read_parquet(paths[1])), str(paths[0])


def write_outputs(out: Path, result, params: Params, inputs: dict) -> None:
    """candidates.csv, summary.csv and summary.json under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    result.rows.to_csv(out / "candidates.csv", index=False, date_format="%Y-%m-%d")
    result.summary.to_csv(out / "summary.csv", index=False)
    summary = {
        "period": params.period.label,
        "period_end": params.period.end.isoformat(),
        "restricted": "lists children: never publish",
        "thresholds": asdict(params.candidates),
        "inputs": inputs,
        "distinct_children": int(result.rows["FIRST_FOR_CHILD"].sum()),
        "groups": json.loads(result.summary.to_json(orient="records")),
        "notes": list(result.notes),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
