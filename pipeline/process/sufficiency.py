"""Fact tables for the annual placement sufficiency analysis (DfE counting rules).

Every table has one row per thing counted and keeps the source key of the episode it
comes from (``CHILD``, ``DECOM``, ``SOURCE_FILE``, ``SOURCE_ROW``), with a ``YEAR`` column
holding the financial-year label ("2025-26") so that a published count is a
:class:`pipeline.tables.Selection` by equality. Dimension columns hold readable labels and
never missing values ("Not known" instead), so every row can be selected.

DfE rules applied here (docs/measures.md, sufficiency section, lists every departure):

- children looked after at 31 March: an episode open at the end of 31 March; a child whose
  episode ceased on 31 March is not counted;
- children looked after only under an agreed series of short breaks (LS V3/V4) are left out
  of every count: short-break episodes are removed before counting, a period of care made of
  short breaks only is not a period of care, and a period's start is the start of its first
  episode that is not a short break;
- started during the year: a child is counted once, on the first occasion in the year;
- ceased during the year: a child is counted once, on the last occasion in the year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import schema
from pipeline.periods import FinancialYear
from pipeline.process.episodes import age_in_years, band_ages, build_periods_of_care, select_open_on
from pipeline.process.uniques import apply_to_uniques

NOT_KNOWN = "Not known"
YES, NO = "Yes", "No"
KEY = ["CHILD", "DECOM", "SOURCE_FILE", "SOURCE_ROW"]

PROVIDER_LABELS = {"PR1": "In-house", "PR2": "Agency", "PR3": "Agency", "PR4": "Agency", "PR5": "Agency"}
PROVIDERS = ("In-house", "Agency", "Not applicable")

LEGAL_STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "Interim care order": ("C1",),
    "Full care order": ("C2",),
    "Placement order": ("E1", "D1"),
    "Voluntary agreement (section 20)": ("V2",),
    "Youth justice legal statuses": ("J1", "J2", "J3"),
    "Emergency or police protection": ("L1", "L2", "L3"),
}

# Reasons a child ceased to be looked after, as the sufficiency strategy's table (seed 004).
CEASED_REASONS: dict[str, tuple[str, ...]] = {
    "Adopted": ("E11", "E12"),
    "Special guardianship order": ("E45", "E46", "E47", "E48"),
    "Child arrangements (residence) order": ("E41",),
    "Returned home to parents or others with parental responsibility": ("E4A", "E4B"),
    "Left care to live with parents or relatives without parental responsibility": ("E13",),
    "Moved into independent living": ("E5", "E6"),
    "Aged 18 and stayed with carers (staying put)": ("E17",),
    "Accommodation on remand ended": ("E14",),
    "Age assessment found the child to be 18 or over": ("E15",),
    "Care taken over by another local authority": ("E3",),
    "Transferred to adult social care": ("E7",),
    "Sentenced to custody": ("E9",),
    "Moved abroad": ("E16",),
    "Died": ("E2",),
    "Ceased for any other reason": ("E8",),
}

DURATION_BANDS = ("Under 3 months", "3 to 6 months", "6 months to 1 year", "1 to 3 years",
                  "3 to 5 years", "5 years and over")
# Upper bound of each band in months (a stay of exactly 3 months is in "3 to 6 months").
_DURATION_MONTHS = (3, 6, 12, 36, 60)

# Placements that do not count as a placement for stability (temporary moves).
TEMPORARY_PLACEMENTS = ("T0", "T1", "T2", "T3", "T4")
# Reasons for a new episode that mean a new placement.
NEW_PLACEMENT_RNE = ("S", "P", "T", "B", "U")

DISTANCE_BANDS = ("20 miles or more", "Under 20 miles", NOT_KNOWN)
LOCATIONS = ("Inside the LA", "Outside the LA", NOT_KNOWN)
TIME_IN_CARE_BANDS = ("Under 1 year", "1 year or more")


# --- small rules -----------------------------------------------------------------------------


def list_fact_years(params) -> list[FinancialYear]:
    """The years facts are built for: the trend years and the year before the first of them
    (whose 31 March stock opens the stock-flow reconciliation)."""
    years = params.trend_financial_years
    return [years[0].shift(-1), *years]


def label_providers(provider: pd.Series) -> pd.Series:
    """In-house (PR1), Agency (PR2-PR5: other LA, public, private, voluntary), else Not applicable."""
    return apply_to_uniques(provider, lambda u: u.map(PROVIDER_LABELS).fillna("Not applicable").astype("string"))


def group_codes(codes: pd.Series, groups: dict[str, tuple[str, ...]]) -> pd.Series:
    """Label each code with its group's name; codes in no group (or missing) are Not known."""
    lookup = {code: name for name, members in groups.items() for code in members}
    return apply_to_uniques(codes, lambda u: u.map(lookup).fillna(NOT_KNOWN).astype("string"))


