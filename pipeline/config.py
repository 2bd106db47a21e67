"""Typed parameters from params.yaml, and every path derived from one project root."""

from __future__ import annotations

import contextlib
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from pipeline.periods import (
    FinancialYear,
    PeriodError,
    Quarter,
    financial_year_of,
    parse_financial_year,
    parse_quarter,
)

DEFAULT_PARAMS = Path("params.yaml")


class ConfigError(ValueError):
    """params.yaml is missing a key or holds a value of the wrong kind."""


@dataclass(frozen=True)
class LocalAuthority:
    code: str  # the DfE's 3-digit LA number (old_la_code in its open data)
    name: str
    short_name: str
    new_la_code: str = ""  # the ONS/GSS E-code (new_la_code in the DfE's open data)
    region_code: str = ""  # the ONS region E12 code and name
    region_name: str = ""


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


# Top-level keys of params.yaml (anything else is a typo and refused).
TOP_LEVEL_KEYS = ("la", "period", "period_slug", "sufficiency_year", "trend_years", "paths", "disclosure",
                  "targets", "savings", "candidates", "projection", "distance", "revisions", "paper", "regional",
                  "comparators")

# What each typed field allows: (kind, rule), kind one of int/number/bool/text/date; rule a
# minimum (number) or a tuple of allowed values. Fields absent here are non-empty text.
RULES: dict[str, tuple[str, Any]] = {
    "trend_years": ("int", 1),
    "disclosure.threshold": ("int", 1),
    "disclosure.zero": ("text", ("show", "suppress")),
    "disclosure.suppress_totals": ("bool", None),
    "disclosure.min_interval": ("int", 1),
    "targets.exit_team_exits": ("int", 0),
    "targets.adoptions": ("int", 0),
    "savings.pro_rata_basis_days": ("int", 1),
    "candidates.stable_foster_years": ("number", 0),
    "candidates.pwp_care_order_months": ("int", 1),
    "candidates.section20_months": ("int", 1),
    "candidates.unstable_placements": ("int", 1),
    "candidates.unstable_window_months": ("int", 1),
    "candidates.max_age_years": ("int", 0),
    "projection.years": ("int", 1),
    "projection.simulations": ("int", 0),  # 0: no projection
    "projection.seed": ("int", 0),
    "projection.window_years": ("int", 1),
    "projection.step_months": ("int", (1, 2, 3, 4, 6, 12)),
    "projection.shrinkage_months": ("number", 0),
    "distance.far_miles": ("number", 0),
    "revisions.lookback_quarters": ("int", 0),
    "paper.meeting_date": ("date", None),
    "paper.item": ("int", 1),
    # geography codes for the open data: an authority without them publishes those columns blank
    "la.new_la_code": ("optional text", None),
    "la.region_code": ("optional text", None),
    "la.region_name": ("optional text", None),
    # the DfE comparators: the region as the DfE names it; whose neighbours (blank: la.code)
    "comparators.region": ("optional text", None),
    "comparators.neighbours_of": ("optional text", None),
}

_KIND_TEXT = {"int": "a whole number", "number": "a number", "bool": "true or false",
              "text": "text", "optional text": "text (may be empty)", "date": "a date YYYY-MM-DD"}


@dataclass(frozen=True)
class Origin:
    """Where a parameter came from, for error messages: the file, or a `--set` override."""

    file: str = "params.yaml"
    overridden: frozenset[str] = frozenset()

    def of(self, key: str) -> str:
        parts = key.split(".")
        dotted = {".".join(parts[: i + 1]) for i in range(len(parts))}
        return "--set" if dotted & self.overridden else self.file


def describe_allowed(kind: str, rule: Any) -> str:
    """What a field allows, in words ('a whole number of 1 or more', 'one of 1, 2, 3')."""
    if isinstance(rule, tuple):
        return "one of " + ", ".join(str(v) for v in rule)
    if rule is not None:
        return f"{_KIND_TEXT[kind]} of {rule} or more"
    return _KIND_TEXT[kind] if kind != "text" else "non-empty text"


def refuse(origin: Origin, key: str, value: Any, allowed: str) -> ConfigError:
    """The one-line error for a parameter: where it came from, the key, the value, what is allowed."""
    shown = value.isoformat() if isinstance(value, date) else value
    return ConfigError(f"{origin.of(key)}: {key} = {shown!r} is not allowed: {allowed}")


