"""The sufficiency paper on the hand-worked world of tests/unit/sufficiency_world.py."""

import math

import pandas as pd
import pytest

from pipeline.papers.sufficiency import build_sufficiency_paper
from pipeline.process.sufficiency import build_sufficiency_facts
from pipeline.tables import Cell
from tests.unit.sufficiency_world import world_episodes, world_params, world_validated

Y24, Y25 = "31 March 2024", "31 March 2025"


@pytest.fixture(scope="module")
def params():
    return world_params(**{"projection.simulations": 0})


@pytest.fixture(scope="module")
def facts(params):
    return build_sufficiency_facts(world_validated(), world_episodes(), params)


@pytest.fixture(scope="module")
def paper(facts, params):
    return build_sufficiency_paper(facts, params)


def test_every_count_cell_is_recomputed_by_its_selection(paper, facts):
    checked = 0
    for table in paper.tables:
        for cell in table.cells():
            sel = table.selections[(cell.row, cell.col)]
            assert sel.evaluate(facts[sel.fact]) == pytest.approx(table.value(cell)), cell.id
            checked += 1
    assert checked > 100


def test_every_table_adds_up_and_ids_are_unique(paper):
    ids = [t.table_id for t in paper.tables] + [d.table_id for d in paper.derived]
    assert len(ids) == len(set(ids))
    for table in paper.tables:
        assert table.check_additive() == [], table.table_id


def test_children_in_care_by_age_worked_by_hand(paper):
    t = paper.table("S01_cla_by_age").values
    # 31/3/2024: A aged 13, D aged 16 (B ceased that day, E adopted, F and C on short breaks).
    assert t[Y24].to_dict() == {"Under 1": 0, "1 to 4": 0, "5 to 9": 0, "10 to 15": 1, "16 and over": 1, "Total": 2}
    # 31/3/2025: A 14, D 17, F 7.
    assert t.at["5 to 9", Y25] == 1 and t.at["Total", Y25] == 3


def test_placement_provider_distance_and_stability_worked_by_hand(paper):
    place = paper.table("S02_cla_by_placement").values
    assert place.at["Residential (agency)", Y24] == 1 and place.at["Foster placement (in-house)", Y24] == 1
    assert paper.table("S03_cla_by_provider").values[Y25].to_dict() == {
        "In-house": 2, "Agency": 1, "Not applicable": 0, "Total": 3}
    dist = paper.table("S14_distance").values
    # A is exactly 20 miles away (counted as 20 or more); D's home postcode is unknown.
    assert dist[Y24].to_dict() == {"20 miles or more": 1, "Under 20 miles": 0, "Postcode not known": 1, "Total": 2}
    stab = paper.table("S13_stability").values
    assert stab.at["3 or more placements", Y24] == 1 and stab.at["3 or more placements", Y25] == 0


def test_flows_count_children_once(paper):
    flows = paper.table("S12_flows").values
    assert flows["2024-25"].to_dict() == {"Started to be looked after": 1, "Ceased to be looked after": 1,
                                          "In care at 31 March": 3}
    reasons = paper.table("S10_ceased_by_reason").values
    assert reasons.at["Special guardianship order", "2024-25"] == 1     # B's last cease, not E4B
    assert reasons.at["Returned home to parents or others with parental responsibility", "2024-25"] == 0
    dur = paper.table("S11_ceased_by_duration").values
    assert dur.at["3 to 6 months", "2024-25"] == 1 and dur.at["3 to 5 years", "2023-24"] == 1


def test_percentages_name_their_counts_so_suppression_follows(paper):
    pct = next(d for d in paper.derived if d.table_id == "S01p_cla_by_age_pct")
    assert pct.values.at["10 to 15", Y24] == pytest.approx(50.0)
    assert pct.inputs[("10 to 15", Y24)] == (Cell("S01_cla_by_age", "10 to 15", Y24), Cell("S01_cla_by_age", "Total", Y24))
    known = {c for t in paper.tables for c in t.cells()}
    for d in paper.derived:
        for key, cells in d.inputs.items():
            assert cells and all(c in known for c in cells), (d.table_id, key)


def test_rates_use_the_matching_mid_year_and_are_missing_without_population(paper):
    rate = next(d for d in paper.derived if d.table_id == "S04r_cla_rate_by_district").values
    assert rate.at["North", Y25] == pytest.approx(10000 * 1 / 4000)   # A; mid-2024 North 1000 + 3000
    assert rate.at["Total", Y25] == pytest.approx(10000 * 3 / 9000)
    assert rate.at["North", Y24] == pytest.approx(10000 * 1 / 2000)   # mid-2023
    assert math.isnan(rate.at["South", Y24]) and math.isnan(rate.at["Total", Y24])   # no mid-2023 South


def test_grand_totals_of_the_31_march_tables_are_linked(paper):
    links = paper.shared_selection_links()
    linked = {c.table_id for eq in links for c in (*eq.lhs, *eq.rhs) if c.row in ("Total", "In care at 31 March")}
    assert {"S01_cla_by_age", "S02_cla_by_placement", "S04_cla_by_district", "S12_flows", "S13_stability"} <= linked


def test_missing_local_files_drop_their_tables(params):
    facts = build_sufficiency_facts(world_validated(fostering_capacity=1, unit_costs=1, oc3=1), world_episodes(), params)
    ids = {t.table_id for t in build_sufficiency_paper(facts, params).tables}
    assert not ids & {"S16_fostering", "S18_unit_costs", "S19_spend", "S17_care_leavers"}
    assert "S01_cla_by_age" in ids


def test_spend_is_days_times_unit_cost(paper):
    spend = paper.table("S19_spend").values
    # D 365 days + F 351 days in in-house foster at 36,500 a year (365-day year 2024-25).
    assert spend.at["Foster placement (in-house)", "2024-25"] == pytest.approx(36500 + 35100)
    assert "2023-24" not in spend.columns   # no unit costs for 2023-24: not shown, never zero
    assert not paper.table("S19_spend").suppress


def test_a_child_with_an_unlisted_category_still_adds_up(params):
    eps = world_episodes()
    eps.loc[eps["CHILD"] == "D", "LS"] = "ZZ"    # an invalid legal status that slipped through
    facts = build_sufficiency_facts(world_validated(), eps, params)
    legal = build_sufficiency_paper(facts, params).table("S08_cla_by_legal_status")
    assert legal.values.at["Not known", Y25] == 1 and legal.check_additive() == []
    assert isinstance(legal.values, pd.DataFrame)