def band_durations(start: pd.Series, end: pd.Series) -> pd.Series:
    """Duration band of each stay from start to end, by calendar months (DURATION_BANDS)."""
    out = pd.Series(DURATION_BANDS[-1], index=start.index, dtype="string")
    for months, label in reversed(list(zip(_DURATION_MONTHS, DURATION_BANDS[:-1], strict=True))):
        bound = start + pd.DateOffset(months=months)
        out = out.mask(end < bound, label)
    return out.where(start.notna() & end.notna())


def band_distances(miles: pd.Series, far_miles: float) -> pd.Series:
    """'20 miles or more' (at or beyond far_miles), 'Under 20 miles', or Not known."""
    far = f"{far_miles:g} miles or more"
    near = f"Under {far_miles:g} miles"
    out = pd.Series(NOT_KNOWN, index=miles.index, dtype="string")
    known = miles.notna()
    out[known & (miles >= far_miles)] = far
    out[known & (miles < far_miles)] = near
    return out


def label_locations(in_la: pd.Series) -> pd.Series:
    """Inside the LA / Outside the LA / Not known from a nullable boolean."""
    out = pd.Series(NOT_KNOWN, index=in_la.index, dtype="string")
    known = in_la.notna()
    out[known & in_la.fillna(False).astype(bool)] = "Inside the LA"
    out[known & ~in_la.fillna(True).astype(bool)] = "Outside the LA"
    return out


def group_ethnicities(ethnic: pd.Series) -> pd.Series:
    """Ethnic group (schema.ETHNIC_GROUPS) of each ETHNIC code; missing codes are Not known."""
    return group_codes(ethnic, {k: v for k, v in schema.ETHNIC_GROUPS.items()})


def age_in_months(dob: pd.Series, day: pd.Timestamp) -> pd.Series:
    """Whole months of age on `day` (a monthly birthday on the day counts)."""
    months = (day.year - dob.dt.year) * 12 + (day.month - dob.dt.month) - (day.day < dob.dt.day).astype(int)
    return months.astype("Int64")


def _yes_no(flag: pd.Series) -> pd.Series:
    return apply_to_uniques(flag, lambda u: u.map({True: YES, False: NO}).astype("string"))


def _day(d) -> pd.Timestamp:
    return pd.Timestamp(d)


def _period_starts(rows: pd.DataFrame, periods: pd.DataFrame) -> pd.Series:
    """START of the period of care (CHILD, PERIOD_NO) of each row, aligned with rows."""
    keyed = rows[["CHILD", "PERIOD_NO"]].merge(periods[["CHILD", "PERIOD_NO", "START"]],
                                               on=["CHILD", "PERIOD_NO"], how="left")
    return pd.Series(keyed["START"].to_numpy(), index=rows.index)


# --- periods of care under the short-break rule ----------------------------------------------


