"""The sufficiency paper's comparisons with England, the region and the statistical neighbours.

Each comparison is a :class:`pipeline.tables.DerivedTable`, so it goes through disclosure
control with the rest of the paper: the LA's own figure in it ("counted here") names the
count cells of the paper it comes from (S12, S13, S14, S17), so it is hidden whenever they
are; the DfE's figures are public and name no count, but name where the DfE published them
(``DerivedTable.sources``: file, line, column and the file's sha256; the neighbours' average
and median name every figure they are computed from). The difference between the DfE's
published figure for the LA and the count here names the count too (and the DfE's figure): a
hidden count is never given away by printing the difference next to the DfE's figure.

Table ids (stable):

=====================  ======================================================================
E01_cla_number          children in care at 31 March: the LA, region, England, each neighbour
E02_cla_rate            ... per 10,000 children under 18
E03_start_rate          children starting to be looked after per 10,000
E04_cease_rate          children ceasing to be looked after per 10,000
E05_stability           children in care at 31 March with 3 or more placements in the year (%)
E06_distance            placements 20 miles or more from home (%)
E07_care_leavers        care leavers in suitable accommodation (%)
E08_dfe_vs_counted      the DfE's published figures for the LA against the counts here
=====================  ======================================================================
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from pipeline.comparators.figures import (
    ENGLAND,
    MEASURES,
    SOURCES,
    compute_rate_per_10000,
    find_neighbours,
    summarise_neighbours,
    to_financial_year,
)
from pipeline.labels import (
    CEASED,
    IN_CARE_31_MARCH,
    NEIGHBOURS_AVERAGE,
    STARTED,
    TOTAL,
    label_own_figure,
)
from pipeline.periods import FinancialYear
from pipeline.tables import Cell, DerivedTable, Paper, SourceRef

WHOLE = "Rates are rounded to whole numbers, as the DfE publishes them."
AVERAGE, MEDIAN = NEIGHBOURS_AVERAGE, "Statistical neighbours: median"
OwnFigure = tuple[float, tuple[Cell, ...]]
Published = tuple[float, tuple[SourceRef, ...]]  # a DfE figure (NaN: not published) and where it is
# A table's figure: value, the count cells of the paper and the published values it comes from.
Figure = tuple[float, tuple[Cell, ...], tuple[SourceRef, ...]]


@dataclass(frozen=True)
class Comparison:
    """One comparison table: which DfE measure, how it is shown, where the LA's figure comes from."""

    table_id: str
    measure: str
    title: str
    fmt: str  # number (whole numbers: counts and rates per 10,000) | percent
    snapshot: bool  # columns are '31 March YYYY' (a count on the day) rather than 'YYYY-YY'
    each_neighbour: bool
    caption: str
    notes: tuple[str, ...] = ()


COMPARISONS = (
    Comparison("E01_cla_number", "cla_number", "Children in care at 31 March: compared with the region, England "
               "and the statistical neighbours", "number", True, True,
               "Children looked after on 31 March of each year.",
               ("The neighbours' average and median of the numbers are rounded to whole numbers.",)),
    Comparison("E02_cla_rate", "cla_rate", "Children in care at 31 March per 10,000 children under 18: compared",
               "number", True, True,
               "Children looked after on 31 March per 10,000 children aged under 18 (ONS mid-year estimate of the "
               "previous summer).", (WHOLE,)),
    Comparison("E03_start_rate", "start_rate", "Children starting to be looked after per 10,000 children under 18: "
               "compared", "number", False, False,
               "Children who started to be looked after during the year (1 April to 31 March) per 10,000 children "
               "aged under 18.", (WHOLE,)),
    Comparison("E04_cease_rate", "cease_rate", "Children ceasing to be looked after per 10,000 children under 18: "
               "compared", "number", False, False,
               "Children who ceased to be looked after during the year per 10,000 children aged under 18.", (WHOLE,)),
    Comparison("E05_stability", "stability_pct", "Children in care at 31 March with 3 or more placements in the "
               "year: compared (percentage)", "percent", True, False,
               "Percentage of the children looked after on 31 March who had 3 or more placements during the year.",
               ("The DfE's percentages are as it publishes them (whole numbers).",)),
    Comparison("E06_distance", "distance_pct", "Placements 20 miles or more from home: compared (percentage)",
               "percent", False, False,
               "The DfE's figure: new placements during the year 20 miles or more from home, inside or outside the "
               "LA, as a percentage of all new placements (computed here from the DfE's published counts).",
               ("The figure counted here is not the same measure: it is the children in care at 31 March with "
                "known postcodes placed 20 miles or more from home (as in the distance table below), because the distance of each new "
                "placement is not in the council's processed data. Compare the trend, not the level.",)),
    Comparison("E07_care_leavers", "leavers_suitable_pct", "Care leavers in suitable accommodation: compared "
               "(percentage)", "percent", False, False,
               "Care leavers aged 17 to 21 whose accommodation was considered suitable, as a percentage of all of "
               "them (the DfE's two age groups, 17 to 18 and 19 to 21, added up from its published counts).",
               ("Young people with no information on their accommodation count in the total, as the DfE counts "
                "them.",)),
)
DIFFERENCES = ((IN_CARE_31_MARCH, "cla_number", IN_CARE_31_MARCH),
               (STARTED, "start_number", STARTED),
               (CEASED, "cease_number", CEASED))
