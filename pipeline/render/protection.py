"""The bridge between disclosure control and the published paper.

``pipeline.disclosure.protect_paper(paper, params.disclosure)`` protects and audits the whole
paper as one system; this module reads its result into the suppression pattern the render
package publishes, and a small audit summary (restricted) that the publication check reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.tables import Cell, Paper


@dataclass(frozen=True)
class Protection:
    """What disclosure control decided: the hidden cells by table, the audit's verdict, and the
    suppression log (restricted: it holds true values)."""

    suppressed: Mapping[str, frozenset[tuple[str, str]]]
    audit_passed: bool
    exposed: tuple[str, ...]
    log: pd.DataFrame

    def summary(self) -> dict[str, Any]:
        return {
            "audit_passed": self.audit_passed,
            "exposed": list(self.exposed),
            "suppressed_cells": sum(len(v) for v in self.suppressed.values()),
            "tables": len(self.suppressed),
        }


def _as_cell(item: Any) -> Cell:
    if isinstance(item, Cell):
        return item
    if isinstance(item, str):
        return Cell.parse(item)
    return Cell(*item)


def group_by_table(paper: Paper, cells: Iterable[Any]) -> dict[str, frozenset[tuple[str, str]]]:
    """Table id -> hidden (row, column) cells, with an entry (maybe empty) for every table."""
    out: dict[str, set[tuple[str, str]]] = {t.table_id: set() for t in [*paper.tables, *paper.derived]}
    for item in cells:
        c = _as_cell(item)
        if c.table_id not in out:
            raise KeyError(f"disclosure control hid {c.id}, which is not a cell of this paper")
        out[c.table_id].add((c.row, c.col))
    return {k: frozenset(v) for k, v in out.items()}


def read_protection(paper: Paper, result: Any, symbol: str = "x") -> Protection:
    """Read the result of ``protect_paper`` (duck-typed on its documented attributes)."""
    cells = _suppressed_cells(result, symbol)
    audit = getattr(result, "audit", result)
    exposed_items = getattr(audit, "exposed", None)
    if callable(exposed_items):
        exposed_items = exposed_items()
    exposed = tuple(sorted(_as_cell(getattr(c, "cell", c)).id for c in (exposed_items or ())))
    passed = bool(getattr(audit, "passed", not exposed)) and not exposed
    log = result.log_frame() if callable(getattr(result, "log_frame", None)) else getattr(result, "log", None)
    if log is None:
        log = pd.DataFrame()
    elif not isinstance(log, pd.DataFrame):
        log = pd.DataFrame(log)
    return Protection(group_by_table(paper, cells), passed, exposed, log)


def _suppressed_cells(result: Any, symbol: str) -> list[Cell]:
    for name in ("suppressed", "hidden", "suppressed_cells"):
        cells = getattr(result, name, None)
        if callable(cells):
            cells = cells()
        if cells is not None:
            return [_as_cell(c) for c in cells]
    shown = getattr(result, "shown", None) or getattr(result, "tables", None)
    if isinstance(shown, Mapping):
        cells = []
        for table_id, frame in shown.items():
            frame = getattr(frame, "values", frame) if not isinstance(frame, pd.DataFrame) else frame
            for r in frame.index:
                for c in frame.columns:
                    if str(frame.at[r, c]) == symbol:
                        cells.append(Cell(table_id, str(r), str(c)))
        return cells
    raise TypeError("cannot read the suppression pattern from the disclosure result "
                    f"({type(result).__name__})")
