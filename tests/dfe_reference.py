"""An independent reference for the DfE counts, computed straight from SSDA903 CSV returns.

Plain pandas, no import from ``pipeline``: the point is to check the pipeline's measures
against a second reading of the DfE definitions, written out here as the DfE states them
(children looked after statistics, SSDA903 guidance), each annual return on its own, as the
DfE counts a year from that year's return:

- **Return of a year.** The return for the financial year 1 April Y to 31 March Y+1 holds
  every episode open at any time in the year, the header of every child in it and the
  UASC table. The counts for a year come from that year's return only.
- **Short breaks.** Children looked after only under an agreed series of short breaks
  (legal status V3 or V4) are left out of every count: those episodes are not counted as
  being in care, a period of care made only of them is not a period of care, and a period's
  start is the start of its first episode that is not a short break.
- **Period of care.** Episodes of a child in DECOM order; an episode continues the period of
  the one before it when that one ceased with REC X1 on the day this one began and this one's
  RNE is not S. Otherwise it starts a new period. A period ends with the DEC of its last
  episode when that episode has a REC other than X1 (a REC without a DEC ends nothing).
- **Looked after at 31 March.** A child with an episode (not a short break) that began on or
  before 31 March and had not ceased by the end of that day (DEC blank or after 31 March);
  a child who ceased on 31 March is not counted. Counted once; the characteristics are those
  of the child's latest-starting open episode and the return's header.
- **Started during the year** (admissions): children with a period of care starting in the
  year, counted once, on the first occasion; age, placement and legal status at that start.
- **Ceased during the year** (leavers): children with a period of care ending in the year,
  counted once, on the last occasion; reason from REC, age at the end.
- **Exits by route** (quarterly): every period of care ending in the quarter (not one per
  child), by the REC of its last episode; the year to date is the sum of the year's quarters.
- **Age**: whole years on the day (a birthday on the day counts; 29 February birthdays fall on
  1 March in common years); bands Under 1, 1 to 4, 5 to 9, 10 to 15, 16 and over.
- **Sex**: 1 male, 2 female (codes before 2024-25), or M/F/U.
- **UASC at 31 March**: the child is in the return's UASC table and had not ceased to be
  UASC (DUC blank or after 31 March).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

SHORT_BREAKS = ("V3", "V4")
AGE_BANDS = ((0, "Under 1"), (4, "1 to 4"), (9, "5 to 9"), (15, "10 to 15"), (200, "16 and over"))
NOT_KNOWN = "Not known"

# Placement groups of the sufficiency tables (PLACE, and PLACE_PROVIDER PR1 = the LA's own).
FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
RESIDENTIAL = ("K2", "R1")
ADOPTION = ("A3", "A4", "A5", "A6")
INDEPENDENT = ("H5", "P2", "K3")

LEGAL_STATUS_GROUPS = {
    "C1": "Interim care order", "C2": "Full care order", "E1": "Placement order", "D1": "Placement order",
    "V2": "Voluntary agreement (section 20)", "J1": "Youth justice legal statuses",
    "J2": "Youth justice legal statuses", "J3": "Youth justice legal statuses",
    "L1": "Emergency or police protection", "L2": "Emergency or police protection",
    "L3": "Emergency or police protection",
}
CEASED_REASONS = {
    "E11": "Adopted", "E12": "Adopted",
    "E45": "Special guardianship order", "E46": "Special guardianship order",
    "E47": "Special guardianship order", "E48": "Special guardianship order",
    "E41": "Child arrangements (residence) order",
    "E4A": "Returned home to parents or others with parental responsibility",
    "E4B": "Returned home to parents or others with parental responsibility",
    "E13": "Left care to live with parents or relatives without parental responsibility",
    "E5": "Moved into independent living", "E6": "Moved into independent living",
    "E17": "Aged 18 and stayed with carers (staying put)", "E14": "Accommodation on remand ended",
    "E15": "Age assessment found the child to be 18 or over", "E3": "Care taken over by another local authority",
    "E7": "Transferred to adult social care", "E9": "Sentenced to custody", "E16": "Moved abroad", "E2": "Died",
    "E8": "Ceased for any other reason",
}
# Exit routes of the quarterly paper (REC of the episode that ends the period of care).
EXIT_ROUTES = {
    "E45": "SGO_FFC", "E46": "SGO_FFC", "E47": "SGO_OTHER", "E48": "SGO_OTHER", "E41": "CAO",
    "E4A": "HOME_PLANNED", "E4B": "HOME_UNPLANNED", "E11": "ADOPTION", "E12": "ADOPTION",
}  # every other REC ending a period is OTHER


def placement_group(place: str, provider: str) -> str:
    if place in FOSTER:
        return "FOSTER_IN_HOUSE" if provider == "PR1" else "FOSTER_AGENCY"
    if place in RESIDENTIAL:
        return "RESIDENTIAL_IN_HOUSE" if provider == "PR1" else "RESIDENTIAL_AGENCY"
    if place == "K1":
        return "SECURE"
    if place in ADOPTION:
        return "PLACED_FOR_ADOPTION"
    if place == "P1":
        return "PLACED_WITH_PARENTS"
    if place in INDEPENDENT:
        return "INDEPENDENT_LIVING"
    return "OTHER"


def age_band(age: int) -> str:
    return next(label for top, label in AGE_BANDS if age <= top)


def age_on(dob: pd.Timestamp, day: pd.Timestamp) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def fy_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def _date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, format="%d/%m/%Y")


def read_return(folder: Path, prefix: str) -> dict[str, pd.DataFrame]:
    """One return's episodes, header and UASC table (dd/mm/yyyy dates), every value as text."""
    ep = pd.read_csv(folder / f"{prefix}-episodes.csv", dtype=str)
    ep["DECOM"], ep["DEC"] = _date(ep["DECOM"]), _date(ep["DEC"])
    hd = pd.read_csv(folder / f"{prefix}-header.csv", dtype=str)
    hd["DOB"] = _date(hd["DOB"])
    hd["SEX"] = hd["SEX"].map({"1": "M", "2": "F"}).fillna(hd["SEX"])
    uasc = pd.read_csv(folder / f"{prefix}-uasc.csv", dtype=str)
    uasc["DUC"] = _date(uasc["DUC"])
    return {"episodes": ep, "header": hd.drop_duplicates("CHILD", keep="last").set_index("CHILD"), "uasc": uasc}


