"""Accepted exceptions: reading the reviewed file, matching failures, policy, stale entries."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.readers import EXCLUSION_COLUMNS, RawData
from pipeline.validate import accept
from pipeline.validate.rules import failures_frame

HEAD = "rule,file,row,CHILD,reason,accepted_by,accepted_on\n"
EP = "ssda903/2024-25/episodes.csv"


def failures() -> pd.DataFrame:
    """Four failures: two aged-18 rows (C1 row 2, C2 row 5), an overlap (C3 row 7), a missing column."""
    rows = [
        {"file": EP, "row": 2, "CHILD": "C1", "column": "DECOM", "rule": "EP_AGED_18_AT_DECOM", "severity": "error", "table": "episodes"},
        {"file": EP, "row": 5, "CHILD": "C2", "column": "DECOM", "rule": "EP_AGED_18_AT_DECOM", "severity": "error", "table": "episodes"},
        {"file": EP, "row": 7, "CHILD": "C3", "column": "DECOM", "rule": "EP_OVERLAP", "severity": "error", "table": "episodes"},
        {"file": EP, "row": pd.NA, "CHILD": pd.NA, "column": "URN", "rule": "COL_MISSING", "severity": "error", "table": "episodes"},
    ]
    return failures_frame(rows)


def read(tmp_path, body: str) -> pd.DataFrame:
    path = tmp_path / "accepted_exceptions.csv"
    path.write_text(HEAD + body)
    return accept.read_exceptions(path)


def test_a_line_with_row_accepts_that_row_only(tmp_path):
    exc = read(tmp_path, f"EP_AGED_18_AT_DECOM,{EP},2,C1,court order,A. Lee,2026-11-30\n")
    applied = accept.apply_exceptions(failures(), exc)
    assert applied.failures["accepted"].fillna("-").tolist() == ["kept", "-", "-", "-"]
    assert accept.blocking(applied.failures).tolist() == [False, True, True, True]
    assert applied.accepted[["CHILD", "row", "policy", "reason"]].values.tolist() == [["C1", 2, "kept", "court order"]]
    assert applied.stale.empty


def test_blank_row_and_child_accept_the_rule_for_the_whole_file(tmp_path):
    exc = read(tmp_path, f"EP_AGED_18_AT_DECOM,{EP},,,reviewed,A. Lee,30/11/2026\n")
    applied = accept.apply_exceptions(failures(), exc)
    assert sorted(applied.accepted["CHILD"]) == ["C1", "C2"]
    assert accept.blocking(applied.failures).sum() == 2  # the overlap and the missing column still block


def test_blank_row_with_child_accepts_that_childs_rows(tmp_path):
    exc = read(tmp_path, f"EP_AGED_18_AT_DECOM,{EP},,C2,reviewed,A. Lee,2026-11-30\n")
    assert accept.apply_exceptions(failures(), exc).accepted["row"].tolist() == [5]


def test_entries_matching_nothing_are_stale(tmp_path):
    exc = read(tmp_path, f"EP_AGED_18_AT_DECOM,{EP},3,,old,A. Lee,2026-11-30\n"   # no failure on row 3
                         f"EP_AGED_18_AT_DECOM,{EP},2,C9,old,A. Lee,2026-11-30\n"   # row 2 is C1's
                         f"EP_OVERLAP,other.csv,7,,old,A. Lee,2026-11-30\n")       # another file
    applied = accept.apply_exceptions(failures(), exc)
    assert applied.accepted.empty and applied.stale["exception_line"].tolist() == [2, 3, 4]
    assert accept.blocking(applied.failures).all()


def test_set_aside_rows_go_to_exclusions_and_kept_rows_stay(tmp_path):
    exc = read(tmp_path, f"EP_OVERLAP,{EP},7,C3,duplicate entry,A. Lee,2026-11-30\n"
                         f"EP_AGED_18_AT_DECOM,{EP},2,C1,court order,A. Lee,2026-11-30\n")
    applied = accept.apply_exceptions(failures(), exc)
    episodes = pd.DataFrame({"CHILD": ["C1", "C3", "C3"], "RETURN": "2024-25", "SOURCE_FILE": EP, "SOURCE_ROW": [2, 6, 7]})
    raw = RawData({"episodes": episodes}, {}, pd.DataFrame(), failures_frame(), pd.DataFrame(columns=EXCLUSION_COLUMNS))
    out = accept.set_aside(raw, applied.accepted)
    assert out.tables["episodes"]["SOURCE_ROW"].tolist() == [2, 6]
    assert out.excluded[["SOURCE_ROW", "CHILD"]].values.tolist() == [[7, "C3"]]
    assert out.excluded["reason"].iloc[0] == "accepted exception EP_OVERLAP (set aside): duplicate entry"
    assert raw.tables["episodes"]["SOURCE_ROW"].tolist() == [2, 6, 7]  # input not changed


def test_header_rows_are_never_set_aside(tmp_path):
    f = failures_frame([{"file": "h.csv", "row": 3, "CHILD": "C1", "column": "DOB", "rule": "DATE_FORMAT",
                         "severity": "error", "table": "header"}])
    exc = read(tmp_path, "DATE_FORMAT,h.csv,3,,typo,A. Lee,2026-11-30\n")
    with pytest.raises(InputError, match="header rows are never set aside"):
        accept.apply_exceptions(f, exc)


@pytest.mark.parametrize(("body", "message"), [
    ("COL_MISSING,x.csv,,,no,A,2026-11-30\n", "line 2, column rule: COL_MISSING cannot be accepted"),
    ("FILE_EMPTY,x.csv,,,no,A,2026-11-30\n", "FILE_EMPTY cannot be accepted"),
    ("NOT_A_RULE,x.csv,,,no,A,2026-11-30\n", "'NOT_A_RULE' is not a validation rule"),
    ("EP_OVERLAP,x.csv,two,,no,A,2026-11-30\n", "column row: 'two' is not a row number"),
    ("EP_OVERLAP,x.csv,2,,,A,2026-11-30\n", "column reason: blank"),
    ("EP_OVERLAP,x.csv,2,,why,,2026-11-30\n", "column accepted_by: blank"),
    ("EP_OVERLAP,x.csv,2,,why,A,yesterday\n", "column accepted_on: 'yesterday' is not a date"),
    ("EP_OVERLAP,,2,,why,A,2026-11-30\n", "column file: blank"),
])
def test_a_bad_line_is_a_one_line_error(tmp_path, body, message):
    with pytest.raises(InputError, match=message) as info:
        read(tmp_path, body)
    assert "\n" not in str(info.value)


def test_wrong_columns_are_a_one_line_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("rule,file,row\nEP_OVERLAP,a.csv,2\n")
    with pytest.raises(InputError, match="the columns must be rule,file,row,CHILD,reason,accepted_by,accepted_on"):
        accept.read_exceptions(path)


def test_an_empty_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("")
    with pytest.raises(InputError, match="cannot be read as CSV"):
        accept.read_exceptions(path)
