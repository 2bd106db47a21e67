"""The published-table model shared by measures, disclosure control, papers and lineage.

Every published count is a declared :class:`Selection` over a processed fact table: the
value is the number of rows selected (or the sum of one column over them). From the
declarations follow the lineage of each figure (its source rows), the equations the
disclosure audit needs (margins, sub-totals, the same figure in two tables, figures
published earlier) and the revisions check (the same declaration on two versions of data).

A figure that is not a count (a percentage, rate, mean or saving) lives in a
:class:`DerivedTable` that names the counts it is computed from, so suppressing a count
suppresses everything computed from it. A figure another body published (the DfE's
comparators) names where it was published instead (:class:`SourceRef`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True, order=True)
class Cell:
    """One cell of one published table; its id is stable across runs: ``table_id|row|column``."""

    table_id: str
    row: str
    col: str

    @property
    def id(self) -> str:
        return f"{self.table_id}|{self.row}|{self.col}"

    @classmethod
    def parse(cls, figure_id: str) -> Cell:
        parts = figure_id.split("|")
        if len(parts) != 3:
            raise ValueError(f"figure id {figure_id!r} is not of the form table|row|column")
        return cls(*parts)


@dataclass(frozen=True)
class Selection:
    """Rows of fact table `fact` whose columns take the given values; count rows or sum `sum_of`.

    ``where`` maps a column to the tuple of values it may take. Two cells with equal
    selections hold the same figure, wherever they are published.
    """

    fact: str
    where: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    sum_of: str | None = None

    @classmethod
    def of(cls, fact: str, sum_of: str | None = None, **where: Any) -> Selection:
        items = []
        for col, val in sorted(where.items()):
            vals = tuple(val) if isinstance(val, (list, tuple, set, frozenset)) else (val,)
            items.append((col, tuple(sorted(vals, key=str))))
        return cls(fact, tuple(items), sum_of)

    def narrow(self, **where: Any) -> Selection:
        """This selection with further conditions (replacing any on the same column)."""
        merged = {c: v for c, v in self.where}
        merged.update({c: v for c, v in where.items()})
        return Selection.of(self.fact, self.sum_of, **merged)

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Boolean mask of the rows of `frame` this selection picks."""
        m = pd.Series(True, index=frame.index)
        for col, vals in self.where:
            m &= frame[col].isin(list(vals))
        return m

    def evaluate(self, frame: pd.DataFrame) -> float:
        """The figure: number of rows selected, or the sum of `sum_of` over them."""
        rows = frame[self.mask(frame)]
        return float(rows[self.sum_of].sum()) if self.sum_of else float(len(rows))

    def describe(self) -> str:
        cond = " and ".join(f"{c} in {list(v)}" if len(v) > 1 else f"{c} = {v[0]!r}" for c, v in self.where)
        what = f"sum of {self.sum_of}" if self.sum_of else "number of rows"
        return f"{what} of {self.fact}" + (f" where {cond}" if cond else "")


@dataclass(frozen=True)
class Equation:
    """A published linear identity: sum(lhs) == sum(rhs) (e.g. a margin, or YTD = Q1 + Q2)."""

    lhs: tuple[Cell, ...]
    rhs: tuple[Cell, ...]
    reason: str = ""


@dataclass
class PublishedTable:
    """A table of counts, as computed (true values; never published as is).

    ``values`` is indexed by row labels with one column per column label; all labels are
    strings. ``row_total``/``col_total`` name the row/column that is the sum of all the
    others; ``subtotals`` map a sub-total row to its member rows (hierarchies such as
    districts within a locality). ``selections`` declare each cell's source rows.
    """

    table_id: str
    title: str
    row_dim: str
    col_dim: str
    values: pd.DataFrame
    row_total: str | None = None
    col_total: str | None = None
    subtotals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    selections: Mapping[tuple[str, str], Selection] = field(default_factory=dict)
    caption: str = ""
    notes: tuple[str, ...] = ()
    unit: str = "children"
    suppress: bool = True  # False for tables that are not counts of people (e.g. FTE, £)

    def __post_init__(self) -> None:
        self.values = self.values.copy()
        self.values.index = self.values.index.map(str)
        self.values.columns = self.values.columns.map(str)
        for label, kind in ((self.row_total, "row"), (self.col_total, "column")):
            axis = self.values.index if kind == "row" else self.values.columns
            if label is not None and label not in axis:
                raise ValueError(f"{self.table_id}: total {kind} {label!r} is not in the table")

    @property
    def rows(self) -> list[str]:
        return list(self.values.index)

    @property
    def cols(self) -> list[str]:
        return list(self.values.columns)

    def _present(self) -> dict[tuple[str, str], bool]:
        """(row, column) -> the cell holds a value (one vectorised pass; ``.at`` is slow)."""
        mask = self.values.notna().to_numpy()
        return {(r, c): bool(mask[i, k]) for i, r in enumerate(self.values.index)
                for k, c in enumerate(self.values.columns)}

    def cells(self) -> list[Cell]:
        present = self._present()
        return [Cell(self.table_id, r, c) for r in self.rows for c in self.cols if present[(r, c)]]

    def value(self, cell: Cell) -> float:
        return float(self.values.at[cell.row, cell.col])

    def equations(self) -> list[Equation]:
        """The margins and sub-totals this table publishes, as equations between its cells."""
        eqs: list[Equation] = []
        sub_members = {m for ms in self.subtotals.values() for m in ms}
        top_rows = [r for r in self.rows if r != self.row_total and r not in sub_members]
        inner_cols = [c for c in self.cols if c != self.col_total]
        mask = self._present()
        present = lambda r, c: mask[(r, c)]  # noqa: E731
        if self.row_total is not None:
            for c in self.cols:
                members = tuple(Cell(self.table_id, r, c) for r in top_rows if present(r, c))
                if present(self.row_total, c):
                    eqs.append(Equation((Cell(self.table_id, self.row_total, c),), members, "row total"))
        for sub, members in self.subtotals.items():
            for c in self.cols:
                if present(sub, c):
                    eqs.append(Equation((Cell(self.table_id, sub, c),),
                                        tuple(Cell(self.table_id, m, c) for m in members if present(m, c)),
                                        f"sub-total {sub}"))
        if self.col_total is not None:
            for r in self.rows:
                if present(r, self.col_total):
                    eqs.append(Equation((Cell(self.table_id, r, self.col_total),),
                                        tuple(Cell(self.table_id, r, c) for c in inner_cols if present(r, c)),
                                        "column total"))
        return eqs

    def check_additive(self, tolerance: float = 1e-9) -> list[str]:
        """Equations whose true values do not add up (should be empty); sums of pounds are
        compared with a relative tolerance, since floating-point addition is not exact."""
        bad = []
        for eq in self.equations():
            lhs = sum(self.value(c) for c in eq.lhs)
            rhs = sum(self.value(c) for c in eq.rhs)
            if abs(lhs - rhs) > tolerance * max(1.0, abs(lhs), abs(rhs)):
                bad.append(f"{eq.lhs[0].id}: {lhs:g} != {rhs:g} ({eq.reason})")
        return bad


