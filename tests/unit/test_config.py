from pathlib import Path

import pytest
import yaml

from pipeline.config import ConfigError, apply_overrides, load_params, parse_params

ROOT = Path(__file__).resolve().parents[2]


def _data():
    return yaml.safe_load((ROOT / "params.yaml").read_text())


def test_project_params_load_and_paths_derive_from_the_root():
    p = load_params(ROOT / "params.yaml")
    assert p.paths.raw == ROOT / "data" / "raw"
    assert p.paths.report_dir(p.period.slug) == ROOT / "reports" / p.period.slug
    assert p.disclosure.threshold >= 1


def test_trend_years_end_with_the_sufficiency_year():
    data = _data() | {"sufficiency_year": "2020-21", "trend_years": 3}
    p = parse_params(data, Path("/x"))
    assert [y.label for y in p.trend_financial_years] == ["2018-19", "2019-20", "2020-21"]


def test_override_changes_a_nested_value_without_touching_the_input():
    data = _data()
    out = apply_overrides(data, ["disclosure.threshold=5", "period=2025-26 Q4"])
    assert out["disclosure"]["threshold"] == 5 and out["period"] == "2025-26 Q4"
    assert data["disclosure"]["threshold"] == 10


def test_unknown_key_is_named():
    data = _data()
    data["disclosure"]["treshold"] = 5
    with pytest.raises(ConfigError, match="treshold"):
        parse_params(data, Path("/x"))


def test_missing_key_is_named():
    data = _data()
    del data["targets"]
    with pytest.raises(ConfigError, match="targets"):
        parse_params(data, Path("/x"))


def test_bad_zero_rule_is_refused():
    data = _data()
    data["disclosure"]["zero"] = "hide"
    with pytest.raises(ConfigError, match="zero"):
        parse_params(data, Path("/x"))
