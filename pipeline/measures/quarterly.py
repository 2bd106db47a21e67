"""Quarterly exit-from-care and permanence measures, each defined once.

Counts are :class:`pipeline.tables.Selection` declarations over the fact tables built by
:mod:`pipeline.process.quarterly` (``select_*`` functions): the measures evaluate them and
the paper publishes them, so a published count and the tidy measure are the same rule.
Figures that are not counts (forecasts, medians, shares) are pure functions here too.
Periods are financial-year quarters (:class:`pipeline.periods.Quarter`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from pipeline import schema
from pipeline.measures import savings as s
from pipeline.periods import Quarter
from pipeline.process.quarterly import (
    DFE_ROUTE_ORDER,
    EXIT_TEAM_ROUTES,
    TEAM_ROUTE_ORDER,
    TIMELINESS,
    WAIT_BANDS,
)
from pipeline.tables import Selection

# Late stages for the pipeline forecast: cases open at these stages at the period end are
# expected to reach the team's achievement before the year end, at the observed rate.
LATE_STAGES: dict[str, tuple[str, ...]] = {
    "SGO": ("PANEL", "COURT"),
    "CP": ("MANAGEMENT_DECISION", "PLACED"),
    "PWP": ("FULL_ASSESSMENT",),
    "ADOPTION": ("MATCHED", "PLACED"),
}
# The achievement stage that ends the pipeline for the forecast (PWP: placed with parents).
ACHIEVEMENT_STAGE = {"SGO": "GRANTED", "CP": "CAO_GRANTED", "PWP": "PLACED", "ADOPTION": "ADOPTION_ORDER"}
EXIT_TEAM_TRACKER_ROUTES = ("SGO", "PWP", "CP")

STAFF_STATUSES = ("FILLED", "AGENCY", "ABSENT", "VACANT")
CAPACITY_LOST_STATUSES = ("VACANT", "ABSENT")


# --- evaluating many selections ----------------------------------------------------------------


class SelectionCache:
    """Evaluates Selections over the fact tables exactly as ``Selection.evaluate`` does, but
    fast when many selections share a quarter: the rows of the ``QUARTER`` condition are
    found once, and each column a condition names is cut to those rows and factorised once
    (cached), so a condition is a lookup of its values among the column's distinct values."""

    PREFILTER = "QUARTER"

    def __init__(self, facts: dict[str, pd.DataFrame]):
        self.facts = facts
        self._rows: dict[tuple, np.ndarray | None] = {}
        self._columns: dict[tuple, pd.Series] = {}
        self._factorised: dict[tuple, tuple[np.ndarray, pd.Series]] = {}

    def _positions(self, fact: str, values: tuple | None) -> np.ndarray | None:
        """Positions of the rows whose QUARTER is in `values` (None: every row)."""
        key = (fact, values)
        if key not in self._rows:
            frame = self.facts[fact]
            self._rows[key] = None if values is None else np.flatnonzero(
                frame[self.PREFILTER].isin(list(values)).to_numpy(dtype=bool))
        return self._rows[key]

    def _column(self, fact: str, values: tuple | None, col: str) -> pd.Series:
        key = (fact, values, col)
        if key not in self._columns:
            rows = self._positions(fact, values)
            column = self.facts[fact][col]
            self._columns[key] = column if rows is None else column.take(rows)
        return self._columns[key]

    def _codes(self, fact: str, values: tuple | None, col: str) -> tuple[np.ndarray, pd.Series]:
        key = (fact, values, col)
        if key not in self._factorised:
            column = self._column(fact, values, col)
            codes, uniques = pd.factorize(column, use_na_sentinel=False)
            self._factorised[key] = codes, pd.Series(uniques, dtype=column.dtype)
        return self._factorised[key]

    def evaluate(self, sel: Selection) -> float:
        where = dict(sel.where)
        values = where.pop(self.PREFILTER, None)
        rows = self._positions(sel.fact, values)
        mask = np.ones(len(self.facts[sel.fact]) if rows is None else len(rows), dtype=bool)
        for col, vals in where.items():
            codes, uniques = self._codes(sel.fact, values, col)
            mask &= select_members(uniques, vals)[codes]
        if sel.sum_of:
            return float(self._column(sel.fact, values, sel.sum_of)[mask].sum())
        return float(mask.sum())


