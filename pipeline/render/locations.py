"""Every file the paper, render and check-publication stages read or write for one paper
(pipeline.store holds the folders; pipeline.publish the staged and published public files)."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Params
from pipeline.store import Layout


def folders(params: Params, paper: str) -> dict[str, Path]:
    """Every location the paper stage reads or writes for `paper` in the configured period."""
    from pipeline.publish import public_files

    where = Layout(params.paths)
    staged = public_files(params, paper)
    return {
        "facts": where.facts,
        "warnings": where.validation / "warnings.csv",
        "accepted": where.validation / "accepted.csv",
        "tables": staged["tables"][0],
        "metrics": params.paths.metrics / f"{paper}.json",
        "trend": params.paths.metrics / f"{paper}_trend.csv",
        "restricted": where.restricted_paper(params.period.slug, paper),
        "spreadsheet": staged["ods"][0],
        "open_data": staged["open_data"][0],
    }


def outputs(params: Params, paper: str) -> dict[str, Path]:
    """The executed notebook the render stage reads and the three files it writes for `paper`."""
    from pipeline.papers.assemble import PAPER_KINDS
    from pipeline.publish import staging_dir

    name = PAPER_KINDS[paper].notebook
    out = staging_dir(params)
    return {
        "notebook": Layout(params.paths).restricted_paper(params.period.slug, paper) / f"{name}.ipynb",
        "html": out / f"{name}.html",
        "pdf": out / f"{name}.pdf",
        "reviewer": out / f"{name}-reviewer.html",
    }
