"""Reporting periods: financial years (April-March), quarters and DfE collection years."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_QUARTER = re.compile(r"^\s*(\d{4})-(\d{2})\s*Q([1-4])\s*$")
_YEAR = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")


class PeriodError(ValueError):
    """A period string that is not of the form '2021-22' or '2021-22 Q2'."""


@dataclass(frozen=True, order=True)
class FinancialYear:
    """A financial year from 1 April `start_year` to 31 March `start_year + 1`."""

    start_year: int

    @property
    def label(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def collection_year(self) -> int:
        """The SSDA903 collection year is named by the year in which it ends (2021-22 -> 2022)."""
        return self.start_year + 1

    def shift(self, years: int) -> FinancialYear:
        return FinancialYear(self.start_year + years)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Quarter:
    """Quarter `q` (1 = April-June) of a financial year."""

    year: FinancialYear
    q: int

    @property
    def label(self) -> str:
        return f"{self.year.label} Q{self.q}"

    @property
    def slug(self) -> str:
        return f"{self.year.label}-Q{self.q}"

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.q - 1)
        y = self.year.start_year + (month > 12)
        return date(y, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        nxt = self.next()
        return date.fromordinal(nxt.start.toordinal() - 1)

    @property
    def year_start(self) -> date:
        return self.year.start

    def next(self) -> Quarter:
        return Quarter(self.year, self.q + 1) if self.q < 4 else Quarter(self.year.shift(1), 1)

    def previous(self) -> Quarter:
        return Quarter(self.year, self.q - 1) if self.q > 1 else Quarter(self.year.shift(-1), 4)

    def quarters_to_date(self) -> list[Quarter]:
        """Quarters of the financial year up to and including this one."""
        return [Quarter(self.year, i) for i in range(1, self.q + 1)]

    def __str__(self) -> str:
        return self.label


def parse_financial_year(text: str) -> FinancialYear:
    """Parse '2021-22' into a FinancialYear; the two halves must be consecutive years."""
    m = _YEAR.match(str(text))
    if not m:
        raise PeriodError(f"financial year {text!r} is not of the form 2021-22")
    start, end2 = int(m.group(1)), int(m.group(2))
    if (start + 1) % 100 != end2:
        raise PeriodError(f"financial year {text!r}: {end2:02d} does not follow {start}")
    return FinancialYear(start)


def parse_quarter(text: str) -> Quarter:
    """Parse '2021-22 Q2' (or '2021-22-Q2') into a Quarter."""
    m = _QUARTER.match(str(text).replace("-Q", " Q"))
    if not m:
        raise PeriodError(f"period {text!r} is not of the form '2021-22 Q2'")
    fy = parse_financial_year(f"{m.group(1)}-{m.group(2)}")
    return Quarter(fy, int(m.group(3)))


def financial_year_of(day: date) -> FinancialYear:
    """The financial year containing `day`."""
    return FinancialYear(day.year if day.month >= 4 else day.year - 1)


def quarter_of(day: date) -> Quarter:
    """The quarter containing `day`."""
    fy = financial_year_of(day)
    months_in = (day.month - 4) % 12
    return Quarter(fy, months_in // 3 + 1)
