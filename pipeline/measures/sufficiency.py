"""Sufficiency measures as tidy figures: measure_id, period, dimension, category, value, unit.

``period`` is the financial-year label ("2025-26"); snapshot measures are at its 31 March,
flow measures over its 12 months. The measure without a breakdown has dimension and
category "". A measure whose source is absent has a missing value and unit "unavailable"
(never zero). Definitions, sources and DfE rules: docs/measures.md (sufficiency section).
"""

from __future__ import annotations

import pandas as pd

from pipeline.periods import FinancialYear
from pipeline.process.sufficiency import NOT_KNOWN, YES

COLUMNS = ["measure_id", "period", "dimension", "category", "value", "unit"]
UNAVAILABLE = "unavailable"

# measure id -> (fact table, {dimension name: fact column}, unit)
COUNT_MEASURES: dict[str, tuple[str, dict[str, str], str]] = {
    "cla_31_march": ("cla_31_march", {
        "age_band": "AGE_BAND", "placement_group": "PLACEMENT_GROUP", "provider": "PROVIDER",
        "district": "HOME_DISTRICT", "ethnic_group": "ETHNIC_GROUP", "ethnicity": "ETHNIC",
        "disability": "DISABLED", "uasc": "UASC", "legal_status": "LEGAL_STATUS", "sex": "SEX",
    }, "children"),
    "admissions": ("admissions", {"age_band": "AGE_BAND", "placement_group": "PLACEMENT_GROUP",
                                  "legal_status": "LEGAL_STATUS"}, "children"),
    "ceased": ("ceased", {"reason": "REASON", "duration": "DURATION_BAND", "age_band": "AGE_BAND"}, "children"),
    "placed_far_from_home": ("cla_31_march", {"distance_band": "DISTANCE_BAND"}, "children"),
    "placement_location": ("cla_31_march", {"location": "LOCATION"}, "children"),
    "placements_in_year": ("cla_31_march", {"three_or_more": "PLACEMENTS_3PLUS"}, "children"),
    "care_leavers": ("care_leavers", {"accommodation": "ACCOMMODATION", "in_touch": "IN_TOUCH_GROUP"}, "young people"),
}


def _row(measure_id: str, period: str, value, unit: str, dimension: str = "", category: str = "") -> tuple:
    return (measure_id, period, dimension, category, value, unit)


def _unavailable(measure_id: str, years: list[FinancialYear]) -> list[tuple]:
    return [_row(measure_id, y.label, float("nan"), UNAVAILABLE) for y in years]


def count_measure(measure_id: str, frame: pd.DataFrame, dims: dict[str, str], unit: str,
                  years: list[FinancialYear]) -> list[tuple]:
    """Number of rows per year, overall and by each dimension's categories."""
    rows = []
    for y in years:
        f = frame[frame["YEAR"] == y.label]
        rows.append(_row(measure_id, y.label, float(len(f)), unit))
        for dim, col in dims.items():
            for cat, n in f[col].astype("string").fillna(NOT_KNOWN).value_counts().sort_index().items():
                rows.append(_row(measure_id, y.label, float(n), unit, dim, str(cat)))
    return rows


def _share(num: float, den: float) -> float:
    return 100.0 * num / den if den else float("nan")


