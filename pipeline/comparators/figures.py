"""The DfE's published figures the sufficiency paper compares with, as one tidy frame (pure).

The inputs are the DfE's files as downloaded from Explore Education Statistics (tidy CSVs
with ``time_period, geographic_level, region_name, old_la_code, la_name`` and filter and
indicator columns) and the statistical-neighbour model (``sn_model_2025_wide.csv``). Every
figure becomes one row ``measure, time_period, level, code, name, value``: ``code`` is
``England``, the region's name or the LA's 3-digit old LA code; ``value`` is NaN where the
DfE published a symbol (``c``, ``low``, ``k``, ``u``, ``x``, ``z``) instead of a number.
``time_period`` 2025 is the year ending 31 March 2025 (financial year 2024-25).

When the frames carry their origin (:func:`mark_origin`: the file, its sha256 and each row's
line), every figure also has ``sources``: the :class:`pipeline.tables.SourceRef` of each
published value it is read or computed from (one for a figure as published, the numerator's
and the whole's rows for a percentage computed here from the DfE's counts).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from pipeline.periods import FinancialYear
from pipeline.tables import SourceRef

NATIONAL, REGIONAL, LOCAL = "National", "Regional", "Local authority"
LEVELS = (NATIONAL, REGIONAL, LOCAL)
ENGLAND = "England"
# What the DfE prints instead of a number (its symbols guide): never read as a value.
SYMBOLS = ("c", "low", "k", "u", "x", "z", ":", "")
GEOGRAPHY = ("time_period", "geographic_level", "region_name", "old_la_code", "la_name")


@dataclass(frozen=True)
class FileSpec:
    """One published file: its name as downloaded, the columns read and which hold numbers."""

    name: str
    columns: tuple[str, ...]
    numbers: tuple[str, ...]
    tidy: bool = True  # a DfE tidy file (geography columns); False for the neighbour model


CLA = FileSpec("cla_number_and_rate_per_10k_children.csv",
               (*GEOGRAPHY, "population_type", "children_count", "rate_per_10000"),
               ("children_count", "rate_per_10000"))
STABILITY = FileSpec("la_cla_placement_stability.csv",
                     (*GEOGRAPHY, "cla_group", "placement_stability", "children_count", "children_percent"),
                     ("children_count", "children_percent"))
NEW_PLACEMENTS = FileSpec("la_cla_during_year_new_placements.csv",
                          (*GEOGRAPHY, "characteristic", "breakdown", "children_count"), ("children_count",))
LEAVERS = FileSpec("la_care_leavers_accommodation_suitability.csv",
                   (*GEOGRAPHY, "care_leaver_age", "breakdown", "care_leaver_count"), ("care_leaver_count",))
NEIGHBOURS = FileSpec("sn_model_2025_wide.csv", ("old_la_code", "la_name", *(f"SN_{i}" for i in range(1, 11))),
                      (), tidy=False)
FILES = (CLA, STABILITY, NEW_PLACEMENTS, LEAVERS, NEIGHBOURS)

# measure id -> what it is (the DfE's definition)
MEASURES = {
    "cla_number": "children looked after on 31 March",
    "cla_rate": "children looked after on 31 March per 10,000 children under 18",
    "start_number": "children starting to be looked after in the year",
    "start_rate": "children starting to be looked after per 10,000 children under 18",
    "cease_number": "children ceasing to be looked after in the year",
    "cease_rate": "children ceasing to be looked after per 10,000 children under 18",
    "stability_pct": "children looked after on 31 March with 3 or more placements during the year (%)",
    "distance_pct": "new placements during the year 20 miles or more from home (%)",
    "leavers_suitable_pct": "care leavers aged 17 to 21 in suitable accommodation (%)",
}
_POPULATION = {"Children looked after on 31 March each year": "cla",
               "Children starting to be looked after each year": "start",
               "Children ceasing to be looked after each year": "cease"}
_FAR = ("Placed inside LA boundary more than 20 miles from home",
        "Placed outside LA boundary more than 20 miles from home")
COLUMNS = ["measure", "time_period", "level", "code", "name", "value"]
SOURCES = "sources"  # optional column of COLUMNS' frames: tuple[SourceRef, ...] per figure
# Columns :func:`mark_origin` adds to a file's frame: where each row was read from.
FILE, SHA256, LINE = "_file", "_sha256", "_line"


def to_number(text: object) -> float:
    """A published value as a number; NaN for a DfE symbol (``c``, ``low``, ``k`` ...)."""
    s = str(text).strip().replace(",", "")
    if s.lower() in SYMBOLS:
        return math.nan
    return float(s)


def to_financial_year(time_period: int) -> FinancialYear:
    """The DfE's time period (year ending 31 March) as a financial year: 2025 -> 2024-25."""
    return FinancialYear(int(time_period) - 1)


