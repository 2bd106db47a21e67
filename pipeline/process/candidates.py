"""Children to consider for exit from care: the rules that draw the team's working list.

A list is a prompt for a social worker's judgement, never a decision. Each rule looks at the
children in care at the end of the period (``params.period.end``) and at facts the pipeline
already holds: derived episodes (:func:`pipeline.process.episodes.derive_episode_fields`), the
validated permanence tracker and unit costs. Thresholds come from ``params.candidates``.

Groups (``GROUPS``) and their rules:

- ``STABLE_FOSTER_AGENCY`` / ``STABLE_FOSTER_IN_HOUSE``: in a foster placement with the same
  carer for ``stable_foster_years`` or more, no adoption plan (possible special guardianship
  or child arrangements order). Agency = any provider other than PR1, as in
  :func:`pipeline.schema.placement_group`.
- ``PWP_CARE_ORDER``: placed with parents (P1) under a full care order (C2) for
  ``pwp_care_order_months`` or more (possible discharge of the care order). An interim care
  order (C1) does not count: there is no final order to discharge yet.
- ``SECTION20_LONG``: accommodated under section 20 (V2) without a break in legal status for
  ``section20_months`` or more (review whether care is still needed).
- ``UNSTABLE``: ``unstable_placements`` or more placements in the last
  ``unstable_window_months``, no adoption plan (consider reunification or connected persons).

Definitions shared by the rules:

- *Same carer*: episodes joined without a gap (the previous episode ceased X1 on the day
  this one began) by RNE L (legal status only), T (placement, same carer) or U (legal status
  and placement, same carer). RNE S, P or B begins a new carer. A *placement* in the
  stability count is one such same-carer spell.
- *Months*: completed calendar months; ``n`` months are complete on the day ``start + n
  months`` (month ends clipped, as pandas.DateOffset). Thresholds are inclusive: a child
  placed on 30 September 2024 has 24 months with the carer on 30 September 2026.
- *Adoption plan*: an open ADOPTION case in the tracker at the period end, a placement or
  freeing order (LS E1/D1), or a placement for adoption (PLACE A3-A6). Without a tracker
  only legal status and placement are used, and the list says so.
- *Open exit case*: an SGO, PWP or CP case in the tracker whose latest event on or before the
  period end is not its outcome or an end stage. Such children are listed as usual and marked
  (``ALREADY_WORKING``), never listed a second time.
- Children looked after only under short breaks (LS V3/V4) are not in care for these rules.
- Children aged ``max_age_years`` or over at the period end are not listed: they are close
  to leaving care and an order would not be sought.

The list has one row per child per group (a child in two groups has two rows, each naming
the other groups in ``OTHER_GROUPS``); ``FIRST_FOR_CHILD`` marks one row per child, so that
distinct children can be counted.

Costs: ANNUAL_COST of the current placement and ANNUAL_ALLOWANCE under the exit the group
suggests, from unit costs of the period's financial year (QUARTERLY's lookup), and
PROJECTED_SAVING to 18 by the savings measure's method (:mod:`pipeline.process.savings`),
had the child exited the day after the period end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline import schema
from pipeline.config import CandidateParams, Params
from pipeline.errors import InputError
from pipeline.periods import financial_year_of
from pipeline.process.episodes import SHORT_BREAK_LS, age_in_years, band_ages, select_open_on
from pipeline.process.quarterly import lookup_annual_costs
from pipeline.process.savings import compute_child_savings, count_saving_days
from pipeline.process.uniques import apply_to_unique_pairs

SAME_CARER_RNE = ("L", "T", "U")
PLACEMENT_ORDER_LS = ("E1", "D1")
EXIT_CASE_ROUTES = ("SGO", "PWP", "CP")


@dataclass(frozen=True)
class Group:
    """A group of children to consider, and the exit its rule suggests."""

    label: str
    prompt: str
    suggested_exit: str
    allowance_group: str | None  # unit-cost group of the allowance paid after that exit


GROUPS: dict[str, Group] = {
    "STABLE_FOSTER_AGENCY": Group(
        "Long stable foster placement (agency)",
        "possible special guardianship or child arrangements order", "Special guardianship order",
        "SGO_ALLOWANCE"),
    "STABLE_FOSTER_IN_HOUSE": Group(
        "Long stable foster placement (in-house)",
        "possible special guardianship or child arrangements order", "Special guardianship order",
        "SGO_ALLOWANCE"),
    "PWP_CARE_ORDER": Group(
        "Placed with parents under a care order",
        "possible discharge of the care order", "Care order discharged", None),
    "SECTION20_LONG": Group(
        "Accommodated under section 20",
        "review whether care is still needed", "Return home", None),
    "UNSTABLE": Group(
        "Unstable placements",
        "consider reunification or connected persons",
        "Return home or child arrangements order to a connected person", "CAO_ALLOWANCE"),
}

CHILD_COLUMNS = (
    "CHILD", "DOB", "AGE", "AGE_BAND", "DECOM", "RNE", "LS", "PLACE", "PLACE_PROVIDER",
    "PLACEMENT_GROUP", "CARER_SINCE", "MONTHS_WITH_CARER", "FOSTER_SINCE", "MONTHS_IN_FOSTER",
    "LS_SINCE", "MONTHS_IN_LS", "PWP_CARE_ORDER_SINCE", "MONTHS_PWP_CARE_ORDER",
    "PLACEMENTS_IN_WINDOW",
)
LIST_COLUMNS = (
    "GROUP", "GROUP_LABEL", "PROMPT", "SUGGESTED_EXIT", "CHILD", "AGE", "AGE_BAND",
    "PLACE", "PLACE_PROVIDER", "PLACEMENT_GROUP", "CARER_SINCE", "MONTHS_WITH_CARER",
    "MONTHS_IN_FOSTER", "PLACEMENTS_IN_WINDOW", "LS", "LS_SINCE", "MONTHS_IN_LS", "MONTHS_PWP_CARE_ORDER",
    "ADOPTION_PLAN", "ADOPTION_PLAN_SOURCE", "ALREADY_WORKING", "OPEN_CASE_ROUTE",
    "OPEN_CASE_STAGE", "ANNUAL_COST", "ANNUAL_ALLOWANCE", "EXIT_DATE", "DATE_18", "DAYS_TO_18",
    "PROJECTED_SAVING", "OTHER_GROUPS",
    "FIRST_FOR_CHILD", "TRACKER_AVAILABLE", "DECOM", "SOURCE_FILE", "SOURCE_ROW",
)


@dataclass(frozen=True)
class CandidateList:
    """The restricted list, its per-group summary and the caveats to print beside it."""

    rows: pd.DataFrame
    summary: pd.DataFrame
    notes: tuple[str, ...]
    tracker_available: bool
    costs_available: bool


# --- time ------------------------------------------------------------------------------------


def count_completed_months(start: pd.Series, end: pd.Timestamp) -> pd.Series:
    """Completed calendar months from each start to `end` (NA where start is missing).

    ``n`` months are complete when ``start + n months <= end``, month ends clipped: from
    31 August, one month is complete on 30 September; from 29 February, 24 on 28 February."""
    start = pd.to_datetime(start)
    end = pd.Timestamp(end)
    months = (end.year - start.dt.year) * 12 + (end.month - start.dt.month)
    day_in_end_month = start.dt.day.clip(upper=end.days_in_month)
    months = months - (end.day < day_in_end_month).astype(int)
    return months.astype("Int64").where(start.notna() & (start <= end))


# --- runs of episodes --------------------------------------------------------------------------


def flag_continuations(episodes: pd.DataFrame) -> pd.Series:
    """True where an episode continues the child's previous one (that one ceased X1 on this
    episode's start). Expects episodes sorted by CHILD and DECOM."""
    same_child = episodes["CHILD"].eq(episodes["CHILD"].shift())
    return (same_child & episodes["REC"].shift().eq("X1")
            & episodes["DEC"].shift().eq(episodes["DECOM"])).fillna(False).astype(bool)


