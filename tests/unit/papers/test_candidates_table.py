"""The paper's candidates table, from a small list written by hand."""

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config import load_params
from pipeline.papers.candidates import COL_CHILDREN, COL_WORKING, FACT, build_candidates_table
from pipeline.periods import parse_quarter
from pipeline.tables import Paper, Selection

ROOT = Path(__file__).resolve().parents[3]
AGENCY, IN_HOUSE = "Long stable foster placement (agency)", "Long stable foster placement (in-house)"
PWP, S20, UNSTABLE = ("Placed with parents under a care order", "Accommodated under section 20",
                      "Unstable placements")

# Five children, six rows: K is in two groups. Working with the team: K and M.
LIST = pd.DataFrame({
    "CHILD": ["J", "K", "L", "M", "K", "N"],
    "GROUP": ["STABLE_FOSTER_AGENCY", "STABLE_FOSTER_AGENCY", "STABLE_FOSTER_IN_HOUSE",
              "PWP_CARE_ORDER", "SECTION20_LONG", "SECTION20_LONG"],
    "ALREADY_WORKING": pd.array([False, True, False, True, True, False], dtype="boolean"),
    "FIRST_FOR_CHILD": [True, True, True, True, False, True],
    "TRACKER_AVAILABLE": True,
})


@pytest.fixture(scope="module")
def params():
    return replace(load_params(ROOT / "params.yaml"), period=parse_quarter("2026-27 Q2"))


def test_counts_per_group_and_already_working(params):
    t = build_candidates_table(LIST, params)
    assert t.rows == [AGENCY, IN_HOUSE, PWP, S20, UNSTABLE]
    assert t.values[COL_CHILDREN].tolist() == [2, 1, 1, 2, 0]
    assert t.values[COL_WORKING].tolist() == [1, 0, 1, 1, 0]


def test_no_total_is_declared_because_groups_overlap(params):
    t = build_candidates_table(LIST, params)
    assert t.row_total is None and t.col_total is None and t.equations() == []
    assert t.values[COL_CHILDREN].sum() == 6 and LIST["FIRST_FOR_CHILD"].sum() == 5
    assert any("more than one group" in n for n in t.notes)


def test_every_cell_is_a_selection_over_the_candidates_fact_that_recounts_it(params):
    t = build_candidates_table(LIST, params)
    assert {s.fact for s in t.selections.values()} == {FACT} == {"candidates"}
    assert set(t.selections) == {(r, c) for r in t.rows for c in t.cols}
    for (r, c), sel in t.selections.items():
        assert sel.evaluate(LIST) == t.values.at[r, c]
    assert t.selections[(S20, COL_WORKING)] == Selection.of("candidates", GROUP="SECTION20_LONG", ALREADY_WORKING=True)


def test_is_a_count_table_under_disclosure_control(params):
    t = build_candidates_table(LIST, params)
    assert t.suppress and t.unit == "children"
    Paper("quarterly", tables=[t]).count_cells()  # fits the paper model


def test_without_the_tracker_the_working_column_is_left_out_and_said_so(params):
    no_tracker = LIST.assign(ALREADY_WORKING=pd.array([pd.NA] * 6, dtype="boolean"), TRACKER_AVAILABLE=False)
    t = build_candidates_table(no_tracker, params)
    assert t.cols == [COL_CHILDREN]
    assert any("tracker was unavailable" in n for n in t.notes)
    assert build_candidates_table(LIST.iloc[:0], params, tracker_available=False).cols == [COL_CHILDREN]


def test_an_empty_list_gives_zeros_not_a_missing_table(params):
    t = build_candidates_table(LIST.iloc[:0], params)
    assert t.values.to_numpy().sum() == 0 and t.values.shape == (5, 2)


def test_notes_state_the_thresholds_from_params(params):
    p = replace(params, candidates=replace(params.candidates, stable_foster_years=3))
    assert any("3 years or more" in n for n in build_candidates_table(LIST, p).notes)