def name_geography(frame: pd.DataFrame) -> pd.DataFrame:
    """``level, code, name`` of each row: England, the region (by name) or the LA (old code)."""
    level = frame["geographic_level"].astype(str)
    code = frame["old_la_code"].astype(str).where(level == LOCAL, frame["region_name"].astype(str))
    code = code.where(level != NATIONAL, ENGLAND)
    name = frame["la_name"].astype(str).where(level == LOCAL, code)
    return pd.DataFrame({"level": level, "code": code, "name": name}, index=frame.index)


def mark_origin(frame: pd.DataFrame, file: str, sha256: str, lines: Sequence[int] | None = None) -> pd.DataFrame:
    """A file's frame with where each row came from: ``file`` (relative to the raw folder), the
    file's ``sha256`` and each row's line as a spreadsheet numbers it (the header is line 1;
    without `lines`, the rows are taken to be every line after it, in order)."""
    lines = list(range(2, len(frame) + 2)) if lines is None else [int(n) for n in lines]
    return frame.assign(**{FILE: file, SHA256: sha256, LINE: lines})


def refer_rows(frame: pd.DataFrame, spec: FileSpec, value_col: str) -> pd.Series:
    """The :class:`SourceRef` of ``value_col`` in each row (a one-tuple per row; empty tuples when
    the frame does not carry its origin). The key is every column ``spec`` reads that is not a
    number (the geography and the filters), where not blank."""
    if not {FILE, SHA256, LINE} <= set(frame.columns):
        return pd.Series([()] * len(frame), index=frame.index, dtype=object)
    keys = [c for c in spec.columns if c not in spec.numbers and c in frame.columns]
    texts = [frame[c].astype(str).tolist() for c in (FILE, SHA256, value_col, *keys)]
    refs = [(SourceRef(file, int(line), value_col, value, sha, tuple((k, x) for k, x in zip(keys, xs, strict=True) if x)),)
            for line, file, sha, value, *xs in zip(frame[LINE].tolist(), *texts, strict=True)]
    return pd.Series(refs, index=frame.index, dtype=object)


def _rows(frame: pd.DataFrame, measure: str, values: pd.Series, sources: pd.Series) -> pd.DataFrame:
    geo = name_geography(frame)
    return pd.DataFrame({"measure": measure, "time_period": frame["time_period"].astype(int),
                         "level": geo["level"], "code": geo["code"], "name": geo["name"],
                         "value": values.astype("float64"), SOURCES: sources}, index=frame.index)[[*COLUMNS, SOURCES]]


def _sum_by_area(frame: pd.DataFrame, spec: FileSpec, value_col: str) -> pd.DataFrame:
    """Sum ``value_col`` over the rows of each year and area (NaN if any part is NaN), with the
    sources of all the rows added up."""
    keys = ["time_period", "geographic_level", "region_name", "old_la_code", "la_name"]
    vals = frame[value_col].map(to_number)
    by = [frame[k].astype(str) for k in keys]
    complete = vals.notna().groupby(by, sort=False).all()
    out = vals.groupby(by, sort=False).sum(min_count=1).where(complete)
    refs = refer_rows(frame, spec, value_col).groupby(by, sort=False).agg(lambda s: tuple(r for t in s for r in t))
    return pd.concat([out.rename("value"), refs.rename(SOURCES)], axis=1).reset_index()


