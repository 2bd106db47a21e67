"""Savings from children leaving care through the Exit Team (and adoption).

Method (domain.md; seeds 000 and 001): for each child whose exit the team achieved, the
net annual saving is the annual unit cost of the paid placement the child left (by
placement group, the child's age band at exit and the financial year of exit) minus the
annual allowance paid under the order (SGO, CAO or adoption allowance; none for a child
placed with parents). It accrues per day (annual / ``savings_basis_days``) from the exit
date (inclusive) to a horizon (inclusive), never beyond the day before the 18th birthday:

- saving in the quarter: exits in the quarter, to the quarter's end;
- saving year to date: exits in the financial year to date, to the period's end;
- saving to the year end: exits in the year to date, to 31 March (seed 000's "remainder of
  this financial year");
- projected saving to 18: the same exits, to the day before each child's 18th birthday,
  had the child remained in that placement until 18 (costs held at the exit year's prices).

Children whose placement cost or allowance is unknown are left out of the sums and counted.
A figure that cannot be computed is unavailable with a reason, never £0
(:func:`explain_unavailable`): when an exit it covers falls in a financial year the unit
costs file lists no cost for (UC_YEAR_MISSING), or when none of its children's costs is known.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from pipeline.periods import Quarter
from pipeline.process.savings import compute_child_savings


def select_exits_in(savings: pd.DataFrame, quarters: Iterable[str], routes: Iterable[str] | None = None) -> pd.DataFrame:
    """Rows of the savings fact dated in the quarters (and on the routes, if given)."""
    m = savings["QUARTER"].isin(list(quarters))
    if routes is not None:
        m &= savings["ROUTE"].isin(list(routes))
    return savings[m]


def sum_savings(savings: pd.DataFrame, quarters: Iterable[str], until: pd.Timestamp | None, basis_days: int,
                routes: Iterable[str] | None = None) -> float:
    """Total saving of the exits in the quarters up to `until`, over children whose cost is known."""
    rows = select_exits_in(savings, quarters, routes)
    values = compute_child_savings(rows, until, basis_days)
    return float(values.dropna().sum())


def count_cost_unknown(savings: pd.DataFrame, quarters: Iterable[str], routes: Iterable[str] | None = None) -> int:
    """Exits in the quarters whose saving cannot be computed (cost or allowance unknown)."""
    rows = select_exits_in(savings, quarters, routes)
    return int((~rows["COST_KNOWN"].astype(bool)).sum())


def explain_unavailable(savings: pd.DataFrame, quarters: Iterable[str], routes: Iterable[str] | None = None) -> str | None:
    """Why the saving of the exits in the quarters (on the routes) cannot be computed, or None
    when it can: "no unit cost for 2026-27 in unit_costs.csv" (a year of exit the unit costs
    file does not list; column COST_UNKNOWN_REASON of the savings fact), or the cost of none of
    the children is known. No exits at all is a saving of £0, not a missing one."""
    rows = select_exits_in(savings, quarters, routes)
    if "COST_UNKNOWN_REASON" in rows:
        reasons = sorted(set(rows["COST_UNKNOWN_REASON"].dropna().astype(str)))
        if reasons:
            return "; ".join(reasons)
    unknown = int((~rows["COST_KNOWN"].astype(bool)).sum())
    if len(rows) and unknown == len(rows):
        who = "the child" if unknown == 1 else f"any of the {unknown} children"
        return f"the unit costs file has no cost for the placement (or allowance) of {who}"
    return None


SAVINGS_HORIZONS = ("quarter", "ytd", "year_end", "to_18_quarter", "to_18_ytd")


def horizon_of(period: Quarter, horizon: str) -> tuple[tuple[str, ...], pd.Timestamp | None]:
    """The quarters of exits and the end date a savings horizon covers."""
    ytd = tuple(q.label for q in period.quarters_to_date())
    table = {
        "quarter": ((period.label,), pd.Timestamp(period.end)),
        "ytd": (ytd, pd.Timestamp(period.end)),
        "year_end": (ytd, pd.Timestamp(period.year.end)),
        "to_18_quarter": ((period.label,), None),
        "to_18_ytd": (ytd, None),
    }
    if horizon not in table:
        raise ValueError(f"savings horizon {horizon!r} is not one of {', '.join(SAVINGS_HORIZONS)}")
    return table[horizon]


def compute_savings(savings: pd.DataFrame, period: Quarter, horizon: str, basis_days: int,
                    routes: Iterable[str] | None = None) -> float:
    """Saving in pounds for a horizon (SAVINGS_HORIZONS) of `period`."""
    quarters, until = horizon_of(period, horizon)
    return sum_savings(savings, quarters, until, basis_days, routes)


def compute_savings_or_reason(savings: pd.DataFrame, period: Quarter, horizon: str, basis_days: int,
                              routes: Iterable[str] | None = None) -> tuple[float | None, str | None]:
    """(saving in pounds, None), or (None, why it is unavailable: :func:`explain_unavailable`)."""
    quarters, until = horizon_of(period, horizon)
    reason = explain_unavailable(savings, quarters, routes)
    if reason is not None:
        return None, reason
    return sum_savings(savings, quarters, until, basis_days, routes), None


def round_pounds(value: float) -> float:
    """Whole pounds (half up), as the papers print them."""
    return float(np.floor(value + 0.5))
