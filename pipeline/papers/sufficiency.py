"""The annual placement sufficiency analysis as a :class:`pipeline.tables.Paper`.

Every count is a :class:`Selection` over a sufficiency fact table (pipeline.process.sufficiency),
so each cell can be recomputed and traced; every percentage, rate or model figure is a
:class:`DerivedTable` naming the counts it comes from, so suppressing a count suppresses
what is computed from it. The children-in-care tables at 31 March share their grand totals
through equal selections (the disclosure audit links them).

Table ids (stable; documented in docs/measures.md, sufficiency section):

====================  ===========================================================
S01_cla_by_age         children in care at 31 March by age band (5 years)
S01p_cla_by_age_pct    ... as a percentage of all children in care
S02_cla_by_placement   ... by placement type
S02p_cla_by_placement_pct
S03_cla_by_provider    ... by provider (in-house / agency)
S04_cla_by_district    ... by home district
S04r_cla_rate_by_district  ... per 10,000 children under 18 (derived)
S05_cla_by_ethnicity   ... by ethnic group
S06_cla_by_disability  ... disabled (category of need N2)
S07_cla_by_uasc        ... unaccompanied asylum-seeking children
S08_cla_by_legal_status ... by legal status
S09_admissions_by_age  children starting to be looked after in the year, by age band
S09p_admissions_by_age_pct
S10_ceased_by_reason   children ceasing to be looked after in the year, by reason
S11_ceased_by_duration ... by length of the period of care
S11p_ceased_by_duration_pct
S12_flows              started, ceased and in care at 31 March
S13_stability          children in care at 31 March with 3 or more placements in the year
S13p_stability_pct
S14_distance           placed 20 miles or more from home
S14p_distance_pct
S15_location           placed inside / outside the LA boundary
S15p_location_pct
S16_fostering          in-house fostering capacity (local file; not counts of children)
S16p_fostering_use     utilisation: filled / approved places
S17_care_leavers       care leavers (OC3) by suitability of accommodation
S18_unit_costs         annual unit cost by placement type and age band (local file)
S19_spend              estimated spend by placement type (days in care x unit cost)
S20_projection         projected children in care by placement type (derived, model)
====================  ===========================================================
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pandas as pd

from pipeline import schema
from pipeline.coverage import (
    Coverage,
    check_annual,
    check_day,
    check_window,
    describe_extent,
    describe_gaps,
    join_words,
    read_coverage,
)
from pipeline.errors import InputError
from pipeline.labels import CEASED, IN_CARE_31_MARCH, STARTED, TOTAL, label_snapshot
from pipeline.periods import FinancialYear
from pipeline.process.sufficiency import (
    CEASED_REASONS,
    DURATION_BANDS,
    LEGAL_STATUS_GROUPS,
    LOCATIONS,
    NOT_KNOWN,
    PROVIDERS,
    band_distances,
)
from pipeline.tables import Cell, DerivedTable, Paper, PublishedTable, Selection

PAPER_ID = "sufficiency"

Category = tuple[str, tuple]  # (row label, values selected)


# --- labels ----------------------------------------------------------------------------------


def _with_seen(cats: list[Category], frame: pd.DataFrame, col: str) -> list[Category]:
    """Fixed categories plus any value seen in the data that none of them covers (so the
    rows always add up to the total), and Not known last."""
    covered = {v for _, vals in cats for v in vals}
    seen = set(frame[col].dropna().astype(str)) if col in frame else set()
    extra = sorted(seen - covered - {NOT_KNOWN})
    out = cats + [(v, (v,)) for v in extra]
    if NOT_KNOWN in seen and NOT_KNOWN not in covered:
        out.append((NOT_KNOWN, (NOT_KNOWN,)))
    return out


# --- generic builders ------------------------------------------------------------------------


def _count(sel: Selection, frame: pd.DataFrame) -> float:
    """The figure of a counting selection (same as sel.evaluate, without copying the rows)."""
    return float(sel.mask(frame).sum())


def build_count_table(table_id: str, title: str, facts: dict[str, pd.DataFrame], fact: str, col: str,
                      categories: list[Category], columns: list[tuple[str, str]], row_dim: str,
                      col_dim: str, caption: str = "", notes: tuple[str, ...] = (), total: bool = True,
                      unit: str = "children") -> PublishedTable:
    """A count table: one row per category (+ Total), one column per (label, YEAR); each cell
    is the number of `fact` rows with that YEAR and `col` in the category's values."""
    frame = facts[fact]
    values = pd.DataFrame(index=[r for r, _ in categories] + ([TOTAL] if total else []),
                          columns=[c for c, _ in columns], dtype="float64")
    selections = {}
    for col_label, year in columns:
        base = Selection.of(fact, YEAR=year)
        for row_label, vals in categories:
            sel = base.narrow(**{col: vals})
            selections[(row_label, col_label)] = sel
            values.at[row_label, col_label] = _count(sel, frame)
        if total:
            selections[(TOTAL, col_label)] = base
            values.at[TOTAL, col_label] = _count(base, frame)
    return PublishedTable(table_id, title, row_dim, col_dim, values, row_total=TOTAL if total else None,
                          selections=selections, caption=caption, notes=notes, unit=unit)


