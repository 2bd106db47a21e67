"""Open a committee paper in Debian's headless Chromium: no console errors, every table and
chart present, no WCAG 2.2 A/AA violation found by axe-core; the screenshot is kept under
test-artifacts/. (The demo papers themselves go through axe in tests/end_to_end.)"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pipeline.render.convert import export_committee_html
from pipeline.render.published import publish_paper
from pipeline.render.view import PaperView
from pipeline.tables import Paper, PublishedTable
from tests.browser.axe import AXE, describe_violations, run_axe

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-component-update", "--disable-sync"]
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed "
                                 "(make test installs it with scripts/bootstrap-system.sh --with-browser)")]


def build_paper_html() -> str:
    values = pd.DataFrame({"2024-25": [120, 4, 124], "2025-26": [131, 15, 146]}, index=["Fostering", "Secure", "Total"])
    t = PublishedTable("S1", "Children in care by placement", "Placement", "Year", values, row_total="Total")
    pub = publish_paper(Paper("p", tables=[t]), {"S1": {("Secure", "2024-25"), ("Secure", "2025-26"),
                                                        ("Fostering", "2024-25"), ("Fostering", "2025-26")}})
    view = PaperView(pub)
    outputs = [view.table("S1"), view.trend("S1", ["Total"], "Children in care", "Children")]
    nb = new_notebook()
    nb.metadata["committee_paper"] = {"title": "Browser test paper", "committee": "Corporate Parenting Committee",
                                      "item": 10, "meeting_date_text": "10 December 2026"}
    nb.cells = [new_markdown_cell("## Purpose\n\nA paper.")] + [
        new_code_cell("x", outputs=[new_output("display_data", data={"text/html": o._repr_html_()})]) for o in outputs]
    return export_committee_html(nb)


def test_paper_opens_without_errors_with_every_table_and_chart(tmp_path):
    page = tmp_path / "paper.html"
    page.write_text(build_paper_html(), encoding="utf-8")
    artefacts = ROOT / "test-artifacts"
    artefacts.mkdir(exist_ok=True)
    common = [str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*common, "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Failed to load resource" in line]
    assert console == []
    assert len(re.findall(r'<figure class="paper-table"', dom.stdout)) == 1
    assert len(re.findall(r'<figure class="paper-chart"', dom.stdout)) == 1
    assert dom.stdout.count("<svg") == 1 and 'role="img"' in dom.stdout
    assert len(re.findall(r"data-figure-id=", dom.stdout)) == 6
    shot = artefacts / "committee-paper.png"
    done = subprocess.run([*common, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and shot.exists() and shot.stat().st_size > 10_000


needs_axe = pytest.mark.skipif(not AXE.exists(), reason=f"{AXE.relative_to(ROOT)} is not installed "
                               "(make test installs it with scripts/bootstrap-system.sh --with-browser)")


@needs_axe
def test_axe_finds_no_wcag_violation_in_the_committee_paper(tmp_path):
    results = run_axe(build_paper_html(), tmp_path)
    assert describe_violations(results) == []
    assert results["passes"] >= 10  # axe really ran its rules on the page


@needs_axe
def test_axe_finds_a_planted_violation(tmp_path):
    # grey text on white below 4.5:1, and an image with no text alternative
    html = build_paper_html().replace(
        "</main>", '<p style="color:#aaaaaa">Faint</p><svg role="img" width="10" height="10"></svg></main>', 1)
    found = {v["id"] for v in run_axe(html, tmp_path)["violations"]}
    assert found == {"color-contrast", "svg-img-alt"}
