"""The publication check reads what a person can read: hand-made fixtures in both directions.

Every planted identifier is caught wherever a reader could see it; every number that merely
looks like one (chart geometry, decimals, thousands, colours, published figures) passes.
The children's ids are numeric, as many councils' systems issue them: 906327 and 0410511.
"""

from __future__ import annotations

import json

import pytest

from pipeline.errors import PublicationError
from pipeline.render.check import build_identifier_patterns, find_identifiers_in, is_searchable_id
from pipeline.render.publication_check import scan_public_files
from pipeline.render.readable import (
    Passage,
    find_tokens,
    read_csv,
    read_html_text,
    read_json,
    read_passages,
    register_reader,
    strip_figure,
)

PATTERNS = build_identifier_patterns({
    "CHILD id": ["906327", "0410511"],
    "date of birth": ["2014-03-05"],
    "UPN": ["A123456789012"],
    "postcode": ["NM1 4QT"],
    "WORKER_ID": ["W0037"],
    "POST_ID": ["P001"],
})


def found(html: str, figures: dict[str, float] | None = None) -> list[str]:
    return find_identifiers_in(read_html_text(html), PATTERNS, "paper.html", figures)


def kinds(problems: list[str]) -> list[str]:
    return [p.split(" contains ")[1].split(" value(s)")[0].split(" ", 1)[1] for p in problems]


# --- caught -----------------------------------------------------------------------------------

@pytest.mark.parametrize("html, kind", [
    ("<table><caption>Table 3: children incl. 906327</caption></table>", "CHILD id"),
    ("<table><tr><th scope='row'>Child 906327</th><td>4</td></tr></table>", "CHILD id"),
    ("<p class='note'>Note: one child (906327.) moved.</p>", "CHILD id"),
    ("<p>Children 906327,410511 moved.</p>", "CHILD id"),
    ("<img alt='Photo of 906327' src='a.png'>", "CHILD id"),
    ("<svg role='img' aria-label='Bar chart: 906327 12'><title>Bar chart</title></svg>", "CHILD id"),
    ("<svg><title>Line chart: child 906327</title></svg>", "CHILD id"),
    ("<svg><g><!-- 906327 --><path d='M 0 0'/></g></svg>", "CHILD id"),
    ("<td data-figure-id='Q09_caseloads|Child 906327|Total'>4</td>", "CHILD id"),
    ("<a href='https://example.org/child/906327'>link</a>", "CHILD id"),
    ("<p title='906327'>x</p>", "CHILD id"),
    ("<p>Child 410511, as a spreadsheet prints it without its leading zero</p>", "CHILD id"),
    ("<p>Born 05/03/2014.</p>", "date of birth"),
    ("<p>Born 2014-03-05T00:00:00.</p>", "date of birth"),
    ("<p>UPN a123456789012</p>", "UPN"),
    ("<p>Lives at NM1 4QT</p>", "postcode"),
    ("<p>Lives at nm14qt</p>", "postcode"),
    ("<p>Lives at <b>NM1</b> 4QT</p>", "postcode"),
    ("<table><tr><th>Exit Team: worker W0037</th></tr></table>", "WORKER_ID"),
    ("<p>Post P001 is vacant</p>", "POST_ID"),
])
def test_a_planted_identifier_is_caught_wherever_a_reader_sees_it(html, kind):
    problems = found(html)
    assert kinds(problems) == [kind], problems
    assert all("906327" not in p and "W0037" not in p for p in problems)  # never repeated


def test_a_figure_element_may_not_carry_an_identifier_beside_its_figure():
    html = "<p>There were <span data-figure-id='S12|In care|2025-26'>682 children (one is 906327)</span>.</p>"
    assert kinds(found(html, {"S12|In care|2025-26": 682.0})) == ["CHILD id"]


def test_a_figure_cell_printing_an_id_instead_of_its_value_is_caught():
    # the true figure is 45: 906327 is not within rounding of it
    assert kinds(found("<td data-figure-id='S01|a|b'>906327</td>", {"S01|a|b": 45.0})) == ["CHILD id"]


def test_a_figure_id_unknown_to_the_true_values_is_read_as_text():
    assert kinds(found("<td data-figure-id='S01|a|b'>906327</td>", {})) == ["CHILD id"]


