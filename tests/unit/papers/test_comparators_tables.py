"""The sufficiency paper's comparison tables: the LA's own figures from the paper's counts, the
DfE's published figures, the neighbours' average and median, years not yet published, and
disclosure control (a hidden count is never given away by a comparison). Values by hand."""

from __future__ import annotations

import math

import pandas as pd

from pipeline.comparators.figures import COLUMNS
from pipeline.comparators.read import PublishedFiles
from pipeline.config import DisclosureParams, load_params
from pipeline.papers.comparators import (
    AVERAGE,
    COMPARISONS,
    DIFFERENCE_TABLE,
    MEDIAN,
    add_comparators,
    build_comparison,
    build_differences,
)
from pipeline.tables import Paper, PublishedTable

SPEC = {c.measure: c for c in COMPARISONS}


def params(**sets):
    base = {"sufficiency_year": "'2024-25'", "trend_years": "2", "la.code": "'990'", "la.short_name": "Northmoor",
            "comparators.region": "'East Midlands'", "comparators.neighbours_of": "'830'"}
    base.update(sets)
    return load_params("params.yaml", [f"{k}={v}" for k, v in base.items()])


def paper(started_2023=40.0) -> Paper:
    values = pd.DataFrame({"2023-24": [100.0, started_2023, 30.0], "2024-25": [130.0, 40.0, 35.0]},
                          index=["In care at 31 March", "Started to be looked after", "Ceased to be looked after"])
    return Paper("sufficiency", tables=[PublishedTable("S12_flows", "Flows", "Measure", "Year", values)])


FACTS = {"population": pd.DataFrame({"YEAR": [2023, 2023, 2024], "DISTRICT": ["A", "B", "A"],
                                     "POPULATION": [12000, 8000, 24000]})}
MODEL = pd.DataFrame({"old_la_code": ["830", "891", "933", "935"],
                      "la_name": ["Derbyshire", "Nottinghamshire", "Somerset", "Suffolk"],
                      **{f"SN_{i}": [{1: "891", 2: "933", 3: "935"}.get(i, ""), "", "", ""] for i in range(1, 11)}})


def figures(rows) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(COLUMNS, r, strict=True)) for r in rows], columns=COLUMNS)


RATES = figures([
    ("cla_rate", 2024, "National", "England", "England", 69.0),
    ("cla_rate", 2023, "National", "England", "England", 70.0),
    ("cla_rate", 2024, "Regional", "East Midlands", "East Midlands", 64.0),
    ("cla_rate", 2024, "Local authority", "891", "Nottinghamshire", 56.0),
    ("cla_rate", 2024, "Local authority", "933", "Somerset", 52.0),
    ("cla_rate", 2024, "Local authority", "935", "Suffolk", math.nan),  # the DfE printed c
    ("cla_rate", 2024, "Local authority", "830", "Derbyshire", 68.0),
])


def test_rate_table_against_england_region_and_neighbours():
    from pipeline.comparators.figures import find_neighbours

    t = build_comparison(SPEC["cla_rate"], RATES, find_neighbours(MODEL, "830"), paper(), FACTS, params())
    v = t.values
    assert list(v.columns) == ["31 March 2023", "31 March 2024", "31 March 2025"]
    assert list(v.index) == ["Northmoor (counted here)", "East Midlands", "England", "Nottinghamshire", "Somerset",
                             "Suffolk", AVERAGE, MEDIAN]
    # own rate: 100 in care / (12,000 + 8,000) under-18s x 10,000 = 50; 130 / 24,000 x 10,000 = 54.2 -> 54
    assert v.at["Northmoor (counted here)", "31 March 2024"] == 50.0
    assert v.at["Northmoor (counted here)", "31 March 2025"] == 54.0
    # neighbours 56 and 52 published, Suffolk not: average 54, median (52 + 56) / 2 = 54
    assert v.at[AVERAGE, "31 March 2024"] == 54.0 and v.at[MEDIAN, "31 March 2024"] == 54.0
    assert v.at["England", "31 March 2024"] == 69.0 and v.at["East Midlands", "31 March 2024"] == 64.0
    assert math.isnan(v.at["England", "31 March 2025"])  # not yet published
    assert math.isnan(v.at["Northmoor (counted here)", "31 March 2023"])  # before the paper's years
    # Derbyshire lends its neighbours but is not shown as the LA
    assert "Derbyshire" not in v.index
    assert any(n.startswith("Not yet published") and "2024-25" in n for n in t.notes)
    assert t.inputs[("Northmoor (counted here)", "31 March 2024")][0].id == "S12_flows|In care at 31 March|2023-24"
    assert t.inputs[("England", "31 March 2024")] == ()