def find_run_starts(episodes: pd.DataFrame, breaks: pd.Series) -> pd.Series:
    """Start date of the run each episode belongs to; a run ends before an episode where
    `breaks` is True. Expects episodes sorted by CHILD and DECOM, first episodes breaking."""
    run = breaks.astype(int).cumsum()
    return episodes["DECOM"].groupby(run).transform("first")


def mark_runs(episodes: pd.DataFrame) -> pd.DataFrame:
    """Episodes (short breaks removed, sorted) with the start of each kind of run:
    CARER_SINCE (same carer), FOSTER_SINCE (same carer, foster placements only),
    LS_SINCE (same legal status) and PWP_CARE_ORDER_SINCE (P1 under C2); NaT where the
    episode is not of that kind."""
    ep = (episodes[~episodes["LS"].isin(SHORT_BREAK_LS)]
          .sort_values(["CHILD", "DECOM"], kind="stable").reset_index(drop=True))
    new = ~flag_continuations(ep)
    new_carer = new | ~ep["RNE"].isin(SAME_CARER_RNE)
    foster = ep["PLACE"].isin(schema.FOSTER_PLACEMENTS)
    pwp_co = ep["PLACE"].eq("P1") & ep["LS"].eq("C2")
    changed = lambda s: s.ne(s.shift())  # noqa: E731
    return ep.assign(
        CARER_SPELL=new_carer.astype(int).cumsum(),
        CARER_SINCE=find_run_starts(ep, new_carer),
        FOSTER_SINCE=find_run_starts(ep, new_carer | changed(foster)).where(foster),
        LS_SINCE=find_run_starts(ep, new | changed(ep["LS"])),
        PWP_CARE_ORDER_SINCE=find_run_starts(ep, new | changed(pwp_co)).where(pwp_co),
    )


