"""Executed notebooks to the committee HTML (no code), the reviewer HTML (with code) and the
A4 PDF. In-memory transformations only: the ``render`` command reads and writes the files.

Deterministic: volatile notebook metadata (papermill timestamps, durations, paths, cell
timings) is stripped before conversion, and the PDF's dates come from the paper's metadata.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).parent / "templates"
KEEP_MIME = ("text/html", "image/svg+xml", "text/markdown")


def strip_volatile_metadata(nb: Any) -> Any:
    """A copy of the notebook without anything that changes between identical runs."""
    nb = copy.deepcopy(nb)
    pm = nb.metadata.get("papermill")
    if pm is not None:
        nb.metadata["papermill"] = {k: v for k, v in pm.items()
                                    if k not in ("start_time", "end_time", "duration", "input_path",
                                                 "output_path", "environment_variables", "exception")}
    nb.metadata.pop("widgets", None)
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        cell["id"] = f"cell-{i:03d}"  # jupytext and papermill give random ids
    nb.nbformat, nb.nbformat_minor = 4, max(nb.get("nbformat_minor", 5), 5)
    return nb


def keep_paper_outputs(nb: Any) -> Any:
    """A copy keeping only the outputs meant for the committee: HTML, SVG and markdown
    displays (no printed text, warnings or plain reprs)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") in ("display_data", "execute_result"):
                data = {k: v for k, v in out.get("data", {}).items() if k in KEEP_MIME}
                if data:
                    out = copy.deepcopy(out)
                    out["data"] = data
                    kept.append(out)
        cell["outputs"] = kept
    return nb


def _exporter(template: str, exclude_input: bool):
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=template,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=exclude_input,
        exclude_input_prompt=exclude_input,
        exclude_output_prompt=exclude_input,
        embed_images=True,
        anchor_link_text="",
    )


def export_committee_html(nb: Any) -> str:
    """The committee edition: no code, no prompts, only the paper's displays."""
    body, _ = _exporter("committee", exclude_input=True).from_notebook_node(
        keep_paper_outputs(strip_volatile_metadata(nb)), resources={"metadata": {"name": "paper"}})
    return finish_committee_html(body)


def export_reviewer_html(nb: Any) -> str:
    """The reviewer edition: the executed notebook with its code."""
    body, _ = _exporter("reviewer", exclude_input=False).from_notebook_node(
        strip_volatile_metadata(nb), resources={"metadata": {"name": "notebook"}})
    return body


def finish_committee_html(html: str) -> str:
    """Number sections (1, 2, ...) and their paragraphs (4.1, 4.2, ...) as in council papers,
    drop heading anchors and empty notebook cells. Headings starting 'Appendix' are not
    numbered, nor are the paragraphs under them."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for a in soup.select("a.anchor-link"):
        a.decompose()
    for cell in soup.select("main .jp-Cell"):
        if not cell.get_text(strip=True) and not cell.find(["svg", "img", "table", "figure"]):
            cell.decompose()
    section, para = 0, 0
    numbering = False
    for el in soup.select("main h2, main .jp-RenderedMarkdown > p, main .narrative > p"):
        if el.name == "h2":
            title = el.get_text(" ", strip=True)
            numbering = not title.lower().startswith("appendix")
            if numbering:
                section, para = section + 1, 0
                no = soup.new_tag("span", attrs={"class": "sec-no"})
                no.string = f"{section}"
                el.insert(0, no)
            continue
        if not numbering or section == 0:
            continue
        para += 1
        no = soup.new_tag("span", attrs={"class": "para-no"})
        no.string = f"{section}.{para}"
        el.insert(0, no)
        el["class"] = [*el.get("class", []), "numbered"]
    text = str(soup)
    return re.sub(r"\n{3,}", "\n\n", text)


PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str) -> bytes:
    """The A4 PDF of the committee HTML (WeasyPrint: print CSS, page numbers, no JavaScript),
    tagged PDF/UA-1: a structure tree of headings, paragraphs, lists, tables (header cells
    linked to their data cells) and figures (the chart's SVG title as alternate text), with
    the document's title shown and its language set. Nothing is fetched: the HTML is
    self-contained and relative URLs are refused."""
    import logging

    from weasyprint import HTML

    def no_fetch(url: str, *args, **kwargs):
        raise ValueError(f"the paper must be self-contained; refusing to fetch {url}")

    noise, log = SvgPaintNoise(), logging.getLogger("weasyprint")
    log.addFilter(noise)
    try:
        return HTML(string=html, base_url=None, url_fetcher=no_fetch).write_pdf(pdf_variant=PDF_VARIANT)
    finally:
        log.removeFilter(noise)


_SVG_PAINT = re.compile(r"Ignored `(fill|fill-opacity|stroke|stroke-[a-z]+): [^`]*` at \d+:\d+, unknown property\.")


class SvgPaintNoise:
    """A logging filter for WeasyPrint's warning about each SVG paint property in a chart's
    ``style`` attribute (fill, stroke...): its CSS parser does not know them, its SVG renderer
    draws them. About a thousand such lines per demo run hid every other warning."""

    def filter(self, record) -> bool:
        return not _SVG_PAINT.fullmatch(record.getMessage())
