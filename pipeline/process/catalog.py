"""The processing stage's wiring: validated tables in, every fact table out.

Reads like a table of contents, in two stages. The :data:`EARLY_JOBS` build fact tables from
the validated tables alone (the permanence tracker's, the local files'); meanwhile
:func:`derive_shared` builds, once, the frames the other fact tables start from (derived
episodes, periods of care under both rules, with the tracker's events and cases handed on
from the early jobs). Each entry of :data:`FACT_JOBS` then builds a few fact tables from
them. Jobs of a stage are independent, so they may run in any order or in parallel
(pipeline.process.stage runs them in worker processes); :func:`build_facts` runs them one after the
other. Facts whose local source file was not supplied are simply absent from the result, so
that measures needing them report "unavailable" rather than zero.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from pipeline.config import Params
from pipeline.coverage import build_coverage_fact, list_returns
from pipeline.errors import InputError
from pipeline.process import quarterly as q
from pipeline.process import sufficiency as s
from pipeline.process.candidates import build_candidates_fact
from pipeline.process.episodes import build_periods_of_care, derive_episode_fields

REQUIRED = ("episodes", "header")
# The validated tables any builder reads (the others need not be loaded).
USED_TABLES = ("returns", "episodes", "header", "postcodes", "permanence_tracker", "unit_costs", "staffing", "uasc",
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




# --- early jobs: from the validated tables alone ---------------------------------------------


def build_tracker_facts(validated: dict[str, pd.DataFrame], params: Params) -> dict[str, pd.DataFrame]:
    """tracker_events, tracker_cases, tracker_snapshots and timeliness (none without a tracker)."""
    tracker = validated.get("permanence_tracker")
    if tracker is None:
        return {}
    events = q.build_tracker_events(tracker)
    cases = q.build_tracker_cases(events, pd.Timestamp(params.period.end))
    return {"tracker_events": events, "tracker_cases": cases,
            "tracker_snapshots": q.build_tracker_snapshots(events, cases, params.period),
            "timeliness": q.build_timeliness(cases)}


def build_coverage_facts(validated: dict[str, pd.DataFrame], params: Params) -> dict[str, pd.DataFrame]:
    """coverage: the returns present and the days each covers (pipeline.coverage)."""
    return {"coverage": build_coverage_fact(list_returns(validated))}


EarlyJob = Callable[[dict[str, pd.DataFrame], Params], dict[str, pd.DataFrame]]
EARLY_JOBS: tuple[EarlyJob, ...] = (build_tracker_facts, build_coverage_facts)


def select_handed_on(early: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """What the later jobs read of the early facts, as small as it can be (worker processes
    send it back): the Exit Team's achievements among the tracker events (for savings) and
    the cases' outcomes (exits are matched to them). Empty without a tracker."""
    if "tracker_events" not in early:
        return {}
    events, cases = early["tracker_events"], early["tracker_cases"]
    return {"team_exits": events.loc[events["TEAM_ROUTE"].notna(), list(q.TEAM_EXIT_COLUMNS)],
            "case_outcomes": cases[list(q.CASE_OUTCOME_COLUMNS)]}


# --- the frames shared by the later jobs -------------------------------------------------------


@dataclass(frozen=True)
class Shared:
    """What the later fact jobs start from: the validated tables, the parameters, the frames
    built once for several jobs, and the tracker's team exits and case outcomes
    (:func:`select_handed_on`; None without a tracker)."""

    validated: dict[str, pd.DataFrame]
    params: Params
    episodes: pd.DataFrame
    periods_of_care: pd.DataFrame
    care_periods: pd.DataFrame
    team_exits: pd.DataFrame | None = None
    case_outcomes: pd.DataFrame | None = None


def check_required(validated: dict[str, pd.DataFrame]) -> None:
    """Raise InputError when a table every fact needs is missing."""
    missing = [t for t in REQUIRED if t not in validated]
    if missing:
        raise InputError(f"validated data has no {', '.join(missing)} table: run `python -m pipeline validate` first")


