"""The PDF is tagged PDF/UA-1: read back its structure tree and fail on what a screen reader
would miss (tags, language, title, headings, table header cells, alternate text)."""

import pytest

from pipeline.render.convert import html_to_pdf
from pipeline.render.pdf_structure import find_accessibility_gaps, read_pdf_structure

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{alt}" width="120" height="40">'
       '{title}<rect x="0" y="0" width="60" height="20" fill="#0072B2"/></svg>')


def build_html(*, lang: str = ' lang="en"', title: str = "Exits paper", table: str = "", figure_title: str = "<title>Bar chart: exits 5 and 7</title>",
               heading: str = "<h2>Exits</h2>") -> str:
    table = table or ('<table><caption>Exits by quarter</caption><thead><tr><th scope="col">Route</th>'
                      '<th scope="col">Q1</th><th scope="col">Q2</th></tr></thead><tbody>'
                      '<tr><th scope="row">Adoption</th><td>5</td><td>7</td></tr>'
                      '<tr><th scope="row">SGO</th><td>6</td><td>x</td></tr></tbody></table>')
    return (f"<!DOCTYPE html><html{lang}><head><meta charset='utf-8'><title>{title}</title></head><body><main>"
            f"<h1>Paper</h1>{heading}<p>Some text.</p>{table}"
            f"<figure>{SVG.format(alt='Bar chart: exits', title=figure_title)}<figcaption>Figure 1</figcaption></figure>"
            "</main></body></html>")


@pytest.fixture(scope="module")
def good_pdf() -> bytes:
    return html_to_pdf(build_html())


def test_the_paper_pdf_is_tagged_with_headings_table_headers_and_alt_text(good_pdf):
    s = read_pdf_structure(good_pdf)
    assert s.tagged and s.language == "en" and s.title == "Exits paper" and s.shows_title
    assert s.pdfua_part == "1"
    assert s.tags["/H1"] == 1 and s.tags["/H2"] == 1 and s.tags["/Caption"] >= 1
    # 3 column headers + 2 row headers; 4 data cells, each linked to its row and column header
    assert s.tables == ((5, 4, 4),)
    assert s.figure_alts == ("Bar chart: exits 5 and 7",)
    assert find_accessibility_gaps(good_pdf, "paper.pdf") == []


def test_the_pdf_is_byte_reproducible(good_pdf):
    assert html_to_pdf(build_html()) == good_pdf


def test_an_untagged_pdf_is_refused():
    from weasyprint import HTML

    untagged = HTML(string=build_html()).write_pdf()
    assert read_pdf_structure(untagged).tagged is False
    assert find_accessibility_gaps(untagged, "paper.pdf") == [
        "paper.pdf: the PDF is not tagged (no structure tree): a screen reader cannot find its headings "
        "or read its tables"]


def test_a_figure_without_alternate_text_is_a_gap():
    pdf = html_to_pdf(build_html(figure_title=""))
    assert find_accessibility_gaps(pdf, "paper.pdf") == ["paper.pdf: figure(s) 1 have no alternate text"]


def test_a_table_without_header_cells_is_a_gap():
    table = "<table><tr><td>Adoption</td><td>5</td></tr><tr><td>SGO</td><td>6</td></tr></table>"
    pdf = html_to_pdf(build_html(table=table))
    assert find_accessibility_gaps(pdf, "paper.pdf") == ["paper.pdf: table 1 has no header cells (TH)"]


def test_a_table_whose_data_cells_have_no_header_is_a_gap():
    # a header row over the first column only: the second column's data cells have no header
    table = ("<table><tr><th scope='col'>Route</th></tr><tr><td>Adoption</td><td>5</td></tr></table>")
    pdf = html_to_pdf(build_html(table=table))
    assert find_accessibility_gaps(pdf, "paper.pdf") == [
        "paper.pdf: table 1: 1 of 2 data cells are not linked to a header cell"]


def test_missing_language_title_and_headings_are_gaps():
    pdf = html_to_pdf(build_html(lang="", title="", heading="").replace("<h1>Paper</h1>", ""))
    assert find_accessibility_gaps(pdf, "p.pdf") == [
        "p.pdf: the PDF does not say its language (/Lang)",
        "p.pdf: the PDF has no document title shown in the title bar",
        "p.pdf: the PDF has no heading tags",
    ]
