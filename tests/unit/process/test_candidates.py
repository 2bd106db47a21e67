"""Hand-worked cases for the rules that list children to consider for exit from care.

Period: 2026-27 Q2, ending 30 September 2026; the stability window starts after 30 September
2025. Default thresholds: foster 24 months, PWP 6 months, section 20 12 months, 3 placements
in 12 months, age limit 17. Each child below is built to test one thing (see its comment).
"""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import CandidateParams, load_params
from pipeline.errors import InputError
from pipeline.periods import parse_quarter
from pipeline.process.candidates import (
    GROUPS,
    build_candidates,
    count_completed_months,
    count_placements_since,
    find_adoption_plans,
    find_open_cases,
    mark_runs,
    summarise_children_in_care,
)
from pipeline.process.episodes import derive_episode_fields, select_open_on

ROOT = Path(__file__).resolve().parents[3]
D = pd.Timestamp
END = D("2026-09-30")

COLS = ["CHILD", "DECOM", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "DEC", "REC"]
EPISODES = [
    # F1: agency foster from exactly 2 years before the period end: listed (inclusive)
    ["F1", "2024-09-30", "S", "C2", "U4", "PR4", None, None],
    # F2: agency foster for 23 months: not listed
    ["F2", "2024-10-01", "S", "C2", "U4", "PR4", None, None],
    # F3: in-house foster; an RNE L change (legal status only) keeps the carer: 44 months
    ["F3", "2023-01-01", "S", "C1", "U4", "PR1", "2023-06-01", "X1"],
    ["F3", "2023-06-01", "L", "C2", "U4", "PR1", None, None],
    # F4: an RNE P change (new carer) on 1 March 2025 resets the clock: 18 months
    ["F4", "2022-01-01", "S", "C2", "U4", "PR4", "2025-03-01", "X1"],
    ["F4", "2025-03-01", "P", "C2", "U4", "PR4", None, None],
    # F5: RNE T (same carer, new placement) keeps the carer; section 20 throughout: two groups
    ["F5", "2023-05-01", "S", "V2", "U6", "PR4", "2024-02-01", "X1"],
    ["F5", "2024-02-01", "T", "V2", "U4", "PR4", None, None],
    # F6: open adoption case in the tracker: not listed
    ["F6", "2021-01-01", "S", "C2", "U4", "PR4", None, None],
    # F7: placement order (E1): adoption plan from legal status, not listed
    ["F7", "2020-01-01", "S", "C2", "U4", "PR4", "2022-01-01", "X1"],
    ["F7", "2022-01-01", "L", "E1", "U4", "PR4", None, None],
    # F8: aged 17 at the period end: not listed, counted as left out for age
    ["F8", "2020-01-01", "S", "C2", "U4", "PR4", None, None],
    # F9: open SGO case (voluntary provider PR5 = agency): listed and marked
    ["F9", "2020-01-01", "S", "C2", "U4", "PR5", None, None],
    # F10: left care by SGO in August 2026: not in care at the period end
    ["F10", "2020-01-01", "S", "C2", "U4", "PR4", "2026-08-01", "E45"],
    # F11: adoption case reversed in 2025: no adoption plan, listed
    ["F11", "2020-01-01", "S", "C2", "U4", "PR4", None, None],
    # F12: moves after the period end; at the period end still with the 2022 carer: listed
    ["F12", "2022-01-01", "S", "C2", "U4", "PR4", "2026-11-01", "X1"],
    ["F12", "2026-11-01", "P", "C2", "U4", "PR1", None, None],
    # P1: placed with parents under C2 from 30 March 2026: exactly 6 months, listed
    ["P1", "2025-06-01", "S", "C1", "U4", "PR1", "2025-11-01", "X1"],
    ["P1", "2025-11-01", "L", "C2", "U4", "PR1", "2026-03-30", "X1"],
    ["P1", "2026-03-30", "P", "C2", "P1", "PR0", None, None],
    # P2: with parents under C2 for 5 months: not listed
    ["P2", "2026-04-01", "S", "C2", "P1", "PR0", None, None],
    # P3: with parents under an interim order (C1) for 20 months: not listed
    ["P3", "2025-01-01", "S", "C1", "P1", "PR0", None, None],
    # P4: with parents since 2025, but under C2 only from June 2026 (3 months): not listed
    ["P4", "2025-01-01", "S", "C1", "P1", "PR0", "2026-06-01", "X1"],
    ["P4", "2026-06-01", "L", "C2", "P1", "PR0", None, None],
    # S1: section 20 from exactly 12 months before the period end: listed
    ["S1", "2025-09-30", "S", "V2", "K2", "PR4", None, None],
    # S2: section 20, then a care order: not listed
    ["S2", "2025-01-01", "S", "V2", "U4", "PR1", "2026-01-01", "X1"],
    ["S2", "2026-01-01", "L", "C2", "U4", "PR1", None, None],
    # S3: section 20 interrupted by an interim order: V2 again only from January 2026 (8 months)
    ["S3", "2024-01-01", "S", "V2", "K2", "PR4", "2025-01-01", "X1"],
    ["S3", "2025-01-01", "L", "C1", "K2", "PR4", "2026-01-01", "X1"],
    ["S3", "2026-01-01", "L", "V2", "K2", "PR4", None, None],
    # S4: two years of section 20 ended by a return home; back in care for 8 months: not listed
    ["S4", "2023-01-01", "S", "V2", "K2", "PR4", "2025-01-01", "E4A"],
    ["S4", "2026-01-01", "S", "V2", "K2", "PR4", None, None],
    # U1: three carers in the window (the first still there on 1 October 2025): listed
    ["U1", "2025-08-01", "S", "C2", "U4", "PR1", "2025-12-01", "X1"],
    ["U1", "2025-12-01", "P", "C2", "U4", "PR4", "2026-05-01", "X1"],
    ["U1", "2026-05-01", "P", "C2", "K2", "PR4", None, None],
    # U2: the first carer ended on 30 September 2025, before the window: 2 placements
    ["U2", "2024-01-01", "S", "C2", "U4", "PR1", "2025-09-30", "X1"],
    ["U2", "2025-09-30", "P", "C2", "U4", "PR4", "2026-03-01", "X1"],
    ["U2", "2026-03-01", "P", "C2", "U4", "PR4", None, None],
    # U3: three placements but placed for adoption: not listed
    ["U3", "2025-08-01", "S", "E1", "U4", "PR1", "2025-12-01", "X1"],
    ["U3", "2025-12-01", "P", "E1", "U4", "PR4", "2026-05-01", "X1"],
    ["U3", "2026-05-01", "P", "E1", "A4", "PR1", None, None],
    # U5: three placements over two periods of care in the window: listed
    ["U5", "2025-10-01", "S", "C2", "U4", "PR1", "2025-11-01", "E13"],
    ["U5", "2026-01-01", "S", "C2", "U4", "PR4", "2026-04-01", "X1"],
    ["U5", "2026-04-01", "P", "C2", "U4", "PR4", None, None],
    # U6: an RNE T change is not a new carer: 2 placements, not listed
    ["U6", "2025-10-01", "S", "C2", "U4", "PR4", "2026-01-01", "X1"],
    ["U6", "2026-01-01", "T", "C2", "U6", "PR4", "2026-04-01", "X1"],
    ["U6", "2026-04-01", "P", "C2", "U4", "PR1", None, None],
    # B1: short breaks only (V3) with one carer since 2022: not in care for these rules
    ["B1", "2022-01-01", "S", "V3", "U4", "PR1", None, None],
]
DOB = {
    "F1": "2016-03-01", "F2": "2015-01-01", "F3": "2018-06-01", "F4": "2014-01-01",
    "F5": "2012-01-01", "F6": "2019-01-01", "F7": "2019-01-01", "F8": "2009-05-01",
    "F9": "2013-01-01", "F10": "2012-01-01", "F11": "2015-06-01", "F12": "2014-01-01",
    "P1": "2020-01-01", "P2": "2019-01-01", "P3": "2019-01-01", "P4": "2019-01-01",
    "S1": "2011-01-01", "S2": "2011-01-01", "S3": "2011-01-01", "S4": "2011-01-01",
    "U1": "2012-07-01", "U2": "2012-07-01", "U3": "2022-01-01", "U5": "2012-07-01",
    "U6": "2012-07-01", "B1": "2015-01-01",
}
TRACKER_ROWS = [
    # CASE_ID, CHILD, ROUTE, STAGE, EVENT_DATE
    ["A6", "F6", "ADOPTION", "BI_DECISION", "2026-01-10"],
    ["S9", "F9", "SGO", "REFERRAL", "2026-02-01"],
    ["S9", "F9", "SGO", "ASSESSMENT", "2026-05-01"],
    ["S9", "F9", "SGO", "GRANTED", "2026-10-15"],          # after the period end: ignored
    ["A11", "F11", "ADOPTION", "BI_DECISION", "2024-01-01"],
    ["A11", "F11", "ADOPTION", "REVERSAL", "2025-01-01"],
    ["S1C", "F1", "SGO", "REFERRAL", "2025-01-01"],
    ["S1C", "F1", "SGO", "CLOSED", "2025-06-01"],           # closed: F1 is not worked with
    ["PW1", "P1", "PWP", "REFERRAL", "2025-12-01"],
    ["PW1", "P1", "PWP", "PLACED", "2026-03-30"],
    ["CP5", "F5", "CP", "REFERRAL", "2026-07-01"],
    ["CP5", "F5", "CP", "INITIAL_VIABILITY", "2026-08-01"],
    ["CP1", "U1", "CP", "REFERRAL", "2026-09-01"],
]
UNIT_COSTS = pd.DataFrame(
    [["2026-27", "FOSTER_AGENCY", "ALL", 44000.0], ["2025-26", "FOSTER_AGENCY", "ALL", 40000.0],
     ["2026-27", "FOSTER_IN_HOUSE", "5 to 9", 19000.0], ["2026-27", "FOSTER_IN_HOUSE", "10 to 15", 23000.0],
     ["2026-27", "PLACED_WITH_PARENTS", "ALL", 5000.0], ["2026-27", "RESIDENTIAL_AGENCY", "ALL", 190000.0],
     ["2026-27", "SGO_ALLOWANCE", "ALL", 7000.0], ["2026-27", "CAO_ALLOWANCE", "ALL", 6000.0]],
    columns=["FINANCIAL_YEAR", "PLACEMENT_GROUP", "AGE_BAND", "ANNUAL_COST"],
)


