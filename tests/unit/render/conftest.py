"""Small hand-built papers for the render tests (true values and a suppression pattern)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.render.published import publish_paper
from pipeline.tables import Cell, DerivedTable, Paper, PublishedTable


def build_exits_table() -> PublishedTable:
    # rows: routes; columns: two quarters and the year to date (the column total)
    values = pd.DataFrame(
        {"Q1": [8, 3, 11], "Q2": [12, 15, 27], "Year to date": [20, 18, 38]},
        index=["Special guardianship order", "Placed with parents", "Total"],
    )
    return PublishedTable("T1_exits", "Exits by route", "Route", "Quarter", values,
                          row_total="Total", col_total="Year to date", caption="Exits in the year.")


def build_share_table() -> DerivedTable:
    values = pd.DataFrame({"Share": [100 * 20 / 38, 100 * 18 / 38]}, index=["Special guardianship order", "Placed with parents"])
    inputs = {(r, "Share"): (Cell("T1_exits", r, "Year to date"), Cell("T1_exits", "Total", "Year to date"))
              for r in values.index}
    return DerivedTable("T1p_share", "Share of exits", "Route", "Measure", values, inputs, fmt="percent")


@pytest.fixture
def paper() -> Paper:
    return Paper("test", tables=[build_exits_table()], derived=[build_share_table()])


@pytest.fixture
def published(paper):
    # Q1 of both routes hidden (8 is primary, 3 is primary); everything else shown.
    hidden = {"T1_exits": {("Special guardianship order", "Q1"), ("Placed with parents", "Q1")}, "T1p_share": set()}
    return publish_paper(paper, hidden, "x", 10)