def build_percent_table(table_id: str, title: str, counts: PublishedTable, caption: str = "",
                        notes: tuple[str, ...] = (), rows: Sequence[str] | None = None) -> DerivedTable:
    """Each count as a percentage of its column total; inputs are the count and the total."""
    rows = [r for r in (rows or counts.rows) if r != counts.row_total]
    values = pd.DataFrame(index=rows, columns=counts.cols, dtype="float64")
    inputs = {}
    for c in counts.cols:
        total = counts.values.at[counts.row_total, c]
        for r in rows:
            n = counts.values.at[r, c]
            values.at[r, c] = 100.0 * n / total if total else float("nan")
            inputs[(r, c)] = (Cell(counts.table_id, r, c), Cell(counts.table_id, counts.row_total, c))
    return DerivedTable(table_id, title, counts.row_dim, counts.col_dim, values, inputs, fmt="percent",
                        caption=caption, notes=notes)


def build_share_table(table_id: str, title: str, counts: PublishedTable, numerator: str,
                      denominator: Sequence[str], row_label: str, caption: str = "",
                      notes: tuple[str, ...] = ()) -> DerivedTable:
    """One row: the `numerator` row as a percentage of the sum of the `denominator` rows."""
    values = pd.DataFrame(index=[row_label], columns=counts.cols, dtype="float64")
    inputs = {}
    for c in counts.cols:
        den = sum(counts.values.at[r, c] for r in denominator)
        values.at[row_label, c] = 100.0 * counts.values.at[numerator, c] / den if den else float("nan")
        cells = [Cell(counts.table_id, numerator, c)] + [Cell(counts.table_id, r, c) for r in denominator]
        inputs[(row_label, c)] = tuple(dict.fromkeys(cells))
    return DerivedTable(table_id, title, counts.row_dim, counts.col_dim, values, inputs, fmt="percent",
                        caption=caption, notes=notes)


# --- population rates ------------------------------------------------------------------------


def sum_population(population: pd.DataFrame | None, mid_year: int) -> pd.Series:
    """Under-18 population by district for one ONS mid-year (empty when absent)."""
    if population is None:
        return pd.Series(dtype="float64")
    p = population[population["YEAR"].astype(int) == mid_year]
    return p.groupby(p["DISTRICT"].astype(str))["POPULATION"].sum().astype("float64")


def build_rate_table(table_id: str, title: str, counts: PublishedTable, population: pd.DataFrame | None,
                     years: list[FinancialYear], all_districts: Sequence[str], caption: str = "",
                     notes: tuple[str, ...] = ()) -> DerivedTable:
    """Children in care per 10,000 children under 18 in each district, and for the LA (the
    Total row, over all children in care) when every district's population is known. The
    population is the ONS mid-year estimate of the year the financial year starts in
    (31 March 2025 uses mid-2024). A missing population leaves the rate missing, never zero."""
    rows = [r for r in counts.rows if r in set(all_districts)] + [TOTAL]
    values = pd.DataFrame(index=rows, columns=counts.cols, dtype="float64")
    inputs = {}
    for year, c in zip(years, counts.cols, strict=True):
        pop = sum_population(population, year.start_year)
        for r in rows:
            if r == TOTAL:
                known = len(pop) > 0 and all(d in pop.index for d in all_districts)
                den = float(pop[list(all_districts)].sum()) if known else float("nan")
            else:
                den = float(pop.get(r, float("nan")))
            n = counts.values.at[r, c]
            values.at[r, c] = 10000.0 * n / den if den == den and den > 0 else float("nan")
            inputs[(r, c)] = (Cell(counts.table_id, r, c),)
    return DerivedTable(table_id, title, counts.row_dim, counts.col_dim, values, inputs, fmt="rate",
                        caption=caption, notes=notes)


