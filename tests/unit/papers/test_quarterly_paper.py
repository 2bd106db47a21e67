"""The quarterly paper: every count cell recomputes from its selection, margins and links hold,
derived figures name existing count cells, and the story's figures are the hand-worked ones."""

import pandas as pd
import pytest

from pipeline.papers import quarterly as qp
from pipeline.process.catalog import build_facts
from pipeline.tables import PublishedTable
from tests.fixtures.quarterly_story import make_validated, story_facts, story_params


@pytest.fixture(scope="module")
def params():
    return story_params()


@pytest.fixture(scope="module")
def facts():
    return story_facts()


@pytest.fixture(scope="module")
def paper(facts, params):
    return qp.build_quarterly_paper(facts, params)


def test_every_count_cell_recomputes_from_its_selection(paper, facts):
    checked = 0
    for t in paper.tables:
        for cell in t.cells():
            sel = t.selections[(cell.row, cell.col)]
            assert sel.evaluate(facts[sel.fact]) == t.value(cell), cell.id
            checked += 1
        # every selection is on a shown cell
        assert set(t.selections) == {(c.row, c.col) for c in t.cells()}
    assert checked > 200


def test_margins_and_links_hold(paper):
    values = paper.count_cells()
    for t in paper.tables:
        assert t.check_additive() == [], t.table_id
    for eq in paper.equations():
        lhs = sum(values[c] for c in eq.lhs)
        rhs = sum(values[c] for c in eq.rhs)
        assert lhs == rhs, (eq.reason, eq.lhs, eq.rhs)


def test_links_name_year_to_date_and_same_figures(paper):
    reasons = {eq.reason for eq in paper.links}
    assert "year to date = sum of quarters" in reasons
    assert any(r.startswith("same figure") for r in reasons)
    granted = [eq for eq in paper.links if eq.lhs[0].row == "Special guardianship orders granted"
               and eq.lhs[0].col == "Year to date" and eq.reason.startswith("same figure")]
    assert len(granted) == 1 and {c.table_id for c in granted[0].rhs} == {"Q01_team_exits"}


def test_derived_inputs_are_published_count_cells(paper):
    cells = set(paper.count_cells())
    for d in paper.derived:
        for key, inputs in d.inputs.items():
            assert key[0] in d.values.index and key[1] in d.values.columns
            for c in inputs:
                assert c in cells, (d.table_id, key, c)


def test_tables_in_documented_order_with_titles(paper):
    ids = [t.table_id for t in paper.tables] + [d.table_id for d in paper.derived]
    assert sorted(ids) == sorted(qp.TABLE_ORDER)
    assert [i for i in qp.TABLE_ORDER if i in ids] == list(qp.TABLE_ORDER)
    for t in [*paper.tables, *paper.derived]:
        assert t.title and t.caption, t.table_id


def test_staffing_tables_are_not_suppressed_but_children_are(paper):
    kinds = {t.table_id: t.suppress for t in paper.tables}
    assert kinds["Q10_staff_fte"] is False and kinds["Q11_staff_days"] is False
    assert all(kinds[i] for i in ("Q01_team_exits", "Q02_dfe_exits", "Q08_waiting", "Q09_caseloads"))


def test_story_figures(paper):
    team = paper.table("Q01_team_exits").values
    assert team.loc["Total exits through the Exit Team"].tolist() == [1, 2, 3]
    assert team.loc["Placed with parents", "Q2"] == 1
    sgo = paper.table("Q04_sgo").values
    assert sgo.loc["Referrals"].tolist()[:3] == [1, 1, 2]
    assert sgo.loc["Progressing to court", "Open at quarter end"] == 1
    assert pd.isna(sgo.loc["Special guardianship orders granted", "Open at quarter end"])
    cl = paper.table("Q09_caseloads").values
    assert cl.loc["Exit Team"].tolist() == [3, 1, 4] and cl.loc["All teams", "Total"] == 5
    targets = next(d for d in paper.derived if d.table_id == "Q03_targets").values
    assert targets.loc["Exits through the Exit Team"].tolist() == [28, 3, 6, 5]
    savings = next(d for d in paper.derived if d.table_id == "Q13d_savings").values
    assert savings.loc["All exits (Exit Team and adoption)", "Saving in 2026-27 Q2"] == 5910
    assert savings.loc["All exits (Exit Team and adoption)", "Saving in the year to date"] == 24210


