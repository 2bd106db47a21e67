"""Children and their periods of care: who comes into care, when, why and how they leave.

A period of care is drawn as a *pathway* chosen at entry (by age band): the pathway fixes the
exit route and the shape of the duration. Episodes (legal status and placement changes) are
filled in afterwards by `pipeline.synth.episodes`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.synth import days as dd
from pipeline.synth.geography import Geography
from pipeline.synth.settings import SynthSettings

# --- pathways ------------------------------------------------------------------------------
SHORT_HOME, HOME_AFTER, PWP, ADOPTION, SGO, CAO, LEAVE18, LEAVE1617, OTHER, SHORT_BREAK = range(10)
PATHWAYS = ("short_home", "home_after_proceedings", "placement_with_parents", "adoption", "sgo",
            "cao", "leave_at_18", "leave_at_16_17", "other", "short_breaks")

ADMISSIONS_PER_YEAR = 255.0  # an LA of ~150,000 under-18s, before the LA's size factor
UASC_PER_YEAR = 14.0
READMIT_PROB = 0.10

# Age band at entry: Under 1, 1-4, 5-9, 10-15, 16-17 (share of non-UASC admissions).
ENTRY_AGE_MIX = np.array([0.23, 0.19, 0.16, 0.27, 0.15])
BAND_DAYS = np.array([[1, 365], [365, 1826], [1826, 3652], [3652, 5844], [5844, 6560]])

# Pathway mix by age band at entry (columns: the first nine pathways above).
PATHWAY_MIX = np.array([
    # short  home   pwp   adopt  sgo   cao   leave18 16-17 other
    [0.14, 0.20, 0.04, 0.35, 0.11, 0.03, 0.09, 0.00, 0.04],  # under 1
    [0.25, 0.25, 0.05, 0.16, 0.10, 0.03, 0.14, 0.00, 0.02],  # 1-4
    [0.27, 0.24, 0.05, 0.02, 0.08, 0.03, 0.27, 0.00, 0.04],  # 5-9
    [0.30, 0.20, 0.03, 0.00, 0.02, 0.02, 0.21, 0.13, 0.09],  # 10-15
    [0.28, 0.02, 0.00, 0.00, 0.00, 0.00, 0.52, 0.08, 0.10],  # 16-17
])
UASC_PATHWAY_MIX = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.72, 0.12, 0.16])

# Duration (days) of each pathway: median, log-sd, min, max. LEAVE pathways end by age.
DURATION = {
    SHORT_HOME: (40, 1.0, 1, 365), HOME_AFTER: (400, 0.55, 120, 1800), PWP: (850, 0.35, 500, 2200),
    ADOPTION: (640, 0.3, 380, 1500), SGO: (600, 0.5, 200, 2500), CAO: (560, 0.5, 250, 2500),
    OTHER: (90, 1.2, 1, 1500),
}
# Reason ceased of each pathway (codes, probabilities).
EXITS = {
    SHORT_HOME: (("E4A", "E4B", "E13", "E8"), (0.42, 0.25, 0.22, 0.11)),
    HOME_AFTER: (("E4A", "E4B", "E13"), (0.62, 0.18, 0.20)),
    PWP: (("E4A",), (1.0,)),
    ADOPTION: (("E12", "E11"), (0.7, 0.3)),
    SGO: (("E45", "E46", "E47", "E48"), (0.45, 0.15, 0.30, 0.10)),
    CAO: (("E41",), (1.0,)),
    LEAVE18: (("E17", "E5", "E6", "E8", "E4A", "E13"), (0.30, 0.30, 0.10, 0.15, 0.07, 0.08)),
    LEAVE1617: (("E5", "E6", "E4B", "E13", "E8"), (0.50, 0.15, 0.10, 0.10, 0.15)),
    OTHER: (("E3", "E8", "E16", "E2"), (0.40, 0.42, 0.15, 0.03)),
}

ETHNIC_MIX = {
    "WBRI": 0.80, "WIRI": 0.004, "WOTH": 0.03, "WIRT": 0.006, "WROM": 0.006, "MWBC": 0.035,
    "MWBA": 0.01, "MWAS": 0.015, "MOTH": 0.025, "AIND": 0.005, "APKN": 0.01, "ABAN": 0.003,
    "AOTH": 0.007, "BCRB": 0.007, "BAFR": 0.01, "BOTH": 0.005, "CHNE": 0.002, "OOTH": 0.01,
    "REFU": 0.003, "NOBT": 0.008,
}
UASC_ETHNIC_MIX = {"BAFR": 0.35, "OOTH": 0.25, "AOTH": 0.25, "WOTH": 0.05, "BOTH": 0.10}
CIN_MIX = {"N1": 0.64, "N3": 0.04, "N4": 0.09, "N5": 0.16, "N6": 0.03, "N7": 0.01, "N8": 0.03}


def choose(rng: np.random.Generator, codes, probs, size: int) -> np.ndarray:
    """Draw `size` codes with the given probabilities (normalised)."""
    p = np.asarray(probs, dtype=float)
    return np.asarray(codes, dtype=object)[rng.choice(len(p), size=size, p=p / p.sum())]


def choose_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category index per row of a probability matrix (rows need not be normalised)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return (u[:, None] >= cum).sum(axis=1)


def yearly_rate(years: np.ndarray, first_return_year: int) -> np.ndarray:
    """Mild year-to-year movement of admissions: a slow rise with a dip and recovery."""
    t = years - first_return_year
    return 1.0 + 0.005 * t + 0.04 * np.sin(t / 2.3)


def draw_admission_days(settings: SynthSettings, lam: float, rng, trend: bool = True) -> np.ndarray:
    """Admission dates from the start of the simulation to the --until quarter's end."""
    first = settings.sim_start_year
    years = np.arange(first, settings.current_year.start_year + 1)
    starts = np.array([dd.day(pd.Timestamp(y, 4, 1).date()) for y in years])
    ends = np.minimum(starts + 365, dd.day(settings.end) + 1)
    first_return = settings.annual_returns[0].year.start_year
    rate = lam * (yearly_rate(years, first_return) if trend else np.ones(len(years)))
    counts = rng.poisson(rate * (ends - starts) / 365.0)
    offsets = rng.random(counts.sum()) * np.repeat(ends - starts, counts)
    return np.sort(np.repeat(starts, counts) + offsets.astype(np.int64))


