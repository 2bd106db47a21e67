"""A few faults of the corpus (tests/unit/validate/test_fault_corpus.py) through the validate
command itself, Great Expectations included: exit code, message, no traceback, no output."""

from __future__ import annotations

import pytest

from pipeline.cli import main
from tests.unit.validate.fixture_return import SS, files, replace, write

EP, ST = f"{SS}/episodes.csv", "local/staffing.csv"


def run(tmp_path, capsys, content):
    raw = write(tmp_path / "raw", content)
    code = main(["validate", "--raw", str(raw), "--out", str(tmp_path / "out"), "--processed",
                 str(tmp_path / "processed"), "--no-docs"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out + captured.err, tmp_path / "processed" / "validated"


@pytest.mark.parametrize("content, message", [
    (replace(files(), EP, "PR1,01/12/2024,E45", "PR1,31/12/9999,E45"),
     f"{EP}:3 CHILD C2 DEC '31/12/9999': DEC was '31/12/9999', a date outside the years 1678-2261"),
    (replace(files(), ST, "P2,ADOPTION,Social worker,0.5,FILLED,W2,2023-04-01,2025-01-31", "P2,ADOPTION"),
     f"{ST} row 2 has 2 of the header's 8 fields (a short or truncated row)"),
    ({**{k: v for k, v in files().items() if k != EP}, "ssda903/episodes.csv": files()[EP]},
     "ssda903/episodes.csv is not where the layout reads it: an SSDA903 file directly in ssda903/"),
])
def test_refused_with_the_row_named_and_nothing_written(tmp_path, capsys, content, message):
    code, text, validated = run(tmp_path, capsys, content)
    assert code == 2
    assert message in text
    assert not (validated / "manifest.json").exists()


def test_upper_case_and_open_ended_staffing_are_read(tmp_path, capsys):
    import pandas as pd

    content = replace(files(), ST, "W1,2023-04-01,", "W1,2023-04-01,9999-12-31")
    content = {**{k: v for k, v in content.items() if k != ST}, "local/Staffing.CSV": content[ST]}
    code, text, validated = run(tmp_path, capsys, content)
    assert code == 0, text
    assert "1 warning(s)" in text
    staffing = pd.read_parquet(validated / "staffing.parquet")
    assert len(staffing) == 3 and staffing["TO_DATE"].isna().sum() == 2
