"""The render stage: executed paper notebooks to the committee HTML, the reviewer HTML and
the A4 PDF in the staging folder, then their record (written last). What it reads, writes and
refuses (the command's help): pipeline/commands/render.py.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from pipeline.config import Params
from pipeline.errors import PipelineError
from pipeline.render.locations import outputs

PAPERS = ("quarterly", "sufficiency")


def render_paper(params: Params, paper: str) -> list[str]:
    """Write one paper's committee HTML, reviewer HTML and PDF; return the paths written."""
    import nbformat

    from pipeline.publish import render_record_path, write_bytes_atomic, write_render_record
    from pipeline.render.convert import export_committee_html, export_reviewer_html, html_to_pdf

    files = outputs(params, paper)
    render_record_path(params, paper).unlink(missing_ok=True)
    nb = nbformat.read(files["notebook"], as_version=4)
    html = export_committee_html(nb)
    reviewer = export_reviewer_html(nb)
    pdf = html_to_pdf(html)
    write_bytes_atomic(files["html"], html.encode("utf-8"))
    write_bytes_atomic(files["reviewer"], reviewer.encode("utf-8"))
    write_bytes_atomic(files["pdf"], pdf)
    write_render_record(params, paper, files["notebook"])
    root = params.paths.root.resolve()
    return [str(f.resolve().relative_to(root) if f.resolve().is_relative_to(root) else f)
            for f in (files["html"], files["pdf"], files["reviewer"])]


def run_render(params: Params, papers: list[str]) -> int:
    """Render each of `papers` (checked current first), one process each."""
    from pipeline.freshness import require_current
    from pipeline.publish import notebook_problems

    for paper in papers:
        if paper not in PAPERS:
            raise PipelineError(f"unknown paper {paper!r} (choose from {', '.join(PAPERS)})")
        notebook = outputs(params, paper)["notebook"]
        if not notebook.exists():
            raise PipelineError(f"{notebook}: no executed notebook (run: python -m pipeline paper {paper})")
        require_current(notebook_problems(params, paper, notebook), f"render {paper}")
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
