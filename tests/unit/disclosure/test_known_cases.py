"""The nine known cases of reference/disclosure-control.md, with intervals worked out by hand."""

from __future__ import annotations

import pandas as pd

from pipeline.config import DisclosureParams
from pipeline.disclosure import audit_paper, protect_paper
from pipeline.tables import Cell, DerivedTable, Equation, Paper, PublishedTable, Selection

CASE1 = [[20, 50, 10], [8, 19, 22], [17, 32, 12]]
DEFAULT = DisclosureParams()


def interval(report, cell):
    v = report.by_cell()[cell]
    return (v.lower, v.upper)


# --- case 1: one suppressed cell in a line is recoverable ----------------------------------------

def test_case1_lone_cell_is_exact(margins):
    paper = Paper("p", [margins("T", CASE1)])
    report = audit_paper(paper, [Cell("T", "r1", "c2")], DEFAULT, rule_knowledge=False)
    assert not report.passed
    assert interval(report, Cell("T", "r1", "c2")) == (22, 22)


def test_case1_four_cells_give_5_to_30(margins):
    # rows: a + b = 30 (8, 22), c + d = 29 (17, 12); columns: a + c = 25, b + d = 34
    # b = 30 - a, with a in [0, 25] (c = 25 - a >= 0, d = 4 + a >= 0, b >= 0): b in [5, 30]
    paper = Paper("p", [margins("T", CASE1)])
    hidden = [Cell("T", "r1", "c2"), Cell("T", "r1", "c0"), Cell("T", "r2", "c0"), Cell("T", "r2", "c2")]
    report = audit_paper(paper, hidden, DEFAULT, rule_knowledge=False)
    assert interval(report, Cell("T", "r1", "c2")) == (5, 30)
    assert interval(report, Cell("T", "r1", "c0")) == (0, 25)
    assert report.passed


def test_case1_with_rule_knowledge(margins):
    # zeros are shown, so every hidden cell is >= 1: a in [1, 24], b = 30 - a in [6, 29];
    # the 8 is primary (<= 9), so an attacker applying the rule has b = 30 - a in [21, 29]
    paper = Paper("p", [margins("T", CASE1)])
    hidden = [Cell("T", "r1", "c2"), Cell("T", "r1", "c0"), Cell("T", "r2", "c0"), Cell("T", "r2", "c2")]
    v = audit_paper(paper, hidden, DEFAULT).by_cell()[Cell("T", "r1", "c2")]
    assert (v.lower, v.upper) == (6, 29)
    assert (v.rule_lower, v.rule_upper) == (21, 29)
    assert not v.exposed


# --- case 2: two or more suppressed cells per line is not enough ---------------------------------

CASE2 = [[30, 47, 64, 89], [90, 124, 5, 31], [92, 100, 59, 85], [800, 991, 651, 685]]
CASE2_HIDDEN = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 2), (2, 1), (2, 3), (3, 1), (3, 3)]


def _case2(extra=()):
    return [Cell("T", f"r{i}", f"c{j}") for i, j in (*CASE2_HIDDEN, *extra)]


def test_case2_cell_is_exact_despite_two_per_line(margins):
    report = audit_paper(Paper("p", [margins("T", CASE2)]), _case2(), DEFAULT, rule_knowledge=False)
    assert interval(report, Cell("T", "r0", "c1")) == (47, 47)
    assert not report.passed


def test_case2_adding_one_cell_gives_0_to_78(margins):
    # The reference names the added cell "(1,1)", but its [0, 78] (sdcTable's attack() figure)
    # is the interval after adding the 31 at (1,3); adding the 124 at (1,1) gives [0, 141] (below).
    report = audit_paper(Paper("p", [margins("T", CASE2)]), _case2([(1, 3)]), DEFAULT, rule_knowledge=False)
    assert interval(report, Cell("T", "r0", "c1")) == (0, 78)


