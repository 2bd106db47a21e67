"""The process and measures commands on the hand-worked story, written as validated parquet."""

import json

import pandas as pd
import pytest

from pipeline.cli import main
from tests.conftest import ROOT
from tests.fixtures.quarterly_story import make_validated

PARAMS = str(ROOT / "params.yaml")


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("validated")
    for name, frame in make_validated(without=("staffing",)).items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def test_process_writes_facts_and_manifest(validated, tmp_path, capsys):
    assert main(["--params", PARAMS, "process", "--validated", str(validated), "--out", str(tmp_path)]) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["facts"]["exits"]["rows"] == 6
    assert "staffing_quarters" not in manifest["facts"]          # no staffing file supplied
    exits = pd.read_parquet(tmp_path / "exits.parquet")
    assert {"CHILD", "DECOM", "SOURCE_FILE", "SOURCE_ROW", "QUARTER"} <= set(exits.columns)
    assert "exits" in capsys.readouterr().out


def test_measures_writes_tidy_csv_for_the_period(validated, tmp_path, capsys):
    rc = main(["--params", PARAMS, "measures", "--validated", str(validated), "--period", "2026-27 Q1",
               "--out", str(tmp_path)])
    assert rc == 0
    tidy = pd.read_csv(tmp_path / "measures.csv", keep_default_na=False, na_values=[""])
    assert list(tidy.columns) == ["measure_id", "period", "dimension", "category", "value", "unit", "reason"]
    from pipeline.measures.quarterly import MEASURES
    quarterly = tidy[tidy["measure_id"].isin(list(MEASURES))]
    assert len(quarterly) and set(quarterly["period"]) == {"2026-27 Q1"}
    q1 = tidy[(tidy["measure_id"] == "exits_team_quarter") & (tidy["category"] == "SGO_OTHER")]
    assert q1["value"].tolist() == [1.0]
    staff = tidy[tidy["measure_id"] == "staff_fte_at_end"]
    assert staff["unit"].tolist() == ["unavailable"] and staff["value"].isna().all()
    assert staff["reason"].str.startswith("not computable from the data supplied").all()
    assert "unavailable" in capsys.readouterr().out


def test_measures_without_validated_data_says_run_validate(tmp_path, capsys):
    rc = main(["--params", PARAMS, "measures", "--validated", str(tmp_path / "none"), "--out", str(tmp_path)])
    assert rc == 2 and "validate" in capsys.readouterr().err


def test_bad_period_is_a_clear_error(validated, tmp_path, capsys):
    rc = main(["--params", PARAMS, "measures", "--validated", str(validated), "--period", "Q2 2026",
               "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and "--period: period = 'Q2 2026' is not allowed" in err and "'2026-27 Q2'" in err
