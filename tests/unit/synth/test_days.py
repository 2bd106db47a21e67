from datetime import date

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pipeline.synth import days as dd


def d(y, m, day):
    return dd.day(date(y, m, day))


def test_day_numbers_round_trip_through_components():
    year, month, dom = dd.components(np.array([d(2024, 2, 29), d(1999, 12, 31)]))
    assert year.tolist() == [2024, 1999] and month.tolist() == [2, 12] and dom.tolist() == [29, 31]


def test_add_years_keeps_the_calendar_day_and_moves_29_february_to_1_march():
    out = dd.add_years(np.array([d(2008, 6, 15), d(2008, 2, 29), d(2008, 2, 29)]), np.array([18, 18, 16]))
    assert out.tolist() == [d(2026, 6, 15), d(2026, 3, 1), d(2024, 2, 29)]


def test_age_counts_the_birthday_itself():
    dob = np.array([d(2008, 6, 15)] * 3)
    on = np.array([d(2026, 6, 14), d(2026, 6, 15), d(2026, 6, 16)])
    assert dd.age_in_years(dob, on).tolist() == [17, 18, 18]


def test_format_days_both_formats_and_blank_for_none():
    days = np.array([d(2026, 3, 31), dd.NONE, d(2019, 4, 1)])
    assert dd.format_days(days, "%d/%m/%Y").tolist() == ["31/03/2026", "", "01/04/2019"]
    assert dd.format_days(days, "%Y-%m-%d").tolist() == ["2026-03-31", "", "2019-04-01"]


days_1950_2050 = st.integers(min_value=dd.day(date(1950, 1, 1)), max_value=dd.day(date(2050, 12, 31)))


@given(days_1950_2050, st.integers(min_value=1, max_value=30))
def test_age_reaches_n_on_the_nth_birthday_and_not_the_day_before(dob, n):
    birthday = dd.add_years(np.array([dob]), n)
    assert dd.age_in_years(np.array([dob]), birthday).tolist() == [n]
    assert dd.age_in_years(np.array([dob]), birthday - 1).tolist() == [n - 1]


@given(days_1950_2050)
def test_formatted_days_parse_back(day):
    text = dd.format_days(np.array([day]), "%d/%m/%Y")[0]
    assert dd.day(date(int(text[6:]), int(text[3:5]), int(text[:2]))) == day
