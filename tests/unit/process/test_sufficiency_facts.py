"""Sufficiency fact tables on the hand-worked world (tests/unit/sufficiency_world.py) and
small cases for each counting rule."""

import pandas as pd
import pytest

from pipeline.periods import FinancialYear
from pipeline.process.episodes import derive_episode_fields
from pipeline.process.sufficiency import (
    age_in_months,
    band_distances,
    band_durations,
    build_sufficiency_facts,
    count_placements_in_year,
    label_accommodation_suitability,
    label_providers,
)
from tests.unit.sufficiency_world import (
    HEADER,
    make_episodes,
    world_episodes,
    world_params,
    world_validated,
)

D = pd.Timestamp


@pytest.fixture(scope="module")
def facts():
    return build_sufficiency_facts(world_validated(), world_episodes(), world_params())


def _children(frame, year):
    return sorted(frame.loc[frame["YEAR"] == year, "CHILD"])


def test_children_in_care_at_each_31_march(facts):
    cla = facts["cla_31_march"]
    assert _children(cla, "2022-23") == ["A", "D", "E", "F"]
    assert _children(cla, "2023-24") == ["A", "D"]          # B ceased ON 31/3/2024; F, C short breaks
    assert _children(cla, "2024-25") == ["A", "D", "F"]


def test_snapshot_rows_keep_the_open_episodes_source_key(facts):
    cla = facts["cla_31_march"].set_index(["YEAR", "CHILD"])
    assert cla.loc[("2023-24", "A"), "SOURCE_ROW"] == 3 and cla.loc[("2023-24", "A"), "DECOM"] == D("2023-09-01")
    assert {"CHILD", "DECOM", "SOURCE_FILE", "SOURCE_ROW", "YEAR"} <= set(cla.reset_index().columns)


def test_snapshot_fields_worked_by_hand(facts):
    cla = facts["cla_31_march"].set_index(["YEAR", "CHILD"])
    a = cla.loc[("2023-24", "A")]
    assert (a["AGE"], a["AGE_BAND"], a["PLACEMENT_GROUP"], a["PROVIDER"]) == (13, "10 to 15", "RESIDENTIAL_AGENCY", "Agency")
    assert (a["DISTANCE_BAND"], a["LOCATION"], a["HOME_DISTRICT"]) == ("20 miles or more", "Outside the LA", "North")
    assert (a["N_PLACEMENTS"], a["PLACEMENTS_3PLUS"]) == (3, "Yes")
    assert cla.loc[("2022-23", "A"), "UASC"] == "No"           # ceased to be UASC 1/1/2023
    d = cla.loc[("2024-25", "D")]
    assert (d["DISABLED"], d["UASC"], d["DISTANCE_BAND"], d["LOCATION"]) == ("Yes", "Yes", "Not known", "Inside the LA")
    assert cla.loc[("2024-25", "F"), "ETHNIC_GROUP"] == "Not known"
    assert cla.loc[("2024-25", "F"), "LEGAL_STATUS"] == "Voluntary agreement (section 20)"


def test_short_break_only_children_are_never_counted(facts):
    for name in ("cla_31_march", "admissions", "ceased", "care_periods"):
        assert "C" not in set(facts[name]["CHILD"]), name
    sb = facts["short_breaks_31_march"].set_index(["YEAR", "CHILD"])["IN_PERIOD"]
    assert sb.to_dict() == {("2023-24", "C"): "No", ("2023-24", "F"): "Yes", ("2024-25", "C"): "No"}


def test_admissions_count_a_child_once_on_the_first_start(facts):
    adm = facts["admissions"].set_index(["YEAR", "CHILD"])
    assert list(adm.index) == [("2022-23", "F"), ("2023-24", "B"), ("2024-25", "B")]
    b = adm.loc[("2024-25", "B")]
    assert (b["START"], b["AGE_BAND"], b["N_STARTS_IN_YEAR"]) == (D("2024-05-01"), "1 to 4", 2)


def test_ceased_counts_a_child_once_with_the_last_reason(facts):
    ceased = facts["ceased"].set_index(["YEAR", "CHILD"])
    assert list(ceased.index) == [("2023-24", "B"), ("2023-24", "E"), ("2024-25", "B")]
    b = ceased.loc[("2024-25", "B")]
    assert (b["REC"], b["REASON"], b["DURATION_BAND"], b["N_CEASES_IN_YEAR"]) == ("E45", "Special guardianship order", "3 to 6 months", 2)
    assert ceased.loc[("2023-24", "B"), "DURATION_BAND"] == "6 months to 1 year"
    assert ceased.loc[("2023-24", "E"), ("REASON", "DURATION_BAND")].tolist() == ["Adopted", "3 to 5 years"]


@pytest.mark.parametrize("start,end,band", [
    ("2024-01-15", "2024-04-14", "Under 3 months"), ("2024-01-15", "2024-04-15", "3 to 6 months"),
    ("2024-01-15", "2024-07-15", "6 months to 1 year"), ("2024-01-15", "2025-01-15", "1 to 3 years"),
    ("2020-01-15", "2023-01-14", "1 to 3 years"), ("2020-01-15", "2023-01-15", "3 to 5 years"),
    ("2010-01-15", "2024-01-15", "5 years and over"), ("2024-01-15", "2024-01-15", "Under 3 months"),
])
def test_duration_bands_by_calendar_months(start, end, band):
    assert band_durations(pd.Series([D(start)]), pd.Series([D(end)])).iloc[0] == band