def build_care_periods(episodes: pd.DataFrame, periods_of_care: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per period of care that is not made of short breaks only.

    START is the DECOM of the period's first episode that is not a short break, and the
    source key is that episode's; END, REC and EXIT_ROUTE are those of the whole period
    (missing while open). Expects the frame from derive_episode_fields and, when already
    built, its periods of care (build_periods_of_care; built here otherwise)."""
    cols = KEY + ["PERIOD_NO", "DOB", "SEX", "ETHNIC", "LS", "PLACEMENT_GROUP", "DEC", "REC", "EXIT_ROUTE", "RNE",
                  "SHORT_BREAK"]
    cols += [c for c in ("HOME_DISTRICT",) if c in episodes.columns]
    ep = episodes[cols].sort_values(["CHILD", "DECOM"], kind="stable")
    if periods_of_care is None:
        periods_of_care = build_periods_of_care(ep)
    whole = periods_of_care[["CHILD", "PERIOD_NO", "END", "REC", "EXIT_ROUTE"]]
    first = ep[~ep["SHORT_BREAK"].astype(bool)].groupby(["CHILD", "PERIOD_NO"], sort=False).head(1)
    cols = KEY + ["PERIOD_NO", "DOB", "SEX", "ETHNIC", "LS", "PLACEMENT_GROUP"]
    cols += [c for c in ("HOME_DISTRICT",) if c in first.columns]
    periods = first[cols].rename(columns={"DECOM": "START"}).merge(whole, on=["CHILD", "PERIOD_NO"], how="left")
    periods["DECOM"] = periods["START"]
    periods["AGE_AT_START"] = age_in_years(periods["DOB"], periods["START"])
    periods["AGE_BAND"] = band_ages(periods["AGE_AT_START"]).fillna(NOT_KNOWN)
    return periods.reset_index(drop=True)


# --- children looked after at 31 March --------------------------------------------------------


def count_placements_in_year(episodes: pd.DataFrame, year: FinancialYear) -> pd.Series:
    """Number of placements each child had during the year (DfE stability rule), by CHILD.

    Counted over the child's episodes open at any time in the year, leaving out short
    breaks (LS V3/V4) and temporary placements (PLACE T0-T4): the first such episode in the
    year is one placement, and each later one whose RNE is S, P, T, B or U is another,
    except a return to the same placement (PLACE, PLACE_PROVIDER, URN and PL_POST all equal
    to the previous counted episode's) after a temporary move."""
    return _count_placements_sorted(_sort_placement_columns(episodes), year)


def _sort_placement_columns(episodes: pd.DataFrame) -> pd.DataFrame:
    """The columns count_placements_in_year uses, sorted by CHILD and DECOM (once for many years)."""
    ident_cols = [c for c in ("PLACE", "PLACE_PROVIDER", "URN", "PL_POST") if c in episodes.columns]
    cols = list(dict.fromkeys(["CHILD", "DECOM", "DEC", "SHORT_BREAK", "PLACE", "RNE", *ident_cols]))
    return episodes[cols].sort_values(["CHILD", "DECOM"], kind="stable")


def _count_placements_sorted(episodes: pd.DataFrame, year: FinancialYear) -> pd.Series:
    start, end = _day(year.start), _day(year.end)
    ident_cols = [c for c in ("PLACE", "PLACE_PROVIDER", "URN", "PL_POST") if c in episodes.columns]
    ep = episodes[   # still sorted by CHILD and DECOM
        (episodes["DECOM"] <= end)
        & (episodes["DEC"].isna() | (episodes["DEC"] >= start))
        & ~episodes["SHORT_BREAK"].astype(bool)
        & ~episodes["PLACE"].isin(TEMPORARY_PLACEMENTS)
    ]
    if ep.empty:
        return pd.Series(dtype="int64", name="N_PLACEMENTS")
    first = ~ep["CHILD"].eq(ep["CHILD"].shift())
    same_as_prev = ~first
    for c in ident_cols:   # a missing value is the same as an empty one
        value = ep[c].astype("string").fillna("")
        same_as_prev &= value.eq(value.shift()).fillna(False).astype(bool)
    new = first | (ep["RNE"].isin(NEW_PLACEMENT_RNE) & ~same_as_prev)
    return new.groupby(ep["CHILD"]).sum().astype("int64").rename("N_PLACEMENTS")


def _uasc_on(children: pd.Series, uasc: pd.DataFrame | None, day: pd.Timestamp) -> pd.Series:
    """Yes if the child is in the UASC table and had not ceased to be UASC by `day`."""
    if uasc is None:
        return pd.Series(NOT_KNOWN, index=children.index, dtype="string")
    u = uasc[["CHILD", "DUC"]].copy()
    u["STILL"] = u["DUC"].isna() | (u["DUC"] > day)
    still = u.groupby("CHILD")["STILL"].any()
    flag = children.isin(still.index[still.to_numpy()])
    return _yes_no(flag)


def build_cla_31_march(episodes: pd.DataFrame, periods: pd.DataFrame, uasc: pd.DataFrame | None,
                       years: list[FinancialYear], far_miles: float) -> pd.DataFrame:
    """One row per child looked after at 31 March of each year (short breaks excluded),
    with the open episode's source key and the fields the sufficiency tables count by."""
    cols = KEY + ["DEC", "SHORT_BREAK", "PERIOD_NO", "DOB", "SEX", "PLACE", "PLACEMENT_GROUP", "PLACE_PROVIDER",
                  "ETHNIC", "CIN", "LS"]
    cols += [c for c in ("DISTANCE_MILES", "HOME_DISTRICT", "PL_IN_LA") if c in episodes.columns]
    # sorted once: every subset below stays sorted by CHILD and DECOM
    narrow = episodes[cols].assign(PERIOD_START=_period_starts(episodes, periods)).sort_values(
        ["CHILD", "DECOM"], kind="stable")
    placement_episodes = _sort_placement_columns(episodes)
    frames = []
    for year in years:
        day = _day(year.end)
        open_ = select_open_on(narrow, day)
        open_ = open_[~open_["SHORT_BREAK"].astype(bool)].drop_duplicates("CHILD", keep="last")
        f = open_[KEY].copy()
        f.insert(0, "YEAR", year.label)
        f["DATE"] = day
        f["AGE"] = age_in_years(open_["DOB"], day)
        f["AGE_BAND"] = band_ages(f["AGE"]).fillna(NOT_KNOWN)
        f["AGE_MONTHS"] = age_in_months(open_["DOB"], day)
        f["SEX"] = open_["SEX"].astype("string")
        f["PLACE"] = open_["PLACE"].astype("string")
        f["PLACEMENT_GROUP"] = open_["PLACEMENT_GROUP"].astype("string")
        f["PROVIDER"] = label_providers(open_["PLACE_PROVIDER"])
        f["ETHNIC"] = open_["ETHNIC"].astype("string").fillna(NOT_KNOWN)
        f["ETHNIC_GROUP"] = group_ethnicities(open_["ETHNIC"])
        f["DISABLED"] = _yes_no(open_["CIN"].eq("N2"))
        f["UASC"] = _uasc_on(open_["CHILD"], uasc, day)
        f["LS"] = open_["LS"].astype("string")
        f["LEGAL_STATUS"] = group_codes(open_["LS"], LEGAL_STATUS_GROUPS)
        has_geo = "DISTANCE_MILES" in open_.columns
        miles = open_["DISTANCE_MILES"] if has_geo else pd.Series(pd.NA, index=open_.index, dtype="Float64")
        f["HOME_DISTRICT"] = (open_["HOME_DISTRICT"].astype("string").replace("OUTSIDE", "Outside the LA")
                              .fillna(NOT_KNOWN)) if has_geo else NOT_KNOWN
        f["DISTANCE_MILES"] = miles.astype("Float64")
        f["DISTANCE_BAND"] = band_distances(f["DISTANCE_MILES"], far_miles)
        in_la = open_["PL_IN_LA"] if has_geo else pd.Series(pd.NA, index=open_.index, dtype="boolean")
        f["LOCATION"] = label_locations(in_la.astype("boolean"))
        f["PERIOD_START"] = open_["PERIOD_START"]
        in_care_years = (day - f["PERIOD_START"]).dt.days / 365.25
        f["TIME_IN_CARE"] = np.where(in_care_years < 1, TIME_IN_CARE_BANDS[0], TIME_IN_CARE_BANDS[1])
        placements = _count_placements_sorted(placement_episodes, year)
        f["N_PLACEMENTS"] = f["CHILD"].map(placements).fillna(0).astype("int64")
        f["PLACEMENTS_3PLUS"] = _yes_no(f["N_PLACEMENTS"] >= 3)
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def build_short_breaks_31_march(episodes: pd.DataFrame, periods: pd.DataFrame,
                                years: list[FinancialYear]) -> pd.DataFrame:
    """Children whose episode open at 31 March is a short break (not looked after for the
    DfE counts); IN_PERIOD is Yes when it falls inside a period of care that had already
    started (a stock-flow exception: the period is open but the child is not counted)."""
    narrow = episodes[KEY + ["DEC", "SHORT_BREAK", "PERIOD_NO"]]
    narrow = narrow[narrow["SHORT_BREAK"].astype(bool)]
    narrow = narrow.assign(PERIOD_START=_period_starts(narrow, periods))   # once for every year
    frames = []
    for year in years:
        day = _day(year.end)
        sb = select_open_on(narrow, day).drop_duplicates("CHILD", keep="last")
        f = sb[KEY].copy()
        f.insert(0, "YEAR", year.label)
        f["IN_PERIOD"] = _yes_no(sb["PERIOD_START"].le(day).fillna(False).astype(bool))
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


# --- flows -----------------------------------------------------------------------------------


def _in_year(dates: pd.Series, year: FinancialYear) -> pd.Series:
    return (dates >= _day(year.start)) & (dates <= _day(year.end))


def build_admissions(periods: pd.DataFrame, years: list[FinancialYear]) -> pd.DataFrame:
    """Children who started to be looked after in each year: one row per child, the first
    period that started in the year; with age band and placement group at the start."""
    frames = []
    for year in years:
        p = periods[_in_year(periods["START"], year)].sort_values(["CHILD", "START"], kind="stable")
        first = p.drop_duplicates("CHILD", keep="first")
        f = first[KEY + ["START", "AGE_AT_START", "AGE_BAND", "PLACEMENT_GROUP", "LS"]].copy()
        f["N_STARTS_IN_YEAR"] = first["CHILD"].map(p["CHILD"].value_counts()).astype("int64")
        f.insert(0, "YEAR", year.label)
        f["LEGAL_STATUS"] = group_codes(f["LS"], LEGAL_STATUS_GROUPS)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def build_ceased(periods: pd.DataFrame, years: list[FinancialYear]) -> pd.DataFrame:
    """Children who ceased to be looked after in each year: one row per child, the last
    period that ended in the year, with the reason group and the duration band of that period."""
    frames = []
    for year in years:
        p = periods[periods["END"].notna() & _in_year(periods["END"], year)]
        p = p.sort_values(["CHILD", "END"], kind="stable")
        last = p.drop_duplicates("CHILD", keep="last")
        f = last[KEY + ["START", "END", "REC", "EXIT_ROUTE"]].copy()
        f["N_CEASES_IN_YEAR"] = last["CHILD"].map(p["CHILD"].value_counts()).astype("int64")
        f.insert(0, "YEAR", year.label)
        f["REASON"] = group_codes(last["REC"], CEASED_REASONS)
        f["DURATION_DAYS"] = (last["END"] - last["START"]).dt.days.astype("int64")
        f["DURATION_BAND"] = band_durations(last["START"], last["END"]).fillna(NOT_KNOWN)
        f["AGE_AT_END"] = age_in_years(last["DOB"], last["END"])
        f["AGE_BAND"] = band_ages(f["AGE_AT_END"]).fillna(NOT_KNOWN)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def build_period_flows(periods: pd.DataFrame, years: list[FinancialYear]) -> pd.DataFrame:
    """Every period of care started or ended in each year (not one per child), for the
    stock-flow reconciliation: FLOW is 'started' or 'ceased'."""
    frames = []
    for year in years:
        for flow, col in (("started", "START"), ("ceased", "END")):
            p = periods[periods[col].notna() & _in_year(periods[col], year)]
            f = p[KEY].copy()
            f.insert(0, "YEAR", year.label)
            f["FLOW"] = flow
            frames.append(f)
    return pd.concat(frames, ignore_index=True)


# --- care leavers, local files ---------------------------------------------------------------


def label_accommodation_suitability(accom: pd.Series) -> pd.Series:
    """OC3 ACCOM codes end in 1 (suitable) or 2 (unsuitable); anything else is Not known."""
    last = accom.astype("string").str.strip().str[-1]
    return last.map({"1": "Suitable", "2": "Not suitable"}).fillna(NOT_KNOWN).astype("string")


def build_care_leavers(oc3: pd.DataFrame) -> pd.DataFrame:
    """One row per care leaver in each annual return's OC3 table (the year is the return's),
    with contact (IN_TOUCH) and whether the accommodation is suitable."""
    f = oc3.copy()
    label = f["RETURN"].astype("string").str.slice(0, 7)
    out = pd.DataFrame({"YEAR": label, "CHILD": f["CHILD"], "SOURCE_FILE": f.get("SOURCE_FILE"),
                        "SOURCE_ROW": f.get("SOURCE_ROW")})
    out["IN_TOUCH"] = f["IN_TOUCH"].astype("string").fillna(NOT_KNOWN)
    out["IN_TOUCH_GROUP"] = out["IN_TOUCH"].map({"YES": "In touch", "NO": "Not in touch", "REFU": "Not in touch"}) \
        .fillna("Other (died, not required, returned home)").astype("string")
    out["ACCOM"] = f["ACCOM"].astype("string").fillna(NOT_KNOWN) if "ACCOM" in f else NOT_KNOWN
    out["ACCOMMODATION"] = label_accommodation_suitability(f["ACCOM"]) if "ACCOM" in f else NOT_KNOWN
    annual = f["RETURN"].astype("string").str.fullmatch(r"\d{4}-\d{2}")
    return out[annual.fillna(False).to_numpy()].drop_duplicates(["YEAR", "CHILD"]).reset_index(drop=True)


def build_fostering_capacity(capacity: pd.DataFrame) -> pd.DataFrame:
    """The fostering capacity file, one row per financial year, with YEAR as the label."""
    f = capacity.copy()
    f.insert(0, "YEAR", f["FINANCIAL_YEAR"].astype("string").str.strip())
    return f.drop_duplicates("YEAR", keep="last").reset_index(drop=True)


def build_unit_costs(unit_costs: pd.DataFrame) -> pd.DataFrame:
    """The unit costs file with YEAR as the label (one row per year, group and age band)."""
    f = unit_costs.copy()
    f.insert(0, "YEAR", f["FINANCIAL_YEAR"].astype("string").str.strip())
    return f.drop_duplicates(["YEAR", "PLACEMENT_GROUP", "AGE_BAND"], keep="last").reset_index(drop=True)


def build_placement_days(episodes: pd.DataFrame, unit_costs: pd.DataFrame | None,
                         years: list[FinancialYear]) -> pd.DataFrame:
    """One row per episode (not a short break) open during each year: the days of the year
    it covers, the child's age band at the start of those days, and, when unit costs are
    given, the cost of those days (annual cost for the group and age band, or its ALL row,
    times days / days in the year). A missing cost is left missing, never zero."""
    episodes = episodes[KEY + ["DEC", "SHORT_BREAK", "PLACEMENT_GROUP", "DOB"]]
    frames = []
    for year in years:
        start, end = _day(year.start), _day(year.end)
        ep = episodes[(episodes["DECOM"] <= end) & (episodes["DEC"].isna() | (episodes["DEC"] > start))
                      & ~episodes["SHORT_BREAK"].astype(bool)]
        first = ep["DECOM"].where(ep["DECOM"] > start, start)
        stop = ep["DEC"].where(ep["DEC"].notna() & (ep["DEC"] <= end), end + pd.Timedelta(days=1))
        f = ep[KEY].copy()
        f.insert(0, "YEAR", year.label)
        f["PLACEMENT_GROUP"] = ep["PLACEMENT_GROUP"].astype("string")
        f["AGE_BAND"] = band_ages(age_in_years(ep["DOB"], first)).fillna(NOT_KNOWN)
        f["DAYS"] = (stop - first).dt.days.astype("int64")
        days_in_year = (end - start).days + 1
        if unit_costs is not None:
            uc = unit_costs[unit_costs["YEAR"] == year.label]
            banded = f[["PLACEMENT_GROUP", "AGE_BAND"]].astype("object").merge(
                uc[["PLACEMENT_GROUP", "AGE_BAND", "ANNUAL_COST"]].astype({"PLACEMENT_GROUP": "object", "AGE_BAND": "object"}),
                on=["PLACEMENT_GROUP", "AGE_BAND"], how="left")["ANNUAL_COST"]
            all_ages = uc[uc["AGE_BAND"] == "ALL"].set_index("PLACEMENT_GROUP")["ANNUAL_COST"]
            cost = pd.Series(banded.to_numpy(), index=f.index).astype("Float64")
            cost = cost.fillna(f["PLACEMENT_GROUP"].map(all_ages).astype("Float64"))
            f["ANNUAL_COST"] = cost
            f["COST"] = (cost * f["DAYS"] / days_in_year).astype("Float64")
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


# --- monthly transitions for the projection ---------------------------------------------------


def list_month_ends(year: FinancialYear, window_years: int) -> pd.DatetimeIndex:
    """Month ends from `window_years` years before `year`'s 31 March up to it (12w + 1 dates)."""
    end = _day(year.end)
    return pd.date_range(end=end, periods=window_years * 12 + 1, freq="ME")


def snapshot_month_ends(episodes: pd.DataFrame, periods: pd.DataFrame, ends: pd.DatetimeIndex) -> pd.DataFrame:
    """One row per child looked after (short breaks excluded) at each month end: K (index in
    `ends`), CHILD (an integer code per child), DOB, GROUP (placement group), AGE and
    TIME_IN_CARE band on that day; GROUP and TIME_IN_CARE are categoricals."""
    ep = episodes.loc[~episodes["SHORT_BREAK"].astype(bool), ["CHILD", "DOB", "PERIOD_NO", "PLACEMENT_GROUP", "DECOM", "DEC"]]
    values = ends.to_numpy()
    i0 = np.searchsorted(values, ep["DECOM"].to_numpy(), side="left")
    dec = ep["DEC"].to_numpy()
    i1 = np.where(pd.isna(dec), len(ends), np.searchsorted(values, dec, side="left"))
    n = np.clip(i1 - i0, 0, None)
    rows = np.repeat(np.arange(len(ep)), n)
    offsets = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    k = i0[rows] + offsets
    child = pd.factorize(ep["CHILD"])[0].astype(np.int64)[rows]
    last = ~pd.Series(child * (len(ends) + 1) + k).duplicated(keep="last").to_numpy()
    rows, k = rows[last], k[last]
    index = pd.RangeIndex(len(last))[last]
    day = pd.Series(values[k], index=index)
    dob = pd.Series(ep["DOB"].to_numpy()[rows], index=index)
    start = pd.Series(_period_starts(ep, periods).to_numpy()[rows], index=index)
    settled = ~((day - start).dt.days.to_numpy() < 365.25)
    return pd.DataFrame({
        "K": k,
        "CHILD": child[last],
        "DOB": dob,
        "GROUP": pd.Categorical(ep["PLACEMENT_GROUP"]).take(rows),
        "AGE": age_in_years(dob, day),
        "TIME_IN_CARE": pd.Categorical.from_codes(settled.astype(np.int8), categories=list(TIME_IN_CARE_BANDS)),
    }, index=index)


def _sorted_codes(codes: np.ndarray, labels: list[str]) -> tuple[np.ndarray, list[str]]:
    """`codes` into `labels` renumbered so that code order is the labels' sorted order."""
    order = sorted(range(len(labels)), key=labels.__getitem__)
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels))
    return rank[codes], [labels[i] for i in order]


