import pandas as pd
import pytest

from pipeline.tables import Cell, Equation, Paper, PublishedTable, Selection


def _table(tid="t", values=None):
    values = values or {"A": [1, 2, 3], "B": [4, 5, 9], "Total": [5, 7, 12]}
    return PublishedTable(tid, "T", "row", "col", pd.DataFrame(values, index=["r1", "r2", "Total"]),
                          row_total="Total", col_total="Total")


def test_margins_become_equations():
    eqs = _table().equations()
    # one per column (3) for the row total, one per row (3) for the column total
    assert len(eqs) == 6
    total_a = next(e for e in eqs if e.lhs == (Cell("t", "Total", "A"),))
    assert set(total_a.rhs) == {Cell("t", "r1", "A"), Cell("t", "r2", "A")}


def test_non_additive_table_is_reported():
    t = _table(values={"A": [1, 2, 4], "B": [4, 5, 9], "Total": [5, 7, 13]})
    assert any("t|Total|A" in m for m in t.check_additive())


def test_subtotals_replace_members_in_the_grand_total():
    v = pd.DataFrame({"n": [1, 2, 3, 4, 7]}, index=["a", "b", "North", "c", "Total"])
    t = PublishedTable("h", "H", "district", "n", v, row_total="Total", subtotals={"North": ("a", "b")})
    eqs = {e.reason: e for e in t.equations()}
    assert set(eqs["row total"].rhs) == {Cell("h", "North", "n"), Cell("h", "c", "n")}
    assert set(eqs["sub-total North"].rhs) == {Cell("h", "a", "n"), Cell("h", "b", "n")}
    assert t.check_additive() == []


def test_unknown_total_label_is_refused():
    with pytest.raises(ValueError, match="total row"):
        PublishedTable("t", "T", "r", "c", pd.DataFrame({"A": [1]}, index=["x"]), row_total="Total")


def test_selection_counts_and_sums_the_rows_it_declares():
    facts = pd.DataFrame({"age": ["1 to 4", "5 to 9", "1 to 4"], "cost": [10.0, 20.0, 30.0]})
    sel = Selection.of("cla", age="1 to 4")
    assert sel.evaluate(facts) == 2
    assert Selection.of("cla", sum_of="cost", age=["1 to 4", "5 to 9"]).evaluate(facts) == 60
    assert sel.narrow(age="5 to 9") == Selection.of("cla", age="5 to 9")


def test_equal_selections_link_tables():
    s = Selection.of("cla", year=2025)
    t1, t2 = _table("t1"), _table("t2")
    t1.selections = {("Total", "Total"): s}
    t2.selections = {("Total", "Total"): s}
    links = Paper("p", [t1, t2]).shared_selection_links()
    assert links == [Equation((Cell("t1", "Total", "Total"),), (Cell("t2", "Total", "Total"),), "same figure")]


def test_cell_ids_round_trip():
    c = Cell("T1", "Under 1", "2024-25")
    assert Cell.parse(c.id) == c