# --- the paper -------------------------------------------------------------------------------


def refuse_uncovered_year(cov: Coverage | None, year: FinancialYear) -> None:
    """No sufficiency paper for a year whose 31 March no return covers (it would count the
    children still open at the last return as in care that day), nor for one whose months the
    returns do not all cover (its starters and leavers would be missing, not zero)."""
    reason = check_window(cov, year.start, year.end) if check_day(cov, year.end) is None else check_day(cov, year.end)
    if reason:
        raise InputError(f"sufficiency_year {year.label}: the sufficiency analysis is not produced: {reason}; "
                         "set sufficiency_year to a year the returns cover, or to auto")


def _placement_categories() -> list[Category]:
    return [(label, (code,)) for code, label in schema.PLACEMENT_GROUP_LABELS.items()]


def build_sufficiency_tables(facts: dict[str, pd.DataFrame], params) -> tuple[list[PublishedTable], list[DerivedTable]]:
    """Every sufficiency count table and the figures derived from them."""
    trend = params.trend_financial_years
    cov = read_coverage(facts)
    refuse_uncovered_year(cov, params.sufficiency_year)
    years = [y for y in trend if check_day(cov, y.end) is None]  # the 31 March snapshots the returns cover
    flow_years = [y for y in trend if check_window(cov, y.start, y.end) is None]
    snap = [(label_snapshot(y), y.label) for y in years]
    flow = [(y.label, y.label) for y in flow_years]
    in_year = [(label_snapshot(y), y.label) for y in flow_years]  # 31 March, with the year before it
    snap_gap = describe_gaps(cov, [label_snapshot(y) for y in trend if y not in years])
    flow_gap = describe_gaps(cov, [y.label for y in trend if y not in flow_years], "the whole year")
    cla = facts["cla_31_march"]
    tables: list[PublishedTable] = []
    derived: list[DerivedTable] = []
    dfe = ("Children looked after only under an agreed series of short breaks (legal status V3/V4) "
           "are not counted (DfE rule).",)
    snap_note = ("A child whose period of care ended on 31 March is not counted as in care that day.",) + dfe + snap_gap
    dfe_flow = dfe + flow_gap

    def add(t: PublishedTable) -> PublishedTable:
        tables.append(t)
        return t

    age = add(build_count_table(
        "S01_cla_by_age", "Children in care at 31 March by age", facts, "cla_31_march", "AGE_BAND",
        _with_seen([(b, (b,)) for b in schema.AGE_BANDS], cla, "AGE_BAND"), snap, "Age group", "Date",
        caption="Number of children in care at 31 March of each year by age on that day.", notes=snap_note))
    derived.append(build_percent_table(
        "S01p_cla_by_age_pct", "Children in care at 31 March by age (percentage)", age,
        caption="Each age group as a percentage of all children in care on the same day."))
    placement = add(build_count_table(
        "S02_cla_by_placement", "Children in care at 31 March by placement type", facts, "cla_31_march",
        "PLACEMENT_GROUP", _with_seen(_placement_categories(), cla, "PLACEMENT_GROUP"), snap,
        "Placement type", "Date",
        caption="Placement on 31 March. In-house placements are the council's own (provider PR1); "
                "agency placements are provided by other councils, private or voluntary providers.",
        notes=snap_note + ("Independent living includes semi-independent and supported accommodation (H5, P2, K3).",)))
    derived.append(build_percent_table(
        "S02p_cla_by_placement_pct", "Children in care at 31 March by placement type (percentage)", placement,
        caption="Each placement type as a percentage of all children in care on the same day."))
    add(build_count_table(
        "S03_cla_by_provider", "Children in care at 31 March by placement provider", facts, "cla_31_march",
        "PROVIDER", [(p, (p,)) for p in PROVIDERS], snap, "Provider", "Date",
        caption="In-house: the council's own provision (PR1). Agency: other councils, other public bodies, "
                "private and voluntary providers (PR2-PR5). Not applicable: placed with parents or no provider.",
        notes=snap_note))
    districts = sorted(set(cla["HOME_DISTRICT"]) - {NOT_KNOWN, "Outside the LA"})
    population = facts.get("population")
    pop_districts = sorted(set(population["DISTRICT"].astype(str))) if population is not None else districts
    district_cats = [(d, (d,)) for d in sorted(set(districts) | set(pop_districts))]
    district_cats = _with_seen(district_cats + [("Outside the LA", ("Outside the LA",))], cla, "HOME_DISTRICT")
    district = add(build_count_table(
        "S04_cla_by_district", "Children in care at 31 March by home district", facts, "cla_31_march",
        "HOME_DISTRICT", district_cats, snap, "District", "Date",
        caption="District of the child's home postcode (the postcode the child was living at when taken into care).",
        notes=snap_note + ("'Not known': the home postcode is missing or not in the postcode lookup.",)))
    derived.append(build_rate_table(
        "S04r_cla_rate_by_district", "Children in care per 10,000 children under 18, by district", district,
        population, years, pop_districts,
        caption="Children in care at 31 March per 10,000 children aged under 18 living in the district "
                "(ONS mid-year estimate of the previous summer). The total rate counts every child in care.",
        notes=("A rate is left blank where the population estimate is not available.",)))
    add(build_count_table(
        "S05_cla_by_ethnicity", "Children in care at 31 March by ethnic group", facts, "cla_31_march",
        "ETHNIC_GROUP", _with_seen([(g, (g,)) for g in schema.ETHNIC_GROUPS], cla, "ETHNIC_GROUP"), snap,
        "Ethnic group", "Date", caption="Ethnic group as recorded in the SSDA903 return.", notes=snap_note))
    add(build_count_table(
        "S06_cla_by_disability", "Children in care at 31 March with a disability", facts, "cla_31_march",
        "DISABLED", [("Disability the main category of need", ("Yes",)), ("Other category of need", ("No",))],
        snap, "Category of need", "Date",
        caption="Children whose category of need on 31 March is the child's disability (N2).",
        notes=snap_note + ("This counts the main category of need only, so it is lower than counts of "
                           "children with any recorded disability.",)))
    if (cla["UASC"] != NOT_KNOWN).any() or cla.empty:
        add(build_count_table(
            "S07_cla_by_uasc", "Unaccompanied asylum-seeking children in care at 31 March", facts,
            "cla_31_march", "UASC",
            [("Unaccompanied asylum-seeking children", ("Yes",)), ("Other children", ("No",))],
            snap, "Status", "Date",
            caption="Children recorded in the UASC table who had not ceased to be UASC by 31 March.",
            notes=snap_note))
    add(build_count_table(
        "S08_cla_by_legal_status", "Children in care at 31 March by legal status", facts, "cla_31_march",
        "LEGAL_STATUS", _with_seen([(g, (g,)) for g in LEGAL_STATUS_GROUPS], cla, "LEGAL_STATUS"), snap,
        "Legal status", "Date", caption="Legal status of the episode open on 31 March.", notes=snap_note))

    adm = facts["admissions"]
    admissions = add(build_count_table(
        "S09_admissions_by_age", "Children who started to be looked after, by age", facts, "admissions",
        "AGE_BAND", _with_seen([(b, (b,)) for b in schema.AGE_BANDS], adm, "AGE_BAND"), flow,
        "Age group", "Year",
        caption="Children who started a period of care during the year (1 April to 31 March), by age at the start.",
        notes=("A child who started more than once in the year is counted once, on the first occasion (DfE rule).",)
        + dfe_flow))
    derived.append(build_percent_table(
        "S09p_admissions_by_age_pct", "Children who started to be looked after, by age (percentage)", admissions,
        caption="Each age group as a percentage of all children who started to be looked after in the year."))
    ceased_frame = facts["ceased"]
    note_ceased = ("A child who ceased more than once in the year is counted once, on the last occasion (DfE rule).",)
    add(build_count_table(
        "S10_ceased_by_reason", "Children who ceased to be looked after, by reason", facts, "ceased", "REASON",
        _with_seen([(r, (r,)) for r in CEASED_REASONS], ceased_frame, "REASON"), flow, "Reason", "Year",
        caption="Children whose period of care ended during the year, by the reason it ended.",
        notes=note_ceased + dfe))
    duration = add(build_count_table(
        "S11_ceased_by_duration", "Children who ceased to be looked after, by length of time in care", facts,
        "ceased", "DURATION_BAND", _with_seen([(d, (d,)) for d in DURATION_BANDS], ceased_frame, "DURATION_BAND"),
        flow, "Time in care", "Year",
        caption="Length of the period of care that ended, from its start to the day it ended.",
        notes=note_ceased + dfe_flow))
    derived.append(build_percent_table(
        "S11p_ceased_by_duration_pct", "Children who ceased to be looked after, by length of time in care (percentage)",
        duration, caption="Each length of stay as a percentage of all children who ceased in the year."))
    blank = [y.label for y in years if y not in flow_years]
    blank_note = (f"Started and ceased in {join_words(blank)} are shown as z: no return covers the whole year "
                  f"({describe_extent(cov)}); the number in care on 31 March comes from the next return's "
                  "opening stock.",) if blank and cov is not None else ()
    tables.append(_build_flows_table(facts, years, flow_years, snap_gap + blank_note))

    stab = add(build_count_table(
        "S13_stability", "Children in care at 31 March by number of placements during the year", facts,
        "cla_31_march", "PLACEMENTS_3PLUS",
        [("3 or more placements", ("Yes",)), ("1 or 2 placements", ("No",))], in_year, "Placements", "Date",
        caption="Placements during the year (1 April to 31 March) of the children in care on 31 March.",
        notes=("A new placement is an episode starting with a change of placement (reason P, T, B or U) or a new "
               "period of care; temporary placements (T0-T4) and short breaks are not counted, and returning to "
               "the same placement after a temporary move is not a new placement.",)
        + describe_gaps(cov, [label_snapshot(y) for y in trend if y not in flow_years], "the whole year to that day")))
    derived.append(build_share_table(
        "S13p_stability_pct", "Children in care at 31 March with 3 or more placements in the year (percentage)",
        stab, "3 or more placements", [TOTAL], "3 or more placements (%)",
        caption="Percentage of children in care on 31 March who had 3 or more placements during the year."))
    far = band_distances(pd.Series([params.far_miles, 0.0]), params.far_miles).tolist()
    dist = add(build_count_table(
        "S14_distance", f"Children in care at 31 March placed {params.far_miles:g} miles or more from home",
        facts, "cla_31_march", "DISTANCE_BAND",
        [(far[0], (far[0],)), (far[1], (far[1],)), ("Postcode not known", (NOT_KNOWN,))], snap,
        "Distance from home", "Date",
        caption="Straight-line distance between the home postcode and the placement postcode.",
        notes=("Children whose home or placement postcode is missing or unknown are shown as 'Postcode not known' "
               "and left out of the percentage.",)))
    derived.append(build_share_table(
        "S14p_distance_pct", f"Children placed {params.far_miles:g} miles or more from home (percentage)", dist,
        far[0], [far[0], far[1]], f"{far[0]} (%)",
        caption="Percentage of children in care on 31 March with known postcodes who were placed "
                f"{params.far_miles:g} miles or more from home, inside or outside the LA."))
    loc = add(build_count_table(
        "S15_location", "Children in care at 31 March placed inside and outside the LA boundary", facts,
        "cla_31_march", "LOCATION",
        [(LOCATIONS[0], (LOCATIONS[0],)), (LOCATIONS[1], (LOCATIONS[1],)), ("Postcode not known", (NOT_KNOWN,))],
        snap, "Placement location", "Date",
        caption="Whether the placement postcode is inside the LA boundary, whatever the distance from home.",
        notes=("Children whose placement postcode is missing or unknown are left out of the percentage.",)))
    derived.append(build_share_table(
        "S15p_location_pct", "Children placed outside the LA boundary (percentage)", loc,
        LOCATIONS[1], [LOCATIONS[0], LOCATIONS[1]], "Outside the LA (%)",
        caption="Percentage of children in care on 31 March with a known placement postcode placed outside the LA."))

    if "fostering_capacity" in facts:
        cap = _build_fostering_table(facts, years)
        tables.append(cap)
        derived.append(build_share_table(
            "S16p_fostering_use", "In-house fostering utilisation (percentage of approved places filled)", cap,
            "Places filled at 31 March", ["Approved places"], "Utilisation (%)",
            caption="Places filled at 31 March as a percentage of approved places."))
    if "care_leavers" in facts:
        leavers = facts["care_leavers"]
        cl_years = [(y.label, y.label) for y in flow_years
                    if (leavers["YEAR"] == y.label).any() and check_annual(cov, y) is None]
        if cl_years:
            tables.append(build_count_table(
                "S17_care_leavers", "Care leavers by suitability of accommodation", facts, "care_leavers",
                "ACCOMMODATION", [("Suitable", ("Suitable",)), ("Not suitable", ("Not suitable",)),
                                  ("Not known", (NOT_KNOWN,))], cl_years, "Accommodation", "Year",
                caption="Care leavers in the year's OC3 return (young people who left care at 16 or over, "
                        "reported around their 17th to 21st birthdays), by whether their accommodation was suitable.",
                notes=("Accommodation is 'Not known' when the young person was not in touch or the code is blank.",),
                unit="young people"))
    if "unit_costs" in facts:
        tables.append(_build_unit_cost_table(facts, params.sufficiency_year))
        spend = _build_spend_table(facts, flow_years)
        if spend is not None:
            tables.append(spend)
    return tables, derived


