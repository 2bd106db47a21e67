"""Secondary suppression over a whole paper: hide more cells until the audit passes.

1. *Line rules* (fast, no LP): in every equation, a lone suppressed cell gets a partner, and
   suppressed cells on one side of an equation whose other cells are all published must
   together hold at least ``min_interval`` more than the rule's lower bounds (else the
   cheapest further cell of the equation is added).
2. *Audit loop*: the LP audit names the exposed cells; for each, the cheapest published cell
   of an equation that involves it is suppressed (one per equation per round), and the audit
   runs again. Every round adds at least one cell, so the loop ends; if an exposed cell has no
   candidate left anywhere in its part of the system, protection fails (DisclosureError).
3. *Pruning*: secondary cells are tried published again, most expensive first; a cell whose
   return keeps the audit passing is dropped (a cell whose return breaks a line rule is kept
   without an LP: the line rules are proofs of exposure). Fixing a cell only narrows intervals, so every
   secondary cell left is necessary: revealing any one of them fails the audit.

Cost of a candidate (lowest first, ties broken by the cell's place in the paper, which is
stable from quarter to quarter): totals last; then cells that do not open a new line (every
other equation they are in already has a suppressed cell); then smaller values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipeline.config import DisclosureParams
from pipeline.disclosure.audit import AuditReport, audit_system
from pipeline.disclosure.rules import rule_floor
from pipeline.disclosure.system import LinearSystem
from pipeline.errors import DisclosureError


@dataclass
class Protection:
    """The outcome on a linear system: masks, the reason each secondary cell was chosen, the audit."""

    suppressed: np.ndarray
    primary: np.ndarray
    reasons: dict[int, str]
    pruned: dict[int, str]
    audit: AuditReport
    rounds: int = 0
    notes: list[str] = field(default_factory=list)


class _Chooser:
    def __init__(self, system: LinearSystem, params: DisclosureParams, suppressed: np.ndarray):
        self.s = system
        self.p = params
        self.sup = suppressed
        self.eqs_of = system.equations_of()
        self.members = system.members()
        self.coef = [system.matrix.data[system.matrix.indptr[r]:system.matrix.indptr[r + 1]]
                     for r in range(system.matrix.shape[0])]
        vals = system.values
        self.can = (system.protectable & ~system.known_before & ~np.isnan(vals))
        if params.zero == "show":  # a shown zero is never hidden: the attacker knows x >= 1
            self.can &= vals != 0

    def candidate(self, j: int) -> bool:
        return bool(self.can[j] and not self.sup[j])

    def cost(self, j: int) -> tuple:
        opens = sum(1 for r in self.eqs_of[j] if not self.sup[self.members[r]].any())
        return (bool(self.s.is_total[j]), opens > 0, opens, float(self.s.values[j]), j)

    def cheapest(self, rows) -> tuple[int, int] | None:
        best = None
        for r in rows:
            for j in self.members[r]:
                if self.candidate(j):
                    key = self.cost(j)
                    if best is None or key < best[0]:
                        best = (key, int(j), r)
        return None if best is None else (best[1], best[2])

    def line_needs_more(self, r: int) -> int | None:
        """A suppressed cell of equation r that the line rules say is unprotected, else None."""
        mem = self.members[r]
        on = self.sup[mem]
        if not on.any():
            return None
        sup = mem[on]
        if sup.size == 1:
            return int(sup[0])
        signs = np.sign(self.coef[r][on])
        if np.all(signs == signs[0]) and not np.isnan(self.s.values[sup]).any():
            mass = float(self.s.values[sup].sum()) - sup.size * rule_floor(self.p)
            if mass < self.p.min_interval:
                return int(sup[np.argmin(self.s.values[sup])])
        return None


def _describe(system: LinearSystem, j: int, r: int) -> str:
    return f"protects {system.cells[j].id} in equation '{system.equations[r].reason}'"


def apply_line_rules(chooser: _Chooser, reasons: dict[int, str]) -> None:
    """Suppress cells until no equation breaks the line rules (or no candidate is left)."""
    system = chooser.s
    changed = True
    while changed:
        changed = False
        for r in range(len(chooser.members)):
            while (weak := chooser.line_needs_more(r)) is not None:
                pick = chooser.cheapest([r])
                if pick is None:
                    break
                j, _ = pick
                chooser.sup[j] = True
                reasons[j] = "secondary: " + _describe(system, weak, r)
                changed = True


def protect_system(system: LinearSystem, primary: np.ndarray, params: DisclosureParams, *,
                   prune: bool = True, exact: bool = True, rule_knowledge: bool = True,
                   forced: np.ndarray | None = None) -> Protection:
    """Choose secondary cells for `system` so the audit passes; raise DisclosureError if it cannot.

    ``forced`` marks cells hidden by hand (never pruned; the attacker knows only ``>= floor``).
    """
    system.check_consistent()
    primary = np.asarray(primary, dtype=bool)
    forced = np.zeros(system.size, dtype=bool) if forced is None else np.asarray(forced, dtype=bool) & ~primary
    early = np.flatnonzero((primary | forced) & system.known_before)
    if early.size:
        raise DisclosureError(f"{system.cells[early[0]].id} must be hidden but was published in an earlier paper")
    if params.zero == "show" and np.any(forced & (system.values == 0)):
        raise DisclosureError("a zero cannot be hidden by hand while zeros are shown (disclosure.zero)")
    suppressed = primary | forced
    chooser = _Chooser(system, params, suppressed)
    reasons: dict[int, str] = {int(j): "hidden by hand" for j in np.flatnonzero(forced)}
    apply_line_rules(chooser, reasons)

    pool: list[np.ndarray] = []
    rounds = 0
    while True:
        rounds += 1
        report = audit_system(system, suppressed, primary, params, rule_knowledge=rule_knowledge, seeds=pool)
        pool = _merge(pool, report.solutions)
        if report.passed:
            break
        index = system.index()
        touched: set[int] = set()
        added = 0
        for verdict in report.exposed():
            j = index[verdict.cell]
            if system.known_before[j]:
                raise DisclosureError(f"{verdict.cell.id} was published in an earlier paper and cannot be hidden now")
            rows = chooser.eqs_of[j]
            if touched.intersection(rows):
                continue
            pick = chooser.cheapest(rows) or chooser.cheapest(_neighbourhood(chooser, j))
            if pick is None:
                continue
            k, r = pick
            suppressed[k] = True
            reasons[k] = "secondary: " + _describe(system, j, r)
            touched.update(rows)
            added += 1
        if not added:
            raise DisclosureError("cannot protect the paper, no cell left to suppress:\n" + report.summary())

    pruned: dict[int, str] = {}
    if prune:
        order = sorted((j for j in np.flatnonzero(suppressed & ~primary & ~forced)), key=chooser.cost, reverse=True)
        for j in order:
            trial = suppressed.copy()
            trial[j] = False
            # the line rules are proofs of exposure: if one fails without j, j is needed (no LP)
            chooser.sup = trial
            needed = any(chooser.line_needs_more(r) is not None for r in chooser.eqs_of[j])
            chooser.sup = suppressed
            if needed:
                continue
            check = audit_system(system, trial, primary, params, rule_knowledge=rule_knowledge,
                                 exact=False, seeds=pool)
            if check.passed:
                suppressed[j] = False
                pruned[int(j)] = reasons.pop(int(j), "secondary")
                pool = _merge(pool, check.solutions)
    final = audit_system(system, suppressed, primary, params, rule_knowledge=rule_knowledge,
                         exact=exact, seeds=pool)
    if not final.passed:  # cannot happen (pruning keeps the audit passing); fail closed anyway
        raise DisclosureError(final.summary())
    return Protection(suppressed, primary, reasons, pruned, final, rounds)


def _neighbourhood(chooser: _Chooser, j: int) -> list[int]:
    """Equations reachable from cell j through suppressed cells (for a cell whose own lines are full)."""
    seen_rows: set[int] = set()
    seen_cells = {j}
    frontier = [j]
    while frontier:
        nxt = []
        for c in frontier:
            for r in chooser.eqs_of[c]:
                if r in seen_rows:
                    continue
                seen_rows.add(r)
                for k in chooser.members[r]:
                    if chooser.sup[k] and int(k) not in seen_cells:
                        seen_cells.add(int(k))
                        nxt.append(int(k))
        frontier = nxt
    return sorted(seen_rows)


def _merge(pool: list[np.ndarray], new, keep: int = 60) -> list[np.ndarray]:
    """Fillings-in kept as seeds for the next audit (newest last)."""
    return (list(pool) + list(new))[-keep:]