def periods_of_care(ep: pd.DataFrame) -> list[dict]:
    """The periods of care of a return's episodes (see the module docstring), in plain Python."""
    out = []
    for child, rows in ep.sort_values(["CHILD", "DECOM"], kind="stable").groupby("CHILD", sort=False):
        current: list = []
        for r in rows.itertuples(index=False):
            if current:
                prev = current[-1]
                if not (prev.REC == "X1" and prev.DEC == r.DECOM and r.RNE != "S"):
                    out.append(_period(child, current))
                    current = []
            current.append(r)
        out.append(_period(child, current))
    return [p for p in out if p is not None]


def _period(child: str, episodes: list) -> dict | None:
    counted = [e for e in episodes if e.LS not in SHORT_BREAKS]
    if not counted:
        return None  # short breaks only: not a period of care
    last = episodes[-1]
    ended = isinstance(last.REC, str) and last.REC != "X1" and pd.notna(last.DEC)
    return {"CHILD": child, "first": counted[0], "START": counted[0].DECOM,
            "END": last.DEC if ended else pd.NaT, "REC": last.REC if ended else None}


def count_31_march(ret: dict[str, pd.DataFrame], day: pd.Timestamp) -> dict[tuple[str, str], int]:
    """Children looked after at the end of `day`: {(dimension, category): n}; ('', '') the total."""
    ep = ret["episodes"]
    open_ = ep[(ep["DECOM"] <= day) & (ep["DEC"].isna() | (ep["DEC"] > day)) & ~ep["LS"].isin(SHORT_BREAKS)]
    open_ = open_.sort_values(["CHILD", "DECOM"], kind="stable").drop_duplicates("CHILD", keep="last")
    hd, uasc = ret["header"], ret["uasc"]
    still_uasc = set(uasc.loc[uasc["DUC"].isna() | (uasc["DUC"] > day), "CHILD"])
    out: dict[tuple[str, str], int] = {("", ""): len(open_)}
    for e in open_.itertuples(index=False):
        cats = {
            "age_band": age_band(age_on(hd.at[e.CHILD, "DOB"], day)),
            "placement_group": placement_group(e.PLACE, e.PLACE_PROVIDER),
            "legal_status": LEGAL_STATUS_GROUPS.get(e.LS, NOT_KNOWN),
            "sex": hd.at[e.CHILD, "SEX"],
            "uasc": "Yes" if e.CHILD in still_uasc else "No",
        }
        for dim, cat in cats.items():
            out[(dim, cat)] = out.get((dim, cat), 0) + 1
    return out