def test_case2_adding_the_124_instead_gives_0_to_141(margins):
    # With (1,1) added, x01 reaches the whole hidden part of row 0 (30 + 47 + 64 = 141):
    # x00 = x02 = 0, x10 = 120, x12 = 69, x11 = 30, and columns 1 and 3 absorb the rest.
    report = audit_paper(Paper("p", [margins("T", CASE2)]), _case2([(1, 1)]), DEFAULT, rule_knowledge=False)
    assert interval(report, Cell("T", "r0", "c1")) == (0, 141)


# --- case 3: small cells that hide only each other ----------------------------------------------

def _row(values):
    """One row A, B, C, ... with its Total column."""
    columns = [chr(ord("A") + k) for k in range(len(values))] + ["Total"]
    frame = pd.DataFrame([values + [sum(values)]], index=["r"], columns=columns)
    return PublishedTable("R", "R", "row", "column", frame, col_total="Total")


def test_case3_rule_knowledge_pins_small_cells():
    paper = Paper("p", [_row([1, 1, 30])])
    hidden = [Cell("R", "r", "A"), Cell("R", "r", "B")]
    naive = audit_paper(paper, hidden, DEFAULT, rule_knowledge=False)
    assert interval(naive, Cell("R", "r", "A")) == (0, 2)
    informed = audit_paper(paper, hidden, DEFAULT)
    assert interval(informed, Cell("R", "r", "A")) == (1, 1)
    assert informed.by_cell()[Cell("R", "r", "A")].reason == "exact"


def test_case3_protection_hides_the_30_too():
    protected = protect_paper(Paper("p", [_row([1, 1, 30])]), DEFAULT)
    assert protected.status[Cell("R", "r", "C")] == "secondary"
    assert protected.status[Cell("R", "r", "Total")] == "published"
    # a + b + c = 32 with each >= 1: a in [1, 30]; with a, b <= 9: c in [14, 30]
    v = protected.audit.by_cell()[Cell("R", "r", "C")]
    assert (v.lower, v.upper) == (1, 30)
    assert (v.rule_lower, v.rule_upper) == (14, 30)


# --- case 4: zeros ------------------------------------------------------------------------------

def test_case4_two_hidden_zeros_summing_to_zero_are_exact():
    params = DisclosureParams(zero="suppress")
    paper = Paper("p", [_row([0, 0, 12])])
    report = audit_paper(paper, [Cell("R", "r", "A"), Cell("R", "r", "B")], params)
    assert interval(report, Cell("R", "r", "A")) == (0, 0)
    protected = protect_paper(paper, params)
    assert protected.status[Cell("R", "r", "C")] == "secondary"
    assert protected.audit.passed


def test_case4_shown_zeros_are_never_used_to_hide():
    paper = Paper("p", [PublishedTable("R", "R", "row", "column",
                                       pd.DataFrame([[4, 0, 0, 25, 29]], index=["r"],
                                                    columns=["A", "B", "C", "D", "Total"]),
                                       col_total="Total")])
    protected = protect_paper(paper, DEFAULT)
    assert protected.shown("R").loc["r"].tolist() == ["x", "0", "0", "x", "29"]
    # a + d = 29 with a, d >= 1: a in [1, 28]
    assert interval(protected.audit, Cell("R", "r", "A")) == (1, 28)


# --- case 5: a cell equal to its total ----------------------------------------------------------

CASE5 = [[0, 7, 0], [12, 15, 20], [30, 11, 14]]


def test_case5_cell_equal_to_shown_total_is_exact(margins):
    report = audit_paper(Paper("p", [margins("T", CASE5)]), [Cell("T", "r0", "c1")], DEFAULT)
    assert interval(report, Cell("T", "r0", "c1")) == (7, 7)


def test_case5_total_is_hidden_as_secondary_when_totals_are_exempt(margins):
    params = DisclosureParams(suppress_totals=False)
    protected = protect_paper(Paper("p", [margins("T", CASE5)]), params)
    assert protected.status[Cell("T", "r0", "c1")] == "primary"
    assert protected.status[Cell("T", "r0", "Total")] == "secondary"
    assert protected.audit.passed