def _episodes(rows=EPISODES):
    eps = pd.DataFrame(rows, columns=COLS)
    for c in ("DECOM", "DEC"):
        eps[c] = pd.to_datetime(eps[c])
    header = pd.DataFrame({"CHILD": list(DOB), "DOB": pd.to_datetime(list(DOB.values())),
                           "SEX": "M", "ETHNIC": "WBRI"})
    return derive_episode_fields(eps, header)


def _tracker(rows=TRACKER_ROWS):
    t = pd.DataFrame(rows, columns=["CASE_ID", "CHILD", "ROUTE", "STAGE", "EVENT_DATE"])
    t["EVENT_DATE"] = pd.to_datetime(t["EVENT_DATE"])
    t["EVENT_ID"] = [f"E{i}" for i in range(len(t))]
    return t


@pytest.fixture(scope="module")
def params():
    p = load_params(ROOT / "params.yaml")
    return replace(p, period=parse_quarter("2026-27 Q2"), candidates=CandidateParams(), savings_basis_days=365)


@pytest.fixture(scope="module")
def result(params):
    return build_candidates(_episodes(), _tracker(), UNIT_COSTS, params)


def _children_in(result, group):
    return result.rows.loc[result.rows["GROUP"].eq(group), "CHILD"].tolist()


