"""Fact tables for the quarterly exit-from-care / permanence paper.

Every builder is pure: it takes validated (or already derived) frames and returns a new
frame with one row per thing counted, keeping the source key of the row it came from
(``CHILD``/``DECOM``/``SOURCE_FILE``/``SOURCE_ROW`` for the SSDA903 return, ``EVENT_ID`` for
the permanence tracker, ``POST_ID``/``SOURCE_ROW`` for staffing). Period columns (``FY``
such as ``"2026-27"`` and ``QUARTER`` such as ``"2026-27 Q2"``) let a published figure be a
:class:`pipeline.tables.Selection` by equality.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import schema
from pipeline.periods import Quarter, quarter_of
from pipeline.process.episodes import age_in_years, band_ages
from pipeline.process.uniques import apply_to_uniques

# --- vocabularies -----------------------------------------------------------------------------

# DfE view: the REC code of the episode that ends a period of care (domain.md, exit routes).
DFE_ROUTES: dict[str, tuple[str, ...]] = {
    "SGO_FFC": ("E45", "E46"),
    "SGO_OTHER": ("E47", "E48"),
    "CAO": ("E41",),
    "HOME_PLANNED": ("E4A",),
    "HOME_UNPLANNED": ("E4B",),
    "ADOPTION": ("E11", "E12"),
    "OTHER": ("E13", "E5", "E6", "E17", "E7", "E9", "E14", "E15", "E16", "E2", "E3", "E8"),
}
DFE_ROUTE_ORDER = tuple(DFE_ROUTES)

# Exit Team view: the tracker stage the team counts as an achievement, per route.
TEAM_ROUTE_ORDER = ("SGO_FFC", "SGO_OTHER", "SGO_CARER_UNKNOWN", "CAO", "PWP", "ADOPTION")
# Team routes that count towards the Exit Team target (adoptions have their own target).
EXIT_TEAM_ROUTES = ("SGO_FFC", "SGO_OTHER", "SGO_CARER_UNKNOWN", "CAO", "PWP")
# (tracker route, stage) that is the team's achievement; PWP counts when the child is placed.
TEAM_ACHIEVEMENT_STAGE = {"SGO": "GRANTED", "CP": "CAO_GRANTED", "PWP": "PLACED", "ADOPTION": "ADOPTION_ORDER"}

# Tracker route -> team holding it.
ROUTE_TEAM = {"SGO": "EXIT", "PWP": "EXIT", "CP": "EXIT", "ADOPTION": "ADOPTION"}

# Placement groups the LA pays as a placement (the one a child "left" for savings).
UNPAID_GROUPS = ("PLACED_FOR_ADOPTION", "PLACED_WITH_PARENTS")
# Allowance paid under the order, by team route (none for a return to parents).
ALLOWANCE_GROUP = {
    "SGO_FFC": "SGO_ALLOWANCE",
    "SGO_OTHER": "SGO_ALLOWANCE",
    "SGO_CARER_UNKNOWN": "SGO_ALLOWANCE",
    "CAO": "CAO_ALLOWANCE",
    "ADOPTION": "ADOPTION_ALLOWANCE",
    "PWP": None,
}

# Timeliness: (measure id, tracker route, start stage, end stage).
TIMELINESS = (
    ("SGO_REFERRAL_TO_ORDER", "SGO", "REFERRAL", "GRANTED"),
    ("CAO_REFERRAL_TO_ORDER", "CP", "REFERRAL", "CAO_GRANTED"),
    ("PWP_REFERRAL_TO_PLACED", "PWP", "REFERRAL", "PLACED"),
    ("PWP_REFERRAL_TO_REVOCATION", "PWP", "REFERRAL", "REVOKED"),
    ("ADOPTION_BI_TO_PLACED", "ADOPTION", "BI_DECISION", "PLACED"),
    ("ADOPTION_BI_TO_ORDER", "ADOPTION", "BI_DECISION", "ADOPTION_ORDER"),
)

# Children waiting for adoption: months since the best-interest decision (lower bounds).
WAIT_BANDS = (("Under 6 months", 0), ("6 to 12 months", 6), ("12 to 18 months", 12), ("18 months or more", 18))


# --- periods ----------------------------------------------------------------------------------


def label_financial_years(dates: pd.Series) -> pd.Series:
    """Financial-year label ("2026-27") of each date; missing for missing dates."""
    return apply_to_uniques(pd.to_datetime(dates), _label_financial_years)


def _label_financial_years(dates: pd.Series) -> pd.Series:
    d = pd.to_datetime(dates)
    start = (d.dt.year - (d.dt.month < 4).astype("Int64")).astype("Int64")
    tail = ((start + 1) % 100).astype("string").str.zfill(2)
    return (start.astype("string") + "-" + tail).astype("string")


def label_quarters(dates: pd.Series) -> pd.Series:
    """Quarter label ("2026-27 Q2", financial-year quarters from April) of each date."""
    return apply_to_uniques(pd.to_datetime(dates), _label_quarters)


def _label_quarters(dates: pd.Series) -> pd.Series:
    d = pd.to_datetime(dates)
    q = (((d.dt.month - 4) % 12) // 3 + 1).astype("Int64").astype("string")
    return (_label_financial_years(d) + " Q" + q).astype("string")


def add_period_columns(frame: pd.DataFrame, date_col: str, prefix: str = "") -> pd.DataFrame:
    """A copy of `frame` with ``<prefix>FY`` and ``<prefix>QUARTER`` labels of `date_col`."""
    return frame.assign(**{f"{prefix}FY": label_financial_years(frame[date_col]),
                           f"{prefix}QUARTER": label_quarters(frame[date_col])})


def list_quarters(first: pd.Timestamp, last: Quarter) -> list[Quarter]:
    """Quarters from the one holding `first` up to and including `last` (empty if none)."""
    if pd.isna(first):
        return []
    q = quarter_of(pd.Timestamp(first).date())
    out = []
    while q <= last:
        out.append(q)
        q = q.next()
    return out


def as_ns(dates: pd.Series) -> pd.Series:
    """Dates as datetime64[ns] (inputs may carry s/us resolution; merges need one)."""
    return pd.to_datetime(dates).astype("datetime64[ns]")


def _quarter_table(quarters: list[Quarter]) -> pd.DataFrame:
    return pd.DataFrame({
        "QUARTER": pd.array([q.label for q in quarters], dtype="string"),
        "FY": pd.array([q.year.label for q in quarters], dtype="string"),
        "Q_START": as_ns(pd.Series(pd.to_datetime([q.start for q in quarters]))),
        "Q_END": as_ns(pd.Series(pd.to_datetime([q.end for q in quarters]))),
    })


# --- episodes: exits ----------------------------------------------------------------------------


def classify_dfe_routes(rec: pd.Series) -> pd.Series:
    """DfE exit route code (DFE_ROUTES) of each REC; missing for X1, blanks and unknown codes."""
    lookup = {code: route for route, codes in DFE_ROUTES.items() for code in codes}
    return rec.astype("string").map(lookup).astype("string")


def build_exits(episodes: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """One row per period of care that ended: the child, exit date, REC, DfE route, the
    placement group at exit, and the source key of the ending episode.

    Periods made only of short breaks (LS V3/V4) are not exits (DfE rule). A child with two
    periods ending in a year has two rows; ``LAST_EXIT_IN_FY`` marks the last one, for
    the DfE "count once, on the last occasion" rule.
    """
    ended = periods[periods["END"].notna() & ~periods["ALL_SHORT_BREAK"].astype(bool)]
    keys = [c for c in ("CHILD", "PERIOD_NO", "DECOM", "DEC", "SOURCE_FILE", "SOURCE_ROW", "RETURN", "PLACE")
            if c in episodes.columns]
    last = episodes[keys].sort_values(["CHILD", "DECOM"], kind="stable").groupby(
        ["CHILD", "PERIOD_NO"], sort=False).tail(1)[keys]
    out = ended[["CHILD", "PERIOD_NO", "START", "END", "REC", "EXIT_ROUTE", "PLACEMENT_GROUP_END", "DOB"]].merge(
        last, on=["CHILD", "PERIOD_NO"], how="left", validate="one_to_one")
    out = out.rename(columns={"END": "EXIT_DATE", "EXIT_ROUTE": "DFE_EXIT_ROUTE", "PLACEMENT_GROUP_END": "PLACEMENT_GROUP_AT_EXIT"})
    out["ROUTE"] = classify_dfe_routes(out["REC"]).fillna("OTHER")
    out["FROM_PWP"] = out["PLACEMENT_GROUP_AT_EXIT"].eq("PLACED_WITH_PARENTS").fillna(False).astype(bool)
    out["AGE_AT_EXIT"] = age_in_years(out["DOB"], out["EXIT_DATE"])
    out = add_period_columns(out, "EXIT_DATE")
    order = out.sort_values(["CHILD", "EXIT_DATE"], kind="stable")
    last_in_fy = ~order.duplicated(["CHILD", "FY"], keep="last")
    out["LAST_EXIT_IN_FY"] = last_in_fy.reindex(out.index)
    return out.drop(columns=["DEC"], errors="ignore").reset_index(drop=True)


# The columns of tracker_cases that match_team_cases reads.
CASE_OUTCOME_COLUMNS = ("CASE_ID", "CHILD", "ROUTE", "OUTCOME_DATE")


def match_team_cases(exits: pd.DataFrame, tracker_cases: pd.DataFrame | None) -> pd.DataFrame:
    """Exits with the Exit Team case that produced them: a tracker case of the same child
    whose outcome (order granted, care order revoked, adoption order) is dated on the exit
    date with a matching REC. ``TEAM_CASE_ID`` is missing when there is none; the whole
    column is missing when no tracker was supplied. Reads CASE_OUTCOME_COLUMNS of the cases."""
    out = exits.copy()
    if tracker_cases is None:
        out["TEAM_CASE_ID"] = pd.Series(pd.NA, index=out.index, dtype="string")
        out["TEAM_ROUTE"] = pd.Series(pd.NA, index=out.index, dtype="string")
        return out
    pairs = pd.DataFrame([(route, rec) for route, (_, codes) in schema.TRACKER_OUTCOME.items() for rec in codes],
                         columns=["TRACKER_ROUTE", "REC"]).astype("string")
    done = tracker_cases[tracker_cases["OUTCOME_DATE"].notna()][list(CASE_OUTCOME_COLUMNS)]
    cand = out[["CHILD", "EXIT_DATE", "REC"]].astype({"REC": "string"}).reset_index().merge(
        done.rename(columns={"OUTCOME_DATE": "EXIT_DATE", "ROUTE": "TRACKER_ROUTE"}), on=["CHILD", "EXIT_DATE"])
    cand = cand.merge(pairs, on=["TRACKER_ROUTE", "REC"]).sort_values("CASE_ID")
    cand = cand.drop_duplicates("index").set_index("index")
    out["TEAM_CASE_ID"] = cand["CASE_ID"].reindex(out.index).astype("string")
    out["TEAM_ROUTE"] = cand["TRACKER_ROUTE"].reindex(out.index).astype("string")
    return out


# --- permanence tracker -------------------------------------------------------------------------


def _stage_rank() -> dict[tuple[str, str], int]:
    rank = {}
    for route, stages in schema.TRACKER_STAGES.items():
        for i, s in enumerate(stages):
            rank[(route, s)] = i
        for s in schema.TRACKER_END_STAGES[route]:
            rank[(route, s)] = len(stages)
    return rank


def _terminal_stages() -> set[tuple[str, str]]:
    out = {(r, schema.TRACKER_OUTCOME[r][0]) for r in schema.TRACKER_ROUTES}
    out |= {(r, s) for r, ss in schema.TRACKER_END_STAGES.items() for s in ss}
    return out


def build_tracker_events(tracker: pd.DataFrame) -> pd.DataFrame:
    """One row per tracker event, with stage order, whether it ends the case, the team
    achievement route (``TEAM_ROUTE``: SGO_FFC/SGO_OTHER/SGO_CARER_UNKNOWN by the carer,
    CAO, PWP when placed with parents, ADOPTION at the adoption order) and period columns
    of the event date and of the date it was recorded.

    A repeated (CASE_ID, STAGE) keeps its earliest event; later repeats are kept with
    ``REPEAT = True`` and never counted (a stage is reached once per case).
    """
    ev = tracker.copy()
    ev["EVENT_DATE"], ev["RECORDED_DATE"] = as_ns(ev["EVENT_DATE"]), as_ns(ev["RECORDED_DATE"])
    terminal = _terminal_stages()
    lookup = pd.DataFrame([(r, s, o, (r, s) in terminal) for (r, s), o in _stage_rank().items()],
                          columns=["ROUTE", "STAGE", "STAGE_ORDER", "ENDS_CASE"])
    lookup = lookup.astype({"ROUTE": "string", "STAGE": "string", "STAGE_ORDER": "Int64", "ENDS_CASE": bool})
    ev = ev.astype({"ROUTE": "string", "STAGE": "string"}).merge(lookup, on=["ROUTE", "STAGE"], how="left")
    ev["STAGE_ORDER"] = ev["STAGE_ORDER"].fillna(-1)
    ev["ENDS_CASE"] = ev["ENDS_CASE"].fillna(False).astype(bool)
    ev = ev.sort_values(["CASE_ID", "EVENT_DATE", "STAGE_ORDER", "EVENT_ID"], kind="stable")
    ev["REPEAT"] = ev.duplicated(["CASE_ID", "STAGE"], keep="first")
    achieved = ev["STAGE"].eq(ev["ROUTE"].map(TEAM_ACHIEVEMENT_STAGE)).fillna(False) & ~ev["REPEAT"]
    carer = ev.groupby("CASE_ID")["CARER"].transform("last") if "CARER" in ev else pd.Series(pd.NA, index=ev.index)
    sgo = carer.map({"FORMER_FOSTER_CARER": "SGO_FFC", "OTHER_CARER": "SGO_OTHER"}).fillna("SGO_CARER_UNKNOWN")
    team = ev["ROUTE"].map({"CP": "CAO", "PWP": "PWP", "ADOPTION": "ADOPTION"}).astype("object")
    team = team.where(ev["ROUTE"].ne("SGO"), sgo)
    ev["TEAM_ROUTE"] = team.where(achieved).astype("string")
    ev["TEAM"] = ev["ROUTE"].map(ROUTE_TEAM).astype("string")
    ev = add_period_columns(ev, "EVENT_DATE")
    ev = add_period_columns(ev, "RECORDED_DATE", prefix="RECORDED_")
    return ev.reset_index(drop=True)


def pivot_stage_dates(events: pd.DataFrame) -> pd.DataFrame:
    """First date each case reached each stage: one row per CASE_ID, one ``DATE_<STAGE>`` column."""
    first = events[~events["REPEAT"]]
    wide = first.pivot_table(index="CASE_ID", columns="STAGE", values="EVENT_DATE", aggfunc="min")
    wide.columns = [f"DATE_{c}" for c in wide.columns]
    return wide


def build_tracker_cases(events: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per case: child, route, start date (first event), outcome (ACHIEVED when the
    route's outcome stage was reached, ENDED when closed/returned/reversed, OPEN otherwise),
    outcome date, the stage reached by `as_of` and the first date of every stage."""
    as_of = pd.Timestamp(as_of)
    ev = events[~events["REPEAT"]]
    g = ev.groupby("CASE_ID", sort=True)
    cases = pd.DataFrame({
        "CHILD": g["CHILD"].first(),
        "ROUTE": g["ROUTE"].first(),
        "START_DATE": g["EVENT_DATE"].min(),
        "FIRST_EVENT_ID": g["EVENT_ID"].first(),
    })
    cases["TEAM"] = cases["ROUTE"].map(ROUTE_TEAM)
    outcome_stage = cases["ROUTE"].map({r: s for r, (s, _) in schema.TRACKER_OUTCOME.items()})
    ends = ev[ev["ENDS_CASE"]].groupby("CASE_ID").head(1).set_index("CASE_ID")
    cases["END_STAGE"] = ends["STAGE"].reindex(cases.index)
    cases["END_DATE"] = ends["EVENT_DATE"].reindex(cases.index)
    achieved = cases["END_STAGE"].eq(outcome_stage).fillna(False)
    cases["OUTCOME"] = np.where(cases["END_STAGE"].isna(), "OPEN", np.where(achieved, "ACHIEVED", "ENDED"))
    cases["OUTCOME_DATE"] = cases["END_DATE"].where(achieved)
    upto = ev[ev["EVENT_DATE"] <= as_of].groupby("CASE_ID").tail(1).set_index("CASE_ID")
    cases["STAGE_AT_AS_OF"] = upto["STAGE"].reindex(cases.index)
    cases["OPEN_AT_AS_OF"] = cases["START_DATE"].le(as_of) & ~cases["END_DATE"].le(as_of).fillna(False)
    cases["AS_OF"] = as_of
    cases = cases.join(pivot_stage_dates(events))
    cases = add_period_columns(cases, "OUTCOME_DATE", prefix="OUTCOME_")
    for c in ("CHILD", "ROUTE", "TEAM", "END_STAGE", "OUTCOME", "STAGE_AT_AS_OF"):
        cases[c] = cases[c].astype("string")
    return cases.reset_index()


