"""Render executed paper notebooks to the committee HTML (no code), the reviewer HTML (with
code) and the A4 PDF.

    python -m pipeline render [quarterly] [sufficiency]

Reads data/processed/restricted/<period>/<paper>/<notebook>.ipynb (written by `paper`) and
writes reports/<period>/<notebook>.html, <notebook>.pdf and <notebook>-reviewer.html.
Deterministic: the same executed notebook gives byte-identical files.
"""

from __future__ import annotations

import argparse
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


def run(args: argparse.Namespace, params: Params) -> int:
    import nbformat

    from pipeline.render.convert import export_committee_html, export_reviewer_html, html_to_pdf

    for paper in args.papers or PAPERS:
        if paper not in PAPERS:
            raise PipelineError(f"unknown paper {paper!r} (choose from {', '.join(PAPERS)})")
        files = outputs(params, paper)
        if not files["notebook"].exists():
            raise PipelineError(f"{files['notebook']}: no executed notebook (run: python -m pipeline paper {paper})")
        nb = nbformat.read(files["notebook"], as_version=4)
        html = export_committee_html(nb)
        files["html"].parent.mkdir(parents=True, exist_ok=True)
        files["html"].write_text(html, encoding="utf-8")
        files["reviewer"].write_text(export_reviewer_html(nb), encoding="utf-8")
        files["pdf"].write_bytes(html_to_pdf(html))
        root = params.paths.root
        for key in ("html", "pdf", "reviewer"):
            print(f"{paper}: {files[key].resolve().relative_to(root.resolve()) if files[key].resolve().is_relative_to(root.resolve()) else files[key]}")
    return 0