def count_flows(ret: dict[str, pd.DataFrame], start: pd.Timestamp, end: pd.Timestamp) -> dict[str, dict]:
    """Starters and leavers of the year `start`..`end` (children, once each) and exits by
    route of each quarter (periods of care): {'admissions': {...}, 'ceased': {...},
    'exits': {quarter number: {route: n}}}."""
    periods = periods_of_care(ret["episodes"])
    hd = ret["header"]
    started = sorted((p for p in periods if start <= p["START"] <= end), key=lambda p: (p["CHILD"], p["START"]))
    first_start: dict[str, dict] = {}
    for p in started:
        first_start.setdefault(p["CHILD"], p)
    ended = sorted((p for p in periods if pd.notna(p["END"]) and start <= p["END"] <= end),
                   key=lambda p: (p["CHILD"], p["END"]))
    last_end = {p["CHILD"]: p for p in ended}
    admissions: dict[tuple[str, str], int] = {("", ""): len(first_start)}
    for child, p in first_start.items():
        e = p["first"]
        for dim, cat in (("age_band", age_band(age_on(hd.at[child, "DOB"], p["START"]))),
                         ("placement_group", placement_group(e.PLACE, e.PLACE_PROVIDER)),
                         ("legal_status", LEGAL_STATUS_GROUPS.get(e.LS, NOT_KNOWN))):
            admissions[(dim, cat)] = admissions.get((dim, cat), 0) + 1
    ceased: dict[tuple[str, str], int] = {("", ""): len(last_end)}
    for child, p in last_end.items():
        for dim, cat in (("reason", CEASED_REASONS.get(p["REC"], NOT_KNOWN)),
                         ("age_band", age_band(age_on(hd.at[child, "DOB"], p["END"])))):
            ceased[(dim, cat)] = ceased.get((dim, cat), 0) + 1
    exits: dict[int, dict[str, int]] = {q: {} for q in (1, 2, 3, 4)}
    for p in ended:
        q = (p["END"].month - 4) % 12 // 3 + 1
        route = EXIT_ROUTES.get(p["REC"], "OTHER")
        exits[q][route] = exits[q].get(route, 0) + 1
        exits[q]["ALL"] = exits[q].get("ALL", 0) + 1
    return {"admissions": admissions, "ceased": ceased, "exits": exits}