def build_tracker_snapshots(events: pd.DataFrame, cases: pd.DataFrame, last: Quarter) -> pd.DataFrame:
    """One row per case open at the end of each quarter up to `last`: the stage and the
    responsibility (case / co-working) of the latest event, the worker of the latest event
    that names one ("NOT_RECORDED" if none), days since the case
    started and, for adoption, the waiting band since the best-interest decision.

    A case is open at a quarter end when its first event is on or before that day and no
    event ending it (outcome, closure, return, reversal) is on or before that day.
    """
    quarters = _quarter_table(list_quarters(cases["START_DATE"].min(), last))
    if quarters.empty or cases.empty:
        return pd.DataFrame(columns=["CASE_ID", "CHILD", "ROUTE", "TEAM", "QUARTER", "FY", "Q_END", "STAGE",
                                     "WORKER_ID", "RESPONSIBILITY", "EVENT_ID", "START_DATE", "DAYS_OPEN", "WAIT_BAND"])
    # every (case, quarter) pair, case-major, kept where the case is open at the quarter end
    case_pos = np.repeat(np.arange(len(cases)), len(quarters))
    q_pos = np.tile(np.arange(len(quarters)), len(cases))
    q_end = quarters["Q_END"].to_numpy()[q_pos]
    open_ = (as_ns(cases["START_DATE"]).to_numpy()[case_pos] <= q_end) & ~(
        as_ns(cases["END_DATE"]).to_numpy()[case_pos] <= q_end)
    case_pos, q_pos = case_pos[open_], q_pos[open_]
    by_quarter = np.argsort(q_pos, kind="stable")      # sorted by Q_END, case order within a quarter
    case_pos, q_pos = case_pos[by_quarter], q_pos[by_quarter]
    snap = pd.concat([
        cases[["CASE_ID", "CHILD", "ROUTE", "TEAM", "START_DATE", "END_DATE"]].take(case_pos).reset_index(drop=True),
        quarters.take(q_pos).reset_index(drop=True)], axis=1)
    ev = events[~events["REPEAT"]].sort_values("EVENT_DATE", kind="stable")
    snap = pd.merge_asof(snap, ev[["CASE_ID", "EVENT_DATE", "STAGE", "EVENT_ID", "RESPONSIBILITY"]], left_on="Q_END",
                         right_on="EVENT_DATE", by="CASE_ID", direction="backward")
    staffed = events[events["WORKER_ID"].notna()].sort_values("EVENT_DATE", kind="stable")[["CASE_ID", "EVENT_DATE", "WORKER_ID"]]
    snap = pd.merge_asof(snap, staffed.rename(columns={"EVENT_DATE": "WORKER_DATE"}), left_on="Q_END",
                         right_on="WORKER_DATE", by="CASE_ID", direction="backward")
    snap[["WORKER_ID", "RESPONSIBILITY"]] = snap[["WORKER_ID", "RESPONSIBILITY"]].astype("string").fillna("NOT_RECORDED")
    snap["DAYS_OPEN"] = (snap["Q_END"] - snap["START_DATE"]).dt.days.astype("Int64")
    snap["WAIT_BAND"] = assign_wait_bands(snap["START_DATE"], snap["Q_END"]).where(snap["ROUTE"].eq("ADOPTION"))
    out = snap.drop(columns=["END_DATE", "EVENT_DATE", "WORKER_DATE", "Q_START"])
    for c in ("CHILD", "ROUTE", "TEAM", "STAGE", "WORKER_ID", "RESPONSIBILITY", "EVENT_ID", "WAIT_BAND"):
        out[c] = out[c].astype("string")
    return out.sort_values(["QUARTER", "CASE_ID"]).reset_index(drop=True)


