"""Editions of a year are one disclosure problem.

A reader holds every edition of a paper that was ever published for a year (the Q1, Q2 ...
quarterly papers of a financial year, earlier sufficiency papers whose years overlap, and
editions later withdrawn), not just the one in front of them. This module reads those
editions from their *published* tables (the public tidy CSVs and tables.json), adds their
hidden cells as unknowns the audit must keep protected, their shown cells as known figures,
their margins, their year-to-date columns, and links each figure to the same figure in the
other editions and in the paper being built (when its value was not revised since).

Restricted true values (``true_values.csv`` beside each edition's audit) are used only to
seed the audit and to decide whether a hidden figure was revised; never to inform the
attacker.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import DisclosureError
from pipeline.labels import YTD
from pipeline.tables import Cell, Equation, Paper, PublishedTable

QUARTER = re.compile(r"^Q[1-4]$")
SEP = "::"


@dataclass(frozen=True)
class Edition:
    """One published edition as the reader holds it; its table ids carry ``label::``."""

    label: str
    tables: tuple[PublishedTable, ...]
    hidden: frozenset[Cell]
    shown: Mapping[Cell, float]
    threshold: int
    identities: tuple[Equation, ...] = ()
    slug: str = ""  # its period: every figure id means the same in two editions of one period

    def original(self, cell: Cell) -> Cell:
        return Cell(cell.table_id.split(SEP, 1)[1], cell.row, cell.col)


def prefixed(label: str, cell: Cell) -> Cell:
    return Cell(f"{label}{SEP}{cell.table_id}", cell.row, cell.col)


def _number(v: str) -> float | None:
    try:
        return float(str(v).replace(",", ""))
    except ValueError:
        return None


def read_edition(label: str, manifest: Mapping, frames: Mapping[str, pd.DataFrame],
                 true_values: pd.DataFrame | None = None, identities: Sequence[Mapping] = (),
                 slug: str = "") -> Edition:
    """An edition from its manifest and tidy frames (file -> frame); count tables only.

    A hidden cell's value is its restricted true value when given (else unknown: NaN)."""
    symbol = manifest.get("suppression_symbol", "x")
    truth: dict[tuple[str, str, str], float] = {}
    if true_values is not None:
        for tid, r, c, v in true_values[["table_id", "row", "column", "value"]].astype(str).itertuples(index=False):
            n = _number(v)
            if n is not None:
                truth[(tid, r, c)] = n
    tables, hidden, shown = [], set(), {}
    for entry in manifest["tables"]:
        if entry.get("kind", "count") != "count" or not entry.get("protected", True):
            continue
        frame = frames[entry["file"]].astype(str)
        tid = entry["id"]
        rows, cols = list(entry["rows"]), list(entry["columns"])
        values = pd.DataFrame(np.nan, index=rows, columns=cols)
        for _, r, c, v in frame[["table_id", "row", "column", "value"]].itertuples(index=False):
            if r not in values.index or c not in values.columns:
                continue
            cell = prefixed(label, Cell(tid, r, c))
            if v == symbol:
                hidden.add(cell)
                values.at[r, c] = truth.get((tid, r, c), np.nan)
            else:
                n = _number(v)
                if n is None:
                    continue
                shown[cell] = n
                values.at[r, c] = n
        unknown = [c.id for c in hidden if c.table_id == f"{label}{SEP}{tid}" and np.isnan(values.at[c.row, c.col])]
        if unknown:
            raise DisclosureError(f"edition {label}: no restricted true value for hidden {unknown[0]}; cannot audit "
                                  "this paper together with it (its restricted folder is missing or incomplete)")
        keep = [r for r in rows if values.loc[r].notna().any()]
        values = values.loc[keep]
        table = PublishedTable(f"{label}{SEP}{tid}", entry.get("title", tid), entry.get("row_dimension", "row"),
                               entry.get("column_dimension", "column"), values,
                               row_total=entry.get("total_row") if entry.get("total_row") in keep else None,
                               col_total=entry.get("total_column"),
                               subtotals={k: tuple(v) for k, v in (entry.get("subtotals") or {}).items()},
                               suppress=False)
        tables.append(table)
    eqs = tuple(Equation(tuple(prefixed(label, Cell.parse(x)) for x in i["lhs"]),
                         tuple(prefixed(label, Cell.parse(x)) for x in i["rhs"]),
                         f"{i.get('reason', 'record sets')} in edition {label}") for i in identities)
    return Edition(label, tuple(tables), frozenset(hidden), shown, int(manifest.get("threshold", 10)), eqs, slug)


def ytd_links(edition: Edition) -> list[Equation]:
    """Year to date = the sum of the quarter columns, in every row of an edition that shows them."""
    out = []
    for t in edition.tables:
        qcols = [c for c in t.cols if QUARTER.match(c)]
        if YTD not in t.cols or not qcols or qcols != [f"Q{i}" for i in range(1, len(qcols) + 1)]:
            continue  # e.g. a year-to-date column beside the latest quarter only
        for r in t.rows:
            cells = [Cell(t.table_id, r, c) for c in [*qcols, YTD]]
            if all(c in edition.hidden or c in edition.shown for c in cells):
                out.append(Equation((cells[-1],), tuple(cells[:-1]), f"year to date = sum of quarters ({edition.label})"))
    return out


