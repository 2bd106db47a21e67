"""Quarterly trends: eight quarters of Exit Team exits, 12-month totals declared as sums of
quarters, this quarter against the same quarter last year, and the figures of earlier years'
papers mapped onto the trend's cells. Expected values counted by hand from the events below."""

from __future__ import annotations

import pandas as pd

from pipeline.config import DisclosureParams
from pipeline.papers.trends import (
    DFE_TOTAL,
    ROLLING_TABLE,
    TEAM_TOTAL,
    build_same_quarter_table,
    build_trend_tables,
    find_same_quarter_last_year,
    list_trend_quarters,
    map_earlier_editions,
)
from pipeline.periods import parse_quarter
from pipeline.tables import Paper

PERIOD = parse_quarter("2026-27 Q2")
SGO, PWP, CAO = "Special guardianship order: former foster carer", "Placed with parents", "Child arrangements order"

# Exit Team achievements: (quarter, route, how many)
EVENTS = [("2024-25 Q3", "SGO_FFC", 2), ("2024-25 Q4", "PWP", 5), ("2025-26 Q1", "SGO_FFC", 6),
          ("2025-26 Q1", "PWP", 6), ("2025-26 Q2", "CAO", 3), ("2025-26 Q3", "PWP", 9),
          ("2025-26 Q4", "SGO_FFC", 4), ("2026-27 Q1", "PWP", 7), ("2026-27 Q2", "SGO_FFC", 8),
          ("2024-25 Q2", "PWP", 30)]  # before the window: never counted
FACTS = {
    "tracker_events": pd.DataFrame([(q, r) for q, r, n in EVENTS for _ in range(n)] + [("2026-27 Q2", None)],
                                   columns=["QUARTER", "TEAM_ROUTE"]),
    "exits": pd.DataFrame({"QUARTER": ["2025-26 Q2"] * 12 + ["2026-27 Q2"] * 15 + ["2026-27 Q1"] * 4}),
}


def test_the_eight_quarters_end_with_the_period():
    labels = [q.label for q in list_trend_quarters(PERIOD)]
    assert labels == ["2024-25 Q3", "2024-25 Q4", "2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4",
                      "2026-27 Q1", "2026-27 Q2"]
    assert find_same_quarter_last_year(parse_quarter("2026-27 Q1")).label == "2025-26 Q1"


def test_quarterly_counts_by_route_and_total():
    tables, _ = build_trend_tables(FACTS, PERIOD)
    trend = tables[0].values
    assert trend.loc[TEAM_TOTAL].tolist() == [2, 5, 12, 3, 9, 4, 7, 8]
    assert trend.loc[PWP].tolist() == [0, 5, 6, 0, 9, 0, 7, 0]
    # no exit with the carer not recorded in the window: the row is left out, as in Q01
    assert "Special guardianship order: carer not recorded" not in trend.index
    assert tables[0].check_additive() == []


def test_twelve_month_totals_are_sums_of_four_quarters_and_say_so():
    tables, links = build_trend_tables(FACTS, PERIOD)
    rolling = next(t for t in tables if t.table_id == ROLLING_TABLE).values
    # to 2025-26 Q2: 2 + 5 + 12 + 3 = 22; to 2026-27 Q2: 9 + 4 + 7 + 8 = 28
    assert rolling.columns.tolist() == ["2025-26 Q2", "2025-26 Q3", "2025-26 Q4", "2026-27 Q1", "2026-27 Q2"]
    assert rolling.loc[TEAM_TOTAL].tolist() == [22, 29, 28, 23, 28]
    last = links[-1]
    assert last.lhs[0].id == f"{ROLLING_TABLE}|{TEAM_TOTAL}|2026-27 Q2"
    assert [c.col for c in last.rhs] == ["2025-26 Q3", "2025-26 Q4", "2026-27 Q1", "2026-27 Q2"]


def test_same_quarter_last_year_next_to_this_quarter():
    t = build_same_quarter_table(FACTS, PERIOD).values
    assert t.columns.tolist() == ["2025-26 Q2", "2026-27 Q2"]
    assert t.loc[TEAM_TOTAL].tolist() == [3, 8] and t.loc[CAO].tolist() == [3, 0]
    assert t.loc[DFE_TOTAL].tolist() == [12, 15]


def test_without_the_tracker_only_the_dfe_row_and_no_trend():
    tables, links = build_trend_tables({"exits": FACTS["exits"]}, PERIOD)
    assert [t.table_id for t in tables] == ["Q15_same_quarter"] and links == []
    assert tables[0].rows == [DFE_TOTAL]


def test_a_hidden_quarter_cannot_be_worked_out_from_two_12_month_totals():
    """Quarters of 2 to 9 exits are hidden; the 12-month totals are declared as sums of them, so
    disclosure control does not publish two totals that together give a hidden quarter away
    (with every quarter hidden, totals to Q1 and Q2 differ by Q2 - Q2 a year earlier)."""
    from pipeline.disclosure import protect_paper
    from pipeline.render.protection import read_protection

    tables, links = build_trend_tables(FACTS, PERIOD)
    paper = Paper("quarterly", tables=tables, links=links)
    protection = read_protection(paper, protect_paper(paper, DisclosureParams(threshold=10)))
    assert protection.audit_passed
    hidden = protection.suppressed
    assert (TEAM_TOTAL, "2026-27 Q2") in hidden["Q14_trend_team_exits"]  # 8 is below the threshold
    assert (TEAM_TOTAL, "2025-26 Q1") not in hidden["Q14_trend_team_exits"]  # 12 is not
    assert len(hidden[ROLLING_TABLE]) < 5  # the totals are what the trend can show


def test_earlier_years_papers_map_onto_the_trend_cells():
    known = {
        "2025-26-Q3": {f"Q01_team_exits|{TEAM_TOTAL}|Q3": 10.0, f"Q01_team_exits|{TEAM_TOTAL}|Year to date": 25.0},
        "2025-26-Q4": {f"Q01_team_exits|{TEAM_TOTAL}|Q3": 9.0, f"Q01_team_exits|{PWP}|Q1": 6.0},
        "2026-27-Q1": {f"Q01_team_exits|{TEAM_TOTAL}|Q1": 7.0},  # this year: linked through Q01 already
        "2024-25-Q1": {f"Q01_team_exits|{PWP}|Q1": 3.0},  # outside the eight quarters
        "notes": {"x|y|Q1": 1.0},
        # an earlier edition's own trend: the same ids (later editions and this one are not read)
        "2025-26-Q2": {f"Q16_trend_rolling|{TEAM_TOTAL}|2025-26 Q1": 31.0},
        "2026-27-Q2": {f"Q16_trend_rolling|{TEAM_TOTAL}|2026-27 Q1": 99.0},
    }
    assert map_earlier_editions(known, PERIOD) == {
        f"Q14_trend_team_exits|{TEAM_TOTAL}|2025-26 Q3": 9.0,  # the later edition wins
        f"Q14_trend_team_exits|{PWP}|2025-26 Q1": 6.0,
        f"Q16_trend_rolling|{TEAM_TOTAL}|2025-26 Q1": 31.0,
    }