def count_placements_since(runs: pd.DataFrame, since: pd.Timestamp) -> pd.Series:
    """Number of same-carer placements each child had at any time after the end of `since`
    (spells open at the end of that day or begun later), indexed by CHILD. Expects the frame
    from :func:`mark_runs`."""
    last = runs.groupby("CARER_SPELL", sort=False).tail(1)
    in_window = last["DEC"].isna() | (last["DEC"] > pd.Timestamp(since))
    return last[in_window].groupby("CHILD").size()


def summarise_children_in_care(episodes: pd.DataFrame, day: pd.Timestamp, window_months: int) -> pd.DataFrame:
    """One row per child in care at the end of `day` (short breaks excluded): the current
    episode, age, and the evidence the rules use (CHILD_COLUMNS). Episodes beginning after
    `day` are ignored; an episode ceasing after `day` is open on it."""
    day = pd.Timestamp(day)
    cols = ["CHILD", "DOB", "DECOM", "DEC", "REC", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "PLACEMENT_GROUP"]
    episodes = episodes[cols + [c for c in ("SOURCE_FILE", "SOURCE_ROW") if c in episodes.columns]]
    runs = mark_runs(episodes[episodes["DECOM"] <= day])
    current = (select_open_on(runs, day).sort_values(["CHILD", "DECOM"], kind="stable")
               .drop_duplicates("CHILD", keep="last").set_index("CHILD"))
    placements = count_placements_since(runs, day - pd.DateOffset(months=window_months))
    age = age_in_years(current["DOB"], day)
    out = current.assign(
        AGE=age,
        AGE_BAND=band_ages(age),
        MONTHS_WITH_CARER=count_completed_months(current["CARER_SINCE"], day),
        MONTHS_IN_FOSTER=count_completed_months(current["FOSTER_SINCE"], day),
        MONTHS_IN_LS=count_completed_months(current["LS_SINCE"], day),
        MONTHS_PWP_CARE_ORDER=count_completed_months(current["PWP_CARE_ORDER_SINCE"], day),
        PLACEMENTS_IN_WINDOW=placements.reindex(current.index).fillna(0).astype("Int64"),
    ).reset_index()
    extra = [c for c in ("SOURCE_FILE", "SOURCE_ROW") if c in out.columns]
    return out[list(CHILD_COLUMNS) + extra].reset_index(drop=True)


# --- the tracker -------------------------------------------------------------------------------

TRACKER_COLUMNS = ("CASE_ID", "CHILD", "ROUTE", "STAGE", "EVENT_DATE")


