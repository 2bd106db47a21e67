"""Coverage on an independent authority's returns (../shared/external/cs-demand-model-samples-2017-2021:
five returns, 1 April 2017 to 31 March 2022 by the reader's year convention). Validation refuses
them (they break DfE rules), so the validated tables are stitched here by the stage functions."""

import json

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.readers import read_raw
from pipeline.validate.assemble import assemble_validated
from tests.conftest import ROOT

EXTENT = "(the returns cover 1 April 2017 to 31 March 2022)"


@pytest.fixture(scope="module")
def validated(tmp_path_factory, request):
    from tests.conftest import SHARED

    raw_dir = SHARED / "external" / "cs-demand-model-samples-2017-2021"
    if not raw_dir.is_dir():
        pytest.skip("../shared/external is not present beside this checkout")
    raw = read_raw(raw_dir)
    folder = tmp_path_factory.mktemp("external-validated")
    for table, frame in assemble_validated(raw).tables.items():
        frame.to_parquet(folder / f"{table}.parquet", index=False)
    (folder / "manifest.json").write_text(json.dumps({"raw": str(raw_dir), "as_of": None, "returns": list(raw.returns)}))
    return folder


def _measures(validated, tmp_path, period):
    out = tmp_path / period.replace(" ", "-")
    assert main(["--params", str(ROOT / "params.yaml"), "--set", f"paths.processed={tmp_path / 'processed'}",
                 "measures", "--validated", str(validated), "--period", period, "--out", str(out)]) == 0
    m = pd.read_csv(out / "measures.csv", keep_default_na=False, na_values=[""])
    m[["dimension", "category", "reason"]] = m[["dimension", "category", "reason"]].fillna("")
    return m[m["dimension"].eq("") | m["category"].eq("ALL")].set_index(["measure_id", "period"])


def test_a_period_after_the_last_return_prints_no_count_for_uncovered_years(validated, tmp_path, capsys):
    m = _measures(validated, tmp_path, "2023-24 Q1")     # sufficiency year 2022-23: after the data end
    for mid in ("cla_31_march", "admissions", "ceased"):
        assert m.loc[(mid, "2022-23"), "unit"] == "unavailable" and pd.isna(m.loc[(mid, "2022-23"), "value"])
    assert m.loc[("cla_31_march", "2022-23"), "reason"] == f"no return covers 31 March 2023 {EXTENT}"
    assert m.loc[("cla_31_march", "2021-22"), "value"] > 0           # the last return's 31 March is counted
    assert pd.isna(m.loc[("exits_dfe_ytd", "2023-24 Q1"), "value"])
    assert all(pd.isna(m.loc[(mid, y), "value"]) for mid, y in m.index if mid.startswith("projected_cla"))
    out = capsys.readouterr().out
    assert "unavailable (2022-23): cla_31_march" in out and "no return covers 31 March 2023" in out


def test_years_before_the_first_return_are_unavailable_but_its_opening_stock_counts(validated, tmp_path):
    m = _measures(validated, tmp_path, "2017-18 Q4")
    assert m.loc[("cla_31_march", "2016-17"), "value"] > 0           # the first return's opening stock
    assert m.loc[("admissions", "2016-17"), "unit"] == "unavailable"
    assert m.loc[("admissions", "2016-17"), "reason"].startswith("no return covers the whole of 1 April 2016")
    assert m.loc[("cla_31_march", "2015-16"), "reason"] == f"no return covers 31 March 2016 {EXTENT}"
    assert m.loc[("admissions", "2017-18"), "value"] > 0 and m.loc[("exits_dfe_ytd", "2017-18 Q4"), "value"] > 0