def test_csv_cells_are_read_label_and_value(tmp_path):
    path = tmp_path / "S01.csv"
    path.write_text("table_id,row,column,value\nS01,Child 906327,2025-26,12\nS01,All,2025-26,906327\n")
    problems = find_identifiers_in(read_csv(path), PATTERNS, "S01.csv", {"S01|Child 906327|2025-26": 12.0,
                                                                         "S01|All|2025-26": 50.0})
    assert problems == ["S01.csv: contains 1 CHILD id value(s) from the validated data "
                        "(CSV cell row 1 column row; CSV cell row 2 column value)"]


def test_json_keys_and_values_and_file_names_are_read(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "m.json").write_text(json.dumps({"906327": 1, "note": "W0037", "n": 410511}))
    (tmp_path / "chart_0410511.csv").write_text("a,b\n1,2\n")
    patterns = build_identifier_patterns({"CHILD id": ["906327", "0410511"], "WORKER_ID": ["W0037"]})
    problems, read = scan_public_files(tmp_path, patterns, {}, tmp_path)
    assert sorted(read) == ["chart_0410511.csv", "tables/m.json"]
    assert problems == [
        "chart_0410511.csv: contains 1 CHILD id value(s) from the validated data (file name)",
        "tables/m.json: contains 2 CHILD id value(s) from the validated data (JSON key at /; JSON value at /n)",
        "tables/m.json: contains 1 WORKER_ID value(s) from the validated data (JSON value at /note)",
    ]


def test_a_file_type_the_check_cannot_read_is_a_problem_not_skipped(tmp_path):
    (tmp_path / "paper.docx").write_bytes(b"PK\x03\x04")
    problems, read = scan_public_files(tmp_path, PATTERNS, {}, tmp_path)
    assert read == [] and len(problems) == 1
    assert problems[0].startswith("paper.docx: cannot be read by the publication check (") and ".docx" in problems[0]
    with pytest.raises(PublicationError, match="no reader for .docx"):
        read_passages(tmp_path / "paper.docx", tmp_path)


def test_a_reader_can_be_registered_for_a_new_file_type(tmp_path, monkeypatch):
    from pipeline.render import readable

    monkeypatch.setattr(readable, "READERS", dict(readable.READERS))
    register_reader(".TSV", lambda p: [Passage(cell, "TSV cell") for cell in p.read_text().split()])
    (tmp_path / "t.tsv").write_text("a\t906327\n")
    problems, _ = scan_public_files(tmp_path, PATTERNS, {}, tmp_path)
    assert problems == ["t.tsv: contains 1 CHILD id value(s) from the validated data (TSV cell)"]


def test_the_pdf_text_and_document_title_are_read(tmp_path):
    from weasyprint import HTML

    path = tmp_path / "paper.pdf"
    HTML(string="<html><head><title>Paper W0037</title></head><body><p>Child 906327 in 2026.</p>"
                "<svg width='50' height='50'><path d='M 10.906327 906327.5 L 1 1'/></svg></body></html>"
         ).write_pdf(path)
    problems, _ = scan_public_files(tmp_path, PATTERNS, {}, tmp_path)
    assert problems == ["paper.pdf: contains 1 CHILD id value(s) from the validated data (PDF text)",
                        "paper.pdf: contains 1 WORKER_ID value(s) from the validated data (PDF document information)"]


# --- passed -----------------------------------------------------------------------------------