def find_open_cases(tracker: pd.DataFrame, day: pd.Timestamp, routes: tuple[str, ...]) -> pd.DataFrame:
    """Tracker cases on `routes` open at the end of `day`: CASE_ID, CHILD, ROUTE, STAGE (the
    latest stage reached). A case is open when its latest event on or before `day` is not the
    route's outcome nor an end stage (on the same day, the later stage in route order wins)."""
    missing = [c for c in TRACKER_COLUMNS if c not in tracker.columns]
    if missing:
        raise InputError(f"permanence tracker lacks column(s) {', '.join(missing)}")
    ev = tracker.loc[tracker["ROUTE"].isin(routes) & (tracker["EVENT_DATE"] <= pd.Timestamp(day)), list(TRACKER_COLUMNS)]
    order = {(r, s): i for r in routes
             for i, s in enumerate(schema.TRACKER_STAGES[r] + schema.TRACKER_END_STAGES[r])}
    closing = {(r, s) for r in routes
               for s in (schema.TRACKER_OUTCOME[r][0],) + schema.TRACKER_END_STAGES[r]}
    ev = ev.assign(_ORDER=apply_to_unique_pairs(ev["ROUTE"], ev["STAGE"], lambda r, s: order.get((r, s), -1), "int64"),
                   _CLOSING=apply_to_unique_pairs(ev["ROUTE"], ev["STAGE"], lambda r, s: (r, s) in closing, "bool"))
    latest = ev.sort_values(["CASE_ID", "EVENT_DATE", "_ORDER"], kind="stable").drop_duplicates("CASE_ID", keep="last")
    return latest.loc[~latest["_CLOSING"], ["CASE_ID", "CHILD", "ROUTE", "STAGE"]].reset_index(drop=True)


def describe_open_cases(open_cases: pd.DataFrame) -> pd.DataFrame:
    """One row per child with open cases: OPEN_CASE_ROUTE and OPEN_CASE_STAGE, '; '-joined
    in route order when the child has several."""
    rank = {r: i for i, r in enumerate(schema.TRACKER_ROUTES)}
    cases = open_cases.assign(_R=open_cases["ROUTE"].map(rank)).sort_values(["CHILD", "_R", "CASE_ID"])
    several = cases["CHILD"].duplicated(keep=False)   # joined in Python only for these children
    g = cases[several].groupby("CHILD", sort=True)
    joined = pd.DataFrame({"OPEN_CASE_ROUTE": g["ROUTE"].agg("; ".join), "OPEN_CASE_STAGE": g["STAGE"].agg("; ".join)})
    single = cases.loc[~several, ["CHILD", "ROUTE", "STAGE"]].set_index("CHILD")
    single.columns = ["OPEN_CASE_ROUTE", "OPEN_CASE_STAGE"]
    return pd.concat([single, joined.astype(single.dtypes.to_dict())]).sort_index().reset_index()


def find_adoption_plans(children: pd.DataFrame, tracker: pd.DataFrame | None, day: pd.Timestamp) -> pd.DataFrame:
    """CHILD, ADOPTION_PLAN and ADOPTION_PLAN_SOURCE ('tracker', 'legal status', 'placement',
    '; '-joined; '' when none) for each child of `children` (from
    :func:`summarise_children_in_care`). Without a tracker, only LS and PLACE are used."""
    by_tracker = pd.Series(False, index=children.index)
    if tracker is not None:
        adopting = find_open_cases(tracker, day, ("ADOPTION",))["CHILD"]
        by_tracker = children["CHILD"].isin(adopting)
    sources = pd.DataFrame({
        "tracker": by_tracker,
        "legal status": children["LS"].isin(PLACEMENT_ORDER_LS),
        "placement": children["PLACE"].isin(schema.ADOPTION_PLACEMENTS),
    })
    return pd.DataFrame({"CHILD": children["CHILD"], "ADOPTION_PLAN": sources.any(axis=1),
                         "ADOPTION_PLAN_SOURCE": join_true_names(sources)})


