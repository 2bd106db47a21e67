"""Editions of a year as one disclosure problem (pipeline.disclosure.editions), on a small
quarterly table published as Q1 and Q2 editions, and a period published again at a lower
threshold. The attacker (tests/attacker.py) holds every edition's published strings."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from pipeline.config import DisclosureParams
from pipeline.disclosure import protect_paper
from pipeline.disclosure.editions import Edition, read_edition, same_figure_links
from pipeline.tables import Cell, Equation, Paper, PublishedTable, tidy
from tests.attacker import Knowledge, attack, pinned

QUARTERS = re.compile(r"^Q[1-4]$")
YTD = "Year to date"
# exits by route and quarter: A is 15 then 4, B 12 then 20, C 30 then 25
Q1 = {"A": 15, "B": 12, "C": 30}
Q2 = {"A": 4, "B": 20, "C": 25}
Q2_SEVEN = {"A": 7, "B": 20, "C": 25}  # a 7: hidden at threshold 10, shown at threshold 5


def quarterly_paper(quarters: list[dict[str, int]]) -> Paper:
    """Table T: routes x Q1..Qn and Year to date, with a Total row; YTD = sum of quarters (a link)."""
    cols = [f"Q{i + 1}" for i in range(len(quarters))]
    frame = pd.DataFrame({c: [float(q[r]) for r in "ABC"] for c, q in zip(cols, quarters, strict=True)}, index=list("ABC"))
    frame[YTD] = frame[cols].sum(axis=1)
    frame.loc["Total"] = frame.sum(axis=0)
    t = PublishedTable("T", "Exits", "route", "quarter", frame, row_total="Total")
    links = [Equation((Cell("T", r, YTD),), tuple(Cell("T", r, c) for c in cols), "year to date = sum of quarters")
             for r in frame.index]
    return Paper("quarterly", tables=[t], links=links)


def publish(paper: Paper, params: DisclosureParams, label: str, editions=()) -> tuple[Edition, dict]:
    """Protect the paper; return it as an Edition read back from its published strings, and the strings."""
    protected = protect_paper(paper, params, editions=editions, comparable=QUARTERS)
    assert protected.audit.passed
    t = paper.tables[0]
    manifest = {"threshold": params.threshold, "suppression_symbol": params.symbol, "tables": [
        {"id": "T", "file": "T.csv", "kind": "count", "protected": True, "rows": t.rows, "columns": t.cols,
         "total_row": "Total", "total_column": None, "subtotals": {}}]}
    shown = protected.tidy("T")
    return read_edition(label, manifest, {"T.csv": shown}, tidy(t)), {"T": shown}


def reader(*published: tuple[str, dict, list[str]]) -> Knowledge:
    """The attacker's knowledge of several editions: margins, YTD = sum of the quarters shown,
    and the same figure (route, quarter) in every edition that prints it."""
    k = Knowledge()
    for label, frames, cols in published:
        frame = frames["T"]
        k.add_table(frame, "x", prefix=f"{label}:", row_total="Total")
        for r in ["A", "B", "C", "Total"]:
            k.add_identity([f"{label}:T|{r}|{YTD}"], [f"{label}:T|{r}|{c}" for c in cols])
    labels = [p[0] for p in published]
    for r in ["A", "B", "C", "Total"]:
        for c in ["Q1", "Q2"]:
            having = [lab for lab, _, cols in published if c in cols]
            for other in having[1:]:
                k.add_identity([f"{having[0]}:T|{r}|{c}"], [f"{other}:T|{r}|{c}"])
    assert labels
    return k


@pytest.fixture
def params():
    return DisclosureParams()


def test_q1_built_after_q2_leaks_when_it_ignores_the_q2_edition(params):
    _, q2 = publish(quarterly_paper([Q1, Q2]), params, "Q2")
    _, q1 = publish(quarterly_paper([Q1]), params, "Q1")
    found = pinned(attack(reader(("Q2", q2, ["Q1", "Q2"]), ("Q1", q1, ["Q1"]))))
    assert found.get("Q2:T|A|Q2") == 4


@pytest.mark.parametrize("order", ["Q1 first", "Q2 first"])
def test_editions_built_in_either_order_leak_nothing_together(order, params):
    if order == "Q1 first":
        first, q1 = publish(quarterly_paper([Q1]), params, "Q1")
        _, q2 = publish(quarterly_paper([Q1, Q2]), params, "Q2", editions=[first])
    else:
        first, q2 = publish(quarterly_paper([Q1, Q2]), params, "Q2")
        _, q1 = publish(quarterly_paper([Q1]), params, "Q1", editions=[first])
    intervals = attack(reader(("Q2", q2, ["Q1", "Q2"]), ("Q1", q1, ["Q1"])))
    assert pinned(intervals) == {}
    assert intervals["Q2:T|A|Q2"][1] - intervals["Q2:T|A|Q2"][0] >= params.min_interval


def test_a_second_edition_at_a_lower_threshold_leaks_when_it_ignores_the_first(params):
    _, first = publish(quarterly_paper([Q1, Q2_SEVEN]), params, "E1")
    _, second = publish(quarterly_paper([Q1, Q2_SEVEN]), replace(params, threshold=5), "E2")
    found = pinned(attack(reader(("E1", first, ["Q1", "Q2"]), ("E2", second, ["Q1", "Q2"]))))
    assert found.get("E1:T|A|Q2") == 7


def test_a_second_edition_at_a_lower_threshold_keeps_the_first_editions_cells_safe(params):
    first_ed, first = publish(quarterly_paper([Q1, Q2_SEVEN]), params, "E1")
    _, second = publish(quarterly_paper([Q1, Q2_SEVEN]), replace(params, threshold=5), "E2", editions=[first_ed])
    assert second["T"].set_index(["row", "column"]).at[("A", "Q2"), "value"] == "x"  # the first edition's rule holds
    assert pinned(attack(reader(("E1", first, ["Q1", "Q2"]), ("E2", second, ["Q1", "Q2"])))) == {}


def test_a_revised_figure_is_not_linked_to_the_earlier_edition(params):
    first, _ = publish(quarterly_paper([Q1]), params, "Q1")
    revised = dict(Q1, B=13)  # B's Q1 figure revised from 12 to 13 since the Q1 edition
    assert protect_paper(quarterly_paper([revised, Q2]), params, editions=[first], comparable=QUARTERS).audit.passed
    links = same_figure_links(quarterly_paper([revised, Q2]), [first], QUARTERS)
    linked = {(e.lhs[0].row, e.lhs[0].col) for e in links}
    assert ("A", "Q1") in linked and ("C", "Q1") in linked
    assert ("B", "Q1") not in linked and ("Total", "Q1") not in linked


def test_year_to_date_is_linked_only_to_a_full_run_of_quarters(params):
    frame = pd.DataFrame({"Q2": [12.0], YTD: [30.0]}, index=["A"])  # timeliness: no Q1 column
    t = PublishedTable("T", "T", "r", "c", frame)
    manifest = {"threshold": 10, "suppression_symbol": "x", "tables": [
        {"id": "T", "file": "T.csv", "kind": "count", "protected": True, "rows": ["A"], "columns": ["Q2", YTD]}]}
    from pipeline.disclosure.editions import ytd_links

    assert ytd_links(read_edition("E", manifest, {"T.csv": tidy(t)})) == []
    full = PublishedTable("T", "T", "r", "c", pd.DataFrame({"Q1": [18.0], "Q2": [12.0], YTD: [30.0]}, index=["A"]))
    manifest["tables"][0]["columns"] = ["Q1", "Q2", YTD]
    [link] = ytd_links(read_edition("E", manifest, {"T.csv": tidy(full)}))
    assert (link.lhs, link.rhs) == ((Cell("E::T", "A", YTD),), (Cell("E::T", "A", "Q1"), Cell("E::T", "A", "Q2")))


def test_each_editions_cells_keep_their_own_rule_ceiling(params):
    from pipeline.disclosure.editions import combine, with_ceilings
    from pipeline.disclosure.system import build_system

    first, _ = publish(quarterly_paper([Q1, Q2_SEVEN]), params, "E1")  # threshold 10: the 7 is primary
    paper = quarterly_paper([Q1, Q2_SEVEN])
    combined, links, _ = combine(paper, [first], QUARTERS)
    system = with_ceilings(build_system(combined, links), [first], threshold=5)
    ceiling = dict(zip(system.cells, system.ceiling, strict=True))
    assert ceiling[Cell("E1::T", "A", "Q2")] == 9  # the first edition's rule: at most 9
    assert ceiling[Cell("T", "A", "Q2")] == 4  # this edition's rule: at most 4


def test_a_cell_the_editions_already_determine_is_known_not_hidden():
    from pipeline.disclosure.editions import determined

    paper = quarterly_paper([Q1, Q2])  # A: Q1 15, Q2 4, YTD 19
    known = {"T|A|Q1": 15.0, "T|B|Q1": 12.0, "T|B|Q2": 20.0}
    found = determined(paper, paper.equations(), known)
    # B's YTD follows from its two quarters; A's needs A|Q2, which nothing gives
    assert found == {"T|B|Year to date": 32.0}


def test_two_editions_of_one_period_are_linked_on_every_column(params):
    first, _ = publish(quarterly_paper([Q1, Q2]), params, "E1")
    links = same_figure_links(quarterly_paper([Q1, Q2]), [first], QUARTERS, slug="")
    assert (Cell("T", "C", YTD), Cell("E1::T", "C", YTD)) in {(e.lhs[0], e.rhs[0]) for e in links}
    other_period = replace(first, slug="2026-27-Q1")
    links = same_figure_links(quarterly_paper([Q1, Q2]), [other_period], QUARTERS, slug="2026-27-Q2")
    assert all(e.lhs[0].col in ("Q1", "Q2") for e in links)  # YTD means another figure in another period


def test_cells_the_editions_pin_only_together_are_found_by_the_audit(params):
    """Q3 paper (no Q3 exits yet) after a Q2 edition that showed A's year to date (19) but hid
    A's Q1 and Q2: A's Q3 year to date is 19 + 0 whatever this paper hides."""
    from pipeline.disclosure.editions import combine
    from pipeline.disclosure.protect import known_from_editions

    q2, shown = publish(quarterly_paper([Q1, Q2]), params, "Q2")
    assert shown["T"].set_index(["row", "column"]).loc[[("A", "Q1"), ("A", YTD)], "value"].tolist() == ["x", "19"]
    q2 = replace(q2, slug="2026-27-Q2")
    paper = quarterly_paper([Q1, Q2, {"A": 0, "B": 0, "C": 0}])
    combined, links, fixed = combine(paper, [q2], QUARTERS, "2026-27-Q3")
    known = known_from_editions(paper, combined, links, fixed, [q2], params).published_before
    assert known["T|A|Year to date"] == 19 and known["T|B|Year to date"] == 32
    assert "T|A|Q1" not in known and "T|A|Q2" not in known


def test_cells_the_published_edition_hid_are_hidden_again_when_the_period_is_rebuilt():
    """`keep`: rebuilding a published period hides what its published edition hid (beyond what
    protection alone would choose), so the same data give the same tables; a kept cell that is
    now zero or not in the paper is left alone."""
    params = DisclosureParams()
    paper = quarterly_paper([Q1, Q2])
    alone = protect_paper(paper, params, comparable=QUARTERS)
    # Q2 A=4 is primary; B or C of Q2 (20, 25) and their year to date partners protect it
    assert alone.status[Cell("T", "A", "Q2")] == "primary"
    extra = Cell("T", "C", "Q1")  # 30: shown when protected alone
    assert alone.status[extra] == "published"
    again = protect_paper(paper, params, comparable=QUARTERS,
                          keep=[extra, Cell("T", "A", "Q2"), Cell("nowhere", "A", "Q1")])
    assert again.audit.passed
    assert again.status[extra] == "secondary" and again.status[Cell("T", "A", "Q2")] == "primary"
    log = again.log_frame().set_index("figure")
    assert "published edition" in log.loc[extra.id, "reason"]
    zero = quarterly_paper([Q1, {"A": 4, "B": 0, "C": 25}])
    kept_zero = protect_paper(zero, params, comparable=QUARTERS, keep=[Cell("T", "B", "Q2")])
    assert kept_zero.status[Cell("T", "B", "Q2")] == "published"  # a shown zero is never hidden
