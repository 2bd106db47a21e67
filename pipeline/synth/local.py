"""The team's own files (schema.LOCAL_FILES), consistent with the simulated episodes.

permanence_tracker: stage events of SGO, placement with parents (PWP), connected persons (CP)
and adoption cases; each outcome stage falls on the day the child's period of care ends with a
matching REC, PWP and adoption PLACED on the day the P1 / A3-A6 placement starts.
staffing, unit_costs, fostering_capacity, population and postcodes complete the set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.periods import FinancialYear
from pipeline.schema import AGE_BANDS, COST_GROUPS, LOCAL_FILES, TRACKER_STAGES
from pipeline.synth import days as dd
from pipeline.synth.cohort import ADOPTION, CAO, HOME_AFTER, LEAVE18, PWP, SGO, choose
from pipeline.synth.geography import Geography
from pipeline.synth.settings import SynthSettings

ISO = "%Y-%m-%d"

# --- permanence tracker ---------------------------------------------------------------------


def spread(lo: np.ndarray, hi: np.ndarray, k: int, rng) -> np.ndarray:
    """k non-decreasing days strictly after lo and before hi, for each row (n x k)."""
    frac = np.sort(rng.uniform(0.05, 0.95, size=(len(lo), k)), axis=1)
    return lo[:, None] + (frac * (hi - lo)[:, None]).astype(np.int64)


def stage_rows(pid: np.ndarray, route: str, stages: list[str], dates: list[np.ndarray], carer=None) -> pd.DataFrame:
    """Long-form stage events of cases with the same stage list (dates NONE are skipped)."""
    n = len(pid)
    frames = []
    for order, (stage, d) in enumerate(zip(stages, dates, strict=True)):
        frames.append(pd.DataFrame({"pid": pid, "ROUTE": route, "STAGE": stage, "EVENT_DAY": d, "order": order,
                                    "CARER": carer if carer is not None else np.full(n, "", dtype=object)}))
    out = pd.concat(frames, ignore_index=True)
    return out[out["EVENT_DAY"] != dd.NONE]


def outcome_cases(periods: pd.DataFrame, plans: pd.DataFrame, rng) -> list[pd.DataFrame]:
    """Cases that reach (or are heading for) the route's outcome."""
    per = periods.set_index("pid").join(plans.set_index("pid"))
    out = []
    m = per["rec"].isin(["E45", "E46", "E47", "E48"]) & (per["pathway"] == SGO)
    p = per[m]
    end, start = p["end"].to_numpy(), p["start"].to_numpy()
    ref = np.maximum(start + 14, end - rng.integers(240, 421, len(p)))
    mid = spread(ref, end, 4, rng)
    carer = np.where(p["rec"].isin(["E45", "E46"]), "FORMER_FOSTER_CARER", "OTHER_CARER")
    out.append(stage_rows(p.index.to_numpy(), "SGO", list(TRACKER_STAGES["SGO"]),
                          [ref, *mid.T, end], carer))
    for mask, placed, finish, last_stage in (
        (per["pathway"] == PWP, "t_p1", "end", "REVOKED"),
        (per["pwp_fail"], "fail_a", "fail_b", "RETURNED"),
    ):
        p = per[mask]
        t_p = p[placed].to_numpy()
        ref = np.maximum(p["start"].to_numpy() + 14, t_p - rng.integers(120, 241, len(p)))
        mid = spread(ref, t_p, 2, rng)
        out.append(stage_rows(p.index.to_numpy(), "PWP", ["REFERRAL", "INITIAL_VIABILITY", "FULL_ASSESSMENT", "PLACED", last_stage],
                              [ref, *mid.T, t_p, p[finish].to_numpy()]))
    p = per[per["pathway"] == CAO]
    t_f = p["t_f"].to_numpy()
    ref = np.maximum(p["start"].to_numpy() + 7, t_f - rng.integers(90, 201, len(p)))
    mid = spread(ref, t_f, 3, rng)
    out.append(stage_rows(p.index.to_numpy(), "CP", list(TRACKER_STAGES["CP"]), [ref, *mid.T, t_f, p["end"].to_numpy()]))
    p = per[per["pathway"] == ADOPTION]
    out.append(stage_rows(p.index.to_numpy(), "ADOPTION", list(TRACKER_STAGES["ADOPTION"]),
                          [p[c].to_numpy() for c in ("t_bi", "t_po", "t_link", "t_match", "t_ap", "end")]))
    p = per[per["rev_bi"] != dd.NONE]
    out.append(stage_rows(p.index.to_numpy(), "ADOPTION", ["BI_DECISION", "REVERSAL"],
                          [p["rev_bi"].to_numpy(), p["rev_end"].to_numpy()]))
    return out