def check_value(key: str, value: Any, origin: Origin = Origin()) -> Any:
    """``value`` checked (and normalised) against the rule for ``key``; ConfigError if it breaks it."""
    kind, rule = RULES.get(key, ("text", None))
    allowed = describe_allowed(kind, rule)
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "date":
        value, ok = _as_date(value)
    else:  # text: a YAML number such as an authority code 990 is read as its digits
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if value is None and kind == "optional text":  # `key:` or `--set key=` with nothing after it
            value = ""
        ok = isinstance(value, str) and (value.strip() != "" or kind == "optional text")
    if ok and isinstance(rule, tuple):
        ok = value in rule
    elif ok and rule is not None and kind in ("int", "number"):
        ok = value >= rule
    if not ok:
        raise refuse(origin, key, value, allowed)
    return value


def _as_date(value: Any) -> tuple[Any, bool]:
    """A meeting date as ISO text (YAML reads an unquoted 2026-12-10 as a date)."""
    if isinstance(value, date):
        return value.isoformat(), True
    try:
        return date.fromisoformat(str(value)).isoformat(), True
    except ValueError:
        return value, False


def _build(cls: type, data: Any, where: str, origin: Origin = Origin()) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{origin.of(where)}: {where} must be a mapping of keys to values, not {data!r}")
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names
    if unknown:
        first = sorted(map(str, unknown))[0]
        raise ConfigError(f"{origin.of(f'{where}.{first}')}: unknown key {where}.{first} "
                          f"(allowed in {where}: {', '.join(sorted(names))})")
    missing = [f.name for f in fields(cls) if f.name not in data and f.default is MISSING
               and f.default_factory is MISSING]
    if missing:
        raise ConfigError(f"{origin.file}: missing key '{where}.{missing[0]}'")
    checked = {k: check_value(f"{where}.{k}", v, origin) for k, v in data.items()}
    try:
        return cls(**checked)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{origin.file}: {where}: {exc}") from None


def _require(data: dict, key: str, origin: Origin = Origin()) -> Any:
    if key not in data:
        raise ConfigError(f"{origin.file}: missing key '{key}'")
    return data[key]


def _section(data: dict, key: str, origin: Origin) -> dict:
    """An optional section (a mapping), empty when absent."""
    value = data.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{origin.of(key)}: {key} must be a mapping of keys to values, not {value!r}")
    return value


def check_period(value: Any, origin: Origin = Origin(), key: str = "period") -> Quarter:
    """The reporting quarter, or a one-line error naming the value and the form allowed."""
    allowed = "a financial year and quarter Q1-Q4 such as '2026-27 Q2'"
    try:
        if isinstance(value, str):
            return parse_quarter(value)
    except PeriodError:
        with contextlib.suppress(PeriodError):
            allowed += f" (did you mean {parse_quarter(value.upper()).label!r}?)"
    raise refuse(origin, key, value, allowed)


