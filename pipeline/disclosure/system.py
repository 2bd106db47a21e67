"""A paper as one linear system: every cell an unknown, every published identity an equation.

The attacker of ``docs/disclosure.md`` knows every equation of :meth:`Paper.equations`
(margins, sub-totals, explicit links such as quarter + year-to-date, and the same figure in
two tables), every published value, and every figure published in earlier papers
(``Paper.published_before``). This module turns that into a sparse matrix ``A`` with one row
per equation (``+1`` for left-hand cells, ``-1`` for right-hand cells, so ``A @ x == 0``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pipeline.errors import DisclosureError
from pipeline.tables import Cell, Equation, Paper


@dataclass(frozen=True)
class LinearSystem:
    """The cells of a paper (in a stable order) and the equations between them.

    ``values`` holds each cell's true value (NaN when unknown, e.g. a suppressed cell read back
    from a published CSV). ``known_before`` marks figures the attacker already has from an
    earlier paper; ``protectable`` marks cells that may be suppressed (counts in tables with
    ``suppress=True``); ``is_total`` marks margins and sub-totals (suppressed last).
    """

    cells: tuple[Cell, ...]
    equations: tuple[Equation, ...]
    matrix: sp.csr_matrix
    values: np.ndarray
    known_before: np.ndarray
    protectable: np.ndarray
    is_total: np.ndarray
    # per cell, the greatest value the rule lets a primary cell hold (None: the params' rule);
    # set when editions published under other thresholds are audited together
    ceiling: np.ndarray | None = None

    @property
    def size(self) -> int:
        return len(self.cells)

    def index(self) -> dict[Cell, int]:
        return {c: i for i, c in enumerate(self.cells)}

    def mask_of(self, cells, missing: str) -> np.ndarray:
        """Boolean mask of `cells` over the system; a cell not in it raises DisclosureError
        with `missing` formatted with ``cell`` (the id)."""
        index = self.index()
        mask = np.zeros(self.size, dtype=bool)
        for c in cells:
            if c not in index:
                raise DisclosureError(missing.format(cell=c.id))
            mask[index[c]] = True
        return mask

    def equations_of(self) -> list[list[int]]:
        """For each cell, the rows (equations) it appears in, in equation order."""
        csc = self.matrix.tocsc()
        return [sorted(csc.indices[csc.indptr[j]:csc.indptr[j + 1]].tolist()) for j in range(self.size)]

    def members(self) -> list[np.ndarray]:
        """For each equation, the cells it involves."""
        m = self.matrix
        return [m.indices[m.indptr[r]:m.indptr[r + 1]] for r in range(m.shape[0])]

    def check_consistent(self, tolerance: float = 1e-6) -> None:
        """Raise DisclosureError if the true values do not satisfy every equation."""
        known = ~np.isnan(self.values)
        rows_all_known = np.asarray((self.matrix[:, ~known] != 0).sum(axis=1)).ravel() == 0
        residual = self.matrix[:, known] @ self.values[known]
        bad = np.flatnonzero(rows_all_known & (np.abs(residual) > tolerance))
        if bad.size:
            eqs = [self.equations[r] for r in bad[:5]]
            listed = "; ".join(f"{e.lhs[0].id if e.lhs else '?'} ({e.reason})" for e in eqs)
            raise DisclosureError(f"{bad.size} equation(s) do not add up, e.g. {listed}: "
                                  "fix the tables before protecting them")


def _number(v: object) -> float:
    """A cell's value as a float; NaN for a value that is not a number (e.g. ``x`` read back)."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def total_cells(paper: Paper) -> set[Cell]:
    """Cells that are margins or sub-totals of their table."""
    out: set[Cell] = set()
    for t in paper.tables:
        for r in t.values.index:
            for c in t.values.columns:
                if r == t.row_total or c == t.col_total or r in t.subtotals:
                    out.add(Cell(t.table_id, r, c))
    return out


def build_system(paper: Paper, extra: Sequence[Equation] = ()) -> LinearSystem:
    """The linear system of a whole paper: table cells first (paper order), then earlier figures.

    ``extra`` are further identities the attacker knows (e.g. record-set identities,
    :mod:`pipeline.disclosure.identities`); a cell may repeat in a side (integer coefficients).
    """
    cells: list[Cell] = []
    values: list[float] = []
    protectable: list[bool] = []
    seen: set[Cell] = set()
    for t in paper.tables:
        grid = t.values.to_numpy(dtype=object)
        for i, r in enumerate(t.values.index):
            for k, c in enumerate(t.values.columns):
                v = grid[i, k]
                if pd.isna(v):
                    continue  # absent cell (PublishedTable.cells() skips it too)
                cell = Cell(t.table_id, r, c)
                if cell in seen:
                    raise DisclosureError(f"cell {cell.id} appears twice: table ids must be unique")
                seen.add(cell)
                cells.append(cell)
                values.append(_number(v))
                protectable.append(bool(t.suppress))
    before = {Cell.parse(k): float(v) for k, v in paper.published_before.items()}
    equations = paper.equations() + list(extra)
    for eq in equations:
        for cell in (*eq.lhs, *eq.rhs):
            if cell in seen:
                continue
            if cell not in before:
                raise DisclosureError(f"equation '{eq.reason}' names {cell.id}, which is in no table of "
                                      f"paper {paper.paper_id} and was not published before")
            seen.add(cell)
            cells.append(cell)
            values.append(before[cell])
            protectable.append(False)
    index = {c: i for i, c in enumerate(cells)}
    vals = np.array(values, dtype=float)
    known_before = np.zeros(len(cells), dtype=bool)
    for cell, v in before.items():
        j = index.get(cell)
        # a revised figure (new value differs from the earlier one) is a different quantity
        if j is not None and (np.isnan(vals[j]) or abs(vals[j] - v) < 1e-9):
            known_before[j] = True
            vals[j] = v
    rows, cols, data = [], [], []
    for r, eq in enumerate(equations):
        for cell in eq.lhs:
            rows.append(r), cols.append(index[cell]), data.append(1.0)
        for cell in eq.rhs:
            rows.append(r), cols.append(index[cell]), data.append(-1.0)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(equations), len(cells)))
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    totals = total_cells(paper)
    return LinearSystem(
        cells=tuple(cells),
        equations=tuple(equations),
        matrix=matrix,
        values=vals,
        known_before=known_before,
        protectable=np.array(protectable, dtype=bool),
        is_total=np.array([c in totals for c in cells], dtype=bool),
    )