def same_figure_links(paper: Paper, editions: Sequence[Edition], comparable: re.Pattern,
                      slug: str = "") -> list[Equation]:
    """The same figure printed in the paper (of period `slug`) and in editions, or in two
    editions, when its value is the same in both: table, row and a column that means the same
    in every period, or any column in two editions of the same period."""
    groups: dict[tuple, list[tuple[Cell, float]]] = {}

    def key(table_id: str, row: str, col: str, period: str) -> tuple:
        return (table_id, row, col) if comparable.match(col) else (period, table_id, row, col)

    for t in paper.tables:
        for c in t.cells():
            groups.setdefault(key(c.table_id, c.row, c.col, slug), []).append((c, t.value(c)))
    for ed in editions:
        for t in ed.tables:
            for r in t.rows:
                for col in t.cols:
                    cell = Cell(t.table_id, r, col)
                    if cell not in ed.hidden and cell not in ed.shown:
                        continue
                    v = float(t.values.at[r, col])
                    groups.setdefault(key(ed.original(cell).table_id, r, col, ed.slug), []).append((cell, v))
    out = []
    for members in groups.values():
        by_value: dict[float, list[Cell]] = {}
        for cell, v in members:
            if not np.isnan(v):  # an unknown hidden value cannot be matched: no link
                by_value.setdefault(v, []).append(cell)
        for cells in by_value.values():
            out += [Equation((cells[0],), (c,), "same figure in another edition") for c in cells[1:]]
    return out


def combine(paper: Paper, editions: Sequence[Edition], comparable: re.Pattern, slug: str = "",
            identities: Sequence[Equation] = ()) -> tuple[Paper, list[Equation], list[Cell]]:
    """The paper with every edition's tables added (not protectable), their shown figures as
    known before, the equations linking them, and the editions' hidden cells.

    A cell of the paper that the editions' shown figures already determine (through the
    links, margins and `identities`, one unknown at a time) is known before too: hiding it
    would hide nothing."""
    if not editions:
        return paper, [], []
    tables = [*paper.tables, *(t for ed in editions for t in ed.tables)]
    before = dict(paper.published_before)
    for ed in editions:
        before.update({c.id: v for c, v in ed.shown.items()})
    links = [e for ed in editions for e in (*ytd_links(ed), *ed.identities)]
    links += same_figure_links(paper, editions, comparable, slug)
    hidden = sorted(c for ed in editions for c in ed.hidden)
    combined = replace(paper, tables=tables, published_before=before)
    before.update(determined(paper, combined.equations() + links + list(identities), before))
    return replace(combined, published_before=before), links, hidden


def determined(paper: Paper, equations: Sequence[Equation], known: Mapping[str, float]) -> dict[str, float]:
    """Cells of `paper` that follow from the `known` figures through `equations`, solving one
    equation with a single unknown at a time (their true values)."""
    values = paper.count_cells()
    known_ids = set(known)
    out: dict[str, float] = {}
    changed = True
    while changed:
        changed = False
        for e in equations:
            unknown = {c for c in (*e.lhs, *e.rhs) if c.id not in known_ids}
            if len(unknown) == 1:
                (c,) = unknown
                if c in values and (c in e.lhs) != (c in e.rhs):
                    out[c.id] = values[c]
                    known_ids.add(c.id)
                    changed = True
    return out


def with_ceilings(system, editions: Sequence[Edition], threshold: int):
    """The system with each cell's rule ceiling: the edition's threshold - 1 for its cells."""
    by_prefix = {ed.label: ed.threshold - 1 for ed in editions}
    ceiling = np.array([float(by_prefix.get(c.table_id.split(SEP, 1)[0], threshold - 1)) if SEP in c.table_id
                        else float(threshold - 1) for c in system.cells])
    return replace(system, ceiling=ceiling)


def hidden_primary(editions: Sequence[Edition]) -> list[Cell]:
    """Editions' hidden cells whose (restricted) true value the edition's rule hid."""
    out = []
    for ed in editions:
        values = {Cell(t.table_id, r, c): t.values.at[r, c] for t in ed.tables for r in t.rows for c in t.cols}
        out += [c for c in ed.hidden if 0 < values.get(c, np.nan) < ed.threshold]
    return out


# --- reading editions from disk ---------------------------------------------------------------


def folder_hash(folder: Path) -> str:
    """sha256 over an edition's tables.json and CSVs (names and bytes, sorted)."""
    h = hashlib.sha256()
    for f in sorted([*folder.glob("*.csv"), folder / "tables.json"]):
        if f.exists():
            h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def load_edition(label: str, folder: Path, restricted: Path | None, slug: str = "") -> Edition:
    """An edition from its published folder and (if present) its restricted folder."""
    try:
        manifest = json.loads((folder / "tables.json").read_text(encoding="utf-8"))
        frames = {e["file"]: pd.read_csv(folder / e["file"], dtype=str, keep_default_na=False)
                  for e in manifest["tables"]}
    except (OSError, ValueError, KeyError) as exc:
        raise DisclosureError(f"{folder}: the published edition {label} cannot be read ({exc})") from None
    truth = idents = None
    if restricted is not None and (restricted / "true_values.csv").exists():
        truth = pd.read_csv(restricted / "true_values.csv", dtype=str, keep_default_na=False)
    if restricted is not None and (restricted / "identities.json").exists():
        idents = json.loads((restricted / "identities.json").read_text(encoding="utf-8"))
    return read_edition(label, manifest, frames, truth, idents or (), slug or label.split(" ")[0])


def identities_json(equations: Iterable[Equation]) -> list[dict]:
    """Identities in the restricted ``identities.json`` form (cell ids), for later editions."""
    return [{"lhs": [c.id for c in e.lhs], "rhs": [c.id for c in e.rhs], "reason": e.reason} for e in equations]
