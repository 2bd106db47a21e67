"""Feasible intervals of suppressed cells by linear programming (HiGHS through highspy).

The attacker's problem: unknowns ``x`` (the suppressed cells), ``A x = b`` (every published
equation with the published values moved to the right), ``lower <= x <= upper`` (the rule),
``x`` whole numbers. For each unknown we need to know whether ``max x_j - min x_j`` reaches the
required width.

Two kinds of evidence are combined, so that every verdict is a proof:

* **inner evidence** - integral feasible points. Every such point is a complete, consistent
  filling-in of the table, so it widens the known range of *every* cell at once (the true
  table is the first one). A cell is *safe* once two integral points differ in it by at least
  the required width. LP vertices of 2-D tables with margins are integral (the matrix is
  totally unimodular); a fractional LP point is never used as evidence.
* **outer evidence** - bounds no solution can pass: the rule's bounds, bounds propagated
  through single equations, and LP optima (an LP relaxation bounds the integer problem, and
  we round inward: ``ceil`` a minimum, ``floor`` a maximum). A cell is *exposed* once its
  outer bounds are narrower than the required width.

Cells that neither kind decides get their own LPs (and, when the LP optimum is fractional,
a MILP), so the loop always ends with a verdict for every cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

EPS = 1e-6


class InfeasibleSystem(Exception):
    """The published figures contradict the equations or the rule (no filling-in exists)."""


@dataclass
class Intervals:
    """Per unknown: range seen in integral solutions (inner) and proven bounds (outer)."""

    seen_lo: np.ndarray
    seen_hi: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lp_solves: int = 0
    milp_solves: int = 0

    def safe(self, required: np.ndarray) -> np.ndarray:
        return self.seen_hi - self.seen_lo >= required - EPS

    def exposed(self, required: np.ndarray) -> np.ndarray:
        return self.upper - self.lower < required - EPS

    def exact(self) -> np.ndarray:
        return (self.seen_hi >= self.upper - EPS) & (self.seen_lo <= self.lower + EPS)


class AttackModel:
    """``A x = b``, ``lower <= x <= upper`` over the unknowns, solved again and again by HiGHS."""

    def __init__(self, a: sp.spmatrix, b: np.ndarray, lower: np.ndarray, upper: np.ndarray):
        import highspy  # heavy import kept out of module import

        self._highspy = highspy
        self.a = sp.csr_matrix(a)
        self.b = np.asarray(b, dtype=float)
        self.lower = np.asarray(lower, dtype=float)
        self.upper = np.asarray(upper, dtype=float)
        self.n = self.a.shape[1]
        self._lp = self._make(integer=False)
        self._milp = None
        self._cost = np.zeros(self.n)

    def _make(self, integer: bool):
        hs = self._highspy
        h = _quiet_highs(hs)
        h.setOptionValue("output_flag", False)
        if integer:
            h.setOptionValue("mip_rel_gap", 0.0)
            h.setOptionValue("mip_abs_gap", 0.0)
        csc = sp.csc_matrix(self.a)
        lp = hs.HighsLp()
        lp.num_col_ = self.n
        lp.num_row_ = self.a.shape[0]
        lp.col_cost_ = np.zeros(self.n)
        lp.col_lower_ = self.lower
        lp.col_upper_ = self.upper
        lp.row_lower_ = self.b
        lp.row_upper_ = self.b
        lp.a_matrix_.format_ = hs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
        lp.a_matrix_.index_ = csc.indices.astype(np.int32)
        lp.a_matrix_.value_ = csc.data.astype(float)
        if integer:
            lp.integrality_ = [hs.HighsVarType.kInteger] * self.n
        h.passModel(lp)
        return h

    def optimise(self, cost: np.ndarray, integer: bool = False,
                 bounds: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, np.ndarray]:
        """Minimise ``cost @ x``; returns the optimum and a solution (raises if infeasible).

        ``bounds`` replaces the column bounds for this solve only (LP only).
        """
        if bounds is not None:
            cols = np.arange(self.n, dtype=np.int32)
            self._lp.changeColsBounds(self.n, cols, np.asarray(bounds[0], dtype=float),
                                      np.asarray(bounds[1], dtype=float))
            try:
                return self.optimise(cost)
            finally:
                self._lp.changeColsBounds(self.n, cols, self.lower, self.upper)
        if integer:
            if self._milp is None:
                self._milp = self._make(integer=True)
            h = self._milp
            h.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), np.asarray(cost, dtype=float))
        else:
            h = self._lp
            changed = np.flatnonzero(cost != self._cost).astype(np.int32)
            if changed.size:
                h.changeColsCost(changed.size, changed, np.asarray(cost, dtype=float)[changed])
                self._cost = np.array(cost, dtype=float)
        h.run()
        status = h.getModelStatus()
        ms = self._highspy.HighsModelStatus
        if status == ms.kInfeasible:
            raise InfeasibleSystem("no filling-in of the suppressed cells satisfies every equation")
        if status != ms.kOptimal:
            raise InfeasibleSystem(f"HiGHS stopped with status {h.modelStatusToString(status)}")
        x = np.asarray(h.getSolution().col_value, dtype=float)
        return float(cost @ x), x


_BANNER_SHOWN = False


def _quiet_highs(hs):
    """A Highs instance; the first one prints a banner straight to fd 1, which we swallow."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return hs.Highs()
    import os
    import sys

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = hs.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        _BANNER_SHOWN = True
    return h


