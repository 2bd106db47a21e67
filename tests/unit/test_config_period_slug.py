import pytest

from pipeline.config import ConfigError, load_params


def test_period_slug_must_name_the_period(project_root):
    p = load_params(project_root / "params.yaml", ["period=2026-27 Q3", "period_slug=2026-27-Q3"])
    assert p.period.slug == "2026-27-Q3"
    with pytest.raises(ConfigError, match='set period_slug: "2026-27-Q3"'):
        load_params(project_root / "params.yaml", ["period=2026-27 Q3"])