def build_care_transitions(episodes: pd.DataFrame, periods: pd.DataFrame, year: FinancialYear,
                           window_years: int) -> pd.DataFrame:
    """Month-to-month moves of the looked-after population over the `window_years` years
    ending at `year`'s 31 March, aggregated: FROM/TO is a placement group or OUT; AGE and
    TIME_IN_CARE are the child's at the earlier month end (for entrants: AGE at the later one
    and Under 1 year); AGED_OUT marks children who left care by turning 18; N is the count.
    Counted on integer codes; labels are put back on the aggregated rows."""
    ends = list_month_ends(year, window_years)
    snap = snapshot_month_ends(episodes, periods, ends)
    # (child, month end) as one integer: the same child a month later is key + 1
    snap = snap.assign(KEY=snap["CHILD"].to_numpy() * (len(ends) + 1) + snap["K"].to_numpy())
    before = snap.loc[snap["K"] < len(ends) - 1, ["KEY", "DOB", "GROUP", "AGE", "TIME_IN_CARE"]]
    before = before.assign(KEY=before["KEY"] + 1)
    after = snap.loc[snap["K"] > 0, ["KEY", "DOB", "GROUP", "AGE"]]
    m = before.merge(after, on="KEY", how="outer", suffixes=("", "_TO"))
    k = m["KEY"].to_numpy() % (len(ends) + 1)
    from_code = m["GROUP"].cat.codes.to_numpy()
    entrants = from_code < 0
    dob = m["DOB"].fillna(m["DOB_TO"])
    age_later = age_in_years(dob, pd.Series(ends.to_numpy()[k], index=m.index))
    groups = list(snap["GROUP"].cat.categories) + ["OUT"]
    out_code = len(groups) - 1
    to_code = m["GROUP_TO"].cat.codes.to_numpy()
    from_rank, group_labels = _sorted_codes(np.where(entrants, out_code, from_code), groups)
    to_rank, _ = _sorted_codes(np.where(to_code < 0, out_code, to_code), groups)
    tic_code = np.where(entrants, 0, m["TIME_IN_CARE"].cat.codes.to_numpy())
    tic_rank, tic_labels = _sorted_codes(tic_code, list(TIME_IN_CARE_BANDS))
    out = pd.DataFrame({
        "MONTH_END": ends.to_numpy()[k],
        "FROM": from_rank,
        "TO": to_rank,
        "AGE": m["AGE"].astype("Int64").where(~entrants, age_later),
        "TIME_IN_CARE": tic_rank,
        # the string comparison this replaces gave Arrow booleans; the fact keeps that dtype
        "AGED_OUT": pd.array((to_code < 0) & age_later.ge(18).fillna(False).astype(bool).to_numpy(),
                             dtype="bool[pyarrow]"),
    })
    keys = ["MONTH_END", "FROM", "TO", "AGE", "TIME_IN_CARE", "AGED_OUT"]
    counts = out.groupby(keys, dropna=False).size().rename("N").reset_index()
    return counts.assign(
        FROM=pd.array(group_labels, dtype="string")[counts["FROM"].to_numpy()],
        TO=pd.array(group_labels, dtype="string")[counts["TO"].to_numpy()],
        TIME_IN_CARE=pd.array(tic_labels, dtype="str")[counts["TIME_IN_CARE"].to_numpy()],
    )


