"""Injection-safe outputs: formula cells neutralised (OWASP), parameters escaped in the HTML."""

import subprocess

import pandas as pd
import pytest

from pipeline.safe_text import neutralise_cell, neutralise_frame, restore_cell, restore_frame


@pytest.mark.parametrize("text, safe", [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("'=already quoted", "''=already quoted"),
    ("Northmoor", "Northmoor"),
    ("-5", "-5"),  # numbers are not text
    ("+1.5", "+1.5"),
    ("x", "x"),
    ("", ""),
    ("a=b", "a=b"),
    ("'quoted text", "'quoted text"),
])
def test_neutralise_cell_and_its_exact_inverse(text, safe):
    assert neutralise_cell(text) == safe
    assert restore_cell(safe) == text


def test_non_text_cells_are_left_alone():
    assert neutralise_cell(12) == 12 and neutralise_cell(None) is None


def test_neutralise_frame_does_not_change_its_input():
    frame = pd.DataFrame({"table_id": ["T1", "T1"], "row": ["=cmd()", "North"], "column": ["@x", "Q2"],
                          "value": ["-3", "x"]})
    before = frame.copy()
    out = neutralise_frame(frame)
    assert out.to_dict("list") == {"table_id": ["T1", "T1"], "row": ["'=cmd()", "North"], "column": ["'@x", "Q2"],
                                   "value": ["-3", "x"]}
    pd.testing.assert_frame_equal(frame, before)
    pd.testing.assert_frame_equal(restore_frame(out), before)


def test_published_csv_holds_no_formula_and_reads_back(tmp_path):
    from pipeline.render import io as rio
    from pipeline.render.check import find_formula_cells

    frame = pd.DataFrame({"table_id": ["T1"], "row": ["=1+1"], "column": ["+A"], "value": ["5"]})
    path = tmp_path / "t.csv"
    rio.write_csv(path, neutralise_frame(frame))
    assert path.read_text().splitlines()[1] == "T1,'=1+1,'+A,5"
    written = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert find_formula_cells(written, "t.csv") == []
    assert rio.read_tidy_csv(path).to_dict("list") == frame.to_dict("list")
    assert find_formula_cells(frame, "raw.csv") == ["raw.csv: row 1 column row starts a spreadsheet formula ('=1+1')",
                                                    "raw.csv: row 1 column column starts a spreadsheet formula ('+A')"]


def test_committee_parameter_cannot_close_the_style_block():
    from pipeline.render.convert import export_committee_html
    from tests.unit.render.test_convert import build_notebook

    nb = build_notebook()
    evil = '</style><script>alert(1)</script>"; } body { display: none'
    nb.metadata["committee_paper"]["committee"] = evil
    nb.metadata["committee_paper"]["footer"] = evil
    html = export_committee_html(nb)
    assert "<script" not in html.lower()
    style = html.split("<style", 1)[1].split("</style>", 1)[0]
    assert "alert" not in style and "display: none\n" not in style
    assert "&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_pdf_footer_still_prints_the_escaped_text(tmp_path):
    from pipeline.render.convert import export_committee_html, html_to_pdf
    from tests.unit.render.test_convert import build_notebook

    nb = build_notebook()
    nb.metadata["committee_paper"]["footer"] = "Northmoor · Panel <b>&</b> · 10 December 2026"
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(html_to_pdf(export_committee_html(nb)))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Northmoor · Panel <b>&</b> · 10 December 2026" in text
