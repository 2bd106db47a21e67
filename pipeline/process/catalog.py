"""The processing stage's wiring: validated tables in, every fact table out.

Reads like a table of contents: one line per fact table. Facts whose local source file was
not supplied are simply absent from the result, so that measures needing them report
"unavailable" rather than zero.
"""

from __future__ import annotations

import importlib.util

import pandas as pd

from pipeline.candidates import build_candidates_fact
from pipeline.config import Params
from pipeline.errors import InputError
from pipeline.process import quarterly as q
from pipeline.process.episodes import build_periods_of_care, derive_episode_fields

REQUIRED = ("episodes", "header")
# Fact table -> the validated local file it needs (absent file -> absent fact).
NEEDS_LOCAL = {
    "tracker_events": "permanence_tracker",
    "tracker_cases": "permanence_tracker",
    "tracker_snapshots": "permanence_tracker",
    "timeliness": "permanence_tracker",
    "staffing_quarters": "staffing",
    "savings": "unit_costs",
}


def _sufficiency_available() -> bool:
    try:
        return importlib.util.find_spec("pipeline.process.sufficiency") is not None
    except ModuleNotFoundError:
        return False


def build_facts(validated: dict[str, pd.DataFrame], params: Params) -> dict[str, pd.DataFrame]:
    """Every fact table from the validated tables; `params.period` bounds the quarterly
    snapshots and spells (they run up to the end of that quarter)."""
    missing = [t for t in REQUIRED if t not in validated]
    if missing:
        raise InputError(f"validated data has no {', '.join(missing)} table: run `python -m pipeline validate` first")
    period = params.period
    facts: dict[str, pd.DataFrame] = {}
    episodes = derive_episode_fields(validated["episodes"], validated["header"], validated.get("postcodes"))
    facts["episodes"] = episodes
    facts["periods_of_care"] = build_periods_of_care(episodes)
    exits = q.build_exits(episodes, facts["periods_of_care"])
    tracker = validated.get("permanence_tracker")
    cases = None
    if tracker is not None:
        events = q.build_tracker_events(tracker)
        cases = q.build_tracker_cases(events, pd.Timestamp(period.end))
        facts["tracker_events"] = events
        facts["tracker_cases"] = cases
        facts["tracker_snapshots"] = q.build_tracker_snapshots(events, cases, period)
        facts["timeliness"] = q.build_timeliness(cases)
        if "unit_costs" in validated:
            team_exits = events[events["TEAM_ROUTE"].notna()]
            facts["savings"] = q.build_savings(team_exits, episodes, validated["unit_costs"])
    facts["exits"] = q.match_team_cases(exits, cases)
    if "staffing" in validated:
        facts["staffing_quarters"] = q.build_staffing_quarters(validated["staffing"], period)
    facts["candidates"] = build_candidates_fact(validated, episodes, params)
    if _sufficiency_available():
        from pipeline.process.sufficiency import build_sufficiency_facts

        for name, frame in build_sufficiency_facts(validated, episodes, params).items():
            if name in facts:
                raise InputError(f"fact table {name!r} is built twice")
            facts[name] = frame
    return facts