def _integral(x: np.ndarray) -> np.ndarray | None:
    r = np.round(x)
    return r if np.all(np.abs(x - r) < EPS) else None


def propagate_bounds(a: sp.csr_matrix, b: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                     passes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Tighten bounds through each equation alone (outer evidence, integral: floor/ceil)."""
    lo, hi = lower.astype(float).copy(), upper.astype(float).copy()
    for _ in range(passes):
        changed = False
        for r in range(a.shape[0]):
            idx = a.indices[a.indptr[r]:a.indptr[r + 1]]
            coef = a.data[a.indptr[r]:a.indptr[r + 1]]
            if idx.size == 0:
                continue
            # activity bounds of sum(coef * x)
            mins = np.where(coef > 0, coef * lo[idx], coef * hi[idx])
            maxs = np.where(coef > 0, coef * hi[idx], coef * lo[idx])
            smin, smax = mins.sum(), maxs.sum()
            for k, j in enumerate(idx):
                c = coef[k]
                rest_min, rest_max = smin - mins[k], smax - maxs[k]
                # c * x_j = b - rest  ->  bounds on x_j
                if c > 0:
                    new_lo, new_hi = (b[r] - rest_max) / c, (b[r] - rest_min) / c
                else:
                    new_lo, new_hi = (b[r] - rest_min) / c, (b[r] - rest_max) / c
                new_lo, new_hi = np.ceil(new_lo - EPS), np.floor(new_hi + EPS)
                if new_lo > lo[j] + EPS:
                    lo[j], changed = new_lo, True
                if new_hi < hi[j] - EPS:
                    hi[j], changed = new_hi, True
        if not changed:
            break
    if np.any(lo > hi + EPS):
        raise InfeasibleSystem("the published figures contradict the equations or the rule")
    return lo, hi


def compute_intervals(model: AttackModel, required: np.ndarray, seeds: list[np.ndarray] | None = None,
                      exact: bool = False, batch_rounds: int = 4) -> tuple[Intervals, list[np.ndarray]]:
    """Decide for every unknown whether its integer interval is at least ``required`` wide.

    ``seeds`` are known integral feasible points (the true table, solutions kept from an
    earlier audit); with ``exact`` every interval is computed to its end points. Returns the
    intervals and the integral solutions that set some cell's seen end point (reusable as seeds).
    """
    n = model.n
    required = np.broadcast_to(np.asarray(required, dtype=float), (n,))
    lower, upper = propagate_bounds(model.a, model.b, model.lower, model.upper)
    iv = Intervals(np.full(n, np.inf), np.full(n, -np.inf), lower, upper)
    found: list[np.ndarray] = []

    lo_src = np.full(n, -1)
    hi_src = np.full(n, -1)

    def absorb(x: np.ndarray | None, source: int = -1) -> None:
        if x is None:
            return
        lower_now, higher_now = x < iv.seen_lo, x > iv.seen_hi
        lo_src[lower_now], hi_src[higher_now] = source, source
        np.minimum(iv.seen_lo, x, out=iv.seen_lo)
        np.maximum(iv.seen_hi, x, out=iv.seen_hi)

    for s in seeds or []:  # only points inside the model's bounds are evidence
        s = np.asarray(s, dtype=float)
        if np.all(s >= model.lower - EPS) and np.all(s <= model.upper + EPS):
            absorb(_integral(s))
    if n == 0:
        return iv, []
    if not np.isfinite(iv.seen_lo).all():
        _, x = model.optimise(np.zeros(n))
        iv.lp_solves += 1
        xi = _integral(x)
        if xi is None:
            _, x = model.optimise(np.zeros(n), integer=True)
            iv.milp_solves += 1
            xi = _integral(x)
        if xi is not None:
            found.append(xi)
            absorb(xi, len(found) - 1)

    def undecided() -> np.ndarray:
        if exact:
            return ~iv.exact()
        return ~(iv.safe(required) | iv.exposed(required))

    def open_(j: int) -> bool:
        if exact:
            return not (iv.seen_hi[j] >= iv.upper[j] - EPS and iv.seen_lo[j] <= iv.lower[j] + EPS)
        width_seen = iv.seen_hi[j] - iv.seen_lo[j]
        return width_seen < required[j] - EPS and iv.upper[j] - iv.lower[j] >= required[j] - EPS

    # Batch phase: each LP pushes every undecided cell up or down, but only as far as it needs
    # (a temporary bound at the target), so the LP spreads movement over many cells instead of
    # piling it on a few. Every integral vertex is a complete filling-in of the original problem
    # (the temporary bounds only shrink it) and widens every cell's seen range.
    rng = np.random.default_rng(0)  # fixed seed: the audit is deterministic
    for _ in range(batch_rounds):
        todo = undecided()
        if not todo.any():
            break
        before = int(todo.sum())
        must_up = iv.seen_hi - required < iv.lower + EPS
        must_down = iv.seen_lo + required > iv.upper - EPS
        coin = rng.random(n) < 0.5
        for flip in (False, True):
            up = np.where(must_up, True, np.where(must_down, False, coin ^ flip))
            lo_b, hi_b = model.lower.copy(), model.upper.copy()
            t_up = np.minimum(iv.upper, np.maximum(iv.seen_hi, iv.seen_lo + required))
            t_dn = np.maximum(iv.lower, np.minimum(iv.seen_lo, iv.seen_hi - required))
            hi_b = np.where(todo & up, t_up, hi_b)
            lo_b = np.where(todo & ~up, t_dn, lo_b)
            cost = np.where(todo, np.where(up, -1.0, 1.0), 0.0)
            try:
                _, x = model.optimise(cost, bounds=(lo_b, hi_b))
            except InfeasibleSystem:  # cannot happen with a seed inside; be safe
                continue
            iv.lp_solves += 1
            xi = _integral(x)
            if xi is not None:
                found.append(xi)
                absorb(xi, len(found) - 1)
            todo = undecided()
            if not todo.any():
                break
        if int(todo.sum()) > 0.7 * before:
            break

    # Per-cell phase: each remaining cell gets its own LP (MILP when the LP optimum is fractional).
    for j in np.flatnonzero(undecided()):
        for sign in _directions(iv, j):
            if not open_(j):
                break
            cost = np.zeros(n)
            cost[j] = sign
            val, x = model.optimise(cost)
            iv.lp_solves += 1
            xi = _integral(x)
            bound = -val if sign < 0 else val
            if sign < 0:
                iv.upper[j] = min(iv.upper[j], np.floor(bound + EPS))
            else:
                iv.lower[j] = max(iv.lower[j], np.ceil(bound - EPS))
            if xi is None and open_(j):
                val, x = model.optimise(cost, integer=True)
                iv.milp_solves += 1
                xi = _integral(x)
                bound = -val if sign < 0 else val
                if sign < 0:
                    iv.upper[j] = min(iv.upper[j], np.round(bound))
                else:
                    iv.lower[j] = max(iv.lower[j], np.round(bound))
            if xi is not None:
                found.append(xi)
                absorb(xi, len(found) - 1)
    witnesses = sorted(set(lo_src[lo_src >= 0].tolist()) | set(hi_src[hi_src >= 0].tolist()))
    return iv, [found[i] for i in witnesses]


def _directions(iv: Intervals, j: int) -> tuple[float, float]:
    """Solve first in the direction with more room (maximise = cost -1)."""
    up_room = iv.upper[j] - iv.seen_hi[j]
    down_room = iv.seen_lo[j] - iv.lower[j]
    return (-1.0, 1.0) if up_room >= down_room else (1.0, -1.0)
