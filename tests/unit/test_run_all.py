"""run-all: the regional authorities in params.yaml and the overrides that select one."""

from __future__ import annotations

import importlib

import pytest
import yaml

from pipeline.chain import STEPS, authority_overrides
from pipeline.config import ConfigError, apply_overrides, load_params, parse_params

REGIONAL = {"authorities": {
    "eastvale": {"code": "957", "name": "Eastvale Borough Council", "short_name": "Eastvale",
                 "raw": "data/regional/eastvale/raw", "processed": "data/regional/eastvale/processed",
                 "reports": "reports/regional/eastvale"},
}}


def test_overrides_point_la_and_paths_at_the_authority(project_root):
    data = yaml.safe_load((project_root / "params.yaml").read_text())
    params = parse_params(apply_overrides(data, authority_overrides(REGIONAL, "eastvale")), project_root)
    assert (params.la.code, params.la.name, params.la.short_name) == ("957", "Eastvale Borough Council", "Eastvale")
    assert params.paths.raw == project_root / "data/regional/eastvale/raw"
    assert params.paths.processed == project_root / "data/regional/eastvale/processed"
    assert params.paths.reports == project_root / "reports/regional/eastvale"
    # its headline figures beside its reports: never over the demo's metrics/ (tracked in git)
    assert params.paths.metrics == project_root / "reports/regional/eastvale/metrics"
    assert parse_params(data, project_root).paths.metrics == project_root / "metrics"
    assert params.period == parse_params(data, project_root).period  # everything else as in params.yaml
    # the demo authority's geography codes are not inherited: without its own they are blank
    assert (params.la.new_la_code, params.la.region_code, params.la.region_name) == ("", "", "")
    with_codes = {"authorities": {"eastvale": {**REGIONAL["authorities"]["eastvale"], "new_la_code": "E06000099"}}}
    params = parse_params(apply_overrides(data, authority_overrides(with_codes, "eastvale")), project_root)
    assert params.la.new_la_code == "E06000099"


def test_a_code_with_leading_zeros_stays_text():
    regional = {"authorities": {"x": {**REGIONAL["authorities"]["eastvale"], "code": "007"}}}
    out = apply_overrides({"la": {}}, authority_overrides(regional, "x"))
    assert out["la"]["code"] == "007"


def test_unknown_authority_or_missing_key_is_a_config_error():
    with pytest.raises(ConfigError, match="no regional.authorities.westmoor .*eastvale"):
        authority_overrides(REGIONAL, "westmoor")
    with pytest.raises(ConfigError, match="no regional.authorities"):
        authority_overrides(None, "eastvale")
    broken = {"authorities": {"eastvale": {"code": "957", "name": "E"}}}
    with pytest.raises(ConfigError, match="needs short_name, raw, processed, reports"):
        authority_overrides(broken, "eastvale")


def test_every_regional_authority_in_params_yaml_has_its_own_folders(project_root):
    params = load_params(project_root / "params.yaml")
    authorities = params.raw["regional"]["authorities"]
    assert len(authorities) >= 2
    for key in ("raw", "processed", "reports"):
        folders = [a[key] for a in authorities.values()]
        assert len(set(folders)) == len(folders)
    for slug in authorities:
        authority_overrides(params.raw["regional"], slug)  # complete entries


def test_regional_stage_runs_run_all_for_each_authority(project_root):
    stage = yaml.safe_load((project_root / "regional" / "dvc.yaml").read_text())["stages"]["authority"]
    assert stage["foreach"] == "${regional.authorities}"
    assert stage["do"]["cmd"] == "python -m pipeline run-all --authority ${key}"
    assert set(stage["do"]["outs"]) == {"${item.processed}", "${item.reports}"}
    assert "${item.raw}" in stage["do"]["deps"]


def test_run_all_runs_the_commands_of_the_root_dvc_yaml_in_order(project_root):
    stages = yaml.safe_load((project_root / "dvc.yaml").read_text())["stages"]
    commands = [stage["cmd"].removeprefix("python -m pipeline ") for stage in stages.values()]
    assert [name for name, _, _ in STEPS] == commands
    # each step passes the stage what the command passes it: the papers named on the command line
    for name, target, kwargs in STEPS:
        named = [v for value in kwargs.values() for v in ([value] if isinstance(value, str) else value)]
        assert named == name.split()[1:], name
        module, function = target.split(":")
        assert callable(getattr(importlib.import_module(module), function)), target


def test_run_all_calls_stage_functions_not_commands():
    assert all(not target.startswith("pipeline.commands") for _, target, _ in STEPS)
