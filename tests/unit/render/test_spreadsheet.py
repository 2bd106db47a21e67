"""The accessible spreadsheet: cover, contents, notes, one table per sheet with its title in A1,
numbers as numbers, units in headers, [c] where withheld; ODS and XLSX read back the same;
the publication check finds a leaked or altered figure."""

import io
import zipfile

import pytest

from pipeline.render import io as rio
from pipeline.render.spreadsheet import (
    build_workbook,
    find_spreadsheet_problems,
    write_ods,
    write_xlsx,
)

META = {"title": "Exits paper", "committee": "Corporate Parenting Committee", "meeting_date_text": "10 December 2026",
        "la_name": "Northmoor County Council", "period": "2026-27 Q2", "author": "Team Manager"}


def test_the_workbook_has_cover_contents_notes_and_one_sheet_per_table(published):
    sheets = build_workbook(published, META)
    assert [s.name for s in sheets] == ["Cover", "Contents", "Notes", "T1_exits", "T1p_share"]
    cover = " ".join(row[0] for row in sheets[0].rows)
    assert "[c]: a figure withheld to protect confidentiality: a number from 1 to 9" in cover
    assert sheets[1].rows[2:] == (("Sheet name", "Table title", "Unit"),
                                  ("T1_exits", "Exits by route", "number of children"),
                                  ("T1p_share", "Share of exits", "%"))
    assert sheets[2].rows[3] == ("note 1", "Exits in the year.", "T1_exits")
    exits = sheets[3]
    assert exits.rows[0] == ("Exits by route [note 1]",)
    assert exits.rows[2] == ("Route", "Q1 (number of children)", "Q2 (number of children)",
                             "Year to date (number of children)")
    # Q1 of both routes is withheld (8 and 3); the rest are numbers, not text
    assert exits.rows[3:] == (("Special guardianship order", "[c]", 12, 20),
                              ("Placed with parents", "[c]", 15, 18),
                              ("Total", 11, 27, 38))
    # shares rounded as the paper prints them (whole percentages): 20/38 and 18/38
    assert sheets[4].rows[3:] == (("Special guardianship order", 53), ("Placed with parents", 47))


def test_a_label_that_looks_like_a_formula_is_neutralised(paper):
    from pipeline.render.published import publish_paper
    from pipeline.tables import Paper

    t = paper.tables[0]
    renamed = t.values.rename(index={"Placed with parents": "=HYPERLINK(\"http://x\")"})
    evil = Paper("test", tables=[type(t)(t.table_id, t.title, t.row_dim, t.col_dim, renamed, row_total="Total",
                                         col_total="Year to date")])
    sheets = build_workbook(publish_paper(evil, {"T1_exits": set()}, "x", 10), META)
    assert sheets[3].rows[4][0] == "'=HYPERLINK(\"http://x\")"


@pytest.mark.parametrize("suffix", [".ods", ".xlsx"])
def test_both_formats_read_back_with_numbers_as_numbers_and_pass_the_check(published, tmp_path, suffix):
    sheets = build_workbook(published, META)
    data = write_ods(sheets, "Exits paper") if suffix == ".ods" else write_xlsx(sheets, "Exits paper", "TM")
    path = tmp_path / f"paper{suffix}"
    path.write_bytes(data)
    back = rio.read_workbook(path)
    assert list(back) == ["Cover", "Contents", "Notes", "T1_exits", "T1p_share"]
    assert back["T1_exits"][0][0] == "Exits by route [note 1]"
    assert back["T1_exits"][5][1:] == [11, 27, 38] and all(isinstance(v, int | float) for v in back["T1_exits"][5][1:])
    assert find_spreadsheet_problems(back, published, path.name) == []
    # the same sheets give the same bytes
    again = write_ods(sheets, "Exits paper") if suffix == ".ods" else write_xlsx(sheets, "Exits paper", "TM")
    assert again == data


def test_the_ods_is_an_opendocument_spreadsheet(published):
    data = write_ods(build_workbook(published, META), "Exits paper")
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.namelist()[0] == "mimetype" and z.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    assert z.getinfo("mimetype").compress_type == zipfile.ZIP_STORED


def test_the_check_finds_a_leaked_an_altered_and_a_text_figure(published):
    sheets = {s.name: [list(r) for r in s.rows] for s in build_workbook(published, META)}
    sheets["T1_exits"][4][1] = 3  # the withheld Q1 of placed with parents, leaked
    sheets["T1_exits"][3][2] = 13  # 12 altered
    sheets["T1_exits"][5][1] = "11"  # stored as text
    del sheets["Notes"]
    sheets["Extra"] = [["x"]]
    assert find_spreadsheet_problems(sheets, published, "p.ods") == [
        "p.ods: no Notes sheet",
        "p.ods: sheet 'Extra' is not a published table",
        "p.ods: sheet T1_exits: T1_exits|Special guardianship order|Q2 is 13 but the paper publishes 12",
        "p.ods: sheet T1_exits: T1_exits|Placed with parents|Q1 is withheld in the paper but shows 3",
        "p.ods: sheet T1_exits: T1_exits|Total|Q1 is not stored as a number ('11')",
    ]


def test_the_xlsx_marks_each_table_up_with_its_header_row(published):
    data = write_xlsx(build_workbook(published, META), "Exits paper", "TM")
    z = zipfile.ZipFile(io.BytesIO(data))
    tables = sorted(n for n in z.namelist() if n.startswith("xl/tables/"))
    assert len(tables) == 4  # contents, notes and the two tables
    xml = z.read("xl/tables/table3.xml").decode()
    assert 'ref="A3:D6"' in xml and 'name="Year to date (number of children)"' in xml


@pytest.mark.parametrize("writer", [lambda sheets: write_xlsx(sheets, "Exits paper", "TM"),
                                    lambda sheets: write_ods(sheets, "Exits paper")], ids=["xlsx", "ods"])
def test_the_only_dates_in_the_files_are_1_january_1980(published, writer):
    """A fixed date in the document properties once equalled a child's date of birth at scale
    100 (2000-01-01) and the publication check refused the spreadsheet: the files' dates are
    1 January 1980, before any child or care leaver in a return was born."""
    import re

    z = zipfile.ZipFile(io.BytesIO(writer(build_workbook(published, META))))
    text = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert set(re.findall(r"(?:19|20)\d\d-\d\d-\d\d", text)) <= {"1980-01-01"}
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in z.infolist())