# --- the whole set ---------------------------------------------------------------------------


def build_stock_facts(validated: dict[str, pd.DataFrame], episodes: pd.DataFrame, care_periods: pd.DataFrame,
                      params) -> dict[str, pd.DataFrame]:
    """cla_31_march and short_breaks_31_march for every fact year."""
    years = list_fact_years(params)
    return {
        "cla_31_march": build_cla_31_march(episodes, care_periods, validated.get("uasc"), years, params.far_miles),
        "short_breaks_31_march": build_short_breaks_31_march(episodes, care_periods, years),
    }


def build_flow_facts(care_periods: pd.DataFrame, params) -> dict[str, pd.DataFrame]:
    """admissions, ceased and period_flows for every fact year."""
    years = list_fact_years(params)
    return {
        "admissions": build_admissions(care_periods, years),
        "ceased": build_ceased(care_periods, years),
        "period_flows": build_period_flows(care_periods, years),
    }


def build_transition_facts(episodes: pd.DataFrame, care_periods: pd.DataFrame, params) -> dict[str, pd.DataFrame]:
    """care_transitions over the projection's window ending at the sufficiency year."""
    return {"care_transitions": build_care_transitions(episodes, care_periods, params.sufficiency_year,
                                                       params.projection.window_years)}


def build_local_facts(validated: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """population, care_leavers (oc3), fostering_capacity and unit_costs, each when its
    source is present."""
    facts: dict[str, pd.DataFrame] = {}
    if validated.get("population") is not None:
        facts["population"] = validated["population"].copy()
    if validated.get("oc3") is not None:
        facts["care_leavers"] = build_care_leavers(validated["oc3"])
    if validated.get("fostering_capacity") is not None:
        facts["fostering_capacity"] = build_fostering_capacity(validated["fostering_capacity"])
    if validated.get("unit_costs") is not None:
        facts["unit_costs"] = build_unit_costs(validated["unit_costs"])
    return facts


def build_cost_facts(validated: dict[str, pd.DataFrame], episodes: pd.DataFrame, params) -> dict[str, pd.DataFrame]:
    """placement_days for every fact year, costed when unit costs are present."""
    unit_costs = validated.get("unit_costs")
    unit_costs = build_unit_costs(unit_costs) if unit_costs is not None else None
    return {"placement_days": build_placement_days(episodes, unit_costs, list_fact_years(params))}


def build_sufficiency_facts(validated: dict[str, pd.DataFrame], episodes: pd.DataFrame, params,
                            periods_of_care: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Every sufficiency fact table from the validated tables and the derived episodes
    (pipeline.process.episodes.derive_episode_fields, with postcodes when available) and,
    when already built, their periods of care (build_periods_of_care).

    Tables: care_periods, cla_31_march, short_breaks_31_march, admissions, ceased, period_flows,
    placement_days, care_transitions and, when their source is present, care_leavers (oc3),
    fostering_capacity, unit_costs and population (passed through for rates). An absent source gives no table (measures then
    report it as unavailable)."""
    periods = build_care_periods(episodes, periods_of_care)
    return {
        "care_periods": periods,
        **build_stock_facts(validated, episodes, periods, params),
        **build_flow_facts(periods, params),
        **build_transition_facts(episodes, periods, params),
        **build_local_facts(validated),
        **build_cost_facts(validated, episodes, params),
    }