def draw_entry_ages(n: int, rng: np.random.Generator) -> np.ndarray:
    """Age in days at entry: the DfE age mix, with many babies taken into care at birth."""
    band = rng.choice(5, size=n, p=ENTRY_AGE_MIX)
    lo, hi = BAND_DAYS[band, 0], BAND_DAYS[band, 1]
    age = lo + (rng.random(n) * (hi - lo)).astype(np.int64)
    newborn = (band == 0) & (rng.random(n) < 0.45)
    age[newborn] = rng.integers(1, 9, size=newborn.sum())
    return age


def simulate_children(settings: SynthSettings, geo: Geography) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every child who enters care (first periods only) and their first admission."""
    rng = settings.rng("children")
    prof = settings.profile
    lam = ADMISSIONS_PER_YEAR * settings.scale * prof.size * (1 - READMIT_PROB * 0.6)
    adm = draw_admission_days(settings, lam, rng)
    uasc_lam = UASC_PER_YEAR * settings.scale * prof.uasc_factor
    uadm = draw_admission_days(settings, uasc_lam, rng, trend=False)
    # UASC arrivals were rare before the national transfer scheme: thin the early years.
    ramp_year = settings.annual_returns[0].year.start_year - 4
    keep = (dd.components(uadm)[0] >= ramp_year) | (rng.random(len(uadm)) < 0.2)
    uadm = uadm[keep]
    n, nu = len(adm), len(uadm)
    start = np.concatenate([adm, uadm])
    uasc = np.concatenate([np.zeros(n, bool), np.ones(nu, bool)])
    age = np.concatenate([draw_entry_ages(n, rng), rng.integers(5220, 6480, size=nu)])
    order = np.argsort(start, kind="stable")
    start, uasc, age = start[order], uasc[order], age[order]
    total = n + nu
    male = rng.random(total) < np.where(uasc, 0.93, 0.53)
    ethnic = choose(rng, list(ETHNIC_MIX), list(ETHNIC_MIX.values()), total)
    ethnic[uasc] = choose(rng, list(UASC_ETHNIC_MIX), list(UASC_ETHNIC_MIX.values()), int(uasc.sum()))
    disabled = (~uasc) & (rng.random(total) < np.where(age > 1826, 0.08, 0.04))
    district = draw_districts(settings, total, rng, by_need=~uasc)
    home = draw_home_postcodes(geo, district, rng)
    children = pd.DataFrame({
        "child": np.arange(total), "dob": start - age, "male": male, "ethnic": ethnic,
        "uasc": uasc, "disabled": disabled, "district": district, "home_pc": home,
    })
    periods = pd.DataFrame({"child": np.arange(total), "start": start, "period_no": 1})
    return children, periods


def draw_districts(settings: SynthSettings, n: int, rng, by_need: np.ndarray) -> np.ndarray:
    """District of each child: population share, weighted by need for children in need."""
    prof = settings.profile
    pop = np.asarray(prof.district_weights)
    need = pop * np.asarray(prof.district_need)
    d_need = rng.choice(len(pop), size=n, p=need / need.sum())
    d_pop = rng.choice(len(pop), size=n, p=pop / pop.sum())
    return np.where(by_need, d_need, d_pop)


def draw_home_postcodes(geo: Geography, district: np.ndarray, rng) -> np.ndarray:
    """A home postcode (row index into geo.postcodes) in each child's district."""
    out = np.empty(len(district), dtype=np.int64)
    for i, pool in enumerate(geo.district_pools):
        m = district == i
        out[m] = pool[rng.integers(0, len(pool), size=m.sum())]
    return out