@dataclass(frozen=True)
class SourceRef:
    """One value in a file another body published (e.g. the DfE's tables), as published.

    ``file`` is relative to the raw folder (``published/<name>.csv``); ``line`` is the line of
    the CSV as a spreadsheet numbers it (the header is line 1); ``column`` the column read and
    ``value`` the text there; ``sha256`` the file's; ``key`` what identifies the row without its
    line (time period, geographic level, area, filters) as (column, value) pairs.
    """

    file: str
    line: int
    column: str
    value: str
    sha256: str
    key: tuple[tuple[str, str], ...] = ()
    publisher: str = "DfE"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (the lineage store keeps a figure's sources so)."""
        return {"publisher": self.publisher, "file": self.file, "line": self.line, "column": self.column,
                "value": self.value, "sha256": self.sha256, "key": [list(k) for k in self.key]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SourceRef:
        return cls(str(d["file"]), int(d["line"]), str(d["column"]), str(d["value"]), str(d["sha256"]),
                   tuple((str(k), str(v)) for k, v in d.get("key", ())), str(d.get("publisher", "DfE")))


# A derived table's note that starts so says why some of its figures are blank (cannot be
# computed, e.g. no unit cost for the year): the narrative states the reason, never a zero.
UNAVAILABLE_NOTE = "Not available: "


@dataclass
class DerivedTable:
    """Figures computed from counts (percentages, rates, means, savings).

    ``inputs`` maps each (row, col) to the count cells it is computed from; if any of them
    is suppressed, the derived figure is suppressed too. ``sources`` maps a (row, col) read or
    computed from figures another body published to where each of them was published (public:
    no bearing on suppression). ``fmt`` is how it is shown: percent | rate | money | number | days.
    """

    table_id: str
    title: str
    row_dim: str
    col_dim: str
    values: pd.DataFrame
    inputs: Mapping[tuple[str, str], tuple[Cell, ...]]
    fmt: str = "percent"
    caption: str = ""
    notes: tuple[str, ...] = ()
    sources: Mapping[tuple[str, str], tuple[SourceRef, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.values = self.values.copy()
        self.values.index = self.values.index.map(str)
        self.values.columns = self.values.columns.map(str)


@dataclass
class Paper:
    """Every table of one paper, protected and audited together as one system."""

    paper_id: str
    tables: list[PublishedTable] = field(default_factory=list)
    derived: list[DerivedTable] = field(default_factory=list)
    links: list[Equation] = field(default_factory=list)
    # Figures published in earlier papers that an attacker already knows: cell id -> value.
    published_before: dict[str, float] = field(default_factory=dict)

    def table(self, table_id: str) -> PublishedTable:
        for t in self.tables:
            if t.table_id == table_id:
                return t
        raise KeyError(table_id)

    def count_cells(self) -> dict[Cell, float]:
        return {c: t.value(c) for t in self.tables for c in t.cells()}

    def shared_selection_links(self) -> list[Equation]:
        """Cells in different places with equal selections publish the same figure."""
        seen: dict[Selection, Cell] = {}
        eqs = []
        for t in self.tables:
            for (r, c), sel in t.selections.items():
                cell = Cell(t.table_id, r, c)
                if sel in seen and seen[sel] != cell:
                    eqs.append(Equation((seen[sel],), (cell,), "same figure"))
                else:
                    seen.setdefault(sel, cell)
        return eqs

    def equations(self) -> list[Equation]:
        """All equations an attacker knows: margins, sub-totals, explicit links, shared figures."""
        eqs: list[Equation] = []
        for t in self.tables:
            eqs.extend(t.equations())
        return eqs + list(self.links) + self.shared_selection_links()


def tidy(table: PublishedTable | DerivedTable, shown: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long form ``table_id,row,column,value`` (``shown`` holds the published strings, if given)."""
    frame = shown if shown is not None else table.values
    records = [
        (table.table_id, r, c, frame.at[r, c])
        for r in frame.index for c in frame.columns if pd.notna(frame.at[r, c])
    ]
    return pd.DataFrame(records, columns=["table_id", "row", "column", "value"])


def iter_cells(tables: Iterable[PublishedTable]) -> Iterable[tuple[Cell, float]]:
    for t in tables:
        for c in t.cells():
            yield c, t.value(c)