# --- months ----------------------------------------------------------------------------------

@pytest.mark.parametrize("start,end,months", [
    ("2024-09-30", "2026-09-30", 24), ("2024-10-01", "2026-09-30", 23),
    ("2024-08-31", "2024-09-30", 1), ("2024-02-29", "2026-02-28", 24),
    ("2026-01-31", "2026-02-27", 0), ("2026-09-30", "2026-09-30", 0),
])
def test_completed_months_clip_month_ends(start, end, months):
    assert count_completed_months(pd.Series([D(start)]), D(end)).iloc[0] == months


def test_completed_months_are_missing_for_missing_or_later_starts():
    out = count_completed_months(pd.Series([pd.NaT, D("2026-10-01")]), END)
    assert out.isna().all()


@given(st.dates(min_value=pd.Timestamp("2000-01-01").date(), max_value=pd.Timestamp("2030-12-31").date()),
       st.integers(min_value=0, max_value=3000), st.integers(min_value=0, max_value=120))
def test_n_months_are_complete_exactly_when_start_plus_n_months_has_come(start, days, n):
    end = D(start) + timedelta(days=days)
    months = count_completed_months(pd.Series([D(start)]), end).iloc[0]
    assert (months >= n) == (D(start) + pd.DateOffset(months=n) <= end)