# --- case 6: linked tables ----------------------------------------------------------------------

AREAS = {"A": 2, "B": 2, "I": 8, "J": 8, "K": 3, "L": 3, "M": 3, "N": 7}


def _hierarchy(table_id, groups):
    rows, values, subtotals = [], [], {}
    for name, members in groups.items():
        rows += list(members) + [name]
        values += [AREAS[m] for m in members] + [sum(AREAS[m] for m in members)]
        subtotals[name] = tuple(members)
    rows.append("Total")
    values.append(sum(AREAS.values()))
    table = PublishedTable(table_id, table_id, "area", "n", pd.DataFrame({"n": values}, index=rows),
                           row_total="Total", subtotals=subtotals)
    table.selections = {(a, "n"): Selection.of("cla", area=a) for a in AREAS}
    table.selections[("Total", "n")] = Selection.of("cla")
    return table


def _counties():
    return _hierarchy("county", {"county1": "ABIJ", "county2": "KLMN"})


def _sizes():
    return _hierarchy("size", {"big": "LM", "small": "ABIJKN"})


COUNTY_HIDDEN = [Cell("county", a, "n") for a in "ABKLM"]
SIZE_HIDDEN = [Cell("size", a, "n") for a in "ABK"]
THREE = DisclosureParams(threshold=3, min_interval=3)


def test_case6_each_table_alone_leaves_k_a_range():
    alone1 = audit_paper(Paper("p", [_counties()]), COUNTY_HIDDEN, THREE, rule_knowledge=False)
    assert interval(alone1, Cell("county", "K", "n")) == (0, 9)  # K + L + M = 16 - 7
    alone2 = audit_paper(Paper("p", [_sizes()]), SIZE_HIDDEN, THREE, rule_knowledge=False)
    assert interval(alone2, Cell("size", "K", "n")) == (0, 7)  # A + B + K = 30 - 8 - 8 - 7


def test_case6_together_k_is_exact():
    paper = Paper("p", [_counties(), _sizes()])
    assert len(paper.shared_selection_links()) == 9  # eight areas and the grand total
    report = audit_paper(paper, COUNTY_HIDDEN + SIZE_HIDDEN, THREE, rule_knowledge=False)
    assert interval(report, Cell("county", "K", "n")) == (3, 3)  # L = M = 3 shown in 'size'


def test_case6_protecting_together_passes():
    protected = protect_paper(Paper("p", [_counties(), _sizes()]), THREE)
    assert protected.audit.passed
    for a in "AB":  # the primary cells, hidden in both tables
        assert protected.status[Cell("county", a, "n")] == "primary"
        assert protected.status[Cell("size", a, "n")] == "primary"


# --- case 7: earlier publications ---------------------------------------------------------------

def _quarter_paper():
    frame = pd.DataFrame({"Q2": [3, 14, 17], "Year to date": [15, 30, 45]}, index=["Adoption", "SGO", "Total"])
    table = PublishedTable("exits", "Exits", "route", "period", frame, row_total="Total")
    links = [Equation((Cell("exits", r, "Year to date"),), (Cell("exits_q1", r, "Year to date"), Cell("exits", r, "Q2")),
                      "year to date = Q1 year to date + Q2") for r in ("Adoption", "SGO", "Total")]
    before = {"exits_q1|Adoption|Year to date": 12, "exits_q1|SGO|Year to date": 16, "exits_q1|Total|Year to date": 28}
    return Paper("q2", [table], links=links, published_before=before)


def test_case7_earlier_quarter_reveals_the_cell():
    paper = _quarter_paper()
    hidden = [Cell("exits", "Adoption", "Q2"), Cell("exits", "SGO", "Q2")]
    alone = audit_paper(Paper("q2", paper.tables), hidden, DEFAULT)
    assert interval(alone, Cell("exits", "Adoption", "Q2")) == (1, 16)  # a + s = 17
    linked = audit_paper(paper, hidden, DEFAULT)
    assert interval(linked, Cell("exits", "Adoption", "Q2")) == (3, 3)  # 15 - 12