def select_members(values: pd.Series, wanted: tuple) -> np.ndarray:
    """``values.isin(wanted)`` as a numpy mask; for text or boolean values and wanted values
    of the same kind, by set membership in Python (the same answer, without pandas'
    per-call cost, which dominates for the few distinct values of a fact column)."""
    kind = str if pd.api.types.is_string_dtype(values.dtype) else bool if pd.api.types.is_bool_dtype(values.dtype) else None
    if kind is None or not all(type(v) is kind for v in wanted):
        return values.isin(list(wanted)).to_numpy(dtype=bool)
    wanted_set = set(wanted)
    types = (str,) if kind is str else (bool, np.bool_)
    return np.fromiter((isinstance(v, types) and v in wanted_set for v in values.array), dtype=bool, count=len(values))


# --- windows ----------------------------------------------------------------------------------


def quarter_labels(period: Quarter) -> tuple[str, ...]:
    """Labels of the quarters of the financial year up to and including `period`."""
    return tuple(q.label for q in period.quarters_to_date())


def window_labels(period: Quarter, window: str) -> tuple[str, ...]:
    """Quarter labels a window covers: "quarter" (the period) or "ytd" (year to date)."""
    if window == "quarter":
        return (period.label,)
    if window == "ytd":
        return quarter_labels(period)
    raise ValueError(f"window {window!r} is not 'quarter' or 'ytd'")


# --- count selections ---------------------------------------------------------------------------


def select_dfe_exits(quarters: Iterable[str], route: str | None = None) -> Selection:
    """Periods of care that ended in the quarters (DfE: REC of the last episode), by route."""
    where = {"QUARTER": tuple(quarters)}
    if route is not None:
        where["ROUTE"] = route
    return Selection.of("exits", **where)


def select_team_exits(quarters: Iterable[str], routes: str | Iterable[str]) -> Selection:
    """Exit Team achievements dated in the quarters: SGO or CAO granted, child placed with
    parents, adoption order (tracker events with a TEAM_ROUTE)."""
    return Selection.of("tracker_events", QUARTER=tuple(quarters), TEAM_ROUTE=routes)


def select_stage_events(route: str, stage: str, quarters: Iterable[str]) -> Selection:
    """Cases of a route that reached a stage in the quarters (first time per case)."""
    return Selection.of("tracker_events", ROUTE=route, STAGE=stage, REPEAT=False, QUARTER=tuple(quarters))


def select_open_at_stage(route: str, stage: str, period: Quarter) -> Selection:
    """Cases open at the end of the period whose latest stage is `stage` ("ongoing")."""
    return Selection.of("tracker_snapshots", ROUTE=route, STAGE=stage, QUARTER=period.label)


def select_caseload(period: Quarter, worker: str | None = None, responsibility: str | None = None,
                    team: str | None = None) -> Selection:
    """Cases open at the end of the period held by a worker (case responsibility or co-working)."""
    where: dict = {"QUARTER": period.label}
    for col, val in (("WORKER_ID", worker), ("RESPONSIBILITY", responsibility), ("TEAM", team)):
        if val is not None:
            where[col] = val
    return Selection.of("tracker_snapshots", **where)


def select_fte_at_end(period: Quarter, team: str | None = None, status: str | Iterable[str] | None = None) -> Selection:
    """FTE of staffing spells covering the last day of the period (sum of FTE)."""
    where: dict = {"QUARTER": period.label, "AT_END": True}
    if team is not None:
        where["TEAM"] = team
    if status is not None:
        where["STATUS"] = status
    return Selection.of("staffing_quarters", sum_of="FTE", **where)


