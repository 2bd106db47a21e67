"""Record-set identities (pipeline.disclosure.identities), from small hand-made fact tables.

Each expected identity is worked out by hand from the rows listed in the fixture."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.disclosure.identities import derive_identities, derive_universe, identities_frame
from pipeline.tables import Cell, Paper, PublishedTable, Selection


def count_table(table_id: str, fact: str, frame: pd.DataFrame, col: str, rows: dict[str, tuple],
                total: bool = False) -> PublishedTable:
    """One column 'N': each row counts the fact rows whose `col` is in the row's values."""
    sels = {(label, "N"): Selection.of(fact, **{col: vals}) for label, vals in rows.items()}
    if total:
        sels[("Total", "N")] = Selection.of(fact)
    values = pd.DataFrame({"N": [float(s.evaluate(frame)) for s in sels.values()]},
                          index=[r for r, _ in sels])
    return PublishedTable(table_id, table_id, "row", "col", values, row_total="Total" if total else None,
                          selections=sels)


def vector(identity) -> dict[str, int]:
    """identity as coefficients (lhs +1, rhs -1), sign fixed so the first cell is positive."""
    coef: dict[str, int] = {}
    for c in identity.lhs:
        coef[c.id] = coef.get(c.id, 0) + 1
    for c in identity.rhs:
        coef[c.id] = coef.get(c.id, 0) - 1
    coef = {k: v for k, v in sorted(coef.items()) if v}
    first = next(iter(coef.values()))
    return {k: v * (1 if first > 0 else -1) for k, v in coef.items()}


@pytest.fixture
def placements() -> pd.DataFrame:
    # 3 placed with parents (provider n/a), 25 foster (LA), 12 + 18 other (two private providers)
    rows = ([("P", "NA")] * 3 + [("F", "LA")] * 25 + [("O", "PRIV1")] * 12 + [("O", "PRIV2")] * 18)
    return pd.DataFrame(rows, columns=["PLACEMENT", "PROVIDER"])


def test_equal_record_sets_under_different_labels_are_one_figure(placements):
    t1 = count_table("T1", "cla", placements, "PLACEMENT", {"Parents": ("P",), "Foster": ("F",), "Other": ("O",)}, True)
    t2 = count_table("T2", "cla", placements, "PROVIDER",
                     {"Not applicable": ("NA",), "LA": ("LA",), "Private 1": ("PRIV1",), "Private 2": ("PRIV2",)}, True)
    found = derive_identities(Paper("p", tables=[t1, t2]), {"cla": placements})
    same = {frozenset((i.lhs[0].id, i.rhs[0].id)) for i in found if i.kind == "same records"}
    assert same == {frozenset(("T1|Parents|N", "T2|Not applicable|N")), frozenset(("T1|Foster|N", "T2|LA|N"))}
    # Other = Private 1 + Private 2 follows from the two totals (equal selections) and the
    # two equalities above, so it is not repeated
    assert all(i.kind == "same records" for i in found)


def test_a_sum_across_tables_is_found_when_no_table_prints_it():
    cases = pd.DataFrame({"STAGE": ["A"] * 4 + ["B"] * 30 + ["C"] * 25,
                          "TEAM": ["X"] * 4 + ["X"] * 10 + ["Y"] * 20 + ["X"] * 15 + ["Y"] * 10})
    t1 = count_table("T1", "cases", cases, "STAGE", {"A": ("A",), "B": ("B",), "C": ("C",)})  # no total
    t2 = count_table("T2", "cases", cases, "TEAM", {"X": ("X",), "Y": ("Y",)}, True)
    found = derive_identities(Paper("p", tables=[t1, t2]), {"cases": cases})
    # A + B + C = Total, or the same through the table's margin (Total = X + Y)
    assert len(found) == 1
    assert vector(found[0]) in ({"T1|A|N": 1, "T1|B|N": 1, "T1|C|N": 1, "T2|Total|N": -1},
                                {"T1|A|N": 1, "T1|B|N": 1, "T1|C|N": 1, "T2|X|N": -1, "T2|Y|N": -1})


