"""Render executed paper notebooks to the committee HTML (no code), the reviewer HTML (with
code) and the A4 PDF.

    python -m pipeline render [quarterly] [sufficiency]

Reads data/processed/restricted/<period>/<paper>/<notebook>.ipynb (written by `paper`) and
writes reports/<period>/<notebook>.html, <notebook>.pdf and <notebook>-reviewer.html.
Deterministic: the same executed notebook gives byte-identical files.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipeline.config import Params
from pipeline.errors import PipelineError

PAPERS = ("quarterly", "sufficiency")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("papers", nargs="*", metavar="PAPER",
                        help="quarterly and/or sufficiency (default: both)")


def outputs(params: Params, paper: str) -> dict[str, Path]:
    """The executed notebook this command reads and the three files it writes for `paper`."""
    from pipeline.papers.assemble import PAPER_KINDS

    name = PAPER_KINDS[paper].notebook
    slug = params.period.slug
    out = params.paths.report_dir(slug)
    return {
        "notebook": params.paths.restricted_dir(slug) / paper / f"{name}.ipynb",
        "html": out / f"{name}.html",
        "pdf": out / f"{name}.pdf",
        "reviewer": out / f"{name}-reviewer.html",
    }


def render_paper(params: Params, paper: str) -> list[str]:
    """Write one paper's committee HTML, reviewer HTML and PDF; return the paths written."""
    import nbformat

    from pipeline.render.convert import export_committee_html, export_reviewer_html, html_to_pdf

    files = outputs(params, paper)
    nb = nbformat.read(files["notebook"], as_version=4)
    html = export_committee_html(nb)
    files["html"].parent.mkdir(parents=True, exist_ok=True)
    files["html"].write_text(html, encoding="utf-8")
    files["reviewer"].write_text(export_reviewer_html(nb), encoding="utf-8")
    files["pdf"].write_bytes(html_to_pdf(html))
    root = params.paths.root.resolve()
    return [str(f.resolve().relative_to(root) if f.resolve().is_relative_to(root) else f)
            for f in (files["html"], files["pdf"], files["reviewer"])]


def run(args: argparse.Namespace, params: Params) -> int:
    papers = list(dict.fromkeys(args.papers or PAPERS))
    for paper in papers:
        if paper not in PAPERS:
            raise PipelineError(f"unknown paper {paper!r} (choose from {', '.join(PAPERS)})")
        notebook = outputs(params, paper)["notebook"]
        if not notebook.exists():
            raise PipelineError(f"{notebook}: no executed notebook (run: python -m pipeline paper {paper})")
    import nbformat  # noqa: F401  (imported once, before the worker is forked)

    from pipeline.render import convert  # noqa: F401

    workers = min(len(papers), os.cpu_count() or 1)
    if workers > 1:
        # The papers are independent and WeasyPrint is single-threaded: one process each.
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            written = list(pool.map(render_paper, [params] * len(papers), papers))
    else:
        written = [render_paper(params, paper) for paper in papers]
    for paper, paths in zip(papers, written, strict=True):
        for path in paths:
            print(f"{paper}: {path}")
    return 0
