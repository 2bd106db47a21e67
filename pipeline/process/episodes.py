"""Episodes with derived fields, and periods of care.

A period of care is a run of a child's episodes with no gap: it starts with RNE = S and
ends with the first episode whose REC is not X1 (an exit). Episodes are taken as stitched
by the validation stage: sorted, non-overlapping per child.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import schema
from pipeline.process.uniques import apply_rules_to_uniques, apply_to_unique_pairs, apply_to_uniques

METRES_PER_MILE = 1609.344
SHORT_BREAK_LS = ("V3", "V4")


def age_in_years(dob: pd.Series, on: pd.Series | pd.Timestamp) -> pd.Series:
    """Whole years of age on a date (vectorised; a birthday on the date counts)."""
    on = pd.to_datetime(on)
    if isinstance(on, pd.Timestamp):
        on = pd.Series(on, index=dob.index)
    years = on.dt.year - dob.dt.year
    before_birthday = (on.dt.month < dob.dt.month) | ((on.dt.month == dob.dt.month) & (on.dt.day < dob.dt.day))
    return (years - before_birthday.astype(int)).astype("Int64")


def band_ages(age: pd.Series) -> pd.Series:
    """DfE age bands: Under 1, 1 to 4, 5 to 9, 10 to 15, 16 and over."""
    bins = [-np.inf, 0, 4, 9, 15, np.inf]
    out = pd.cut(age.astype("float"), bins=bins, labels=list(schema.AGE_BANDS), right=True)
    return out.astype("string")


def assign_placement_groups(episodes: pd.DataFrame) -> pd.Series:
    """Placement group of every episode (schema.placement_group on PLACE and PLACE_PROVIDER)."""
    return apply_to_unique_pairs(episodes["PLACE"], episodes["PLACE_PROVIDER"], schema.placement_group, "string")


def _normalise_postcodes(postcodes: pd.Series) -> pd.Series:
    return postcodes.astype("string").str.replace(" ", "").str.upper()


def compute_distances(episodes: pd.DataFrame, postcodes: pd.DataFrame) -> pd.DataFrame:
    """Straight-line miles from HOME_POST to PL_POST, the home district and whether the
    placement is inside the LA. Unknown postcodes give missing values, never zero."""
    pc = postcodes.assign(POSTCODE=postcodes["POSTCODE"].str.replace(" ", "").str.upper()).set_index("POSTCODE")

    def lookup(column: str):
        return lambda u: _normalise_postcodes(u).map(pc[column])

    home = apply_rules_to_uniques(episodes["HOME_POST"], {
        "E": lookup("EASTING"), "N": lookup("NORTHING"),
        "DISTRICT": lambda u: lookup("DISTRICT")(u).astype("string")})
    placement = apply_rules_to_uniques(episodes["PL_POST"], {
        "E": lookup("EASTING"), "N": lookup("NORTHING"),
        "IN_LA": lambda u: lookup("IN_LA")(u).map(lambda v: pd.NA if pd.isna(v) else bool(int(v))).astype("boolean")})
    miles = np.sqrt((home["E"].astype(float) - placement["E"].astype(float)) ** 2
                    + (home["N"].astype(float) - placement["N"].astype(float)) ** 2) / METRES_PER_MILE
    return pd.DataFrame(
        {"DISTANCE_MILES": miles.astype("Float64"), "HOME_DISTRICT": home["DISTRICT"], "PL_IN_LA": placement["IN_LA"]},
        index=episodes.index,
    )


def number_periods_of_care(episodes: pd.DataFrame) -> pd.Series:
    """Period-of-care number (1, 2, ...) of each episode, per child, in DECOM order.

    A new period starts at an episode with RNE = S, or where the previous episode of the
    child ended with a REC other than X1, or where there is a gap between episodes.
    """
    ep = episodes.sort_values(["CHILD", "DECOM"], kind="stable")
    same_child = ep["CHILD"].eq(ep["CHILD"].shift())
    prev_rec = ep["REC"].shift()
    prev_dec = ep["DEC"].shift()
    continues = same_child & prev_rec.eq("X1") & prev_dec.eq(ep["DECOM"]) & ep["RNE"].ne("S")
    starts = (~continues).astype(int)
    return starts.groupby(ep["CHILD"]).cumsum().reindex(episodes.index).astype("Int64")


def derive_episode_fields(
    episodes: pd.DataFrame, header: pd.DataFrame, postcodes: pd.DataFrame | None = None
) -> pd.DataFrame:
    """A new frame of episodes with DOB, SEX, ETHNIC, age at start, age band at start,
    placement group, exit route, short-break flag, period-of-care number and, when a
    postcode lookup is given, distance and location fields."""
    hdr = header[["CHILD", "DOB", "SEX", "ETHNIC"]].drop_duplicates("CHILD", keep="last")  # one row per child
    out = episodes.merge(hdr, on="CHILD", how="left")
    out["AGE_AT_DECOM"] = age_in_years(out["DOB"], out["DECOM"])
    out["AGE_BAND_AT_DECOM"] = band_ages(out["AGE_AT_DECOM"])
    out["PLACEMENT_GROUP"] = assign_placement_groups(out)
    out["EXIT_ROUTE"] = apply_to_uniques(out["REC"], lambda u: u.map(
        lambda r: schema.exit_route(r) if isinstance(r, str) else None).astype("string"))
    out["SHORT_BREAK"] = out["LS"].isin(SHORT_BREAK_LS)
    out["PERIOD_NO"] = number_periods_of_care(out)
    if postcodes is not None:
        out = pd.concat([out, compute_distances(out, postcodes)], axis=1)
    return out


def build_periods_of_care(episodes: pd.DataFrame) -> pd.DataFrame:
    """One row per period of care: CHILD, PERIOD_NO, START, END (missing while open), the
    REC and exit route that ended it, legal status and placement group at start and at end,
    the number of episodes, whether any episode was a short break, and the source key of
    the first episode. Expects the frame from :func:`derive_episode_fields`."""
    cols = ["CHILD", "PERIOD_NO", "DECOM", "DEC", "REC", "EXIT_ROUTE", "RNE", "LS", "PLACEMENT_GROUP",
            "SHORT_BREAK", "DOB"]
    ep = episodes[cols].sort_values(["CHILD", "DECOM"], kind="stable")
    g = ep.groupby(["CHILD", "PERIOD_NO"], sort=True)
    first, last = g.head(1).set_index(["CHILD", "PERIOD_NO"]), g.tail(1).set_index(["CHILD", "PERIOD_NO"])
    ended = last["REC"].notna() & last["REC"].ne("X1")
    periods = pd.DataFrame(
        {
            "START": first["DECOM"],
            "END": last["DEC"].where(ended),
            "REC": last["REC"].where(ended).astype("string"),
            "EXIT_ROUTE": last["EXIT_ROUTE"].where(ended).astype("string"),
            "START_RNE": first["RNE"],
            "LS_START": first["LS"],
            "LS_END": last["LS"],
            "PLACEMENT_GROUP_START": first["PLACEMENT_GROUP"],
            "PLACEMENT_GROUP_END": last["PLACEMENT_GROUP"],
            "N_EPISODES": g.size(),
            "ANY_SHORT_BREAK": g["SHORT_BREAK"].any(),
            "ALL_SHORT_BREAK": g["SHORT_BREAK"].all(),
            "DOB": first["DOB"],
        }
    ).reset_index()
    periods["AGE_AT_START"] = age_in_years(periods["DOB"], periods["START"])
    periods["DURATION_DAYS"] = (periods["END"] - periods["START"]).dt.days.astype("Int64")
    return periods


def select_open_on(episodes: pd.DataFrame, day: pd.Timestamp | str) -> pd.DataFrame:
    """Episodes open at the end of `day`: started on or before it, not ceased on or before it.

    A child whose episode ceased on 31 March is not looked after at 31 March (DfE rule)."""
    day = pd.Timestamp(day)
    mask = (episodes["DECOM"] <= day) & (episodes["DEC"].isna() | (episodes["DEC"] > day))
    return episodes[mask]