def join_true_names(flags: pd.DataFrame) -> pd.Series:
    """For each row of a boolean frame, the names of its True columns, '; '-joined in column
    order ('' when none). Computed once per combination of flags, not per row."""
    names = list(flags.columns)
    combination = np.zeros(len(flags), dtype=np.int64)
    for i, name in enumerate(names):
        combination |= flags[name].to_numpy(dtype=bool).astype(np.int64) << i
    table = np.array(["; ".join(n for i, n in enumerate(names) if c >> i & 1) for c in range(1 << len(names))],
                     dtype=object)
    return pd.Series(table[combination], index=flags.index, dtype="string")


# --- the rules ---------------------------------------------------------------------------------
# Each takes the frame from summarise_children_in_care with ADOPTION_PLAN attached and
# returns a boolean mask; the age limit is applied once, by assign_groups.


def is_stable_foster(children: pd.DataFrame, cp: CandidateParams) -> pd.Series:
    """In a foster placement with the same carer for stable_foster_years or more (inclusive),
    with no adoption plan."""
    months = round(cp.stable_foster_years * 12)
    return (children["MONTHS_IN_FOSTER"] >= months).fillna(False).astype(bool) & ~children["ADOPTION_PLAN"]


def is_pwp_under_care_order(children: pd.DataFrame, cp: CandidateParams) -> pd.Series:
    """Placed with parents (P1) under a full care order (C2) for pwp_care_order_months or more."""
    return (children["MONTHS_PWP_CARE_ORDER"] >= cp.pwp_care_order_months).fillna(False).astype(bool)


def is_long_section20(children: pd.DataFrame, cp: CandidateParams) -> pd.Series:
    """Accommodated under section 20 (V2), legal status unbroken, for section20_months or more."""
    return children["LS"].eq("V2") & (children["MONTHS_IN_LS"] >= cp.section20_months).fillna(False).astype(bool)


def is_unstable(children: pd.DataFrame, cp: CandidateParams) -> pd.Series:
    """unstable_placements or more placements in the window, with no adoption plan."""
    return (children["PLACEMENTS_IN_WINDOW"] >= cp.unstable_placements).fillna(False).astype(bool) & ~children["ADOPTION_PLAN"]


def is_below_max_age(children: pd.DataFrame, cp: CandidateParams) -> pd.Series:
    """Younger than max_age_years at the period end (unknown ages are kept)."""
    return ~(children["AGE"] >= cp.max_age_years).fillna(False).astype(bool)


def match_rules(children: pd.DataFrame, cp: CandidateParams) -> pd.DataFrame:
    """Boolean frame, one column per group of GROUPS, before the age limit."""
    stable = is_stable_foster(children, cp)
    agency = children["PLACEMENT_GROUP"].eq("FOSTER_AGENCY")
    return pd.DataFrame({
        "STABLE_FOSTER_AGENCY": stable & agency,
        "STABLE_FOSTER_IN_HOUSE": stable & children["PLACEMENT_GROUP"].eq("FOSTER_IN_HOUSE"),
        "PWP_CARE_ORDER": is_pwp_under_care_order(children, cp),
        "SECTION20_LONG": is_long_section20(children, cp),
        "UNSTABLE": is_unstable(children, cp),
    }, index=children.index)


def assign_groups(children: pd.DataFrame, cp: CandidateParams) -> pd.DataFrame:
    """CHILD, GROUP: one row per child per group matched, children at the age limit left out;
    ordered by group (GROUPS order) then child."""
    matched = match_rules(children, cp)[is_below_max_age(children, cp)]
    parts = [pd.DataFrame({"CHILD": children.loc[matched.index[matched[g]], "CHILD"], "GROUP": g})
             for g in GROUPS]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["GROUP", "CHILD"], key=_group_order, kind="stable").reset_index(drop=True)


def _group_order(col: pd.Series) -> pd.Series:
    rank = {g: i for i, g in enumerate(GROUPS)}
    return col.map(rank) if col.name == "GROUP" else col


# --- costs -------------------------------------------------------------------------------------


