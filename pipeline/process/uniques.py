"""Elementwise rules evaluated once per distinct value.

Fact columns often hold few distinct values (codes, dates, postcodes) over hundreds of
thousands of rows; a rule written for a whole Series (string formatting, dictionary
lookups, Python calls) is computed on the distinct values only and spread back, which
gives the same Series, dtype included, at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def apply_to_uniques(values: pd.Series, rule: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`rule(values)` computed on the distinct values (missing ones included) and spread
    back to every row; `rule` must be elementwise (each output depends on its input only)."""
    return apply_rules_to_uniques(values, {"": rule})[""]


def apply_rules_to_uniques(values: pd.Series, rules: dict[str, Callable[[pd.Series], pd.Series]]
                           ) -> dict[str, pd.Series]:
    """Each of several elementwise `rules` as :func:`apply_to_uniques` does, by name, the
    distinct values found once for all of them."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    distinct = pd.Series(uniques, dtype=values.dtype)
    return {name: pd.Series(rule(distinct).array.take(codes), index=values.index, name=values.name)
            for name, rule in rules.items()}


def apply_to_unique_pairs(first: pd.Series, second: pd.Series, rule: Callable[[object, object], object],
                          dtype: str) -> pd.Series:
    """`rule(a, b)` (a Python function of two scalars, missing values as None) for each row's
    pair, computed once per distinct pair; a Series of `dtype` aligned with `first`."""
    c1, u1 = pd.factorize(first, use_na_sentinel=False)
    c2, u2 = pd.factorize(second, use_na_sentinel=False)
    pair = c1.astype(np.int64) * max(len(u2), 1) + c2
    distinct, inverse = np.unique(pair, return_inverse=True)
    v1 = [None if pd.isna(v) else v for v in u1]
    v2 = [None if pd.isna(v) else v for v in u2]
    table = pd.array([rule(v1[p // max(len(u2), 1)], v2[p % max(len(u2), 1)]) for p in distinct], dtype=dtype)
    return pd.Series(table.take(inverse.reshape(-1)), index=first.index, dtype=dtype)