def derive_shared(validated: dict[str, pd.DataFrame], params: Params) -> Shared:
    """The derived episodes and their periods of care (whole, and under the sufficiency
    short-break rule); no tracker frames yet (:func:`hand_on` adds them)."""
    check_required(validated)
    episodes = derive_episode_fields(validated["episodes"], validated["header"], validated.get("postcodes"))
    periods = build_periods_of_care(episodes)
    return Shared(validated, params, episodes, periods, s.build_care_periods(episodes, periods))


def hand_on(shared: Shared, handed_on: dict[str, pd.DataFrame]) -> Shared:
    """`shared` with what the later jobs read of the early facts (from :func:`select_handed_on`)."""
    return dataclasses.replace(shared, team_exits=handed_on.get("team_exits"),
                               case_outcomes=handed_on.get("case_outcomes"))


# --- later jobs: each builds a few fact tables from the shared frames ------------------------


def build_episode_facts(sh: Shared) -> dict[str, pd.DataFrame]:
    """episodes, periods_of_care and care_periods, as derived."""
    return {"episodes": sh.episodes, "periods_of_care": sh.periods_of_care, "care_periods": sh.care_periods}


def build_exit_facts(sh: Shared) -> dict[str, pd.DataFrame]:
    """exits, matched to the tracker's cases when there is a tracker."""
    return {"exits": q.match_team_cases(q.build_exits(sh.episodes, sh.periods_of_care), sh.case_outcomes)}


def build_savings_facts(sh: Shared) -> dict[str, pd.DataFrame]:
    """savings, when there are a tracker and unit costs."""
    if sh.team_exits is None or "unit_costs" not in sh.validated:
        return {}
    return {"savings": q.build_savings(sh.team_exits, sh.episodes, sh.validated["unit_costs"])}


def build_staffing_facts(sh: Shared) -> dict[str, pd.DataFrame]:
    """staffing_quarters, when there is a staffing file."""
    if "staffing" not in sh.validated:
        return {}
    return {"staffing_quarters": q.build_staffing_quarters(sh.validated["staffing"], sh.params.period)}


def build_sufficiency_local(sh: Shared) -> dict[str, pd.DataFrame]:
    return s.build_local_facts(sh.validated)


def build_candidate_facts(sh: Shared) -> dict[str, pd.DataFrame]:
    """candidates (the list's rows)."""
    return {"candidates": build_candidates_fact(sh.validated, sh.episodes, sh.params)}


def build_sufficiency_stock(sh: Shared) -> dict[str, pd.DataFrame]:
    return s.build_stock_facts(sh.validated, sh.episodes, sh.care_periods, sh.params)


def build_sufficiency_flows(sh: Shared) -> dict[str, pd.DataFrame]:
    return s.build_flow_facts(sh.care_periods, sh.params)


def build_sufficiency_transitions(sh: Shared) -> dict[str, pd.DataFrame]:
    return s.build_transition_facts(sh.episodes, sh.care_periods, sh.params)


def build_sufficiency_costs(sh: Shared) -> dict[str, pd.DataFrame]:
    return s.build_cost_facts(sh.validated, sh.episodes, sh.params)


# Costliest first (building and writing, at national scale), so that parallel workers finish together.
FACT_JOBS: tuple[Callable[[Shared], dict[str, pd.DataFrame]], ...] = (
    build_sufficiency_stock,
    build_sufficiency_transitions,
    build_candidate_facts,
    build_sufficiency_costs,
    build_sufficiency_flows,
    build_episode_facts,
    build_exit_facts,
    build_savings_facts,
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
    check_required(validated)
    early = merge_facts([job(validated, params) for job in EARLY_JOBS])
    shared = hand_on(derive_shared(validated, params), select_handed_on(early))
    return merge_facts([early, *(job(shared) for job in FACT_JOBS)])