# --- runs and evidence -----------------------------------------------------------------------

def test_same_carer_spells_follow_rne():
    runs = mark_runs(_episodes()).set_index(["CHILD", "DECOM"])
    assert runs.loc[("F3", D("2023-06-01")), "CARER_SINCE"] == D("2023-01-01")   # L
    assert runs.loc[("F5", D("2024-02-01")), "CARER_SINCE"] == D("2023-05-01")   # T
    assert runs.loc[("F4", D("2025-03-01")), "CARER_SINCE"] == D("2025-03-01")   # P
    assert runs.loc[("S4", D("2026-01-01")), "LS_SINCE"] == D("2026-01-01")      # new period
    assert pd.isna(runs.loc[("P4", D("2025-01-01")), "PWP_CARE_ORDER_SINCE"])    # C1 does not count
    assert ("B1", D("2022-01-01")) not in runs.index                            # short breaks out


def test_placements_are_counted_from_the_day_after_the_window_starts():
    runs = mark_runs(_episodes())
    counts = count_placements_since(runs, D("2025-09-30"))
    assert counts["U1"] == 3 and counts["U2"] == 2 and counts["U5"] == 3 and counts["U6"] == 2


def test_evidence_of_one_child_worked_by_hand():
    kids = summarise_children_in_care(_episodes(), END, 12).set_index("CHILD")
    f3 = kids.loc["F3"]
    assert (f3["AGE"], f3["AGE_BAND"], f3["PLACEMENT_GROUP"]) == (8, "5 to 9", "FOSTER_IN_HOUSE")
    assert (f3["MONTHS_WITH_CARER"], f3["MONTHS_IN_LS"], f3["PLACEMENTS_IN_WINDOW"]) == (44, 39, 1)
    assert "F10" not in kids.index and "B1" not in kids.index
    assert kids.loc["F12", "DECOM"] == D("2022-01-01")  # the episode open on the period end


# --- the groups ------------------------------------------------------------------------------

def test_each_group_lists_exactly_the_children_worked_out_by_hand(result):
    assert _children_in(result, "STABLE_FOSTER_AGENCY") == ["F1", "F11", "F12", "F5", "F9"]
    assert _children_in(result, "STABLE_FOSTER_IN_HOUSE") == ["F3"]
    assert _children_in(result, "PWP_CARE_ORDER") == ["P1"]
    assert _children_in(result, "SECTION20_LONG") == ["F5", "S1"]
    assert _children_in(result, "UNSTABLE") == ["U1", "U5"]


@pytest.mark.parametrize("child", ["F2", "F4", "F6", "F7", "F8", "F10", "P2", "P3", "P4",
                                   "S2", "S3", "S4", "U2", "U3", "U6", "B1"])