def test_case7_protection_hides_the_year_to_date_too():
    protected = protect_paper(_quarter_paper(), DEFAULT)
    assert protected.audit.passed
    assert not protected.is_shown(Cell("exits", "Adoption", "Year to date"))
    # a = Adoption Q2: s = 17 - a >= 1, YTD = 12 + a, SGO YTD = 33 - a >= 1: a in [1, 16]
    assert interval(protected.audit, Cell("exits", "Adoption", "Q2")) == (1, 16)


# --- case 8: derived figures --------------------------------------------------------------------

def test_case8_percentages_of_hidden_counts_are_hidden(margins):
    counts = margins("T", CASE1)
    pct = DerivedTable("P", "share", "row", "column",
                       pd.DataFrame({"c0": [25.0, 16.3]}, index=["r0", "r1"]),
                       inputs={("r0", "c0"): (Cell("T", "r0", "c0"), Cell("T", "r0", "Total")),
                               ("r1", "c0"): (Cell("T", "r1", "c0"), Cell("T", "r1", "Total"))})
    protected = protect_paper(Paper("p", [counts], derived=[pct]), DEFAULT)
    assert protected.shown("P")["c0"].tolist() == ["25%", "x"]
    assert protected.derived_status[Cell("P", "r1", "c0")] == "derived"
    assert protected.derived_status[Cell("P", "r0", "c0")] == "published"
    assert any(e.figure == "P|r1|c0" and "T|r1|c0" in e.reason for e in protected.log)


# --- case 9: recomputed margins (ACRO) ----------------------------------------------------------

def test_case9_margin_without_the_hidden_cell_reveals_it():
    full = PublishedTable("full", "F", "row", "column",
                          pd.DataFrame([[8, 20, 21, 49]], index=["r"], columns=["a", "b", "c", "Total"]),
                          col_total="Total")
    acro = PublishedTable("acro", "A", "row", "column",
                          pd.DataFrame([[20, 21, 41]], index=["r"], columns=["b", "c", "Total"]),
                          col_total="Total")
    for t in (full, acro):
        t.selections = {("r", c): Selection.of("cla", group=c) for c in ("b", "c")}
    report = audit_paper(Paper("p", [full, acro]), [Cell("full", "r", "a")], DEFAULT)
    assert interval(report, Cell("full", "r", "a")) == (8, 8)


def test_case9_protection_never_recomputes_margins():
    full = PublishedTable("full", "F", "row", "column",
                          pd.DataFrame([[8, 20, 21, 49]], index=["r"], columns=["a", "b", "c", "Total"]),
                          col_total="Total")
    protected = protect_paper(Paper("p", [full]), DEFAULT)
    assert protected.shown("full").loc["r", "Total"] == "49"
    assert protected.audit.passed


# --- tau-Argus manual 2.15 ----------------------------------------------------------------------

TAU = [[5, 2], [1, 2], [3, 3]]


def test_tau_argus_block_gives_3_to_6(margins):
    # rows 7 and 3, columns 9 - 3 = 6 and 7 - 3 = 4: x = 5 cell, 6 - x >= 0, 7 - x >= 0, x - 3 >= 0
    hidden = [Cell("T", r, c) for r in ("r0", "r1") for c in ("c0", "c1")]
    report = audit_paper(Paper("p", [margins("T", TAU)]), hidden, DEFAULT, rule_knowledge=False)
    assert interval(report, Cell("T", "r0", "c0")) == (3, 6)


def test_tau_argus_all_six_hidden_gives_0_to_7(margins):
    # x + y = 7 (row), x <= 7; x = 9 - (second column cells) >= 9 - 3 - 6 = 0
    hidden = [Cell("T", f"r{i}", f"c{j}") for i in range(3) for j in range(2)]
    report = audit_paper(Paper("p", [margins("T", TAU)]), hidden, DEFAULT, rule_knowledge=False)
    assert interval(report, Cell("T", "r0", "c0")) == (0, 7)