@pytest.mark.parametrize("html", [
    # chart geometry: path data, transforms, coordinates, sizes
    "<svg viewBox='0 0 542.906327 225'><path d='M 42.470703 190.152 L 139.867067 106.906327 z'/></svg>",
    "<svg><path d='M0 0L906327 410511'/></svg>",
    "<svg><g transform='translate(906327 410511) scale(0.08 -0.08)'><use x='906327' y='0410511'/></g></svg>",
    "<svg width='906327pt' height='410511'><rect x='1' y='2' width='906327' height='3'/></svg>",
    # colours and styles
    "<svg><path style='fill: #906327; stroke-width: 0.8' fill='#906327' d='M 0 0'/></svg>",
    "<style>.a { color: #906327 }</style><p>Text</p>",
    "<script>var x = 906327;</script><p>Text</p>",
    # decimals, thousands, longer numbers, dates in words
    "<p>Rate 906327.5 per 10,000; share 0.906327; £1,906,327 and 906,327 children.</p>",
    "<p>Reference 1906327 and 9063270 and 04105110 are other numbers.</p>",
    "<p>Born 5 March 2014, a meeting on 10 December 2026 (2026-12-10).</p>",
    "<p>Postcode district NM1 and sector 4QT apart; W00370 and P0011 are other codes.</p>",
    # a published figure is a number, not an identifier (within rounding of the true value)
    "<td data-figure-id='S19|Spend|2025-26'>£906,327</td><td data-figure-id='S19|Count|2025-26'>906327</td>",
])
def test_a_lookalike_number_passes(html):
    figures = {"S19|Spend|2025-26": 906327.4, "S19|Count|2025-26": 906326.6}
    assert found(html, figures) == []


def test_a_csv_value_that_is_its_figure_passes(tmp_path):
    path = tmp_path / "S19.csv"
    path.write_text("table_id,row,column,value\nS19_spend,Foster,2025-26,906327\nS19_spend,Other,2025-26,x\n")
    assert find_identifiers_in(read_csv(path), PATTERNS, "S19.csv", {"S19_spend|Foster|2025-26": 906327.2}) == []


def test_json_numbers_that_are_decimals_pass(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"rate": 906327.25, "flag": True, "none": None}))
    assert find_identifiers_in(read_json(path), PATTERNS, "m.json") == []


# --- the parts ----------------------------------------------------------------------------------

def test_tokens_are_whole_words_never_the_digits_of_a_decimal_or_grouped_number():
    assert find_tokens("L 139.867067 106.906327") == {"L"}
    assert find_tokens("1,906,327 and 906327.") >= {"906327", "AND"}
    assert "906327" not in find_tokens("1,906,327")
    assert {"2014-03-05", "05/03/2014", "NM1 4QT"} <= find_tokens("2014-03-05 05/03/2014 NM1 4QT")


def test_strip_figure_removes_only_the_number_that_is_the_figure():
    assert strip_figure("£906,327", 906327.4).strip() == ""
    assert strip_figure("45%", 44.6).strip() == ""
    assert strip_figure("682 children, child 906327", 682.0) == "  children, child 906327"
    assert strip_figure("906327", None) == "906327"


@pytest.mark.parametrize("value, searchable", [
    ("906327", True), ("12345", True), ("1234", False), ("W37", True), ("P001", True), ("ABC", False),
    ("SMITHJ", True), ("7", False),
])
def test_which_identifiers_can_be_told_from_ordinary_words(value, searchable):
    assert is_searchable_id(value) is searchable


# --- what the check looks for ------------------------------------------------------------------

def test_identifiers_are_read_from_the_validated_tables_staff_included(tmp_path):
    import pandas as pd

    from pipeline.render.publication_check import read_identifiers

    pd.DataFrame({"CHILD": ["041051", "906327", "77"], "DOB": pd.to_datetime(["2014-03-05", "2015-01-02", None]),
                  "UPN": ["A123456789012", None, "short"]}).to_parquet(tmp_path / "header.parquet")
    pd.DataFrame({"CHILD": ["041051"], "HOME_POST": ["NM1 4QT"], "PL_POST": ["NM2"]}).to_parquet(
        tmp_path / "episodes.parquet")
    pd.DataFrame({"POST_ID": ["P001", "P001", "12"], "WORKER_ID": ["W0037", None, "W0040"]}).to_parquet(
        tmp_path / "staffing.parquet")
    pd.DataFrame({"CASE_ID": ["5D94-C000001"], "WORKER_ID": ["A0004"]}).to_parquet(
        tmp_path / "permanence_tracker.parquet")
    got = read_identifiers(tmp_path)
    assert got == {"CHILD id": ["041051", "906327"], "date of birth": ["2014-03-05", "2015-01-02"],
                   "UPN": ["A123456789012"], "postcode": ["NM1 4QT"],
                   "WORKER_ID": ["A0004", "W0037", "W0040"], "POST_ID": ["P001"], "CASE_ID": ["5D94-C000001"]}


