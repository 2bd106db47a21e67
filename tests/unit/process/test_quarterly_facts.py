"""Quarterly fact tables on the hand-worked story in tests/fixtures/quarterly_story.py."""

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.periods import quarter_of
from pipeline.process import quarterly as q
from pipeline.process.catalog import build_facts
from tests.fixtures.quarterly_story import (
    make_tracker,
    make_unit_costs,
    make_validated,
    story_facts,
    story_params,
)

D = pd.Timestamp


@pytest.fixture(scope="module")
def params():
    return story_params()


@pytest.fixture(scope="module")
def facts():
    return story_facts()


# --- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize("day,fy,quarter", [
    ("2026-04-01", "2026-27", "2026-27 Q1"), ("2026-06-30", "2026-27", "2026-27 Q1"),
    ("2026-09-30", "2026-27", "2026-27 Q2"), ("2027-01-01", "2026-27", "2026-27 Q4"),
    ("2027-03-31", "2026-27", "2026-27 Q4"), ("2099-12-31", "2099-00", "2099-00 Q3"),
])
def test_period_labels(day, fy, quarter):
    s = pd.Series([D(day)])
    assert q.label_financial_years(s).iloc[0] == fy
    assert q.label_quarters(s).iloc[0] == quarter


def test_missing_dates_have_missing_labels():
    assert q.label_quarters(pd.Series([pd.NaT, D("2026-05-01")])).isna().tolist() == [True, False]


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)))
def test_quarter_labels_agree_with_periods(day):
    assert q.label_quarters(pd.Series([D(day)])).iloc[0] == quarter_of(day).label


# --- exits ------------------------------------------------------------------------------------


def test_exits_one_row_per_period_of_care_ended(facts):
    ex = facts["exits"].set_index(["CHILD", "PERIOD_NO"])
    assert sorted(ex.index) == [("C1", 1), ("C10", 1), ("C2", 1), ("C4", 1), ("C4", 2), ("C5", 1)]
    assert ex.loc[("C1", 1), "ROUTE"] == "SGO_FFC" and ex.loc[("C1", 1), "QUARTER"] == "2026-27 Q2"
    assert ex.loc[("C2", 1), "QUARTER"] == "2026-27 Q1"            # granted on 1 April
    assert ex.loc[("C10", 1), "QUARTER"] == "2026-27 Q1"           # last day of Q1
    assert ex.loc[("C4", 1), "ROUTE"] == "HOME_UNPLANNED" and ex.loc[("C4", 2), "ROUTE"] == "HOME_PLANNED"
    # the source key is the episode that ended the period
    assert ex.loc[("C5", 1), "DECOM"] == D("2026-02-01") and ex.loc[("C5", 1), "SOURCE_ROW"] == 8


def test_short_break_only_period_is_not_an_exit(facts):
    assert "C11" not in set(facts["exits"]["CHILD"])


def test_last_exit_in_year_marks_the_later_of_two(facts):
    c4 = facts["exits"].query("CHILD == 'C4'").set_index("PERIOD_NO")["LAST_EXIT_IN_FY"]
    assert c4.to_dict() == {1: False, 2: True}


def test_exits_matched_to_the_team_case_that_produced_them(facts):
    ex = facts["exits"].set_index("CHILD")
    assert ex.loc["C1", "TEAM_CASE_ID"] == "S1" and ex.loc["C2", "TEAM_CASE_ID"] == "S2"
    assert ex.loc["C5", "TEAM_CASE_ID"] == "A1"
    assert ex.loc["C10", "TEAM_CASE_ID"] is pd.NA or pd.isna(ex.loc["C10", "TEAM_CASE_ID"])


def test_no_tracker_leaves_team_columns_missing_and_tracker_facts_absent(params):
    facts = build_facts(make_validated(without=("permanence_tracker",)), params)
    assert facts["exits"]["TEAM_CASE_ID"].isna().all()
    for name in ("tracker_events", "tracker_cases", "tracker_snapshots", "timeliness", "savings"):
        assert name not in facts
    assert "staffing_quarters" in facts


def test_missing_episodes_is_an_input_error(params):
    with pytest.raises(InputError, match="validate"):
        build_facts(make_validated(without=("episodes",)), params)


# --- tracker ----------------------------------------------------------------------------------