def project_savings_to_18(rows: pd.DataFrame, day: pd.Timestamp, basis_days: int) -> pd.DataFrame:
    """EXIT_DATE (the day after `day`), DATE_18, DAYS_TO_18 and PROJECTED_SAVING for rows with
    DOB, ANNUAL_COST and ANNUAL_ALLOWANCE: the savings measure's method
    (:mod:`pipeline.process.savings`), had the child exited by the suggested route the day
    after the period end: (annual cost - annual allowance) per day, from that day to the day
    before the 18th birthday, both inclusive. Missing where a cost is unknown."""
    frame = pd.DataFrame({
        "EXIT_DATE": pd.Series(pd.Timestamp(day) + pd.Timedelta(days=1), index=rows.index),
        "DATE_18": pd.to_datetime(rows["DOB"]) + pd.DateOffset(years=18),
        "NET_ANNUAL_SAVING": (rows["ANNUAL_COST"] - rows["ANNUAL_ALLOWANCE"]).astype("Float64"),
    }, index=rows.index)
    return frame.assign(DAYS_TO_18=count_saving_days(frame["EXIT_DATE"], frame["DATE_18"], None),
                        PROJECTED_SAVING=compute_child_savings(frame, None, basis_days))


# --- the list ----------------------------------------------------------------------------------


def build_candidates(
    episodes: pd.DataFrame,
    tracker: pd.DataFrame | None,
    unit_costs: pd.DataFrame | None,
    params: Params,
) -> CandidateList:
    """The restricted list of children to consider for exit at the period end (LIST_COLUMNS),
    a per-group summary and notes. `tracker` or `unit_costs` may be None (file absent)."""
    cp, day = params.candidates, pd.Timestamp(params.period.end)
    children = summarise_children_in_care(episodes, day, cp.unstable_window_months)
    children = children.merge(find_adoption_plans(children, tracker, day), on="CHILD", how="left")
    notes: list[str] = []
    if tracker is not None:
        cases = describe_open_cases(find_open_cases(tracker, day, EXIT_CASE_ROUTES))
        children = children.merge(cases, on="CHILD", how="left")
        children["ALREADY_WORKING"] = children["OPEN_CASE_ROUTE"].notna().astype("boolean")
    else:
        children = children.assign(OPEN_CASE_ROUTE=pd.NA, OPEN_CASE_STAGE=pd.NA,
                                   ALREADY_WORKING=pd.Series(pd.NA, index=children.index, dtype="boolean"))
        notes.append("The permanence tracker was unavailable: adoption plans are taken from legal "
                     "status (E1/D1) and placement (A3-A6) only, and open exit cases are unknown.")
    groups = assign_groups(children, cp)
    rows = groups.merge(children, on="CHILD", how="left")
    rows = _attach_group_fields(rows)
    rows = _attach_costs(rows, unit_costs, financial_year_of(params.period.end).label, day,
                         params.savings_basis_days, notes)
    rows = rows.assign(TRACKER_AVAILABLE=tracker is not None)
    extra = [c for c in ("SOURCE_FILE", "SOURCE_ROW") if c not in rows.columns]
    rows = rows.assign(**{c: pd.NA for c in extra})
    summary = summarise_groups(rows, children, cp, tracker is not None)
    aged = int(summary["NOT_LISTED_AGED"].sum())
    notes.append(f"Children aged {cp.max_age_years} or over at the period end are not listed "
                 f"(close to leaving care): {aged} group match(es) left out.")
    return CandidateList(rows[list(LIST_COLUMNS)].reset_index(drop=True), summary, tuple(notes),
                         tracker is not None, unit_costs is not None)


def build_candidates_fact(validated: dict[str, pd.DataFrame], episodes: pd.DataFrame, params: Params) -> pd.DataFrame:
    """The fact table ``candidates`` (the list's rows) for the processing stage's catalog, from
    the derived episodes and the validated tracker and unit costs (either may be absent)."""
    return build_candidates(episodes, validated.get("permanence_tracker"), validated.get("unit_costs"), params).rows


