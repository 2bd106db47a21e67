"""The order the paper command applies earlier figures in: restrict_published_before (figures
of earlier papers with a Q1-Q4 column), then add_revisions. A figure the later data revised
must not stay declared with its old value, or disclosure control would be told something
false about the paper's own cell. Worked out by hand below."""

from pathlib import Path

import pandas as pd

from pipeline.config import load_params
from pipeline.disclosure import protect_paper
from pipeline.papers import revisions as rv
from pipeline.papers.assemble import restrict_published_before, select_comparable_figures
from pipeline.periods import parse_quarter
from pipeline.tables import Paper, PublishedTable, Selection

ROOT = Path(__file__).resolve().parents[3]
ROUTES = ["Adoption", "SGO"]


def _exits(adoption_q1: int, sgo_q1: int, adoption_q2: int, sgo_q2: int) -> pd.DataFrame:
    rows = ([("Adoption", "Q1")] * adoption_q1 + [("SGO", "Q1")] * sgo_q1
            + [("Adoption", "Q2")] * adoption_q2 + [("SGO", "Q2")] * sgo_q2)
    frame = pd.DataFrame(rows, columns=["EXIT_ROUTE", "Q"])
    frame["CHILD"] = [f"C{i:03d}" for i in range(len(frame))]
    frame["DECOM"] = pd.Timestamp("2025-01-01")
    return frame


def build_paper(facts, params) -> Paper:
    """Exits by route in each quarter to date and the year to date (columns as the real paper)."""
    exits = facts["exits"]
    quarters = [f"Q{q.q}" for q in params.period.quarters_to_date()]
    sels = {}
    for r in [*ROUTES, "Total"]:
        base = Selection.of("exits") if r == "Total" else Selection.of("exits", EXIT_ROUTE=r)
        for q in quarters:
            sels[(r, q)] = base.narrow(Q=q)
    values = pd.DataFrame({q: [sels[(r, q)].evaluate(exits) for r in [*ROUTES, "Total"]] for q in quarters},
                          index=[*ROUTES, "Total"])
    values["Year to date"] = values[quarters].sum(axis=1)
    table = PublishedTable("T01_exits", "Exits by route", "route", "quarter", values, row_total="Total",
                           col_total="Year to date", selections=sels)
    return Paper("quarterly", [table])


def _params(period: str):
    return load_params(ROOT / "params.yaml", [f"period={period}", f"period_slug={parse_quarter(period).slug}"])


# Q1 extract: 12 adoptions and 15 SGOs in Q1 (all shown, threshold 10).
# Q2 extract: 2 more adoptions back-dated into Q1 (12 -> 14; total 27 -> 29), SGOs unchanged;
# in Q2, 11 adoptions and 13 SGOs.
Q1_FACTS = {"exits": _exits(12, 15, 0, 0)}
Q2_FACTS = {"exits": _exits(14, 15, 11, 13)}
Q1_PUBLISHED = pd.DataFrame(
    [("T01_exits", r, c, v) for r, c, v in [
        ("Adoption", "Q1", "12"), ("SGO", "Q1", "15"), ("Total", "Q1", "27"),
        ("Adoption", "Year to date", "12"), ("SGO", "Year to date", "15"), ("Total", "Year to date", "27")]],
    columns=["table_id", "row", "column", "value"])


def _q2_paper():
    params = _params("2026-27 Q2")
    known = {f"{t}|{r}|{c}": float(v) for t, r, c, v in Q1_PUBLISHED.itertuples(index=False)}
    paper = restrict_published_before(build_paper(Q2_FACTS, params), select_comparable_figures("quarterly", known))
    revs = rv.revise_earlier_papers(build_paper, Q2_FACTS, params, {"2026-27-Q1": Q1_PUBLISHED}, lookback=4)
    return params, paper, revs, rv.add_revisions(paper, revs)


def test_restrict_keeps_only_quarter_columns_including_the_stale_one():
    _, paper, _, _ = _q2_paper()
    # "Year to date" means something else in Q2: never matched; Q1 columns are, even the revised one
    assert paper.published_before == {"T01_exits|Adoption|Q1": 12.0, "T01_exits|SGO|Q1": 15.0,
                                      "T01_exits|Total|Q1": 27.0}


def test_revised_figures_are_not_declared_with_their_old_value():
    _, _, revs, revised = _q2_paper()
    assert set(revs.reasons["figure_id"]) == {"T01_exits|Adoption|Q1", "T01_exits|Total|Q1",
                                              "T01_exits|Adoption|Year to date", "T01_exits|Total|Year to date"}
    adoption_q1 = "2026-27 Q1, Exits by route: Adoption, Q1"
    total_q1 = "2026-27 Q1, Exits by route: Total, Q1"
    assert revised.published_before == {
        "T01_exits|SGO|Q1": 15.0,  # unchanged: still known, still true
        f"QREV_revisions|{adoption_q1}|Previously reported": 12.0,
        f"QREV_revisions|{total_q1}|Previously reported": 27.0,
        "QREV_revisions|2026-27 Q1, Exits by route: Adoption, Year to date|Previously reported": 12.0,
        "QREV_revisions|2026-27 Q1, Exits by route: Total, Year to date|Previously reported": 27.0,
    }
    # every value still declared for one of the paper's own count cells is its true value
    for fid, value in revised.published_before.items():
        t, r, c = fid.split("|")
        if t == "T01_exits":
            assert revised.table(t).values.at[r, c] == value


def test_the_revised_paper_passes_the_audit_and_shows_the_revision():
    params, _, _, revised = _q2_paper()
    protected = protect_paper(revised, params.disclosure)
    assert protected.audit.passed
    table = revised.table("QREV_revisions")
    assert table.values.loc["2026-27 Q1, Exits by route: Adoption, Q1"].tolist() == [12.0, 14.0]
    assert table.values.loc["2026-27 Q1, Exits by route: Total, Q1"].tolist() == [27.0, 29.0]


def test_a_figure_published_as_zero_then_revised_gets_its_reason_from_the_earlier_store():
    # Q1 published 0 SGOs in Q1 (its lineage store kept 12 adoption rows, none for SGO);
    # the Q2 return adds 1 SGO exit in Q1: a new return (RETURN covers a later date).
    q1 = _exits(12, 0, 0, 0).assign(RETURN="2026-27_Q1")
    q2 = pd.concat([q1.assign(RETURN="2026-27_Q2"),
                    pd.DataFrame({"EXIT_ROUTE": ["SGO"], "Q": ["Q1"], "CHILD": ["N001"],
                                  "DECOM": [pd.Timestamp("2025-02-01")], "RETURN": ["2026-27_Q2"]})],
                   ignore_index=True)
    published = pd.DataFrame([("T01_exits", "SGO", "Q1", "0"), ("T01_exits", "Adoption", "Q1", "12")],
                             columns=["table_id", "row", "column", "value"])
    store = q1.assign(figure_id="T01_exits|Adoption|Q1", fact="exits")
    earlier = rv.EarlierPaper(parse_quarter("2026-27 Q1"), published,
                              build_paper({"exits": q2}, _params("2026-27 Q1")), store)
    revs = rv.build_revisions([earlier], {"exits": q2})
    got = revs.reasons.set_index("figure_id").loc["T01_exits|SGO|Q1"]
    assert (got["previously"], got["now"], got["reason"]) == (0.0, 1.0, rv.NEW_RETURN)
    assert got["added_new_return"] == 1 and got["removed"] == 0
