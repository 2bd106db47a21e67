"""What the paper notebooks are given: the stage's overrides reach the notebook's parameters, so a
regional authority's paper names that authority throughout, and local folders never do."""

from __future__ import annotations

import pytest
import yaml

from pipeline.config import ConfigError, load_params
from pipeline.render.io import load_notebook_params
from pipeline.render.paper import notebook_parameters

EASTVALE = ['la.code="957"', 'la.name="Eastvale Borough Council"', "la.short_name=Eastvale"]


@pytest.fixture
def params_file(tmp_path, project_root):
    data = {"la": {"code": "990", "name": "Northmoor County Council", "short_name": "Northmoor"}}
    base = yaml.safe_load((project_root / "params.yaml").read_text())
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump({**base, **data}, sort_keys=False))
    return path


def test_overrides_reach_the_notebook(params_file):
    params = load_notebook_params(params_file, EASTVALE, "2025-26 Q4", "957", 10)
    assert (params.la.code, params.la.name, params.la.short_name) == ("957", "Eastvale Borough Council", "Eastvale")
    assert params.period.label == "2025-26 Q4" and params.period.slug == "2025-26-Q4"


def test_without_overrides_the_notebook_reads_params_yaml(params_file):
    params = load_notebook_params(params_file, [], "2026-27 Q2", "990", 5)
    assert params.la.name == "Northmoor County Council"
    assert params.disclosure.threshold == 5


def test_an_authority_code_that_disagrees_with_the_overrides_is_refused(params_file):
    with pytest.raises(ConfigError, match=r"la_code='990' but the parameters describe Eastvale Borough Council \(957\)"):
        load_notebook_params(params_file, EASTVALE, "2026-27 Q2", "990", 10)


def test_papermill_gets_the_overrides_but_not_local_paths(params_file, tmp_path):
    overrides = [*EASTVALE, "paths.raw=/home/analyst/raw", " paths.reports = /tmp/out", "targets.exit_team_exits=40"]
    params = load_params(params_file, overrides)
    got = notebook_parameters(params, params_file, overrides, tmp_path / "reports" / "t")
    assert got["overrides"] == [*EASTVALE, "targets.exit_team_exits=40"]
    assert got["params_file"] == "params.yaml"
    assert got["tables_dir"] == "reports/t"
    assert (got["la_code"], got["period"], got["threshold"]) == ("957", params.period.label, 10)
