"""The processing stage's wiring: validated tables in, every fact table out.

Reads like a table of contents. :func:`derive_shared` builds, once, the frames several fact
tables start from (derived episodes, periods of care under both rules); each entry of :data:`FACT_JOBS` then builds a few fact tables from them and from the
validated tables. The jobs are independent, so they may run in any order or in parallel
(process_cli runs them in worker processes); :func:`build_facts` runs them one after the
other. Facts whose local source file was not supplied are simply absent from the result, so
that measures needing them report "unavailable" rather than zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from pipeline.candidates import build_candidates_fact
from pipeline.config import Params
from pipeline.errors import InputError
from pipeline.process import quarterly as q
from pipeline.process import sufficiency as s
from pipeline.process.episodes import build_periods_of_care, derive_episode_fields

REQUIRED = ("episodes", "header")
# The validated tables any builder reads (the others need not be loaded).
USED_TABLES = ("episodes", "header", "postcodes", "permanence_tracker", "unit_costs", "staffing", "uasc",
               "population", "oc3", "fostering_capacity")
# Fact table -> the validated local file it needs (absent file -> absent fact).
NEEDS_LOCAL = {
    "tracker_events": "permanence_tracker",
    "tracker_cases": "permanence_tracker",
    "tracker_snapshots": "permanence_tracker",
    "timeliness": "permanence_tracker",
    "staffing_quarters": "staffing",
    "savings": "unit_costs",
}


@dataclass(frozen=True)
class Shared:
    """What the fact jobs start from: the validated tables, the parameters, and the frames
    built once for several jobs."""

    validated: dict[str, pd.DataFrame]
    params: Params
    episodes: pd.DataFrame
    periods_of_care: pd.DataFrame
    care_periods: pd.DataFrame


def derive_shared(validated: dict[str, pd.DataFrame], params: Params) -> Shared:
    """The derived episodes and their periods of care (whole, and under the sufficiency
    short-break rule)."""
    missing = [t for t in REQUIRED if t not in validated]
    if missing:
        raise InputError(f"validated data has no {', '.join(missing)} table: run `python -m pipeline validate` first")
    episodes = derive_episode_fields(validated["episodes"], validated["header"], validated.get("postcodes"))
    periods = build_periods_of_care(episodes)
    return Shared(validated, params, episodes, periods, s.build_care_periods(episodes, periods))


# --- the jobs: each builds a few fact tables from the shared frames ----------------------------


def build_episode_facts(sh: Shared) -> dict[str, pd.DataFrame]:
    """episodes, periods_of_care and care_periods, as derived."""
    return {"episodes": sh.episodes, "periods_of_care": sh.periods_of_care, "care_periods": sh.care_periods}


def build_exit_and_tracker_facts(sh: Shared) -> dict[str, pd.DataFrame]:
    """exits (matched to the tracker's cases when there is a tracker) and, with a tracker,
    tracker_events, tracker_cases, tracker_snapshots, timeliness and (with unit costs) savings."""
    exits = q.build_exits(sh.episodes, sh.periods_of_care)
    tracker = sh.validated.get("permanence_tracker")
    if tracker is None:
        return {"exits": q.match_team_cases(exits, None)}
    events = q.build_tracker_events(tracker)
    cases = q.build_tracker_cases(events, pd.Timestamp(sh.params.period.end))
    facts = {"exits": q.match_team_cases(exits, cases), "tracker_events": events, "tracker_cases": cases,
             "tracker_snapshots": q.build_tracker_snapshots(events, cases, sh.params.period),
             "timeliness": q.build_timeliness(cases)}
    if "unit_costs" in sh.validated:
        team_exits = events[events["TEAM_ROUTE"].notna()]
        facts["savings"] = q.build_savings(team_exits, sh.episodes, sh.validated["unit_costs"])
    return facts


def build_staffing_facts(sh: Shared) -> dict[str, pd.DataFrame]:
    """staffing_quarters, when there is a staffing file."""
    if "staffing" not in sh.validated:
        return {}
    return {"staffing_quarters": q.build_staffing_quarters(sh.validated["staffing"], sh.params.period)}


def build_candidate_facts(sh: Shared) -> dict[str, pd.DataFrame]:
    """candidates (the list's rows)."""
    return {"candidates": build_candidates_fact(sh.validated, sh.episodes, sh.params)}


def build_sufficiency_stock(sh: Shared) -> dict[str, pd.DataFrame]:
    return s.build_stock_facts(sh.validated, sh.episodes, sh.care_periods, sh.params)


def build_sufficiency_flows(sh: Shared) -> dict[str, pd.DataFrame]:
    return s.build_flow_facts(sh.care_periods, sh.params)


def build_sufficiency_transitions(sh: Shared) -> dict[str, pd.DataFrame]:
    return s.build_transition_facts(sh.episodes, sh.care_periods, sh.params)


def build_sufficiency_local(sh: Shared) -> dict[str, pd.DataFrame]:
    return s.build_local_facts(sh.validated)


def build_sufficiency_costs(sh: Shared) -> dict[str, pd.DataFrame]:
    return s.build_cost_facts(sh.validated, sh.episodes, sh.params)


# Costliest first (building and writing, at national scale), so that parallel workers finish together.
FACT_JOBS: tuple[Callable[[Shared], dict[str, pd.DataFrame]], ...] = (
    build_exit_and_tracker_facts,
    build_sufficiency_stock,
    build_sufficiency_transitions,
    build_candidate_facts,
    build_sufficiency_costs,
    build_episode_facts,
    build_sufficiency_flows,
    build_sufficiency_local,
    build_staffing_facts,
)


def merge_facts(parts: list[dict]) -> dict:
    """One mapping from the jobs' results (fact name -> anything); a name twice is an error."""
    merged: dict = {}
    for part in parts:
        for name, value in part.items():
            if name in merged:
                raise InputError(f"fact table {name!r} is built twice")
            merged[name] = value
    return merged


def build_facts(validated: dict[str, pd.DataFrame], params: Params) -> dict[str, pd.DataFrame]:
    """Every fact table from the validated tables; `params.period` bounds the quarterly
    snapshots and spells (they run up to the end of that quarter)."""
    shared = derive_shared(validated, params)
    return merge_facts([job(shared) for job in FACT_JOBS])