def test_children_who_must_not_be_listed(result, child):
    assert child not in set(result.rows["CHILD"])


def test_a_child_in_two_groups_has_one_row_per_group_and_is_counted_once(result):
    f5 = result.rows[result.rows["CHILD"].eq("F5")].set_index("GROUP")
    assert list(f5.index) == ["STABLE_FOSTER_AGENCY", "SECTION20_LONG"]
    assert f5["FIRST_FOR_CHILD"].tolist() == [True, False]
    assert f5.loc["STABLE_FOSTER_AGENCY", "OTHER_GROUPS"] == GROUPS["SECTION20_LONG"].label
    assert result.rows["FIRST_FOR_CHILD"].sum() == 10  # 11 rows, F5 twice


def test_open_exit_cases_are_marked_not_listed_again(result):
    rows = result.rows.set_index(["GROUP", "CHILD"])
    assert rows.loc[("STABLE_FOSTER_AGENCY", "F9"), ["OPEN_CASE_ROUTE", "OPEN_CASE_STAGE"]].tolist() == ["SGO", "ASSESSMENT"]
    assert rows.loc[("PWP_CARE_ORDER", "P1"), "OPEN_CASE_STAGE"] == "PLACED"
    assert bool(rows.loc[("SECTION20_LONG", "F5"), "ALREADY_WORKING"])
    assert not bool(rows.loc[("STABLE_FOSTER_AGENCY", "F1"), "ALREADY_WORKING"])  # case closed
    working = sorted(set(result.rows.loc[result.rows["ALREADY_WORKING"].astype(bool), "CHILD"]))
    assert working == ["F5", "F9", "P1", "U1"]


def test_summary_counts_children_working_and_left_out_for_age(result):
    s = result.summary.set_index("GROUP")
    assert s["CHILDREN"].tolist() == [5, 1, 1, 2, 2]
    assert s["ALREADY_WORKING"].tolist() == [2, 0, 1, 1, 1]
    assert s["NOT_LISTED_AGED"].tolist() == [1, 0, 0, 0, 0]   # F8
    assert any("17 or over" in n for n in result.notes)


def test_costs_allowances_and_days_to_18(result):
    rows = result.rows.set_index(["GROUP", "CHILD"])
    f1 = rows.loc[("STABLE_FOSTER_AGENCY", "F1")]
    # exit 1 Oct 2026 .. 28 Feb 2034 inclusive: 30 Sep 2026 -> 1 Mar 2034 is 7 years (2557 days,
    # two leap days) + 152 days = 2709, less the two end days, plus one (inclusive) = 2708
    assert (f1["ANNUAL_COST"], f1["ANNUAL_ALLOWANCE"], f1["DAYS_TO_18"]) == (44000, 7000, 2708)
    assert f1["DATE_18"] == D("2034-03-01") and f1["EXIT_DATE"] == D("2026-10-01")
    # (44000 - 7000) * 2708 / 365 = 100,196,000 / 365
    assert f1["PROJECTED_SAVING"] == pytest.approx(274509.589, abs=0.001)
    assert rows.loc[("STABLE_FOSTER_IN_HOUSE", "F3"), "ANNUAL_COST"] == 19000   # age band 5 to 9
    assert rows.loc[("PWP_CARE_ORDER", "P1"), ["ANNUAL_COST", "ANNUAL_ALLOWANCE"]].tolist() == [5000, 0]
    assert rows.loc[("UNSTABLE", "U1"), ["ANNUAL_COST", "ANNUAL_ALLOWANCE"]].tolist() == [190000, 6000]
    assert rows.loc[("SECTION20_LONG", "S1"), ["ANNUAL_COST", "ANNUAL_ALLOWANCE"]].tolist() == [190000, 0]
    # F12 is 12: the 2026-27 agency rate (ALL band), not 2025-26's 40,000
    assert rows.loc[("STABLE_FOSTER_AGENCY", "F12"), "ANNUAL_COST"] == 44000
    # S1 (born 1 Jan 2011): 1 Oct 2026 .. 31 Dec 2028 = 92 + 366 + 365 = 823 days at 190,000
    assert rows.loc[("SECTION20_LONG", "S1"), "PROJECTED_SAVING"] == pytest.approx(190000 * 823 / 365)


