"""Sufficiency measures on the hand-worked world (tests/unit/sufficiency_world.py)."""

import math

import pandas as pd
import pytest

from pipeline.measures.sufficiency import (
    COLUMNS,
    compute_sufficiency_measures,
    reconcile_stock_flow,
)
from pipeline.process.sufficiency import build_sufficiency_facts
from tests.unit.sufficiency_world import world_episodes, world_params, world_validated


@pytest.fixture(scope="module")
def params():
    return world_params(**{"projection.simulations": 20})


@pytest.fixture(scope="module")
def facts(params):
    return build_sufficiency_facts(world_validated(), world_episodes(), params)


@pytest.fixture(scope="module")
def measures(facts, params):
    return compute_sufficiency_measures(facts, params)


def value(m, measure_id, period, dimension="", category=""):
    row = m[(m["measure_id"] == measure_id) & (m["period"] == period) & (m["dimension"] == dimension)
            & (m["category"] == category)]
    assert len(row) == 1, (measure_id, period, dimension, category, len(row))
    return row.iloc[0]["value"], row.iloc[0]["unit"]


def test_tidy_columns_and_one_row_per_figure(measures):
    assert list(measures.columns) == COLUMNS
    assert not measures.duplicated(["measure_id", "period", "dimension", "category"]).any()


def test_counts_worked_by_hand(measures):
    assert value(measures, "cla_31_march", "2024-25") == (3, "children")
    assert value(measures, "cla_31_march", "2023-24", "age_band", "16 and over") == (1, "children")
    assert value(measures, "admissions", "2024-25") == (1, "children")
    assert value(measures, "ceased", "2024-25", "reason", "Special guardianship order") == (1, "children")
    assert value(measures, "ceased", "2023-24", "duration", "3 to 5 years") == (1, "children")
    assert value(measures, "cla_31_march", "2024-25", "uasc", "Yes") == (1, "children")


def test_stability_distance_and_location_shares(measures):
    assert value(measures, "stability_3plus_pct", "2023-24") == (50.0, "percent")     # A of A, D
    # 2024-25: A 20 miles, F 0 miles, D unknown postcode: 1 of 2 known.
    assert value(measures, "placed_far_from_home_pct", "2024-25") == (50.0, "percent")
    assert value(measures, "distance_not_known", "2024-25") == (1, "children")
    assert value(measures, "mean_distance_miles", "2024-25")[0] == pytest.approx(10.0)
    assert value(measures, "placed_outside_la_pct", "2024-25")[0] == pytest.approx(100 / 3)


def test_rates_per_10000_and_missing_population_is_unavailable(measures):
    assert value(measures, "cla_rate_per_10000", "2024-25", "district", "North")[0] == pytest.approx(2.5)
    assert value(measures, "cla_rate_per_10000", "2024-25")[0] == pytest.approx(10000 * 3 / 9000)
    v, unit = value(measures, "cla_rate_per_10000", "2023-24", "district", "South")
    assert math.isnan(v) and unit == "unavailable"
    v, unit = value(measures, "cla_rate_per_10000", "2023-24")
    assert math.isnan(v) and unit == "unavailable"


def test_fostering_costs_and_care_leavers(measures):
    assert value(measures, "fostering_utilisation_pct", "2024-25") == (80.0, "percent")
    assert value(measures, "fostering_approvals", "2023-24") == (12, "households")
    assert value(measures, "placement_spend", "2024-25", "placement_group", "FOSTER_IN_HOUSE")[0] == pytest.approx(71600)
    v, unit = value(measures, "placement_spend", "2023-24")       # no 2023-24 unit costs
    assert math.isnan(v) and unit == "unavailable"
    assert value(measures, "care_leavers_pct", "2024-25", "accommodation", "Suitable")[0] == pytest.approx(100 / 3)


def test_missing_local_files_are_unavailable_never_zero(params):
    facts = build_sufficiency_facts(world_validated(fostering_capacity=1, unit_costs=1, oc3=1, population=1),
                                    world_episodes(), params)
    m = compute_sufficiency_measures(facts, params)
    for mid in ("fostering_households", "fostering_utilisation_pct", "placement_spend", "unit_cost",
                "care_leavers", "cla_rate_per_10000"):
        rows = m[m["measure_id"] == mid]
        assert len(rows) and rows["value"].isna().all() and (rows["unit"] == "unavailable").all(), mid
    assert value(m, "cla_31_march", "2024-25") == (3, "children")     # the return alone still gives counts


def test_stock_flow_identity_with_its_exceptions(facts, params):
    r = reconcile_stock_flow(facts, params.trend_financial_years).set_index("YEAR")
    # 2023-24: 4 + 1 - 2 = 3 expected, 2 found: F is on a short break at 31/3/2024 inside her period.
    assert r.loc["2023-24", ["STOCK_START", "STARTED", "CEASED", "STOCK_END", "DIFFERENCE"]].tolist() == [4, 1, 2, 2, -1]
    assert r.loc["2023-24", "SHORT_BREAK_END"] == 1
    # 2024-25: 2 + 1 - 1 = 2, 3 found: B started and ceased twice (+1 -1), F back from a short break (+1).
    assert r.loc["2024-25", ["EXTRA_PERIODS_STARTED", "EXTRA_PERIODS_CEASED", "SHORT_BREAK_START", "DIFFERENCE"]].tolist() == [1, 1, 1, 1]
    assert (r["UNEXPLAINED"] == 0).all()


def test_a_snapshot_from_another_version_of_the_data_shows_as_unexplained(facts, params):
    # E missing from the 31/3/2023 stock (as if revised between returns), yet E ceases in 2023-24.
    broken = dict(facts)
    cla = facts["cla_31_march"]
    broken["cla_31_march"] = cla[~((cla["CHILD"] == "E") & (cla["YEAR"] == "2022-23"))]
    r = reconcile_stock_flow(broken, params.trend_financial_years).set_index("YEAR")
    assert r.loc["2023-24", "UNEXPLAINED"] == 1 and r.loc["2024-25", "UNEXPLAINED"] == 0


def test_projection_rows_follow_the_sufficiency_year(measures):
    proj = measures[measures["measure_id"] == "projected_cla_median"]
    assert sorted(set(proj["period"])) == ["2025-26", "2026-27", "2027-28"]
    low = measures[(measures["measure_id"] == "projected_cla_p05") & (measures["dimension"] == "")].set_index("period")["value"]
    high = measures[(measures["measure_id"] == "projected_cla_p95") & (measures["dimension"] == "")].set_index("period")["value"]
    assert (low <= high).all()


def test_inputs_unchanged(facts, params):
    before = {k: v.copy() for k, v in facts.items()}
    compute_sufficiency_measures(facts, world_params(**{"projection.simulations": 0}))
    for k, v in facts.items():
        pd.testing.assert_frame_equal(v, before[k])