def resolve_sufficiency_year(value: Any, period: Quarter, origin: Origin = Origin()) -> FinancialYear:
    """``sufficiency_year``: a year such as '2025-26', or 'auto' (or absent): the latest financial
    year ending on or before the end of the reporting period."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
        return latest_year_ended_by(period.end)
    try:
        if not isinstance(value, str):
            raise PeriodError(str(value))
        return parse_financial_year(value)
    except PeriodError:
        raise refuse(origin, "sufficiency_year", value, "'auto' or a financial year such as '2025-26'") from None


def latest_year_ended_by(day: date) -> FinancialYear:
    """The latest financial year whose 31 March is on or before ``day``."""
    fy = financial_year_of(day)
    return fy if day >= fy.end else fy.shift(-1)


def parse_params(data: dict[str, Any], root: Path, origin: Origin = Origin()) -> Params:
    """Turn the mapping read from params.yaml into typed Params (paths resolved against root);
    every value is checked, and a bad one is a ConfigError naming the key, the value and what
    is allowed."""
    if not isinstance(data, dict):
        raise ConfigError(f"{origin.file}: must be a mapping of keys to values")
    unknown = sorted(map(str, set(data) - set(TOP_LEVEL_KEYS)))
    if unknown:
        raise ConfigError(f"{origin.of(unknown[0])}: unknown key {unknown[0]} "
                          f"(allowed: {', '.join(TOP_LEVEL_KEYS)})")
    paths_data = _require(data, "paths", origin)
    if not isinstance(paths_data, dict):
        raise ConfigError(f"{origin.of('paths')}: paths must be a mapping of keys to values")
    extra = sorted(map(str, set(paths_data) - {"raw", "processed", "reports", "metrics"}))
    if extra:
        raise ConfigError(f"{origin.of('paths.' + extra[0])}: unknown key paths.{extra[0]} "
                          f"(allowed in paths: metrics, processed, raw, reports)")
    paths = Paths(
        root=root,
        **{k: root / check_value(f"paths.{k}", _require(paths_data, k, origin), origin)
           for k in ("raw", "processed", "reports")},
        metrics=root / check_value("paths.metrics", paths_data.get("metrics", "metrics"), origin),
    )
    savings = _section(data, "savings", origin)
    distance = _section(data, "distance", origin)
    for section, known in (("savings", {"pro_rata_basis_days"}), ("distance", {"far_miles"})):
        extra = sorted(map(str, set(_section(data, section, origin)) - known))
        if extra:
            raise ConfigError(f"{origin.of(section + '.' + extra[0])}: unknown key {section}.{extra[0]} "
                              f"(allowed in {section}: {', '.join(sorted(known))})")
    period = check_period(_require(data, "period", origin), origin)
    check_period_slug(data, origin)
    return Params(
        la=_build(LocalAuthority, _require(data, "la", origin), "la", origin),
        period=period,
        sufficiency_year=resolve_sufficiency_year(data.get("sufficiency_year"), period, origin),
        trend_years=check_value("trend_years", data.get("trend_years", 5), origin),
        paths=paths,
        disclosure=_build(DisclosureParams, _section(data, "disclosure", origin), "disclosure", origin),
        targets=_build(Targets, _require(data, "targets", origin), "targets", origin),
        savings_basis_days=check_value("savings.pro_rata_basis_days", savings.get("pro_rata_basis_days", 365), origin),
        candidates=_build(CandidateParams, _section(data, "candidates", origin), "candidates", origin),
        projection=_build(ProjectionParams, _section(data, "projection", origin), "projection", origin),
        far_miles=float(check_value("distance.far_miles", distance.get("far_miles", 20), origin)),
        paper=_build(PaperMeta, _require(data, "paper", origin), "paper", origin),
        revisions=_build(RevisionParams, _section(data, "revisions", origin), "revisions", origin),
        comparators=_build(ComparatorParams, _section(data, "comparators", origin), "comparators", origin),
        raw=data,
    )


def check_period_slug(data: dict[str, Any], origin: Origin = Origin()) -> None:
    """``period_slug`` (the folder name DVC uses for the period's outputs) must name ``period``."""
    if "period_slug" not in data:
        return
    slug = check_period(_require(data, "period", origin), origin).slug
    if str(data["period_slug"]) != slug:
        raise ConfigError(
            f"{origin.of('period_slug')}: period_slug '{data['period_slug']}' does not match period '{data['period']}'; "
            f"set period_slug: \"{slug}\" (DVC names the period's output folders with it)"
        )


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Return a copy of data with dotted `key=value` overrides applied (values parsed as YAML)."""
    out = yaml.safe_load(yaml.safe_dump(data))
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: not of the form key=value (e.g. --set period='2026-27 Q2')")
        key, text = item.split("=", 1)
        key = key.strip()
        try:
            value = read_yaml(text)
        except (yaml.YAMLError, ValueError) as exc:
            raise ConfigError(f"--set {key}: {text!r} is not a YAML value ({_yaml_problem(exc)})") from None
        node = out
        parts = key.split(".")
        if not all(parts):
            raise ConfigError(f"--set {item!r}: {key!r} is not a parameter name such as disclosure.threshold")
        for i, part in enumerate(parts[:-1]):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {key}: {'.'.join(parts[:i + 1])} is a single value, not a section")
        node[parts[-1]] = value
    keys = {item.split("=", 1)[0].strip() for item in overrides}
    if "period" in keys and "period_slug" not in keys and "period_slug" in out:
        # --set period=... names the folder too (params.yaml must name both itself)
        out["period_slug"] = check_period(out["period"], Origin(overridden=frozenset(keys))).slug
    return out


class _Loader(yaml.SafeLoader):
    """YAML as safe_load reads it, except that dates stay text (checked, with a clear message,
    by check_value: an impossible date such as 2026-13-01 is not a YAML error)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    """A mapping, refusing a key given twice (YAML would keep the last one without a word)."""
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice in the same section", mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(text: str) -> Any:
    """Parse YAML text with dates left as text."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def _yaml_problem(exc: Exception) -> str:
    """A YAML error in one line: what is wrong and where."""
    if not isinstance(exc, yaml.YAMLError):
        return str(exc)
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem}"


def load_params(path: Path | str = DEFAULT_PARAMS, overrides: list[str] | None = None) -> Params:
    """Read params.yaml; the project root is the folder that holds it."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such parameters file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.__class__.__name__}: {exc}); save it as UTF-8") from None
    try:
        data = read_yaml(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise ConfigError(f"{path}: not valid YAML ({_yaml_problem(exc)})") from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping of keys to values, not {type(data).__name__}")
    keys = frozenset(item.split("=", 1)[0].strip() for item in overrides or [])
    if overrides:
        data = apply_overrides(data, overrides)
    return parse_params(data, path.resolve().parent, Origin(file=path.name, overridden=keys))
