"""Projection of children in care and placement demand: a Monte Carlo Markov stock-flow model.

Method ("monthly Markov stock-flow microsimulation on counts"):

- State: the number of children in care by age (in steps of ``projection.step_months``
  months, 3 by default), time in care (under 1 year / 1 year or more) and placement group,
  starting from the children in care at 31 March of the sufficiency year.
- Each step, in this order: (1) each child leaves care with a probability that depends on
  age band and time in care; (2) each child who stays moves to another placement group with
  the probabilities of the transition matrix; (3) everybody is one step older and children
  reaching 18 leave care; (4) a child under 1 year in care passes to "1 year or more" with
  probability step/12 (a geometric approximation of the 12-month wait); (5) new children
  arrive: for each year of age a Poisson number with the observed mean, spread evenly over
  that year's ages, placed by the observed placement mix of entrants of their age band.
- Monthly rates become rates per step: exit 1 - (1 - p)^k, transition matrix to the power k,
  and arrivals thinned by the chance of leaving again within the step (so the expected stock
  is the same as with monthly steps; quarterly steps cost a third of the time).
- Rates are estimated from the month-to-month moves of the last ``projection.window_years``
  years (fact table ``care_transitions``), shortened to the months the returns fully observe
  (:func:`describe_history`: never a month before the first return, where only the children
  still in care at it are visible; no projection from less than a year): exit probability = children leaving in a month
  (other than by turning 18) / children in care at the start of the month; the transition
  matrix = observed moves between groups / children staying in care, by age band (shrunk
  towards the all-ages matrix like the exit rates, so a teenager in foster care does not move
  to "placed for adoption" at a toddler's rate); admissions = entrants
  to the month-end stock / months in the window. Exits also depend on the placement group,
  shrunk towards the age band and time in care's pooled rate with the weight of
  ``projection.shrinkage_months`` child-months (small groups borrow strength); cells without
  data take the pooled rate.
- ``projection.simulations`` runs with the seed ``projection.seed`` (deterministic) give the
  median and the 5%-95% band of the stock at each 31 March for ``projection.years`` years.

The band shows the randomness of the flows only; it does not include uncertainty in the rates
or changes in policy, which is why the projection is a planning guide, not a forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from pipeline import schema
from pipeline.coverage import check_day, check_window, read_coverage, say_day

AGE_MONTHS = 18 * 12
N_BANDS = len(schema.AGE_BANDS)
TIC = ("Under 1 year", "1 year or more")
ALL_GROUPS = "TOTAL"  # the PLACEMENT_GROUP code of the all-placements row (a code, not a label)


def band_index_of_age_years(age: np.ndarray) -> np.ndarray:
    """Index into schema.AGE_BANDS of whole years of age (0 -> 0, 1-4 -> 1, 5-9 -> 2, 10-15 -> 3, 16+ -> 4)."""
    age = np.asarray(age)
    return np.select([age < 1, age < 5, age < 10, age < 16], [0, 1, 2, 3], 4)


@dataclass(frozen=True)
class TransitionRates:
    """Monthly rates of the model. ``groups`` are the placement groups (state order)."""

    groups: tuple[str, ...]
    exit_prob: np.ndarray    # [N_BANDS, 2, G] probability of leaving care in a month (not by turning 18)
    move: np.ndarray         # [N_BANDS, G, G] monthly placement transition matrix by age band, rows sum to 1
    admissions: np.ndarray   # [18] expected new children a month by year of age
    entry_mix: np.ndarray    # [N_BANDS, G] placement group of new children by age band


def estimate_rates(transitions: pd.DataFrame, months: int, groups: tuple[str, ...] | None = None,
                   shrinkage_months: float = 24.0) -> TransitionRates:
    """Monthly rates from the care_transitions fact (FROM, TO, AGE, TIME_IN_CARE, AGED_OUT, N)
    over a window of `months` months. The exit probability of a placement group is shrunk
    towards its age band and time in care's pooled rate with the weight of
    `shrinkage_months` child-months: (exits + w * pooled) / (months at risk + w)."""
    if months <= 0:
        raise ValueError("the estimation window must have at least one month")
    t = transitions.copy()
    t["N"] = t["N"].astype(float)
    if groups is None:
        seen = set(t["FROM"]) | set(t["TO"])
        groups = tuple(g for g in schema.PLACEMENT_GROUP_LABELS if g in seen) + tuple(
            sorted(seen - set(schema.PLACEMENT_GROUP_LABELS) - {"OUT"}))
    gi = {g: i for i, g in enumerate(groups)}
    G = len(groups)
    age = t["AGE"].astype("float").fillna(0).clip(0, 17).astype(int).to_numpy()
    band = band_index_of_age_years(age)
    tic = (t["TIME_IN_CARE"] == TIC[1]).astype(int).to_numpy()
    in_care = (t["FROM"] != "OUT").to_numpy()
    left = in_care & (t["TO"] == "OUT").to_numpy() & ~t["AGED_OUT"].astype(bool).to_numpy()
    n = t["N"].to_numpy()

    f_idx = t["FROM"].map(gi).to_numpy()
    t_idx = t["TO"].map(gi).to_numpy()
    exposure = np.zeros((N_BANDS, 2, G))
    exits = np.zeros((N_BANDS, 2, G))
    risk = in_care & pd.notna(f_idx)
    gone = left & pd.notna(f_idx)
    np.add.at(exposure, (band[risk], tic[risk], f_idx[risk].astype(int)), n[risk])
    np.add.at(exits, (band[gone], tic[gone], f_idx[gone].astype(int)), n[gone])
    overall = exits.sum() / exposure.sum() if exposure.sum() else 0.0
    exp_bt, ex_bt = exposure.sum(axis=2), exits.sum(axis=2)
    pooled = np.where(exp_bt > 0, ex_bt / np.where(exp_bt > 0, exp_bt, 1), overall)[:, :, None]
    w = shrinkage_months
    exit_prob = np.where(exposure + w > 0, (exits + w * pooled) / np.where(exposure + w > 0, exposure + w, 1), pooled)

    stay = in_care & (t["TO"] != "OUT").to_numpy()
    moves = np.zeros((N_BANDS, G, G))
    ok = stay & pd.notna(f_idx) & pd.notna(t_idx)
    np.add.at(moves, (band[ok], f_idx[ok].astype(int), t_idx[ok].astype(int)), n[ok])
    all_moves = moves.sum(axis=0)
    rows = all_moves.sum(axis=1, keepdims=True)
    overall_move = np.where(rows > 0, all_moves / np.where(rows > 0, rows, 1), np.eye(G))
    band_rows = moves.sum(axis=2, keepdims=True)
    move = (moves + w * overall_move) / (band_rows + w) if w > 0 else np.where(
        band_rows > 0, moves / np.where(band_rows > 0, band_rows, 1), overall_move)

    entering = (~in_care) & (t["TO"] != "OUT").to_numpy()
    admissions = np.zeros(18)
    np.add.at(admissions, age[entering], n[entering])
    admissions /= months
    mix = np.zeros((N_BANDS, G))
    e_ok = entering & pd.notna(t_idx)
    np.add.at(mix, (band[e_ok], t_idx[e_ok].astype(int)), n[e_ok])
    overall = mix.sum(axis=0)
    overall = overall / overall.sum() if overall.sum() else np.full(G, 1.0 / G)
    totals = mix.sum(axis=1, keepdims=True)
    entry_mix = np.where(totals > 0, mix / np.where(totals > 0, totals, 1), overall)
    return TransitionRates(tuple(groups), exit_prob, move, admissions, entry_mix)


def build_base_state(cla: pd.DataFrame, groups: tuple[str, ...]) -> np.ndarray:
    """Counts [AGE_MONTHS, 2, G] of the children in care at the base date (rows of
    cla_31_march for one year: AGE_MONTHS, TIME_IN_CARE, PLACEMENT_GROUP)."""
    gi = {g: i for i, g in enumerate(groups)}
    state = np.zeros((AGE_MONTHS, 2, len(groups)), dtype=np.int64)
    m = cla["AGE_MONTHS"].astype(int).clip(0, AGE_MONTHS - 1).to_numpy()
    t = (cla["TIME_IN_CARE"] == TIC[1]).astype(int).to_numpy()
    g = cla["PLACEMENT_GROUP"].map(gi)
    if g.isna().any():
        raise ValueError(f"placement groups not in the model: {sorted(set(cla['PLACEMENT_GROUP'][g.isna()]))}")
    np.add.at(state, (m, t, g.astype(int).to_numpy()), 1)
    return state


def _distribute(rng: np.random.Generator, counts: np.ndarray, pvals: np.ndarray) -> np.ndarray:
    """Split each count over len(pvals) categories (multinomial), only where counts > 0."""
    out = np.zeros(counts.shape + (len(pvals),), dtype=np.int64)
    nz = np.nonzero(counts)
    if len(nz[0]):
        out[nz] = rng.multinomial(counts[nz], pvals / pvals.sum())
    return out


def _step_exits_and_moves(rng: np.random.Generator, state: np.ndarray, p_cell: np.ndarray,
                          move: np.ndarray, age_band: np.ndarray) -> None:
    """In place: children leave care (probability p_cell of their cell), then the others move
    between placement groups (row g of their age band's matrix `move`). Works on the occupied
    cells only."""
    flat = state.reshape(-1)
    G = move.shape[-1]
    n_age = state.shape[1]
    cells = p_cell.size
    nz = np.flatnonzero(flat)
    n = flat[nz] - rng.binomial(flat[nz], p_cell[nz % cells])
    flat[nz] = n
    g = nz % G
    b = age_band[(nz // (2 * G)) % n_age]
    stay = np.einsum("bgg->bg", move)
    leaving = rng.binomial(n, np.clip(1.0 - stay[b, g], 0.0, 1.0))
    flat[nz] -= leaving
    moving = np.flatnonzero(leaving)
    pairs = b[moving] * G + g[moving]
    order = np.argsort(pairs, kind="stable")          # cells of each (band, group), in cell order
    distinct, first = np.unique(pairs[order], return_index=True)
    bounds = np.append(first, len(order))
    for pair, lo, hi in zip(distinct, bounds[:-1], bounds[1:], strict=True):
        band_, src = divmod(int(pair), G)
        idx = moving[order[lo:hi]]
        dest = move[band_, src].copy()
        dest[src] = 0.0
        split = rng.multinomial(leaving[idx], dest / dest.sum())      # [len(idx), G]
        base = nz[idx] - src                                          # distinct cells
        for h in np.flatnonzero(split.sum(axis=0)):
            flat[base + h] += split[:, h]


def _step_settle(rng: np.random.Generator, state: np.ndarray, prob: float) -> None:
    """In place: children under 1 year in care pass to '1 year or more' with probability `prob`."""
    flat = state.reshape(-1)
    G = state.shape[-1]
    nz = np.flatnonzero(flat)
    nz = nz[(nz // G) % 2 == 0]
    settled = rng.binomial(flat[nz], prob)
    flat[nz] -= settled
    flat[nz + G] += settled


def _step_arrivals(rng: np.random.Generator, state: np.ndarray, lam: np.ndarray, age_band: np.ndarray,
                   entry_mix: np.ndarray) -> None:
    """In place: Poisson arrivals by month of age, placed by their age band's entry mix."""
    sims, ages, _, G = state.shape
    arrivals = rng.poisson(np.broadcast_to(lam, (sims, ages)))
    s_idx, a_idx = np.nonzero(arrivals)
    flat = state.reshape(-1)
    base = (s_idx * ages + a_idx) * 2 * G            # time in care band 0
    bands = age_band[a_idx]
    for b in np.unique(bands):
        sel = bands == b
        split = rng.multinomial(arrivals[s_idx[sel], a_idx[sel]], entry_mix[b] / entry_mix[b].sum())
        for h in np.flatnonzero(split.sum(axis=0)):
            np.add.at(flat, base[sel] + h, split[:, h])


def convert_rates_to_step(rates: TransitionRates, step_months: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monthly rates as rates per step of `step_months` months: exit probability
    1 - (1 - p)^k, the transition matrix to the power k, and the expected arrivals per step
    by year of age thinned by the chance of not having left again before the step's end
    (arrivals spread evenly over the step), so the expected stock matches monthly steps."""
    k = step_months
    p_exit = 1.0 - (1.0 - rates.exit_prob) ** k
    move = np.stack([np.linalg.matrix_power(m, k) for m in rates.move])
    survive_g = np.mean([(1.0 - rates.exit_prob[:, 0, :]) ** j for j in range(k)], axis=0)   # [N_BANDS, G]
    survive = (survive_g * rates.entry_mix).sum(axis=1) / rates.entry_mix.sum(axis=1)
    bands = band_index_of_age_years(np.arange(18))
    arrivals = rates.admissions * k * survive[bands]
    return p_exit, move, arrivals


def simulate_care_population(base: np.ndarray, rates: TransitionRates, years: int, simulations: int,
                             seed: int, step_months: int = 3) -> np.ndarray:
    """Run the model in steps of `step_months` months (a divisor of 12); `base` is counts by
    age in months [AGE_MONTHS, 2, G]. Returns counts [simulations, years, 18 (age in years), G]
    at each year end."""
    if 12 % step_months:
        raise ValueError("projection.step_months must divide 12")
    rng = np.random.default_rng(seed)
    G = len(rates.groups)
    per_year = 12 // step_months
    n_age = AGE_MONTHS // step_months
    age_band = band_index_of_age_years(np.arange(n_age) // per_year)
    p_exit, move, arrivals = convert_rates_to_step(rates, step_months)
    p_cell = np.ascontiguousarray(p_exit[age_band]).ravel()
    lam = np.repeat(arrivals / per_year, per_year)          # [n_age] per step
    start = base.reshape(n_age, step_months, 2, G).sum(axis=1)
    state = np.ascontiguousarray(np.broadcast_to(start, (simulations,) + start.shape), dtype=np.int64).copy()
    out = np.zeros((simulations, years, 18, G), dtype=np.int64)
    for step in range(1, per_year * years + 1):
        _step_exits_and_moves(rng, state, p_cell, move, age_band)
        state[:, 1:] = state[:, :-1]                         # one step older; the oldest turn 18 and leave
        state[:, 0] = 0
        _step_settle(rng, state, step_months / 12.0)
        _step_arrivals(rng, state, lam, age_band, rates.entry_mix)
        if step % per_year == 0:
            out[:, step // per_year - 1] = state.sum(axis=2).reshape(simulations, 18, per_year, G).sum(axis=2)
    return out


def summarise_projection(runs: np.ndarray, groups: tuple[str, ...], labels: list[str]) -> pd.DataFrame:
    """Median, 5% and 95% points and mean of each placement group and the total, by year:
    columns YEAR, PLACEMENT_GROUP (ALL_GROUPS, "TOTAL", for all), MEDIAN, P05, P95, MEAN."""
    by_group = runs.sum(axis=2)                                   # [sims, years, G]
    stacked = np.concatenate([by_group, by_group.sum(axis=2, keepdims=True)], axis=2)
    names = list(groups) + [ALL_GROUPS]
    rows = []
    for y, label in enumerate(labels):
        for k, name in enumerate(names):
            v = stacked[:, y, k]
            rows.append((label, name, float(np.median(v)), float(np.percentile(v, 5)),
                         float(np.percentile(v, 95)), float(v.mean())))
    return pd.DataFrame(rows, columns=["YEAR", "PLACEMENT_GROUP", "MEDIAN", "P05", "P95", "MEAN"])


# The fewest months of fully observed moves a projection is estimated from (a whole year, so
# that every season is in the rates); with fewer the projection is declined. Back-test:
# benchmarks/backtest_projection.py, docs/measures.md.
MIN_HISTORY_MONTHS = 12


@dataclass(frozen=True)
class History:
    """The months of moves the projection's rates come from: the latest run of whole months,
    ending at the base 31 March, that the returns cover (no month before the first return,
    where only the children still in care at it are visible), at most the window set."""

    months: int               # months used
    wanted: int               # projection.window_years * 12
    start: date | None        # first day of the months used
    end: date                 # the base 31 March
    declined: str = ""        # why there is no projection ("" when there is one)

    @property
    def years_text(self) -> str:
        if self.months == 12:
            return "1 year"
        return f"{self.months // 12} years" if self.months and self.months % 12 == 0 else f"{self.months} months"

    def describe(self) -> str:
        """One sentence for the paper: the history used, and the caveat when it was shortened."""
        if self.declined:
            return f"No projection: {self.declined}."
        used = (f"The rates come from {self.years_text} of moves in and out of care and between placements "
                f"({say_day(self.start)} to {say_day(self.end)})")
        if self.months < self.wanted:
            return (f"{used}, not the {self.wanted // 12} years set: the returns do not reach further back. "
                    "A projection from a short history is less certain than the range shows.")
        return used + "."


def describe_history(facts: dict[str, pd.DataFrame], params) -> History:
    """Which months of moves the projection may use (see :class:`History`)."""
    base = params.sufficiency_year.end
    wanted = params.projection.window_years * 12
    cov = read_coverage(facts)
    reason = check_day(cov, base)
    if reason:
        return History(0, wanted, None, base, f"the base date is not covered: {reason}")
    ends = [pd.Timestamp(e).date() for e in pd.date_range(end=pd.Timestamp(base), periods=wanted + 1, freq="ME")]
    months = 0
    for e0, e1 in zip(reversed(ends[:-1]), reversed(ends[1:]), strict=True):
        if check_window(cov, e0 + timedelta(days=1), e1) is not None:
            break
        months += 1
    start = ends[-1 - months] + timedelta(days=1) if months else None
    if months < MIN_HISTORY_MONTHS:
        where = f"{say_day(cov.start)}" if cov is not None else "the first return"
        return History(months, wanted, start, base,
                       f"the returns cover {months} whole months of moves before {say_day(base)} (they start on "
                       f"{where}); the projection needs at least {MIN_HISTORY_MONTHS}")
    return History(months, wanted, start, base)


def project_children_in_care(facts: dict[str, pd.DataFrame], params) -> pd.DataFrame:
    """The projection for params.projection.years years after the sufficiency year's 31 March
    (summarise_projection's columns; YEAR is the financial year whose 31 March is projected),
    with rates from the months :func:`describe_history` allows; empty when it declines."""
    proj = params.projection
    base_year = params.sufficiency_year
    history = describe_history(facts, params)
    if history.declined:
        return pd.DataFrame(columns=["YEAR", "PLACEMENT_GROUP", "MEDIAN", "P05", "P95", "MEAN"])
    cla = facts["cla_31_march"]
    cla = cla[cla["YEAR"] == base_year.label]
    moves = facts["care_transitions"]
    if "MONTH_END" in moves and history.start is not None:
        moves = moves[pd.to_datetime(moves["MONTH_END"]) >= pd.Timestamp(history.start)]
    seen = set(cla["PLACEMENT_GROUP"]) | set(moves["FROM"]) | set(moves["TO"])
    groups = tuple(schema.PLACEMENT_GROUP_LABELS)
    groups += tuple(sorted(seen - set(groups) - {"OUT"}))
    rates = estimate_rates(moves, history.months, groups, proj.shrinkage_months)
    runs = simulate_care_population(build_base_state(cla, groups), rates, proj.years, proj.simulations, proj.seed,
                                    proj.step_months)
    labels = [base_year.shift(k).label for k in range(1, proj.years + 1)]
    return summarise_projection(runs, groups, labels)
