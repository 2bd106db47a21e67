from pipeline.config import load_params
from pipeline.render.metrics import HEADLINES, build_metrics


def test_metrics_hold_published_values_and_null_for_hidden_or_absent(published, monkeypatch, project_root):
    params = load_params(project_root / "params.yaml")
    monkeypatch.setitem(HEADLINES, "test", [("shown", "T1_exits|Total|Q2"), ("hidden", "T1_exits|Placed with parents|Q1"),
                                            ("absent", "Q99|a|b"), ("share", "T1p_share|Placed with parents|Share")])
    m = build_metrics("test", published, params)
    assert m == {"period": "2026-27 Q2", "shown": 27, "hidden": None, "absent": None, "share": 47}


def test_trend_for_dvc_plots_holds_published_values_and_blanks_for_hidden(published, monkeypatch, project_root):
    from pipeline.render.metrics import TRENDS, Y_COLUMNS, build_trend

    params = load_params(project_root / "params.yaml")
    monkeypatch.setitem(TRENDS, "test", [("quarter", "T1_exits", [("total", "Total"), ("sgo", "Special guardianship order")],
                                          [("share", "T1p_share", "Placed with parents")])])
    monkeypatch.setitem(Y_COLUMNS, "test", ["total", "sgo", "share"])
    t = build_trend("test", published, params)
    assert t["quarter"].tolist() == ["Q1", "Q2", "Year to date"]
    assert t["total"].tolist() == [11, 27, 38]
    assert t["sgo"].tolist() == [None, 12, 20]  # Q1 is hidden: blank, never its true value 8
    assert t["share"].tolist() == [None, None, None]  # no such column in the share table
    assert t.to_csv(index=False).splitlines()[1] == "Q1,11,,"


def test_without_its_tables_the_trend_is_a_header_so_the_declared_file_exists(published, project_root):
    from pipeline.render.metrics import build_trend

    params = load_params(project_root / "params.yaml")
    t = build_trend("sufficiency", published, params)
    assert t.empty and list(t.columns) == ["at_31_march", "per_10000_counted_here", "per_10000_england",
                                           "per_10000_region", "per_10000_neighbours_average"]

