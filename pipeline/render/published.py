"""The published view of a paper: the figures that may be shown, and nothing else.

A :class:`PublishedPaper` is what the notebooks display. It is built either from a protected
:class:`pipeline.tables.Paper` (true values plus the cells disclosure control suppressed) or
from the public tidy CSVs and ``tables.json`` written beside a paper, so a notebook that reads
it can never show a true value that was suppressed.

Values are held as numbers rounded as published (``NaN`` where suppressed or not
applicable); ``status`` says which: ``shown``, ``suppressed`` or ``na``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.tables import DerivedTable, Paper, PublishedTable

SHOWN, SUPPRESSED, NA = "shown", "suppressed", "na"
NA_SYMBOL = "z"
# Decimal places each kind of figure is published with (counts are whole numbers).
DECIMALS = {"count": 0, "percent": 0, "rate": 1, "money": 0, "number": 1, "days": 0, "fte": 1}


@dataclass(frozen=True)
class TableInfo:
    """Everything public about one table except its figures."""

    table_id: str
    title: str
    kind: str  # count | derived
    row_dim: str
    col_dim: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    fmt: str = "count"
    unit: str = "children"
    protected: bool = True  # counts of people under the threshold rule
    row_total: str | None = None
    col_total: str | None = None
    subtotals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    caption: str = ""
    notes: tuple[str, ...] = ()
    shared: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # figure id -> same figure elsewhere
    inputs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # derived figure id -> count ids

    def to_dict(self) -> dict:
        return {
            "id": self.table_id, "title": self.title, "kind": self.kind,
            "row_dimension": self.row_dim, "column_dimension": self.col_dim,
            "rows": list(self.rows), "columns": list(self.cols),
            "format": self.fmt, "unit": self.unit, "protected": self.protected,
            "total_row": self.row_total, "total_column": self.col_total,
            "subtotals": {k: list(v) for k, v in self.subtotals.items()},
            "caption": self.caption, "notes": list(self.notes),
            "shared_figures": {k: list(v) for k, v in sorted(self.shared.items())},
            "computed_from": {k: list(v) for k, v in sorted(self.inputs.items())},
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> TableInfo:
        return cls(
            table_id=d["id"], title=d["title"], kind=d["kind"], row_dim=d["row_dimension"],
            col_dim=d["column_dimension"], rows=tuple(d["rows"]), cols=tuple(d["columns"]),
            fmt=d["format"], unit=d["unit"], protected=bool(d["protected"]),
            row_total=d.get("total_row"), col_total=d.get("total_column"),
            subtotals={k: tuple(v) for k, v in d.get("subtotals", {}).items()},
            caption=d.get("caption", ""), notes=tuple(d.get("notes", ())),
            shared={k: tuple(v) for k, v in d.get("shared_figures", {}).items()},
            inputs={k: tuple(v) for k, v in d.get("computed_from", {}).items()},
        )


@dataclass(frozen=True)
class Figure:
    """One published figure: its id, its value as published (None unless shown) and status."""

    figure_id: str
    value: float | None
    status: str
    fmt: str = "count"
    unit: str = "children"

    @property
    def shown(self) -> bool:
        return self.status == SHOWN

    @property
    def suppressed(self) -> bool:
        return self.status == SUPPRESSED


@dataclass(frozen=True)
class ShownTable:
    """One table as published: rounded values (NaN unless shown) and each cell's status."""

    info: TableInfo
    values: pd.DataFrame
    status: pd.DataFrame

    @property
    def table_id(self) -> str:
        return self.info.table_id

    def figure(self, row: str, col: str) -> Figure:
        status = str(self.status.at[row, col])
        value = float(self.values.at[row, col]) if status == SHOWN else None
        return Figure(f"{self.table_id}|{row}|{col}", value, status, self.info.fmt, self.info.unit)

    def series(self, row: str | None = None, col: str | None = None) -> pd.Series:
        """A row or a column of published values (NaN where not shown)."""
        if (row is None) == (col is None):
            raise ValueError("give exactly one of row or col")
        return self.values.loc[row].copy() if row is not None else self.values[col].copy()

    @property
    def any_suppressed(self) -> bool:
        return bool((self.status == SUPPRESSED).to_numpy().any())

    @property
    def any_na(self) -> bool:
        return bool((self.status == NA).to_numpy().any())


@dataclass(frozen=True)
class PublishedPaper:
    """Every table of one paper as published, in the paper's order."""

    paper_id: str
    tables: tuple[ShownTable, ...]
    symbol: str = "x"
    threshold: int = 10

    def __contains__(self, table_id: str) -> bool:
        return any(t.table_id == table_id for t in self.tables)

    def table(self, table_id: str) -> ShownTable:
        for t in self.tables:
            if t.table_id == table_id:
                return t
        raise KeyError(f"table {table_id!r} is not in paper {self.paper_id!r}")

    def figure(self, figure_id: str) -> Figure:
        table_id, row, col = figure_id.split("|")
        return self.table(table_id).figure(row, col)

    def table_ids(self) -> list[str]:
        return [t.table_id for t in self.tables]


def round_published(value: float, fmt: str) -> float:
    """A value rounded as it is published (half away from zero, as people expect)."""
    places = DECIMALS.get(fmt, 1)
    scaled = abs(value) * 10**places
    return float(np.copysign(np.floor(scaled + 0.5 + 1e-9) / 10**places, value))


