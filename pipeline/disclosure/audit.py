"""The audit: can anyone work out a suppressed cell from what is published? (proof by LP)

Attacker model (``docs/disclosure.md``): the attacker sees every published value of the paper,
every figure of earlier papers, every equation of the paper (margins, sub-totals, links, the
same figure in two tables), knows the cells are whole numbers, and knows the published rule:
a suppressed cell is at least 1 when zeros are shown (0 otherwise), and a primary-suppressed
cell is at most ``threshold - 1``. The audit is conservative: it assumes the attacker also
knows which suppressed cells are primary.

Two questions are asked of each suppressed cell:

1. *movement*: with the equations, the published values and the rule's lower bound, can the
   cell move over an interval at least ``min_interval`` wide? (The rule's upper bound is left
   out here: it caps every primary cell below the threshold by construction.)
2. *exactness*: with the whole rule (primary cells also at most ``threshold - 1``), is the cell
   still not pinned to one value?

A cell that fails either is exposed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.config import DisclosureParams
from pipeline.disclosure.intervals import AttackModel, InfeasibleSystem, compute_intervals
from pipeline.disclosure.rules import is_sensitive, rule_ceiling, rule_floor
from pipeline.disclosure.system import LinearSystem, build_system
from pipeline.errors import DisclosureError
from pipeline.tables import Cell, Equation, Paper


@dataclass(frozen=True)
class CellAudit:
    """The audit's verdict on one suppressed cell.

    ``lower``/``upper`` is the movement interval (``upper`` None: unbounded). When
    ``bounds_exact`` is False the audit stopped as soon as it had proof the cell is safe, and
    the interval shown is the part proven reachable (the true interval contains it).
    ``rule_lower``/``rule_upper`` is the interval for an attacker who also applies the rule's
    upper bound (only computed for systems holding primary cells).
    """

    cell: Cell
    primary: bool
    lower: int
    upper: int | None
    bounds_exact: bool
    exposed: bool
    reason: str = ""
    rule_lower: int | None = None
    rule_upper: int | None = None

    @property
    def width(self) -> float:
        return float("inf") if self.upper is None else self.upper - self.lower

    def interval_text(self) -> str:
        hi = "unbounded" if self.upper is None else str(self.upper)
        text = f"[{self.lower}, {hi}]"
        if self.bounds_exact:
            return text
        return f"within {text}" if self.exposed else f"at least {text}"


@dataclass(frozen=True)
class AuditReport:
    """Verdicts for every suppressed cell of a paper; ``passed`` only if none is exposed."""

    cells: tuple[CellAudit, ...]
    min_interval: int
    lp_solves: int = 0
    milp_solves: int = 0
    solutions: tuple = field(default=(), repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return not any(c.exposed for c in self.cells)

    def exposed(self) -> list[CellAudit]:
        return [c for c in self.cells if c.exposed]

    def by_cell(self) -> dict[Cell, CellAudit]:
        return {c.cell: c for c in self.cells}

    def summary(self) -> str:
        n = len(self.cells)
        if self.passed:
            return (f"audit passed: {n} suppressed cell(s), each can move by at least {self.min_interval} "
                    f"and none is exact ({self.lp_solves} LP, {self.milp_solves} MILP solves)")
        lines = [f"audit FAILED: {len(self.exposed())} of {n} suppressed cell(s) exposed"]
        lines += [f"  {c.cell.id}: {c.interval_text()} - {c.reason}" for c in self.exposed()]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(c.cell.table_id, c.cell.row, c.cell.col, c.primary, c.lower, c.upper, c.bounds_exact,
              c.rule_lower, c.rule_upper, c.exposed, c.reason) for c in self.cells],
            columns=["table_id", "row", "column", "primary", "lower", "upper", "bounds_exact",
                     "rule_lower", "rule_upper", "exposed", "reason"],
        )


def primary_mask(system: LinearSystem, params: DisclosureParams) -> np.ndarray:
    """Cells the primary rule hides (totals too unless ``suppress_totals`` is off)."""
    out = np.zeros(system.size, dtype=bool)
    for j, v in enumerate(system.values):
        if system.protectable[j] and not np.isnan(v) and is_sensitive(v, params):
            out[j] = params.suppress_totals or not system.is_total[j]
    return out


def audit_system(system: LinearSystem, suppressed: np.ndarray, primary: np.ndarray, params: DisclosureParams,
                 *, rule_knowledge: bool = True, exact: bool = False,
                 seeds: Iterable[np.ndarray] = ()) -> AuditReport:
    """Audit one linear system (see the module docstring); ``suppressed``/``primary`` are masks.

    ``rule_knowledge=False`` drops the rule from the attacker's knowledge (cells are only
    ``>= 0``), the textbook model in which the reference's intervals are stated.
    ``seeds`` are known feasible fillings of the whole system (full-length vectors).
    """
    suppressed = np.asarray(suppressed, dtype=bool)
    primary = np.asarray(primary, dtype=bool) & suppressed
    known_before = suppressed & system.known_before
    unknown = suppressed & ~system.known_before
    idx = np.flatnonzero(unknown)
    known = ~unknown
    if np.isnan(system.values[known]).any():
        missing = [system.cells[j].id for j in np.flatnonzero(known & np.isnan(system.values))[:5]]
        raise DisclosureError(f"published cells without a value: {', '.join(missing)}")
    a_all = system.matrix
    a = a_all[:, idx]
    b = -(a_all[:, known] @ system.values[known])
    has_unknown = np.diff(a.tocsr().indptr) > 0
    if np.any(~has_unknown & (np.abs(b) > 1e-6)):
        raise DisclosureError("the published figures do not add up: an equation with every cell "
                              "published fails")
    a, b = a.tocsr()[has_unknown], b[has_unknown]
    floor = rule_floor(params) if rule_knowledge else 0
    scale = float(np.nansum(np.abs(system.values))) + 10.0 * params.min_interval + 10.0
    cap = 4.0 * scale
    true = system.values[idx]
    seed_list = [true] if not np.isnan(true).any() else []
    for s in seeds:  # a filling-in stays feasible only if it agrees with every published value
        s = np.asarray(s, dtype=float)
        if s.shape == system.values.shape and np.allclose(s[known], system.values[known]):
            seed_list.append(s[idx])
    required = float(params.min_interval)
    lp = milp = 0
    solutions: list[np.ndarray] = []
    try:
        move_model = AttackModel(a, b, np.full(idx.size, float(floor)), np.full(idx.size, cap))
        move, found = compute_intervals(move_model, np.full(idx.size, required), seed_list, exact=exact)
        lp, milp = move.lp_solves, move.milp_solves
        solutions += found
        rule = None
        prim = primary[idx]
        if rule_knowledge and prim.any():
            ceiling = np.full(system.size, float(rule_ceiling(params))) if system.ceiling is None else system.ceiling
            upper = np.where(prim, ceiling[idx], cap)
            rule_model = AttackModel(a, b, np.full(idx.size, float(floor)), upper)
            rule_seeds = [s for s in seed_list + found if np.all(s[prim] <= upper[prim] + 1e-9)]
            rule, found2 = compute_intervals(rule_model, np.ones(idx.size), rule_seeds, exact=exact)
            lp, milp = lp + rule.lp_solves, milp + rule.milp_solves
            solutions += found2  # rule-model fillings satisfy the movement model too
    except InfeasibleSystem as exc:
        raise DisclosureError(f"the published tables are inconsistent: {exc}") from None

    verdicts: list[CellAudit] = []
    for j in np.flatnonzero(known_before):
        v = int(round(system.values[j]))
        verdicts.append(CellAudit(system.cells[j], bool(primary[j]), v, v, True, True,
                                  "published in an earlier paper"))
    safe = move.safe(np.full(idx.size, required))
    rule_exposed = rule.exposed(np.ones(idx.size)) | ~rule.safe(np.ones(idx.size)) if rule is not None else None
    for k, j in enumerate(idx):
        exposed_move = not safe[k]
        meets = move.seen_lo[k] <= move.lower[k] + 1e-6 and move.seen_hi[k] >= move.upper[k] - 1e-6
        if exposed_move or exact or meets:
            lo, hi = move.lower[k], move.upper[k]
        else:
            lo, hi = move.seen_lo[k], move.seen_hi[k]
        exact_bounds = meets
        reason = ""
        r_lo = r_hi = None
        exposed_rule = False
        if rule is not None:
            exposed_rule = bool(rule_exposed[k])
            if exact or exposed_rule:
                r_lo, r_hi = rule.lower[k], rule.upper[k]
            else:
                r_lo, r_hi = rule.seen_lo[k], rule.seen_hi[k]
        if exposed_move:
            reason = ("exact" if hi - lo < 0.5 else f"can move by only {int(hi - lo)} (< {params.min_interval})")
        elif exposed_rule:
            reason = f"exact ({int(r_lo)}) for an attacker who applies the rule's bounds"
        unbounded = hi >= scale
        verdicts.append(CellAudit(
            cell=system.cells[j], primary=bool(primary[j]), lower=int(round(lo)),
            upper=None if unbounded else int(round(hi)), bounds_exact=exact_bounds,
            exposed=exposed_move or exposed_rule, reason=reason,
            rule_lower=None if r_lo is None else int(round(r_lo)),
            rule_upper=None if r_hi is None or r_hi >= scale else int(round(r_hi)),
        ))
    order = {c: i for i, c in enumerate(system.cells)}
    verdicts.sort(key=lambda v: order[v.cell])
    full = []
    for s in solutions:
        vec = system.values.copy()
        vec[idx] = s
        full.append(vec)
    return AuditReport(tuple(verdicts), params.min_interval, lp, milp, tuple(full))


def audit_paper(paper: Paper, suppressed: Iterable[Cell], params: DisclosureParams, *,
                primary: Iterable[Cell] | None = None, rule_knowledge: bool = True,
                exact: bool = True, identities: Sequence[Equation] = ()) -> AuditReport:
    """Audit a paper given the cells it suppresses.

    ``primary`` defaults to the cells the primary rule hides; pass an empty list when the
    true values are unknown (tables read back with ``x``), so the attacker gets only the
    rule's lower bound. Cells whose value is NaN must be suppressed.
    """
    system = build_system(paper, identities)
    mask = system.mask_of(suppressed, f"suppressed cell {{cell}} is not in paper {paper.paper_id}")
    if primary is None:
        prim = primary_mask(system, params) & mask
    else:
        prim = system.mask_of(primary, f"primary cell {{cell}} is not in paper {paper.paper_id}")
    return audit_system(system, mask, prim, params, rule_knowledge=rule_knowledge, exact=exact)