def closed_cases(periods: pd.DataFrame, children: pd.DataFrame, rng) -> list[pd.DataFrame]:
    """Referrals that do not reach an outcome: the funnel's drop-outs (CLOSED)."""
    kids = children.set_index("child").loc[periods["child"]]
    start, end = periods["start"].to_numpy(), periods["end"].to_numpy()
    dur = end - start
    age0 = dd.age_in_years(kids["dob"].to_numpy(), start)
    pool = periods["pathway"].isin([LEAVE18, HOME_AFTER]).to_numpy() & (dur > 400) & (age0 < 12)
    out = []
    for route, share, reached in (("SGO", 0.35, (0.35, 0.30, 0.25, 0.10)),
                                  ("PWP", 0.12, (0.5, 0.35, 0.15)),
                                  ("CP", 0.08, (0.4, 0.35, 0.25))):
        m = pool & (rng.random(len(start)) < share)
        pid, s, d = periods["pid"].to_numpy()[m], start[m], dur[m]
        ref = s + (d * rng.uniform(0.15, 0.5, len(s))).astype(np.int64)
        k = rng.choice(len(reached), size=len(s), p=reached)  # stages reached after the referral
        stages = list(TRACKER_STAGES[route])
        dates, cur = [ref], ref
        for j in range(1, len(reached)):
            cur = cur + rng.integers(14, 60, len(s))
            dates.append(np.where(k >= j, cur, dd.NONE))
        closed = np.maximum.reduce(dates) + rng.integers(10, 90, len(s))
        closed = np.minimum(closed, s + d - 1)
        carer = choose(rng, ("FORMER_FOSTER_CARER", "OTHER_CARER"), (0.5, 0.5), len(s)) if route == "SGO" else None
        out.append(stage_rows(pid, route, stages[: len(reached)] + ["CLOSED"], dates + [closed], carer))
    return out


def recording_lag(n: int, rng) -> np.ndarray:
    """Days between an event and its entry on the system: usually 0-7, sometimes weeks."""
    kind = rng.random(n)
    return np.where(kind < 0.7, 0, np.where(kind < 0.92, rng.integers(1, 8, n), rng.integers(14, 61, n)))