def _attach_group_fields(rows: pd.DataFrame) -> pd.DataFrame:
    """Group label, prompt, suggested exit, the child's other groups (in GROUPS order) and
    FIRST_FOR_CHILD."""
    labels = {g: GROUPS[g].label for g in GROUPS}
    member = pd.DataFrame({labels[g]: rows["GROUP"].eq(g).to_numpy(dtype=bool) for g in GROUPS}, index=rows.index)
    others = member.groupby(rows["CHILD"].to_numpy()).transform("any") & ~member
    return rows.assign(
        GROUP_LABEL=rows["GROUP"].map(labels),
        PROMPT=rows["GROUP"].map({g: v.prompt for g, v in GROUPS.items()}),
        SUGGESTED_EXIT=rows["GROUP"].map({g: v.suggested_exit for g, v in GROUPS.items()}),
        OTHER_GROUPS=join_true_names(others),
        FIRST_FOR_CHILD=~rows["CHILD"].duplicated(),
    )


def _attach_costs(rows: pd.DataFrame, unit_costs: pd.DataFrame | None, fy: str,
                  day: pd.Timestamp, basis_days: int, notes: list[str]) -> pd.DataFrame:
    """ANNUAL_COST of the current placement, ANNUAL_ALLOWANCE under the suggested exit (unit
    costs of the period's financial year, the child's age band, else the ALL row) and the
    projected saving to 18."""
    na = pd.Series(pd.NA, index=rows.index, dtype="Float64")
    if unit_costs is None:
        notes.append("Unit costs were unavailable: annual costs and savings are not shown.")
        cost, allowance = na, na
    else:
        allowance_group = rows["GROUP"].map({g: v.allowance_group for g, v in GROUPS.items()}).astype("string")
        keys = pd.DataFrame({"FY": fy, "AGE_BAND": rows["AGE_BAND"], "PLACEMENT_GROUP": rows["PLACEMENT_GROUP"],
                             "ALLOWANCE_GROUP": allowance_group}, index=rows.index)
        cost = lookup_annual_costs(keys, unit_costs, "PLACEMENT_GROUP")
        allowance = lookup_annual_costs(keys, unit_costs, "ALLOWANCE_GROUP").where(allowance_group.notna(), 0.0)
        if cost.isna().any() or allowance.isna().any():
            notes.append(f"Some unit costs for {fy} are missing: those rows show no cost or saving.")
    rows = rows.assign(ANNUAL_COST=cost, ANNUAL_ALLOWANCE=allowance.astype("Float64"))
    saving = project_savings_to_18(rows, day, basis_days)
    return rows.assign(**{c: saving[c] for c in ("EXIT_DATE", "DATE_18", "DAYS_TO_18", "PROJECTED_SAVING")})


def summarise_groups(rows: pd.DataFrame, children: pd.DataFrame, cp: CandidateParams,
                     tracker_available: bool) -> pd.DataFrame:
    """Per group: GROUP, LABEL, CHILDREN listed, ALREADY_WORKING (NA without a tracker),
    NOT_LISTED_AGED (children who met the rule but are at or over the age limit), and
    PROJECTED_SAVING (sum over the rows whose saving is known) with COST_UNKNOWN rows."""
    over_age = match_rules(children, cp)[~is_below_max_age(children, cp)].sum()
    listed = rows.groupby("GROUP").size()
    working = rows[rows["ALREADY_WORKING"].fillna(False).astype(bool)].groupby("GROUP").size()
    saving = rows.groupby("GROUP")["PROJECTED_SAVING"].sum()
    unknown = rows[rows["PROJECTED_SAVING"].isna()].groupby("GROUP").size()
    return pd.DataFrame({
        "GROUP": list(GROUPS),
        "LABEL": [g.label for g in GROUPS.values()],
        "CHILDREN": [int(listed.get(g, 0)) for g in GROUPS],
        "ALREADY_WORKING": pd.array([int(working.get(g, 0)) if tracker_available else pd.NA for g in GROUPS],
                                    dtype="Int64"),
        "NOT_LISTED_AGED": [int(over_age.get(g, 0)) for g in GROUPS],
        "PROJECTED_SAVING": [round(float(saving.get(g, 0.0)), 2) for g in GROUPS],
        "COST_UNKNOWN": [int(unknown.get(g, 0)) for g in GROUPS],
    })
