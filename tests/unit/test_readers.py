"""Reading raw files: encodings, delimiters, whitespace, layouts, LA/YEAR columns."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.readers import (
    decode_bytes,
    parse_csv_text,
    parse_year_option,
    read_raw,
    sniff_delimiter,
    year_convention,
)
from tests.unit.validate.fixture_return import EPISODES, HEADER, SS, files, write


def test_parse_csv_text_strips_and_keeps_everything_as_strings():
    df = parse_csv_text("A, B ,C\n 007 ,1.50,\n\n x,,y\n")
    assert list(df.columns) == ["A", "B", "C", "SOURCE_ROW"]
    assert df["A"].tolist() == ["007", "x"]  # leading zeros kept: nothing coerced
    assert df["B"].tolist()[0] == "1.50" and pd.isna(df["B"].tolist()[1])
    assert df["SOURCE_ROW"].tolist() == [1, 3]  # the blank line is counted, not kept


@pytest.mark.parametrize("line,delim", [("A,B;C", ","), ("A;B;C", ";"), ("A\tB", "\t"), ("A", ",")])
def test_sniff_delimiter(line, delim):
    assert sniff_delimiter(line) == delim


def test_decode_accepts_bom_and_utf16_and_refuses_latin1():
    assert decode_bytes("\ufeffCHILD".encode()) == "CHILD"
    assert decode_bytes("CHILD,é".encode("utf-16")) == "CHILD,é"
    with pytest.raises(UnicodeDecodeError):
        decode_bytes("CHILD,é".encode("latin-1"))


def test_parse_csv_text_reports_ragged_rows():
    with pytest.raises(ValueError, match="Expected 2 fields"):
        parse_csv_text("A,B\n1,2\n1,2,3\n")


@pytest.mark.parametrize("text,label", [("2018", "2017-18"), ("2017-18", "2017-18"), (" 2024-25 ", "2024-25")])
def test_parse_year_option(text, label):
    assert parse_year_option(text).label == label


def test_parse_year_option_refuses_nonsense():
    with pytest.raises(InputError, match="--year"):
        parse_year_option("next year")


def test_year_convention_from_decom():
    # an episode starting after 31 March of its YEAR means YEAR is the financial year's start
    assert year_convention(pd.Series(["2017-06-01"]), pd.Series(["2017"])) == "start"
    assert year_convention(pd.Series(["2017-03-31", "2016-06-01"]), pd.Series(["2017", "2017"])) == "end"


def test_project_layout_has_lineage(tmp_path):
    raw = read_raw(write(tmp_path, files()))
    assert raw.layout == "project" and list(raw.returns) == ["2024-25"]
    ep = raw.tables["episodes"]
    assert ep[["RETURN", "SOURCE_FILE", "SOURCE_ROW"]].iloc[2].tolist() == ["2024-25", f"{SS}/episodes.csv", 3]
    assert raw.tables["staffing"]["RETURN"].isna().all()
    assert raw.failures.empty
    assert raw.files.set_index("SOURCE_FILE").loc[f"{SS}/episodes.csv", "rows_read"] == 7


def test_flat_folder_is_one_return_from_latest_decom_or_year(tmp_path):
    write(tmp_path, {"header.csv": HEADER, "episodes.csv": EPISODES, "notes.csv": "A\n1\n"})
    raw = read_raw(tmp_path)
    assert raw.layout == "flat" and list(raw.returns) == ["2024-25"]
    assert "FILE_UNKNOWN" in set(raw.failures["rule"])
    assert raw.excluded["SOURCE_FILE"].tolist() == ["notes.csv"]
    assert list(read_raw(tmp_path, year="2026").returns) == ["2025-26"]


def test_year_prefixed_files_are_one_return_each(tmp_path):
    write(tmp_path, {"2024-header.csv": HEADER, "2024-episodes.csv": EPISODES,
                     "2023-header.csv": HEADER, "2023-episodes.csv": EPISODES})
    raw = read_raw(tmp_path)
    # 2024-episodes.csv holds a DECOM after 31/03/2024, so the prefix is the year the financial year starts
    assert list(raw.returns) == ["2023-24", "2024-25"]


def test_la_and_year_columns(tmp_path):
    hdr = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB,LA,YEAR\nA,M,2010-01-01,WBRI,,,,North,2025\nB,F,2011-01-01,WBRI,,,,South,2025\n"
    eps = ("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN,LA,YEAR\n"
           "A,2024-05-01,S,C2,N1,U4,PR1,,,,,,,North,2025\nB,2024-05-01,S,C2,N1,U4,PR1,,,,,,,South,2025\n")
    write(tmp_path, {"header.csv": hdr, "episodes.csv": eps})
    both = read_raw(tmp_path)
    assert {"LA_MULTIPLE", "COL_EXTRA"} <= set(both.failures["rule"])
    north = read_raw(tmp_path, la="north")
    assert north.tables["episodes"]["CHILD"].tolist() == ["A"]
    assert list(north.returns) == ["2024-25"]  # YEAR 2025 is the collection year here
    assert north.excluded["reason"].str.contains("South").all() and len(north.excluded) == 2
    assert "LA_NOT_FOUND" in set(read_raw(tmp_path, la="East").failures["rule"])


def test_missing_raw_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_raw(tmp_path / "nope")