def select_fte_days(period: Quarter, team: str | None = None, status: str | Iterable[str] | None = None) -> Selection:
    """FTE-days of staffing spells within the period (sum of FTE x days covered)."""
    where: dict = {"QUARTER": period.label}
    if team is not None:
        where["TEAM"] = team
    if status is not None:
        where["STATUS"] = status
    return Selection.of("staffing_quarters", sum_of="FTE_DAYS", **where)


def select_waiting(period: Quarter, band: str | None = None) -> Selection:
    """Children with a best-interest decision for adoption, no adoption order and no reversal,
    at the end of the period (optionally in one waiting band)."""
    where: dict = {"ROUTE": "ADOPTION", "QUARTER": period.label}
    if band is not None:
        where["WAIT_BAND"] = band
    return Selection.of("tracker_snapshots", **where)


def select_timeliness(measure: str, quarters: Iterable[str]) -> Selection:
    """Cases that completed a timeliness interval (e.g. referral to order) in the quarters."""
    return Selection.of("timeliness", MEASURE=measure, QUARTER=tuple(quarters))


def select_savings(quarters: Iterable[str], routes: str | Iterable[str]) -> Selection:
    """Exit Team achievements (savings rows) dated in the quarters, by route."""
    return Selection.of("savings", QUARTER=tuple(quarters), ROUTE=routes)


# --- figures that are not counts ------------------------------------------------------------------


def forecast_run_rate(ytd: float, period: Quarter) -> float:
    """Run-rate forecast for the year: year-to-date count / quarters elapsed x 4."""
    return ytd / period.q * 4


def estimate_completion_rate(cases: pd.DataFrame, routes: Iterable[str], as_of: pd.Timestamp) -> float | None:
    """Share of resolved cases that reached the achievement, among cases of `routes` that
    had reached a late stage (LATE_STAGES) and were resolved (achieved, closed, returned or
    reversed) on or before `as_of`. None when no such case exists."""
    as_of = pd.Timestamp(as_of)
    total = achieved = 0
    for route in routes:
        c = cases[cases["ROUTE"].eq(route)]
        late_cols = [f"DATE_{s}" for s in LATE_STAGES[route] if f"DATE_{s}" in c]
        ach_col = f"DATE_{ACHIEVEMENT_STAGE[route]}"
        if not late_cols:
            continue
        reached_late = c[late_cols].le(as_of).any(axis=1)
        got = c[ach_col].le(as_of) if ach_col in c else pd.Series(False, index=c.index)
        ended = c["END_DATE"].le(as_of) & c["OUTCOME"].eq("ENDED")
        # a case that reached the achievement counts as achieved even if it ended later (PWP)
        resolved = reached_late & (got | ended)
        total += int(resolved.sum())
        achieved += int((reached_late & got).sum())
    return achieved / total if total else None


def count_late_stage_open(snapshots: pd.DataFrame, routes: Iterable[str], period: Quarter) -> int:
    """Cases of `routes` open at the period end at a late stage, not yet at the achievement."""
    n = 0
    for route in routes:
        n += sum(int(select_open_at_stage(route, s, period).evaluate(snapshots)) for s in LATE_STAGES[route])
    return n


def forecast_pipeline(ytd: float, late_open: int, rate: float | None, period: Quarter) -> float | None:
    """Pipeline forecast: year to date + late-stage open cases x observed completion rate.
    In Q4 no quarter remains, so the forecast is the year to date. None when the rate is
    unknown and there are late-stage cases to weigh."""
    if period.q == 4 or late_open == 0:
        return float(ytd)
    if rate is None:
        return None
    return float(ytd + late_open * rate)


def median_days(days: pd.Series) -> float | None:
    """Median of a series of day counts; None when empty."""
    d = pd.to_numeric(days, errors="coerce").dropna()
    return float(d.median()) if len(d) else None


