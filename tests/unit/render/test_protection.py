from types import SimpleNamespace

import pandas as pd
import pytest

from pipeline.render.protection import read_protection
from pipeline.tables import Cell


def test_cells_and_audit_are_read_from_the_result(paper):
    result = SimpleNamespace(suppressed=[Cell("T1_exits", "Placed with parents", "Q1"), "T1_exits|Total|Q1"],
                             audit=SimpleNamespace(passed=True, exposed=()), log=[{"cell": "x"}])
    p = read_protection(paper, result)
    assert p.suppressed["T1_exits"] == frozenset({("Placed with parents", "Q1"), ("Total", "Q1")})
    assert p.suppressed["T1p_share"] == frozenset()
    assert p.audit_passed and p.summary()["suppressed_cells"] == 2
    assert isinstance(p.log, pd.DataFrame)


def test_an_exposed_cell_fails_the_audit(paper):
    result = SimpleNamespace(suppressed=[], audit=SimpleNamespace(passed=True, exposed=["T1_exits|Total|Q1"]))
    p = read_protection(paper, result)
    assert not p.audit_passed and p.exposed == ("T1_exits|Total|Q1",)


def test_shown_tables_with_the_symbol_are_read(paper):
    shown = pd.DataFrame({"Q1": ["x", "3"]}, index=["Special guardianship order", "Placed with parents"])
    p = read_protection(paper, SimpleNamespace(shown={"T1_exits": shown}))
    assert p.suppressed["T1_exits"] == frozenset({("Special guardianship order", "Q1")})


def test_a_cell_outside_the_paper_is_refused(paper):
    with pytest.raises(KeyError, match="not a cell of this paper"):
        read_protection(paper, SimpleNamespace(suppressed=["Z|a|b"]))


def test_the_disclosure_packages_result_is_read(paper):
    from pipeline.config import DisclosureParams
    from pipeline.disclosure import protect_paper

    protected = protect_paper(paper, DisclosureParams(threshold=10))
    p = read_protection(paper, protected)
    # 8 and 3 in Q1 are below 10; their total 11 is shown only if they stay hidden together
    assert {("Special guardianship order", "Q1"), ("Placed with parents", "Q1")} <= p.suppressed["T1_exits"]
    assert p.audit_passed and not p.log.empty
