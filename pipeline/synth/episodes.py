"""Episodes within each period of care: legal status changes and placement changes.

Each period gets a *plan* (key dates fixed by its pathway: placement order, placement for
adoption, placement with parents, the final carer of an SGO or CAO), a legal-status schedule and
a list of placements. The two are merged on (period, day) into episodes, so an episode starts
whenever the legal status or the placement changes, and RNE says which changed.
Everything is vectorised over periods: no Python loop per child.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.schema import PLACE_2026_FROM
from pipeline.synth import days as dd
from pipeline.synth.cohort import (
    ADOPTION,
    CAO,
    CIN_MIX,
    HOME_AFTER,
    LEAVE18,
    LEAVE1617,
    OTHER,
    PWP,
    SGO,
    SHORT_BREAK,
    SHORT_HOME,
    choose,
    choose_rows,
)
from pipeline.synth.geography import Geography
from pipeline.synth.settings import SynthSettings

# Placement groups used by the model (not the schema's cost groups).
IH, AG, RES_IH, RES_AG, SEC, INDEP, OTH = range(7)
# Probability of each group by age group at the placement's start: <5, 5-9, 10-15, 16-17.
GROUP_MIX = np.array([
    [0.68, 0.29, 0.00, 0.00, 0.00, 0.00, 0.03],
    [0.61, 0.32, 0.03, 0.03, 0.00, 0.00, 0.01],
    [0.43, 0.30, 0.08, 0.16, 0.01, 0.00, 0.02],
    [0.28, 0.16, 0.07, 0.12, 0.01, 0.35, 0.01],
])
UASC_GROUP_MIX = np.array([
    [0.45, 0.45, 0.00, 0.10, 0.00, 0.00, 0.00],
    [0.25, 0.25, 0.00, 0.05, 0.00, 0.45, 0.00],
])
REMAND_GROUP_MIX = np.array([0.10, 0.15, 0.05, 0.40, 0.20, 0.00, 0.10])
MOVE_RATE = np.array([0.20, 0.30, 0.55, 0.70])  # random placement moves a year, by age group
REASONS = {"CARPL": 0.45, "CREQB": 0.12, "CREQO": 0.10, "CHILD": 0.06, "LAREQ": 0.08, "STAND": 0.02,
           "ALLEG": 0.02, "CLOSE": 0.03, "APPRR": 0.01, "CUSTOD": 0.01, "OTHER": 0.08}
# Supported accommodation is coded K3 from the first collection year with the new codes.
K3_FROM = (PLACE_2026_FROM - 1, 4, 1)

# Zones a placement postcode is drawn from.
Z_SAME, Z_IN, Z_NEAR, Z_FAR, Z_OWN, Z_SECURE, Z_HOME, Z_PREV = range(8)


def age_group(dob: np.ndarray, on: np.ndarray) -> np.ndarray:
    """0: under 5, 1: 5-9, 2: 10-15, 3: 16-17."""
    age = dd.age_in_years(dob, on)
    return np.searchsorted(np.array([5, 10, 16]), age, side="right")


def between(rng, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A random day in [lo, hi] (integer arrays)."""
    return lo + np.floor(rng.random(len(lo)) * (np.maximum(hi - lo, 0) + 1)).astype(np.int64)


# --- plans ---------------------------------------------------------------------------------


