"""An independent attacker: integer programming over the public outputs only.

It reads what a reader holds (tidy ``table_id,row,column,value`` frames with the suppression
symbol, and the tables.json manifest's totals), adds the identities a domain reader would
write down from the captions, and asks scipy's MILP (HiGHS) for the least and greatest value
of every hidden cell. It deliberately does NOT import ``pipeline.disclosure``: it must not
share the protecting code's equations or mistakes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp


@dataclass
class Knowledge:
    """What the attacker holds: published values, hidden cells, equations (lhs ids, rhs ids)."""

    known: dict[str, float] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    equations: list[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)

    def add_table(self, frame: pd.DataFrame, symbol: str = "x", prefix: str = "",
                  row_total: str | None = None, col_total: str | None = None,
                  subtotals: Mapping[str, Sequence[str]] | None = None) -> None:
        """A published tidy table; its margins as equations (a reader sees the Total labels)."""
        grid: dict[tuple[str, str], str] = {}
        tid = None
        for t, r, c, v in frame[["table_id", "row", "column", "value"]].astype(str).itertuples(index=False):
            tid = prefix + t
            grid[(r, c)] = f"{tid}|{r}|{c}"
            if v == symbol:
                self.hidden.add(f"{tid}|{r}|{c}")
            else:
                try:
                    self.known[f"{tid}|{r}|{c}"] = float(v.replace(",", ""))
                except ValueError:
                    continue  # not a count (a percentage, a note): no equation uses it
        rows = list(dict.fromkeys(r for r, _ in grid))
        cols = list(dict.fromkeys(c for _, c in grid))
        subtotals = dict(subtotals or {})
        members = {m for ms in subtotals.values() for m in ms}
        if row_total is not None:
            for c in cols:
                if (row_total, c) in grid:
                    self.equations.append(((grid[(row_total, c)],), tuple(
                        grid[(r, c)] for r in rows if r != row_total and r not in members and (r, c) in grid)))
        for sub, ms in subtotals.items():
            for c in cols:
                if (sub, c) in grid:
                    self.equations.append(((grid[(sub, c)],), tuple(grid[(m, c)] for m in ms if (m, c) in grid)))
        if col_total is not None:
            for r in rows:
                if (r, col_total) in grid:
                    self.equations.append(((grid[(r, col_total)],), tuple(
                        grid[(r, c)] for c in cols if c != col_total and (r, c) in grid)))

    def add_identity(self, lhs: Iterable[str], rhs: Iterable[str]) -> None:
        self.equations.append((tuple(lhs), tuple(rhs)))


def read_published_folder(folder: Path, knowledge: Knowledge | None = None, prefix: str = "") -> Knowledge:
    """Every table of a published folder (tables.json + tidy CSVs) into the attacker's knowledge."""
    k = knowledge or Knowledge()
    manifest = json.loads((folder / "tables.json").read_text())
    symbol = manifest.get("suppression_symbol", "x")
    for entry in manifest["tables"]:
        if not entry.get("protected", True) or entry.get("kind", "count") != "count":
            continue  # money, FTE, percentages: not counts of people
        frame = pd.read_csv(folder / entry["file"], dtype=str, keep_default_na=False)
        k.add_table(frame, symbol, prefix, entry.get("total_row"), entry.get("total_column"),
                    entry.get("subtotals") or {})
        for a, others in (entry.get("shared_figures") or {}).items():
            for b in others:  # the manifest says these print the same figure
                k.add_identity([prefix + a], [prefix + b])
    return k


def attack(k: Knowledge, floor: int = 1, cap: float = 1e6) -> dict[str, tuple[float, float]]:
    """Least and greatest whole value of every hidden cell named by an equation (MILP, HiGHS).

    Hidden cells in no equation are unconstrained ([floor, cap]) and left out."""
    hidden = sorted({c for eq in k.equations for side in eq for c in side if c in k.hidden})
    pos = {c: i for i, c in enumerate(hidden)}
    a_rows, b = [], []
    for lhs, rhs in k.equations:
        row = np.zeros(len(hidden))
        const = 0.0
        usable = True
        for sign, side in ((1.0, lhs), (-1.0, rhs)):
            for c in side:
                if c in pos:
                    row[pos[c]] += sign
                elif c in k.known:
                    const += sign * k.known[c]
                else:
                    usable = False
        if usable and row.any():
            a_rows.append(row)
            b.append(-const)
    if not hidden:
        return {}
    a = np.array(a_rows) if a_rows else np.zeros((0, len(hidden)))
    cons = [LinearConstraint(a, b, b)] if a_rows else []
    bounds = Bounds(np.full(len(hidden), float(floor)), np.full(len(hidden), cap))
    integ = np.ones(len(hidden))
    out = {}
    for c, i in pos.items():
        ends = []
        for sign in (1.0, -1.0):
            cost = np.zeros(len(hidden))
            cost[i] = sign
            res = milp(cost, constraints=cons, bounds=bounds, integrality=integ)
            if res.status != 0:
                raise AssertionError(f"attacker: the published figures are inconsistent ({res.message})")
            ends.append(sign * res.fun)
        out[c] = (round(ends[0]), round(ends[1]))
    return out


def pinned(intervals: Mapping[str, tuple[float, float]]) -> dict[str, float]:
    """Hidden cells the attacker works out exactly."""
    return {c: lo for c, (lo, hi) in intervals.items() if lo == hi}