def test_team_routes_on_achievement_events(facts):
    ev = facts["tracker_events"]
    got = ev[ev["TEAM_ROUTE"].notna()].set_index("CASE_ID")["TEAM_ROUTE"].to_dict()
    assert got == {"S1": "SGO_FFC", "S2": "SGO_OTHER", "P1": "PWP", "A1": "ADOPTION"}


def test_repeated_stage_counts_once_and_unknown_carer_is_named():
    tr = make_tracker()
    extra = tr[tr["EVENT_ID"].eq("E006")].assign(EVENT_ID="E999", EVENT_DATE=D("2026-10-05"))
    tr = pd.concat([tr, extra], ignore_index=True)
    tr.loc[tr["CASE_ID"].eq("S1"), "CARER"] = pd.NA
    ev = q.build_tracker_events(tr)
    s1 = ev[ev["CASE_ID"].eq("S1") & ev["STAGE"].eq("GRANTED")].set_index("EVENT_ID")
    assert s1.loc["E006", "REPEAT"] == False and s1.loc["E999", "REPEAT"] == True  # noqa: E712
    assert s1.loc["E006", "TEAM_ROUTE"] == "SGO_CARER_UNKNOWN" and pd.isna(s1.loc["E999", "TEAM_ROUTE"])


def test_case_outcomes(facts):
    cases = facts["tracker_cases"].set_index("CASE_ID")
    assert cases.loc["S1", "OUTCOME"] == "ACHIEVED" and cases.loc["S1", "OUTCOME_DATE"] == D("2026-09-30")
    assert cases.loc["S4", "OUTCOME"] == "ENDED" and pd.isna(cases.loc["S4", "OUTCOME_DATE"])
    assert cases.loc["A3", "OUTCOME"] == "ENDED"                    # reversal
    assert cases.loc["P1", "OUTCOME"] == "OPEN"                     # placed, order not yet revoked
    assert cases.loc["S5", "STAGE_AT_AS_OF"] == "COURT"


def test_snapshots_hold_cases_open_on_the_last_day(facts):
    snap = facts["tracker_snapshots"]
    q2 = snap[snap["QUARTER"].eq("2026-27 Q2")].set_index("CASE_ID")
    # S1 was granted ON 30 September: not open at the end of Q2; A1 adopted, A3 reversed, S4 closed
    assert sorted(q2.index) == ["A2", "K1", "P1", "S3", "S5"]
    assert q2.loc["S3", "STAGE"] == "STAGE1" and q2.loc["S5", "STAGE"] == "COURT"
    assert q2.loc["K1", "RESPONSIBILITY"] == "COWORK" and q2.loc["S5", "WORKER_ID"] == "W2"
    q1 = snap[snap["QUARTER"].eq("2026-27 Q1")].set_index("CASE_ID")
    assert "S1" in q1.index and q1.loc["S1", "STAGE"] == "COURT"


@pytest.mark.parametrize("start,on,band", [
    ("2026-03-31", "2026-09-30", "Under 6 months"),   # 5 months 30 days
    ("2026-03-30", "2026-09-30", "6 to 12 months"),   # 6 months
    ("2025-09-15", "2026-09-30", "12 to 18 months"),
    ("2025-03-30", "2026-09-30", "18 months or more"),
])
def test_wait_bands(start, on, band):
    assert q.assign_wait_bands(pd.Series([D(start)]), pd.Series([D(on)])).iloc[0] == band


def test_timeliness_days(facts):
    tl = facts["timeliness"].set_index(["CASE_ID", "MEASURE"])
    assert tl.loc[("S1", "SGO_REFERRAL_TO_ORDER"), "DAYS"] == 333       # 1 Nov 2025 -> 30 Sep 2026
    assert tl.loc[("S2", "SGO_REFERRAL_TO_ORDER"), "DAYS"] == 86        # 5 Jan -> 1 Apr 2026
    assert tl.loc[("A1", "ADOPTION_BI_TO_ORDER"), "DAYS"] == 506
    assert tl.loc[("P1", "PWP_REFERRAL_TO_PLACED"), "QUARTER"] == "2026-27 Q2"
    assert ("S4", "SGO_REFERRAL_TO_ORDER") not in tl.index               # closed: no order


# --- staffing ---------------------------------------------------------------------------------