def test_duration_band_missing_without_an_end():
    assert band_durations(pd.Series([D("2024-01-01")]), pd.Series([pd.NaT])).isna().all()


def test_distance_bands_leave_unknown_postcodes_out():
    bands = band_distances(pd.Series([19.99, 20.0, None, 35.0], dtype="Float64"), 20).tolist()
    assert bands == ["Under 20 miles", "20 miles or more", "Not known", "20 miles or more"]


def test_providers_and_accommodation_labels():
    assert label_providers(pd.Series(["PR1", "PR4", "PR0", None])).tolist() == ["In-house", "Agency", "Not applicable", "Not applicable"]
    assert label_accommodation_suitability(pd.Series(["S1", "B2", "X", None])).tolist() == ["Suitable", "Not suitable", "Not known", "Not known"]


def test_age_in_months():
    assert age_in_months(pd.Series([D("2010-06-15"), D("2010-03-31")]), D("2025-03-31")).tolist() == [177, 180]


def _stability_episodes(rows):
    eps = make_episodes([[r[0], r[1], r[2], "C2", "N1", r[3], r[4], r[5], r[6], None, r[7], r[8]] for r in rows])
    return derive_episode_fields(eps, HEADER)


def test_three_placements_in_the_year_counted_and_legal_changes_are_not():
    eps = _stability_episodes([
        ["A", "2023-01-01", "S", "U6", "PR1", "2023-05-01", "X1", "P1", "u1"],   # open on 1 April: 1
        ["A", "2023-05-01", "L", "U6", "PR1", "2023-06-01", "X1", "P1", "u1"],   # legal change only: same
        ["A", "2023-06-01", "P", "U4", "PR4", "2023-08-01", "X1", "P2", "u2"],   # 2
        ["A", "2023-08-01", "B", "K2", "PR4", None, None, "P3", "u3"],            # 3
    ])
    assert count_placements_in_year(eps, FinancialYear(2023)).to_dict() == {"A": 3}


def test_temporary_moves_and_returns_to_the_same_placement_are_not_placements():
    eps = _stability_episodes([
        ["A", "2023-04-10", "S", "U6", "PR1", "2023-07-01", "X1", "P1", "u1"],   # 1
        ["A", "2023-07-01", "P", "T3", "PR1", "2023-07-10", "X1", "P9", "u9"],   # temporary: not counted
        ["A", "2023-07-10", "P", "U6", "PR1", "2023-09-01", "X1", "P1", "u1"],   # back to the same carer
        ["A", "2023-09-01", "P", "U4", "PR1", None, None, "P2", "u2"],            # 2
    ])
    assert count_placements_in_year(eps, FinancialYear(2023)).to_dict() == {"A": 2}


def test_placements_ended_before_the_year_do_not_count():
    eps = _stability_episodes([
        ["A", "2022-01-01", "S", "U6", "PR1", "2023-03-31", "X1", "P1", "u1"],   # ended before 1 April 2023
        ["A", "2023-03-31", "P", "U4", "PR1", None, None, "P2", "u2"],
    ])
    assert count_placements_in_year(eps, FinancialYear(2023)).to_dict() == {"A": 1}


def test_missing_local_files_give_no_table_never_an_empty_one():
    facts = build_sufficiency_facts(world_validated(fostering_capacity=1, unit_costs=1, oc3=1, population=1, uasc=1),
                                    world_episodes(), world_params())
    assert not {"fostering_capacity", "unit_costs", "care_leavers", "population"} & set(facts)
    assert "COST" not in facts["placement_days"]
    assert set(facts["cla_31_march"]["UASC"]) == {"Not known"}


def test_without_postcodes_distance_is_not_known_not_zero():
    eps = derive_episode_fields(world_validated()["episodes"], HEADER)      # no postcode lookup
    cla = build_sufficiency_facts(world_validated(), eps, world_params())["cla_31_march"]
    assert set(cla["DISTANCE_BAND"]) == {"Not known"} and set(cla["LOCATION"]) == {"Not known"}
    assert cla["DISTANCE_MILES"].isna().all()


def test_care_leavers_from_annual_returns_only(facts):
    cl = facts["care_leavers"]
    assert sorted(cl["CHILD"]) == ["L1", "L2", "L3"] and set(cl["YEAR"]) == {"2024-25"}


def test_monthly_transitions_add_up_to_the_month_end_stock(facts):
    t = facts["care_transitions"]
    last = t[t["MONTH_END"] == D("2025-03-31")]
    assert last.loc[last["TO"] != "OUT", "N"].sum() == 3            # A, D, F at 31/3/2025
    jan = t[t["MONTH_END"] == D("2025-01-31")]
    assert jan.loc[(jan["FROM"] == "FOSTER_AGENCY") & (jan["TO"] == "OUT"), "N"].sum() == 1   # B's SGO
    assert not t["AGED_OUT"].any()


def test_inputs_are_not_modified():
    eps = world_episodes()
    before = eps.copy()
    build_sufficiency_facts(world_validated(), eps, world_params())
    pd.testing.assert_frame_equal(eps, before)
