"""Splitting a table into jobs: each (return, file) with its rows, in order of first appearance."""

from __future__ import annotations

import pandas as pd

from pipeline.validate.run import rows_by_key


def test_rows_by_key_groups_rows_in_order_of_first_appearance():
    keys = pd.DataFrame({"RETURN": pd.Series(["2025-26", None, "2025-26", "2024-25", None], dtype="str"),
                         "SOURCE_FILE": ["a.csv", "local/b.csv", "a.csv", "a.csv", "local/b.csv"]}).fillna("")
    got = [(k, rows.tolist()) for k, rows in rows_by_key(keys)]
    assert got == [(("2025-26", "a.csv"), [0, 2]), (("", "local/b.csv"), [1, 4]), (("2024-25", "a.csv"), [3])]


def test_rows_by_key_same_value_in_either_column_is_not_the_same_key():
    # (x, y) and (y, x) are different keys even though each column holds both values
    keys = pd.DataFrame({"A": ["x", "y", "x"], "B": ["y", "x", "y"]})
    assert [(k, rows.tolist()) for k, rows in rows_by_key(keys)] == [(("x", "y"), [0, 2]), (("y", "x"), [1])]


def test_rows_by_key_of_no_rows_is_empty():
    assert rows_by_key(pd.DataFrame({"A": pd.Series([], dtype="str")})) == []