def describe_table(table: PublishedTable | DerivedTable, shared: Mapping[str, tuple[str, ...]]) -> TableInfo:
    """The public description of a count or derived table."""
    if isinstance(table, PublishedTable):
        return TableInfo(
            table.table_id, table.title, "count", table.row_dim, table.col_dim,
            tuple(table.rows), tuple(table.cols),
            fmt="count" if table.suppress else _fmt_of_unit(table.unit), unit=table.unit,
            protected=table.suppress, row_total=table.row_total, col_total=table.col_total,
            subtotals={k: tuple(v) for k, v in table.subtotals.items()}, caption=table.caption,
            notes=tuple(table.notes),
            shared={k: v for k, v in shared.items() if k.startswith(table.table_id + "|")},
        )
    inputs = {f"{table.table_id}|{r}|{c}": tuple(cell.id for cell in cells)
              for (r, c), cells in table.inputs.items()}
    return TableInfo(
        table.table_id, table.title, "derived", table.row_dim, table.col_dim,
        tuple(table.values.index), tuple(table.values.columns), fmt=table.fmt,
        unit=table.fmt, protected=False, caption=table.caption, notes=tuple(table.notes),
        inputs=inputs,
    )


def _fmt_of_unit(unit: str) -> str:
    """How a table that is not a count of people is printed, from its unit."""
    u = unit.lower()
    if "pound" in u or "£" in u or u in ("gbp", "money"):
        return "money"
    if "fte" in u:
        return "fte"
    if "day" in u:
        return "days"
    return "count"


def find_shared_figures(paper: Paper) -> dict[str, tuple[str, ...]]:
    """Figure id -> the other figure ids that publish the same figure (equal selections or a
    one-to-one link), both ways."""
    pairs: dict[str, set[str]] = {}
    for eq in paper.links + paper.shared_selection_links():
        if len(eq.lhs) == 1 and len(eq.rhs) == 1:
            a, b = eq.lhs[0].id, eq.rhs[0].id
            pairs.setdefault(a, set()).add(b)
            pairs.setdefault(b, set()).add(a)
    return {k: tuple(sorted(v)) for k, v in sorted(pairs.items())}


def publish_table(
    table: PublishedTable | DerivedTable,
    suppressed: Iterable[tuple[str, str]],
    shared: Mapping[str, tuple[str, ...]] | None = None,
) -> ShownTable:
    """Apply a suppression pattern (from disclosure control) to one table.

    Cells listed in ``suppressed`` are hidden; missing values are 'not applicable'; every
    other value is rounded as published.
    """
    info = describe_table(table, shared or {})
    hidden = set(suppressed)
    values = table.values.astype("float64")
    status = pd.DataFrame(SHOWN, index=values.index, columns=values.columns, dtype="object")
    out = values.copy()
    for r in values.index:
        for c in values.columns:
            if (r, c) in hidden:
                status.at[r, c], out.at[r, c] = SUPPRESSED, np.nan
            elif pd.isna(values.at[r, c]):
                status.at[r, c] = NA
            else:
                out.at[r, c] = round_published(values.at[r, c], info.fmt)
    return ShownTable(info, out, status)


def publish_paper(
    paper: Paper, suppressed: Mapping[str, Iterable[tuple[str, str]]], symbol: str = "x",
    threshold: int = 10,
) -> PublishedPaper:
    """Every table of `paper` (count tables, then derived tables) with its suppression pattern.

    ``suppressed`` maps a table id to the (row, column) cells disclosure control hid; a
    table missing from it is refused, so nothing is published unprotected by omission.
    """
    shared = find_shared_figures(paper)
    tables = []
    for t in [*paper.tables, *paper.derived]:
        if t.table_id not in suppressed:
            raise KeyError(f"no protection result for table {t.table_id!r}")
        tables.append(publish_table(t, suppressed[t.table_id], shared))
    return PublishedPaper(paper.paper_id, tuple(tables), symbol, threshold)


def format_plain(value: float, fmt: str) -> str:
    """The machine-readable text of a published value (no separators or symbols)."""
    places = DECIMALS.get(fmt, 1)
    if fmt == "number" and float(value).is_integer():
        places = 0
    return f"{value:.{places}f}"


def tidy_published(table: ShownTable, symbol: str = "x") -> pd.DataFrame:
    """Long form ``table_id,row,column,value``: the value as published, the symbol where
    suppressed and ``z`` where not applicable."""
    records = []
    for r in table.info.rows:
        for c in table.info.cols:
            st = table.status.at[r, c]
            text = (symbol if st == SUPPRESSED else NA_SYMBOL if st == NA
                    else format_plain(float(table.values.at[r, c]), table.info.fmt))
            records.append((table.table_id, r, c, text))
    return pd.DataFrame(records, columns=["table_id", "row", "column", "value"])


def read_published_table(info: TableInfo, tidy_frame: pd.DataFrame, symbol: str = "x") -> ShownTable:
    """Rebuild a ShownTable from its public description and tidy CSV rows."""
    values = pd.DataFrame(np.nan, index=list(info.rows), columns=list(info.cols), dtype="float64")
    status = pd.DataFrame(NA, index=list(info.rows), columns=list(info.cols), dtype="object")
    for r, c, v in tidy_frame[["row", "column", "value"]].astype(str).itertuples(index=False):
        if v == symbol:
            status.at[r, c] = SUPPRESSED
        elif v == NA_SYMBOL:
            status.at[r, c] = NA
        else:
            status.at[r, c], values.at[r, c] = SHOWN, float(v)
    return ShownTable(info, values, status)
