"""Trends in the quarterly paper: the last eight quarters of exits through the Exit Team, and
this quarter next to the same quarter last year.

Both are count tables (:class:`pipeline.tables.PublishedTable`) over the same fact tables and
with the same selections as Q01 and Q02, so a quarter that Q01 or Q02 also prints is the same
figure to disclosure control (the audit links equal selections), and a small count is hidden
like any other. Quarters before the paper's are recomputed from the current data, and the
tables say so: a figure may differ from the one printed in that quarter's own paper.

  Q14_trend_team_exits   exits through the Exit Team by route, each of the last eight quarters
  Q15_same_quarter       this quarter and the same quarter a year earlier: Exit Team exits by
                         route and all children leaving care (DfE return)
  Q16_trend_rolling      exits through the Exit Team in the 12 months to the end of each quarter
                         (the last five quarters: each is the sum of four quarters of Q14, and the
                         paper declares it, so the audit knows what two such totals give away)

A quarter's count for a small team is often below the threshold and hidden; the 12-month
totals are larger, so they are what the trend chart can show.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline.labels import DFE_TOTAL, ROUTE_LABELS, TEAM_TOTAL
from pipeline.measures import quarterly as m
from pipeline.periods import PeriodError, Quarter, parse_quarter
from pipeline.process.quarterly import EXIT_TEAM_ROUTES
from pipeline.tables import Cell, Equation, PublishedTable, Selection

TREND_TABLE = "Q14_trend_team_exits"
SAME_QUARTER_TABLE = "Q15_same_quarter"
ROLLING_TABLE = "Q16_trend_rolling"
TREND_TABLES = (TREND_TABLE, SAME_QUARTER_TABLE, ROLLING_TABLE)
TREND_QUARTERS = 8
ROLLING_QUARTERS = 4


def list_trend_quarters(period: Quarter, n: int = TREND_QUARTERS) -> list[Quarter]:
    """The ``n`` quarters ending with ``period``, oldest first."""
    out = [period]
    for _ in range(n - 1):
        out.insert(0, out[0].previous())
    return out


def find_same_quarter_last_year(period: Quarter) -> Quarter:
    return Quarter(period.year.shift(-1), period.q)


def _routes(events: pd.DataFrame, quarters: list[Quarter]) -> list[str]:
    """The Exit Team's routes, leaving out 'SGO, carer not known' when it has no exit in the window
    (as Q01 does)."""
    labels = tuple(q.label for q in quarters)
    return [r for r in EXIT_TEAM_ROUTES
            if r != "SGO_CARER_UNKNOWN" or m.select_team_exits(labels, r).evaluate(events) > 0]


def _table(table_id: str, title: str, col_dim: str, rows: list[tuple[str, object]], quarters: list[Quarter],
           facts: dict[str, pd.DataFrame], **kw) -> PublishedTable:
    """rows: (label, selection builder taking a quarter label); one column per quarter."""
    cols = [q.label for q in quarters]
    values = pd.DataFrame(float("nan"), index=[r for r, _ in rows], columns=cols)
    selections: dict[tuple[str, str], Selection] = {}
    for label, select in rows:
        for q in quarters:
            sel = select(q.label)
            selections[(label, q.label)] = sel
            values.at[label, q.label] = sel.evaluate(facts[sel.fact])
    return PublishedTable(table_id, title, "Route", col_dim, values, selections=selections, **kw)


def build_trend_table(facts: dict[str, pd.DataFrame], period: Quarter) -> PublishedTable:
    """Q14: exits through the Exit Team by route in each of the last eight quarters."""
    quarters = list_trend_quarters(period)
    routes = _routes(facts["tracker_events"], quarters)
    rows = [(ROUTE_LABELS[r], lambda ql, r=r: m.select_team_exits((ql,), r)) for r in routes]
    rows.append((TEAM_TOTAL, lambda ql: m.select_team_exits((ql,), EXIT_TEAM_ROUTES)))
    first = quarters[0].label
    return _table(
        TREND_TABLE, f"Children leaving care through the Exit Team, {first} to {period.label}", "Quarter", rows,
        quarters, facts, row_total=TEAM_TOTAL,
        caption="Exits through the Exit Team in each of the last eight quarters, counted as in the table of exits achieved this year.",
        notes=(f"Recomputed: the quarters before {period.label} are counted again from the current permanence "
               "tracker, so a figure can differ from the one printed in that quarter's paper (an event recorded "
               "late or corrected). Changes to this year's quarters are listed under 'Revisions to previously "
               "reported figures'.", "Source: permanence tracker."))


def build_same_quarter_table(facts: dict[str, pd.DataFrame], period: Quarter) -> PublishedTable:
    """Q15: this quarter and the same quarter last year (Exit Team by route, and the DfE count)."""
    last = find_same_quarter_last_year(period)
    quarters = [last, period]
    rows: list[tuple[str, object]] = []
    if "tracker_events" in facts:
        routes = _routes(facts["tracker_events"], quarters)
        rows += [(ROUTE_LABELS[r], lambda ql, r=r: m.select_team_exits((ql,), r)) for r in routes]
        rows.append((TEAM_TOTAL, lambda ql: m.select_team_exits((ql,), EXIT_TEAM_ROUTES)))
    if "exits" in facts:
        rows.append((DFE_TOTAL, lambda ql: m.select_dfe_exits((ql,))))
    return _table(
        SAME_QUARTER_TABLE, f"{period.label} and the same quarter a year earlier ({last.label})", "Quarter", rows,
        quarters, facts,
        caption="Children leaving care in this quarter and in the same quarter of the previous year: through the "
                "Exit Team by route (as in the table of exits achieved) and all children whose period of care ended (as in the table of children leaving care by reason).",
        notes=(f"Recomputed: {last.label} is counted again from the current data, so it can differ from the figure "
               "printed in that quarter's paper.",))


def build_rolling_table(facts: dict[str, pd.DataFrame], period: Quarter) -> tuple[PublishedTable, list[Equation]]:
    """Q16: exits through the Exit Team in the 12 months to the end of each of the last quarters
    whose four quarters are all in Q14, and the equations tying each to Q14's quarters."""
    window = list_trend_quarters(period)
    ends = window[ROLLING_QUARTERS - 1:]
    events = facts["tracker_events"]
    values = pd.DataFrame(float("nan"), index=[TEAM_TOTAL], columns=[q.label for q in ends])
    selections, links = {}, []
    for i, end in enumerate(ends):
        four = window[i:i + ROLLING_QUARTERS]
        sel = m.select_team_exits(tuple(q.label for q in four), EXIT_TEAM_ROUTES)
        selections[(TEAM_TOTAL, end.label)] = sel
        values.at[TEAM_TOTAL, end.label] = sel.evaluate(events)
        links.append(Equation((Cell(ROLLING_TABLE, TEAM_TOTAL, end.label),),
                              tuple(Cell(TREND_TABLE, TEAM_TOTAL, q.label) for q in four),
                              "12 months = sum of its four quarters"))
    table = PublishedTable(
        ROLLING_TABLE, f"Children leaving care through the Exit Team in the 12 months to the end of each quarter, "
        f"{ends[0].label} to {period.label}", "Measure", "12 months to the end of", values, selections=selections,
        caption="Exits through the Exit Team in the four quarters ending with each quarter shown (the sum of four "
                "columns of the quarterly table). A 12-month total is larger than a quarter's count, so it can be "
                "published when the quarters cannot, and it is not affected by the time of year.",
        notes=("Recomputed from the current permanence tracker, like the quarterly table.",))
    return table, links


