"""Protect a whole paper: primary rule, secondary cells, derived figures, audit, log.

``protect_paper(paper, params.disclosure)`` returns a :class:`ProtectedPaper`, from which the
notebooks take the shown tables (strings, suppressed cells as the symbol), the status of
every cell, tidy frames for CSV, narrative phrases, and the restricted suppression log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.config import DisclosureParams
from pipeline.disclosure.audit import AuditReport, audit_system, primary_mask
from pipeline.disclosure.editions import Edition, combine, hidden_primary, with_ceilings
from pipeline.disclosure.rules import describe_count, format_count
from pipeline.disclosure.secondary import protect_system
from pipeline.disclosure.system import build_system
from pipeline.errors import DisclosureError
from pipeline.tables import Cell, DerivedTable, Equation, Paper, PublishedTable

PUBLISHED, PRIMARY, SECONDARY, DERIVED = "published", "primary", "secondary", "derived"


@dataclass(frozen=True)
class LogEntry:
    """One suppressed figure in the restricted log (holds the true value: never publish)."""

    figure: str  # table|row|column
    status: str  # primary | secondary | derived
    rule: str
    reason: str
    value: float
    interval: str
    rule_interval: str


@dataclass
class ProtectedPaper:
    """A paper after disclosure control: what to show, and why each figure is hidden."""

    paper: Paper
    params: DisclosureParams
    status: dict[Cell, str]
    derived_status: dict[Cell, str]
    audit: AuditReport
    log: tuple[LogEntry, ...]

    def is_shown(self, cell: Cell) -> bool:
        """True if the figure is published (count or derived)."""
        st = self.status.get(cell) or self.derived_status.get(cell)
        if st is None:
            raise KeyError(cell.id)
        return st == PUBLISHED

    def suppressed(self) -> set[Cell]:
        return {c for c, s in {**self.status, **self.derived_status}.items() if s != PUBLISHED}

    def _table(self, table_id: str) -> PublishedTable | DerivedTable:
        for t in (*self.paper.tables, *self.paper.derived):
            if t.table_id == table_id:
                return t
        raise KeyError(table_id)

    def shown(self, table_id: str) -> pd.DataFrame:
        """The table as published: strings (``1,234``; derived by their ``fmt``), the symbol if hidden."""
        t = self._table(table_id)
        out = pd.DataFrame("", index=t.values.index, columns=t.values.columns, dtype=object)
        statuses = self.derived_status if isinstance(t, DerivedTable) else self.status
        for r in t.values.index:
            for c in t.values.columns:
                v = t.values.at[r, c]
                if pd.isna(v):
                    continue
                st = statuses.get(Cell(t.table_id, r, c), PUBLISHED)
                if st != PUBLISHED:
                    out.at[r, c] = self.params.symbol
                elif isinstance(t, DerivedTable):
                    out.at[r, c] = format_derived(float(v), t.fmt)
                else:
                    out.at[r, c] = format_count(float(v))
        return out

    def status_frame(self, table_id: str) -> pd.DataFrame:
        """Per cell: published / primary / secondary (counts) or published / derived."""
        t = self._table(table_id)
        statuses = self.derived_status if isinstance(t, DerivedTable) else self.status
        out = pd.DataFrame("", index=t.values.index, columns=t.values.columns, dtype=object)
        for r in t.values.index:
            for c in t.values.columns:
                if pd.notna(t.values.at[r, c]):
                    out.at[r, c] = statuses.get(Cell(t.table_id, r, c), PUBLISHED)
        return out

    def tidy(self, table_id: str | None = None) -> pd.DataFrame:
        """Long form ``table_id,row,column,value`` of the shown strings (all tables if no id)."""
        ids = [table_id] if table_id else [t.table_id for t in (*self.paper.tables, *self.paper.derived)]
        frames = []
        for tid in ids:
            shown = self.shown(tid)
            t = self._table(tid)
            frames.append(pd.DataFrame(
                [(tid, r, c, shown.at[r, c]) for r in shown.index for c in shown.columns
                 if pd.notna(t.values.at[r, c])],
                columns=["table_id", "row", "column", "value"]))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["table_id", "row", "column", "value"])

    def describe(self, cell: Cell) -> str:
        """A count for a sentence: ``"8"`` or ``"fewer than 10"`` (see describe_count)."""
        t = self._table(cell.table_id)
        return describe_count(float(t.values.at[cell.row, cell.col]), self.is_shown(cell), self.params)

    def value(self, cell: Cell) -> float | None:
        """The figure if it is shown, else None (for charts and sentences)."""
        if not self.is_shown(cell):
            return None
        return float(self._table(cell.table_id).values.at[cell.row, cell.col])

    def log_frame(self) -> pd.DataFrame:
        """The restricted suppression log as a frame (true values: never publish)."""
        return pd.DataFrame([e.__dict__ for e in self.log],
                            columns=["figure", "status", "rule", "reason", "value", "interval", "rule_interval"])


def format_derived(value: float, fmt: str) -> str:
    """A derived figure as text: percent (``52%``, values held as percentages), rate, money, number, days."""
    if fmt == "percent":
        return f"{value:.0f}%"
    if fmt == "money":
        return f"£{value:,.0f}"
    if fmt == "days":
        return f"{value:,.0f}"
    if fmt in ("rate", "number"):
        return f"{value:,.1f}"
    raise ValueError(f"unknown derived format {fmt!r}")


def derived_statuses(paper: Paper, count_status: dict[Cell, str]) -> dict[Cell, str]:
    """A derived figure is hidden if any count it is computed from (``inputs``) is hidden."""
    out: dict[Cell, str] = {}
    for t in paper.derived:
        for r in t.values.index:
            for c in t.values.columns:
                if pd.isna(t.values.at[r, c]):
                    continue
                # a figure that names no inputs is computed from no count (e.g. a target)
                inputs = t.inputs.get((r, c)) or ()
                unknown = [i.id for i in inputs if i not in count_status]
                if unknown:
                    raise DisclosureError(f"derived figure {t.table_id}|{r}|{c} names unknown counts: {unknown}")
                hidden = any(count_status[i] != PUBLISHED for i in inputs)
                out[Cell(t.table_id, r, c)] = DERIVED if hidden else PUBLISHED
    return out


EXACT_INTERVALS_UP_TO = 1000


def protect_paper(paper: Paper, params: DisclosureParams, *, prune: bool = True,
                  exact_intervals: bool | None = None, hide: Iterable[Cell] = (),
                  identities: Sequence[Equation] = (), editions: Sequence[Edition] = (),
                  comparable: re.Pattern | None = None, period: str = "",
                  keep: Iterable[Cell] = ()) -> ProtectedPaper:
    """Protect every table of `paper` together; raise DisclosureError if that is impossible.

    ``prune`` drops secondary cells that turn out unnecessary (so every one left is needed).
    ``exact_intervals`` computes each suppressed cell's interval to its end points for the log
    (up to two LPs a cell); by default only when at most 1,000 cells are suppressed, otherwise
    the log gives the part of each interval the audit proved reachable ("at least [a, b]").
    ``hide`` lists cells an analyst hides by hand (status secondary, reason "hidden by hand").
    ``identities`` are further equations the attacker knows, beyond the paper's own (e.g.
    record-set identities from :func:`pipeline.disclosure.identities.derive_identities`).
    ``editions`` are other published editions the reader holds (:mod:`pipeline.disclosure.editions`),
    audited with this paper as one system; ``comparable`` matches the column labels that
    name the same figure in every edition (e.g. ``Q1``..``Q4``); ``period`` is this paper's
    period slug (every figure means the same in another edition of the same period).
    ``keep`` lists the cells the period's published edition hid (pipeline.disclosure.publications
    .published_hidden): they are hidden again where they still can be (a protected count of
    this paper, not zero, not known from elsewhere), so rebuilding a published period from the
    same data gives the same tables even when another edition of the year appeared since.
    """
    combined, links, fixed = combine(paper, editions, comparable or re.compile("$^"), period, identities)
    if editions:  # cells the editions alone pin down are public already: never hide them
        combined = known_from_editions(paper, combined, [*identities, *links], fixed, editions, params)
    system = build_system(combined, [*identities, *links])
    primary = primary_mask(system, params)
    forced = system.mask_of(hide, f"cannot hide {{cell}}: it is not in paper {paper.paper_id}")
    index = system.index()
    kept = np.zeros(system.size, dtype=bool)
    for cell in keep:
        j = index.get(cell)
        if j is not None and system.protectable[j] and not system.known_before[j] and not np.isnan(system.values[j]) \
                and (system.values[j] != 0 or params.zero != "show"):
            kept[j] = True
    kept &= ~primary
    forced |= kept
    if editions:  # the editions' hidden cells stay hidden; the audit protects them too
        system = with_ceilings(system, editions, params.threshold)
        forced |= system.mask_of(fixed, "{cell}: not in the combined system")
        primary |= system.mask_of(hidden_primary(editions), "{cell}: not in the combined system")
    if exact_intervals is None:
        exact_intervals = int(primary.sum()) <= EXACT_INTERVALS_UP_TO
    result = protect_system(system, primary, params, prune=prune, exact=exact_intervals, forced=forced)
    status: dict[Cell, str] = {}
    table_ids = {t.table_id for t in paper.tables}
    for j, cell in enumerate(system.cells):
        if cell.table_id not in table_ids:
            continue
        status[cell] = PRIMARY if result.primary[j] else SECONDARY if result.suppressed[j] else PUBLISHED
    dstatus = derived_statuses(paper, status)
    verdicts = result.audit.by_cell()
    log: list[LogEntry] = []
    for j in np.flatnonzero(result.suppressed):
        cell = system.cells[j]
        if cell.table_id not in table_ids:
            continue  # another edition's hidden cell (logged with that edition)
        v = verdicts[cell]
        interval = v.interval_text()
        rule_iv = "" if v.rule_lower is None else f"[{v.rule_lower}, {'unbounded' if v.rule_upper is None else v.rule_upper}]"
        if result.primary[j]:
            rule = primary_rule_text(params, bool(system.is_total[j]))
            why = "primary"
        else:
            why = result.reasons.get(int(j), "secondary")
            if kept[j] and why == "hidden by hand":
                why = "secondary: hidden in the period's published edition (kept when rebuilt)"
            rule = "manual" if why == "hidden by hand" else "secondary"
        log.append(LogEntry(cell.id, status[cell], rule, why, float(system.values[j]), interval, rule_iv))
    for j, why in result.pruned.items():
        cell = system.cells[j]
        if cell.table_id not in table_ids:
            continue
        log.append(LogEntry(cell.id, "published", "secondary (pruned)",
                            f"redundant, published again: was chosen to {why.removeprefix('secondary: ')}",
                            float(system.values[j]), "", ""))
    for t in paper.derived:
        for (r, c), inputs in t.inputs.items():
            cell = Cell(t.table_id, r, c)
            if dstatus.get(cell) == DERIVED:
                hidden = [i.id for i in inputs if status[i] != PUBLISHED]
                log.append(LogEntry(cell.id, DERIVED, "derived",
                                    f"computed from suppressed {', '.join(hidden)}",
                                    float(t.values.at[r, c]), "", ""))
    return ProtectedPaper(paper, params, status, dstatus, result.audit, tuple(log))


def known_from_editions(paper: Paper, combined: Paper, equations: Sequence[Equation], fixed: Sequence[Cell],
                        editions: Sequence[Edition], params: DisclosureParams) -> Paper:
    """`combined` with the cells of `paper` that the editions' published figures pin to one
    value (this paper's cells all hidden) added to ``published_before``: hiding them would
    hide nothing, and no secondary cell could protect them."""
    from dataclasses import replace

    system = with_ceilings(build_system(combined, equations), editions, params.threshold)
    mine = np.array([c.table_id in {t.table_id for t in paper.tables} for c in system.cells])
    unknown = mine & system.protectable & ~system.known_before & ~np.isnan(system.values)
    if params.zero == "show":  # a shown zero is never hidden
        unknown &= system.values != 0
    unknown |= system.mask_of(fixed, "{cell}")
    primary = system.mask_of(hidden_primary(editions), "{cell}")
    report = audit_system(system, unknown, primary, params)
    pinned = {v.cell: float(v.lower) for v in report.exposed()
              if v.upper is not None and v.lower == v.upper and v.cell.table_id in {t.table_id for t in paper.tables}}
    if not pinned:
        return combined
    return replace(combined, published_before={**combined.published_before, **{c.id: x for c, x in pinned.items()}})


def primary_rule_text(params: DisclosureParams, total: bool) -> str:
    what = "total" if total else "count"
    zero = " or 0" if params.zero == "suppress" else ""
    return f"primary: {what} between 1 and {params.threshold - 1}{zero}"


def information_loss(protected: ProtectedPaper) -> dict[str, float]:
    """Cells hidden and published among the protected counts, and hidden / published."""
    counts = {c for t in protected.paper.tables if t.suppress for c in t.cells()}
    hidden = sum(1 for c in counts if protected.status[c] != PUBLISHED)
    shown = len(counts) - hidden
    return {"cells_hidden": hidden, "cells_published": shown,
            "hidden_per_published": round(hidden / shown, 3) if shown else float("inf")}
