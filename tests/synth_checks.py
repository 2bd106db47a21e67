"""Consistency checks of raw returns, used by the synthetic generator's tests.

Each check takes frames as read from the CSV files (all columns strings, '' for blank) and
returns a list of readable problems; an empty list means the check passed.
"""

from __future__ import annotations

import re

import pandas as pd

from pipeline import schema
from pipeline.synth.identity import is_valid_upn

POSTCODE_RE = re.compile(r"^[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}$")
CODED = {
    "episodes": ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE"),
    "header": ("SEX", "ETHNIC"),
    "uasc": ("SEX",),
    "reviews": ("REVIEW_CODE",),
    "missing": ("MISSING",),
    "oc3": ("IN_TOUCH",),
}


def read_dates(s: pd.Series) -> pd.Series:
    """dd/mm/yyyy (or blank) -> datetime."""
    return pd.to_datetime(s.replace("", None), format="%d/%m/%Y")


def with_dates(episodes: pd.DataFrame) -> pd.DataFrame:
    out = episodes.copy()
    out["DECOM"], out["DEC"] = read_dates(out["DECOM"]), read_dates(out["DEC"])
    return out.sort_values(["CHILD", "DECOM"], kind="stable").reset_index(drop=True)


def check_children_in_header(header: pd.DataFrame, episodes: pd.DataFrame,
                             care_leavers: pd.DataFrame | None = None) -> list[str]:
    """Every episode's child has a header row; every header row is a child with an episode
    or a care leaver in OC3 (DfE: OC3 children need a header record too)."""
    leavers = set(care_leavers["CHILD"]) if care_leavers is not None else set()
    missing = sorted(set(episodes["CHILD"]) - set(header["CHILD"]))
    extra = sorted(set(header["CHILD"]) - set(episodes["CHILD"]) - leavers)
    missing += sorted(leavers - set(header["CHILD"]))
    dup = header["CHILD"][header["CHILD"].duplicated()].tolist()
    return ([f"episode child {c} has no header row" for c in missing]
            + [f"header child {c} has no episode" for c in extra]
            + [f"header child {c} appears twice" for c in dup])


def check_dates_and_reasons(episodes: pd.DataFrame) -> list[str]:
    ep = with_dates(episodes)
    bad = ep[ep["DEC"].notna() & (ep["DEC"] < ep["DECOM"])]
    out = [f"{r.CHILD} {r.DECOM:%d/%m/%Y}: DEC before DECOM" for r in bad.itertuples()]
    mismatch = ep[ep["DEC"].notna() != ep["REC"].ne("")]
    out += [f"{r.CHILD} {r.DECOM:%d/%m/%Y}: REC present without DEC or DEC without REC" for r in mismatch.itertuples()]
    return out


def check_chains(episodes: pd.DataFrame, return_start: pd.Timestamp) -> list[str]:
    """No overlap; X1 followed by an episode starting that day (not S); an exit followed by a
    later S episode; only the last episode open; a period starting in the return starts with S."""
    ep = with_dates(episodes)
    nxt = ep.groupby("CHILD").shift(-1)
    has_next = nxt["DECOM"].notna()
    out = []
    for r, n in zip(ep[has_next].itertuples(), nxt[has_next].itertuples(), strict=True):
        if pd.isna(r.DEC):
            out.append(f"{r.CHILD} {r.DECOM:%d/%m/%Y}: open episode is not the child's last")
        elif r.REC == "X1" and (n.DECOM != r.DEC or n.RNE == "S"):
            out.append(f"{r.CHILD} {r.DECOM:%d/%m/%Y}: X1 not followed by an episode starting {r.DEC:%d/%m/%Y}")
        elif r.REC != "X1" and (n.DECOM <= r.DEC or n.RNE != "S"):
            out.append(f"{r.CHILD} {r.DECOM:%d/%m/%Y}: exit {r.REC} not followed by a new period (RNE S after DEC)")
    first = ep.groupby("CHILD").head(1)
    late_start = first[(first["DECOM"] >= return_start) & (first["RNE"] != "S")]
    out += [f"{r.CHILD} {r.DECOM:%d/%m/%Y}: first episode in the return starts in it but RNE is {r.RNE}" for r in late_start.itertuples()]
    return out


def check_ages(header: pd.DataFrame, episodes: pd.DataFrame) -> list[str]:
    ep = with_dates(episodes).merge(header[["CHILD", "DOB"]], on="CHILD", how="left")
    dob = read_dates(ep["DOB"])
    out = [f"{r.CHILD}: DOB not before DECOM" for r in ep[dob >= ep["DECOM"]].itertuples()]
    eighteen = dob + pd.DateOffset(years=18)
    out += [f"{r.CHILD}: aged 18+ at DECOM {r.DECOM:%d/%m/%Y}" for r in ep[ep["DECOM"] >= eighteen].itertuples()]
    out += [f"{r.CHILD}: DEC after the 18th birthday" for r in ep[ep["DEC"].notna() & (ep["DEC"] > eighteen)].itertuples()]
    return out


def check_codes(tables: dict[str, pd.DataFrame], collection_year: int) -> list[str]:
    out = []
    for table, fields in CODED.items():
        df = tables.get(table)
        if df is None:
            continue
        for f in fields:
            values = set(df[f][df[f] != ""])
            bad = values - schema.valid_codes(f, collection_year)
            out += [f"{table}.{f}: {v!r} not valid in {collection_year}" for v in sorted(bad)]
    return out


