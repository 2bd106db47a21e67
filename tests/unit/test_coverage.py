"""What the returns cover, worked out by hand from folder names (pipeline.coverage)."""

from datetime import date

import pandas as pd
import pytest

from pipeline.coverage import (
    build_coverage_fact,
    check_annual,
    check_day,
    check_quarter,
    check_window,
    list_returns,
    mark_uncovered,
    read_coverage,
    summarise_coverage,
)
from pipeline.periods import FinancialYear, parse_quarter


def _cov(*returns):
    return summarise_coverage(build_coverage_fact(list(returns)))


def test_folder_names_give_each_return_its_days():
    fact = build_coverage_fact(["2026-27_Q2", "2024-25", "2025-26"])
    assert list(fact["RETURN"]) == ["2024-25", "2025-26", "2026-27_Q2"]
    assert list(fact["KIND"]) == ["annual", "annual", "in-year"]
    assert fact["START"].iloc[2] == pd.Timestamp("2026-04-01")
    assert fact["END"].iloc[2] == pd.Timestamp("2026-09-30")


def test_consecutive_returns_merge_and_a_missing_year_is_a_gap():
    assert _cov("2024-25", "2025-26", "2026-27_Q1").spans == ((date(2024, 4, 1), date(2026, 6, 30)),)
    gap = _cov("2019-20", "2021-22")
    assert gap.spans == ((date(2019, 4, 1), date(2020, 3, 31)), (date(2021, 4, 1), date(2022, 3, 31)))
    assert check_window(gap, date(2020, 4, 1), date(2021, 3, 31)).startswith(
        "no return covers the whole of 1 April 2020 to 31 March 2021")


def test_a_later_extract_inside_an_annual_return_adds_nothing():
    assert _cov("2026-27_Q1", "2026-27_Q2").spans == ((date(2026, 4, 1), date(2026, 9, 30)),)


@pytest.mark.parametrize(("day", "covered"), [
    (date(2017, 3, 31), True),    # the first return's opening stock
    (date(2017, 3, 30), False),   # before it
    (date(2018, 3, 31), True),
    (date(2019, 3, 31), True),    # the last return's 31 March
    (date(2019, 4, 1), False),    # after the data end
    (date(2022, 3, 31), False),
])
def test_a_snapshot_day_is_covered_from_the_opening_stock_to_the_last_day(day, covered):
    cov = _cov("2017-18", "2018-19")
    reason = check_day(cov, day)
    assert (reason is None) == covered
    if not covered:
        assert reason == (f"no return covers {day.day} {day:%B %Y} "
                          "(the returns cover 1 April 2017 to 31 March 2019)")


def test_a_flow_before_the_first_return_is_not_covered_even_by_its_opening_stock():
    cov = _cov("2017-18", "2018-19")
    assert check_window(cov, date(2016, 4, 1), date(2017, 3, 31)) is not None
    assert check_window(cov, date(2017, 4, 1), date(2018, 3, 31)) is None
    assert check_window(cov, date(2018, 10, 1), date(2019, 4, 30)) is not None


def test_a_quarter_needs_its_year_to_date():
    cov = _cov("2025-26", "2026-27_Q2")
    assert check_quarter(cov, parse_quarter("2026-27 Q2")) is None
    assert check_quarter(cov, parse_quarter("2026-27 Q1")) is None
    assert "1 April 2026 to 31 December 2026" in check_quarter(cov, parse_quarter("2026-27 Q3"))
    assert check_quarter(_cov("2026-27_Q2"), parse_quarter("2025-26 Q4")) is not None


def test_care_leavers_need_the_annual_return():
    cov = _cov("2025-26", "2026-27_Q2")
    assert check_annual(cov, FinancialYear(2025)) is None
    assert check_annual(cov, FinancialYear(2026)).startswith("no annual return for 2026-27")


def test_no_coverage_fact_checks_nothing():
    assert read_coverage({}) is None
    assert check_day(None, date(1990, 1, 1)) is None


def test_returns_come_from_the_manifest_or_else_the_tables():
    assert list_returns({"returns": pd.DataFrame({"RETURN": ["2024-25"]}),
                         "episodes": pd.DataFrame({"RETURN": ["2023-24"]})}) == ["2024-25"]
    assert list_returns({"episodes": pd.DataFrame({"RETURN": ["2024-25", "2023-24", None]}),
                         "population": pd.DataFrame({"YEAR": [2024]})}) == ["2023-24", "2024-25"]


def test_uncovered_figures_are_unavailable_with_the_reason_never_zero_or_carried_forward():
    measures = pd.DataFrame([
        ("cla_31_march", "2017-18", "", "", 624.0, "children"),
        ("cla_31_march", "2021-22", "", "", 624.0, "children"),           # carried forward: not covered
        ("admissions", "2016-17", "", "", 0.0, "children"),               # before the first return
        ("cla_31_march", "2016-17", "", "", 600.0, "children"),           # opening stock: covered
        ("fostering_households", "2021-22", "", "", 40.0, "households"),  # a local file: not a return's
        ("exits_dfe_ytd", "2021-22 Q2", "route", "ALL", 0.0, "children"),
        ("exits_team_target", "2021-22 Q2", "", "", 28.0, "children"),
        ("unit_cost", "2017-18", "", "", float("nan"), "unavailable"),
    ], columns=["measure_id", "period", "dimension", "category", "value", "unit"])
    cov = _cov("2017-18")
    out = mark_uncovered(measures, cov, parse_quarter("2021-22 Q2"))
    assert list(out["unit"]) == ["children", "unavailable", "unavailable", "children", "households",
                                 "unavailable", "children", "unavailable"]
    assert out["value"].isna().tolist() == [False, True, True, False, False, True, False, True]
    assert out.at[1, "reason"] == "no return covers 31 March 2022 (the returns cover 1 April 2017 to 31 March 2018)"
    assert out.at[2, "reason"].startswith("no return covers the whole of 1 April 2016 to 31 March 2017")
    assert out.at[5, "reason"].startswith("no return covers the whole of 1 April 2021 to 30 September 2021")
    assert out.at[7, "reason"].startswith("not computable from the data supplied")
    assert out.at[0, "reason"] == "" and measures.at[1, "value"] == 624.0  # input untouched