DIFFERENCE_TABLE = "E08_dfe_vs_counted"


def find_region(params) -> str:
    """The LA's region as the DfE names it: ``comparators.region``, else ``la.region_name``."""
    return params.comparators.region or getattr(params.la, "region_name", "") or ""


def label_column(year: FinancialYear, snapshot: bool) -> str:
    """'31 March 2025' for a count on the day, '2024-25' for the year."""
    return f"31 March {year.start_year + 1}" if snapshot else year.label


def list_comparison_years(published: Sequence[int], params) -> list[FinancialYear]:
    """Every year the DfE has published and every year of the paper, up to the paper's year."""
    first = min([to_financial_year(t) for t in published] + [params.trend_financial_years[0]])
    last = params.sufficiency_year
    return [FinancialYear(y) for y in range(first.start_year, last.start_year + 1)]


def sum_la_population(facts: dict[str, pd.DataFrame], mid_year: int) -> float:
    """The LA's population under 18 in the ONS mid-year (every district); NaN when unknown."""
    pop = facts.get("population")
    if pop is None or pop.empty:
        return math.nan
    rows = pop[pop["YEAR"].astype(int) == mid_year]
    return float(rows["POPULATION"].sum()) if len(rows) else math.nan


def _count(paper: Paper, table_id: str, row: str, col: str) -> OwnFigure | None:
    try:
        t = paper.table(table_id)
    except KeyError:
        return None
    if row not in t.values.index or col not in t.values.columns or pd.isna(t.values.at[row, col]):
        return None
    return float(t.values.at[row, col]), (Cell(table_id, row, col),)


def _derived(paper: Paper, table_id: str, col: str) -> OwnFigure | None:
    """The single figure of a one-row derived table (S13p, S14p) in column ``col``."""
    t = next((d for d in paper.derived if d.table_id == table_id), None)
    if t is None or col not in t.values.columns or len(t.values.index) != 1:
        return None
    row = t.values.index[0]
    v = t.values.at[row, col]
    return None if pd.isna(v) else (float(v), tuple(t.inputs.get((row, col), ())))


def compute_own_figure(measure: str, paper: Paper, facts: dict[str, pd.DataFrame], year: FinancialYear) -> OwnFigure | None:
    """The LA's own figure for ``measure`` in ``year`` and the count cells it is computed from."""
    fy, day = year.label, label_column(year, True)
    flows = {"cla": IN_CARE_31_MARCH, "start": STARTED, "cease": CEASED}
    stem, _, kind = measure.partition("_")
    if stem in flows and kind == "number":
        return _count(paper, "S12_flows", flows[stem], fy)
    if stem in flows and kind == "rate":
        n = _count(paper, "S12_flows", flows[stem], fy)
        rate = compute_rate_per_10000(n[0], sum_la_population(facts, year.start_year)) if n else math.nan
        return None if n is None or math.isnan(rate) else (rate, n[1])
    if measure == "stability_pct":
        return _derived(paper, "S13p_stability_pct", day)
    if measure == "distance_pct":
        return _derived(paper, "S14p_distance_pct", day)
    if measure == "leavers_suitable_pct":
        ok, total = _count(paper, "S17_care_leavers", "Suitable", fy), _count(paper, "S17_care_leavers", TOTAL, fy)
        if ok is None or total is None or total[0] <= 0:
            return None
        return 100.0 * ok[0] / total[0], ok[1] + total[1]
    raise ValueError(f"unknown comparator measure {measure!r}")


