from datetime import date

import pytest

from pipeline import schema


def test_placement_codes_change_in_2025_26():
    old, new = schema.valid_codes("PLACE", 2025), schema.valid_codes("PLACE", 2026)
    assert {"H5", "P2", "Z1"} <= old and not ({"H5", "P2", "Z1"} & new)
    assert {"K3", "Z11", "Z14"} <= new and "K3" not in old


def test_sex_coding_changes_to_letters():
    assert schema.valid_codes("SEX", 2024) == {"1", "2"}
    assert schema.valid_codes("SEX", 2025) == {"M", "F", "U"}


def test_unknown_field_has_no_code_list():
    with pytest.raises(KeyError):
        schema.valid_codes("NOPE", 2020)


@pytest.mark.parametrize("place,provider,group", [
    ("U4", "PR1", "FOSTER_IN_HOUSE"), ("U6", "PR4", "FOSTER_AGENCY"), ("U1", "PR2", "FOSTER_AGENCY"),
    ("K2", "PR1", "RESIDENTIAL_IN_HOUSE"), ("K2", "PR4", "RESIDENTIAL_AGENCY"), ("K1", "PR1", "SECURE"),
    ("A5", "PR1", "PLACED_FOR_ADOPTION"), ("P1", "PR0", "PLACED_WITH_PARENTS"),
    ("K3", "PR4", "INDEPENDENT_LIVING"), ("H5", "PR4", "INDEPENDENT_LIVING"), ("T1", None, "OTHER"),
])
def test_placement_groups(place, provider, group):
    assert schema.placement_group(place, provider) == group


@pytest.mark.parametrize("rec,route", [
    ("E11", "Adoption"), ("E46", "SGO to former foster carer"), ("E47", "SGO to other carer"),
    ("E41", "Child arrangements order"), ("E4A", "Returned home (planned)"), ("E17", "Other"),
    ("X1", None), ("E99", None),
])
def test_exit_routes(rec, route):
    assert schema.exit_route(rec) == route


def test_return_labels():
    annual = schema.parse_return_label("2024-25")
    assert annual.end == date(2025, 3, 31) and annual.collection_year == 2025 and annual.quarter is None
    in_year = schema.parse_return_label("2026-27_Q2")
    assert in_year.end == date(2026, 9, 30) and in_year.name == "2026-27_Q2"
    assert annual < in_year
    with pytest.raises(ValueError):
        schema.parse_return_label("2025")


def test_every_route_has_an_outcome_among_its_stages():
    for route, (stage, codes) in schema.TRACKER_OUTCOME.items():
        assert stage in schema.TRACKER_STAGES[route]
        assert all(schema.exit_route(c) for c in codes)