def compute_distance_measures(cla: pd.DataFrame, years: list[FinancialYear], far_miles: float) -> list[tuple]:
    """Placed far from home and outside the LA (percent of children with known postcodes),
    mean distance, overall and by home district; children with unknown postcodes are counted
    separately (distance_not_known) and left out of the percentages."""
    rows = []
    far = f"{far_miles:g} miles or more"
    for y in years:
        f = cla[cla["YEAR"] == y.label]
        groups = [("", "", f)] + [("district", str(d), g) for d, g in f.groupby("HOME_DISTRICT", sort=True)]
        for dim, cat, g in groups:
            known = g["DISTANCE_BAND"] != NOT_KNOWN
            n_far = float((g["DISTANCE_BAND"] == far).sum())
            rows.append(_row("placed_far_from_home_pct", y.label, _share(n_far, known.sum()), "percent", dim, cat))
            rows.append(_row("distance_not_known", y.label, float((~known).sum()), "children", dim, cat))
            miles = g["DISTANCE_MILES"].dropna()
            rows.append(_row("mean_distance_miles", y.label, float(miles.mean()) if len(miles) else float("nan"),
                             "miles" if len(miles) else UNAVAILABLE, dim, cat))
            loc_known = g["LOCATION"] != NOT_KNOWN
            n_out = float((g["LOCATION"] == "Outside the LA").sum())
            rows.append(_row("placed_outside_la_pct", y.label, _share(n_out, loc_known.sum()), "percent", dim, cat))
            n3 = float((g["PLACEMENTS_3PLUS"] == YES).sum())
            rows.append(_row("stability_3plus_pct", y.label, _share(n3, len(g)), "percent", dim, cat))
    return rows


def compute_rates(cla: pd.DataFrame, population: pd.DataFrame | None, years: list[FinancialYear]) -> list[tuple]:
    """Children in care at 31 March per 10,000 under-18s, for the LA and each district, using
    the ONS mid-year estimate of the year the financial year starts in. Unavailable (not zero)
    where that estimate is missing; the LA rate needs every district's estimate."""
    if population is None:
        return _unavailable("cla_rate_per_10000", years)
    all_districts = sorted(set(population["DISTRICT"].astype(str)))
    rows = []
    for y in years:
        f = cla[cla["YEAR"] == y.label]
        p = population[population["YEAR"].astype(int) == y.start_year]
        pop = p.groupby(p["DISTRICT"].astype(str))["POPULATION"].sum()
        complete = all(d in pop.index for d in all_districts)
        rows.append(_row("cla_rate_per_10000", y.label, 10000.0 * len(f) / pop.sum() if complete and pop.sum() else
                         float("nan"), "per 10,000" if complete else UNAVAILABLE))
        counts = f["HOME_DISTRICT"].value_counts()
        for d in all_districts:
            if d in pop.index and pop[d] > 0:
                rows.append(_row("cla_rate_per_10000", y.label, 10000.0 * counts.get(d, 0) / pop[d], "per 10,000",
                                 "district", d))
            else:
                rows.append(_row("cla_rate_per_10000", y.label, float("nan"), UNAVAILABLE, "district", d))
    return rows


def compute_percentages(measure_id: str, frame: pd.DataFrame, col: str, dim: str,
                        years: list[FinancialYear]) -> list[tuple]:
    """Share of each category of `col` in the year's rows, in percent."""
    rows = []
    for y in years:
        f = frame[frame["YEAR"] == y.label]
        for cat, n in f[col].value_counts().sort_index().items():
            rows.append(_row(measure_id, y.label, _share(float(n), len(f)), "percent", dim, str(cat)))
    return rows


def compute_fostering_measures(capacity: pd.DataFrame | None, years: list[FinancialYear]) -> list[tuple]:
    """Households, places, approvals, resignations and utilisation (filled / approved places)."""
    fields = {"fostering_households": ("HOUSEHOLDS", "households"),
              "fostering_approved_places": ("APPROVED_PLACES", "places"),
              "fostering_filled_places": ("FILLED_PLACES", "places"),
              "fostering_approvals": ("APPROVALS", "households"),
              "fostering_resignations": ("RESIGNATIONS", "households")}
    rows = []
    for y in years:
        f = capacity[capacity["YEAR"] == y.label] if capacity is not None else pd.DataFrame()
        for mid, (col, unit) in fields.items():
            rows.append(_row(mid, y.label, float(f[col].iloc[0]), unit) if len(f) else
                        _row(mid, y.label, float("nan"), UNAVAILABLE))
        if len(f):
            rows.append(_row("fostering_utilisation_pct", y.label,
                             _share(float(f["FILLED_PLACES"].iloc[0]), float(f["APPROVED_PLACES"].iloc[0])), "percent"))
        else:
            rows.append(_row("fostering_utilisation_pct", y.label, float("nan"), UNAVAILABLE))
    return rows