def test_a_missing_unit_cost_leaves_the_saving_missing_and_counted(params):
    out = build_candidates(_episodes(), _tracker(), UNIT_COSTS[UNIT_COSTS["PLACEMENT_GROUP"] != "RESIDENTIAL_AGENCY"], params)
    rows = out.rows.set_index(["GROUP", "CHILD"])
    assert pd.isna(rows.loc[("UNSTABLE", "U1"), "PROJECTED_SAVING"])
    s = out.summary.set_index("GROUP")
    assert s.loc["UNSTABLE", "COST_UNKNOWN"] == 1 and s.loc["SECTION20_LONG", "COST_UNKNOWN"] == 1
    # U5 alone: (44000 - 6000) * days from 1 Oct 2026 to 30 Jun 2030 (born 1 Jul 2012)
    assert s.loc["UNSTABLE", "PROJECTED_SAVING"] == pytest.approx(38000 * (92 + 365 + 365 + 366 + 181) / 365, abs=0.01)
    assert any("missing" in n for n in out.notes)


def test_thresholds_come_from_params(params):
    looser = replace(params, candidates=CandidateParams(stable_foster_years=1.5, max_age_years=18))
    out = build_candidates(_episodes(), _tracker(), UNIT_COSTS, looser)
    agency = _children_in(out, "STABLE_FOSTER_AGENCY")
    assert "F4" in agency and "F2" in agency and "F8" in agency  # 18, 23 months; age 17 allowed


# --- missing or bad input --------------------------------------------------------------------

def test_without_the_tracker_adoption_plans_come_from_legal_status_and_placement(params):
    out = build_candidates(_episodes(), None, UNIT_COSTS, params)
    agency = _children_in(out, "STABLE_FOSTER_AGENCY")
    assert "F6" in agency            # its adoption case cannot be seen
    assert "F7" not in agency and "U3" not in set(out.rows["CHILD"])
    assert out.rows["ALREADY_WORKING"].isna().all() and not out.tracker_available
    assert out.summary["ALREADY_WORKING"].isna().all()
    assert any("tracker was unavailable" in n for n in out.notes)


def test_adoption_plan_sources_are_named():
    kids = summarise_children_in_care(_episodes(), END, 12)
    plans = find_adoption_plans(kids, _tracker(), END).set_index("CHILD")
    assert plans.loc["F6", "ADOPTION_PLAN_SOURCE"] == "tracker"
    assert plans.loc["F7", "ADOPTION_PLAN_SOURCE"] == "legal status"
    assert plans.loc["U3", "ADOPTION_PLAN_SOURCE"] == "legal status; placement"
    assert not plans.loc["F11", "ADOPTION_PLAN"]


def test_without_unit_costs_the_costs_are_missing_not_zero(params):
    out = build_candidates(_episodes(), _tracker(), None, params)
    assert out.rows["ANNUAL_COST"].isna().all() and out.rows["PROJECTED_SAVING"].isna().all()
    assert not out.costs_available and out.summary["COST_UNKNOWN"].sum() == 11
    assert len(out.rows) == 11


def test_a_case_with_a_later_referral_after_closure_is_open_again():
    t = _tracker([["C", "X", "SGO", "REFERRAL", "2025-01-01"], ["C", "X", "SGO", "CLOSED", "2025-03-01"],
                  ["C", "X", "SGO", "REFERRAL", "2026-02-01"], ["D", "Y", "SGO", "GRANTED", "2026-09-30"]])
    assert find_open_cases(t, END, ("SGO",))[["CHILD", "STAGE"]].values.tolist() == [["X", "REFERRAL"]]


