"""The DfE's published figures as one tidy frame, and the neighbours' average and median.
Expected values are worked out by hand from the small frames below (shaped like the DfE's files)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.comparators.figures import (
    compute_rate_per_10000,
    extract_cla,
    extract_distance,
    extract_leavers,
    extract_stability,
    find_neighbours,
    summarise_neighbours,
    to_financial_year,
    to_number,
)

GEO = ["time_period", "geographic_level", "region_name", "old_la_code", "la_name"]
ENGLAND = ["2025", "National", "", "", ""]
EAST_MIDLANDS = ["2025", "Regional", "East Midlands", "", ""]
DERBYSHIRE = ["2025", "Local authority", "East Midlands", "830", "Derbyshire"]


def frame(columns, rows):
    return pd.DataFrame(rows, columns=GEO + columns, dtype=str)


def test_summary_of_neighbours_leaves_out_the_unpublished():
    # 10, 20, 30 published, one suppressed: average (10+20+30)/3 = 20, median the middle one 20
    assert summarise_neighbours([10.0, math.nan, 30.0, 20.0]) == (20.0, 20.0, 3)


def test_median_of_an_even_number_of_neighbours_is_the_mean_of_the_middle_two():
    # sorted 53, 55, 60, 119: average 287/4 = 71.75, median (55+60)/2 = 57.5
    assert summarise_neighbours([119.0, 53.0, 60.0, 55.0]) == (71.75, 57.5, 4)


def test_no_published_neighbour_gives_no_average():
    avg, med, n = summarise_neighbours([math.nan, math.nan])
    assert math.isnan(avg) and math.isnan(med) and n == 0


def test_rate_per_10000():
    # 682 children in care among 144,000 under-18s: 682 x 10,000 / 144,000 = 47.36...
    assert compute_rate_per_10000(682, 144000) == pytest.approx(47.3611, abs=1e-4)
    assert math.isnan(compute_rate_per_10000(682, 0)) and math.isnan(compute_rate_per_10000(682, math.nan))


def test_dfe_symbols_are_not_numbers():
    assert to_number("81,770") == 81770.0
    for symbol in ("c", "low", "k", "u", "x", "z", ""):
        assert math.isnan(to_number(symbol))
    with pytest.raises(ValueError):
        to_number("about 10")


def test_time_period_is_the_year_ending_31_march():
    assert to_financial_year(2025).label == "2024-25"


def test_numbers_and_rates_of_children_in_care_starting_and_ceasing():
    cla = frame(["population_type", "children_count", "rate_per_10000"], [
        ENGLAND + ["Children looked after on 31 March each year", "81770", "67"],
        ENGLAND + ["Children starting to be looked after each year", "32270", "26"],
        DERBYSHIRE + ["Children looked after on 31 March each year", "c", "c"],
    ])
    out = extract_cla(cla).set_index(["measure", "code"])["value"]
    assert out[("cla_number", "England")] == 81770 and out[("cla_rate", "England")] == 67
    assert out[("start_rate", "England")] == 26
    assert math.isnan(out[("cla_number", "830")])
    assert ("cease_rate", "England") not in out.index


def test_stability_is_the_dfe_percentage_of_children_in_care_on_31_march():
    stab = frame(["cla_group", "placement_stability", "children_count", "children_percent"], [
        DERBYSHIRE + ["CLA on 31 March", "With 3 or more placements during the year", "120", "12"],
        DERBYSHIRE + ["CLA on 31 March", "Total children", "1024", "100"],
        DERBYSHIRE + ["CLA 2 years on 31 March", "With 3 or more placements during the previous 2 years", "183", "26"],
    ])
    out = extract_stability(stab)
    assert out[["measure", "code", "value"]].values.tolist() == [["stability_pct", "830", 12.0]]


def test_distance_is_new_placements_20_miles_or_more_over_all_new_placements():
    rows = [("Distance not known or not recorded", "89"),
            ("Placed inside LA boundary less than 20 miles from home", "544"),
            ("Placed inside LA boundary more than 20 miles from home", "110"),
            ("Placed outside LA boundary less than 20 miles from home", "180"),
            ("Placed outside LA boundary more than 20 miles from home", "195"),
            ("Total new placements", "1118")]
    loc = frame(["characteristic", "breakdown", "children_count"],
                [DERBYSHIRE + ["Location of new placements during the year", b, n] for b, n in rows]
                + [DERBYSHIRE + ["Reason for placement change during the year", "Other", "422"]])
    out = extract_distance(loc)
    # (110 + 195) / 1118 = 27.28%
    assert out["value"].tolist() == [pytest.approx(100 * 305 / 1118)]
    assert out["code"].tolist() == ["830"]


def test_care_leavers_add_up_both_age_groups_and_a_suppressed_part_leaves_no_figure():
    rows = [("17 to 18 years", "Accommodation considered suitable", "186"),
            ("17 to 18 years", "Suitability total", "187"),
            ("19 to 21 years", "Accommodation considered suitable", "410"),
            ("19 to 21 years", "Suitability total", "427")]
    cl = frame(["care_leaver_age", "breakdown", "care_leaver_count"],
               [DERBYSHIRE + list(r) for r in rows] + [ENGLAND + ["17 to 18 years", "Accommodation considered suitable",
                                                                   "c"],
                                                      ENGLAND + ["17 to 18 years", "Suitability total", "100"]])
    out = extract_leavers(cl).set_index("code")["value"]
    # (186 + 410) / (187 + 427) = 596 / 614 = 97.07%
    assert out["830"] == pytest.approx(100 * 596 / 614)
    assert math.isnan(out["England"])


def test_neighbours_are_read_in_model_order_with_their_own_names():
    model = pd.DataFrame({"old_la_code": ["830", "891", "933"], "la_name": ["Derbyshire", "Nottinghamshire", "Somerset"],
                          **{f"SN_{i}": [("891" if i == 1 else "933" if i == 2 else ""), "", ""] for i in range(1, 11)}})
    assert find_neighbours(model, "830") == [("891", "Nottinghamshire"), ("933", "Somerset")]
    assert find_neighbours(model, "999") == []


def test_a_share_names_the_rows_of_its_numerator_and_of_its_total():
    from pipeline.comparators.figures import mark_origin

    rows = [("Placed inside LA boundary more than 20 miles from home", "110"),
            ("Placed inside LA boundary less than 20 miles from home", "544"),
            ("Placed outside LA boundary more than 20 miles from home", "195"),
            ("Total new placements", "1118")]
    loc = frame(["characteristic", "breakdown", "children_count"],
                [DERBYSHIRE + ["Location of new placements during the year", b, n] for b, n in rows])
    out = extract_distance(mark_origin(loc, "published/new.csv", "abc"))
    # data rows are lines 2..5: the two far rows (2, 4), then the total (5); not the near row (3)
    refs = out["sources"].iloc[0]
    assert [(r.file, r.line, r.column, r.value, r.sha256) for r in refs] == [
        ("published/new.csv", 2, "children_count", "110", "abc"), ("published/new.csv", 4, "children_count", "195", "abc"),
        ("published/new.csv", 5, "children_count", "1118", "abc")]
    assert ("breakdown", "Total new placements") in refs[2].key


def test_without_origin_a_figure_has_no_sources():
    cla = frame(["population_type", "children_count", "rate_per_10000"],
                [ENGLAND + ["Children looked after on 31 March each year", "81770", "67"]])
    assert extract_cla(cla)["sources"].tolist() == [(), ()]


AREAS = [ENGLAND, EAST_MIDLANDS, DERBYSHIRE, ["2024", "Local authority", "East Midlands", "891", "Nottinghamshire"]]
AGES, SUITABILITY = ["17 to 18 years", "19 to 21 years"], ["Accommodation considered suitable", "Suitability total"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(range(len(AREAS))), st.sampled_from(AGES), st.sampled_from(SUITABILITY),
                          st.one_of(st.integers(0, 999).map(str), st.sampled_from(["c", "low", "z"]))),
                min_size=1, max_size=12))
def test_every_source_is_the_row_and_value_it_names_and_adds_up_to_the_share(rows):
    """For any care leavers' file: each source of a figure is, at its line, the value and the key
    it records, and the figure is 100 x the suitable sources' sum over the total sources' sum."""
    from pipeline.comparators.figures import mark_origin

    cl = frame(["care_leaver_age", "breakdown", "care_leaver_count"],
               [AREAS[a] + [age, what, n] for a, age, what, n in rows])
    marked = mark_origin(cl, "published/leavers.csv", "abc")
    for value, refs in extract_leavers(marked)[["value", "sources"]].itertuples(index=False):
        for r in refs:
            row = cl.iloc[r.line - 2]  # line 1 is the header
            assert row[r.column] == r.value and all(row[k] == v for k, v in r.key)
        part = [to_number(r.value) for r in refs if dict(r.key)["breakdown"] == SUITABILITY[0]]
        whole = [to_number(r.value) for r in refs if dict(r.key)["breakdown"] == SUITABILITY[1]]
        if math.isnan(value):
            continue
        assert value == pytest.approx(100 * sum(part) / sum(whole))


def test_a_file_with_no_area_having_both_parts_of_a_share_gives_no_figure_not_an_error():
    only_totals = frame(["care_leaver_age", "breakdown", "care_leaver_count"],
                        [ENGLAND + ["17 to 18 years", "Suitability total", "100"]])
    assert extract_leavers(only_totals).empty
