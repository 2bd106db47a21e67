"""Typed parameters from params.yaml, and every path derived from one project root."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from pipeline.periods import FinancialYear, Quarter, parse_financial_year, parse_quarter

DEFAULT_PARAMS = Path("params.yaml")


class ConfigError(ValueError):
    """params.yaml is missing a key or holds a value of the wrong kind."""


@dataclass(frozen=True)
class LocalAuthority:
    code: str
    name: str
    short_name: str


@dataclass(frozen=True)
class DisclosureParams:
    threshold: int = 10
    zero: str = "show"  # show | suppress
    suppress_totals: bool = True
    min_interval: int = 10
    symbol: str = "x"

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ConfigError("disclosure.threshold must be at least 1")
        if self.zero not in ("show", "suppress"):
            raise ConfigError("disclosure.zero must be 'show' or 'suppress'")
        if self.min_interval < 1:
            raise ConfigError("disclosure.min_interval must be at least 1")


@dataclass(frozen=True)
class Targets:
    exit_team_exits: int
    adoptions: int


@dataclass(frozen=True)
class CandidateParams:
    stable_foster_years: float = 2
    pwp_care_order_months: int = 6
    section20_months: int = 12
    unstable_placements: int = 3
    unstable_window_months: int = 12
    max_age_years: int = 17


@dataclass(frozen=True)
class ProjectionParams:
    years: int = 3
    simulations: int = 500
    seed: int = 0
    window_years: int = 3  # years of monthly transitions the projection is estimated from
    step_months: int = 3  # simulation step (a divisor of 12)
    shrinkage_months: float = 24  # weight of the pooled exit rate in each placement group's rate


@dataclass(frozen=True)
class RevisionParams:
    """Which earlier papers the revisions table compares with (the lineage section)."""

    lookback_quarters: int = 4

    def __post_init__(self) -> None:
        if self.lookback_quarters < 0:
            raise ConfigError("revisions.lookback_quarters must be 0 or more")


@dataclass(frozen=True)
class ComparatorParams:
    """How the sufficiency paper compares the LA with the DfE's published figures
    (data/raw/published/): its region as the DfE names it, and whose statistical neighbours
    it takes (an old LA code of the DfE's model; blank: the LA's own code)."""

    region: str = ""
    neighbours_of: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.region, str) or not isinstance(self.neighbours_of, str):
            raise ConfigError("comparators.region and comparators.neighbours_of must be text (quote a code: \"830\")")


@dataclass(frozen=True)
class PaperMeta:
    committee: str
    meeting_date: str
    item: int
    sponsor: str
    author: str
    sufficiency_author: str


@dataclass(frozen=True)
class Paths:
    """Every input and output location, derived from the project root and params.paths."""

    root: Path
    raw: Path
    processed: Path
    reports: Path
    metrics: Path | None = None  # headline figures and trends for `dvc metrics` / `dvc plots` (tracked in git)

    def report_dir(self, period_slug: str) -> Path:
        return self.reports / period_slug

    def restricted_dir(self, period_slug: str) -> Path:
        """Outputs that are never published (true values, lists of children, lineage)."""
        return self.processed / "restricted" / period_slug


@dataclass(frozen=True)
class Params:
    la: LocalAuthority
    period: Quarter
    sufficiency_year: FinancialYear
    trend_years: int
    paths: Paths
    disclosure: DisclosureParams
    targets: Targets
    savings_basis_days: int
    candidates: CandidateParams
    projection: ProjectionParams
    far_miles: float
    paper: PaperMeta
    revisions: RevisionParams = field(default_factory=RevisionParams)
    comparators: ComparatorParams = field(default_factory=ComparatorParams)
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def period_end(self) -> date:
        return self.period.end

    @property
    def trend_financial_years(self) -> list[FinancialYear]:
        """The sufficiency year and the years before it, oldest first."""
        n = self.trend_years
        return [self.sufficiency_year.shift(-i) for i in range(n - 1, -1, -1)]


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"params.yaml: {where} must be a mapping")
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ConfigError(f"params.yaml: unknown key(s) in {where}: {', '.join(sorted(unknown))}")
    try:
        return cls(**data)
    except TypeError as exc:
        raise ConfigError(f"params.yaml: {where}: {exc}") from None


def _require(data: dict, key: str) -> Any:
    if key not in data:
        raise ConfigError(f"params.yaml: missing key '{key}'")
    return data[key]


def parse_params(data: dict[str, Any], root: Path) -> Params:
    """Turn the mapping read from params.yaml into typed Params (paths resolved against root)."""
    paths_data = _require(data, "paths")
    paths = Paths(
        root=root,
        raw=root / _require(paths_data, "raw"),
        processed=root / _require(paths_data, "processed"),
        reports=root / _require(paths_data, "reports"),
        metrics=root / str(paths_data.get("metrics") or "metrics"),
    )
    savings = data.get("savings", {}) or {}
    distance = data.get("distance", {}) or {}
    check_period_slug(data)
    return Params(
        la=_build(LocalAuthority, _require(data, "la"), "la"),
        period=parse_quarter(_require(data, "period")),
        sufficiency_year=parse_financial_year(_require(data, "sufficiency_year")),
        trend_years=int(data.get("trend_years", 5)),
        paths=paths,
        disclosure=_build(DisclosureParams, data.get("disclosure", {}) or {}, "disclosure"),
        targets=_build(Targets, _require(data, "targets"), "targets"),
        savings_basis_days=int(savings.get("pro_rata_basis_days", 365)),
        candidates=_build(CandidateParams, data.get("candidates", {}) or {}, "candidates"),
        projection=_build(ProjectionParams, data.get("projection", {}) or {}, "projection"),
        far_miles=float(distance.get("far_miles", 20)),
        paper=_build(PaperMeta, _require(data, "paper"), "paper"),
        revisions=_build(RevisionParams, data.get("revisions", {}) or {}, "revisions"),
        comparators=_build(ComparatorParams, data.get("comparators", {}) or {}, "comparators"),
        raw=data,
    )


def check_period_slug(data: dict[str, Any]) -> None:
    """``period_slug`` (the folder name DVC uses for the period's outputs) must name ``period``."""
    if "period_slug" not in data:
        return
    slug = parse_quarter(_require(data, "period")).slug
    if str(data["period_slug"]) != slug:
        raise ConfigError(
            f"params.yaml: period_slug '{data['period_slug']}' does not match period '{data['period']}'; "
            f"set period_slug: \"{slug}\" (DVC names the period's output folders with it)"
        )


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Return a copy of data with dotted `key=value` overrides applied (values parsed as YAML)."""
    out = yaml.safe_load(yaml.safe_dump(data))
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r} is not of the form key=value")
        key, value = item.split("=", 1)
        node = out
        parts = key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = yaml.safe_load(value)
    keys = {item.split("=", 1)[0].strip() for item in overrides}
    if "period" in keys and "period_slug" not in keys and "period_slug" in out:
        # --set period=... names the folder too (params.yaml must name both itself)
        out["period_slug"] = parse_quarter(out["period"]).slug
    return out


def load_params(path: Path | str = DEFAULT_PARAMS, overrides: list[str] | None = None) -> Params:
    """Read params.yaml; the project root is the folder that holds it."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such parameters file")
    data = yaml.safe_load(path.read_text()) or {}
    if overrides:
        data = apply_overrides(data, overrides)
    return parse_params(data, path.resolve().parent)