def build_trend_tables(facts: dict[str, pd.DataFrame], period: Quarter) -> tuple[list[PublishedTable], list[Equation]]:
    """Q14 and Q16 (when the permanence tracker was supplied) and Q15 (when it or the episodes
    were), and the equations between them."""
    out, links = [], []
    if "tracker_events" in facts:
        out.append(build_trend_table(facts, period))
        rolling, links = build_rolling_table(facts, period)
        out.append(rolling)
    if "tracker_events" in facts or "exits" in facts:
        out.append(build_same_quarter_table(facts, period))
    return out, links


def map_earlier_editions(known: Mapping[str, Mapping[str, float]], period: Quarter) -> dict[str, float]:
    """Figures printed in earlier quarterly papers (period slug -> figure id -> value) that are
    cells of this paper's trend tables: an earlier edition's Q14, Q15 and Q16 figures (their
    columns name quarters, so the ids are the same), and the Q01 figures of earlier financial
    years' papers (``Q01_team_exits|<route>|Q3`` of a 2025-26 paper is
    ``Q14_trend_team_exits|<route>|2025-26 Q3``; this year's are linked through Q01 already).
    The latest edition wins. The caller keeps those that are cells of the paper."""
    window = {q.label for q in list_trend_quarters(period)}
    out: dict[str, float] = {}
    editions = []
    for slug, figures in known.items():
        try:
            editions.append((parse_quarter(slug), figures))
        except PeriodError:
            continue
    for edition, figures in sorted(editions, key=lambda e: e[0]):
        if edition >= period:
            continue
        for fid, value in figures.items():
            table, row, col = fid.split("|")
            if table in TREND_TABLES:  # an earlier edition's trend: its columns name quarters, as here
                out[fid] = float(value)
                continue
            if edition.year >= period.year:
                continue
            if table != "Q01_team_exits" or not (len(col) == 2 and col[0] == "Q" and col[1] in "1234"):
                continue
            label = f"{edition.year.label} {col}"
            if label in window:
                out[f"{TREND_TABLE}|{row}|{label}"] = float(value)
    return out