def check_legal_status(episodes: pd.DataFrame) -> list[str]:
    """A5/A6 need a placement order (E1) or freeing order (D1); A3/A4 consent (V2) or E1/D1;
    P1 a full care order (C2)."""
    rules = {("A5", "A6"): {"E1", "D1"}, ("A3", "A4"): {"V2", "E1", "D1"}, ("P1",): {"C2"}}
    out = []
    for places, allowed in rules.items():
        bad = episodes[episodes["PLACE"].isin(places) & ~episodes["LS"].isin(allowed)]
        out += [f"{r.CHILD} {r.DECOM}: {r.PLACE} with legal status {r.LS}" for r in bad.itertuples()]
    return out


def check_upns(header: pd.DataFrame) -> list[str]:
    bad = header[~header["UPN"].map(lambda u: u == "" or bool(re.fullmatch(r"UN([1-9]|10)", u)) or is_valid_upn(u))]
    return [f"{r.CHILD}: UPN {r.UPN!r} is not valid" for r in bad.itertuples()]


def check_postcodes(episodes: pd.DataFrame, postcodes: pd.DataFrame) -> list[str]:
    known = set(postcodes["POSTCODE"])
    out = [f"postcode {p!r} has an invalid format" for p in sorted(set(postcodes["POSTCODE"])) if not POSTCODE_RE.match(p)]
    used = set(episodes["HOME_POST"]) | set(episodes["PL_POST"])
    out += [f"postcode {p!r} is not in postcodes.csv" for p in sorted(used - known - {""})]
    return out


def check_tracker_outcomes(tracker: pd.DataFrame, episodes: pd.DataFrame) -> list[str]:
    """Every outcome stage matches an exit with a route REC on that day; PWP PLACED a P1
    start and ADOPTION PLACED an A3-A6 start, for that child."""
    ep = episodes.drop_duplicates(["CHILD", "DECOM"], keep="last").copy()
    ep["DEC_ISO"] = read_dates(ep["DEC"]).dt.strftime("%Y-%m-%d")
    ep["DECOM_ISO"] = read_dates(ep["DECOM"]).dt.strftime("%Y-%m-%d")
    ends = set(zip(ep["CHILD"], ep["DEC_ISO"], ep["REC"], strict=True))
    starts = set(zip(ep["CHILD"], ep["DECOM_ISO"], ep["PLACE"], strict=True))
    out = []
    for r in tracker.itertuples():
        stage, codes = schema.TRACKER_OUTCOME[r.ROUTE]
        if stage == r.STAGE and not any((r.CHILD, r.EVENT_DATE, c) in ends for c in codes):
            out.append(f"{r.CASE_ID} {r.ROUTE} {r.STAGE} {r.EVENT_DATE}: no matching exit for {r.CHILD}")
        if r.STAGE == "PLACED" and r.ROUTE in ("PWP", "ADOPTION"):
            places = ("P1",) if r.ROUTE == "PWP" else schema.ADOPTION_PLACEMENTS
            if not any((r.CHILD, r.EVENT_DATE, p) in starts for p in places):
                out.append(f"{r.CASE_ID} {r.ROUTE} PLACED {r.EVENT_DATE}: no {'/'.join(places)} placement starting then")
    return out


def check_tracker_order(tracker: pd.DataFrame) -> list[str]:
    """One child and route per case; stages in the route's order by date; an end stage last."""
    out = []
    for case, g in tracker.groupby("CASE_ID", sort=True):
        if g["CHILD"].nunique() != 1 or g["ROUTE"].nunique() != 1:
            out.append(f"{case}: more than one child or route")
            continue
        route = g["ROUTE"].iloc[0]
        order = {s: i for i, s in enumerate(schema.TRACKER_STAGES[route])}
        ends = set(schema.TRACKER_END_STAGES[route])
        g = g.sort_values(["EVENT_DATE", "STAGE"], key=lambda s: s.map(order).fillna(99) if s.name == "STAGE" else s)
        stages = g["STAGE"].tolist()
        unknown = [s for s in stages if s not in order and s not in ends]
        if unknown:
            out.append(f"{case}: unknown stages {unknown}")
        ranks = [order[s] for s in stages if s in order]
        if ranks != sorted(ranks) or len(set(ranks)) != len(ranks):
            out.append(f"{case}: stages out of order {stages}")
        if any(s in ends for s in stages[:-1]):
            out.append(f"{case}: an end stage is not the last event {stages}")
        if (g["RECORDED_DATE"] < g["EVENT_DATE"]).any():
            out.append(f"{case}: recorded before the event")
    return out


def check_staffing(staffing: pd.DataFrame) -> list[str]:
    """Spells of a post never overlap and only the last may be open."""
    out = []
    for post, g in staffing.groupby("POST_ID", sort=True):
        g = g.sort_values("FROM_DATE")
        to = g["TO_DATE"].tolist()
        if "" in to[:-1]:
            out.append(f"{post}: an open spell is not the last")
        for a, b in zip(to[:-1], g["FROM_DATE"].tolist()[1:], strict=True):
            if a != "" and a >= b:
                out.append(f"{post}: spell ending {a} overlaps the next starting {b}")
    return out