def test_a_tracker_without_its_columns_is_refused():
    with pytest.raises(InputError, match="STAGE"):
        find_open_cases(_tracker().drop(columns="STAGE"), END, ("SGO",))


def test_inputs_are_not_mutated(params):
    eps, tr = _episodes(), _tracker()
    before = (eps.copy(), tr.copy(), UNIT_COSTS.copy())
    build_candidates(eps, tr, UNIT_COSTS, params)
    pd.testing.assert_frame_equal(eps, before[0])
    pd.testing.assert_frame_equal(tr, before[1])
    pd.testing.assert_frame_equal(UNIT_COSTS, before[2])


def test_nobody_in_care_gives_an_empty_list_with_every_group_in_the_summary(params):
    out = build_candidates(_episodes(EPISODES[:0] + [["Z", "2026-01-01", "S", "C2", "U4", "PR4", "2026-02-01", "E4A"]]),
                           _tracker(), UNIT_COSTS, params)
    assert out.rows.empty and out.summary["CHILDREN"].tolist() == [0] * len(GROUPS)


def test_the_catalog_fact_is_the_list_and_tolerates_absent_local_files(params, result):
    from pipeline.process.candidates import build_candidates_fact

    fact = build_candidates_fact({"permanence_tracker": _tracker(), "unit_costs": UNIT_COSTS}, _episodes(), params)
    pd.testing.assert_frame_equal(fact, result.rows)
    assert len(build_candidates_fact({}, _episodes(), params)) == 12  # F6 joins without the tracker


# --- properties for any episode history ------------------------------------------------------

_episode = st.tuples(
    st.sampled_from(["S", "L", "P", "T", "U", "B"]), st.sampled_from(["C1", "C2", "V2", "E1", "V3"]),
    st.sampled_from(["U1", "U4", "P1", "K2", "A4"]), st.sampled_from(["PR0", "PR1", "PR4"]),
    st.integers(min_value=1, max_value=1200),
)


@st.composite
def _histories(draw):
    rows, dob = [], {}
    for i in range(draw(st.integers(min_value=1, max_value=5))):
        child, day = f"H{i}", D("2020-01-01") + timedelta(days=draw(st.integers(min_value=0, max_value=2000)))
        dob[child] = D("2008-01-01") + timedelta(days=draw(st.integers(min_value=0, max_value=6000)))
        chain = draw(st.lists(_episode, min_size=1, max_size=4))
        for j, (rne, ls, place, prov, length) in enumerate(chain):
            last = j == len(chain) - 1
            end = day + timedelta(days=length)
            closed = not last or draw(st.booleans())
            rows.append([child, day, "S" if j == 0 else rne, ls, place, prov,
                         end if closed else None, ("E4A" if last else "X1") if closed else None])
            day = end
    eps = pd.DataFrame(rows, columns=COLS)
    eps["DEC"] = pd.to_datetime(eps["DEC"])
    header = pd.DataFrame({"CHILD": list(dob), "DOB": list(dob.values()), "SEX": "F", "ETHNIC": "WBRI"})
    return derive_episode_fields(eps, header)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(episodes=_histories())
def test_listed_children_always_obey_the_exclusions(params, episodes):
    rows = build_candidates(episodes, None, UNIT_COSTS, params).rows
    assert (rows["AGE"] < 17).all()
    no_plan = rows["GROUP"].isin(["STABLE_FOSTER_AGENCY", "STABLE_FOSTER_IN_HOUSE", "UNSTABLE"])
    assert not rows.loc[no_plan, "ADOPTION_PLAN"].any()
    open_now = set(select_open_on(episodes, END)["CHILD"])
    assert set(rows["CHILD"]) <= open_now
    assert rows["FIRST_FOR_CHILD"].sum() == rows["CHILD"].nunique()
    stable = rows[rows["GROUP"].str.startswith("STABLE_FOSTER")]
    assert (stable["MONTHS_WITH_CARER"] >= 24).all() and stable["PLACE"].isin(["U1", "U4"]).all()
    assert not rows["LS"].isin(["V3", "V4"]).any()