def _build_flows_table(facts: dict[str, pd.DataFrame], years: list[FinancialYear],
                       flow_years: list[FinancialYear] | None = None, gaps: tuple[str, ...] = ()) -> PublishedTable:
    """Started, ceased and in care at 31 March for each year (the seed's summary table); the
    started and ceased cells of a year the returns do not cover in full (not in ``flow_years``)
    are left blank, never zero."""
    rows = [(STARTED, Selection.of("admissions")),
            (CEASED, Selection.of("ceased")),
            (IN_CARE_31_MARCH, Selection.of("cla_31_march"))]
    flow_years = years if flow_years is None else flow_years
    values = pd.DataFrame(index=[r for r, _ in rows], columns=[y.label for y in years], dtype="float64")
    selections = {}
    for y in years:
        for label, base in rows:
            if base.fact != "cla_31_march" and y not in flow_years:
                continue
            sel = base.narrow(YEAR=y.label)
            selections[(label, y.label)] = sel
            values.at[label, y.label] = _count(sel, facts[sel.fact])
    return PublishedTable(
        "S12_flows", "Children starting and ceasing to be looked after, and in care at 31 March", "Measure", "Year",
        values, selections=selections,
        caption="The number in care on 31 March moves with the children starting and ceasing during the year.",
        notes=("In care at the end of a year = in care a year earlier + started - ceased, except for children "
               "who started or ceased more than once in the year (counted once) and children on a short break "
               "on 31 March (not counted).",) + gaps)