def test_without_local_files_there_are_no_staff_ids_to_look_for(tmp_path):
    import pandas as pd

    from pipeline.render.publication_check import read_identifiers

    pd.DataFrame({"CHILD": ["906327"], "DOB": pd.to_datetime(["2014-03-05"])}).to_parquet(tmp_path / "header.parquet")
    pd.DataFrame({"CHILD": ["906327"]}).to_parquet(tmp_path / "episodes.parquet")
    got = read_identifiers(tmp_path)
    assert got["WORKER_ID"] == [] and got["POST_ID"] == [] and got["CHILD id"] == ["906327"]


def test_true_figures_come_from_each_papers_restricted_true_values(tmp_path):
    from pipeline.render.publication_check import read_true_figures

    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "true_values.csv").write_text("table_id,row,column,value\nQ01,a,b,3.0\nQ01,a,c,\n")
    assert read_true_figures([tmp_path / "q", tmp_path / "missing"]) == {"Q01|a|b": 3.0}


# --- tables laid out otherwise: open data, spreadsheets, metrics ----------------------------

FIGURES = {"S19_spend|Foster|2025-26": 906327.2, "S01|All|2025-26": 45.0}


def test_an_open_data_number_that_is_a_published_figure_passes_and_any_other_is_caught(tmp_path):
    path = tmp_path / "open_data.csv"
    path.write_text("time_period,placement,spend,children\n202526,Foster,906327,45\n202526,Other,410511,x\n"
                    "202526,Child 906327,1,2\n")
    problems = find_identifiers_in(read_csv(path), PATTERNS, "open_data.csv", FIGURES)
    # 906327 in the spend column is the published S19 figure; 410511 is no figure; the label is text
    assert problems == ["open_data.csv: contains 2 CHILD id value(s) from the validated data "
                        "(CSV cell row 2 column spend; CSV cell row 3 column placement)"]


def test_a_json_number_that_is_a_published_figure_passes(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps({"spend": 906327, "other": 410511, "label": "906327"}))
    problems = find_identifiers_in(read_json(path), PATTERNS, "metrics.json", FIGURES)
    assert problems == ["metrics.json: contains 2 CHILD id value(s) from the validated data "
                        "(JSON value at /other; JSON value at /label)"]


def test_spreadsheet_cells_and_sheet_names_are_read(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from pipeline.render.readable import read_spreadsheet

    book = openpyxl.Workbook()
    book.properties.title = "Sufficiency W0037"
    sheet = book.active
    sheet.title = "Table 19"
    for row in (["Placement", "2025-26"], ["Foster", 906327], ["Other", 410511], ["Note: child W0037", None]):
        sheet.append(row)
    tidy = book.create_sheet("Sheet 906327")
    for row in (["table_id", "row", "column", "value"], ["S01", "All", "2025-26", 45], ["S01", "All", "2026-27", 906327]):
        tidy.append(row)
    path = tmp_path / "paper.xlsx"
    book.save(path)
    problems = find_identifiers_in(read_spreadsheet(path), PATTERNS, "paper.xlsx", FIGURES)
    # caught: 410511 (no figure), the sheet name, and 906327 as the tidy figure S01|All|2026-27
    # (whose true value is unknown); passed: 906327 in Table 19, which is the S19 figure
    assert problems == [
        "paper.xlsx: contains 2 CHILD id value(s) from the validated data "
        "(sheet Table 19 row 3 column 2; sheet name; sheet Sheet 906327 row 3 column 4)",
        "paper.xlsx: contains 1 WORKER_ID value(s) from the validated data "
        "(document properties; sheet Table 19 row 4 column 1)",
    ]


def test_an_ods_workbook_is_read_too(tmp_path):
    pytest.importorskip("odf")
    import pandas as pd

    from pipeline.render.readable import read_spreadsheet

    path = tmp_path / "paper.ods"
    with pd.ExcelWriter(path, engine="odf") as writer:
        pd.DataFrame({"Placement": ["Foster", "Child 906327"], "2025-26": [906327, 3]}).to_excel(
            writer, sheet_name="Table 19", index=False)
    problems = find_identifiers_in(read_spreadsheet(path), PATTERNS, "paper.ods", FIGURES)
    assert problems == ["paper.ods: contains 1 CHILD id value(s) from the validated data "
                        "(sheet Table 19 row 3 column 1)"]