def share(part: float, whole: float) -> float | None:
    """part / whole as a proportion (0-1); None when the whole is zero."""
    return part / whole if whole else None


def compute_capacity_lost(staffing_quarters: pd.DataFrame, period: Quarter, team: str | None = None) -> float | None:
    """Capacity lost in the quarter: (vacant + absent FTE-days) / all FTE-days of the posts."""
    lost = select_fte_days(period, team, CAPACITY_LOST_STATUSES).evaluate(staffing_quarters)
    total = select_fte_days(period, team).evaluate(staffing_quarters)
    return share(lost, total)


def list_wait_bands() -> tuple[str, ...]:
    return tuple(label for label, _ in WAIT_BANDS)


def list_stages(route: str) -> tuple[str, ...]:
    """Stages of a route in order, then the stages that end a case without the outcome."""
    return schema.TRACKER_STAGES[route] + schema.TRACKER_END_STAGES[route]



# --- every quarterly measure, tidy ---------------------------------------------------------------

TIDY_COLUMNS = ["measure_id", "period", "dimension", "category", "value", "unit"]

# measure id -> (fact tables it needs, unit); ids are stable (docs/measures.md).
MEASURES: dict[str, tuple[tuple[str, ...], str]] = {
    "exits_dfe_quarter": (("exits",), "children"),
    "exits_dfe_ytd": (("exits",), "children"),
    "exits_team_quarter": (("tracker_events",), "children"),
    "exits_team_ytd": (("tracker_events",), "children"),
    "exits_team_target": ((), "children"),
    "exits_team_forecast_run_rate": (("tracker_events",), "children"),
    "exits_team_forecast_pipeline": (("tracker_events", "tracker_cases", "tracker_snapshots"), "children"),
    "exits_team_completion_rate": (("tracker_cases",), "proportion"),
    "exits_team_late_stage_open": (("tracker_snapshots",), "cases"),
    "adoptions_target": ((), "children"),
    "adoptions_forecast_run_rate": (("tracker_events",), "children"),
    "adoptions_forecast_pipeline": (("tracker_events", "tracker_cases", "tracker_snapshots"), "children"),
    "adoptions_completion_rate": (("tracker_cases",), "proportion"),
    "adoptions_late_stage_open": (("tracker_snapshots",), "cases"),
    "funnel_events_quarter": (("tracker_events",), "cases"),
    "funnel_events_ytd": (("tracker_events",), "cases"),
    "funnel_open_at_end": (("tracker_snapshots",), "cases"),
    "caseload_at_end": (("tracker_snapshots",), "cases"),
    "staff_fte_at_end": (("staffing_quarters",), "FTE"),
    "staff_fte_days_quarter": (("staffing_quarters",), "FTE-days"),
    "staff_capacity_lost_quarter": (("staffing_quarters",), "proportion"),
    "adoption_waiting_at_end": (("tracker_snapshots",), "children"),
    "adoption_waiting_median_days": (("tracker_snapshots",), "days"),
    "timeliness_cases_quarter": (("timeliness",), "cases"),
    "timeliness_cases_ytd": (("timeliness",), "cases"),
    "timeliness_median_days_quarter": (("timeliness",), "days"),
    "timeliness_median_days_ytd": (("timeliness",), "days"),
    "savings_children_quarter": (("savings",), "children"),
    "savings_children_ytd": (("savings",), "children"),
    "savings_cost_unknown_quarter": (("savings",), "children"),
    "savings_cost_unknown_ytd": (("savings",), "children"),
    "savings_quarter": (("savings",), "GBP"),
    "savings_ytd": (("savings",), "GBP"),
    "savings_year_end": (("savings",), "GBP"),
    "savings_to_18_quarter": (("savings",), "GBP"),
    "savings_to_18_ytd": (("savings",), "GBP"),
}

# Totals over team routes (ADOPTION is a route of its own with its own target).
TEAM_ROUTE_GROUPS = {"EXIT_TEAM": EXIT_TEAM_ROUTES}


