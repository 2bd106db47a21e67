"""The cost arithmetic of a saving: days from an exit to a horizon, and the saving per child.

A child's net annual saving (the unit cost of the placement left minus the allowance paid
under the order) accrues per day (annual / ``savings_basis_days``) from the exit date
(inclusive) to a horizon (inclusive), never beyond the day before the 18th birthday. The
savings measures (:mod:`pipeline.measures.savings`) and the exit candidates' projected
savings (:mod:`pipeline.process.candidates`) both use it, so it lives in the process stage.
"""

from __future__ import annotations

import pandas as pd


def count_saving_days(exit_date: pd.Series, date_18: pd.Series, until: pd.Timestamp | None) -> pd.Series:
    """Days from the exit date to `until` (both inclusive), stopping the day before the 18th
    birthday; `until=None` means up to that day. Never negative."""
    last = date_18 - pd.Timedelta(days=1)
    if until is not None:
        last = last.where(last < pd.Timestamp(until), pd.Timestamp(until))
    days = (last - exit_date).dt.days + 1
    return days.clip(lower=0).astype("Int64")


def compute_child_savings(savings: pd.DataFrame, until: pd.Timestamp | None, basis_days: int) -> pd.Series:
    """Saving in pounds for each row of the savings fact up to `until` (None: to 18);
    missing where the net annual saving is unknown."""
    if basis_days <= 0:
        raise ValueError("savings basis days must be positive")
    days = count_saving_days(savings["EXIT_DATE"], savings["DATE_18"], until)
    return (savings["NET_ANNUAL_SAVING"].astype("Float64") * days.astype("Float64") / basis_days).astype("Float64")
