"""The ad-hoc command: wide CSV tables in, protected tables and an audit out."""

from __future__ import annotations

import pandas as pd

from pipeline.cli import main
from pipeline.disclosure.wide import wide_paper

AGE = "Age,Male,Female,Total\nUnder 1,3,5,8\n1 to 4,20,14,34\n5 to 9,31,28,59\nTotal,54,47,101\n"
PLACEMENT = "Placement,Male,Female,Total\nFoster,45,40,85\nOther,9,7,16\nTotal,54,47,101\n"


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_margins_with_the_same_label_are_linked():
    frames = {"age": pd.read_csv(pd.io.common.StringIO(AGE), dtype=str),
              "placement": pd.read_csv(pd.io.common.StringIO(PLACEMENT), dtype=str)}
    paper, warnings = wide_paper(frames, "x")
    reasons = sorted(e.reason for e in paper.links)
    assert reasons == ["same grand total", "same margin 'Female'", "same margin 'Male'"]
    assert warnings == []


def test_protect_then_audit(tmp_path, capsys):
    age, placement = _write(tmp_path, "age.csv", AGE), _write(tmp_path, "placement.csv", PLACEMENT)
    out = tmp_path / "out"
    none = str(tmp_path / "no-params.yaml")
    assert main(["--params", none, "disclosure", "protect", age, placement, "--threshold", "10",
                 "--out", str(out)]) == 0
    assert "audit passed" in capsys.readouterr().out
    shown = pd.read_csv(out / "age.csv", dtype=str)
    assert shown.loc[0].tolist()[:3] == ["Under 1", "x", "x"]
    assert (out / "RESTRICTED-suppression-log.csv").exists()
    assert main(["--params", none, "disclosure", "audit", str(out / "age.csv"), str(out / "placement.csv"),
                 "--threshold", "10"]) == 0


def test_audit_names_an_exposed_cell(tmp_path, capsys):
    leak = _write(tmp_path, "leak.csv", "Age,Male,Female,Total\nUnder 1,x,5,8\n1 to 4,20,14,34\nTotal,23,19,42\n")
    code = main(["--params", str(tmp_path / "none.yaml"), "disclosure", "audit", leak, "--threshold", "10"])
    assert code == 3
    assert "leak|Under 1|Male: [3, 3] - exact" in capsys.readouterr().out


def test_bad_input_is_an_error_not_a_traceback(tmp_path, capsys):
    bad = _write(tmp_path, "bad.csv", "Age,Male\nUnder 1,three\n")
    assert main(["--params", str(tmp_path / "none.yaml"), "disclosure", "protect", bad, "--out",
                 str(tmp_path)]) == 2
    assert "neither a number" in capsys.readouterr().err