def test_cells_over_different_facts_meet_through_the_child_id():
    events = pd.DataFrame({"CASE_ID": [1, 2, 3, 4], "CHILD": ["a", "b", "c", "d"],
                           "STAGE": ["SGO", "SGO", "SGO", "PWP"]})
    exits = pd.DataFrame({"CHILD": ["a", "b", "c", "e", "e"], "ROUTE": ["SGO", "SGO", "SGO", "Home", "Home"]})
    t1 = count_table("Q04", "events", events, "STAGE", {"SGO granted": ("SGO",)})
    t2 = count_table("Q01", "exits", exits, "ROUTE", {"Exit by SGO": ("SGO",), "Home": ("Home",)})
    found = derive_identities(Paper("p", tables=[t1, t2]), {"events": events, "exits": exits})
    assert [(i.kind, i.universe, vector(i)) for i in found] == [
        ("same records", "children (CHILD)", {"Q01|Exit by SGO|N": 1, "Q04|SGO granted|N": -1})]
    # "Home" counts child e twice: it is no count of children, so it is in no child identity
    assert not any("Home" in i.text() for i in found)


def test_overlapping_sets_give_a_linear_combination_verified_exactly():
    # A={1,2}, B={2,3}, C={3,4}, D={1,4}: A + C = B + D, and no cell is a union of others
    sets = {Cell("T", n, "N"): pd.Series(v).to_numpy() for n, v in
            {"A": [1, 2], "B": [2, 3], "C": [3, 4], "D": [1, 4]}.items()}
    found = derive_universe("rows of f", sets)
    assert [vector(i) for i in found] == [{"T|A|N": 1, "T|B|N": -1, "T|C|N": 1, "T|D|N": -1}]
    assert found[0].kind == "linear combination"


def test_independent_sets_and_empty_sets_give_no_identity():
    sets = {Cell("T", "A", "N"): pd.Series([1, 2]).to_numpy(), Cell("T", "B", "N"): pd.Series([2, 3]).to_numpy(),
            Cell("T", "Z", "N"): pd.Series([], dtype=int).to_numpy()}
    assert derive_universe("rows of f", sets) == []


def test_sums_of_money_and_unprotected_tables_are_left_out(placements):
    t1 = count_table("T1", "cla", placements, "PLACEMENT", {"Parents": ("P",)})
    t2 = count_table("T2", "cla", placements, "PROVIDER", {"NA": ("NA",)})
    t2.suppress = False
    assert derive_identities(Paper("p", tables=[t1, t2]), {"cla": placements}) == []


def test_the_restricted_log_names_each_identity_and_where_it_came_from(placements):
    t1 = count_table("T1", "cla", placements, "PLACEMENT", {"Parents": ("P",)})
    t2 = count_table("T2", "cla", placements, "PROVIDER", {"NA": ("NA",)})
    frame = identities_frame(derive_identities(Paper("p", tables=[t1, t2]), {"cla": placements}))
    assert frame.to_dict("records") == [
        {"kind": "same records", "source": "rows of cla", "identity": "T1|Parents|N = T2|NA|N"}]


def test_many_atoms_are_projected_and_the_identity_still_found_exactly():
    import numpy as np

    from pipeline.disclosure.identities import atoms_of, cell_vectors

    rng = np.random.default_rng(7)
    sets = {Cell("R", f"r{i}", "N"): np.flatnonzero(rng.random(40) < 0.5) for i in range(8)}  # 40 records
    # plus the four-cycle of the linear-combination test, over records the random cells share
    sets.update({Cell("T", n, "N"): np.array(v) for n, v in
                 {"A": [0, 1], "B": [1, 2], "C": [2, 3], "D": [0, 3]}.items()})
    cells, members, _ = atoms_of(sets)
    from pipeline.disclosure.identities import components

    assert len(components(sets)) == 1
    assert 1 + max(max(m) for m in members) > len(cells) + 8  # more atoms than cells: projected
    n_atoms = 1 + max(max(m) for m in members)
    import scipy.sparse as sp

    rows = [j for j, m in enumerate(members) for _ in m]
    cols = [a for m in members for a in m]
    assert cell_vectors(sp.csr_matrix(([1.0] * len(rows), (rows, cols)), shape=(len(cells), n_atoms))).shape == (
        len(cells), len(cells) + 8)
    found = derive_universe("rows of f", sets)
    # eight random halves of 40 records are independent; the cycle gives A + C = B + D
    assert [vector(i) for i in found] == [{"T|A|N": 1, "T|B|N": -1, "T|C|N": 1, "T|D|N": -1}]