def test_without_tracker_only_the_tables_it_can_show(params):
    facts = build_facts(make_validated(without=("permanence_tracker", "staffing")), params)
    paper = qp.build_quarterly_paper(facts, params)
    assert [t.table_id for t in paper.tables] == ["Q02_dfe_exits", "Q15_same_quarter"] and paper.derived == []
    assert paper.table("Q15_same_quarter").rows == ["All children leaving care (DfE return)"]
    reasons = qp.list_unavailable(facts)
    assert "permanence tracker" in reasons["Q01_team_exits"] and "staffing" in reasons["Q10_staff_fte"]
    assert "Q02_dfe_exits" not in reasons


def test_first_quarter_has_one_quarter_column(facts, params):
    import dataclasses

    from pipeline.periods import parse_quarter

    p1 = dataclasses.replace(params, period=parse_quarter("2026-27 Q1"))
    paper = qp.build_quarterly_paper(build_facts(make_validated(), p1), p1)
    t: PublishedTable = paper.table("Q01_team_exits")
    assert t.cols == ["Q1", "Year to date"] and t.values.at["Special guardianship order: other carer", "Q1"] == 1


def test_capacity_lost_is_a_percentage_of_fte_days():
    # Hand-worked: 65.5 vacant + 0 absent of 414 FTE-days is 15.8%; a team with no days has no figure.
    days = PublishedTable(
        "Q11_staff_days", "Staffing during 2026-27 Q2 (FTE-days)", "Team", "Status",
        pd.DataFrame({"In post": [340.5, 0.0], "Agency": [8.0, 0.0], "Absent": [0.0, 0.0],
                      "Vacant": [65.5, 0.0], "All posts": [414.0, 0.0]}, index=["Exit Team", "Empty"]),
        suppress=False)
    lost = qp.build_capacity_lost(days)
    col = lost.values.columns[0]
    assert lost.values.at["Exit Team", col] == pytest.approx(100 * 65.5 / 414)
    assert pd.isna(lost.values.at["Empty", col])
    assert lost.fmt == "percent"


def test_caseloads_are_published_for_teams_never_for_workers(paper):
    # open at the end of Q2: P1 (W1 CASE), K1 (W1 COWORK), S3 and S5 (W2 CASE) in the Exit
    # Team; A2 (W3 CASE) in the adoption team
    cl = paper.table("Q09_caseloads")
    assert list(cl.values.index) == ["Exit Team", "Adoption team", "All teams"]
    assert cl.values.loc["Adoption team"].tolist() == [1, 0, 1]
    text = " ".join([cl.title, cl.caption, *cl.notes, *cl.values.index, *cl.values.columns])
    assert not any(w in text.split() for w in ("W1", "W2", "W3", "worker W1"))
    assert "worker" not in " ".join(cl.values.index).lower()


def test_per_worker_caseloads_are_a_restricted_management_table(facts, params):
    table = qp.build_worker_caseloads(facts, params.period)
    assert table.to_dict("records") == [
        {"TEAM": "ADOPTION", "WORKER_ID": "W3", "CASE": 1, "COWORK": 0, "TOTAL": 1},
        {"TEAM": "EXIT", "WORKER_ID": "W1", "CASE": 1, "COWORK": 1, "TOTAL": 2},
        {"TEAM": "EXIT", "WORKER_ID": "W2", "CASE": 2, "COWORK": 0, "TOTAL": 2},
    ]


def test_per_worker_caseloads_without_a_tracker_is_an_empty_table(params):
    facts = build_facts(make_validated(without=("permanence_tracker", "staffing")), params)
    assert qp.build_worker_caseloads(facts, params.period).empty


def test_a_missing_unit_cost_year_leaves_the_savings_blank_with_the_reason_never_zero(params):
    from tests.fixtures.quarterly_story import make_unit_costs

    costs = make_unit_costs()
    costs = costs[costs["FINANCIAL_YEAR"].ne("2026-27")]  # the file stops at 2025-26
    facts = build_facts(make_validated() | {"unit_costs": costs}, params)
    paper = qp.build_quarterly_paper(facts, params)
    savings = next(d for d in paper.derived if d.table_id == "Q13d_savings")
    assert savings.values.loc["All exits (Exit Team and adoption)"].isna().all()  # not £0
    assert savings.values.loc["Placed with parents"].isna().all()
    assert savings.values.loc["Child arrangements order"].tolist() == [0, 0, 0, 0]  # no exits: truly none
    assert savings.notes[0] == "Not available: no unit cost for 2026-27 in unit_costs.csv."
    assert all(cell for cell in savings.inputs.values())  # still says which counts each would come from
