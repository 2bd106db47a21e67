"""The cost arithmetic of savings: hand-worked days from an exit to a horizon."""

import pandas as pd

from pipeline.process import savings as s

D = pd.Timestamp


def test_exit_on_the_last_day_of_the_quarter_saves_one_day():
    days = s.count_saving_days(pd.Series([D("2026-09-30")]), pd.Series([D("2033-05-10")]), D("2026-09-30"))
    assert days.iloc[0] == 1


def test_saving_stops_the_day_before_the_18th_birthday():
    # aged 17 at exit on 1 April 2026, 18 on 1 June 2026: 1 April to 31 May = 61 days
    days = s.count_saving_days(pd.Series([D("2026-04-01")]), pd.Series([D("2026-06-01")]), D("2026-09-30"))
    assert days.iloc[0] == 61
    to18 = s.count_saving_days(pd.Series([D("2026-04-01")]), pd.Series([D("2026-06-01")]), None)
    assert to18.iloc[0] == 61


def test_exit_at_or_after_18_saves_nothing():
    days = s.count_saving_days(pd.Series([D("2026-06-01")]), pd.Series([D("2026-06-01")]), None)
    assert days.iloc[0] == 0


def test_exit_after_the_horizon_saves_nothing():
    days = s.count_saving_days(pd.Series([D("2026-10-01")]), pd.Series([D("2040-01-01")]), D("2026-09-30"))
    assert days.iloc[0] == 0
