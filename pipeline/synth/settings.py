"""What one synthetic run is: seed, scale, the local authority and the last quarter covered.

Everything that differs between two synthetic LAs (size, district names, postcode area, map
position, child id prefix) is derived deterministically from the LA's name, so two runs with
different `--la` names give two different, reproducible authorities.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from pipeline.periods import FinancialYear, Quarter
from pipeline.schema import ReturnLabel

# Invented district names (checked against nothing real on purpose: they are made up).
DISTRICT_POOL = (
    "Brackenfold", "Calderwick", "Fernhaugh", "Kestrelmoor", "Larkspur Vale", "Millbeck Dales",
    "Wexcombe", "Ashcarr", "Thornmere", "Greyfell", "Hollinsdale", "Pennymoss", "Saltcarr",
    "Ousebridge", "Rookhaven", "Elderwell",
)
# Postcode areas that are valid in format but not used by any real UK postcode.
LA_AREAS = ("NM", "EV", "GW", "JN", "KR", "MT", "RY", "UW", "WY", "AV", "BV", "CY", "DW", "OY")
OUTSIDE_AREAS = ("FW", "HY", "EY")

YEARS_OF_RETURNS = 7  # annual returns written before the current financial year
BURN_IN_YEARS = 18  # simulated years before the first return, so the stock is at equilibrium


def name_key(name: str) -> int:
    """A stable 32-bit integer from a name (sha256, never Python's salted hash())."""
    return int(hashlib.sha256(name.strip().encode("utf-8")).hexdigest()[:8], 16)


@dataclass(frozen=True)
class SynthSettings:
    """Arguments of one synthetic run."""

    seed: int
    scale: float
    la_name: str
    la_code: str
    until: Quarter
    id_style: str = "alphanumeric"  # CHILD ids: "alphanumeric" (prefix + serial) or "numeric"

    # --- calendar ---------------------------------------------------------------------------

    @property
    def current_year(self) -> FinancialYear:
        return self.until.year

    @property
    def annual_returns(self) -> list[ReturnLabel]:
        first = self.current_year.shift(-YEARS_OF_RETURNS)
        return [ReturnLabel(first.shift(i)) for i in range(YEARS_OF_RETURNS)]

    @property
    def in_year_returns(self) -> list[ReturnLabel]:
        return [ReturnLabel(q.year, q.q) for q in self.until.quarters_to_date()]

    @property
    def returns(self) -> list[ReturnLabel]:
        return self.annual_returns + self.in_year_returns

    @property
    def window_start(self):
        """First day covered by any return."""
        return self.annual_returns[0].start

    @property
    def end(self):
        """Last day covered by any return (the end of the --until quarter)."""
        return self.until.end

    @property
    def sim_start_year(self) -> int:
        return self.annual_returns[0].year.start_year - BURN_IN_YEARS

    # --- the LA's own character ----------------------------------------------------------------

    @property
    def la_key(self) -> int:
        return name_key(self.la_name)

    @cached_property
    def profile(self) -> LAProfile:
        return make_profile(self.la_name)

    def rng(self, component: str) -> np.random.Generator:
        """An independent, reproducible random stream for one part of the generator."""
        return np.random.default_rng([self.seed, self.la_key, zlib.crc32(component.encode())])


@dataclass(frozen=True)
class LAProfile:
    """The deterministic character of an LA, derived from its name."""

    short_name: str
    size: float  # multiplier of the admission rate and population
    district_names: tuple[str, ...]
    district_weights: tuple[float, ...]  # share of the under-18 population
    district_need: tuple[float, ...]  # relative rate of entry to care
    area: str  # postcode area
    centre: tuple[float, float]  # easting, northing of the county centre (metres)
    id_prefix: str
    uasc_factor: float
    agency_factor: float  # multiplies the chance of an agency placement


def short_name_of(name: str) -> str:
    """'Northmoor County Council' -> 'Northmoor'."""
    words = [w for w in name.replace(",", " ").split() if w.lower() not in {"county", "council", "city", "borough", "of", "the"}]
    return " ".join(words) if words else name.strip()


def make_profile(name: str) -> LAProfile:
    """Derive an LA's size, districts, postcode area and id prefix from its name."""
    key = name_key(name)
    rng = np.random.default_rng(key)
    short = short_name_of(name)
    n_districts = int(rng.choice([6, 7]))
    names = tuple(str(x) for x in rng.choice(DISTRICT_POOL, size=n_districts, replace=False))
    weights = rng.dirichlet(np.full(n_districts, 12.0))
    need = rng.uniform(0.6, 1.5, size=n_districts)
    initial = short[:1].upper()
    candidates = [a for a in LA_AREAS if a[0] == initial] or list(LA_AREAS)
    area = candidates[key % len(candidates)]
    centre = (380000.0 + rng.uniform(-60000, 60000), 330000.0 + rng.uniform(-80000, 80000))
    return LAProfile(
        short_name=short,
        size=float(rng.uniform(0.9, 1.1)),
        district_names=names,
        district_weights=tuple(float(w) for w in weights),
        district_need=tuple(float(x) for x in need),
        area=area,
        centre=centre,
        id_prefix=hashlib.sha256(name.strip().encode()).hexdigest()[:4].upper(),
        uasc_factor=float(rng.uniform(0.7, 1.4)),
        agency_factor=float(rng.uniform(0.85, 1.2)),
    )
