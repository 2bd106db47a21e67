"""Ad-hoc wide tables (freedom-of-information answers, one-off requests) as a Paper.

A wide table is a frame whose first column holds the row labels and whose other columns hold
counts; a row and a column labelled ``Total`` (when present) are the margins. Cells holding
the suppression symbol are unknown (for auditing tables already suppressed).

Tables given together are *linked* through their margins: a margin labelled ``L`` (the row
``L`` of the ``Total`` column, or the column ``L`` of the ``Total`` row) is the same figure
in every table that has a margin labelled ``L``, whichever way round the table is; and the
grand totals (``Total``/``Total``) of all the tables are the same figure. Inner cells are
never linked. Two margins with the same label but different published values are not the
same figure and are not linked (``link_wide_tables`` reports them).
"""

from __future__ import annotations

import math

import pandas as pd

from pipeline.errors import InputError
from pipeline.labels import TOTAL
from pipeline.tables import Cell, Equation, Paper, PublishedTable


def parse_count(text: object, symbol: str) -> float | str:
    """A CSV cell as a number, the symbol (unknown), or NaN (empty: no such cell)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return math.nan
    s = str(text).strip()
    if s == "":
        return math.nan
    if s == symbol:
        return symbol
    try:
        return float(s.replace(",", ""))
    except ValueError:
        raise InputError(f"cell value {s!r} is neither a number nor the symbol {symbol!r}") from None


def wide_to_table(frame: pd.DataFrame, table_id: str, symbol: str) -> PublishedTable:
    """One wide frame (first column: row labels) as a PublishedTable with its margins."""
    if frame.shape[1] < 2:
        raise InputError(f"{table_id}: needs a label column and at least one column of counts")
    labels = frame.iloc[:, 0].astype(str).str.strip()
    if labels.duplicated().any():
        raise InputError(f"{table_id}: duplicate row labels {sorted(set(labels[labels.duplicated()]))}")
    body = frame.iloc[:, 1:].copy()
    body.columns = [str(c).strip() for c in body.columns]
    if pd.Index(body.columns).duplicated().any():
        raise InputError(f"{table_id}: duplicate column labels")
    values = pd.DataFrame(
        [[parse_count(v, symbol) for v in row] for row in body.itertuples(index=False)],
        index=list(labels), columns=list(body.columns), dtype=object)
    return PublishedTable(
        table_id, table_id, str(frame.columns[0]), "column", values,
        row_total=TOTAL if TOTAL in values.index else None,
        col_total=TOTAL if TOTAL in values.columns else None,
    )


def _margins(table: PublishedTable) -> dict[str, Cell]:
    out: dict[str, Cell] = {}
    if table.col_total:
        out.update({r: Cell(table.table_id, r, TOTAL) for r in table.rows if r != TOTAL})
    if table.row_total:
        out.update({c: Cell(table.table_id, TOTAL, c) for c in table.cols if c != TOTAL})
    return out


def link_wide_tables(tables: list[PublishedTable]) -> tuple[list[Equation], list[str]]:
    """Equations linking margins with the same label across tables, and warnings for clashes."""
    links: list[Equation] = []
    warnings: list[str] = []
    first_margin: dict[str, Cell] = {}
    first_grand: Cell | None = None

    def value(cell: Cell) -> object:
        t = next(t for t in tables if t.table_id == cell.table_id)
        v = t.values.at[cell.row, cell.col]
        return v

    def same(a: Cell, b: Cell, reason: str) -> None:
        va, vb = value(a), value(b)
        if isinstance(va, float) and isinstance(vb, float):
            if math.isnan(va) or math.isnan(vb):
                return
            if abs(va - vb) > 1e-9:
                warnings.append(f"not linked: {a.id} = {va:g} but {b.id} = {vb:g}")
                return
        links.append(Equation((a,), (b,), reason))

    for t in tables:
        if t.row_total and t.col_total:
            grand = Cell(t.table_id, TOTAL, TOTAL)
            if first_grand is None:
                first_grand = grand
            else:
                same(first_grand, grand, "same grand total")
        for label, cell in _margins(t).items():
            if label in first_margin and first_margin[label].table_id != t.table_id:
                same(first_margin[label], cell, f"same margin '{label}'")
            else:
                first_margin.setdefault(label, cell)
    return links, warnings


def wide_paper(frames: dict[str, pd.DataFrame], symbol: str) -> tuple[Paper, list[str]]:
    """Every table given together as one Paper (linked by shared margin labels), and warnings."""
    tables = [wide_to_table(f, tid, symbol) for tid, f in frames.items()]
    links, warnings = link_wide_tables(tables)
    return Paper("adhoc", tables, links=links), warnings


def suppressed_cells(paper: Paper, symbol: str) -> list[Cell]:
    """Cells that hold the symbol (already suppressed)."""
    out = []
    for t in paper.tables:
        for cell in t.cells():
            if t.values.at[cell.row, cell.col] == symbol:
                out.append(cell)
    return out


def shown_to_wide(shown: pd.DataFrame, label_header: str) -> pd.DataFrame:
    """A shown table back in wide form, its row labels in the first column."""
    out = shown.copy()
    out.insert(0, label_header, out.index)
    return out.reset_index(drop=True)