def assign_pathways(periods: pd.DataFrame, children: pd.DataFrame, rng) -> pd.DataFrame:
    """Choose each period's pathway from the child's age band at entry (UASC and disability aware)."""
    kids = children.set_index("child").loc[periods["child"]]
    age = periods["start"].to_numpy() - kids["dob"].to_numpy()
    band = np.clip(np.searchsorted(BAND_DAYS[:, 1], age, side="right"), 0, 4)
    probs = PATHWAY_MIX[band].copy()
    probs[kids["uasc"].to_numpy()] = UASC_PATHWAY_MIX
    disabled = kids["disabled"].to_numpy()
    probs[disabled, LEAVE18] *= 2.5
    probs[disabled, SHORT_HOME] *= 0.6
    out = periods.copy()
    out["pathway"] = choose_rows(rng, probs)
    return out


def draw_durations(periods: pd.DataFrame, children: pd.DataFrame, rng) -> pd.DataFrame:
    """End day and reason ceased of each period; every period ends by the 18th birthday."""
    kids = children.set_index("child").loc[periods["child"]]
    dob = kids["dob"].to_numpy()
    start = periods["start"].to_numpy()
    path = periods["pathway"].to_numpy()
    n = len(periods)
    adult = dd.add_years(dob, 18)
    end = np.empty(n, dtype=np.int64)
    for p, (med, sd, lo, hi) in DURATION.items():
        m = path == p
        end[m] = start[m] + np.clip(rng.lognormal(np.log(med), sd, m.sum()), lo, hi).astype(np.int64)
    m = path == LEAVE18
    end[m] = adult[m]
    m = path == LEAVE1617
    leave_age = dd.add_years(dob[m], 16) + (rng.random(m.sum()) * 1.9 * 365).astype(np.int64)
    end[m] = np.maximum(leave_age, start[m] + 60)
    end = np.minimum(end, adult)
    end = np.maximum(end, start + 1)
    rec = np.empty(n, dtype=object)
    for p, (codes, probs) in EXITS.items():
        m = path == p
        rec[m] = choose(rng, codes, probs, int(m.sum()))
    rec = adjust_exits(rec, path, kids, start, dob, rng)
    out = periods.copy()
    out["end"], out["rec"] = end, rec
    return out


def adjust_exits(rec, path, kids, start, dob, rng) -> np.ndarray:
    """UASC leave by age assessment or move on; some disabled young adults move to adult care;
    some teenagers' 'other' periods are remands that end E14 or in custody (E9)."""
    rec = rec.copy()
    uasc = kids["uasc"].to_numpy()
    m = uasc & (path == OTHER)
    rec[m] = choose(rng, ("E15", "E8", "E16"), (0.45, 0.30, 0.25), int(m.sum()))
    m = kids["disabled"].to_numpy() & (path == LEAVE18) & (rng.random(len(rec)) < 0.3)
    rec[m] = "E7"
    age = dd.age_in_years(dob, start)
    m = (~uasc) & (path == OTHER) & (age >= 12) & (rng.random(len(rec)) < 0.4)
    rec[m] = choose(rng, ("E14", "E9"), (0.65, 0.35), int(m.sum()))
    return rec


