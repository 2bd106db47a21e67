"""What the SSDA903 returns cover, and whether a figure's window is covered.

Each return covers a span of days: an annual return ``2024-25`` from 1 April 2024 to
31 March 2025, an in-year extract ``2026-27_Q2`` from 1 April 2026 to 30 September 2026.
The first return's opening stock (episodes open on its 1 April) also shows who was in care on
the 31 March before it, so a *snapshot* on that day is covered, but a *flow* over any window
before the first return is not (only children still in care at the first return are visible
there: left truncation). A figure whose window is not covered is never computed: it is
unavailable, with the reason this module words ("no return covers 31 March 2022").
Rules and examples: docs/measures.md ("What the data cover").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from pipeline.periods import FinancialYear, Quarter
from pipeline.schema import parse_return_label

COVERAGE_COLUMNS = ["RETURN", "KIND", "START", "END"]


@dataclass(frozen=True)
class Coverage:
    """The returns present and the spans of days they cover (merged, oldest first)."""

    returns: tuple[str, ...]
    annual_years: tuple[str, ...]  # financial-year labels with an annual return
    spans: tuple[tuple[date, date], ...]

    @property
    def start(self) -> date:
        return self.spans[0][0]

    @property
    def end(self) -> date:
        """The last day any return covers (the latest extract's quarter end or 31 March)."""
        return self.spans[-1][1]

    @property
    def opening_stock_day(self) -> date:
        """The day before the first return starts: its opening stock shows who was in care then."""
        return self.start - timedelta(days=1)


def build_coverage_fact(returns: list[str]) -> pd.DataFrame:
    """One row per return folder name: RETURN, KIND (annual | in-year), START, END."""
    rows = []
    for name in sorted(set(returns)):
        label = parse_return_label(name)
        rows.append((label.name, "annual" if label.quarter is None else "in-year",
                     pd.Timestamp(label.start), pd.Timestamp(label.end)))
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def list_returns(validated: dict[str, pd.DataFrame]) -> list[str]:
    """The return folders of the validated data: the manifest's list (the ``returns`` frame
    read_validated adds) or, without one, every RETURN value of the SSDA903 tables."""
    if "returns" in validated:
        return [str(r) for r in validated["returns"]["RETURN"]]
    found: set[str] = set()
    for frame in validated.values():
        if "RETURN" in frame:
            found |= {str(r) for r in frame["RETURN"].dropna().unique()}
    return sorted(found)


def read_coverage(facts: dict[str, pd.DataFrame]) -> Coverage | None:
    """The coverage fact as a :class:`Coverage` (None when the facts have none, e.g. built
    by hand in a test: then nothing is checked)."""
    frame = facts.get("coverage")
    if frame is None or frame.empty:
        return None
    return summarise_coverage(frame)


def summarise_coverage(frame: pd.DataFrame) -> Coverage:
    """Merge the returns' spans (a gap of a day or more between two returns stays a gap)."""
    spans: list[list[date]] = []
    for start, end in sorted(zip(pd.to_datetime(frame["START"]).dt.date, pd.to_datetime(frame["END"]).dt.date,
                                 strict=True)):
        if spans and start <= spans[-1][1] + timedelta(days=1):
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    annual = frame.loc[frame["KIND"] == "annual", "RETURN"].astype(str)
    return Coverage(tuple(frame["RETURN"].astype(str)), tuple(sorted(annual)), tuple((s, e) for s, e in spans))


def say_day(day: date) -> str:
    """'31 March 2022'."""
    return f"{day.day} {day:%B %Y}"


def describe_extent(cov: Coverage) -> str:
    """'the returns cover 1 April 2017 to 31 March 2022' (each span, when there are gaps)."""
    spans = "; ".join(f"{say_day(s)} to {say_day(e)}" for s, e in cov.spans)
    return f"the returns cover {spans}"


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def describe_gaps(cov: Coverage | None, labels: list[str], span: str = "") -> tuple[str, ...]:
    """A table note naming the columns left out because no return covers them (``span``: what
    must be covered, e.g. 'the whole year'); empty when nothing was left out."""
    if cov is None or not labels:
        return ()
    which = f"no return covers {span}" if span else "no return covers that day"
    return (f"Not shown: {join_words(labels)} ({which}; {describe_extent(cov)}).",)


def check_day(cov: Coverage | None, day: date) -> str | None:
    """None if a snapshot on ``day`` is covered (by a return, or by the first return's opening
    stock); otherwise the reason it is not."""
    if cov is None:
        return None
    for start, end in cov.spans:
        if start - timedelta(days=1) <= day <= end:
            return None
    return f"no return covers {say_day(day)} ({describe_extent(cov)})"


def check_window(cov: Coverage | None, start: date, end: date) -> str | None:
    """None if every day from ``start`` to ``end`` is covered by the returns; otherwise the reason."""
    if cov is None:
        return None
    for s, e in cov.spans:
        if s <= start and end <= e:
            return None
    return f"no return covers the whole of {say_day(start)} to {say_day(end)} ({describe_extent(cov)})"


def check_annual(cov: Coverage | None, year: FinancialYear) -> str | None:
    """None if the annual return for ``year`` is present (year-end tables such as OC3 are in
    the annual return only); otherwise the reason."""
    if cov is None or year.label in cov.annual_years:
        return None
    return f"no annual return for {year.label} (care leavers are collected in the annual return only)"


def check_quarter(cov: Coverage | None, period: Quarter) -> str | None:
    """None if the returns cover the financial year to the end of ``period`` (what every
    quarterly figure reads: the quarter, the year to date and the position at its end)."""
    return check_window(cov, period.year.start, period.end)


# --- the measures export -------------------------------------------------------------------

# Sufficiency measure -> the window it needs in its financial year: "snapshot" (31 March),
# "year" (1 April to 31 March), "annual" (the annual return itself). Measures not listed
# (local files: fostering capacity, unit costs) need no SSDA903 return.
SUFFICIENCY_WINDOWS: dict[str, str] = {
    "cla_31_march": "snapshot", "placed_far_from_home": "snapshot", "placement_location": "snapshot",
    "cla_rate_per_10000": "snapshot", "cla_31_march_pct": "snapshot", "placed_far_from_home_pct": "snapshot",
    "distance_not_known": "snapshot", "mean_distance_miles": "snapshot", "placed_outside_la_pct": "snapshot",
    "placements_in_year": "year", "stability_3plus_pct": "year", "admissions": "year", "admissions_pct": "year",
    "ceased": "year", "ceased_pct": "year", "placement_spend": "year", "placement_days": "year",
    "stock_flow_unexplained": "year", "care_leavers": "annual", "care_leavers_pct": "annual",
}
# Quarterly measures that are parameters, not data (shown whatever the data cover).
QUARTERLY_PARAMETERS = ("exits_team_target", "adoptions_target")


def check_sufficiency_measure(cov: Coverage | None, measure_id: str, year: FinancialYear) -> str | None:
    """The reason a sufficiency measure of ``year`` is not covered (None if it is)."""
    kind = SUFFICIENCY_WINDOWS.get(measure_id)
    if kind == "snapshot":
        return check_day(cov, year.end)
    if kind == "year":
        return check_window(cov, year.start, year.end)
    if kind == "annual":
        return check_window(cov, year.start, year.end) or check_annual(cov, year)
    return None


def mark_uncovered(measures: pd.DataFrame, cov: Coverage | None, period: Quarter) -> pd.DataFrame:
    """A copy of the tidy measures with a ``reason`` column: every figure whose window the
    returns do not cover is set to missing, unit "unavailable", with the reason; figures
    already unavailable (a local file not supplied) say so. Projections are left to the
    projection (it states its own history)."""
    out = measures.copy()
    given = out["reason"].fillna("").astype(str) if "reason" in out else pd.Series("", index=out.index)
    reasons = pd.Series("", index=out.index, dtype="object")
    quarterly = out["period"].astype(str) == period.label
    quarter_reason = check_quarter(cov, period)
    for i, (mid, label) in enumerate(zip(out["measure_id"], out["period"].astype(str), strict=True)):
        if quarterly.iat[i]:
            reason = None if mid in QUARTERLY_PARAMETERS else quarter_reason
        elif mid in SUFFICIENCY_WINDOWS:
            reason = check_sufficiency_measure(cov, mid, _year_of(label))
        else:
            reason = None
        if reason:
            reasons.iat[i] = reason
    uncovered = reasons.ne("")
    out.loc[uncovered, "value"] = pd.NA
    out.loc[uncovered, "unit"] = "unavailable"
    explained = given.ne("") & ~uncovered  # e.g. a projection declined for too little history
    reasons[explained] = given[explained]
    not_supplied = out["unit"].eq("unavailable") & ~uncovered & ~explained
    reasons[not_supplied] = "not computable from the data supplied (a local file, population estimate or unit cost is missing)"
    out["reason"] = reasons
    return out


def _year_of(label: str) -> FinancialYear:
    return FinancialYear(int(label[:4]))