def _build_fostering_table(facts: dict[str, pd.DataFrame], years: list[FinancialYear]) -> PublishedTable:
    cap = facts["fostering_capacity"]
    rows = [("Approved fostering households", "HOUSEHOLDS"), ("Approved places", "APPROVED_PLACES"),
            ("Places filled at 31 March", "FILLED_PLACES"), ("Households approved in the year", "APPROVALS"),
            ("Households resigned in the year", "RESIGNATIONS")]
    cols = [y.label for y in years if (cap["YEAR"] == y.label).any()]
    values = pd.DataFrame(index=[r for r, _ in rows], columns=cols, dtype="float64")
    selections = {}
    for c in cols:
        for label, field_ in rows:
            sel = Selection.of("fostering_capacity", sum_of=field_, YEAR=c)
            selections[(label, c)] = sel
            values.at[label, c] = sel.evaluate(cap)
    return PublishedTable(
        "S16_fostering", "In-house fostering capacity", "Measure", "Year", values, selections=selections,
        caption="The council's own foster carers: households and places at 31 March, approvals and resignations "
                "during the year (fostering service records).",
        unit="households or places", suppress=False)


def _build_unit_cost_table(facts: dict[str, pd.DataFrame], year: FinancialYear) -> PublishedTable:
    uc = facts["unit_costs"]
    uc_year = uc[uc["YEAR"] == year.label]
    bands = [b for b in (*schema.AGE_BANDS, "ALL") if (uc_year["AGE_BAND"] == b).any()]
    groups = [g for g in schema.COST_GROUPS if (uc_year["PLACEMENT_GROUP"] == g).any()]
    labels = {**schema.PLACEMENT_GROUP_LABELS, "SGO_ALLOWANCE": "Special guardianship allowance",
              "CAO_ALLOWANCE": "Child arrangements order allowance", "ADOPTION_ALLOWANCE": "Adoption allowance"}
    col_label = {b: ("All ages" if b == "ALL" else b) for b in bands}
    values = pd.DataFrame(index=[labels[g] for g in groups], columns=[col_label[b] for b in bands], dtype="float64")
    selections = {}
    for g in groups:
        for b in bands:
            sel = Selection.of("unit_costs", sum_of="ANNUAL_COST", YEAR=year.label, PLACEMENT_GROUP=g, AGE_BAND=b)
            if sel.mask(uc).any():
                selections[(labels[g], col_label[b])] = sel
                values.at[labels[g], col_label[b]] = sel.evaluate(uc)
    return PublishedTable(
        "S18_unit_costs", f"Annual unit cost per child by placement type, {year.label}", "Placement type",
        "Age group", values, selections=selections,
        caption="Annual cost of one placement for a year, in pounds, from the council's finance records.",
        unit="pounds a year", suppress=False)


