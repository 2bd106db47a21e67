"""What a screen reader finds in a PDF: its structure tree (tags), read back with pypdf.

`find_accessibility_gaps` lists what a tagged PDF/UA-1 paper must have and this one lacks:
the tags themselves, the document's language and title, headings, header cells in every
table (linked to the data cells), alternate text on every figure, and the PDF/UA
identification. The publication check refuses a PDF with any gap.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PdfStructure:
    """The parts of a PDF's structure tree that matter to a screen-reader user."""

    tagged: bool
    language: str
    title: str
    shows_title: bool
    pdfua_part: str
    tags: Counter = field(default_factory=Counter)
    tables: tuple[tuple[int, int, int], ...] = ()  # per table: header cells, data cells, data cells linked to headers
    figure_alts: tuple[str, ...] = ()


def _kids(element: Any) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    kids = kids if isinstance(kids, list) else [kids]
    out = []
    for kid in kids:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict) and "/S" in kid:
            out.append(kid)
    return out


def _walk(element: Any) -> list[Any]:
    """Every structure element under `element`, depth first (iterative: trees are deep)."""
    found, stack = [], [element]
    while stack:
        el = stack.pop()
        found.append(el)
        stack.extend(reversed(_kids(el)))
    return found


def _count_cells(table: Any) -> tuple[int, int, int]:
    elements = _walk(table)
    heads = sum(1 for e in elements if e.get("/S") == "/TH")
    cells = [e for e in elements if e.get("/S") == "/TD"]
    linked = sum(1 for e in cells if len(e.get("/A", {}).get("/Headers", [])) > 0)
    return heads, len(cells), linked


def read_pdf_structure(pdf: bytes) -> PdfStructure:
    """The structure tree, language, title and PDF/UA part of a PDF (given as bytes)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    tree = root.get("/StructTreeRoot")
    marked = bool(root.get("/MarkInfo", {}).get("/Marked", False))
    info = reader.metadata or {}
    xmp = reader.xmp_metadata
    part = ""
    if xmp is not None:
        raw = xmp.stream.get_data().decode("utf-8", "replace")
        for attr in ("pdfuaid:part=\"", "<pdfuaid:part>"):
            if attr in raw:
                part = raw.split(attr, 1)[1][:1]
    elements = _walk(tree.get_object()) if tree is not None else []
    tags = Counter(str(e.get("/S")) for e in elements if "/S" in e)
    tables = tuple(_count_cells(e) for e in elements if e.get("/S") == "/Table")
    alts = tuple(str(e.get("/Alt", "")) for e in elements if e.get("/S") == "/Figure")
    return PdfStructure(
        tagged=tree is not None and marked,
        language=str(root.get("/Lang", "")),
        title=str(info.get("/Title", "") or ""),
        shows_title=bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)),
        pdfua_part=part,
        tags=tags,
        tables=tables,
        figure_alts=alts,
    )


def find_accessibility_gaps(pdf: bytes, where: str) -> list[str]:
    """What the PDF lacks to be read by a screen reader (empty when nothing), each naming `where`."""
    s = read_pdf_structure(pdf)
    if not s.tagged:
        return [f"{where}: the PDF is not tagged (no structure tree): a screen reader cannot find its "
                "headings or read its tables"]
    gaps = []
    if not s.language.strip():
        gaps.append(f"{where}: the PDF does not say its language (/Lang)")
    if not s.title.strip() or not s.shows_title:
        gaps.append(f"{where}: the PDF has no document title shown in the title bar")
    if s.pdfua_part != "1":
        gaps.append(f"{where}: the PDF does not identify itself as PDF/UA-1 (pdfuaid:part)")
    if not any(s.tags[f"/H{n}"] for n in range(1, 7)):
        gaps.append(f"{where}: the PDF has no heading tags")
    for i, (heads, cells, linked) in enumerate(s.tables, start=1):
        if heads == 0:
            gaps.append(f"{where}: table {i} has no header cells (TH)")
        elif linked < cells:
            gaps.append(f"{where}: table {i}: {cells - linked} of {cells} data cells are not linked to a header cell")
    missing = [i for i, alt in enumerate(s.figure_alts, start=1) if not alt.strip()]
    if missing:
        gaps.append(f"{where}: figure(s) {', '.join(map(str, missing))} have no alternate text")
    return gaps
