"""Dates as integer day numbers (days since 1970-01-01), vectorised with numpy."""

from __future__ import annotations

from datetime import date

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


def format_days(days: np.ndarray, fmt: str) -> np.ndarray:
    """Format day numbers as strings ('%d/%m/%Y' or '%Y-%m-%d'); NONE becomes ''."""
    days = np.asarray(days, dtype=np.int64)
    out = np.full(days.shape, "", dtype=object)
    ok = days != NONE
    if not ok.any():
        return out
    lo, hi = int(days[ok].min()), int(days[ok].max())
    year, month, dom = components(np.arange(lo, hi + 1))
    if fmt == "%d/%m/%Y":
        table = np.array([f"{d:02d}/{m:02d}/{y:04d}" for y, m, d in zip(year, month, dom, strict=True)], dtype=object)
    elif fmt == "%Y-%m-%d":
        table = np.array([f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in zip(year, month, dom, strict=True)], dtype=object)
    else:
        raise ValueError(f"unsupported date format {fmt!r}")
    out[ok] = table[days[ok] - lo]
    return out