def _lookup(figures: pd.DataFrame, measure: str) -> Callable[[str, int], Published]:
    """(area code, time period) -> the DfE's figure and its sources (none when the frame has no
    ``sources`` column); NaN when not published."""
    rows = figures[figures["measure"] == measure]
    refs = rows[SOURCES] if SOURCES in rows.columns else pd.Series([()] * len(rows), index=rows.index, dtype=object)
    table = {(str(c), int(t)): (float(v), tuple(r))
             for c, t, v, r in zip(rows["code"], rows["time_period"], rows["value"], refs, strict=True)}
    return lambda code, tp: table.get((str(code), int(tp)), (math.nan, ()))


def build_comparison(spec: Comparison, figures: pd.DataFrame, neighbours: Sequence[tuple[str, str]], paper: Paper,
                     facts: dict[str, pd.DataFrame], params, basis: str = "") -> DerivedTable | None:
    """One comparison table (None when the DfE file it needs was not supplied)."""
    rows_m = figures[figures["measure"] == spec.measure]
    if rows_m.empty:
        return None
    published = sorted(set(rows_m["time_period"].astype(int)))
    years = list_comparison_years(published, params)
    cols = [label_column(y, spec.snapshot) for y in years]
    value = _lookup(figures, spec.measure)
    la, short = str(params.la.code), params.la.short_name
    region = find_region(params)
    codes = set(rows_m["code"].astype(str))
    whole = spec.fmt == "number"
    lines: list[tuple[str, Callable[[FinancialYear], Figure | None]]] = [
        (label_own_figure(short), lambda y: _own(_round_figure(compute_own_figure(spec.measure, paper, facts, y),
                                                               whole)))]
    dfe = lambda code: (lambda y: _public(*value(code, y.start_year + 1)))  # noqa: E731
    if la in codes:
        lines.append((f"{short} (published by the DfE)", dfe(la)))
    if region and region in codes:
        lines.append((region, dfe(region)))
    lines.append((ENGLAND, dfe(ENGLAND)))
    names = [n for c, n in neighbours]
    if spec.each_neighbour:
        lines += [(n, dfe(c)) for c, n in neighbours if n not in {r for r, _ in lines}]
    if neighbours:
        of = lambda y: [value(c, y.start_year + 1) for c, _ in neighbours]  # noqa: E731
        lines.append((AVERAGE, lambda y: _public(_round(summarise_neighbours([v for v, _ in of(y)])[0], whole),
                                                 _published_sources(of(y)))))
        lines.append((MEDIAN, lambda y: _public(_round(summarise_neighbours([v for v, _ in of(y)])[1], whole),
                                                _published_sources(of(y)))))
    values = pd.DataFrame(math.nan, index=[r for r, _ in lines], columns=cols, dtype="float64")
    inputs: dict[tuple[str, str], tuple[Cell, ...]] = {}
    sources: dict[tuple[str, str], tuple[SourceRef, ...]] = {}
    for y, c in zip(years, cols, strict=True):
        for r, get in lines:
            fig = get(y)
            if fig is not None:
                values.at[r, c] = fig[0]
                inputs[(r, c)] = fig[1]
                if fig[2]:
                    sources[(r, c)] = fig[2]
    later = [y.label for y in years if y.start_year + 1 > max(published)]
    notes = list(spec.notes)
    if later:
        notes.append(f"Not yet published: the DfE has not yet published its figures for {', '.join(later)} "
                     "(its rows show z there).")
    if neighbours and not spec.each_neighbour:
        notes.append("The neighbours' average and median are of the 10 statistical neighbours named under the table "
                     "of children in care per 10,000, those with a published figure.")
    elif neighbours:
        notes.append(f"Statistical neighbours: the 10 local authorities most like {basis or params.la.short_name} "
                     f"in the DfE's children's services statistical-neighbour model ({', '.join(names)}); the "
                     "average and median are of those with a published figure.")
    notes.append("Figures the DfE did not publish (its symbols c, low, k, u, x) show as z. Source: DfE, Children "
                 "looked after in England including adoption (Explore Education Statistics), Open Government "
                 "Licence v3.0.")
    return DerivedTable(spec.table_id, spec.title, "Area", "Year", values, inputs, fmt=spec.fmt,
                        caption=f"{spec.caption} {short}'s own figure is counted here from its returns.",
                        notes=tuple(notes), sources=sources)