def test_neighbour_average_of_numbers_is_a_whole_number():
    nums = figures([("cla_number", 2024, "Local authority", c, n, x)
                    for c, n, x in [("891", "Nottinghamshire", 955.0), ("933", "Somerset", 586.0),
                                    ("935", "Suffolk", 928.0)]])
    t = build_comparison(SPEC["cla_number"], nums, [("891", "N"), ("933", "S"), ("935", "Su")], paper(), FACTS,
                         params())
    # (955 + 586 + 928) / 3 = 823; median 928
    assert t.values.at[AVERAGE, "31 March 2024"] == 823.0 and t.values.at[MEDIAN, "31 March 2024"] == 928.0
    assert t.values.at["Northmoor (counted here)", "31 March 2025"] == 130.0


def test_no_population_file_leaves_the_own_rate_blank_not_zero():
    t = build_comparison(SPEC["cla_rate"], RATES, [], paper(), {}, params())
    assert t.values.loc["Northmoor (counted here)"].isna().all()
    assert AVERAGE not in t.values.index


def test_a_measure_whose_file_was_not_supplied_has_no_table():
    assert build_comparison(SPEC["stability_pct"], RATES, [], paper(), FACTS, params()) is None


OWN_PUBLISHED = figures([
    ("cla_number", 2024, "Local authority", "990", "Northmoor", 103.0),
    ("start_number", 2024, "Local authority", "990", "Northmoor", 6.0),
])


def test_published_figure_for_the_la_is_shown_with_the_count_here_and_the_difference():
    t = build_differences(OWN_PUBLISHED, paper(), params())
    assert list(t.values.columns) == ["2023-24"]
    v = t.values["2023-24"]
    assert v["In care at 31 March: published by the DfE"] == 103.0
    assert v["In care at 31 March: counted here"] == 100.0
    assert v["In care at 31 March: difference (DfE minus counted here)"] == 3.0
    assert math.isnan(v["Ceased to be looked after: published by the DfE"])


def test_no_published_row_for_the_la_means_no_difference_table():
    assert build_differences(RATES, paper(), params()) is None


def test_a_hidden_count_hides_its_difference_and_rate_but_not_the_dfe_figure():
    """Our own count of children starting care in 2023-24 is 4 (below the threshold of 10): the
    DfE's published 6 is public and shown, but the difference (which with it would give 4 away),
    the count here and the rate computed from it are hidden."""
    from pipeline.disclosure import protect_paper
    from pipeline.render.protection import read_protection
    from pipeline.render.published import SHOWN, SUPPRESSED, publish_paper

    start = figures([("start_rate", 2024, "National", "England", "England", 26.0)])
    published = PublishedFiles(folder=None, figures=pd.concat([OWN_PUBLISHED, start]), model=MODEL, missing=())
    p = add_comparators(paper(started_2023=4.0), published, FACTS, params())
    protection = read_protection(p, protect_paper(p, DisclosureParams(threshold=10)))
    assert protection.audit_passed
    shown = publish_paper(p, protection.suppressed)
    diff = shown.table(DIFFERENCE_TABLE)
    assert diff.status.at["Started to be looked after: published by the DfE", "2023-24"] == SHOWN
    assert diff.values.at["Started to be looked after: published by the DfE", "2023-24"] == 6.0
    assert diff.status.at["Started to be looked after: counted here", "2023-24"] == SUPPRESSED
    assert diff.status.at["Started to be looked after: difference (DfE minus counted here)", "2023-24"] == SUPPRESSED
    rate = shown.table("E03_start_rate")
    assert rate.status.at["Northmoor (counted here)", "2023-24"] == SUPPRESSED
    assert rate.status.at["England", "2023-24"] == SHOWN
    # the in-care count (100) is not hidden, nor its difference
    assert diff.status.at["In care at 31 March: difference (DfE minus counted here)", "2023-24"] == SHOWN