def _values_or_none(v: float | None) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _tracker_measures(facts: dict[str, pd.DataFrame], period: Quarter, cache: SelectionCache) -> list[tuple]:
    cases, snap = facts["tracker_cases"], facts["tracker_snapshots"]
    rows: list[tuple] = []
    for window in ("quarter", "ytd"):
        labels = window_labels(period, window)
        for route in TEAM_ROUTE_ORDER:
            rows.append((f"exits_team_{window}", "route", route, cache.evaluate(select_team_exits(labels, route))))
        for group, routes in TEAM_ROUTE_GROUPS.items():
            rows.append((f"exits_team_{window}", "route", group, cache.evaluate(select_team_exits(labels, routes))))
        for route in schema.TRACKER_ROUTES:
            for stage in list_stages(route):
                rows.append((f"funnel_events_{window}", "route|stage", f"{route}|{stage}",
                             cache.evaluate(select_stage_events(route, stage, labels))))
    for route in schema.TRACKER_ROUTES:
        for stage in schema.TRACKER_STAGES[route]:
            rows.append(("funnel_open_at_end", "route|stage", f"{route}|{stage}",
                         cache.evaluate(select_open_at_stage(route, stage, period))))
    ytd_labels = quarter_labels(period)
    as_of = pd.Timestamp(period.end)
    for prefix, group, tracker_routes in (("exits_team", "EXIT_TEAM", EXIT_TEAM_TRACKER_ROUTES),
                                          ("adoptions", "ADOPTION", ("ADOPTION",))):
        ytd = cache.evaluate(select_team_exits(ytd_labels, EXIT_TEAM_ROUTES if group == "EXIT_TEAM" else "ADOPTION"))
        rate = estimate_completion_rate(cases, tracker_routes, as_of)
        late = count_late_stage_open(snap, tracker_routes, period)
        rows += [
            (f"{prefix}_forecast_run_rate", "", "", forecast_run_rate(ytd, period)),
            (f"{prefix}_forecast_pipeline", "", "", forecast_pipeline(ytd, late, rate, period)),
            (f"{prefix}_completion_rate", "", "", rate),
            (f"{prefix}_late_stage_open", "", "", late),
        ]
    at_end = snap[snap["QUARTER"].eq(period.label)]
    # team level only: per-worker caseloads name staff (restricted caseloads_by_worker.csv)
    for team in sorted(at_end["TEAM"].dropna().unique()):
        for resp in ("CASE", "COWORK"):
            rows.append(("caseload_at_end", "team|responsibility", f"{team}|{resp}",
                         cache.evaluate(select_caseload(period, None, resp, team))))
    for band in list_wait_bands():
        rows.append(("adoption_waiting_at_end", "wait_band", band, cache.evaluate(select_waiting(period, band))))
    rows.append(("adoption_waiting_at_end", "wait_band", "ALL", cache.evaluate(select_waiting(period))))
    waiting = snap[select_waiting(period).mask(snap)]
    rows.append(("adoption_waiting_median_days", "", "", median_days(waiting["DAYS_OPEN"])))
    return rows


def _timeliness_measures(tl: pd.DataFrame, period: Quarter, cache: SelectionCache) -> list[tuple]:
    rows = []
    for window in ("quarter", "ytd"):
        labels = window_labels(period, window)
        for measure, *_ in TIMELINESS:
            sel = select_timeliness(measure, labels)
            rows.append((f"timeliness_cases_{window}", "measure", measure, cache.evaluate(sel)))
            rows.append((f"timeliness_median_days_{window}", "measure", measure, median_days(tl[sel.mask(tl)]["DAYS"])))
    return rows


