import pytest
import yaml

from pipeline.config import ConfigError, load_params, parse_params


def test_period_slug_in_the_file_must_name_the_period(project_root):
    data = yaml.safe_load((project_root / "params.yaml").read_text())
    data["period"] = "2026-27 Q3"
    with pytest.raises(ConfigError, match='set period_slug: "2026-27-Q3"'):
        parse_params(data, project_root)
    data["period_slug"] = "2026-27-Q3"
    assert parse_params(data, project_root).period.slug == "2026-27-Q3"


def test_overriding_the_period_on_the_command_line_names_its_folder(project_root):
    assert load_params(project_root / "params.yaml", ["period=2025-26 Q4"]).raw["period_slug"] == "2025-26-Q4"