def test_without_published_files_the_paper_is_unchanged():
    p = paper()
    assert add_comparators(p, None, FACTS, params()) is p


def test_a_real_la_takes_its_own_neighbours_and_shows_its_own_published_figure():
    real = params(**{"la.code": "'830'", "comparators.neighbours_of": "''"})
    published = PublishedFiles(folder=None, figures=RATES, model=MODEL, missing=())
    t = next(d for d in add_comparators(paper(), published, FACTS, real).derived if d.table_id == "E02_cla_rate")
    assert t.values.at["Northmoor (published by the DfE)", "31 March 2024"] == 68.0
    assert "Nottinghamshire" in t.values.index
    assert any("most like Northmoor in the DfE" in n for n in t.notes)


def ref(line: int, value: str):
    from pipeline.tables import SourceRef

    return SourceRef("published/cla.csv", line, "children_count", value, "sha-of-cla")


def with_sources(frame: pd.DataFrame, lines: dict[str, int]) -> pd.DataFrame:
    """The figures with one source each: the line given for the area's code."""
    return frame.assign(sources=[(ref(lines[c], f"{v:g}"),) if c in lines and not math.isnan(v) else ()
                                 for c, v in zip(frame["code"], frame["value"], strict=True)])


def test_each_dfe_figure_names_its_source_and_the_summaries_name_every_figure_they_use():
    nums = with_sources(figures([
        ("cla_number", 2024, "National", "England", "England", 83630.0),
        ("cla_number", 2024, "Local authority", "891", "Nottinghamshire", 955.0),
        ("cla_number", 2024, "Local authority", "933", "Somerset", 586.0),
        ("cla_number", 2024, "Local authority", "935", "Suffolk", math.nan),  # the DfE printed c
    ]), {"England": 2, "891": 7, "933": 9, "935": 11})
    t = build_comparison(SPEC["cla_number"], nums, [("891", "Nottinghamshire"), ("933", "Somerset"),
                                                    ("935", "Suffolk")], paper(), FACTS, params())
    col = "31 March 2024"
    assert t.sources[("England", col)] == (ref(2, "83630"),)
    assert t.sources[("Somerset", col)] == (ref(9, "586"),)
    # (955 + 586) / 2 = 770.5 -> 771; both from the two published neighbours, not Suffolk's c
    assert t.values.at[AVERAGE, col] == 771.0
    assert t.sources[(AVERAGE, col)] == t.sources[(MEDIAN, col)] == (ref(7, "955"), ref(9, "586"))
    assert ("Suffolk", col) not in t.sources and math.isnan(t.values.at["Suffolk", col])
    # the LA's own figure is counted here: a count cell, no published source
    assert ("Northmoor (counted here)", col) not in t.sources
    assert t.inputs[("Northmoor (counted here)", col)][0].id == "S12_flows|In care at 31 March|2023-24"


def test_the_difference_names_both_the_count_here_and_the_dfe_figure():
    t = build_differences(with_sources(OWN_PUBLISHED, {"990": 4}), paper(), params())
    r_dfe, r_diff = "In care at 31 March: published by the DfE", "In care at 31 March: difference (DfE minus counted here)"
    assert t.sources[(r_dfe, "2023-24")] == (ref(4, "103"),) and t.inputs[(r_dfe, "2023-24")] == ()
    assert t.sources[(r_diff, "2023-24")] == (ref(4, "103"),)
    assert [c.id for c in t.inputs[(r_diff, "2023-24")]] == ["S12_flows|In care at 31 March|2023-24"]
