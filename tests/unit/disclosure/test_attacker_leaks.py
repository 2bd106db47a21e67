"""Each leak class of issue 13 on a hand-made paper: the independent attacker (tests/attacker.py,
integer programming over the published strings only) recovers a hidden count when
protection is told only the table layout, and recovers nothing once the record-set
identities are given to it."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.config import DisclosureParams
from pipeline.disclosure import protect_paper
from pipeline.disclosure.identities import derive_identities
from pipeline.tables import Paper
from tests.attacker import Knowledge, attack, pinned
from tests.unit.disclosure.test_identities import count_table

PARAMS = DisclosureParams()  # threshold 10, zeros shown, min_interval 10


def published_knowledge(protected, paper: Paper) -> Knowledge:
    """What a reader holds: the shown strings of every table and its margins."""
    k = Knowledge()
    for t in paper.tables:
        k.add_table(protected.tidy(t.table_id), PARAMS.symbol, row_total=t.row_total, col_total=t.col_total)
    return k


def protect(paper: Paper, facts: dict, with_identities: bool):
    ids = [i.equation() for i in derive_identities(paper, facts)] if with_identities else []
    return protect_paper(paper, PARAMS, identities=ids)


@pytest.fixture
def two_labels():
    # 3 placed with parents (provider n/a), 25 foster (LA), 12 + 18 other (two private providers)
    rows = [("P", "NA")] * 3 + [("F", "LA")] * 25 + [("O", "PRIV1")] * 12 + [("O", "PRIV2")] * 18
    cla = pd.DataFrame(rows, columns=["PLACEMENT", "PROVIDER"])
    t1 = count_table("T1", "cla", cla, "PLACEMENT", {"Parents": ("P",), "Foster": ("F",), "Other": ("O",)}, True)
    t2 = count_table("T2", "cla", cla, "PROVIDER",
                     {"Not applicable": ("NA",), "LA": ("LA",), "Private 1": ("PRIV1",), "Private 2": ("PRIV2",)}, True)
    # a reader knows from the captions: parents = provider n/a, foster = the LA's own provision
    domain = [(["T1|Parents|N"], ["T2|Not applicable|N"]), (["T1|Foster|N"], ["T2|LA|N"])]
    return Paper("p", tables=[t1, t2]), {"cla": cla}, domain


@pytest.fixture
def sum_across_tables():
    # open cases by stage (A 4, B 30, C 25; no total row) and by team (X 29, Y 30, total 59)
    cases = pd.DataFrame({"STAGE": ["A"] * 4 + ["B"] * 30 + ["C"] * 25,
                          "TEAM": ["X"] * 14 + ["Y"] * 20 + ["X"] * 15 + ["Y"] * 10})
    t1 = count_table("T1", "cases", cases, "STAGE", {"A": ("A",), "B": ("B",), "C": ("C",)})
    t2 = count_table("T2", "cases", cases, "TEAM", {"X": ("X",), "Y": ("Y",)}, True)
    # a reader knows every open case is at one stage: the stages add up to the caseload
    domain = [(["T2|Total|N"], ["T1|A|N", "T1|B|N", "T1|C|N"])]
    return Paper("p", tables=[t1, t2]), {"cases": cases}, domain


@pytest.mark.parametrize("case", ["two_labels", "sum_across_tables"])
def test_the_attacker_recovers_a_count_from_the_layout_only_protection(case, request):
    paper, facts, domain = request.getfixturevalue(case)
    protected = protect(paper, facts, with_identities=False)
    k = published_knowledge(protected, paper)
    for lhs, rhs in domain:
        k.add_identity(lhs, rhs)
    found = pinned(attack(k))
    assert found, "the fixture should leak without record-set identities"
    assert any(v < PARAMS.threshold for v in found.values())


@pytest.mark.parametrize("case", ["two_labels", "sum_across_tables"])
def test_with_record_set_identities_the_attacker_recovers_nothing(case, request):
    paper, facts, domain = request.getfixturevalue(case)
    protected = protect(paper, facts, with_identities=True)
    assert protected.audit.passed
    k = published_knowledge(protected, paper)
    for lhs, rhs in domain:
        k.add_identity(lhs, rhs)
    intervals = attack(k)
    assert pinned(intervals) == {}
    true = {c.id: t.value(c) for t in paper.tables for c in t.cells()}
    for cell, (lo, hi) in intervals.items():
        if true[cell] < PARAMS.threshold:  # a primary cell moves by at least min_interval
            assert hi - lo >= PARAMS.min_interval, (cell, lo, hi)


def test_protection_with_identities_hides_no_whole_table(two_labels, sum_across_tables):
    for paper, facts, _ in (two_labels, sum_across_tables):
        protected = protect(paper, facts, with_identities=True)
        for t in paper.tables:
            shown = protected.tidy(t.table_id)["value"]
            assert (shown != PARAMS.symbol).any(), t.table_id
