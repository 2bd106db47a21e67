"""The nbconvert templates and the PDF: no code, nothing from the network, deterministic."""

import shutil
import subprocess

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pipeline.render.convert import (
    export_committee_html,
    export_reviewer_html,
    html_to_pdf,
    strip_volatile_metadata,
)
from pipeline.render.publication_check import find_remote_resources


def build_notebook():
    nb = new_notebook()
    nb.metadata["committee_paper"] = {"title": "Test paper", "committee": "Corporate Parenting Committee",
                                      "meeting_date_text": "10 December 2026", "item": 10, "sponsor": "Director",
                                      "author": "Team Manager", "la_name": "Northmoor", "footer": "Northmoor",
                                      "document_date": "2026-12-10T00:00:00Z"}
    nb.metadata["papermill"] = {"start_time": "2026-11-25T03:00:00", "duration": 1.5, "parameters": {"a": 1}}
    nb.cells = [
        new_markdown_cell("## Purpose\n\nThe first paragraph.\n\nThe second paragraph."),
        new_code_cell("secret_code()", outputs=[
            new_output("stream", name="stderr", text="a warning nobody should read"),
            new_output("display_data", data={"text/html": '<div class="narrative"><p>Generated sentence.</p></div>',
                                             "text/plain": "<Prose>"}),
        ], metadata={"papermill": {"duration": 0.1}, "execution": {"iopub.status.busy": "2026-11-25T03:00:01"}}),
        new_markdown_cell("## Appendix A: Data quality\n\nNot numbered."),
    ]
    return nb


def test_volatile_metadata_is_stripped():
    nb = strip_volatile_metadata(build_notebook())
    assert nb.metadata["papermill"] == {"parameters": {"a": 1}}
    assert "papermill" not in nb.cells[1].metadata and "execution" not in nb.cells[1].metadata
    assert [c["id"] for c in nb.cells] == ["cell-000", "cell-001", "cell-002"]


def test_committee_edition_has_no_code_no_cdn_and_numbered_paragraphs():
    html = export_committee_html(build_notebook())
    assert "secret_code" not in html and "a warning nobody should read" not in html
    assert find_remote_resources(html, "paper") == []
    assert "mathjax" not in html.lower() and "require.js" not in html.lower()
    assert '<span class="sec-no">1</span>Purpose' in html
    assert '<span class="para-no">1.1</span>The first paragraph.' in html
    assert '<span class="para-no">1.3</span>Generated sentence.' in html
    assert "Not numbered." in html and '<span class="para-no">1.4</span>' not in html
    assert "ITEM 10" in html and "Corporate Parenting Committee" in html
    assert html == export_committee_html(build_notebook())


def test_reviewer_edition_shows_the_code_offline():
    html = export_reviewer_html(build_notebook())
    assert "secret_code" in html and "Reviewer edition" in html
    assert find_remote_resources(html, "reviewer") == []
    assert "start_time" not in html


def test_a_remote_script_or_font_is_found():
    assert find_remote_resources('<script src="https://cdn.example/x.js"></script>', "p")
    assert find_remote_resources('<style>@import url("https://fonts.example/css");</style>', "p")
    assert find_remote_resources('<link rel="stylesheet" href="//cdn.example/a.css">', "p")
    assert not find_remote_resources('<a href="https://www.gov.uk">GOV.UK</a>', "p")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_is_a4_numbered_and_byte_identical(tmp_path):
    html = export_committee_html(build_notebook())
    one, two = html_to_pdf(html), html_to_pdf(html)
    assert one == two and one.startswith(b"%PDF")
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(one)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Page 1 of 1" in text and "1.1" in text and "secret_code" not in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.28 x 841.89 pts (A4)" in info or "A4" in info


def test_notebook_files_round_trip():
    nb = build_notebook()
    assert nbformat.validate(strip_volatile_metadata(nb)) is None


def test_weasyprint_warnings_about_svg_paint_are_dropped_and_others_kept():
    import logging

    from pipeline.render.convert import SvgPaintNoise

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("weasyprint", logging.WARNING, "x", 1, message, None, None)

    noise = SvgPaintNoise()
    for dropped in ("Ignored `stroke: #000000` at 1:1, unknown property.",
                    "Ignored `stroke-linecap: square` at 1:49, unknown property.",
                    "Ignored `fill-opacity: 0.5` at 2:3, unknown property."):
        assert not noise.filter(record(dropped)), dropped
    for kept in ("Ignored `clip: rect(0 0 0 0)` at 91:21, invalid value.",
                 "Ignored `colour: red` at 1:1, unknown property.",
                 "Ignored `stroke: #000` at 1:1, invalid value.",
                 "Failed to load image at 'x.png'"):
        assert noise.filter(record(kept)), kept


def test_a_chart_with_svg_paint_styles_renders_without_warnings(caplog):
    import logging

    from pipeline.render.convert import html_to_pdf

    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" role="img"><title>line</title>'
           '<path d="M 0 10 L 40 10" style="fill: none; stroke: #12436d; stroke-width: 2"/></svg>')
    html = f'<!doctype html><html lang="en"><head><title>t</title></head><body><h1>t</h1><figure>{svg}</figure></body></html>'
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF")
    assert [r.getMessage() for r in caplog.records if "unknown property" in r.getMessage()] == []
    assert logging.getLogger("weasyprint").filters == []  # the filter is only there while rendering
