"""`python -m pipeline validate` end to end: a valid two-return folder, and the public samples."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest

from pipeline.cli import main
from tests.unit.validate.fixture_return import HEADER, files, replace, write

Q1 = "ssda903/2025-26_Q1"
# The in-year extract to 30 June 2025: C2 has left; C3's adoption order on 01/05/2025.
Q1_EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
C1,01/06/2024,P,C2,N1,U6,PR4,,,,NM1 2AB,NM5 6EF,SC654321
C3,01/11/2024,P,E1,N1,A6,PR1,01/05/2025,E11,CARPL,NM7 1AA,NM8 3CC,
C4,01/12/2023,P,C2,N6,R1,PR4,,,,NM9 9ZZ,XY1 1AA,
"""


def two_returns() -> dict[str, str]:
    content = files()
    content[f"{Q1}/header.csv"] = "\n".join(line for line in HEADER.splitlines() if not line.startswith("C2")) + "\n"
    content[f"{Q1}/episodes.csv"] = Q1_EPISODES
    tracker = "local/permanence_tracker.csv"
    content = replace(content, tracker, "E10,K2,C3,ADOPTION,PLACED,2024-11-01,2024-11-01,W2,COWORK,\n",
                      "E10,K2,C3,ADOPTION,PLACED,2024-11-01,2024-11-01,W2,COWORK,\n"
                      "E11,K2,C3,ADOPTION,ADOPTION_ORDER,2025-05-01,2025-05-02,W2,COWORK,\n")
    return content


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_valid_returns_are_stitched_and_written(tmp_path, capsys):
    raw = write(tmp_path / "raw", two_returns())
    out, processed = tmp_path / "out", tmp_path / "processed"
    code, stdout, stderr = run(capsys, "--raw", str(raw), "--out", str(out), "--processed", str(processed))
    assert code == 0, stderr
    assert "0 errors" in stdout
    v = processed / "validated"
    ep = pd.read_parquet(v / "episodes.parquet")
    c3 = ep[ep["CHILD"] == "C3"].sort_values("DECOM")
    assert c3[["REC", "RETURN"]].iloc[-1].tolist() == ["E11", "2025-26_Q1"]
    assert str(ep["DECOM"].dtype) == "datetime64[ns]" and ep["SOURCE_ROW"].notna().all()
    header = pd.read_parquet(v / "header.parquet")
    assert sorted(header["CHILD"]) == ["C1", "C2", "C3", "C4"] and header["CHILD"].is_unique
    assert set(header.loc[header["CHILD"] == "C2", "RETURN"]) == {"2024-25"}
    staffing = pd.read_parquet(v / "staffing.parquet")
    assert staffing["FTE"].tolist() == [1.0, 0.5, 1.0]

    log = pd.read_csv(out / "stitch_log.csv")
    assert sorted(log["rule"]) == ["S10_HEADER_SUPERSEDED"] * 3 + ["S1_EXACT_DUPLICATE"] * 2 + ["S2_CLOSED_BY_LATER_RETURN"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "passed" and summary["errors"] == 0 and summary["reconciled"]
    assert summary["rows"]["read"] == summary["rows"]["kept"] + summary["rows"]["excluded"]
    assert summary["files"]["ssda903/2024-25/episodes.csv"] == {"read": 7, "kept": 4, "excluded": 3}
    excl = pd.read_csv(out / "exclusions.csv")
    assert len(excl) == summary["rows"]["excluded"] == 6
    manifest = json.loads((v / "manifest.json").read_text())
    assert {f["SOURCE_FILE"] for f in manifest["files"]} == set(two_returns())
    assert all(len(f["sha256"]) == 64 for f in manifest["files"])

    index = (out / "data_docs" / "index.html").read_text()
    page = (out / "data_docs" / "validations" / "episodes.html").read_text()
    assert "validations/episodes.html" in index and "ssda903/2024-25/episodes.csv" in index
    for html in (index, page):
        assert 'src="http' not in html and 'stylesheet" href="http' not in html


def test_d2i_fake_data_is_refused_with_row_level_failures(shared_external, tmp_path, capsys):
    out, processed = tmp_path / "out", tmp_path / "processed"
    code, stdout, stderr = run(capsys, "--raw", str(shared_external / "d2i-903-validator-fake-data"),
                               "--out", str(out), "--processed", str(processed), "--no-docs")
    assert code == 2
    assert "refused" in stderr and "EP_REC_WITHOUT_DEC (1413 rows)" in stderr
    assert "episodes.csv:2 CHILD 566910" in stderr and "Traceback" not in stderr + stdout
    failures = pd.read_csv(out / "failures.csv", dtype="str")
    rec = failures[failures["rule"] == "EP_REC_WITHOUT_DEC"]
    assert len(rec) == 1413 and (rec["file"] == "episodes.csv").all()
    assert json.loads((out / "summary.json").read_text())["status"] == "refused"
    assert not list((processed / "validated").glob("*.parquet"))


def test_cs_demand_model_samples_are_refused(shared_external, tmp_path, capsys):
    out = tmp_path / "out"
    code, _, stderr = run(capsys, "--raw", str(shared_external / "cs-demand-model-samples-2017-2021"),
                          "--out", str(out), "--processed", str(tmp_path / "p"), "--no-docs")
    assert code == 2 and "refused" in stderr and "Traceback" not in stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["returns"] == ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22"]
    assert summary["rules_failed"]["EP_REC_WITHOUT_DEC"]["rows"] > 0


def test_regional_sample_needs_la(shared_external, tmp_path, capsys):
    code, _, stderr = run(capsys, "--raw", str(shared_external / "cs-demand-model-regional-sample"),
                          "--out", str(tmp_path / "out"), "--processed", str(tmp_path / "p"), "--no-docs")
    assert code == 2 and "LA_MULTIPLE" in stderr and "--la" in stderr


@pytest.mark.parametrize("bad", ["--as-of=31/03/2025", "--year=soon"])
def test_bad_options_are_readable_errors(tmp_path, capsys, bad):
    raw = write(tmp_path / "raw", {"header.csv": HEADER})
    code, _, stderr = run(capsys, "--raw", str(raw), "--out", str(tmp_path / "o"), "--processed", str(tmp_path / "p"), bad)
    assert code == 2 and stderr.startswith("error:") and "Traceback" not in stderr


def test_accept_names_a_missing_or_bad_exceptions_file_in_one_line(tmp_path, capsys):
    raw = write(tmp_path / "raw", files())
    common = ["--raw", str(raw), "--out", str(tmp_path / "o"), "--processed", str(tmp_path / "p"), "--no-docs"]
    code, _, stderr = run(capsys, *common, "--accept", str(tmp_path / "nothing.csv"))
    assert code == 2 and stderr.strip() == f"error: --accept {tmp_path / 'nothing.csv'}: no such file"
    (raw / "accepted_exceptions.csv").write_text("rule,file,row,CHILD,reason,accepted_by,accepted_on\n"
                                                 "FILE_EMPTY,ssda903/2024-25/header.csv,,,empty,A. Lee,2026-11-30\n")
    code, _, stderr = run(capsys, *common)  # the default file in the raw folder
    assert code == 2 and len(stderr.strip().splitlines()) == 1
    assert "line 2, column rule: FILE_EMPTY cannot be accepted" in stderr and "Traceback" not in stderr


def test_reports_are_byte_identical_from_the_same_returns_in_another_folder(tmp_path, capsys):
    # refused returns: a code not in the list (a plain GX expectation) and REC without DEC (a
    # flag check), so that both GX passes run and the Data Docs have a page of failures
    content = replace(files(), "ssda903/2024-25/episodes.csv", "C2,01/07/2024,S,V2,", "C2,01/07/2024,S,Z9,")
    content = replace(content, "ssda903/2024-25/episodes.csv", "C1,01/06/2024,P,C2,N1,U6,PR4,,,", "C1,01/06/2024,P,C2,N1,U6,PR4,,X1,")
    outs = []
    for name in ("first", "second checkout"):
        raw = write(tmp_path / name / "raw", content)
        out = tmp_path / name / "validation"
        code, _, stderr = run(capsys, "--raw", str(raw), "--out", str(out), "--processed", str(tmp_path / name / "p"))
        assert code == 2 and "CODE_UNKNOWN" in stderr and "EP_REC_WITHOUT_DEC" in stderr, stderr
        outs.append(out)
    files_a = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(outs[1]) for p in outs[1].rglob("*") if p.is_file())
    assert [str(f) for f in files_a if (outs[0] / f).read_bytes() != (outs[1] / f).read_bytes()] == []
    assert "data_docs/validations/episodes__failed.html" in {str(f) for f in files_a}
    index = (outs[0] / "data_docs" / "index.html").read_text()
    assert 'href="validations/episodes__failed.html"' in index
    results = (outs[0] / "gx_results.json").read_text()
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", results)  # no random id
    assert str(date.today().year) not in results and str(tmp_path) not in results  # no clock time, no path
    failures = pd.read_csv(outs[0] / "failures.csv", dtype="str")
    assert sorted(failures.loc[failures["rule"].isin(["CODE_UNKNOWN", "EP_REC_WITHOUT_DEC"]), "rule"]) == [
        "CODE_UNKNOWN", "EP_REC_WITHOUT_DEC"]
