from datetime import date

import pytest

from pipeline.periods import (
    FinancialYear,
    PeriodError,
    Quarter,
    financial_year_of,
    parse_financial_year,
    parse_quarter,
    quarter_of,
)


def test_quarter_two_of_2021_22_runs_july_to_september():
    q = parse_quarter("2021-22 Q2")
    assert (q.start, q.end) == (date(2021, 7, 1), date(2021, 9, 30))
    assert q.label == "2021-22 Q2" and q.slug == "2021-22-Q2"


def test_quarter_four_ends_on_31_march_of_the_next_calendar_year():
    q = parse_quarter("2021-22 Q4")
    assert (q.start, q.end) == (date(2022, 1, 1), date(2022, 3, 31))


def test_quarter_three_spans_the_calendar_year_end():
    q = parse_quarter("2021-22 Q3")
    assert (q.start, q.end) == (date(2021, 10, 1), date(2021, 12, 31))


def test_slug_form_is_accepted():
    assert parse_quarter("2021-22-Q2") == Quarter(FinancialYear(2021), 2)


def test_next_and_previous_cross_financial_years():
    q4 = parse_quarter("2021-22 Q4")
    assert q4.next() == parse_quarter("2022-23 Q1")
    assert parse_quarter("2022-23 Q1").previous() == q4


def test_quarters_to_date():
    assert [q.label for q in parse_quarter("2021-22 Q3").quarters_to_date()] == [
        "2021-22 Q1", "2021-22 Q2", "2021-22 Q3"]


def test_financial_year_and_collection_year():
    fy = parse_financial_year("2024-25")
    assert (fy.start, fy.end, fy.collection_year) == (date(2024, 4, 1), date(2025, 3, 31), 2025)
    assert parse_financial_year("1999-00").end == date(2000, 3, 31)


@pytest.mark.parametrize("day,expected", [
    (date(2022, 3, 31), "2021-22 Q4"), (date(2022, 4, 1), "2022-23 Q1"),
    (date(2022, 6, 30), "2022-23 Q1"), (date(2022, 12, 31), "2022-23 Q3"),
])
def test_quarter_of(day, expected):
    assert quarter_of(day).label == expected
    assert financial_year_of(day).label == expected[:7]


@pytest.mark.parametrize("bad", ["2021-23", "2021/22 Q2", "2021-22 Q5", "Q2", ""])
def test_malformed_periods_are_refused(bad):
    with pytest.raises(PeriodError):
        parse_quarter(bad)
