import pandas as pd

from pipeline.render.writers import (
    build_manifest,
    build_published_csvs,
    build_true_values,
    collect_published_before,
    read_published_paper,
)


def test_one_tidy_csv_per_table_with_x_where_suppressed(published):
    csvs = build_published_csvs(published)
    assert list(csvs) == ["T1_exits.csv", "T1p_share.csv"]
    t1 = csvs["T1_exits.csv"]
    assert list(t1.columns) == ["table_id", "row", "column", "value"]
    assert t1["value"].tolist() == ["x", "12", "20", "x", "15", "18", "11", "27", "38"]


def test_manifest_describes_dimensions_totals_and_files(published):
    m = build_manifest(published, {"period": "2026-27 Q2"})
    t1 = m["tables"][0]
    assert (t1["id"], t1["row_dimension"], t1["column_dimension"]) == ("T1_exits", "Route", "Quarter")
    assert (t1["total_row"], t1["total_column"], t1["file"]) == ("Total", "Year to date", "T1_exits.csv")
    assert m["tables"][1]["computed_from"]["T1p_share|Placed with parents|Share"] == [
        "T1_exits|Placed with parents|Year to date", "T1_exits|Total|Year to date"]
    assert m["period"] == "2026-27 Q2" and m["suppression_symbol"] == "x"


def test_published_tables_read_back_the_same(published):
    m = build_manifest(published, {})
    again = read_published_paper(m, build_published_csvs(published))
    for a, b in zip(published.tables, again.tables, strict=True):
        pd.testing.assert_frame_equal(a.status, b.status)
        pd.testing.assert_frame_equal(a.values, b.values)


def test_true_values_keep_every_figure(paper):
    true = build_true_values(paper)
    assert len(true) == 9 + 2
    assert true[(true["row"] == "Placed with parents") & (true["column"] == "Q1")]["value"].tolist() == [3]


def test_figures_published_before_skip_hidden_ones_and_later_papers_win():
    q1 = pd.DataFrame({"table_id": ["T", "T"], "row": ["a", "b"], "column": ["Q1", "Q1"], "value": ["12", "x"]})
    q2 = pd.DataFrame({"table_id": ["T"], "row": ["a"], "column": ["Q1"], "value": ["13"]})
    assert collect_published_before({"r/2026-27-Q1": q1}) == {"T|a|Q1": 12.0}
    assert collect_published_before({"r/2026-27-Q1": q1, "r/2026-27-Q2": q2}) == {"T|a|Q1": 13.0}
