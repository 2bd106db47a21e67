"""Pure pandas helpers for validation: typed parsing and per-row flags for cross-row rules.

Every function takes frames (or series) and returns a new series aligned to its input's index;
``True`` in a flag means the row passes the rule. Blank or unparseable inputs pass a flag
(another rule reports them), so one bad value is reported once, by the rule that is about it.
No function loops over rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.validate.codes import FALSE_VALUES, TRUE_VALUES

DATE_DTYPE = "datetime64[ns]"


# --- parsing --------------------------------------------------------------------------------


def parse_dates(values: pd.Series) -> pd.Series:
    """Parse dd/mm/yyyy or yyyy-mm-dd strings (mixed in one column is fine); others -> NaT.

    Each distinct string is parsed once (a national column of a million dates holds a few
    thousand distinct days) and the results are spread back to the rows.
    """
    codes, uniques = pd.factorize(values)  # blank -> -1
    parsed = _parse_date_strings(pd.Series(uniques, dtype=object)).to_numpy()
    parsed = np.append(parsed, np.datetime64("NaT", "ns"))  # position -1: blank
    return pd.Series(parsed[codes], index=values.index, dtype=DATE_DTYPE)


def _parse_date_strings(values: pd.Series) -> pd.Series:
    s = values.astype("str").where(values.notna())
    dmy = pd.to_datetime(s, format="%d/%m/%Y", errors="coerce")
    rest = dmy.isna() & s.notna()
    if rest.any():
        iso = pd.to_datetime(s.where(rest), format="%Y-%m-%d", errors="coerce")
        dmy = dmy.fillna(iso)
    # dates nanoseconds cannot hold (9999-12-31, 01/01/1600) are missing here; the
    # DATE_OUT_OF_RANGE rule (pipeline.validate.local_rules) names them
    dmy = dmy.mask(dmy.notna() & ((dmy < pd.Timestamp.min) | (dmy > pd.Timestamp.max)))
    return dmy.astype(DATE_DTYPE)


def parse_numbers(values: pd.Series) -> pd.Series:
    """Parse numbers ('1', '0.5', '-3'); blanks and text -> NaN (float64)."""
    return pd.to_numeric(values, errors="coerce").astype("float64")


def parse_bools(values: pd.Series) -> pd.Series:
    """Parse 1/0, true/false, yes/no into a nullable boolean; anything else -> <NA>."""
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[values.isin(TRUE_VALUES)] = True
    out[values.isin(FALSE_VALUES)] = False
    return out


def add_years(dates: pd.Series, years: int) -> pd.Series:
    """The same day `years` later; 29 February becomes 1 March in a common year (in England a
    person born on 29 February attains an age on 1 March; synth's days.add_years agrees).

    Each distinct date is shifted once (a column of a million dates of birth holds a few
    thousand distinct days) and the results are spread back to the rows.
    """
    codes, uniques = pd.factorize(dates)  # blank -> -1
    shifted = _add_years_exact(pd.Series(uniques, dtype=DATE_DTYPE), years).to_numpy()
    shifted = np.append(shifted, np.datetime64("NaT", "ns"))  # position -1: blank
    return pd.Series(shifted[codes], index=dates.index, dtype=DATE_DTYPE)


def birthdays(dob: pd.Series, ages: Iterable[int]) -> dict[int, pd.Series]:
    """The day each row's child reaches each age (see :func:`add_years`), distinct dates shifted once."""
    codes, uniques = pd.factorize(dob)
    out = {}
    for years in ages:
        shifted = np.append(_add_years_exact(pd.Series(uniques, dtype=DATE_DTYPE), years).to_numpy(), np.datetime64("NaT", "ns"))
        out[years] = pd.Series(shifted[codes], index=dob.index, dtype=DATE_DTYPE)
    return out


def _add_years_exact(dates: pd.Series, years: int) -> pd.Series:
    shifted = (dates + pd.DateOffset(years=years)).astype(DATE_DTYPE)
    # DateOffset clips 29 February to 28 February; move those days on to 1 March
    clipped = ((dates.dt.month == 2) & (dates.dt.day == 29) & (shifted.dt.day == 28)).fillna(False)
    return shifted.where(~clipped, shifted + pd.Timedelta(days=1))


def lookup(keys: pd.Series, mapping: pd.Series) -> pd.Series:
    """Map keys through a series indexed by key (first value of duplicated keys wins)."""
    mapping = mapping[~mapping.index.duplicated(keep="first")]
    return keys.map(mapping)


# --- episodes: neighbours and chains ---------------------------------------------------------


def neighbour_episodes(ep: pd.DataFrame) -> pd.DataFrame:
    """Each episode's previous and next episode of the same child (by DECOM).

    ``ep`` needs CHILD, DECOM and DEC (datetimes), REC and RNE. Returns, aligned to ``ep``'s
    index: has_prev, prev_DEC, prev_REC, has_next, next_DECOM. Rows with no DECOM have no
    neighbours and are nobody's neighbour.
    """
    valid = ep["CHILD"].notna() & ep["DECOM"].notna()
    s = ep.loc[valid, ["CHILD", "DECOM", "DEC", "REC"]].sort_values(["CHILD", "DECOM"], kind="stable")
    child = s["CHILD"].to_numpy()
    same_prev = np.zeros(len(s), dtype=bool)
    same_prev[1:] = child[1:] == child[:-1]
    same_next = np.zeros(len(s), dtype=bool)
    same_next[:-1] = same_prev[1:]
    out = pd.DataFrame(index=s.index)
    out["has_prev"] = same_prev
    out["prev_DEC"] = s["DEC"].shift(1).where(same_prev)
    out["prev_REC"] = s["REC"].shift(1).where(same_prev)
    out["has_next"] = same_next
    out["next_DECOM"] = s["DECOM"].shift(-1).where(same_next)
    out = out.reindex(ep.index)
    out["has_prev"] = out["has_prev"].fillna(False).astype(bool)
    out["has_next"] = out["has_next"].fillna(False).astype(bool)
    return out


def flag_no_overlap(ep: pd.DataFrame, nb: pd.DataFrame) -> pd.Series:
    """False where an episode starts before the child's previous episode ended (or while open)."""
    overlap = nb["has_prev"] & (nb["prev_DEC"].isna() | (ep["DECOM"] < nb["prev_DEC"]))
    return ~overlap.fillna(False).astype(bool)


def flag_x1_followed(ep: pd.DataFrame, nb: pd.DataFrame) -> pd.Series:
    """False where an episode ceased X1 but the child's next episode does not start on DEC."""
    x1 = (ep["REC"] == "X1").fillna(False) & ep["DEC"].notna() & ep["DECOM"].notna()
    followed = nb["has_next"] & (nb["next_DECOM"] == ep["DEC"])
    return ~(x1 & ~followed.fillna(False).astype(bool))


def flag_chain(ep: pd.DataFrame, nb: pd.DataFrame, return_start: pd.Timestamp) -> pd.Series:
    """False where an episode with RNE other than S does not follow an X1 ending that day.

    The first episode of a child in the return may carry on from before the return's start
    (its predecessor is not in this return), so it passes when it began before the start.
    """
    not_s = ep["RNE"].notna() & (ep["RNE"] != "S").fillna(False) & ep["DECOM"].notna()
    after_x1 = nb["has_prev"] & (nb["prev_REC"] == "X1").fillna(False) & (nb["prev_DEC"] == ep["DECOM"]).fillna(False)
    carried_on = ~nb["has_prev"] & (ep["DECOM"] < return_start).fillna(False)
    return ~(not_s & ~(after_x1 | carried_on))


def flag_s_not_after_x1(ep: pd.DataFrame, nb: pd.DataFrame) -> pd.Series:
    """False where RNE S follows an episode of the child that ceased X1 on the same day."""
    s = (ep["RNE"] == "S").fillna(False)
    after_x1 = nb["has_prev"] & (nb["prev_REC"] == "X1").fillna(False) & (nb["prev_DEC"] == ep["DECOM"]).fillna(False)
    return ~(s & after_x1)


def is_in(values: pd.Series, allowed: Iterable) -> pd.Series:
    """``values.isin(allowed)`` for large sets of strings, with the same result (blank is in
    only when ``allowed`` holds a blank).

    Through pyarrow's hash set on the Arrow arrays: the Arrow-string ``isin`` of pandas 3
    turns every allowed value into a Python object one by one (tens of seconds for a
    national header).
    """
    arr = pa.array(values, from_pandas=True)
    allowed_values = allowed if isinstance(allowed, (pd.Series, pd.Index)) else pd.Series(list(allowed), dtype=object)
    value_set = pa.array(allowed_values, from_pandas=True).cast(arr.type)  # repeats are fine
    hit = pc.is_in(arr, value_set=value_set).fill_null(False)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def flag_in(values: pd.Series, allowed: Iterable) -> pd.Series:
    """False where a non-blank value is not among `allowed` (e.g. CHILD not in the header)."""
    allowed_values = allowed if isinstance(allowed, pd.Series) else pd.Series(list(allowed), dtype=object)
    return values.isna() | is_in(values, allowed_values.dropna())


# --- permanence tracker --------------------------------------------------------------------


def stage_rank(route: pd.Series, stage: pd.Series, stages: Mapping[str, tuple[str, ...]],
               end_stages: Mapping[str, tuple[str, ...]]) -> pd.Series:
    """Position of each stage in its route (end stages rank after all others); NaN if unknown."""
    keys = route.astype("str") + "|" + stage.astype("str")
    table = {f"{r}|{s}": i for r, ss in stages.items() for i, s in enumerate(ss)}
    table.update({f"{r}|{s}": 100 for r, ss in end_stages.items() for s in ss})
    return keys.map(table).astype("float64")


def flag_stage_order(tracker: pd.DataFrame, rank: pd.Series) -> pd.Series:
    """False where a stage is dated before a stage that comes earlier in the same case."""
    ok = tracker["CASE_ID"].notna() & tracker["EVENT_DATE"].notna() & rank.notna()
    t = pd.DataFrame({"case": tracker["CASE_ID"], "rank": rank, "date": tracker["EVENT_DATE"]})[ok]
    t = t.sort_values(["case", "rank", "date"], kind="stable")
    cummax = t.groupby("case", sort=False)["date"].cummax()
    prev_max = cummax.groupby(t["case"], sort=False).shift(1)
    bad = (t["date"] < prev_max).fillna(False)
    out = pd.Series(True, index=tracker.index)
    out[bad[bad].index] = False
    return out


def flag_case_consistent(tracker: pd.DataFrame) -> pd.Series:
    """False for every row of a CASE_ID that has more than one CHILD or ROUTE."""
    g = tracker.groupby("CASE_ID", dropna=True)
    n = pd.concat([g["CHILD"].transform("nunique"), g["ROUTE"].transform("nunique")], axis=1).max(axis=1)
    return (n.reindex(tracker.index).fillna(1) <= 1).astype(bool)


def flag_outcome_matches(tracker: pd.DataFrame, episodes: pd.DataFrame,
                         outcomes: Mapping[str, tuple[str, tuple[str, ...]]],
                         covered_until: pd.Timestamp | None) -> pd.Series:
    """False where an outcome stage has no episode of the child ceasing that day with its REC.

    ``outcomes`` maps route -> (outcome stage, REC codes) (schema.TRACKER_OUTCOME). Outcome
    events after ``covered_until`` (the last day any return covers) pass: no return can hold
    their episode yet.
    """
    outcome_stage = tracker["ROUTE"].map({r: s for r, (s, _) in outcomes.items()})
    is_outcome = (tracker["STAGE"] == outcome_stage).fillna(False) & tracker["EVENT_DATE"].notna()
    if covered_until is not None:
        is_outcome &= (tracker["EVENT_DATE"] <= covered_until).fillna(False)
    rec_route = {rec: r for r, (_, recs) in outcomes.items() for rec in recs}
    ceased = episodes[episodes["DEC"].notna() & episodes["REC"].isin(list(rec_route))]
    ep_keys = pd.Index(
        ceased["CHILD"].astype("str") + "|" + ceased["DEC"].dt.strftime("%Y-%m-%d") + "|" + ceased["REC"].map(rec_route)
    )
    tr_keys = (
        tracker["CHILD"].astype("str") + "|" + tracker["EVENT_DATE"].dt.strftime("%Y-%m-%d") + "|" + tracker["ROUTE"].astype("str")
    )
    return ~(is_outcome & ~is_in(tr_keys, ep_keys))


# --- DfE 903 rules added as they are (rules DFE_<code>) ------------------------------------------

TEMPORARY_PLACES = ("T0", "T1", "T2", "T3", "T4")
NO_PROVIDER_PLACES = TEMPORARY_PLACES + ("Z11", "Z12", "Z13", "Z14")
# DfE rule -> (placement, minimum age at DECOM in years); the DfE checks closed episodes only.
# (370 was P2 under 15 until the 2022-23 collection.)
PLACE_MIN_AGE = {"370": ("P2", 16), "371": ("K3", 16), "372": ("R5", 10), "373": ("S1", 4), "374": ("P3", 14)}
P2_MIN_AGE_UNTIL_2023 = 15
# DfE rule -> (temporary placement, longest stay in days).
PLACE_MAX_DAYS = {"375": ("T1", 42), "376": ("T3", 21), "379": ("T4", 7)}
# DfE 222: placements that take no Ofsted URN, by the collection year the list applies from.
NO_URN_PLACES = {
    0: ("H5", "P1", "P2", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"),
    2024: ("P1", "P2", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"),
    2025: ("P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"),
    2026: ("P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14"),
}
RESPITE = ("V3", "V4")


def _is(values: pd.Series, codes: Iterable[str]) -> pd.Series:
    return values.isin(list(codes)).fillna(False).astype(bool)


CODE_COLUMNS = ("REC", "RNE", "LS", "PLACE")
AGES = (4, 10, 14, 15, 16, 18)  # the ages the DfE episode rules compare with


def as_categories(ep: pd.DataFrame) -> pd.DataFrame:
    """Code columns as categoricals: the many code-list tests then look at a few categories, not every row."""
    return ep.assign(**{c: ep[c].astype("category") for c in CODE_COLUMNS
                        if c in ep and not isinstance(ep[c].dtype, pd.CategoricalDtype)})


def _before(a: pd.Series, b: pd.Series) -> pd.Series:
    """a < b where both are dates; False where either is blank."""
    return (a < b).fillna(False).astype(bool)


def dfe_episode_flags(ep: pd.DataFrame, nb: pd.DataFrame, dob: pd.Series,
                      ages: dict[int, pd.Series] | None = None) -> dict[str, pd.Series]:
    """Per-row flags (True = passes) of the DfE episode rules added as they are.

    ``ep`` needs CHILD, DECOM, DEC (dates), REC, RNE, LS, PLACE, PLACE_PROVIDER; ``nb`` is
    :func:`neighbour_episodes`; ``dob`` the child's date of birth from the return's header.
    Ages follow :func:`add_years` (29 February birthdays on 1 March in common years);
    ``ages`` (:func:`birthdays` of ``dob`` for :data:`AGES`) may be given to save computing them.
    """
    ages = ages or birthdays(dob, AGES)
    ep = as_categories(ep)
    dec, decom, rec = ep["DEC"], ep["DECOM"], ep["REC"]
    has_dec = dec.notna()
    next_same_day = nb["has_next"] & (nb["next_DECOM"] == dec).fillna(False)
    prev_same_day = nb["has_prev"] & (nb["prev_DEC"] == decom).fillna(False)
    return {
        "ok_DFE_142": ~(nb["has_next"] & decom.notna() & (dec.isna() | rec.isna())),
        "ok_DFE_355": ~((dec == decom).fillna(False).astype(bool)),
        "ok_DFE_388": ~(rec.notna() & ~_is(rec, ["X1"]) & has_dec & next_same_day),
        "ok_DFE_437": ~(_is(rec, ["E2", "E15"]) & nb["has_next"]),
        "ok_DFE_431": ~(_is(ep["RNE"], ["S"]) & prev_same_day & ~_is(nb["prev_REC"], ["X1"])),
        "ok_DFE_386": ~(_is(rec, ["E11", "E12"]) & ~_before(dec, ages[18]) & has_dec & dob.notna()),
        "ok_DFE_407": ~(_is(rec, ["E45", "E46", "E47", "E48"]) & _before(ages[18], dec)),
        "ok_DFE_460": ~(_is(rec, ["E17"]) & _before(dec, ages[18])),
        "ok_DFE_389": ~(_is(rec, ["E7"]) & _before(dec, ages[16])),
        "ok_DFE_387": ~(_is(rec, ["E5", "E6"]) & _before(dec, ages[14])),
        "ok_DFE_358": ~(_is(ep["LS"], ["J1", "J2", "J3"]) & ~_before(ages[10], decom) & decom.notna() & dob.notna()),
        "ok_DFE_380": ~(_is(ep["PLACE"], TEMPORARY_PLACES) & ~_is(ep["RNE"], ["P", "B"])),
        "ok_DFE_213": ~(_is(ep["PLACE"], NO_PROVIDER_PLACES) & ep["PLACE_PROVIDER"].notna()),
    }


def no_urn_places(collection_year: int | None) -> tuple[str, ...]:
    """The DfE 222 list of placements without a URN for a collection year (the latest if None)."""
    year = collection_year if collection_year is not None else max(NO_URN_PLACES)
    return NO_URN_PLACES[max(k for k in NO_URN_PLACES if k <= year)]


def dfe_placement_flags(ep: pd.DataFrame, dob: pd.Series, collection_year: int | None = None,
                        ages: dict[int, pd.Series] | None = None) -> dict[str, pd.Series]:
    """Flags (True = passes) of the DfE rules on placement type against age, stay, legal
    status and the provider/URN fields: 370-376, 378, 379, 381, 382, 384, 214, 222.

    ``ep`` needs DECOM, DEC (dates), REC, LS, PLACE, PL_POST, URN; ``dob`` as for
    :func:`dfe_episode_flags`; the collection year picks the year's version of 370 and 222.
    """
    ages = ages or birthdays(dob, AGES)
    ep = as_categories(ep)
    place, ls, closed = ep["PLACE"], ep["LS"], ep["DEC"].notna() & ep["DECOM"].notna()
    out = {}
    for code, (code_place, years) in PLACE_MIN_AGE.items():
        if code == "370" and collection_year is not None and collection_year <= 2023:
            years = P2_MIN_AGE_UNTIL_2023
        out[f"ok_DFE_{code}"] = ~(_is(place, [code_place]) & closed & _before(ep["DECOM"], ages[years]))
    for code, (code_place, days) in PLACE_MAX_DAYS.items():
        out[f"ok_DFE_{code}"] = ~(_is(place, [code_place]) & _before(ep["DECOM"] + pd.Timedelta(days=days), ep["DEC"]) & dob.notna())
    respite = _is(ls, RESPITE)
    out.update({
        "ok_DFE_378": ~(_is(place, ["P1"]) & _is(ls, ["V2"])),
        "ok_DFE_381": ~(_is(place, TEMPORARY_PLACES) & ep["REC"].notna() & ~_is(ep["REC"], ["X1"])),
        "ok_DFE_382": ~(respite & _is(place, TEMPORARY_PLACES)),
        "ok_DFE_384": ~(respite & _is(place, ["U1", "U4"])),
        "ok_DFE_214": ~(respite & (ep["PL_POST"].notna() | ep["URN"].notna())),
        "ok_DFE_222": ~(_is(place, no_urn_places(collection_year)) & ep["URN"].notna() & ~_is(ep["URN"], ["XXXXXXX"])),
    })
    return out


def flag_dob_as_header(dob: pd.Series, header_dob: pd.Series) -> pd.Series:
    """False where a table's DOB differs from the header's DOB of the child (both read as dates)."""
    return ~((dob != header_dob) & dob.notna() & header_dob.notna()).fillna(False).astype(bool)


def dfe_oc3_flags(oc3: pd.DataFrame, dob: pd.Series, return_end: pd.Timestamp | None) -> dict[str, pd.Series]:
    """Flags of DfE 391 (care leaver information before 17) and 153 (all three items or none)."""
    filled = oc3[["IN_TOUCH", "ACTIV", "ACCOM"]].notna()
    too_young = _before(pd.Series(return_end, index=oc3.index, dtype="datetime64[ns]"), add_years(dob, 17)) \
        if return_end is not None else pd.Series(False, index=oc3.index)
    return {
        "ok_DFE_391": ~(too_young & filled.any(axis=1)),
        "ok_DFE_153": filled.all(axis=1) | ~filled.any(axis=1),
    }


# --- DfE 903 rules on episode sequences, respite, providers, adoption paths and the mother field ---

ADOPTION_PLACES = ("A3", "A4", "A5", "A6")
FOSTER_PLACES = ("U1", "U2", "U3", "U4", "U5", "U6")
# DfE rule -> (placement provider, placements it cannot provide).
PROVIDER_CANNOT_PLACE = {
    "527": ("PR1", ("P1", "R2", "R5")),
    "528": ("PR2", ("P1", "R2", "R5")),
    "529": ("PR3", (*ADOPTION_PLACES, "K1", "K2", "P1", *FOSTER_PLACES)),
    "530": ("PR4", ("P1",)),
    "531": ("PR5", ("P1",)),
}
# DfE rule -> (legal status, longest run of consecutive episodes under it, in days).
LEGAL_STATUS_MAX_DAYS = {"361": ("L1", 3), "362": ("L2", 21), "363": ("L3", 7), "364": ("J2", 21)}
RESPITE_EPISODE_MAX_DAYS = 17   # DfE 365: one short-term break (V3)
RESPITE_YEAR_MAX_DAYS = 75      # DfE 367: short-term breaks (V3) in the collection year
HOLIDAY_PLACEMENTS_MAX = 2      # DfE 377: T3 placements in the year
PLACE_CHANGE_CONTEXT = ("P", "B", "T", "U")  # DfE 225: RNE of a move that needs a reason
FEMALE = ("2", "F")
RETURN_SAME_POSTCODE_FROM = 2026  # DfE 383 also compares PL_POST from the 2025-26 collection


def neighbour_codes(ep: pd.DataFrame, columns: list[str], step: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    """Integer codes of ``columns`` for each episode and for the child's episode ``step`` places
    before (step > 0) or after (step < 0) it in DECOM order: (own codes, neighbour codes,
    whether the neighbour exists). Codes come from one factorisation per column (-1 blank,
    -2 no neighbour), so comparing an episode with its neighbour compares integers."""
    valid = (ep["CHILD"].notna() & ep["DECOM"].notna()).to_numpy()
    s = ep.loc[valid, ["CHILD", "DECOM"]].sort_values(["CHILD", "DECOM"], kind="stable")
    pos = ep.index.get_indexer(s.index)
    child = s["CHILD"].to_numpy()
    same = np.zeros(len(s), dtype=bool)
    if step > 0:
        same[step:] = child[step:] == child[:-step]
    elif step < 0:
        same[:step] = child[:step] == child[-step:]
    exists = np.zeros(len(ep), dtype=bool)
    exists[pos] = same
    own, other = {}, {}
    for c in columns:
        codes = pd.factorize(ep[c])[0]
        sorted_codes = codes[pos]
        shifted = np.full(len(sorted_codes), -2, dtype=np.int64)
        if step > 0:
            shifted[step:] = sorted_codes[:-step]
        elif step < 0:
            shifted[:step] = sorted_codes[-step:]
        shifted[~same] = -2
        out = np.full(len(ep), -2, dtype=np.int64)
        out[pos] = shifted
        own[c], other[c] = codes, out
    return own, other, exists


def _codes_of(ep: pd.DataFrame, column: str, wanted: Iterable[str]) -> np.ndarray:
    """The factorisation codes (as :func:`neighbour_codes` makes them) of the wanted values."""
    uniques = pd.factorize(ep[column])[1]
    return np.flatnonzero(pd.Index(uniques).isin(list(wanted)))


def _run_spans(ep: pd.DataFrame, rows: pd.Series, end: pd.Series) -> pd.Series:
    """For the rows in ``rows``: days from the first DECOM to the last end of the run of the
    child's consecutive such rows (each starting on or before the previous one's end)."""
    s = pd.DataFrame({"CHILD": ep["CHILD"], "DECOM": ep["DECOM"], "END": end})[rows & ep["DECOM"].notna()]
    s = s.sort_values(["CHILD", "DECOM"], kind="stable")
    new = (s["CHILD"] != s["CHILD"].shift()) | (s["DECOM"] > s["END"].shift()).fillna(True)
    run = new.cumsum()
    span = (s.groupby(run)["END"].transform("max") - s.groupby(run)["DECOM"].transform("min")).dt.days
    return span.reindex(ep.index)


def dfe_sequence_flags(ep: pd.DataFrame, return_start: pd.Timestamp | None,
                       return_end: pd.Timestamp | None, collection_year: int | None = None) -> dict[str, pd.Series]:
    """Flags (True = passes) of the DfE rules on placement providers (527-531, 550), adoption
    paths (199, 217, 336, 390, 445, 516), legal-status durations (361-364), short breaks
    (365-367, 398, 426), temporary and holiday placements (377, 383), reasons for a placement
    change (225, 226) and reasons for a new episode (434-436), as the DfE validator tests them.

    ``ep`` needs CHILD, DECOM, DEC (dates), REC, RNE, LS, PLACE, PLACE_PROVIDER, PL_POST, URN,
    HOME_POST, REASON_PLACE_CHANGE. An open episode runs to the return's end (``return_end``).
    The collection year picks the year's version of 383 (PL_POST compared from 2025-26).
    """
    ep = as_categories(ep)
    place, ls, rne, rec, provider = ep["PLACE"], ep["LS"], ep["RNE"], ep["REC"], ep["PLACE_PROVIDER"]
    decom = ep["DECOM"]
    end = ep["DEC"].fillna(return_end) if return_end is not None else ep["DEC"]
    placement = ["PLACE", "PL_POST", "URN", "PLACE_PROVIDER"]
    own, prev, has_prev = neighbour_codes(ep, ["LS", "REASON_PLACE_CHANGE", "RNE", *placement], 1)
    _, prev2, has_prev2 = neighbour_codes(ep, ["PLACE", "PL_POST"], 2)
    _, nxt, has_next = neighbour_codes(ep, ["RNE", "PLACE"], -1)
    ix = ep.index

    def among(codes: np.ndarray, column: str, wanted: Iterable[str]) -> pd.Series:
        return pd.Series(np.isin(codes, _codes_of(ep, column, wanted)), index=ix)

    def same(c: str) -> np.ndarray:  # equal and both filled (the DfE validator's ==)
        return (own[c] == prev[c]) & (own[c] >= 0) & (prev[c] >= 0)

    def same_filled(c: str) -> np.ndarray:  # equal, blanks equal to each other
        return own[c] == prev[c]

    has_prev_s, has_prev2_s, has_next_s = (pd.Series(a, index=ix) for a in (has_prev, has_prev2, has_next))
    out = {f"ok_DFE_{code}": ~(_is(place, places) & provider.eq(pr).fillna(False).astype(bool))
           for code, (pr, places) in PROVIDER_CANNOT_PLACE.items()}
    out["ok_DFE_550"] = ~(provider.eq("PR0").fillna(False).astype(bool) & ~_is(place, ["P1"]))
    for code, (status, days) in LEGAL_STATUS_MAX_DAYS.items():
        out[f"ok_DFE_{code}"] = ~(_run_spans(ep, _is(ls, [status]), end) > days).fillna(False).astype(bool)
    # adoption paths
    adopted = _is(rec, ["E11", "E12"])
    order = ep[["CHILD", "DECOM"]].assign(AD=adopted.astype(int)).dropna().sort_values(["CHILD", "DECOM"], kind="stable")
    adoptions_to_date = order.groupby("CHILD", sort=False)["AD"].cumsum().reindex(ep.index).fillna(0)
    out["ok_DFE_199"] = ~((adoptions_to_date > 0) & ~((adoptions_to_date == 1) & adopted))
    out["ok_DFE_217"] = ~(_is(place, ["A3", "A5"]) & _before(pd.Series(pd.Timestamp("2015-03-31"), index=ep.index), decom)
                          & ~_is(rne, ["S", "T", "U"]))
    out["ok_DFE_336"] = ~(_is(place, ["A3", "A4"]) & has_prev_s & ~among(prev["PLACE"], "PLACE", (*ADOPTION_PLACES, *FOSTER_PLACES)))
    out["ok_DFE_390"] = ~(adopted & ~_is(place, ADOPTION_PLACES))
    out["ok_DFE_445"] = ~(_is(ls, ["D1"]) & _before(pd.Series(pd.Timestamp("2005-12-31"), index=ep.index), decom))
    out["ok_DFE_516"] = ~(_is(rec, ["E45", "E46"]) & ~_is(place, FOSTER_PLACES))
    # short breaks (respite)
    v3 = _is(ls, ["V3"])
    out["ok_DFE_365"] = ~(v3 & _before(decom + pd.Timedelta(days=RESPITE_EPISODE_MAX_DAYS), end))
    out["ok_DFE_366"] = ~(v3 & ~_is(rne, ["S"]))
    out["ok_DFE_398"] = ~(_is(ls, RESPITE) & (ep["HOME_POST"].notna() | ep["PL_POST"].notna()))
    both = ep["CHILD"].isin(set(ep.loc[v3, "CHILD"]) & set(ep.loc[_is(ls, ["V4"]), "CHILD"]))
    out["ok_DFE_426"] = ~(_is(ls, RESPITE) & both)
    first = decom.where(decom >= return_start, return_start) if return_start is not None else decom
    last = end.where(end <= return_end, return_end) if return_end is not None else end
    days = (last - first).dt.days.where(v3 & decom.notna())
    counted = days > 0
    year_days = days.where(counted).groupby(ep["CHILD"]).transform("sum")
    out["ok_DFE_367"] = ~(counted & (year_days > RESPITE_YEAR_MAX_DAYS)).fillna(False).astype(bool)
    # temporary and holiday placements
    t3 = _is(place, ["T3"])
    out["ok_DFE_377"] = ~(t3 & (t3.groupby(ep["CHILD"]).transform("sum") > HOLIDAY_PLACEMENTS_MAX))
    def differs(c: str) -> np.ndarray:  # the validator's != (a blank differs from everything)
        return (own[c] != prev2[c]) | (own[c] == -1) | (prev2[c] == -1)

    back = ~_is(rne, ["P"]).to_numpy() | differs("PLACE")
    if collection_year is None or collection_year >= RETURN_SAME_POSTCODE_FROM:
        back |= differs("PL_POST")
    out["ok_DFE_383"] = ~(has_prev2_s & among(prev["PLACE"], "PLACE", TEMPORARY_PLACES) & pd.Series(back, index=ix))
    # reasons for a placement change and for a new episode
    rpc = ep["REASON_PLACE_CHANGE"]
    out["ok_DFE_225"] = ~(_is(rec, ["X1"]) & rpc.isna() & ~_is(place, TEMPORARY_PLACES) & has_next_s
                          & among(nxt["RNE"], "RNE", PLACE_CHANGE_CONTEXT) & ~among(nxt["PLACE"], "PLACE", TEMPORARY_PLACES))
    out["ok_DFE_226"] = ~(_is(place, TEMPORARY_PLACES) & (rpc.notna() | pd.Series(prev["REASON_PLACE_CHANGE"] >= 0, index=ix)))
    moved = pd.Series(np.any([~same_filled(c) for c in placement], axis=0), index=ix)
    same_place = pd.Series(np.all([same(c) for c in placement], axis=0), index=ix)
    same_place_filled = pd.Series(np.all([same_filled(c) for c in placement], axis=0), index=ix)
    same_ls, same_ls_filled = pd.Series(same("LS"), index=ix), pd.Series(same_filled("LS"), index=ix)
    out["ok_DFE_434"] = ~(has_prev_s & _is(rne, ["L"]) & (same_ls | moved))
    out["ok_DFE_435"] = ~(has_prev_s & _is(rne, ["P", "T"]) & (~same_ls | same_place))
    out["ok_DFE_436"] = ~(has_prev_s & _is(rne, ["U", "B"]) & (same_ls_filled | same_place_filled))
    return {k: v.fillna(False).astype(bool) if v.dtype != bool else v for k, v in out.items()}


def dfe_mother_episode_flag(ep: pd.DataFrame, sex: pd.Series, mother: pd.Series,
                            return_start: pd.Timestamp | None, return_end: pd.Timestamp | None) -> pd.Series:
    """DfE 607 (True = passes): a girl (header SEX 2 or F) who ceased to be looked after in the
    year (DEC in the return, REC other than X1, not a short break) needs MOTHER recorded.
    ``sex`` and ``mother`` are the child's header values aligned to ``ep``."""
    in_year = ep["DEC"].notna()
    if return_start is not None:
        in_year &= (ep["DEC"] >= return_start).fillna(False)
    if return_end is not None:
        in_year &= (ep["DEC"] <= return_end).fillna(False)
    ceased = in_year & ep["REC"].notna() & ~_is(ep["REC"], ["X1"]) & ~_is(ep["LS"], RESPITE)
    return ~(ceased & _is(sex, FEMALE) & mother.isna()).astype(bool)


def dfe_mother_header_flag(header: pd.DataFrame, looked_after: Iterable[str]) -> pd.Series:
    """DfE 393 (True = passes): a girl (SEX 2 or F) with an episode in the return that is not a
    short break needs MOTHER recorded; ``looked_after`` are those children."""
    return ~(_is(header["SEX"], FEMALE) & header["MOTHER"].isna() & is_in(header["CHILD"], pd.Series(list(looked_after), dtype=object))).astype(bool)