def describe_basis(model: pd.DataFrame | None, params) -> str:
    """Whose neighbours these are: the LA's own, or another LA's (given to a fictional authority)."""
    basis = params.comparators.neighbours_of or str(params.la.code)
    if basis == str(params.la.code):
        return params.la.short_name
    names = dict(zip(model["old_la_code"], model["la_name"], strict=True)) if model is not None else {}
    return f"{names.get(basis, 'the LA with code ' + basis)} ({basis}), whose neighbours {params.la.short_name} is given"


def _public(v: float, sources: tuple[SourceRef, ...] = ()) -> Figure | None:
    """A DfE figure: public, computed from no count of ours, with where the DfE published it
    (None when not published)."""
    return None if v is None or math.isnan(v) else (float(v), (), tuple(sources))


def _own(fig: OwnFigure | None) -> Figure | None:
    """A figure counted here: from the paper's count cells, from nothing published elsewhere."""
    return None if fig is None else (fig[0], fig[1], ())


def _published_sources(figs: Sequence[Published]) -> tuple[SourceRef, ...]:
    """The sources of the published figures among `figs` (those a summary is computed from)."""
    return tuple(r for v, refs in figs if not math.isnan(v) for r in refs)


def _round_figure(fig: OwnFigure | None, whole: bool) -> OwnFigure | None:
    return None if fig is None else (_round(fig[0], whole), fig[1])


def _round(v: float, whole: bool) -> float:
    return float(math.floor(v + 0.5)) if whole and not math.isnan(v) else v


def build_differences(figures: pd.DataFrame, paper: Paper, params) -> DerivedTable | None:
    """The DfE's published counts for the LA, the counts here and the difference, for every year
    both exist (None when the DfE's file has no figures for the LA's code)."""
    la = str(params.la.code)
    mine = figures[(figures["code"].astype(str) == la) & figures["measure"].isin([m for _, m, _ in DIFFERENCES])]
    if mine.empty:
        return None
    years = sorted(to_financial_year(t) for t in set(mine["time_period"].astype(int)))
    cols = [y.label for y in years if _count(paper, "S12_flows", IN_CARE_31_MARCH, y.label) is not None]
    if not cols:
        return None
    rows, inputs, sources = [], {}, {}
    values = {}
    for what, measure, s12_row in DIFFERENCES:
        value = _lookup(figures, measure)
        r_dfe, r_own, r_diff = (f"{what}: published by the DfE", f"{what}: counted here",
                                f"{what}: difference (DfE minus counted here)")
        rows += [r_dfe, r_own, r_diff]
        for c in cols:
            published, refs = value(la, int(c[:4]) + 1)
            own = _count(paper, "S12_flows", s12_row, c)
            if not math.isnan(published):
                values[(r_dfe, c)], inputs[(r_dfe, c)] = published, ()
                if refs:
                    sources[(r_dfe, c)] = refs
            if own is not None:
                values[(r_own, c)], inputs[(r_own, c)] = own
            if own is not None and not math.isnan(published):
                # computed from our count: hidden whenever the count is
                values[(r_diff, c)], inputs[(r_diff, c)] = published - own[0], own[1]
                if refs:
                    sources[(r_diff, c)] = refs
    frame = pd.DataFrame(math.nan, index=rows, columns=cols, dtype="float64")
    for (r, c), v in values.items():
        frame.at[r, c] = v
    return DerivedTable(
        DIFFERENCE_TABLE, f"{params.la.short_name}: the DfE's published figures and the counts here", "Measure",
        "Year", frame, inputs, fmt="number",
        caption="The DfE's figures come from the returns as submitted for each year; the counts here come from "
                "the latest returns, in which earlier records may have been corrected, so the two can differ.",
        notes=("A difference is not shown where the count here is hidden to protect children's identities.",),
        sources=sources)


def add_comparators(paper: Paper, published, facts: dict[str, pd.DataFrame], params) -> Paper:
    """A copy of the sufficiency paper with the comparison tables (unchanged when ``published``
    is None: no DfE files were supplied)."""
    if published is None:
        return paper
    basis = params.comparators.neighbours_of or str(params.la.code)
    neighbours = find_neighbours(published.model, basis) if published.model is not None else []
    text = describe_basis(published.model, params)
    tables = [build_comparison(s, published.figures, neighbours, paper, facts, params, text) for s in COMPARISONS]
    tables.append(build_differences(published.figures, paper, params))
    return replace(paper, derived=[*paper.derived, *[t for t in tables if t is not None]])


__all__ = ["COMPARISONS", "MEASURES", "add_comparators", "build_comparison", "build_differences", "compute_own_figure"]
