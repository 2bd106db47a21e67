"""Exact linear identities among a paper's counts, derived from the records each one counts.

Every protected count is a :class:`~pipeline.tables.Selection` over a fact table, so the
records behind each cell are known. Two cells that count the same records are equal whatever
their labels; a cell whose records are the disjoint union of other cells' records is their
sum; and so on. A reader may know or confirm such identities (from captions, from other
years, from how the service works), so the audit and secondary suppression must know them
too, including those that hold in this data by coincidence.

Method, per *universe* (a set of records that cells can share):

* ``rows of <fact>``: the rows of one fact table; every counting cell over that fact is in it;
* ``<unit> (<KEY>)``: children (``CHILD``), cases (``CASE_ID``) or events (``EVENT_ID``);
  a cell is in it when the rows it counts have distinct, known keys, so the count *is* the
  number of those units (this links cells over different fact tables, e.g. a case belongs to
  one child).

The records are grouped by the exact set of cells that count them (the *atoms*); each cell
is then the sum of its atoms' counts. Cells with equal atom sets give ``same records``
identities; the rest are taken in order of size, and each that is a disjoint union of
smaller cells, or otherwise a linear combination of them (found with a float QR and
verified in exact integer arithmetic), gives one identity. Together these span every
linear identity the atoms imply among the cells (the left null space of the cells x atoms
matrix). Containment (one record set inside another) gives inequalities, which are not used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import numpy as np
import pandas as pd
import scipy.linalg as sla
import scipy.sparse as sp

from pipeline.tables import Cell, Equation, Paper

UNIT_KEYS: tuple[tuple[str, str], ...] = (("CHILD", "children"), ("CASE_ID", "cases"), ("EVENT_ID", "events"))
TOLERANCE = 1e-7


@dataclass(frozen=True)
class Identity:
    """``sum(lhs) == sum(rhs)`` among cells (a cell may repeat: integer coefficients)."""

    lhs: tuple[Cell, ...]
    rhs: tuple[Cell, ...]
    kind: str  # same records | disjoint union | linear combination
    universe: str  # e.g. "rows of exits" or "children (CHILD)"

    @property
    def reason(self) -> str:
        return f"record sets: {self.kind} ({self.universe})"

    def equation(self) -> Equation:
        return Equation(self.lhs, self.rhs, self.reason)

    def text(self) -> str:
        side = lambda cells: " + ".join(c.id for c in cells) or "0"  # noqa: E731
        return f"{side(self.lhs)} = {side(self.rhs)}"


class _Masks:
    """Boolean row masks of selections, with each column factorised once per fact."""

    def __init__(self, facts: Mapping[str, pd.DataFrame]):
        self.facts = facts
        self._codes: dict[tuple[str, str], tuple[np.ndarray, pd.Index]] = {}
        self._conditions: dict[tuple, np.ndarray] = {}

    def condition(self, fact: str, col: str, values: tuple) -> np.ndarray:
        done = self._conditions.get((fact, col, values))
        if done is not None:
            return done
        key = (fact, col)
        if key not in self._codes:
            codes, uniques = pd.factorize(self.facts[fact][col], use_na_sentinel=True)
            self._codes[key] = codes, pd.Index(uniques)
        codes, uniques = self._codes[key]
        wanted = np.flatnonzero(uniques.isin(list(values)))
        self._conditions[(fact, col, values)] = out = np.isin(codes, wanted)
        return out

    def mask(self, sel) -> np.ndarray:
        m = np.ones(len(self.facts[sel.fact]), dtype=bool)
        for col, vals in sel.where:
            m &= self.condition(sel.fact, col, vals)
        return m


def collect_record_sets(paper: Paper, facts: Mapping[str, pd.DataFrame]) -> dict[str, dict[Cell, np.ndarray]]:
    """Universe name -> cell -> the records it counts (row positions or unit keys, as codes).

    Only counting cells (no ``sum_of``) of protected tables over a fact present in ``facts``.
    """
    masks = _Masks(facts)
    universes: dict[str, dict[Cell, np.ndarray]] = {}
    key_codes: dict[str, dict[str, np.ndarray]] = {}  # key column -> fact -> codes (shared numbering)
    for key, _ in UNIT_KEYS:
        frames = {f: d[key] for f, d in facts.items() if key in d.columns}
        if not frames:
            continue
        allvals = pd.concat([s.astype("string") for s in frames.values()], ignore_index=True)
        codes, _ = pd.factorize(allvals, use_na_sentinel=True)
        out, start = {}, 0
        for f, s in frames.items():
            out[f] = codes[start:start + len(s)]
            start += len(s)
        key_codes[key] = out
    for t in paper.tables:
        if not t.suppress:
            continue
        present = set(t.cells())
        for (r, c), sel in t.selections.items():
            cell = Cell(t.table_id, r, c)
            if sel.sum_of is not None or sel.fact not in facts or cell not in present:
                continue
            rows = np.flatnonzero(masks.mask(sel))
            universes.setdefault(f"rows of {sel.fact}", {})[cell] = rows
            for key, unit in UNIT_KEYS:
                codes = key_codes.get(key, {}).get(sel.fact)
                if codes is None:
                    continue
                keys = codes[rows]
                if (keys >= 0).all() and np.unique(keys).size == keys.size:
                    universes.setdefault(f"{unit} ({key})", {})[cell] = keys
    return universes


def atoms_of(record_sets: Mapping[Cell, np.ndarray]) -> tuple[list[Cell], list[frozenset[int]], np.ndarray]:
    """(cells, each cell's atom ids, atom sizes): records grouped by the cells that count them."""
    cells = list(record_sets)
    lengths = np.array([len(record_sets[c]) for c in cells], dtype=np.int64)
    if not cells or lengths.sum() == 0:
        return cells, [frozenset() for _ in cells], np.zeros(0, dtype=np.int64)
    recs = np.concatenate([np.asarray(record_sets[c], dtype=np.int64) for c in cells])
    owner = np.repeat(np.arange(len(cells), dtype=np.int64), lengths)
    _, rec_ids = np.unique(recs, return_inverse=True)
    order = np.lexsort((owner, rec_ids))
    r_sorted, o_sorted = rec_ids[order], owner[order].astype(np.int32)
    cuts = np.flatnonzero(np.diff(r_sorted)) + 1
    starts, ends = np.r_[0, cuts], np.r_[cuts, r_sorted.size]
    atom_of_rec = np.empty(int(r_sorted[-1]) + 1, dtype=np.int64)
    keys: dict[bytes, int] = {}
    sizes: list[int] = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):  # one step per record
        a = keys.setdefault(o_sorted[s:e].tobytes(), len(keys))
        if a == len(sizes):
            sizes.append(0)
        sizes[a] += 1
        atom_of_rec[r_sorted[s]] = a
    pairs = np.unique(owner * len(sizes) + atom_of_rec[rec_ids])
    by_cell = np.split(pairs % len(sizes), np.searchsorted(pairs // len(sizes), np.arange(1, len(cells))))
    return cells, [frozenset(m.tolist()) for m in by_cell], np.array(sizes, dtype=np.int64)


class _Span:
    """An orthonormal basis (QR) of the cell vectors taken so far, to test and solve membership."""

    def __init__(self, dim: int, capacity: int):
        self.q = np.zeros((capacity, dim))
        self.r = np.zeros((capacity, capacity))
        self.owners: list[int] = []

    def project(self, vec: np.ndarray) -> tuple[np.ndarray, float]:
        """(coordinates in the basis, relative norm of the part outside the span)."""
        q = self.q[:len(self.owners)]
        w = q @ vec
        res = vec - w @ q
        return w, float(np.linalg.norm(res) / max(np.linalg.norm(vec), 1.0))

    def add(self, owner: int, vec: np.ndarray, w: np.ndarray) -> None:
        """Add `vec`, whose coordinates `w` project() gave."""
        k = len(self.owners)
        q = self.q[:k]
        res = vec - w @ q
        w2 = q @ res  # re-orthogonalise once (classical Gram-Schmidt twice is enough)
        res -= w2 @ q
        norm = float(np.linalg.norm(res))
        self.r[:k, k] = w + w2
        self.r[k, k] = norm
        self.q[k] = res / norm
        self.owners.append(owner)

    def coefficients(self, w: np.ndarray) -> np.ndarray:
        k = len(self.owners)
        return sla.solve_triangular(self.r[:k, :k], w, lower=False)


def cell_vectors(incidence: sp.csr_matrix, seed: int = 0, chunk: int = 20_000) -> np.ndarray:
    """Each cell's atom vector, as is when there are few atoms, else projected on a fixed
    random Gaussian basis of as many dimensions as cells (+8): linear dependencies among the
    cells are kept (with probability one) while memory stays cells x cells. Every identity
    found is verified exactly on the atoms, so a projection can never add a false one."""
    n_cells, n_atoms = incidence.shape
    if n_atoms <= n_cells + 8:
        return incidence.toarray()
    dim = n_cells + 8
    rng = np.random.default_rng(seed)
    csc = incidence.tocsc()
    out = np.zeros((n_cells, dim))
    for start in range(0, n_atoms, chunk):
        part = csc[:, start:start + chunk]
        out += part @ rng.standard_normal((part.shape[1], dim))
    return out


def _integer_combination(coef: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer coefficients and a common denominator for float coefficients (rational guess)."""
    nz = np.flatnonzero(np.abs(coef) > 1e-9)
    ints = np.zeros(coef.size, dtype=np.int64)
    if np.all(np.abs(coef[nz] - np.round(coef[nz])) < 1e-9):
        ints[nz] = np.round(coef[nz]).astype(np.int64)
        return ints, 1
    fracs = {int(i): Fraction(float(coef[i])).limit_denominator(10_000) for i in nz}
    den = lcm(*(f.denominator for f in fracs.values()))
    for i, f in fracs.items():
        ints[i] = int(f * den)
    return ints, den


def _disjoint_parts(j: int, cells: list[Cell], members: list[frozenset[int]], inside: list[int]) -> list[int] | None:
    """Earlier cells whose record sets partition cell j's: one table's cells first, else any."""
    support = members[j]
    tables: dict[str, list[int]] = {}
    for k in inside:
        tables.setdefault(cells[k].table_id, []).append(k)
    groups = sorted(tables.values(), key=lambda ks: cells[ks[0]].table_id != cells[j].table_id)
    for candidates in [*groups, inside]:
        parts, covered = [], set()
        for k in sorted(candidates, key=lambda k: (-len(members[k]), k)):
            if not (members[k] & covered):
                parts.append(k)
                covered |= members[k]
        if len(parts) >= 2 and covered == support:
            return parts
    return None


def components(record_sets: Mapping[Cell, np.ndarray]) -> list[list[Cell]]:
    """Groups of cells linked through shared records (no identity spans two groups)."""
    from scipy.sparse.csgraph import connected_components

    cells = list(record_sets)
    lengths = [len(record_sets[c]) for c in cells]
    recs = np.concatenate([np.asarray(record_sets[c], dtype=np.int64) for c in cells]) if cells else np.zeros(0)
    _, rec_ids = np.unique(recs, return_inverse=True)
    n_rec = int(rec_ids.max()) + 1 if rec_ids.size else 0
    rows = np.repeat(np.arange(len(cells)), lengths)
    bip = sp.coo_matrix((np.ones(rows.size), (rows, len(cells) + rec_ids)),
                        shape=(len(cells) + n_rec, len(cells) + n_rec))
    _, label = connected_components(bip, directed=False)
    groups: dict[int, list[Cell]] = {}
    for j, cell in enumerate(cells):
        groups.setdefault(int(label[j]), []).append(cell)
    return list(groups.values())


def derive_universe(universe: str, record_sets: Mapping[Cell, np.ndarray]) -> list[Identity]:
    """The identities of one universe (see the module docstring), component by component."""
    out: list[Identity] = []
    for group in components(record_sets):
        if len(group) > 1:
            out += _derive_component(universe, {c: record_sets[c] for c in group})
    return out


def _derive_component(universe: str, record_sets: Mapping[Cell, np.ndarray]) -> list[Identity]:
    cells, members, _sizes = atoms_of(record_sets)
    out: list[Identity] = []
    first: dict[frozenset[int], int] = {}
    reps: list[int] = []
    for j, cell in enumerate(cells):
        support = members[j]
        if not support:
            continue  # an empty record set is a zero, not a relation between figures
        if support in first:
            out.append(Identity((cells[first[support]],), (cell,), "same records", universe))
        else:
            first[support] = j
            reps.append(j)
    if not reps:
        return out
    n_atoms = 1 + max(max(members[j]) for j in reps)
    rows = np.repeat(np.arange(len(cells)), [len(m) for m in members])
    cols = np.fromiter((a for m in members for a in m), dtype=np.int64, count=rows.size)
    incidence = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(len(cells), n_atoms))
    indicator = np.zeros(n_atoms)
    size = np.array([len(m) for m in members])
    done = np.zeros(len(cells), dtype=bool)
    vectors = cell_vectors(incidence)
    span = _Span(vectors.shape[1], len(reps))
    for j in sorted(reps, key=lambda j: (len(members[j]), j)):
        idx = np.fromiter(members[j], dtype=np.int64)
        indicator[idx] = 1.0
        overlap = incidence @ indicator
        indicator[idx] = 0.0
        inside = np.flatnonzero(done & (overlap == size)).tolist()
        parts = _disjoint_parts(j, cells, members, inside) if len(inside) >= 2 else None
        if parts is not None:
            out.append(Identity((cells[j],), tuple(cells[k] for k in parts), "disjoint union", universe))
        else:
            w, outside = span.project(vectors[j])
            found = _combination(universe, cells, members, span, j, w) if outside <= TOLERANCE else None
            if found is not None:
                out.append(found)
            else:  # independent (a float near-dependency that does not verify is kept independent)
                span.add(j, vectors[j], w)
        done[j] = True
    return out


def _combination(universe: str, cells: list[Cell], members: list[frozenset[int]], span: _Span,
                 j: int, w: np.ndarray) -> Identity | None:
    """Cell j as an exact integer combination of the cells in the span, verified exactly on
    the atoms (None if the float solution does not verify)."""
    coef = span.coefficients(w)
    ints, den = _integer_combination(coef)
    used = [(span.owners[i], int(ints[i])) for i in np.flatnonzero(ints)]
    total: dict[int, int] = {}
    for k, c in used:
        for a in members[k]:
            total[a] = total.get(a, 0) + c
    target = {a: den for a in members[j]}
    if {a: v for a, v in total.items() if v} != target:
        return None
    lhs = [cells[j]] * den
    rhs: list[Cell] = []
    for k, c in used:
        if c > 0:
            rhs += [cells[k]] * c
        elif c < 0:
            lhs += [cells[k]] * (-c)
    return Identity(tuple(lhs), tuple(rhs), "linear combination", universe)


def _vector(eq_lhs: Iterable[Cell], eq_rhs: Iterable[Cell], index: dict[Cell, int]) -> dict[int, float]:
    coef: dict[int, float] = {}
    for c in eq_lhs:
        coef[index[c]] = coef.get(index[c], 0.0) + 1.0
    for c in eq_rhs:
        coef[index[c]] = coef.get(index[c], 0.0) - 1.0
    return {k: v for k, v in coef.items() if v}


class _EquationSpan:
    """The span of equations seen so far (as vectors over cells), to drop implied ones."""

    def __init__(self, n: int):
        self.n = n
        self.q: list[np.ndarray] = []
        self.basis = np.zeros((0, n))

    def adds(self, coef: dict[int, float]) -> bool:
        """Add the equation if it is not implied by those before; True if it was added."""
        v = np.zeros(self.n)
        for k, c in coef.items():
            v[k] = c
        norm0 = float(np.linalg.norm(v))
        if norm0 == 0:
            return False
        for _ in range(2):
            if self.basis.shape[0]:
                v = v - (self.basis @ v) @ self.basis
        norm = float(np.linalg.norm(v))
        if norm <= TOLERANCE * norm0:
            return False
        self.basis = np.vstack([self.basis, v / norm])
        return True


def derive_identities(paper: Paper, facts: Mapping[str, pd.DataFrame]) -> list[Identity]:
    """Every record-set identity of `paper` that its own equations (margins, sub-totals, links,
    equal selections) do not already imply; simplest kinds first."""
    found = [i for universe, sets in collect_record_sets(paper, facts).items()
             for i in derive_universe(universe, sets)]
    order = {"same records": 0, "disjoint union": 1, "linear combination": 2}
    found.sort(key=lambda i: (order[i.kind], len(i.lhs) + len(i.rhs)))
    own = paper.equations()
    cells = {c for e in own for c in (*e.lhs, *e.rhs)} | {c for i in found for c in (*i.lhs, *i.rhs)}
    index = {c: k for k, c in enumerate(sorted(cells))}
    span = _EquationSpan(len(index))
    for e in own:
        span.adds(_vector(e.lhs, e.rhs, index))
    return [i for i in found if span.adds(_vector(i.lhs, i.rhs, index))]


def identities_frame(identities: Iterable[Identity]) -> pd.DataFrame:
    """The identities for the restricted audit log: kind, universe (where it came from), equation."""
    rows = [(i.kind, i.universe, i.text()) for i in identities]
    return pd.DataFrame(rows, columns=["kind", "source", "identity"])