def make_plans(periods: pd.DataFrame, children: pd.DataFrame, rng) -> pd.DataFrame:
    """Key dates of each period, fixed by its pathway (NONE where they do not apply)."""
    kids = children.set_index("child").loc[periods["child"]]
    start, end = periods["start"].to_numpy(), periods["end"].to_numpy()
    path, rec = periods["pathway"].to_numpy(), periods["rec"].to_numpy()
    dur = end - start
    n = len(periods)
    none = np.full(n, dd.NONE, dtype=np.int64)
    adopt = path == ADOPTION
    relinq = adopt & (rng.random(n) < 0.08)
    ffa = adopt & (rng.random(n) < 0.2)
    t_bi = np.where(adopt, start + (dur * rng.uniform(0.22, 0.32, n)).astype(np.int64), none)
    t_po = np.where(adopt & ~relinq, start + (dur * rng.uniform(0.40, 0.50, n)).astype(np.int64), none)
    t_ap = np.where(adopt, start + (dur * rng.uniform(0.66, 0.76, n)).astype(np.int64), none)
    t_match = np.where(adopt, t_ap - rng.integers(7, 36, n), none)
    t_link = np.where(adopt, np.maximum(t_match - rng.integers(20, 71, n), np.maximum(t_po, t_bi) + 1), none)
    t_link = np.minimum(t_link, t_match)
    t_ffa = np.where(ffa, between(rng, start + 3, t_bi), none)
    t_c2 = np.where(path == PWP, start + np.minimum(dur * 0.3, rng.uniform(120, 300, n)).astype(np.int64), none)
    t_p1 = np.where(path == PWP, np.maximum(t_c2 + 30, end - rng.integers(300, 801, n)), none)
    final_carer = ((path == SGO) & np.isin(rec, ["E45", "E46"])) | (path == CAO)
    t_f = np.where(final_carer, start + (dur * rng.uniform(0.35, 0.6, n)).astype(np.int64), none)
    age0 = dd.age_in_years(kids["dob"].to_numpy(), start)
    pwp_fail = np.isin(path, [LEAVE18, HOME_AFTER]) & (dur > 900) & (age0 < 14) & (rng.random(n) < 0.08)
    # an adoption plan made and later reversed (best-interest decision, then a change of plan)
    reversed_ = np.isin(path, [SGO, HOME_AFTER, LEAVE18]) & (age0 < 4) & (dur > 400) & (rng.random(n) < 0.15)
    rev_bi = np.where(reversed_, start + (dur * rng.uniform(0.15, 0.3, n)).astype(np.int64), none)
    rev_end = np.where(reversed_, np.minimum(rev_bi + rng.integers(60, 241, n), end - 30), none)
    fail_a = np.where(pwp_fail, start + (dur * rng.uniform(0.3, 0.45, n)).astype(np.int64), none)
    fail_b = np.where(pwp_fail, np.minimum(fail_a + rng.integers(60, 241, n), end - 60), none)
    dob = kids["dob"].to_numpy()
    at17 = dd.add_years(dob, 17) + rng.integers(0, 200, n)
    step_down = np.isin(path, [LEAVE18, LEAVE1617]) & (start < at17 - 30) & (end > at17 + 14) & (rng.random(n) < 0.35)
    t_indep = np.where(step_down & ~kids["uasc"].to_numpy(), at17, none)
    return pd.DataFrame({
        "pid": periods["pid"].to_numpy(), "relinq": relinq, "t_indep": t_indep, "ffa": ffa, "t_bi": t_bi, "t_po": t_po,
        "t_ap": t_ap, "t_link": t_link, "t_match": t_match, "t_ffa": t_ffa, "t_c2": t_c2, "t_p1": t_p1, "t_f": t_f,
        "pwp_fail": pwp_fail, "fail_a": fail_a, "fail_b": fail_b, "rev_bi": rev_bi, "rev_end": rev_end,
    })


# --- legal status --------------------------------------------------------------------------


