"""Quarterly measures on the hand-worked story (tests/fixtures/quarterly_story.py)."""

import pandas as pd
import pytest

from pipeline.measures import quarterly as m
from pipeline.periods import parse_quarter
from pipeline.process.catalog import build_facts
from tests.fixtures.quarterly_story import make_validated, story_facts, story_params

Q1, Q2, Q4 = parse_quarter("2026-27 Q1"), parse_quarter("2026-27 Q2"), parse_quarter("2026-27 Q4")


@pytest.fixture(scope="module")
def params():
    return story_params()


@pytest.fixture(scope="module")
def facts():
    return story_facts()


@pytest.fixture(scope="module")
def tidy(facts, params):
    return m.compute_quarterly_measures(facts, params)


def value(tidy, measure_id, category=""):
    rows = tidy[(tidy["measure_id"] == measure_id) & (tidy["category"] == category)]
    assert len(rows) == 1, (measure_id, category, len(rows))
    v = rows["value"].iloc[0]
    return None if pd.isna(v) else float(v)


# --- exits ------------------------------------------------------------------------------------


@pytest.mark.parametrize("measure,route,expected", [
    ("exits_dfe_quarter", "SGO_FFC", 1),        # C1 on the last day of Q2
    ("exits_dfe_quarter", "SGO_OTHER", 0),      # C2 on 1 April is in Q1
    ("exits_dfe_ytd", "SGO_OTHER", 1),
    ("exits_dfe_quarter", "ADOPTION", 1),
    ("exits_dfe_ytd", "HOME_PLANNED", 1), ("exits_dfe_ytd", "HOME_UNPLANNED", 1),  # C4's two periods
    ("exits_dfe_ytd", "OTHER", 1),              # C10; C11 short breaks excluded
    ("exits_dfe_ytd", "ALL", 6),
    ("exits_team_quarter", "PWP", 1),           # placed with parents counts for the team
    ("exits_team_quarter", "EXIT_TEAM", 2),
    ("exits_team_ytd", "EXIT_TEAM", 3),
    ("exits_team_ytd", "ADOPTION", 1),
])
def test_exits(tidy, measure, route, expected):
    assert value(tidy, measure, route) == expected


def test_pwp_is_a_team_exit_but_not_a_dfe_exit(tidy):
    assert "PWP" not in set(tidy.loc[tidy["measure_id"].eq("exits_dfe_ytd"), "category"])


def test_forecasts(tidy):
    assert value(tidy, "exits_team_target") == 28 and value(tidy, "adoptions_target") == 35
    assert value(tidy, "exits_team_forecast_run_rate") == 3 / 2 * 4
    # late stage at the end of Q2: S5 at court, K1 placed with connected persons; S1 and S2
    # reached a late stage and were granted: completion rate 1 -> 3 + 2 x 1
    assert value(tidy, "exits_team_late_stage_open") == 2
    assert value(tidy, "exits_team_completion_rate") == 1.0
    assert value(tidy, "exits_team_forecast_pipeline") == 5
    assert value(tidy, "adoptions_forecast_run_rate") == 2 and value(tidy, "adoptions_forecast_pipeline") == 1


def test_run_rate_and_pipeline_rules():
    assert m.forecast_run_rate(5, Q1) == 20 and m.forecast_run_rate(21, Q4) == 21
    assert m.forecast_pipeline(10, 4, 0.5, Q2) == 12
    assert m.forecast_pipeline(10, 4, 0.5, Q4) == 10       # no quarter left
    assert m.forecast_pipeline(10, 0, None, Q2) == 10
    assert m.forecast_pipeline(10, 3, None, Q2) is None    # no history to weigh cases by


def test_completion_rate_counts_resolved_late_stage_cases(facts):
    cases = facts["tracker_cases"]
    # at the end of Q1: S2 (court, granted 1 April) is the only resolved late-stage SGO case
    assert m.estimate_completion_rate(cases, ["SGO"], pd.Timestamp("2026-06-30")) == 1.0
    assert m.estimate_completion_rate(cases, ["CP"], pd.Timestamp("2026-09-30")) is None


# --- funnels ------------------------------------------------------------------------------------


@pytest.mark.parametrize("measure,category,expected", [
    ("funnel_events_quarter", "SGO|REFERRAL", 1), ("funnel_events_ytd", "SGO|REFERRAL", 2),
    ("funnel_events_quarter", "SGO|PANEL", 1), ("funnel_events_quarter", "SGO|GRANTED", 1),
    ("funnel_events_ytd", "SGO|CLOSED", 1),
    ("funnel_open_at_end", "SGO|STAGE1", 1),       # ongoing: S3
    ("funnel_open_at_end", "SGO|COURT", 1),        # awaiting a hearing: S5
    ("funnel_open_at_end", "SGO|GRANTED", 0),
    ("funnel_events_quarter", "PWP|PLACED", 1), ("funnel_open_at_end", "PWP|PLACED", 1),
    ("funnel_open_at_end", "CP|PLACED", 1),
    ("funnel_events_quarter", "ADOPTION|ADOPTION_ORDER", 1),
    ("funnel_events_quarter", "ADOPTION|REVERSAL", 1), ("funnel_events_ytd", "ADOPTION|BI_DECISION", 1),
])
def test_funnels(tidy, measure, category, expected):
    assert value(tidy, measure, category) == expected