def compute_cost_measures(facts: dict[str, pd.DataFrame], years: list[FinancialYear]) -> list[tuple]:
    """Unit costs (by placement group and age band) and estimated spend by placement group
    (days in care x annual cost / days in the year). A group with any placement days lacking
    a cost, and the total then, are unavailable."""
    if "unit_costs" not in facts:
        return _unavailable("unit_cost", years) + _unavailable("placement_spend", years)
    rows = []
    uc = facts["unit_costs"]
    days = facts["placement_days"]
    for y in years:
        u = uc[uc["YEAR"] == y.label]
        if u.empty:
            rows += _unavailable("unit_cost", [y])
        for _, r in u.iterrows():
            rows.append(_row("unit_cost", y.label, float(r["ANNUAL_COST"]), "pounds a year",
                             "placement_group|age_band", f"{r['PLACEMENT_GROUP']}|{r['AGE_BAND']}"))
        d = days[days["YEAR"] == y.label]
        complete = d["COST"].notna().all() and not u.empty
        rows.append(_row("placement_spend", y.label, float(d["COST"].sum()) if complete else float("nan"),
                         "pounds" if complete else UNAVAILABLE))
        for g, gd in d.groupby("PLACEMENT_GROUP", sort=True):
            ok = gd["COST"].notna().all() and not u.empty
            rows.append(_row("placement_spend", y.label, float(gd["COST"].sum()) if ok else float("nan"),
                             "pounds" if ok else UNAVAILABLE, "placement_group", str(g)))
            rows.append(_row("placement_days", y.label, float(gd["DAYS"].sum()), "days", "placement_group", str(g)))
    return rows


def reconcile_stock_flow(facts: dict[str, pd.DataFrame], years: list[FinancialYear]) -> pd.DataFrame:
    """The stock-flow identity for each year, with its documented exceptions:

    in care at 31 March = in care a year earlier + started - ceased (children counted once)
                          + (periods started - children started)
                          - (periods ceased - children ceased)
                          + (short break at the earlier 31 March inside an open period)
                          - (short break at the later 31 March inside an open period)
                          + UNEXPLAINED (should be 0: anything else is a data problem, e.g. a
                            stitching correction between returns)."""
    cla, adm, ceased = facts["cla_31_march"], facts["admissions"], facts["ceased"]
    flows, sb = facts["period_flows"], facts["short_breaks_31_march"]
    sb_in = sb[sb["IN_PERIOD"] == YES]
    rows = []
    for y in years:
        prev, cur = y.shift(-1).label, y.label
        r = {
            "YEAR": cur,
            "STOCK_START": int((cla["YEAR"] == prev).sum()),
            "STARTED": int((adm["YEAR"] == cur).sum()),
            "CEASED": int((ceased["YEAR"] == cur).sum()),
            "STOCK_END": int((cla["YEAR"] == cur).sum()),
            "EXTRA_PERIODS_STARTED": int(((flows["YEAR"] == cur) & (flows["FLOW"] == "started")).sum()
                                         - (adm["YEAR"] == cur).sum()),
            "EXTRA_PERIODS_CEASED": int(((flows["YEAR"] == cur) & (flows["FLOW"] == "ceased")).sum()
                                        - (ceased["YEAR"] == cur).sum()),
            "SHORT_BREAK_START": int((sb_in["YEAR"] == prev).sum()),
            "SHORT_BREAK_END": int((sb_in["YEAR"] == cur).sum()),
        }
        r["EXPECTED"] = r["STOCK_START"] + r["STARTED"] - r["CEASED"]
        r["DIFFERENCE"] = r["STOCK_END"] - r["EXPECTED"]
        explained = (r["EXTRA_PERIODS_STARTED"] - r["EXTRA_PERIODS_CEASED"]
                     + r["SHORT_BREAK_START"] - r["SHORT_BREAK_END"])
        r["UNEXPLAINED"] = r["DIFFERENCE"] - explained
        rows.append(r)
    return pd.DataFrame(rows)