def legal_status_events(periods: pd.DataFrame, children: pd.DataFrame, plans: pd.DataFrame, rng) -> pd.DataFrame:
    """(pid, day, LS) rows: the status at the start and each later change of legal status."""
    kids = children.set_index("child").loc[periods["child"]]
    start, end = periods["start"].to_numpy(), periods["end"].to_numpy()
    path, rec = periods["pathway"].to_numpy(), periods["rec"].to_numpy()
    n = len(periods)
    r = rng.random(n)
    care_order_at = start + rng.integers(150, 331, n)
    ls0 = np.full(n, "C1", dtype=object)
    t1, ls1 = np.full(n, dd.NONE), np.full(n, None, dtype=object)
    t2, ls2 = np.full(n, dd.NONE), np.full(n, None, dtype=object)

    def later(mask, t, code, slot=1):
        tt, ll = (t1, ls1) if slot == 1 else (t2, ls2)
        tt[mask], ll[mask] = t[mask], code

    age0 = dd.age_in_years(kids["dob"].to_numpy(), start)
    uasc = kids["uasc"].to_numpy()
    m = path == SHORT_HOME
    ls0[m & (r < 0.85)] = "V2"
    pp = m & (r >= 0.85) & (r < 0.90)
    ls0[pp] = "L1"
    later(pp, start + rng.integers(1, 4, n), "V2")
    epo = m & (r >= 0.90) & (r < 0.95)
    ls0[epo] = "L2"
    later(epo, start + rng.integers(5, 9, n), "C1")
    m = path == HOME_AFTER
    vol = m & (r < 0.3)
    ls0[vol] = "V2"
    later(vol, start + rng.integers(30, 121, n), "C1")
    later(vol, t1 + rng.integers(150, 301, n), "C2", slot=2)
    later(m & ~vol, care_order_at, "C2")
    m = path == PWP
    later(m, plans["t_c2"].to_numpy(), "C2")
    m = path == ADOPTION
    relinq = plans["relinq"].to_numpy()
    ls0[m & relinq] = "V2"
    later(m & ~relinq, plans["t_po"].to_numpy(), "E1")
    m = np.isin(path, [SGO, CAO]) & (r < 0.5)
    later(m, care_order_at, "C2")
    m = np.isin(path, [LEAVE18, LEAVE1617])
    ls0[m & ((age0 >= 13) & (r < 0.55) | uasc)] = "V2"
    later(m & (ls0 == "C1"), care_order_at, "C2")
    m = path == OTHER
    ls0[m & np.isin(rec, ["E14", "E9"])] = "J1"
    ls0[m & ~np.isin(rec, ["E14", "E9"]) & ((r < 0.7) | uasc)] = "V2"
    m = path == SHORT_BREAK
    ls0[m] = np.where(periods["v4"].to_numpy()[m], "V4", "V3")
    fail = plans["pwp_fail"].to_numpy()  # a care order is in force before a trial at home
    ls0[fail], t2[fail], ls2[fail] = "C1", dd.NONE, None
    later(fail, start + (plans["fail_a"].to_numpy() - start) // 2, "C2")
    pid = periods["pid"].to_numpy()
    ev = pd.DataFrame({"pid": np.concatenate([pid, pid, pid]),
                       "day": np.concatenate([start, t1, t2]),
                       "LS": np.concatenate([ls0, ls1, ls2])})
    ends = np.tile(end, 3)
    keep = (ev["day"].to_numpy() != dd.NONE) & ((ev["day"].to_numpy() < ends) | (np.arange(3 * n) < n))
    ev = ev[keep]
    return ev.drop_duplicates(["pid", "day"], keep="first")


# --- placements ----------------------------------------------------------------------------


def free_until(periods: pd.DataFrame, plans: pd.DataFrame) -> np.ndarray:
    """Last day on which a random placement move may happen (before any planned placement)."""
    end = periods["end"].to_numpy()
    path = periods["pathway"].to_numpy()
    free = end.copy()
    for col in ("t_ap", "t_p1", "t_f"):
        t = plans[col].to_numpy()
        free = np.where(t != dd.NONE, np.minimum(free, t), free)
    t = plans["t_ffa"].to_numpy()
    free = np.where(t != dd.NONE, np.minimum(free, t), free)
    free = np.where(np.isin(periods["rec"].to_numpy(), ["E47", "E48"]), end - 60, free)
    free = np.where(path == SHORT_BREAK, periods["start"].to_numpy(), free)
    return free


def random_moves(periods: pd.DataFrame, children: pd.DataFrame, plans: pd.DataFrame, rng) -> pd.DataFrame:
    """(pid, day) of unplanned placement moves: an early move after an emergency placement and
    moves at an age-dependent rate."""
    kids = children.set_index("child").loc[periods["child"]]
    start = periods["start"].to_numpy()
    free = free_until(periods, plans)
    span = np.maximum(free - start - 1, 0)
    grp = age_group(kids["dob"].to_numpy(), start)
    n_moves = rng.poisson(MOVE_RATE[grp] * span / 365.25)
    early = (span > 45) & (rng.random(len(start)) < 0.3)
    pid = periods["pid"].to_numpy()
    idx = np.repeat(np.arange(len(start)), n_moves)
    day = start[idx] + 1 + np.floor(rng.random(len(idx)) * span[idx]).astype(np.int64)
    e_idx = np.flatnonzero(early)
    e_day = start[e_idx] + rng.integers(7, 46, len(e_idx))
    idx, day = np.concatenate([idx, e_idx]), np.concatenate([day, e_day])
    ok = (day > start[idx]) & (day < free[idx])
    fa, fb = plans["fail_a"].to_numpy()[idx], plans["fail_b"].to_numpy()[idx]
    ok &= ~((fa != dd.NONE) & (day >= fa - 14) & (day <= fb + 30))
    return pd.DataFrame({"pid": pid[idx[ok]], "day": day[ok]})


def planned_placements(periods: pd.DataFrame, plans: pd.DataFrame, rng) -> pd.DataFrame:
    """Placements fixed by the plan: adoption (after fostering-for-adoption), with parents,
    the final carer of an SGO or CAO, and a trial at home that broke down."""
    pid = periods["pid"].to_numpy()
    rec = periods["rec"].to_numpy()
    rows = []

    def add(t, place, zone, reason="CARPL", same=False):
        m = t != dd.NONE
        rows.append(pd.DataFrame({"pid": pid[m], "day": t[m], "PLACE": place[m] if isinstance(place, np.ndarray) else place,
                                  "zone": zone, "REASON_PLACE_CHANGE": reason, "same_carer": same}))

    relinq, ffa = plans["relinq"].to_numpy(), plans["ffa"].to_numpy()
    add(plans["t_ffa"].to_numpy(), "U5", Z_SAME)
    adopt_code = np.where(relinq, np.where(ffa, "A3", "A4"), np.where(ffa, "A5", "A6"))
    t_ap = plans["t_ap"].to_numpy()
    add(np.where(ffa, t_ap, dd.NONE), adopt_code, Z_PREV, "PLACE", True)
    add(np.where(~ffa, t_ap, dd.NONE), adopt_code, Z_IN)
    add(plans["t_p1"].to_numpy(), "P1", Z_HOME)
    t_f = plans["t_f"].to_numpy()
    final = np.where(rec == "E46", "U4", np.where(rng.random(len(rec)) < 0.3, "U1", "U3"))
    add(t_f, final, Z_SAME)
    add(plans["t_indep"].to_numpy(), "INDEP", Z_SAME)
    add(plans["fail_a"].to_numpy(), "P1", Z_HOME)
    add(plans["fail_b"].to_numpy(), "U6", Z_SAME, "CARPL")
    out = pd.concat(rows, ignore_index=True)
    out["PLACE"] = out["PLACE"].astype(object)
    indep = (out["PLACE"] == "INDEP").to_numpy()
    k3 = out["day"].to_numpy() >= dd.day(pd.Timestamp(*K3_FROM).date())
    out.loc[indep, "PLACE"] = np.where(k3[indep], "K3", choose(rng, ("H5", "P2"), (0.6, 0.4), int(indep.sum())))
    out.loc[indep, "REASON_PLACE_CHANGE"] = "CARPL"
    return out


def draw_groups(rows: pd.DataFrame, rng, agency_factor: float) -> np.ndarray:
    """Placement group of each unplanned placement, by age, UASC, disability and remand."""
    grp = age_group(rows["dob"].to_numpy(), rows["day"].to_numpy())
    probs = GROUP_MIX[grp].copy()
    probs[:, AG] *= agency_factor
    uasc = rows["uasc"].to_numpy()
    probs[uasc] = UASC_GROUP_MIX[np.clip(grp[uasc] - 2, 0, 1)]
    dis = rows["disabled"].to_numpy()
    probs[np.ix_(dis, [RES_IH, RES_AG])] *= 2.5
    probs[np.ix_(dis, [OTH])] *= 3
    remand = rows["remand"].to_numpy()
    probs[remand] = REMAND_GROUP_MIX
    return choose_rows(rng, probs)


def codes_for_groups(rows: pd.DataFrame, group: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PLACE, PLACE_PROVIDER and postcode zone of each unplanned placement."""
    n = len(group)
    place = np.empty(n, dtype=object)
    prov = np.empty(n, dtype=object)
    zone = np.empty(n, dtype=np.int64)
    age = age_group(rows["dob"].to_numpy(), rows["day"].to_numpy())
    k3 = rows["day"].to_numpy() >= dd.day(pd.Timestamp(*K3_FROM).date())
    for g in range(7):
        m = group == g
        k = int(m.sum())
        if g == IH:
            place[m] = choose(rng, ("U1", "U3", "U4", "U6"), (0.07, 0.15, 0.38, 0.40), k)
            prov[m], zone[m] = "PR1", np.where(rng.random(k) < 0.75, Z_SAME, Z_IN)
        elif g == AG:
            place[m] = choose(rng, ("U4", "U6"), (0.45, 0.55), k)
            prov[m] = choose(rng, ("PR4", "PR5"), (0.7, 0.3), k)
            zone[m] = choose(rng, (Z_IN, Z_NEAR, Z_FAR), (0.55, 0.41, 0.04), k)
        elif g == RES_IH:
            place[m], prov[m], zone[m] = "K2", "PR1", Z_OWN
        elif g == RES_AG:
            place[m] = choose(rng, ("K2", "R1"), (0.9, 0.1), k)
            prov[m] = choose(rng, ("PR4", "PR5", "PR2"), (0.82, 0.13, 0.05), k)
            zone[m] = choose(rng, (Z_IN, Z_NEAR, Z_FAR), (0.30, 0.40, 0.30), k)
        elif g == SEC:
            place[m], zone[m] = "K1", Z_SECURE
            prov[m] = choose(rng, ("PR2", "PR3"), (0.7, 0.3), k)
        elif g == INDEP:
            place[m] = np.where(k3[m], "K3", choose(rng, ("H5", "P2"), (0.6, 0.4), k))
            prov[m] = choose(rng, ("PR4", "PR1"), (0.8, 0.2), k)
            zone[m] = choose(rng, (Z_SAME, Z_IN, Z_NEAR), (0.5, 0.35, 0.15), k)
        else:
            a = age[m]
            place[m] = np.where(a == 0, "R3", choose(rng, ("S1", "R2", "R5"), (0.7, 0.15, 0.15), k))
            place[m] = np.where((place[m] == "R5") & (a < 3), "S1", place[m])
            prov[m] = np.where(place[m] == "S1", choose(rng, ("PR4", "PR5"), (0.6, 0.4), k), "PR3")
            zone[m] = choose(rng, (Z_IN, Z_NEAR, Z_FAR), (0.2, 0.4, 0.4), k)
    return place, prov, zone


def moves_with_status_changes(ls_ev: pd.DataFrame, periods: pd.DataFrame, plans: pd.DataFrame, rng) -> pd.DataFrame:
    """Some placement moves happen on the day the legal status changes (RNE B or U)."""
    free = pd.Series(free_until(periods, plans), index=periods["pid"].to_numpy())
    start = pd.Series(periods["start"].to_numpy(), index=periods["pid"].to_numpy())
    ev = ls_ev[ls_ev["day"].to_numpy() > start.loc[ls_ev["pid"]].to_numpy()]
    pick = (rng.random(len(ev)) < 0.12) & (ev["day"].to_numpy() < free.loc[ev["pid"]].to_numpy())
    return ev.loc[pick, ["pid", "day"]]


def placement_events(periods, children, plans, ls_ev, settings: SynthSettings, rng) -> pd.DataFrame:
    """(pid, day, PLACE, PLACE_PROVIDER, zone, reason, same_carer) for every placement."""
    pid = periods["pid"].to_numpy()
    first = pd.DataFrame({"pid": pid, "day": periods["start"].to_numpy()})
    moves = random_moves(periods, children, plans, rng)
    unplanned = pd.concat([first, moves, moves_with_status_changes(ls_ev, periods, plans, rng)], ignore_index=True)
    unplanned = unplanned.drop_duplicates(["pid", "day"])
    unplanned["REASON_PLACE_CHANGE"] = choose(rng, list(REASONS), list(REASONS.values()), len(unplanned))
    unplanned["same_carer"] = False
    info = periods.set_index("pid")[["child", "pathway", "rec"]].join(children.set_index("child"), on="child")
    info["remand"] = info["rec"].isin(["E14", "E9"]) & (info["pathway"] == OTHER)
    rows = unplanned.join(info[["dob", "uasc", "disabled", "remand", "pathway"]], on="pid")
    group = draw_groups(rows, rng, settings.profile.agency_factor)
    place, prov, zone = codes_for_groups(rows, group, rng)
    sb = rows["pathway"].to_numpy() == SHORT_BREAK
    place[sb] = np.where(rng.random(sb.sum()) < 0.6, "K2", "U6")
    prov[sb] = "PR1"
    zone[sb] = np.where(place[sb] == "K2", Z_OWN, Z_SAME)
    unplanned["PLACE"], unplanned["PLACE_PROVIDER"], unplanned["zone"] = place, prov, zone
    planned = planned_placements(periods, plans, rng)
    planned["PLACE_PROVIDER"] = np.select(
        [planned["PLACE"] == "P1", planned["PLACE"].str.startswith("A"), planned["PLACE"].isin(["H5", "P2", "K3"])],
        ["PR0", np.where(rng.random(len(planned)) < 0.35, "PR2", "PR1"), "PR4"], "PR1")
    ev = pd.concat([planned, unplanned], ignore_index=True)  # planned rows win a same-day clash
    ev = ev.drop_duplicates(["pid", "day"], keep="first").sort_values(["pid", "day"], kind="stable")
    return mark_same_carer(ev.reset_index(drop=True), rng)


def mark_same_carer(ev: pd.DataFrame, rng) -> pd.DataFrame:
    """Some short-term in-house fostering (U6) becomes long-term with the same carer (U4, RNE T)."""
    ev = ev.copy()
    prev_place = ev["PLACE"].shift(1)
    same_pid = ev["pid"].eq(ev["pid"].shift(1))
    m = (same_pid & prev_place.eq("U6") & ev["PLACE_PROVIDER"].shift(1).eq("PR1")
         & ~ev["same_carer"] & ev["zone"].ne(Z_PREV) & (rng.random(len(ev)) < 0.2)).to_numpy().copy()
    m &= ~np.isin(ev["PLACE"].to_numpy(), ["P1", "A3", "A4", "A5", "A6", "U5", "U1", "U3"])
    ev.loc[m, "PLACE"] = "U4"
    ev.loc[m, "PLACE_PROVIDER"] = "PR1"
    ev.loc[m, "zone"] = Z_PREV
    ev.loc[m, "same_carer"] = True
    ev.loc[m, "REASON_PLACE_CHANGE"] = "PLACE"
    return ev


def draw_postcodes(ev: pd.DataFrame, periods: pd.DataFrame, children: pd.DataFrame, geo: Geography, rng) -> np.ndarray:
    """Placement postcode (row index into geo.postcodes) of each placement event."""
    info = periods.set_index("pid")[["child"]].join(children.set_index("child")[["district", "home_pc"]], on="child")
    rows = info.loc[ev["pid"]]
    district, home = rows["district"].to_numpy(), rows["home_pc"].to_numpy()
    zone = ev["zone"].to_numpy()
    pc = np.full(len(ev), -1, dtype=np.int64)
    in_la = np.concatenate(geo.district_pools)

    def pick(mask, pool):
        pc[mask] = pool[rng.integers(0, len(pool), size=int(mask.sum()))]

    for i, pool in enumerate(geo.district_pools):
        pick((zone == Z_SAME) & (district == i), pool)
    pick(zone == Z_IN, in_la)
    pick(zone == Z_NEAR, geo.near_pool)
    pick(zone == Z_FAR, geo.far_pool)
    pick(zone == Z_OWN, geo.own_homes)
    pick(zone == Z_SECURE, geo.secure_units)
    home_m = zone == Z_HOME
    pc[home_m] = np.where(rng.random(home_m.sum()) < 0.8, home[home_m], in_la[rng.integers(0, len(in_la), home_m.sum())])
    prev = zone == Z_PREV  # same carer as the previous placement: same postcode
    idx = np.flatnonzero(prev)
    pc[idx] = pc[idx - 1]
    return pc


# --- episodes ------------------------------------------------------------------------------


def merge_into_episodes(ls_ev: pd.DataFrame, pl_ev: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Episodes from legal status and placement events: one per day either changes."""
    ls_ev = ls_ev.assign(ls_changed=True)
    pl_ev = pl_ev.assign(pl_changed=True)
    ep = ls_ev.merge(pl_ev, on=["pid", "day"], how="outer").sort_values(["pid", "day"], kind="stable")
    ep = ep.reset_index(drop=True)
    ep["ls_changed"] = ep["ls_changed"].fillna(False).astype(bool)
    ep["pl_changed"] = ep["pl_changed"].fillna(False).astype(bool)
    ep["same_carer"] = ep["same_carer"].fillna(False).astype(bool)
    for col in ("LS", "PLACE", "PLACE_PROVIDER", "pc"):
        ep[col] = ep[col].ffill()  # every period's first row has both a status and a placement
    first = ~ep["pid"].eq(ep["pid"].shift(1))
    last = ~ep["pid"].eq(ep["pid"].shift(-1))
    per = periods.set_index("pid")
    ep["DECOM"] = ep["day"].astype(np.int64)
    nxt = ep["day"].shift(-1)
    ep["DEC"] = np.where(last, per.loc[ep["pid"], "end"].to_numpy(), nxt.fillna(-1)).astype(np.int64)
    ep["REC"] = np.where(last, per.loc[ep["pid"], "rec"].to_numpy(), "X1")
    ep["RNE"] = np.select(
        [first, ep["ls_changed"] & ep["pl_changed"] & ep["same_carer"], ep["ls_changed"] & ep["pl_changed"],
         ep["ls_changed"], ep["same_carer"]],
        ["S", "U", "B", "L", "T"], "P")
    # the reason for a move is recorded on the episode the child moves from (DfE 225), and not
    # on a temporary placement or the episode before one (DfE 226)
    reason = pd.Series(np.where(~first & ep["pl_changed"], ep["REASON_PLACE_CHANGE"].fillna("OTHER"), None),
                       index=ep.index, dtype=object)
    temporary = ep["PLACE"].isin(["T0", "T1", "T2", "T3", "T4"])
    ep["REASON_PLACE_CHANGE"] = reason.shift(-1).where(~last & ~temporary & ~temporary.shift(-1, fill_value=False))
    return ep.drop(columns=["day", "ls_changed", "pl_changed", "zone"])


def fix_exits(ep: pd.DataFrame) -> pd.DataFrame:
    """Staying put (E17) needs a foster placement: otherwise the young person moved on (E5)."""
    ep = ep.copy()
    bad = ep["REC"].eq("E17") & ~ep["PLACE"].str.startswith("U")
    ep.loc[bad, "REC"] = "E5"
    return ep


def period_cin(periods: pd.DataFrame, children: pd.DataFrame, rng) -> pd.Series:
    """Category of need of each period: N2 for disabled children, mostly N8 for UASC."""
    kids = children.set_index("child").loc[periods["child"]]
    cin = choose(rng, list(CIN_MIX), list(CIN_MIX.values()), len(periods))
    cin[kids["uasc"].to_numpy()] = "N8"
    cin[kids["disabled"].to_numpy()] = "N2"
    return pd.Series(cin, index=periods["pid"].to_numpy())


def simulate_episodes(periods: pd.DataFrame, children: pd.DataFrame, geo: Geography,
                      settings: SynthSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Episodes (internal form: day numbers, postcode indices) and the plans they follow."""
    rng = settings.rng("episodes")
    plans = make_plans(periods, children, rng)
    ls_ev = legal_status_events(periods, children, plans, rng)
    pl_ev = placement_events(periods, children, plans, ls_ev, settings, rng)
    pl_ev["pc"] = draw_postcodes(pl_ev, periods, children, geo, rng)
    ep = fix_exits(merge_into_episodes(ls_ev, pl_ev, periods))
    ep["CIN"] = period_cin(periods, children, rng).loc[ep["pid"]].to_numpy()
    info = periods.set_index("pid")[["child"]].join(children.set_index("child")[["home_pc"]], on="child")
    ep["child"] = info.loc[ep["pid"], "child"].to_numpy()
    ep["home_pc"] = info.loc[ep["pid"], "home_pc"].to_numpy()
    ep["pc"] = ep["pc"].astype(np.int64)
    return ep.reset_index(drop=True), plans