def test_staffing_spells_split_by_quarter(facts):
    sq = facts["staffing_quarters"]
    q2 = sq[sq["QUARTER"].eq("2026-27 Q2")].set_index(["POST_ID", "STATUS"])
    assert q2.loc[("P02", "FILLED"), "DAYS"] == 31 and not q2.loc[("P02", "FILLED"), "AT_END"]
    assert q2.loc[("P02", "VACANT"), "DAYS"] == 61 and q2.loc[("P02", "VACANT"), "AT_END"]
    assert q2.loc[("P03", "AGENCY"), "FTE_DAYS"] == 46.0
    assert q2.loc[("P05", "ABSENT"), "DAYS"] == 62
    # an open spell stops at the end of the period: nothing after 2026-27 Q2
    assert sq["QUARTER"].max() == "2026-27 Q2"


# --- savings ----------------------------------------------------------------------------------


def test_savings_rows_price_the_paid_placement_left(facts):
    sv = facts["savings"].set_index("CHILD")
    assert sv.loc["C1", "PLACEMENT_LEFT"] == "FOSTER_IN_HOUSE" and sv.loc["C1", "ANNUAL_COST"] == 21900  # 10 to 15
    assert sv.loc["C3", "PLACEMENT_LEFT"] == "FOSTER_IN_HOUSE" and sv.loc["C3", "ANNUAL_COST"] == 20075  # ALL
    assert sv.loc["C5", "PLACEMENT_LEFT"] == "FOSTER_IN_HOUSE"          # not the adoptive placement
    assert sv.loc["C2", "NET_ANNUAL_SAVING"] == 43800 - 7300
    assert sv.loc["C3", "ANNUAL_ALLOWANCE"] == 0                        # placed with parents: none
    assert sv.loc["C5", "NET_ANNUAL_SAVING"] == 20075 - 3650
    assert sv.loc["C2", "DATE_18"] == D("2027-06-01")


def test_unknown_cost_group_or_year_gives_missing_saving(params):
    costs = make_unit_costs()
    costs = costs[~costs["PLACEMENT_GROUP"].eq("FOSTER_AGENCY")]
    facts = build_facts(make_validated() | {"unit_costs": costs}, params)
    sv = facts["savings"].set_index("CHILD")
    assert pd.isna(sv.loc["C2", "NET_ANNUAL_SAVING"]) and not sv.loc["C2", "COST_KNOWN"]
    assert sv.loc["C1", "COST_KNOWN"]


def test_lookup_prefers_exact_band_then_all():
    keys = pd.DataFrame({"FY": ["2026-27", "2026-27", "2030-31"], "G": ["FOSTER_IN_HOUSE"] * 3,
                         "AGE_BAND": ["10 to 15", "Under 1", "10 to 15"]})
    got = q.lookup_annual_costs(keys, make_unit_costs(), "G").tolist()
    assert got[:2] == [21900.0, 20075.0] and pd.isna(got[2])


def test_exits_in_a_year_the_unit_costs_do_not_list_carry_the_reason(params):
    costs = make_unit_costs()
    costs = costs.assign(FINANCIAL_YEAR=costs["FINANCIAL_YEAR"].replace("2026-27", "2027-28"))
    facts = build_facts(make_validated() | {"unit_costs": costs}, params)
    sv = facts["savings"]
    in_2026 = sv["FY"].eq("2026-27")
    assert in_2026.any() and not sv.loc[in_2026, "COST_KNOWN"].any()
    assert set(sv.loc[in_2026, "COST_UNKNOWN_REASON"]) == {"no unit cost for 2026-27 in unit_costs.csv"}


def test_a_listed_year_has_no_reason_even_when_a_group_is_missing(params):
    costs = make_unit_costs()
    facts = build_facts(make_validated() | {"unit_costs": costs[~costs["PLACEMENT_GROUP"].eq("FOSTER_AGENCY")]}, params)
    assert facts["savings"]["COST_UNKNOWN_REASON"].isna().all()


def test_missing_cost_years_pure():
    years = pd.Series(["2026-27", "2025-26", None], dtype="string")
    got = q.explain_missing_cost_years(years, make_unit_costs().query("FINANCIAL_YEAR == '2025-26'"))
    assert got.iloc[0] == "no unit cost for 2026-27 in unit_costs.csv" and pd.isna(got.iloc[1]) and pd.isna(got.iloc[2])
