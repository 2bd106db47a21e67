"""Savings: hand-worked days and pounds (costs in the story are whole pounds a day)."""

from datetime import date

import pandas as pd
import pytest

from pipeline.measures import savings as s
from pipeline.periods import parse_quarter

D = pd.Timestamp
Q2 = parse_quarter("2026-27 Q2")


def _rows(*rows):
    """(child, route, exit date, date of 18th birthday, net annual saving or None)"""
    df = pd.DataFrame(rows, columns=["CHILD", "ROUTE", "EXIT_DATE", "DATE_18", "NET_ANNUAL_SAVING"])
    df["EXIT_DATE"], df["DATE_18"] = pd.to_datetime(df["EXIT_DATE"]), pd.to_datetime(df["DATE_18"])
    df["NET_ANNUAL_SAVING"] = df["NET_ANNUAL_SAVING"].astype("Float64")
    df["COST_KNOWN"] = df["NET_ANNUAL_SAVING"].notna()
    from pipeline.process.quarterly import label_quarters

    df["QUARTER"] = label_quarters(df["EXIT_DATE"])
    return df


SAVINGS = _rows(
    ["C2", "SGO_OTHER", "2026-04-01", "2027-06-01", 36500.0],   # 100 a day, Q1
    ["C1", "SGO_FFC", "2026-09-30", "2033-05-10", 14600.0],     # 40 a day, last day of Q2
    ["C3", "PWP", "2026-08-15", "2036-02-14", 20075.0],         # 55 a day
    ["C9", "CAO", "2026-08-01", "2030-01-01", None],            # cost unknown
)


def test_savings_in_the_quarter_count_only_the_quarters_exits():
    # C1: 1 day x 40; C3: 15 Aug-30 Sep = 47 days x 55 = 2585
    assert s.compute_savings(SAVINGS, Q2, "quarter", 365) == pytest.approx(40 + 2585)


def test_savings_year_to_date_run_to_the_period_end():
    # C2: 1 Apr-30 Sep = 183 days x 100 = 18300, plus the Q2 exits
    assert s.compute_savings(SAVINGS, Q2, "ytd", 365) == pytest.approx(18300 + 40 + 2585)


def test_savings_to_the_year_end_and_to_18():
    # to 31 March 2027 inclusive: C2 365 days; C1 1 (30 Sep) + 182 = 183 days; C3 17 + 30 + 182 = 229 days
    assert s.compute_savings(SAVINGS, Q2, "year_end", 365) == pytest.approx(36500 + 183 * 40 + 229 * 55)
    # to 18: C2 1 Apr 2026-31 May 2027
    c2_days = (date(2027, 6, 1) - date(2026, 4, 1)).days
    assert s.compute_savings(SAVINGS, Q2, "to_18_ytd", 365, routes=["SGO_OTHER"]) == pytest.approx(c2_days * 100)


def test_unknown_costs_are_left_out_and_counted():
    assert s.count_cost_unknown(SAVINGS, ["2026-27 Q2"]) == 1
    assert s.compute_savings(SAVINGS, Q2, "quarter", 365, routes=["CAO"]) == 0.0


def test_basis_days_scale_the_daily_rate():
    assert s.compute_savings(SAVINGS, Q2, "quarter", 730, routes=["SGO_FFC"]) == pytest.approx(20)


def test_bad_horizon_and_basis_are_rejected():
    with pytest.raises(ValueError, match="horizon"):
        s.compute_savings(SAVINGS, Q2, "forever", 365)
    with pytest.raises(ValueError, match="positive"):
        s.compute_savings(SAVINGS, Q2, "quarter", 0)


def test_round_pounds_half_up():
    assert [s.round_pounds(v) for v in (0.5, 1.49, 2.5, 1234.5)] == [1, 1, 3, 1235]


# --- a figure that cannot be computed is unavailable with a reason, never £0 (issue 17) ----------

NO_YEAR = "no unit cost for 2026-27 in unit_costs.csv"


def _with_reasons(frame, reasons):
    return frame.assign(COST_UNKNOWN_REASON=pd.Series(reasons, index=frame.index, dtype="string"))


def test_a_year_missing_from_the_unit_costs_makes_the_figure_unavailable():
    sv = _with_reasons(SAVINGS, [None, None, None, NO_YEAR])  # C9's exit year (Q2) has no costs
    assert s.explain_unavailable(sv, ["2026-27 Q2"]) == NO_YEAR
    assert s.compute_savings_or_reason(sv, Q2, "ytd", 365) == (None, NO_YEAR)
    assert s.compute_savings_or_reason(sv, Q2, "to_18_ytd", 365) == (None, NO_YEAR)
    # a window or route without that exit is still computed: C2 alone in Q1
    q1 = parse_quarter("2026-27 Q1")
    assert s.compute_savings_or_reason(sv, q1, "quarter", 365) == (pytest.approx(91 * 100), None)
    assert s.compute_savings_or_reason(sv, Q2, "quarter", 365, routes=["PWP"]) == (pytest.approx(2585), None)


def test_two_reasons_are_both_given_once():
    sv = _with_reasons(SAVINGS, [NO_YEAR, None, "no unit cost for 2025-26 in costs.csv", NO_YEAR])
    assert s.explain_unavailable(sv, ["2026-27 Q1", "2026-27 Q2"]) == f"no unit cost for 2025-26 in costs.csv; {NO_YEAR}"


def test_no_known_cost_at_all_is_unavailable_not_zero():
    # C9 (CAO) is the route's only exit and its cost is unknown: not £0
    pounds, reason = s.compute_savings_or_reason(SAVINGS, Q2, "quarter", 365, routes=["CAO"])
    assert pounds is None
    assert reason == "the unit costs file has no cost for the placement (or allowance) of the child"
    both = SAVINGS.assign(COST_KNOWN=False)
    assert s.explain_unavailable(both, ["2026-27 Q2"]).endswith("of any of the 3 children")


def test_some_costs_known_or_no_exits_is_a_figure():
    # one of three Q2 exits unknown: the sum of the other two, with the unknown one counted apart
    assert s.compute_savings_or_reason(SAVINGS, Q2, "quarter", 365) == (pytest.approx(40 + 2585), None)
    # no exits at all: a true £0
    assert s.compute_savings_or_reason(SAVINGS, Q2, "quarter", 365, routes=["ADOPTION"]) == (0.0, None)
