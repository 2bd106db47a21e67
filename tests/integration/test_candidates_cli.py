"""`python -m pipeline candidates` on a tiny validated folder written by the test."""

import json
import shutil
from pathlib import Path

import pandas as pd

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _write_validated(folder: Path, tracker: bool = True) -> None:
    folder.mkdir(parents=True)
    # validated from an empty raw folder: the stage's freshness check (pipeline.freshness) passes
    raw = folder.parent.parent / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({"raw": str(raw), "files": []}))
    eps = pd.DataFrame({
        # A: agency foster since 2022 (listed); B: section 20 since 2025-01-01 (listed);
        # C: agency foster since 2023 with an open SGO case (listed, marked)
        "CHILD": ["A", "B", "C"], "DECOM": pd.to_datetime(["2022-01-01", "2025-01-01", "2023-01-01"]),
        "RNE": ["S", "S", "S"], "LS": ["C2", "V2", "C2"], "CIN": "N1", "PLACE": ["U4", "K2", "U4"],
        "PLACE_PROVIDER": ["PR4", "PR4", "PR5"], "DEC": pd.to_datetime([None, None, None]),
        "REC": pd.array([None, None, None], dtype="string"),
        "SOURCE_FILE": "ssda903/2026-27_Q2/episodes.csv", "SOURCE_ROW": [1, 2, 3],
    })
    eps.to_parquet(folder / "episodes.parquet")
    pd.DataFrame({"CHILD": ["A", "B", "C"], "SEX": "F", "ETHNIC": "WBRI",
                  "DOB": pd.to_datetime(["2015-01-01", "2012-01-01", "2016-01-01"])}).to_parquet(folder / "header.parquet")
    if tracker:
        pd.DataFrame({"EVENT_ID": ["1"], "CASE_ID": ["S1"], "CHILD": ["C"], "ROUTE": ["SGO"], "STAGE": ["REFERRAL"],
                      "EVENT_DATE": pd.to_datetime(["2026-05-01"])}).to_parquet(folder / "permanence_tracker.parquet")


def _params_file(tmp_path: Path) -> Path:
    dst = tmp_path / "params.yaml"
    shutil.copy(ROOT / "params.yaml", dst)
    return dst


def test_writes_the_restricted_list_and_summary(tmp_path, capsys):
    _write_validated(tmp_path / "data/processed/validated")
    rc = main(["--params", str(_params_file(tmp_path)), "candidates", "--period", "2026-27 Q2"])
    assert rc == 0
    out = tmp_path / "data/processed/restricted/2026-27-Q2/candidates"
    rows = pd.read_csv(out / "candidates.csv")
    assert rows[["GROUP", "CHILD"]].values.tolist() == [
        ["STABLE_FOSTER_AGENCY", "A"], ["STABLE_FOSTER_AGENCY", "C"], ["SECTION20_LONG", "B"]]
    assert rows["SOURCE_ROW"].tolist() == [1, 3, 2]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["distinct_children"] == 3 and summary["inputs"]["permanence_tracker"] is True
    assert summary["groups"][0]["ALREADY_WORKING"] == 1
    assert "Long stable foster placement (agency)" in capsys.readouterr().out


def test_missing_tracker_is_reported_not_fatal(tmp_path, capsys):
    _write_validated(tmp_path / "v", tracker=False)
    rc = main(["--params", str(_params_file(tmp_path)), "candidates", "--validated", str(tmp_path / "v"),
               "--out", str(tmp_path / "o")])
    assert rc == 0
    assert "tracker was unavailable" in capsys.readouterr().out
    assert json.loads((tmp_path / "o/summary.json").read_text())["groups"][0]["ALREADY_WORKING"] is None


def test_without_validated_data_the_user_is_told_what_to_run(tmp_path, capsys):
    rc = main(["--params", str(_params_file(tmp_path)), "candidates"])
    assert rc == 5 and "pipeline validate" in capsys.readouterr().err


def test_derived_episodes_in_the_facts_folder_are_preferred(tmp_path):
    from pipeline.process.episodes import derive_episode_fields

    validated = tmp_path / "data/processed/validated"
    _write_validated(validated)
    facts = tmp_path / "data/processed/facts"
    facts.mkdir(parents=True)
    derived = derive_episode_fields(pd.read_parquet(validated / "episodes.parquet"),
                                    pd.read_parquet(validated / "header.parquet"))
    derived[derived["CHILD"].eq("A")].to_parquet(facts / "episodes.parquet")
    assert main(["--params", str(_params_file(tmp_path)), "candidates"]) == 0
    summary = json.loads((tmp_path / "data/processed/restricted/2026-27-Q2/candidates/summary.json").read_text())
    assert summary["distinct_children"] == 1 and summary["inputs"]["episodes"].endswith("facts/episodes.parquet")


def test_the_paper_table_recounts_the_written_list_and_agrees_with_the_summary(tmp_path):
    from pipeline.config import load_params
    from pipeline.papers.candidates import COL_CHILDREN, COL_WORKING, build_candidates_table

    _write_validated(tmp_path / "v")
    params_file = _params_file(tmp_path)
    assert main(["--params", str(params_file), "candidates", "--validated", str(tmp_path / "v"),
                 "--out", str(tmp_path / "o")]) == 0
    listed = pd.read_csv(tmp_path / "o/candidates.csv")
    summary = pd.read_csv(tmp_path / "o/summary.csv")
    table = build_candidates_table(listed, load_params(params_file))
    assert table.values[COL_CHILDREN].tolist() == summary["CHILDREN"].tolist() == [2, 0, 0, 1, 0]
    assert table.values[COL_WORKING].tolist() == summary["ALREADY_WORKING"].tolist() == [1, 0, 0, 0, 0]
