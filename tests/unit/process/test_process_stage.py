"""The process command's writing: worker processes, hashes, stale files, tables read."""

import hashlib
import json

import pandas as pd
import pytest

from pipeline import store
from pipeline.cli import main
from pipeline.process import catalog
from pipeline.process import stage as process_stage
from tests.conftest import ROOT
from tests.fixtures.quarterly_story import make_validated, story_params

PARAMS = str(ROOT / "params.yaml")


@pytest.fixture(scope="module")
def validated_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("validated")
    for name, frame in make_validated().items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    # a validated table no builder reads: listed in the manifest, never loaded
    pd.DataFrame({"CHILD": ["C1"], "DATE": ["2026-01-01"]}).to_parquet(folder / "reviews.parquet", index=False)
    return folder


def run_process(validated_dir, out, *extra):
    return main(["--params", PARAMS, "--set", "period=2026-27 Q2", "process", "--validated", str(validated_dir),
                 "--out", str(out), *extra])


def test_two_workers_write_the_same_bytes_as_one(validated_dir, tmp_path):
    assert run_process(validated_dir, tmp_path / "one", "--workers", "1") == 0
    assert run_process(validated_dir, tmp_path / "two", "--workers", "2") == 0
    one = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert one == sorted(p.name for p in (tmp_path / "two").iterdir())
    assert "exits.parquet" in one and "savings.parquet" in one and "tracker_snapshots.parquet" in one
    for name in one:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_manifest_hashes_are_those_of_the_files_and_tables_match_build_facts(validated_dir, tmp_path):
    assert run_process(validated_dir, tmp_path, "--workers", "2") == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    built = catalog.build_facts(make_validated(), story_params())
    assert sorted(manifest["facts"]) == sorted(built)
    for name, entry in manifest["facts"].items():
        data = (tmp_path / f"{name}.parquet").read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["rows"] == len(built[name])
        assert entry["columns"] == list(built[name].columns)
    # every validated table is named, including the one no builder reads
    assert manifest["validated_tables"] == sorted(list(make_validated()) + ["reviews"])


def test_a_fact_no_longer_built_is_removed(validated_dir, tmp_path):
    (tmp_path / "old_fact.parquet").write_bytes(b"stale")
    assert run_process(validated_dir, tmp_path, "--workers", "1") == 0
    assert not (tmp_path / "old_fact.parquet").exists()
    assert (tmp_path / "exits.parquet").exists()


def test_zero_workers_is_a_clear_error(validated_dir, tmp_path, capsys):
    assert run_process(validated_dir, tmp_path, "--workers", "0") != 0
    assert "--workers must be at least 1" in capsys.readouterr().err


def test_write_fact_entry_describes_the_bytes_written(tmp_path):
    frame = pd.DataFrame({"CHILD": ["A", "B", "C"], "N": [1, 2, 3]})
    entry = store.write_table(frame, tmp_path / "f.parquet")
    assert entry == {"rows": 3, "columns": ["CHILD", "N"],
                     "sha256": hashlib.sha256((tmp_path / "f.parquet").read_bytes()).hexdigest()}
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "f.parquet"), frame, check_dtype=False)


def test_read_validated_loads_only_the_tables_asked_for(validated_dir):
    assert store.list_validated(validated_dir) == sorted(list(make_validated()) + ["reviews"])
    assert sorted(store.read_validated(validated_dir, ("episodes", "header"))) == ["episodes", "header"]
    assert "reviews" in store.read_validated(validated_dir)


class RecordingDict(dict):
    """A dict that remembers which keys were looked up."""

    def __init__(self, *args):
        super().__init__(*args)
        self.asked: set[str] = set()

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


def test_builders_read_no_validated_table_outside_used_tables():
    validated = RecordingDict(make_validated())
    catalog.build_facts(validated, story_params())
    assert validated.asked, "the recording saw no look-up"
    assert validated.asked <= set(catalog.USED_TABLES)