def assign_wait_bands(start: pd.Series, on: pd.Series) -> pd.Series:
    """WAIT_BANDS label of the whole months from `start` to `on` (6 months after 15 January
    is 15 July: a child whose decision was 15 January is in "6 to 12 months" on 15 July)."""
    months = (on.dt.year - start.dt.year) * 12 + (on.dt.month - start.dt.month)
    months = months - (on.dt.day < start.dt.day).astype(int)
    out = pd.Series(pd.NA, index=start.index, dtype="string")
    for label, lower in WAIT_BANDS:
        out = out.mask(months >= lower, label)
    return out.where(start.notna() & on.notna())


def build_timeliness(cases: pd.DataFrame) -> pd.DataFrame:
    """One row per case and timeliness measure it completed: start and end dates, days
    between them, and period columns of the end date (the quarter it is reported in)."""
    frames = []
    for measure, route, start, end in TIMELINESS:
        s, e = f"DATE_{start}", f"DATE_{end}"
        if s not in cases or e not in cases:
            continue
        sel = cases[cases["ROUTE"].eq(route) & cases[s].notna() & cases[e].notna()]
        frames.append(pd.DataFrame({
            "CASE_ID": sel["CASE_ID"], "CHILD": sel["CHILD"], "ROUTE": sel["ROUTE"],
            "MEASURE": measure, "START_DATE": sel[s], "END_DATE": sel[e],
        }))
    cols = ["CASE_ID", "CHILD", "ROUTE", "MEASURE", "START_DATE", "END_DATE"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    out["START_DATE"] = pd.to_datetime(out["START_DATE"])
    out["END_DATE"] = pd.to_datetime(out["END_DATE"])
    out["DAYS"] = (out["END_DATE"] - out["START_DATE"]).dt.days.astype("Int64")
    out["MEASURE"] = out["MEASURE"].astype("string")
    return add_period_columns(out, "END_DATE")


# --- staffing ---------------------------------------------------------------------------------


def build_staffing_quarters(staffing: pd.DataFrame, last: Quarter) -> pd.DataFrame:
    """One row per staffing spell and quarter it overlaps (up to `last`): the days of the
    quarter it covers, FTE-days, and whether it covers the quarter's last day (``AT_END``).
    A spell with no end date runs to the end of `last`."""
    sp = staffing.copy()
    sp["FROM_DATE"], sp["TO_DATE"] = as_ns(sp["FROM_DATE"]), as_ns(sp["TO_DATE"])
    quarters = _quarter_table(list_quarters(sp["FROM_DATE"].min(), last))
    cols = list(sp.columns) + ["QUARTER", "FY", "Q_START", "Q_END", "DAYS", "FTE_DAYS", "AT_END"]
    if quarters.empty:
        return pd.DataFrame(columns=cols)
    to = sp["TO_DATE"].fillna(pd.Timestamp(last.end))
    qi_from = np.searchsorted(quarters["Q_END"].to_numpy(), sp["FROM_DATE"].to_numpy(), side="left")
    qi_to = np.searchsorted(quarters["Q_END"].to_numpy(), to.to_numpy(), side="left")
    qi_to = np.minimum(qi_to, len(quarters) - 1)
    n = np.maximum(qi_to - qi_from + 1, 0)
    rows = np.repeat(np.arange(len(sp)), n)
    offsets = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    qidx = np.repeat(qi_from, n) + offsets
    out = sp.iloc[rows].reset_index(drop=True)
    q = quarters.iloc[qidx].reset_index(drop=True)
    out = pd.concat([out, q], axis=1)
    spell_to = to.iloc[rows].reset_index(drop=True)
    lo = out[["FROM_DATE", "Q_START"]].max(axis=1)
    hi = pd.concat([spell_to, out["Q_END"]], axis=1).min(axis=1)
    out["DAYS"] = ((hi - lo).dt.days + 1).clip(lower=0).astype("Int64")
    out["FTE_DAYS"] = out["FTE"].astype(float) * out["DAYS"].astype(float)
    out["AT_END"] = (out["FROM_DATE"] <= out["Q_END"]) & (spell_to >= out["Q_END"])
    return out[out["DAYS"] > 0].reset_index(drop=True)


# --- savings ----------------------------------------------------------------------------------


def lookup_annual_costs(keys: pd.DataFrame, unit_costs: pd.DataFrame, group_col: str) -> pd.Series:
    """Annual cost for each row of `keys` (columns FY, AGE_BAND and `group_col`) from
    unit_costs: the exact age band if listed, else the ALL row; missing when neither is."""
    uc = unit_costs.assign(FINANCIAL_YEAR=unit_costs["FINANCIAL_YEAR"].astype("string"))
    uc = uc.drop_duplicates(["FINANCIAL_YEAR", "PLACEMENT_GROUP", "AGE_BAND"], keep="last")
    idx = uc.set_index(["FINANCIAL_YEAR", "PLACEMENT_GROUP", "AGE_BAND"])["ANNUAL_COST"]
    k = keys.reset_index(drop=True)
    exact = pd.MultiIndex.from_arrays([k["FY"], k[group_col], k["AGE_BAND"]])
    all_band = pd.MultiIndex.from_arrays([k["FY"], k[group_col], pd.Series("ALL", index=k.index)])
    v = pd.Series(idx.reindex(exact).to_numpy(), index=keys.index, dtype="Float64")
    fallback = pd.Series(idx.reindex(all_band).to_numpy(), index=keys.index, dtype="Float64")
    return v.fillna(fallback)


def explain_missing_cost_years(years: pd.Series, unit_costs: pd.DataFrame) -> pd.Series:
    """For each financial year of exit, why no saving can be computed when the unit costs file
    lists no cost at all for that year (UC_YEAR_MISSING), e.g. "no unit cost for 2026-27 in
    unit_costs.csv"; missing for a year the file lists."""
    listed = set(unit_costs["FINANCIAL_YEAR"].astype("string").dropna())
    source = unit_costs["SOURCE_FILE"].dropna() if "SOURCE_FILE" in unit_costs else pd.Series(dtype="object")
    name = str(source.iloc[0]).rsplit("/", 1)[-1] if len(source) else "the unit costs file"
    fy = years.astype("string")
    reason = "no unit cost for " + fy + " in " + name
    return reason.where(~fy.isin(listed) & fy.notna()).astype("string")


# The columns of the team's exit events that build_savings reads.
TEAM_EXIT_COLUMNS = ("EVENT_ID", "CASE_ID", "CHILD", "TEAM_ROUTE", "EVENT_DATE")


def build_savings(team_exits: pd.DataFrame, episodes: pd.DataFrame, unit_costs: pd.DataFrame) -> pd.DataFrame:
    """One row per Exit Team achievement (SGO, CAO, placed with parents, adoption order):
    the child, exit date, age and age band at exit, 18th birthday, the paid placement the
    child left (the last episode starting before the exit whose placement group is not
    placed for adoption / with parents), its annual cost, the annual allowance under the
    order, and the net annual saving (missing when either cost is unknown)."""
    ex = team_exits[list(TEAM_EXIT_COLUMNS)].rename(
        columns={"TEAM_ROUTE": "ROUTE", "EVENT_DATE": "EXIT_DATE"})
    ex["EXIT_DATE"] = as_ns(ex["EXIT_DATE"])
    dob = episodes.drop_duplicates("CHILD")[["CHILD", "DOB"]]
    ex = ex.merge(dob, on="CHILD", how="left")
    paid = episodes[~episodes["PLACEMENT_GROUP"].isin(UNPAID_GROUPS)][["CHILD", "DECOM", "PLACEMENT_GROUP", "SOURCE_ROW"]
                                                                     if "SOURCE_ROW" in episodes else
                                                                     ["CHILD", "DECOM", "PLACEMENT_GROUP"]]
    paid = paid.rename(columns={"DECOM": "LEFT_DECOM", "PLACEMENT_GROUP": "PLACEMENT_LEFT",
                                "SOURCE_ROW": "LEFT_SOURCE_ROW"})
    paid["LEFT_DECOM"] = as_ns(paid["LEFT_DECOM"])
    paid = paid.sort_values("LEFT_DECOM", kind="stable")
    ex = ex.sort_values("EXIT_DATE", kind="stable")
    ex = pd.merge_asof(ex, paid, left_on="EXIT_DATE", right_on="LEFT_DECOM", by="CHILD",
                       direction="backward", allow_exact_matches=False)
    ex["AGE_AT_EXIT"] = age_in_years(ex["DOB"], ex["EXIT_DATE"])
    ex["AGE_BAND"] = band_ages(ex["AGE_AT_EXIT"])
    ex["DATE_18"] = ex["DOB"] + pd.DateOffset(years=18)
    ex = add_period_columns(ex, "EXIT_DATE")
    ex["ANNUAL_COST"] = lookup_annual_costs(ex, unit_costs, "PLACEMENT_LEFT")
    ex["ALLOWANCE_GROUP"] = ex["ROUTE"].map(ALLOWANCE_GROUP).astype("string")
    allowance = lookup_annual_costs(ex, unit_costs, "ALLOWANCE_GROUP")
    ex["ANNUAL_ALLOWANCE"] = allowance.where(ex["ALLOWANCE_GROUP"].notna(), 0.0).astype("Float64")
    ex["NET_ANNUAL_SAVING"] = (ex["ANNUAL_COST"] - ex["ANNUAL_ALLOWANCE"]).astype("Float64")
    ex["COST_KNOWN"] = ex["NET_ANNUAL_SAVING"].notna().astype(bool)
    ex["COST_UNKNOWN_REASON"] = explain_missing_cost_years(ex["FY"], unit_costs)
    for c in ("ROUTE", "PLACEMENT_LEFT", "CHILD"):
        ex[c] = ex[c].astype("string")
    return ex.sort_values(["EXIT_DATE", "CHILD"]).reset_index(drop=True)