def _build_spend_table(facts: dict[str, pd.DataFrame], years: list[FinancialYear]) -> PublishedTable | None:
    days = facts["placement_days"]
    if "COST" not in days:
        return None
    cols = [y.label for y in years if ((days["YEAR"] == y.label) & days["COST"].notna()).any()]
    if not cols:
        return None
    cats = _placement_categories()
    values = pd.DataFrame(index=[r for r, _ in cats] + [TOTAL], columns=cols, dtype="float64")
    selections = {}
    for c in cols:
        complete = True
        for label, vals in cats:
            sel = Selection.of("placement_days", sum_of="COST", YEAR=c, PLACEMENT_GROUP=vals)
            rows = days[sel.mask(days)]
            if rows["COST"].isna().any():
                complete = False
                continue
            selections[(label, c)] = sel
            values.at[label, c] = sel.evaluate(days)
        if complete:
            sel = Selection.of("placement_days", sum_of="COST", YEAR=c)
            selections[(TOTAL, c)] = sel
            values.at[TOTAL, c] = sel.evaluate(days)
    return PublishedTable(
        "S19_spend", "Estimated spend on placements by placement type", "Placement type", "Year", values,
        row_total=TOTAL, selections=selections,
        caption="Days in each placement type during the year times the annual unit cost for the child's age, "
                "in pounds. An estimate: actual payments differ.",
        notes=("Left blank where a unit cost is missing for some placements of that type.",),
        unit="pounds", suppress=False)


def build_sufficiency_paper(facts: dict[str, pd.DataFrame], params) -> Paper:
    """The sufficiency analysis's Paper: count tables, derived tables, links."""
    tables, derived = build_sufficiency_tables(facts, params)
    if "care_transitions" in facts and params.projection.simulations > 0:
        from pipeline.measures.projection import describe_history
        from pipeline.papers.projection import build_projection_table

        placement = next(t for t in tables if t.table_id == "S02_cla_by_placement")
        projection = build_projection_table(facts, params, placement)
        if projection is not None:
            derived.append(projection)
        else:  # the reason goes with the history the projection would have continued
            noted = dataclasses.replace(placement, notes=(*placement.notes, describe_history(facts, params).describe()))
            tables = [noted if t is placement else t for t in tables]
    return Paper(PAPER_ID, tables=tables, derived=derived, links=[])
