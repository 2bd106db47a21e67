"""Small readable table builders for the disclosure tests."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.tables import PublishedTable


def with_margins(table_id: str, inner: list[list[int]], rows: list[str] | None = None,
                 cols: list[str] | None = None) -> PublishedTable:
    """A table of the given inner cells with a Total row and a Total column (true sums)."""
    rows = rows or [f"r{i}" for i in range(len(inner))]
    cols = cols or [f"c{j}" for j in range(len(inner[0]))]
    frame = pd.DataFrame(inner, index=rows, columns=cols)
    frame["Total"] = frame.sum(axis=1)
    frame.loc["Total"] = frame.sum(axis=0)
    return PublishedTable(table_id, table_id, "row", "column", frame, row_total="Total", col_total="Total")


@pytest.fixture
def margins():
    return with_margins