def test_handed_on_frames_are_the_columns_later_jobs_read():
    early = catalog.build_tracker_facts(make_validated(), story_params())
    handed = catalog.select_handed_on(early)
    events = early["tracker_events"]
    assert len(handed["team_exits"]) == int(events["TEAM_ROUTE"].notna().sum()) > 0
    assert list(handed["case_outcomes"].columns) == ["CASE_ID", "CHILD", "ROUTE", "OUTCOME_DATE"]
    assert catalog.select_handed_on(catalog.build_tracker_facts(make_validated(without=("permanence_tracker",)),
                                                                story_params())) == {}


def test_the_fingerprint_changes_with_the_parameters_facts_read_and_no_others(tmp_path, project_root):
    from pipeline.config import load_params
    from pipeline.process.stage import fingerprint_inputs

    (tmp_path / "manifest.json").write_text('{"tables": {}}')
    base = load_params(project_root / "params.yaml")
    same = ["disclosure.threshold=5", "targets.adoptions=99", 'la.name="Eastvale"', "paths.raw=/elsewhere"]
    other = ["distance.far_miles=25", "savings.pro_rata_basis_days=360", "trend_years=3"]
    before = fingerprint_inputs(tmp_path, base)
    assert before["validated_manifest_sha256"] is not None
    for override in same:
        assert fingerprint_inputs(tmp_path, load_params(project_root / "params.yaml", [override])) == before, override
    for override in other:
        assert fingerprint_inputs(tmp_path, load_params(project_root / "params.yaml", [override])) != before, override


def test_the_process_stage_declares_the_params_sections_the_fingerprint_covers(project_root):
    import yaml

    from pipeline.freshness import FACT_PARAMS

    sections = {"savings_basis_days": "savings", "far_miles": "distance"}
    declared = set(yaml.safe_load((project_root / "dvc.yaml").read_text())["stages"]["process"]["params"])
    assert {sections.get(name, name) for name in FACT_PARAMS} <= declared


def test_workers_are_forked_only_on_linux(monkeypatch):
    monkeypatch.setattr("sys.platform", "darwin")
    assert not process_stage.can_fork()
    assert process_stage.default_workers() == 1
    monkeypatch.setattr("sys.platform", "win32")
    assert process_stage.default_workers() == 1


def test_asking_for_workers_where_they_cannot_be_forked_is_a_clear_error(validated_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(process_stage, "can_fork", lambda: False)
    assert run_process(validated_dir, tmp_path, "--workers", "2") != 0
    assert "only Linux supports safely; use --workers 1" in capsys.readouterr().err
    assert run_process(validated_dir, tmp_path / "one", "--workers", "1") == 0


def _die(index: int) -> None:
    import os

    os._exit(9)  # as if the worker were killed (out of memory)


@pytest.mark.skipif(not process_stage.can_fork(), reason="needs forked workers")
def test_a_worker_that_dies_is_a_clear_error_not_a_traceback(validated_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(process_stage, "_run_job", _die)
    assert run_process(validated_dir, tmp_path, "--workers", "2") != 0
    err = capsys.readouterr().err
    assert "a worker process building the fact tables died" in err and "Traceback" not in err


def test_the_returns_of_the_manifest_are_read_and_as_of_drops_later_ones(tmp_path):
    pd.DataFrame({"CHILD": ["1"]}).to_parquet(tmp_path / "header.parquet")
    manifest = {"as_of": "2026-06-30", "returns": ["2025-26", "2026-27_Q1", "2026-27_Q2"]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    tables = store.read_validated(tmp_path)
    assert tables["returns"]["RETURN"].tolist() == ["2025-26", "2026-27_Q1"]     # Q2 ends after 30 June 2026
    assert "returns" not in store.read_validated(tmp_path, ("header",))
    facts = catalog.build_coverage_facts(tables, story_params())
    assert facts["coverage"]["END"].max() == pd.Timestamp("2026-06-30")
