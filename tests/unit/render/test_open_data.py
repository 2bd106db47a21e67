"""Open data in the DfE's format: time and geography columns, named filters, one indicator,
c where withheld, a .meta.csv; the publication check finds a leaked or altered figure."""

import pandas as pd

from pipeline.render.open_data import (
    GEOGRAPHY,
    build_open_data,
    find_open_data_problems,
    reporting_year,
)
from pipeline.render.published import publish_paper
from pipeline.tables import Paper, PublishedTable

META = {"la_code": "990", "new_la_code": "E99999999", "la_name": "Northmoor County Council",
        "region_code": "E12000004", "region_name": "East Midlands", "period": "2026-27 Q2",
        "sufficiency_year": "2025-26"}


def as_text(files: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """As the check reads the files: every cell text."""
    return {k: v.astype(str) for k, v in files.items()}


def test_a_quarterly_table_has_the_dfe_columns_filters_and_c_for_withheld(published):
    files = build_open_data(published, META)
    assert sorted(files) == ["t1_exits.csv", "t1_exits.meta.csv", "t1p_share.csv", "t1p_share.meta.csv"]
    exits = files["t1_exits.csv"]
    assert list(exits.columns) == [*GEOGRAPHY, "route", "quarter", "children_count"]
    first = exits.iloc[0].to_dict()
    assert first == {"time_period": "202627", "time_identifier": "Financial year", "geographic_level": "Local authority",
                     "country_code": "E92000001", "country_name": "England", "region_code": "E12000004",
                     "region_name": "East Midlands", "old_la_code": "990", "new_la_code": "E99999999",
                     "la_name": "Northmoor County Council", "route": "Special guardianship order", "quarter": "Q1",
                     "children_count": "c"}
    by_cell = {(r, q): v for r, q, v in exits[["route", "quarter", "children_count"]].itertuples(index=False)}
    assert by_cell[("Placed with parents", "Q1")] == "c"
    assert by_cell[("Total", "Q1")] == "11" and by_cell[("Placed with parents", "Year to date")] == "18"
    assert len(exits) == 9
    meta = files["t1_exits.meta.csv"]
    assert meta[["col_name", "col_type", "label", "indicator_dp"]].values.tolist() == [
        ["route", "Filter", "Route", ""], ["quarter", "Filter", "Quarter", ""],
        ["children_count", "Indicator", "Exits by route (children)", "0"]]
    share = files["t1p_share.csv"]
    assert share["percent"].tolist() == ["53", "47"]
    assert files["t1p_share.meta.csv"]["indicator_unit"].tolist() == ["", "", "%"]


def test_years_become_the_dfe_reporting_year():
    assert reporting_year("31 March 2024") == "2024" and reporting_year("2023-24") == "2024"
    assert reporting_year("Q1") is None and reporting_year("Year to date") is None
    values = pd.DataFrame({"31 March 2024": [40, 60, 100], "31 March 2025": [45, 65, 110]},
                          index=["Boys", "Girls", "Total"])
    t = PublishedTable("S1", "Children in care", "Sex", "Date", values, row_total="Total")
    files = build_open_data(publish_paper(Paper("sufficiency", tables=[t]), {"S1": set()}, "x", 10), META)
    frame = files["s1.csv"]
    assert list(frame.columns) == [*GEOGRAPHY, "sex", "children_count"]
    assert frame[["time_period", "time_identifier", "sex", "children_count"]].values.tolist()[:3] == [
        ["2024", "Reporting year", "Boys", "40"], ["2024", "Reporting year", "Girls", "60"],
        ["2024", "Reporting year", "Total", "100"]]


def test_formula_like_labels_are_written_neutralised_and_read_back(published, tmp_path):
    from pipeline.render import io as rio
    from pipeline.tables import Paper

    t = PublishedTable("T1_exits", "Exits by route", "Route", "Quarter",
                       pd.DataFrame({"Q1": [20, 30]}, index=["=HYPERLINK(1)", "Total"]), row_total="Total")
    evil = publish_paper(Paper("test", tables=[t]), {"T1_exits": set()}, "x", 10)
    rio.write_downloads(tmp_path / "p.ods", tmp_path / "od", evil, META)
    text = (tmp_path / "od" / "t1_exits.csv").read_text()
    assert ",'=HYPERLINK(1),Q1,20" in text
    assert find_open_data_problems(rio.read_open_data(tmp_path / "od"), evil, "od") == []


def test_the_open_data_passes_the_check_and_a_leak_or_change_fails(published):
    files = as_text(build_open_data(published, META))
    assert find_open_data_problems(files, published, "open_data/test") == []
    leaky = {k: v.copy() for k, v in files.items()}
    exits = leaky["t1_exits.csv"]
    exits.loc[(exits["route"] == "Placed with parents") & (exits["quarter"] == "Q1"), "children_count"] = "3"
    exits.loc[(exits["route"] == "Total") & (exits["quarter"] == "Q2"), "children_count"] = "28"
    leaky["t1_exits.csv"] = exits.iloc[:-1]  # the last figure (Total, year to date) dropped
    del leaky["t1p_share.meta.csv"]
    assert find_open_data_problems(leaky, published, "od") == [
        "od/t1_exits.csv row 3: T1_exits|Placed with parents|Q1 is withheld in the paper but the open data gives '3'",
        "od/t1_exits.csv row 7: T1_exits|Total|Q2 is 28 but the paper publishes 27",
        "od/t1_exits.csv: 1 figure(s) of table T1_exits are missing",
        "od/t1p_share.csv: missing (or its .meta.csv is)",
    ]


def test_a_count_table_and_its_percentages_are_one_group_with_two_indicators():
    from pipeline.tables import Cell, DerivedTable

    values = pd.DataFrame({"31 March 2025": [40, 60, 100]}, index=["Boys", "Girls", "Total"])
    counts = PublishedTable("S1_sex", "Children in care by sex", "Sex", "Date", values, row_total="Total")
    pct = DerivedTable("S1p_sex_pct", "Children in care by sex (percentage)", "Sex", "Date",
                       pd.DataFrame({"31 March 2025": [40.0, 60.0]}, index=["Boys", "Girls"]),
                       {(r, "31 March 2025"): (Cell("S1_sex", r, "31 March 2025"), Cell("S1_sex", "Total", "31 March 2025"))
                        for r in ("Boys", "Girls")}, fmt="percent")
    pub = publish_paper(Paper("sufficiency", tables=[counts], derived=[pct]), {"S1_sex": set(), "S1p_sex_pct": set()},
                        "x", 10)
    files = build_open_data(pub, META)
    assert sorted(files) == ["s1_sex.csv", "s1_sex.meta.csv"]
    frame = files["s1_sex.csv"]
    assert frame[["time_period", "sex", "children_count", "percent"]].values.tolist() == [
        ["2025", "Boys", "40", "40"], ["2025", "Girls", "60", "60"], ["2025", "Total", "100", "z"]]
    assert files["s1_sex.meta.csv"]["col_name"].tolist() == ["sex", "children_count", "percent"]
    assert find_open_data_problems(as_text(files), pub, "od") == []
    wrong = as_text(files)
    wrong["s1_sex.csv"].loc[2, "percent"] = "100"  # a figure the paper does not publish
    assert find_open_data_problems(wrong, pub, "od") == [
        "od/s1_sex.csv row 4: S1p_sex_pct|Total|31 March 2025 is 'z' in the paper but the open data gives '100'"]