def extract_cla(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers and rates per 10,000 of children in care at 31 March, starting and ceasing."""
    out = []
    for population_type, stem in _POPULATION.items():
        rows = frame[frame["population_type"] == population_type]
        out.append(_rows(rows, f"{stem}_number", rows["children_count"].map(to_number),
                         refer_rows(rows, CLA, "children_count")))
        out.append(_rows(rows, f"{stem}_rate", rows["rate_per_10000"].map(to_number),
                         refer_rows(rows, CLA, "rate_per_10000")))
    return pd.concat(out, ignore_index=True)


def extract_stability(frame: pd.DataFrame) -> pd.DataFrame:
    """The DfE's percentage of children in care at 31 March with 3+ placements in the year."""
    rows = frame[(frame["cla_group"] == "CLA on 31 March")
                 & (frame["placement_stability"] == "With 3 or more placements during the year")]
    return _rows(rows, "stability_pct", rows["children_percent"].map(to_number),
                 refer_rows(rows, STABILITY, "children_percent")).reset_index(drop=True)


def compute_share(frame: pd.DataFrame, spec: FileSpec, numerator: pd.Series, total: pd.Series,
                  value_col: str) -> pd.DataFrame:
    """100 x (sum of the ``numerator`` rows) / (sum of the ``total`` rows) for each year and area;
    ``sources``: the numerator's rows, then the total's."""
    num = _sum_by_area(frame[numerator], spec, value_col)
    den = _sum_by_area(frame[total], spec, value_col)
    keys = ["time_period", "geographic_level", "region_name", "old_la_code", "la_name"]
    both = num.merge(den, on=keys, suffixes=("_num", "_den"))
    num_v, den_v = both["value_num"].astype("float64"), both["value_den"].astype("float64")  # str when empty
    both["pct"] = (100.0 * num_v / den_v).where(den_v > 0)
    both[SOURCES] = [a + b for a, b in zip(both[f"{SOURCES}_num"], both[f"{SOURCES}_den"], strict=True)]
    return both


def extract_distance(frame: pd.DataFrame) -> pd.DataFrame:
    """New placements in the year 20 miles or more from home (inside or outside the LA), as a
    percentage of all new placements, from the DfE's counts."""
    loc = frame[frame["characteristic"] == "Location of new placements during the year"]
    both = compute_share(loc, NEW_PLACEMENTS, loc["breakdown"].isin(_FAR), loc["breakdown"] == "Total new placements",
                         "children_count")
    return _rows(both, "distance_pct", both["pct"], both[SOURCES]).reset_index(drop=True)


def extract_leavers(frame: pd.DataFrame) -> pd.DataFrame:
    """Care leavers aged 17 to 21 (both of the DfE's age groups) in suitable accommodation, as
    a percentage of all of them, from the DfE's counts."""
    both = compute_share(frame, LEAVERS, frame["breakdown"] == "Accommodation considered suitable",
                         frame["breakdown"] == "Suitability total", "care_leaver_count")
    return _rows(both, "leavers_suitable_pct", both["pct"], both[SOURCES]).reset_index(drop=True)


EXTRACTORS = {CLA.name: extract_cla, STABILITY.name: extract_stability,
              NEW_PLACEMENTS.name: extract_distance, LEAVERS.name: extract_leavers}


def extract_figures(files: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every comparator figure of the files given (file name -> frame of strings)."""
    parts = [extract(files[name]) for name, extract in EXTRACTORS.items() if name in files]
    if not parts:
        return pd.DataFrame(columns=[*COLUMNS, SOURCES])
    return pd.concat(parts, ignore_index=True)


def find_neighbours(model: pd.DataFrame, code: str) -> list[tuple[str, str]]:
    """The 10 statistical neighbours (old LA code, name) of LA ``code``, nearest first; empty
    when the model has no row for it. A neighbour's name is its own row's ``la_name``."""
    names = dict(zip(model["old_la_code"].astype(str), model["la_name"].astype(str), strict=True))
    rows = model[model["old_la_code"].astype(str) == str(code)]
    if rows.empty:
        return []
    row = rows.iloc[0]
    codes = [str(row[f"SN_{i}"]).strip() for i in range(1, 11)]
    return [(c, names.get(c, c)) for c in codes if c]


def summarise_neighbours(values: Sequence[float]) -> tuple[float, float, int]:
    """(average, median, how many) of the neighbours' published figures, leaving out those the
    DfE did not publish; NaN for both when none is published."""
    known = sorted(float(v) for v in values if v is not None and not math.isnan(float(v)))
    n = len(known)
    if not n:
        return math.nan, math.nan, 0
    mid = n // 2
    median = known[mid] if n % 2 else (known[mid - 1] + known[mid]) / 2
    return sum(known) / n, median, n


def compute_rate_per_10000(count: float, population: float) -> float:
    """``count`` per 10,000 of ``population``; NaN when the population is unknown or zero."""
    if population is None or math.isnan(population) or population <= 0:
        return math.nan
    return 10000.0 * count / population