def read_history(folder: Path, prefixes: dict[str, int]) -> dict[str, pd.DataFrame]:
    """Every return in `folder` read as one history (file prefix -> the year its financial
    year starts in): all episodes, a later return's copy of an episode (same CHILD and DECOM)
    replacing an earlier one's; each child's header and UASC rows from the latest return
    holding the child."""
    returns = [(year, read_return(folder, prefix)) for prefix, year in sorted(prefixes.items(), key=lambda kv: kv[1])]
    def latest(table: str, key: list[str]) -> pd.DataFrame:
        frames = [r[table].reset_index().assign(_YEAR=y) if table == "header" else r[table].assign(_YEAR=y)
                  for y, r in returns]
        both = pd.concat(frames, ignore_index=True)
        newest = both.groupby(key)["_YEAR"].transform("max")
        return both[both["_YEAR"] == newest]
    episodes = latest("episodes", ["CHILD", "DECOM"]).drop_duplicates(["CHILD", "DECOM"], keep="last")
    # an episode left open in a return whose child is in no later return: the child was looked
    # after at that return's 31 March and not in the next year (every child looked after at any
    # time in a year is in its return), so it ends the day after, for no known reason
    last_year = episodes.groupby("CHILD")["_YEAR"].transform("max")
    gone = episodes["DEC"].isna() & (episodes["_YEAR"] == last_year) & (last_year < max(y for y, _ in returns))
    episodes.loc[gone, "DEC"] = pd.to_datetime((episodes.loc[gone, "_YEAR"] + 1).astype(str) + "-04-01")
    episodes.loc[gone, "REC"] = None
    episodes = episodes.drop(columns="_YEAR")
    header = latest("header", ["CHILD"]).drop_duplicates("CHILD", keep="last").drop(columns="_YEAR").set_index("CHILD")
    uasc = latest("uasc", ["CHILD"]).drop(columns="_YEAR")
    return {"episodes": episodes, "header": header, "uasc": uasc}


def reference_counts(folder: Path, prefixes: dict[str, int]) -> dict:
    """Every count of every year the returns in `folder` cover (file prefix -> the year its
    financial year starts in), from their history (:func:`read_history`):
    {'cla_31_march': {fy label: counts}, 'admissions': ..., 'ceased': ...,
    'exits': {fy label: {quarter: {route: n}}}}. The first return also gives the count at
    the 31 March before it (its opening stock)."""
    out: dict[str, dict] = {"cla_31_march": {}, "admissions": {}, "ceased": {}, "exits": {}}
    history = read_history(folder, prefixes)
    first = min(prefixes.values())
    out["cla_31_march"][fy_label(first - 1)] = count_31_march(history, pd.Timestamp(first, 3, 31))
    for year in sorted(prefixes.values()):
        start, end = pd.Timestamp(year, 4, 1), pd.Timestamp(year + 1, 3, 31)
        label = fy_label(year)
        out["cla_31_march"][label] = count_31_march(history, end)
        flows = count_flows(history, start, end)
        out["admissions"][label], out["ceased"][label], out["exits"][label] = (
            flows["admissions"], flows["ceased"], flows["exits"])
    return out


def overlapping_children(folder: Path, prefixes: dict[str, int]) -> set[str]:
    """Children with an episode that starts before their previous episode ended (still open,
    or DEC after the DECOM), in any return or in the history: DfE rule 501 (and 142) fails
    and the DfE has no count for them until the return is corrected."""
    def overlaps(ep: pd.DataFrame) -> set[str]:
        ep = ep.sort_values(["CHILD", "DECOM"], kind="stable")
        same_child = ep["CHILD"].eq(ep["CHILD"].shift())
        prev_dec = ep["DEC"].shift()
        return set(ep.loc[same_child & (prev_dec.isna() | (prev_dec > ep["DECOM"])), "CHILD"])
    out = overlaps(read_history(folder, prefixes)["episodes"])
    for prefix in prefixes:
        out |= overlaps(read_return(folder, prefix)["episodes"])
    return out


def write_without(folder: Path, prefixes: dict[str, int], children: set[str], target: Path) -> None:
    """A copy of the returns in `folder` without the rows of `children` (every table), as text."""
    target.mkdir(parents=True, exist_ok=True)
    for prefix in prefixes:
        for table in ("episodes", "header", "uasc"):
            frame = pd.read_csv(folder / f"{prefix}-{table}.csv", dtype=str, keep_default_na=False)
            frame[~frame["CHILD"].isin(children)].to_csv(target / f"{prefix}-{table}.csv", index=False)