def make_tracker(periods, plans, children, staffing: pd.DataFrame, settings: SynthSettings) -> pd.DataFrame:
    """The permanence tracker as the team's system shows it at the end of the --until quarter."""
    rng = settings.rng("tracker")
    frames = outcome_cases(periods, plans, rng) + closed_cases(periods, children, rng)
    ev = pd.concat([f.assign(src=k) for k, f in enumerate(frames)], ignore_index=True)
    ev["case"] = ev.groupby(["src", "pid"], sort=True).ngroup()
    ev = ev.sort_values(["case", "EVENT_DAY", "order"], kind="stable").reset_index(drop=True)
    ev["RECORDED_DAY"] = ev["EVENT_DAY"] + recording_lag(len(ev), rng)
    limit = dd.day(settings.end)
    unseen = (ev["EVENT_DAY"] > limit) | (ev["RECORDED_DAY"] > limit)
    ev = ev[~unseen.groupby(ev["case"]).cummax()]
    last = ev.groupby("case")["EVENT_DAY"].transform("max")
    ev = ev[last >= dd.day(settings.window_start)].copy()
    ev = assign_workers(ev, staffing, rng)
    ids = children.set_index("child")["CHILD"]
    child_of = periods.set_index("pid")["child"]
    ev["CHILD"] = ids.loc[child_of.loc[ev["pid"]].to_numpy()].to_numpy()
    opened = ev.groupby("case")["EVENT_DAY"].min().reset_index().sort_values(["EVENT_DAY", "case"], kind="stable")
    case_no = pd.Series(np.arange(len(opened)), index=opened["case"].to_numpy())
    ev["CASE_ID"] = [f"{settings.profile.id_prefix}-C{c:06d}" for c in case_no.loc[ev["case"]].to_numpy()]
    ev = ev.sort_values(["EVENT_DAY", "CASE_ID", "order"], kind="stable")
    ev["EVENT_ID"] = [f"{settings.profile.id_prefix}-E{i:07d}" for i in range(len(ev))]
    ev["EVENT_DATE"] = dd.format_days(ev["EVENT_DAY"].to_numpy(), ISO)
    ev["RECORDED_DATE"] = dd.format_days(ev["RECORDED_DAY"].to_numpy(), ISO)
    return conform(ev, "permanence_tracker")


