from pipeline.config import load_params
from pipeline.render.metrics import HEADLINES, build_metrics


def test_metrics_hold_published_values_and_null_for_hidden_or_absent(published, monkeypatch, project_root):
    params = load_params(project_root / "params.yaml")
    monkeypatch.setitem(HEADLINES, "test", [("shown", "T1_exits|Total|Q2"), ("hidden", "T1_exits|Placed with parents|Q1"),
                                            ("absent", "Q99|a|b"), ("share", "T1p_share|Placed with parents|Share")])
    m = build_metrics("test", published, params)
    assert m == {"period": "2026-27 Q2", "shown": 27, "hidden": None, "absent": None, "share": 47}
