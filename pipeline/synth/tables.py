"""The SSDA903 tables of one return, in the DfE layout (schema.SSDA903_TABLES, dd/mm/yyyy dates).

`child_facts` and `period_facts` hold what does not change between returns (ids, UPNs,
reviews, missing episodes, care leavers); `build_return_tables` picks each return's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.schema import SSDA903_TABLES, ReturnLabel, valid_codes
from pipeline.synth import days as dd
from pipeline.synth.cohort import SHORT_BREAK, choose
from pipeline.synth.identity import make_child_ids, make_upns

DMY = "%d/%m/%Y"
OWN_URN_CODES = ("K1", "K2", "R1", "K3")  # placements registered with Ofsted (others: XXXXXXX)


@dataclass(frozen=True)
class Facts:
    """Per-child and per-period facts shared by every return."""

    children: pd.DataFrame  # child, CHILD, dob, male, ethnic, uasc, UPN, mc_dob
    periods: pd.DataFrame  # every period of care, including those that ended before the returns
    plans: pd.DataFrame  # key dates of the periods open on or after the first return's start
    reviews: pd.DataFrame  # child, day, code
    missing: pd.DataFrame  # child, start, end, kind
    postcodes: np.ndarray  # postcode strings by index


def child_facts(children: pd.DataFrame, prefix: str, la_code: str, rng, id_style: str = "alphanumeric") -> pd.DataFrame:
    """Identifiers (in the id style), UPNs and (for a few young women) the date of birth of
    their own child."""
    out = children.copy()
    out["CHILD"] = pd.Series(make_child_ids(len(out), prefix, id_style), index=out.index, dtype=object)
    years = dd.components(out["dob"].to_numpy())[0]
    out["UPN"] = pd.Series(make_upns(years, la_code, rng), index=out.index, dtype=object)
    out["ethnic"] = out["ethnic"].astype(object)
    mother = (~out["male"].to_numpy()) & (rng.random(len(out)) < 0.03)
    mc = dd.add_years(out["dob"].to_numpy(), 15) + rng.integers(180, 1000, len(out))
    out["mc_dob"] = np.where(mother, mc, dd.NONE)
    return out


def draw_reviews(periods: pd.DataFrame, rng) -> pd.DataFrame:
    """Reviews at 20 days, 3 months later, then every 6 months while the period lasts."""
    per = periods[periods["pathway"] != SHORT_BREAK]
    start, dur = per["start"].to_numpy(), (per["end"] - per["start"]).to_numpy()
    n = np.where(dur > 20, 1 + np.where(dur > 111, 1 + (dur - 111) // 182, 0), 0)
    idx = np.repeat(np.arange(len(per)), n)
    k = np.arange(len(idx)) - np.repeat(np.cumsum(n) - n, n)
    offset = np.where(k == 0, 20, 111 + 182 * (k - 1)) + rng.integers(-5, 6, len(idx))
    return pd.DataFrame({"child": per["child"].to_numpy()[idx], "day": start[idx] + np.maximum(offset, 1)})


def draw_missing(periods: pd.DataFrame, children: pd.DataFrame, rng) -> pd.DataFrame:
    """Missing (M) or away (A) episodes of young people aged 11+; a few go missing often."""
    kids = children.set_index("child").loc[periods["child"]]
    start, end = periods["start"].to_numpy(), periods["end"].to_numpy()
    age = dd.age_in_years(kids["dob"].to_numpy(), start)
    often = rng.random(len(start)) < 0.08
    rate = np.where(age >= 11, np.where(often, 4.0, 0.25), 0.0)
    rate[periods["pathway"].to_numpy() == SHORT_BREAK] = 0.0
    n = np.minimum(rng.poisson(rate * (end - start) / 365.25), 30)
    idx = np.repeat(np.arange(len(start)), n)
    s = start[idx] + np.floor(rng.random(len(idx)) * (end - start)[idx]).astype(np.int64)
    length = np.minimum(rng.geometric(0.5, len(idx)) - 1, 20)
    return pd.DataFrame({"child": periods["child"].to_numpy()[idx], "start": s, "end": s + length,
                         "kind": np.where(rng.random(len(idx)) < 0.85, "M", "A")}).drop_duplicates(["child", "start"])


def sex_codes(male: np.ndarray, collection_year: int) -> np.ndarray:
    """1/2 before 2024-25 returns, M/F from then."""
    if "M" in valid_codes("SEX", collection_year):
        return np.where(male, "M", "F").astype(object)
    return np.where(male, "1", "2").astype(object)


def fmt(days: np.ndarray) -> np.ndarray:
    return dd.format_days(np.asarray(days, dtype=np.int64), DMY)


def header_table(ret: pd.DataFrame, facts: Facts, label: ReturnLabel, also: np.ndarray | None = None) -> pd.DataFrame:
    """One row per child with an episode in the return, and per child in `also` (the
    internal ids of care leavers in OC3, who must have a header record too)."""
    ids = ret["child"].to_numpy() if also is None else np.concatenate([ret["child"].to_numpy(), also])
    kids = facts.children.set_index("child").loc[np.unique(ids)]
    end = dd.day(label.end)
    dob = kids["dob"].to_numpy()
    age = dd.age_in_years(dob, np.full(len(kids), end))
    upn = np.where(age < 5, "UN1", kids["UPN"].to_numpy())
    upn = np.where(kids["uasc"].to_numpy() & (age >= 5), "UN2", upn)
    female12 = (~kids["male"].to_numpy()) & (age >= 12)
    mc = kids["mc_dob"].to_numpy()
    is_mother = female12 & (mc != dd.NONE) & (mc <= end)
    mother = np.where(~kids["male"].to_numpy(), np.where(is_mother, "1", "0"), "")  # every girl (DfE 393, 607)
    return pd.DataFrame(dtype=object, data={
        "CHILD": kids["CHILD"].to_numpy(), "SEX": sex_codes(kids["male"].to_numpy(), label.collection_year),
        "DOB": fmt(dob), "ETHNIC": kids["ethnic"].to_numpy(), "UPN": upn, "MOTHER": mother,
        "MC_DOB": fmt(np.where(is_mother, mc, dd.NONE)),
    })


def urn_of(place: np.ndarray, pc: np.ndarray) -> np.ndarray:
    """Ofsted URN of registered placements (one per postcode), XXXXXXX for the others."""
    number = (pc.astype(np.int64) * 7919 + 104729) % 900000 + 100000
    urn = np.char.add("SC", number.astype(str)).astype(object)
    return np.where(np.isin(place, OWN_URN_CODES), urn, "XXXXXXX")


def episodes_table(ret: pd.DataFrame, facts: Facts) -> pd.DataFrame:
    """The episodes of a return in DfE layout."""
    ret = ret.sort_values(["child", "DECOM"], kind="stable")
    ids = facts.children["CHILD"].to_numpy()
    pcs = facts.postcodes
    place = ret["PLACE"].to_numpy()
    return pd.DataFrame(dtype=object, data={
        "CHILD": ids[ret["child"].to_numpy()], "DECOM": fmt(ret["DECOM"]), "RNE": ret["RNE"].to_numpy(),
        "LS": ret["LS"].to_numpy(), "CIN": ret["CIN"].to_numpy(), "PLACE": place,
        "PLACE_PROVIDER": ret["PLACE_PROVIDER"].to_numpy(), "DEC": fmt(ret["DEC"]),
        "REC": ret["REC"].fillna("").to_numpy(), "REASON_PLACE_CHANGE": ret["REASON_PLACE_CHANGE"].fillna("").to_numpy(),
        "HOME_POST": pcs[ret["home_pc"].to_numpy()], "PL_POST": pcs[ret["pc"].to_numpy()],
        "URN": urn_of(place, ret["pc"].to_numpy()),
    })


def uasc_table(kids: pd.DataFrame, label: ReturnLabel) -> pd.DataFrame:
    """Children in the return who were unaccompanied asylum seekers; DUC is the 18th birthday."""
    k = kids[kids["uasc"]]
    return pd.DataFrame(dtype=object, data={"CHILD": k["CHILD"].to_numpy(), "SEX": sex_codes(k["male"].to_numpy(), label.collection_year),
                         "DOB": fmt(k["dob"]), "DUC": fmt(dd.add_years(k["dob"].to_numpy(), 18))})


def reviews_table(kids: pd.DataFrame, facts: Facts, s: int, e: int, rng) -> pd.DataFrame:
    """Reviews held in the return's span; participation PN0 for under-4s."""
    r = facts.reviews
    r = r[(r["day"] >= s) & (r["day"] <= e) & r["child"].isin(kids.index)]
    dob = kids.loc[r["child"], "dob"].to_numpy()
    code = choose(rng, [f"PN{i}" for i in range(1, 8)], (0.40, 0.15, 0.15, 0.10, 0.10, 0.05, 0.05), len(r))
    code = np.where(dd.age_in_years(dob, r["day"].to_numpy()) < 4, "PN0", code)
    out = pd.DataFrame(dtype=object, data={"CHILD": kids.loc[r["child"], "CHILD"].to_numpy(), "DOB": fmt(dob), "REVIEW": fmt(r["day"]),
                        "REVIEW_CODE": code, "_day": r["day"].to_numpy()})
    return out.sort_values(["CHILD", "_day"], kind="stable").drop(columns="_day")


