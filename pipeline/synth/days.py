"""Dates as integer day numbers (days since 1970-01-01), vectorised with numpy."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np

NONE = -1  # "no date" in int day arrays (every real day here is far after 1970)


def day(d: date) -> int:
    """The day number of a date."""
    return int(np.datetime64(d, "D").astype(np.int64))


def components(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day of month of each day number."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    dom = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, dom


def add_years(days: np.ndarray, years) -> np.ndarray:
    """The same calendar day `years` later (29 February becomes 1 March)."""
    year, month, dom = components(days)
    months = (year + np.asarray(years) - 1970) * 12 + (month - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return first + dom - 1


def age_in_years(dob: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Completed years of age on a day."""
    y1, m1, d1 = components(dob)
    y2, m2, d2 = components(on)
    before_birthday = (m2 < m1) | ((m2 == m1) & (d2 < d1))
    return y2 - y1 - before_birthday.astype(np.int64)


TABLE_FIRST, TABLE_LAST = day(date(1900, 1, 1)), day(date(2100, 12, 31))


@lru_cache(maxsize=4)
def date_strings(fmt: str) -> np.ndarray:
    """Every day from 1900 to 2100 formatted once ('%d/%m/%Y' or '%Y-%m-%d')."""
    iso = np.datetime_as_string(np.arange(TABLE_FIRST, TABLE_LAST + 1).astype("datetime64[D]"), unit="D")
    if fmt == "%Y-%m-%d":
        return iso.astype(object)
    if fmt == "%d/%m/%Y":
        return np.array([f"{s[8:10]}/{s[5:7]}/{s[:4]}" for s in iso.tolist()], dtype=object)
    raise ValueError(f"unsupported date format {fmt!r}")


def format_days(days: np.ndarray, fmt: str) -> np.ndarray:
    """Format day numbers as strings ('%d/%m/%Y' or '%Y-%m-%d'); NONE becomes ''."""
    days = np.asarray(days, dtype=np.int64)
    out = np.full(days.shape, "", dtype=object)
    ok = days != NONE
    out[ok] = date_strings(fmt)[days[ok] - TABLE_FIRST]
    return out
