from pipeline.render.check import (
    build_identifier_patterns,
    check_html_figures,
    check_tidy_csv,
    find_html_figures,
    find_identifiers,
    find_small_counts,
    find_unlabelled_numbers,
)
from pipeline.render.formatting import render_table_html
from pipeline.render.published import SHOWN, publish_paper
from pipeline.render.writers import build_published_csvs


def test_a_properly_protected_paper_passes(published):
    assert find_small_counts(published) == []
    html = render_table_html(published.table("T1_exits"), 1)
    assert check_html_figures(find_html_figures(html), published) == []


def test_a_planted_small_number_fails_everywhere(paper, published):
    leaky = publish_paper(paper, {"T1_exits": set(), "T1p_share": set()})
    problems = find_small_counts(leaky)
    assert problems == ["T1_exits|Special guardianship order|Q1: count 8 is below the threshold 10 but is published",
                        "T1_exits|Placed with parents|Q1: count 3 is below the threshold 10 but is published"]
    frame = build_published_csvs(leaky)["T1_exits.csv"]
    assert len(check_tidy_csv(frame, {"id": "T1_exits", "protected": True}, 10, "x")) == 2
    # the HTML of the leaky table printed where the protected paper hides the figure
    html = render_table_html(leaky.table("T1_exits"), 1)
    problems = check_html_figures(find_html_figures(html), published)
    assert "T1_exits|Placed with parents|Q1: table cell shows '3' but the published figure is 'x'" in problems


def test_a_hidden_cell_reads_suppressed_but_a_number_in_screen_reader_text_fails(published):
    cell = ('<td class="num suppressed" data-figure-id="T1_exits|Placed with parents|Q1">'
            '<span aria-hidden="true">x</span><span class="visually-hidden">{}</span></td>')
    assert check_html_figures(find_html_figures(cell.format("suppressed")), published) == []
    assert check_html_figures(find_html_figures(cell.format("3")), published) == [
        "T1_exits|Placed with parents|Q1: table cell shows 'x 3' but the published figure is 'x'"]


def test_a_number_in_narrative_about_a_hidden_figure_fails(published):
    html = '<p><span data-figure-id="T1_exits|Placed with parents|Q1">3 children</span></p>'
    assert check_html_figures(find_html_figures(html), published) == [
        "T1_exits|Placed with parents|Q1: the narrative prints 3 for a suppressed figure"]
    ok = '<p><span data-figure-id="T1_exits|Placed with parents|Q1">fewer than 10 children</span></p>'
    assert check_html_figures(find_html_figures(ok), published) == []


def test_unprotected_tables_may_show_small_values():
    import pandas as pd

    frame = pd.DataFrame({"table_id": ["S"], "row": ["a"], "column": ["FTE"], "value": ["2.5"]})
    assert check_tidy_csv(frame, {"id": "S", "protected": False}, 10, "x") == []


def test_planted_identifiers_are_found_without_repeating_them():
    patterns = build_identifier_patterns({"CHILD id": ["C100234"], "postcode": ["NM1 4QT"],
                                          "date of birth": ["2014-03-05"], "UPN": ["A123456789012"]})
    text = "Children: 12. Child C100234 lives at nm14qt, born 05/03/2014; UPN A123456789012."
    problems = find_identifiers(text, patterns, "paper.html")
    assert problems == ["paper.html: contains 1 CHILD id value(s) from the validated data",
                        "paper.html: contains 1 postcode value(s) from the validated data",
                        "paper.html: contains 1 date of birth value(s) from the validated data",
                        "paper.html: contains 1 UPN value(s) from the validated data"]
    assert all("C100234" not in p for p in problems)
    assert find_identifiers("Children: 12. NM1 in 2014", patterns, "x") == []


def test_the_pdf_may_not_print_numbers_the_html_does_not():
    assert find_unlabelled_numbers("Table 1 12 27 Page 1 of 3", "Table 1 12 27") == []
    assert find_unlabelled_numbers("Table 1 12 3 Page 2 of 3", "Table 1 12 x") == [
        "the PDF prints '3', which the checked HTML does not print"]


def test_status_constant_is_shared():
    assert SHOWN == "shown"


def test_numbers_are_read_whole_and_zero_may_be_written_as_no(published, paper):
    from pipeline.render.check import NUMBER

    assert NUMBER.findall("at 22, then 1,234 and 12.5, and 2026-27") == ["22", "1,234", "12.5", "2026", "27"]
    paper.tables[0].values.loc["Placed with parents", "Q2"] = 0
    pub = publish_paper(paper, {"T1_exits": set(), "T1p_share": set()})
    html = '<span data-figure-id="T1_exits|Placed with parents|Q2">no children</span>'
    assert check_html_figures(find_html_figures(html), pub) == []


def test_the_publication_check_reads_the_spreadsheets_and_open_data_back(published, tmp_path):
    from pipeline.render import io as rio
    from pipeline.render.publication_check import check_downloads, scan_public_files

    meta = {"title": "Exits", "la_code": "990", "new_la_code": "E99999999", "la_name": "Northmoor",
            "period": "2026-27 Q2", "sufficiency_year": "2025-26"}
    where = {"spreadsheet": tmp_path / "paper.ods", "open_data": tmp_path / "open_data" / "test"}
    rio.write_downloads(where["spreadsheet"], where["open_data"], published, meta)
    patterns = build_identifier_patterns({"CHILD id": ["C123456"], "date of birth": [], "UPN": [], "postcode": []})
    problems, checked = check_downloads(where, published, lambda p: p.relative_to(tmp_path).as_posix())
    assert problems == [] and len(checked) == 2 + 4
    assert scan_public_files(tmp_path, patterns, {}, tmp_path)[0] == []
    # a withheld figure leaked into the open data, a CHILD id into the XLSX, the ODS deleted
    csv = where["open_data"] / "t1_exits.csv"
    csv.write_text(csv.read_text().replace("Placed with parents,Q1,c", "Placed with parents,Q1,3"))
    from pipeline.render.spreadsheet import build_workbook, write_xlsx

    sheets = build_workbook(published, {**meta, "author": "C123456"})
    (tmp_path / "paper.xlsx").write_bytes(write_xlsx(sheets, "Exits", "x"))
    (tmp_path / "paper.ods").unlink()
    problems, _ = check_downloads(where, published, lambda p: p.relative_to(tmp_path).as_posix())
    assert problems[0] == "paper.ods is missing (run: python -m pipeline paper test)"
    assert ("open_data/test/t1_exits.csv row 3: T1_exits|Placed with parents|Q1 is withheld in the paper but the "
            "open data gives '3'") in problems
    assert len(problems) == 2
    # the identifier in the XLSX is found by the scan of every public file
    found = scan_public_files(tmp_path, patterns, {}, tmp_path)[0]
    assert len(found) == 1 and found[0].startswith("paper.xlsx: contains 1 CHILD id value(s)")