def draw_readmissions(periods: pd.DataFrame, children: pd.DataFrame, settings: SynthSettings, rng) -> pd.DataFrame:
    """New periods of care for some children who went home before 16 (start > previous end)."""
    kids = children.set_index("child").loc[periods["child"]]
    dob = kids["dob"].to_numpy()
    end = periods["end"].to_numpy()
    went_home = periods["rec"].isin(["E4A", "E4B", "E13"]).to_numpy()
    young = dd.age_in_years(dob, end) < 16
    pick = went_home & young & (rng.random(len(periods)) < READMIT_PROB * 1.5)
    gap = np.clip(rng.lognormal(np.log(250), 0.8, pick.sum()), 14, 2500).astype(np.int64)
    new_start = end[pick] + gap
    ok = (new_start <= dd.day(settings.end)) & (new_start < dd.add_years(dob[pick], 17))
    out = pd.DataFrame({"child": periods["child"].to_numpy()[pick][ok], "start": new_start[ok],
                        "period_no": periods["period_no"].to_numpy()[pick][ok] + 1})
    return out


def simulate_periods(settings: SynthSettings, geo: Geography) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Children and every period of care they have (first periods and readmissions)."""
    rng = settings.rng("periods")
    children, first = simulate_children(settings, geo)
    batches, batch = [], first
    for _ in range(3):
        batch = draw_durations(assign_pathways(batch, children, rng), children, rng)
        batches.append(batch)
        batch = draw_readmissions(batch, children, settings, rng)
        if batch.empty:
            break
    sb_children, sb_periods = simulate_short_breaks(settings, len(children), geo, rng)
    children = pd.concat([children, sb_children], ignore_index=True)
    periods = pd.concat(batches + [sb_periods], ignore_index=True)
    periods["v4"] = periods["v4"].fillna(False).astype(bool) if "v4" in periods else False
    periods = periods.sort_values(["child", "start"], kind="stable").reset_index(drop=True)
    periods["pid"] = np.arange(len(periods))
    return children, periods


def simulate_short_breaks(settings: SynthSettings, first_id: int, geo: Geography, rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A few disabled children looked after only under agreed series of short breaks: V3
    (each stay recorded as a period of care) or V4 (each agreement recorded). DfE counts
    exclude both."""
    n = max(1, round(5 * settings.scale * settings.profile.size))
    w0 = dd.day(settings.window_start) - 365
    w1 = dd.day(settings.end)
    age0 = rng.integers(6 * 365, 15 * 365, size=n)
    dob = w0 - age0
    v4 = rng.random(n) < 0.25
    district = draw_districts(settings, n, rng, by_need=np.zeros(n, bool))
    kids = pd.DataFrame({
        "child": first_id + np.arange(n), "dob": dob, "male": rng.random(n) < 0.6,
        "ethnic": choose(rng, list(ETHNIC_MIX), list(ETHNIC_MIX.values()), n), "uasc": False,
        "disabled": True, "district": district, "home_pc": draw_home_postcodes(geo, district, rng),
    })
    rows = []
    for k in range(n):
        adult = int(dd.add_years(dob[k : k + 1], 18)[0])
        stop = min(w1, adult - 30)
        gap_lo, gap_hi, len_lo, len_hi = (2, 15, 150, 365) if v4[k] else (25, 60, 1, 4)
        t = w0 + int(rng.integers(0, 60))
        while t < stop:
            length = int(rng.integers(len_lo, len_hi + 1))
            rows.append((first_id + k, t, min(t + length, adult), bool(v4[k])))
            t += length + int(rng.integers(gap_lo, gap_hi + 1))
    per = pd.DataFrame(rows, columns=["child", "start", "end", "v4"])
    per["period_no"] = per.groupby("child").cumcount() + 1
    per["pathway"] = SHORT_BREAK
    per["rec"] = "E4A"
    return kids, per