def missing_table(kids: pd.DataFrame, facts: Facts, s: int, e: int) -> pd.DataFrame:
    """Missing and away episodes starting in the span; the end is blank if after the span."""
    m = facts.missing
    m = m[(m["start"] >= s) & (m["start"] <= e) & m["child"].isin(kids.index)].sort_values(["child", "start"])
    k = kids.loc[m["child"]]
    end = np.where(m["end"].to_numpy() > e, dd.NONE, m["end"].to_numpy())
    return pd.DataFrame(dtype=object, data={"CHILD": k["CHILD"].to_numpy(), "DOB": fmt(k["dob"]), "MISSING": m["kind"].to_numpy(),
                         "MIS_START": fmt(m["start"]), "MIS_END": fmt(end)})


def adoption_tables(kids: pd.DataFrame, facts: Facts, s: int, e: int, rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    """AD1 (children adopted in the span) and 'should be placed for adoption' decisions."""
    per = facts.periods.merge(facts.plans, on="pid")  # periods open on or after the first return
    per = per[per["child"].isin(kids.index)]
    adopted = per[per["rec"].isin(["E11", "E12"]) & (per["end"] >= s) & (per["end"] <= e)]
    n = len(adopted)
    k = kids.loc[adopted["child"]]
    nb = np.where(rng.random(n) < 0.15, "1", "2")
    sex = np.where(nb == "1", choose(rng, ("F1", "M1"), (0.85, 0.15), n), choose(rng, ("MF", "MM", "FF"), (0.85, 0.07, 0.08), n))
    ls = np.where(nb == "1", "L2", np.where(sex == "MF", choose(rng, ("L0", "L4"), (0.7, 0.3), n), choose(rng, ("L11", "L12"), (0.5, 0.5), n)))
    ad1 = pd.DataFrame(dtype=object, data={"CHILD": k["CHILD"].to_numpy(), "DOB": fmt(k["dob"]), "DATE_INT": fmt(adopted["t_bi"]),
                        "DATE_MATCH": fmt(adopted["t_match"]), "FOSTER_CARE": np.where(adopted["ffa"], "1", "0"),
                        "NB_ADOPTR": nb, "SEX_ADOPTR": sex, "LS_ADOPTR": ls})
    live = per[(per["t_bi"] != dd.NONE) & (per["t_bi"] <= e) & (per["end"] >= s)]
    rev = per[(per["rev_bi"] != dd.NONE) & (per["rev_bi"] <= e) & (per["rev_end"] >= s)]
    ceased = np.where(rev["rev_end"].to_numpy() <= e, rev["rev_end"].to_numpy(), dd.NONE)
    rows = pd.DataFrame({
        "child": np.concatenate([live["child"].to_numpy(), rev["child"].to_numpy()]),
        "DATE_PLACED": np.concatenate([live["t_bi"].to_numpy(), rev["rev_bi"].to_numpy()]),
        "CEASED": np.concatenate([np.full(len(live), dd.NONE), ceased]),
    }).sort_values(["child", "DATE_PLACED"])
    k = kids.loc[rows["child"]]
    pfa = pd.DataFrame(dtype=object, data={"CHILD": k["CHILD"].to_numpy(), "DOB": fmt(k["dob"]), "DATE_PLACED": fmt(rows["DATE_PLACED"]),
                        "DATE_PLACED_CEASED": fmt(rows["CEASED"]),
                        "REASON_PLACED_CEASED": np.where(rows["CEASED"].to_numpy() != dd.NONE, "RD1", "")})
    return ad1, pfa


def previous_permanence_table(kids: pd.DataFrame, facts: Facts, s: int, e: int, la_code: str, rng) -> pd.DataFrame:
    """One row per child starting a period of care in the span; most had no previous order."""
    per = facts.periods
    starting = per[(per["start"] >= s) & (per["start"] <= e) & per["child"].isin(kids.index)]
    starting = starting.drop_duplicates("child")
    k = kids.loc[starting["child"]]
    n = len(k)
    prev = np.where(rng.random(n) < 0.04, choose(rng, ("P1", "P2", "P3"), (0.3, 0.5, 0.2), n), "Z1")
    has = prev != "Z1"
    la = np.where(has, choose(rng, (la_code, "NUK", "865", "908"), (0.6, 0.1, 0.15, 0.15), n), "")
    when = k["dob"].to_numpy() + (rng.random(n) * (starting["start"].to_numpy() - k["dob"].to_numpy())).astype(np.int64)
    return pd.DataFrame(dtype=object, data={"CHILD": k["CHILD"].to_numpy(), "DOB": fmt(k["dob"]), "PREV_PERM": prev,
                         "LA_PERM": la, "DATE_PERM": fmt(np.where(has, when, dd.NONE))})


def oc2_table(kids: pd.DataFrame, facts: Facts, s: int, e: int, rng) -> pd.DataFrame:
    """Children looked after continuously for 12 months or more at 31 March."""
    per = facts.periods
    long = per[(per["pathway"] != SHORT_BREAK) & (per["start"] <= e - 365) & (per["end"] > e)
               & per["child"].isin(kids.index)].drop_duplicates("child")
    k = kids.loc[long["child"]]
    n = len(k)
    age = dd.age_in_years(k["dob"].to_numpy(), np.full(n, e))
    sdq_age = (age >= 4) & (age <= 16)
    got_sdq = sdq_age & (rng.random(n) < 0.85)
    sdq = np.where(got_sdq, np.clip(rng.normal(14, 7, n).round(), 0, 40).astype(int).astype(str), "")
    reason = np.where(got_sdq, "", np.where(sdq_age, choose(rng, ("SDQ2", "SDQ3", "SDQ4", "SDQ5"), (0.3, 0.3, 0.2, 0.2), n), "SDQ1"))

    def yes(p, mask=None):
        v = np.where(rng.random(n) < p, "1", "0")
        return v if mask is None else np.where(mask, v, "")

    misuse = yes(0.04, age >= 10)
    return pd.DataFrame(dtype=object, data={
        "CHILD": k["CHILD"].to_numpy(), "DOB": fmt(k["dob"]), "SDQ_SCORE": sdq, "SDQ_REASON": reason,
        "CONVICTED": yes(0.03, age >= 10), "HEALTH_CHECK": yes(0.9), "IMMUNISATIONS": yes(0.85),
        "TEETH_CHECK": yes(0.85), "HEALTH_ASSESSMENT": yes(0.9), "SUBSTANCE_MISUSE": misuse,
        "INTERVENTION_RECEIVED": np.where(misuse == "1", yes(0.7), ""),
        "INTERVENTION_OFFERED": np.where(misuse == "1", yes(0.2), ""),
    })


def oc3_table(facts: Facts, s: int, e: int, rng) -> pd.DataFrame:
    """Care leavers (looked after 13+ weeks after 14, left at 16+) with a 19th-21st birthday in the span."""
    per = facts.periods[facts.periods["pathway"] != SHORT_BREAK]
    kids = facts.children.set_index("child")
    dob = kids.loc[per["child"], "dob"].to_numpy()
    after14 = per["end"].to_numpy() - np.maximum(per["start"].to_numpy(), dd.add_years(dob, 14))
    left16 = per["end"].to_numpy() >= dd.add_years(dob, 16)
    eligible = np.unique(per["child"].to_numpy()[(after14 >= 91) & left16 & (per["rec"].to_numpy() != "E2")])
    k = kids.loc[eligible]
    birthday = False
    for age in (19, 20, 21):
        b = dd.add_years(k["dob"].to_numpy(), age)
        birthday = birthday | ((b >= s) & (b <= e))
    k = k[birthday]
    n = len(k)
    touch = choose(rng, ("YES", "NO", "REFU", "NREQ", "RHOM", "DIED"), (0.86, 0.05, 0.03, 0.03, 0.025, 0.005), n)
    known = touch == "YES"
    activ = choose(rng, ("F1", "P1", "F2", "P2", "F4", "P4", "G4", "G5", "G6"), (0.07, 0.02, 0.15, 0.04, 0.22, 0.08, 0.08, 0.26, 0.08), n)
    accom = choose(rng, ("U1", "Z1", "B1", "D1", "E1", "K1", "T1", "S2", "X2", "R2", "V2"), (0.35, 0.10, 0.12, 0.10, 0.05, 0.06, 0.05, 0.03, 0.03, 0.06, 0.05), n)
    return pd.DataFrame(dtype=object, data={"CHILD": k["CHILD"].to_numpy(), "DOB": fmt(k["dob"]), "IN_TOUCH": touch,
                         "ACTIV": np.where(known, activ, ""), "ACCOM": np.where(known, accom, "")})


def build_return_tables(ret: pd.DataFrame, facts: Facts, label: ReturnLabel, la_code: str, rng) -> dict[str, pd.DataFrame]:
    """Every SSDA903 table of one return, with the schema's columns in order."""
    s, e = dd.day(label.start), dd.day(label.end)
    kids = facts.children.set_index("child").loc[np.unique(ret["child"].to_numpy())]
    ad1, pfa = adoption_tables(kids, facts, s, e, rng)
    annual = label.quarter is None
    oc3 = oc3_table(facts, s, e, rng) if annual else pd.DataFrame()
    leavers = facts.children.loc[facts.children["CHILD"].isin(oc3["CHILD"] if len(oc3) else []), "child"].to_numpy()
    tables = {
        "header": header_table(ret, facts, label, also=leavers),
        "episodes": episodes_table(ret, facts),
        "uasc": uasc_table(kids, label),
        "reviews": reviews_table(kids, facts, s, e, rng),
        "ad1": ad1,
        "placed_for_adoption": pfa,
        "previous_permanence": previous_permanence_table(kids, facts, s, e, la_code, rng),
        "missing": missing_table(kids, facts, s, e),
    }
    tables["oc2"] = oc2_table(kids, facts, s, e, rng) if annual else pd.DataFrame()
    tables["oc3"] = oc3

    return {name: conform(tables[name], name) for name in SSDA903_TABLES}


def conform(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """The schema's columns, in order, as strings (blank for missing)."""
    cols = [c.name for c in SSDA903_TABLES[table]]
    if df.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    return df[cols].fillna("").reset_index(drop=True)