def test_caseloads_are_team_level_only(tidy):
    # the story: W1 holds 1 case and co-works 1, W2 holds 2 (Exit Team); W3 holds 1 (adoption)
    assert value(tidy, "caseload_at_end", "EXIT|CASE") == 3
    assert value(tidy, "caseload_at_end", "EXIT|COWORK") == 1
    assert value(tidy, "caseload_at_end", "ADOPTION|CASE") == 1
    cats = tidy.loc[tidy["measure_id"].eq("caseload_at_end"), "category"]
    assert not cats.str.contains("W[0-9]").any()


def test_staffing(tidy):
    assert value(tidy, "staff_fte_at_end", "EXIT|VACANT") == 1.0
    assert value(tidy, "staff_fte_at_end", "EXIT|AGENCY") == 0.5
    assert value(tidy, "staff_capacity_lost_quarter", "EXIT") == pytest.approx(61 / 230)
    assert value(tidy, "staff_capacity_lost_quarter", "ADOPTION") == pytest.approx((62 + 30) / 184)


def test_adoption_waiting(tidy):
    assert value(tidy, "adoption_waiting_at_end", "12 to 18 months") == 1
    assert value(tidy, "adoption_waiting_at_end", "ALL") == 1
    assert value(tidy, "adoption_waiting_median_days") == 380   # 15 Sep 2025 -> 30 Sep 2026


def test_timeliness(tidy):
    assert value(tidy, "timeliness_median_days_quarter", "SGO_REFERRAL_TO_ORDER") == 333
    assert value(tidy, "timeliness_median_days_ytd", "SGO_REFERRAL_TO_ORDER") == (86 + 333) / 2
    assert value(tidy, "timeliness_cases_ytd", "SGO_REFERRAL_TO_ORDER") == 2
    assert value(tidy, "timeliness_median_days_ytd", "CAO_REFERRAL_TO_ORDER") is None


def test_savings(tidy):
    assert value(tidy, "savings_quarter", "ALL") == pytest.approx(40 + 2585 + 3285)
    assert value(tidy, "savings_ytd", "ALL") == pytest.approx(18300 + 40 + 2585 + 3285)
    assert value(tidy, "savings_children_ytd", "EXIT_TEAM") == 3


def test_measure_ids_are_all_declared(tidy):
    assert set(tidy["measure_id"]) == set(m.MEASURES)
    assert list(tidy.columns) == m.TIDY_COLUMNS


def test_missing_tracker_makes_tracker_measures_unavailable_not_zero(params):
    facts = build_facts(make_validated(without=("permanence_tracker",)), params)
    tidy = m.compute_quarterly_measures(facts, params)
    row = tidy[tidy["measure_id"].eq("exits_team_ytd")]
    assert len(row) == 1 and row["unit"].iloc[0] == "unavailable" and pd.isna(row["value"].iloc[0])
    assert tidy[tidy["measure_id"].eq("savings_quarter")]["unit"].tolist() == ["unavailable"]
    assert value(tidy, "exits_dfe_ytd", "ALL") == 6             # still computed
    assert value(tidy, "staff_fte_at_end", "EXIT|VACANT") == 1.0


def test_another_period_from_the_same_facts(params):
    facts = build_facts(make_validated(), params)
    tidy = m.compute_quarterly_measures(facts, params, period=Q1)
    assert value(tidy, "exits_team_quarter", "SGO_OTHER") == 1
    assert value(tidy, "funnel_open_at_end", "SGO|COURT") == 1   # S1 awaiting court at 30 June


def test_bad_window_is_rejected():
    with pytest.raises(ValueError):
        m.window_labels(Q2, "month")


def test_a_missing_unit_cost_year_makes_the_savings_unavailable_with_the_reason(params):
    from pipeline.coverage import mark_uncovered
    from tests.fixtures.quarterly_story import make_unit_costs

    costs = make_unit_costs()
    facts = build_facts(make_validated() | {"unit_costs": costs[costs["FINANCIAL_YEAR"].ne("2026-27")]}, params)
    tidy = mark_uncovered(m.compute_quarterly_measures(facts, params), None, params.period)
    pounds = tidy[tidy["measure_id"].isin(["savings_quarter", "savings_ytd", "savings_year_end", "savings_to_18_ytd"])
                  & tidy["category"].eq("ALL")]
    assert len(pounds) == 4 and pounds["value"].isna().all() and (pounds["unit"] == "unavailable").all()
    assert set(pounds["reason"]) == {"no unit cost for 2026-27 in unit_costs.csv"}
    # the children are still counted, and every other measure keeps an empty reason
    assert value(tidy, "savings_children_ytd", "EXIT_TEAM") == 3
    assert value(tidy, "savings_cost_unknown_ytd", "EXIT_TEAM") == 3
    assert (tidy.loc[tidy["unit"].ne("unavailable"), "reason"] == "").all()