def _staffing_measures(sq: pd.DataFrame, period: Quarter, cache: SelectionCache) -> list[tuple]:
    rows = []
    teams = sorted(sq["TEAM"].dropna().unique())
    for team in [*teams, None]:
        tname = team or "ALL"
        for status in STAFF_STATUSES:
            rows.append(("staff_fte_at_end", "team|status", f"{tname}|{status}",
                         cache.evaluate(select_fte_at_end(period, team, status))))
            rows.append(("staff_fte_days_quarter", "team|status", f"{tname}|{status}",
                         cache.evaluate(select_fte_days(period, team, status))))
        rows.append(("staff_capacity_lost_quarter", "team", tname, compute_capacity_lost(sq, period, team)))
    return rows


def _savings_measures(sv: pd.DataFrame, period: Quarter, basis_days: int, cache: SelectionCache) -> list[tuple]:
    rows = []
    groups = {**{r: (r,) for r in TEAM_ROUTE_ORDER}, **TEAM_ROUTE_GROUPS, "ALL": TEAM_ROUTE_ORDER}
    for name, routes in groups.items():
        for window in ("quarter", "ytd"):
            labels = window_labels(period, window)
            rows.append((f"savings_children_{window}", "route", name, cache.evaluate(select_savings(labels, routes))))
            rows.append((f"savings_cost_unknown_{window}", "route", name, s.count_cost_unknown(sv, labels, routes)))
        for horizon in s.SAVINGS_HORIZONS:
            mid = {"to_18_quarter": "savings_to_18_quarter", "to_18_ytd": "savings_to_18_ytd"}.get(horizon, f"savings_{horizon}")
            # a figure that cannot be computed (a unit-cost year missing) is unavailable with the reason, never 0
            pounds, reason = s.compute_savings_or_reason(sv, period, horizon, basis_days, routes)
            rows.append((mid, "route", name, pounds, reason) if reason else (mid, "route", name, pounds))
    return rows


def compute_quarterly_measures(facts: dict[str, pd.DataFrame], params, period: Quarter | None = None) -> pd.DataFrame:
    """Every quarterly measure for `period` (default params.period) as a tidy frame
    (TIDY_COLUMNS). A measure whose fact table is absent (its local file was not supplied)
    has one row with a missing value and unit "unavailable"."""
    period = period or params.period
    rows: list[tuple] = []
    cache = SelectionCache(facts)
    for window in ("quarter", "ytd"):
        labels = window_labels(period, window)
        for route in DFE_ROUTE_ORDER:
            rows.append((f"exits_dfe_{window}", "route", route, cache.evaluate(select_dfe_exits(labels, route))))
        rows.append((f"exits_dfe_{window}", "route", "ALL", cache.evaluate(select_dfe_exits(labels))))
    rows.append(("exits_team_target", "", "", float(params.targets.exit_team_exits)))
    rows.append(("adoptions_target", "", "", float(params.targets.adoptions)))
    tracker_facts = ("tracker_events", "tracker_cases", "tracker_snapshots")
    if all(f in facts for f in tracker_facts):
        rows += _tracker_measures(facts, period, cache)
    if "timeliness" in facts:
        rows += _timeliness_measures(facts["timeliness"], period, cache)
    if "staffing_quarters" in facts:
        rows += _staffing_measures(facts["staffing_quarters"], period, cache)
    if "savings" in facts:
        rows += _savings_measures(facts["savings"], period, params.savings_basis_days, cache)
    out = pd.DataFrame(
        [(m, period.label, d, c, _values_or_none(v), "unavailable" if why else MEASURES[m][1])
         for m, d, c, v, *why in rows], columns=TIDY_COLUMNS)
    reasons = [r[4] if len(r) > 4 else "" for r in rows]  # only an unavailable saving has one
    if any(reasons):
        out["reason"] = reasons
    present = set(out["measure_id"])
    unavailable = [(m, period.label, "", "", None, "unavailable") for m in MEASURES if m not in present]
    if unavailable:
        out = pd.concat([out, pd.DataFrame(unavailable, columns=TIDY_COLUMNS)], ignore_index=True)
    out["value"] = out["value"].astype("Float64")
    return out