def compute_projection_measures(facts: dict[str, pd.DataFrame], params) -> list[tuple]:
    """Projected children in care by placement group (median, 5% and 95% points)."""
    from pipeline.measures.projection import ALL_GROUPS, describe_history, project_children_in_care

    if params.projection.simulations <= 0 or "care_transitions" not in facts:
        return []
    history = describe_history(facts, params)
    base = params.sufficiency_year
    rows = [_row("projection_history_months", base.label, float(history.months), "months")]
    if history.declined:
        years = [base.shift(k) for k in range(1, params.projection.years + 1)]
        return rows + [(*_row(mid, y.label, float("nan"), UNAVAILABLE), history.declined) for y in years
                       for mid in ("projected_cla_median", "projected_cla_p05", "projected_cla_p95")]
    proj = project_children_in_care(facts, params)
    for _, r in proj.iterrows():
        dim, cat = ("", "") if r["PLACEMENT_GROUP"] == ALL_GROUPS else ("placement_group", r["PLACEMENT_GROUP"])
        for stat, mid in (("MEDIAN", "projected_cla_median"), ("P05", "projected_cla_p05"), ("P95", "projected_cla_p95")):
            rows.append(_row(mid, r["YEAR"], float(r[stat]), "children", dim, cat))
    return rows


def compute_sufficiency_measures(facts: dict[str, pd.DataFrame], params) -> pd.DataFrame:
    """Every sufficiency measure for the trend years (the sufficiency year and the years
    before it), in the tidy format; the projection for the years after."""
    years = params.trend_financial_years
    rows: list[tuple] = []
    for mid, (fact, dims, unit) in COUNT_MEASURES.items():
        if fact in facts:
            rows += count_measure(mid, facts[fact], dims, unit, years)
        else:
            rows += _unavailable(mid, years)
    cla = facts["cla_31_march"]
    rows += compute_rates(cla, facts.get("population"), years)
    rows += compute_percentages("cla_31_march_pct", cla, "AGE_BAND", "age_band", years)
    rows += compute_percentages("cla_31_march_pct", cla, "PLACEMENT_GROUP", "placement_group", years)
    rows += compute_percentages("admissions_pct", facts["admissions"], "AGE_BAND", "age_band", years)
    rows += compute_percentages("ceased_pct", facts["ceased"], "DURATION_BAND", "duration", years)
    rows += compute_distance_measures(cla, years, params.far_miles)
    rows += compute_fostering_measures(facts.get("fostering_capacity"), years)
    if "care_leavers" in facts:
        rows += compute_percentages("care_leavers_pct", facts["care_leavers"], "ACCOMMODATION", "accommodation", years)
    else:
        rows += _unavailable("care_leavers_pct", years)
    rows += compute_cost_measures(facts, years)
    recon = reconcile_stock_flow(facts, years)
    for _, r in recon.iterrows():
        rows.append(_row("stock_flow_unexplained", r["YEAR"], float(r["UNEXPLAINED"]), "children"))
    rows += compute_projection_measures(facts, params)
    reasons = [r[6] if len(r) > len(COLUMNS) else "" for r in rows]  # only a declined projection has one
    out = pd.DataFrame([r[:len(COLUMNS)] for r in rows], columns=COLUMNS)
    if any(reasons):
        out["reason"] = reasons
    out["value"] = out["value"].astype("float64")
    out.loc[out["value"].isna(), "unit"] = UNAVAILABLE
    return out