def assign_workers(ev: pd.DataFrame, staffing: pd.DataFrame, rng) -> pd.DataFrame:
    """Each case's worker: a social worker of the EXIT (or ADOPTION) team in post when the case
    opened; CASE responsibility or COWORK (co-working as assessor)."""
    ev = ev.copy()
    first = ev.groupby("case").agg(day=("EVENT_DAY", "min"), route=("ROUTE", "first"))
    team = np.where(first["route"] == "ADOPTION", "ADOPTION", "EXIT")
    worker = np.full(len(first), "", dtype=object)
    day = first["day"].to_numpy()
    spells = staffing[staffing["ROLE"].eq("Social Worker") & staffing["STATUS"].isin(["FILLED", "AGENCY"])]
    for t in ("EXIT", "ADOPTION"):
        sp = spells[spells["TEAM"] == t]
        lo = sp["from_day"].to_numpy()
        hi = np.where(sp["to_day"].to_numpy() == dd.NONE, 10**7, sp["to_day"].to_numpy())
        need = np.flatnonzero(team == t)
        if len(need) == 0 or len(sp) == 0:
            continue
        # a random social worker in post on the day the case opened; when every post was
        # vacant that day, the one whose spell is nearest in time (a case always has a worker)
        ids = sp["WORKER_ID"].to_numpy()
        for chunk in np.array_split(need, max(1, len(need) // 2000)):
            d = day[chunk][:, None]
            active = (lo[None, :] <= d) & (d <= hi[None, :])
            gap = np.where(active, 0, np.minimum(np.abs(lo[None, :] - d), np.abs(hi[None, :] - d)))
            score = gap + rng.random(gap.shape)  # ties broken at random, nearest first
            worker[chunk] = ids[np.argmin(score, axis=1)]
    coworks = rng.random(len(first)) < np.where(team == "ADOPTION", 0.15, 0.45)
    first["WORKER_ID"] = worker
    first["RESPONSIBILITY"] = np.where(coworks, "COWORK", "CASE")
    return ev.join(first[["WORKER_ID", "RESPONSIBILITY"]], on="case")


# --- staffing ------------------------------------------------------------------------------

POSTS = (  # team, role, FTE, posts per unit of scale
    ("MANAGEMENT", "Team Manager", 1.0, 1),
    ("MANAGEMENT", "Service Manager", 0.5, 1),
    ("EXIT", "Social Worker", 1.0, 3),
    ("EXIT", "Social Worker", 0.5, 2),
    ("EXIT", "Children's Practitioner", 0.5, 1),
    ("ADOPTION", "Social Worker", 1.0, 5),
    ("ADOPTION", "Birth Family Worker", 0.5, 1),
    ("SUPPORT", "Business Support Officer", 0.6, 1),
)


def post_spells(post_id: str, team: str, role: str, fte: float, first: int, last: int, counters: dict, rng) -> list[tuple]:
    """Non-overlapping spells of one post: filled, occasionally absent, vacant, agency cover."""
    spells, t = [], first
    while t <= last:
        counters["W"] += 1
        worker = f"W{counters['W']:04d}"
        stay = int(rng.integers(365, 5 * 365))
        if rng.random() < 0.15 and stay > 240:
            a = t + int(rng.integers(60, stay - 150))
            b = a + int(rng.integers(30, 120))
            spells += [(t, a - 1, "FILLED", worker), (a, b - 1, "ABSENT", worker), (b, t + stay - 1, "FILLED", worker)]
        else:
            spells.append((t, t + stay - 1, "FILLED", worker))
        t += stay
        gap = int(rng.integers(30, 240))
        if rng.random() < 0.5 and gap > 60:
            counters["A"] += 1
            wait = int(rng.integers(14, 45))
            spells += [(t, t + wait - 1, "VACANT", ""), (t + wait, t + gap - 1, "AGENCY", f"A{counters['A']:04d}")]
        else:
            spells.append((t, t + gap - 1, "VACANT", ""))
        t += gap
    rows = [(post_id, team, role, fte, st, a, b if b < last else dd.NONE, w) for a, b, st, w in spells if a <= last]
    return rows


def make_staffing(settings: SynthSettings) -> pd.DataFrame:
    """Posts of the permanence team, with their spells since a few years before the first return."""
    rng = settings.rng("staffing")
    first, last = dd.day(settings.window_start), dd.day(settings.end)
    counters = {"W": 0, "A": 0}
    rows, k = [], 0
    for team, role, fte, per_unit in POSTS:
        for _ in range(max(1, round(per_unit * settings.scale))):
            k += 1
            start = first - int(rng.integers(4 * 365, 6 * 365))
            rows += post_spells(f"P{k:03d}", team, role, fte, start, last, counters, rng)
    df = pd.DataFrame(rows, columns=["POST_ID", "TEAM", "ROLE", "FTE", "STATUS", "from_day", "to_day", "WORKER_ID"])
    df["FROM_DATE"] = dd.format_days(df["from_day"].to_numpy(), ISO)
    df["TO_DATE"] = dd.format_days(df["to_day"].to_numpy(), ISO)
    return df


# --- costs, capacity, population ---------------------------------------------------------------

BASE_COSTS = {  # annual cost per child in the first return's year, pounds
    "FOSTER_AGENCY": 44000, "RESIDENTIAL_IN_HOUSE": 172000, "RESIDENTIAL_AGENCY": 190000,
    "SECURE": 310000, "PLACED_FOR_ADOPTION": 27000, "PLACED_WITH_PARENTS": 9000,
    "INDEPENDENT_LIVING": 52000, "OTHER": 60000, "SGO_ALLOWANCE": 6500, "CAO_ALLOWANCE": 4500,
    "ADOPTION_ALLOWANCE": 5000,
}
IN_HOUSE_BY_AGE = dict(zip(AGE_BANDS, (19000, 19500, 20500, 22000, 23000), strict=True))


def return_years(settings: SynthSettings) -> list[FinancialYear]:
    """Financial years covered by any return, oldest first."""
    return sorted({lab.year for lab in settings.returns})


def make_unit_costs(settings: SynthSettings) -> pd.DataFrame:
    """Unit costs by group (in-house fostering by age band, others ALL), ~3% inflation a year."""
    rng = settings.rng("unit_costs")
    rows = []
    for i, fy in enumerate(return_years(settings)):
        inflation = 1.03**i * (1 + rng.uniform(-0.01, 0.01))
        for group in COST_GROUPS:
            if group == "FOSTER_IN_HOUSE":
                rows += [(fy.label, group, band, round(c * inflation)) for band, c in IN_HOUSE_BY_AGE.items()]
            else:
                rows.append((fy.label, group, "ALL", round(BASE_COSTS[group] * inflation * rng.uniform(0.98, 1.02))))
    return pd.DataFrame(rows, columns=[c.name for c in LOCAL_FILES["unit_costs"]])


def make_fostering_capacity(ep: pd.DataFrame, settings: SynthSettings) -> pd.DataFrame:
    """In-house fostering households and places at each 31 March; filled places match the
    children in in-house foster placements that day."""
    rng = settings.rng("fostering")
    rows = []
    util = 0.62 + rng.uniform(-0.03, 0.03)
    in_house = (ep["PLACE"].str.startswith("U") & ep["PLACE_PROVIDER"].eq("PR1") & ~ep["LS"].isin(["V3", "V4"])).to_numpy()
    decom, dec = ep["DECOM"].to_numpy()[in_house], ep["DEC"].to_numpy()[in_house]
    for lab in settings.annual_returns:
        e = dd.day(lab.end)
        filled = int(((decom <= e) & (dec > e)).sum())
        util = float(np.clip(util + rng.uniform(-0.02, 0.03), 0.5, 0.8))
        approved = int(round(filled / util))
        households = int(round(approved / rng.uniform(1.6, 1.9)))
        rows.append((lab.year.label, households, approved, filled,
                     int(round(households * rng.uniform(0.09, 0.13))), int(round(households * rng.uniform(0.09, 0.14)))))
    return pd.DataFrame(rows, columns=[c.name for c in LOCAL_FILES["fostering_capacity"]])


AGE_SHARES = (0.052, 0.215, 0.28, 0.335, 0.118)
UNDER_18 = 150_000


def make_population(settings: SynthSettings) -> pd.DataFrame:
    """ONS-like mid-year under-18 population by district and age band for each calendar year."""
    rng = settings.rng("population")
    prof = settings.profile
    total = UNDER_18 * settings.scale * prof.size
    years = range(settings.annual_returns[0].year.start_year, settings.end.year + 1)
    growth = rng.uniform(-0.004, 0.008, size=len(prof.district_names))
    rows = []
    for i, year in enumerate(years):
        for d, name in enumerate(prof.district_names):
            base = total * prof.district_weights[d] * (1 + growth[d]) ** i
            for band, share in zip(AGE_BANDS, AGE_SHARES, strict=True):
                rows.append((year, name, band, int(round(base * share * rng.uniform(0.97, 1.03)))))
    return pd.DataFrame(rows, columns=[c.name for c in LOCAL_FILES["population"]])


def make_postcodes(geo: Geography) -> pd.DataFrame:
    """Every postcode used, with coordinates, district (OUTSIDE beyond the LA) and IN_LA."""
    pcs = geo.postcodes.copy()
    pcs["EASTING"] = pcs["EASTING"].astype(np.int64)
    pcs["NORTHING"] = pcs["NORTHING"].astype(np.int64)
    return pcs[[c.name for c in LOCAL_FILES["postcodes"]]]


def conform(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """The schema's columns of a local file, in order."""
    cols = [c.name for c in LOCAL_FILES[name]]
    return df[cols].astype(object).fillna("").reset_index(drop=True)


def make_local_files(ep, periods, plans, children, geo, settings: SynthSettings) -> dict[str, pd.DataFrame]:
    """Every local file, keyed by name."""
    staffing = make_staffing(settings)
    return {
        "permanence_tracker": make_tracker(periods, plans, children, staffing, settings),
        "staffing": conform(staffing, "staffing"),
        "unit_costs": make_unit_costs(settings),
        "fostering_capacity": make_fostering_capacity(ep, settings),
        "population": make_population(settings),
        "postcodes": make_postcodes(geo),
    }
