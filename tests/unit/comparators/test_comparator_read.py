"""Reading the DfE's published files: a bad file stops with one line naming the file, the line,
the column and the rule; an absent folder leaves the comparisons out."""

from __future__ import annotations

import pytest

from pipeline.comparators.read import read_published
from pipeline.errors import InputError

HEAD = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
        "old_la_code,la_name,new_la_code,population_type,population_estimate,children_count,rate_per_10000\n")
ENGLAND = ("2025,Reporting year,National,E92000001,England,,,,,,Children looked after on 31 March each year,"
           "12183016,81770,67\n")
LA = ("2025,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,830,Derbyshire,E10000007,"
      "Children looked after on 31 March each year,156155,1024,66\n")
CLA = "cla_number_and_rate_per_10k_children.csv"


def write(folder, name, text, bom=False):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(("\ufeff" if bom else "") + text, encoding="utf-8")


def test_no_folder_or_no_file_leaves_the_comparisons_out(tmp_path):
    assert read_published(tmp_path / "published") is None
    (tmp_path / "published").mkdir()
    assert read_published(tmp_path / "published") is None


def test_a_file_as_downloaded_is_read_and_missing_files_are_listed(tmp_path):
    write(tmp_path, CLA, HEAD + ENGLAND + LA, bom=True)  # EES files start with a byte-order mark
    got = read_published(tmp_path)
    fig = got.figures.set_index(["measure", "code"])["value"]
    assert fig[("cla_number", "England")] == 81770 and fig[("cla_rate", "830")] == 66
    assert got.model is None
    assert "sn_model_2025_wide.csv" in got.missing and CLA not in got.missing


def test_a_missing_column_is_named(tmp_path):
    write(tmp_path, CLA, HEAD.replace(",rate_per_10000", "") + ENGLAND.rsplit(",", 1)[0] + "\n")
    with pytest.raises(InputError, match=r"cla_number_and_rate_per_10k_children.csv: column 'rate_per_10000' is missing"):
        read_published(tmp_path)


def test_a_value_that_is_neither_a_number_nor_a_dfe_symbol_names_file_line_and_column(tmp_path):
    write(tmp_path, CLA, HEAD + ENGLAND + LA.replace(",1024,", ",about 1000,"))
    with pytest.raises(InputError, match=r"\.csv, line 3, column children_count: 'about 1000' is not a number"):
        read_published(tmp_path)


def test_a_bad_year_and_a_bad_level_are_named(tmp_path):
    write(tmp_path, CLA, HEAD + ENGLAND.replace("2025,", "2024-25,", 1))
    with pytest.raises(InputError, match=r"line 2, column time_period: '2024-25' is not a year"):
        read_published(tmp_path)
    write(tmp_path, CLA, HEAD + ENGLAND.replace("National", "Country"))
    with pytest.raises(InputError, match=r"line 2, column geographic_level: 'Country' is not one of National"):
        read_published(tmp_path)


def test_a_local_authority_row_needs_its_3_digit_code(tmp_path):
    write(tmp_path, CLA, HEAD + ENGLAND + LA.replace(",830,", ",E10000007,"))
    with pytest.raises(InputError, match=r"line 3, column old_la_code: 'E10000007' is not a 3-digit"):
        read_published(tmp_path)


def test_a_bad_neighbour_code_in_the_model_is_named(tmp_path):
    head = "old_la_code,la_name,region_ind,region_name," + ",".join(f"SN_{i},SN_{i}P" for i in range(1, 11)) + "\n"
    row = "830,Derbyshire,1,East Midlands," + ",".join(f"{c},Close" for c in
                                                       ["891", "933", "935", "926", "860", "878", "893", "929",
                                                        "838", "Rutland"]) + "\n"
    write(tmp_path, "sn_model_2025_wide.csv", head + row)
    with pytest.raises(InputError, match=r"sn_model_2025_wide.csv, line 2, column SN_10: 'Rutland' is not a 3-digit"):
        read_published(tmp_path)


def test_a_file_that_is_not_utf8_is_refused_in_one_line(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / CLA).write_bytes(HEAD.encode() + "2025,Reporting year,National,,Engl\xe4nd".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_published(tmp_path)


def test_each_figure_keeps_its_file_line_column_and_the_files_sha256(tmp_path):
    import hashlib

    from pipeline.tables import SourceRef

    folder = tmp_path / "published"
    write(folder, CLA, HEAD + ENGLAND + LA, bom=True)
    sha = hashlib.sha256((folder / CLA).read_bytes()).hexdigest()  # the bytes as downloaded, BOM included
    fig = read_published(folder).figures.set_index(["measure", "code"])["sources"]
    # England is the first data row: line 2 (the header is line 1); Derbyshire line 3
    assert fig[("cla_number", "England")] == (SourceRef(
        f"published/{CLA}", 2, "children_count", "81770", sha,
        (("time_period", "2025"), ("geographic_level", "National"),
         ("population_type", "Children looked after on 31 March each year"))),)
    (rate,) = fig[("cla_rate", "830")]
    assert (rate.line, rate.column, rate.value) == (3, "rate_per_10000", "66")
    assert ("old_la_code", "830") in rate.key and ("la_name", "Derbyshire") in rate.key


def test_a_blank_line_counts_as_a_line_for_sources_and_for_messages(tmp_path):
    folder = tmp_path / "published"
    write(folder, CLA, HEAD + ENGLAND + "\n" + LA)  # header 1, England 2, blank 3, Derbyshire 4
    fig = read_published(folder).figures.set_index(["measure", "code"])["sources"]
    assert fig[("cla_number", "England")][0].line == 2 and fig[("cla_number", "830")][0].line == 4
    write(folder, CLA, HEAD + ENGLAND + "\n" + LA.replace(",1024,", ",about 1000,"))
    with pytest.raises(InputError, match=r"\.csv, line 4, column children_count: 'about 1000' is not a number"):
        read_published(folder)
