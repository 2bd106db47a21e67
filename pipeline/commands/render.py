"""Render executed paper notebooks to the committee HTML (no code), the reviewer HTML (with
code) and the A4 PDF.

    python -m pipeline render [quarterly] [sufficiency]

Reads data/processed/restricted/<period>/<paper>/<notebook>.ipynb (written by `paper`) and
writes <notebook>.html, <notebook>.pdf and <notebook>-reviewer.html to the staging folder
(<processed>/staging/<period>/; `check-publication` publishes them), each through a temporary
file, then <notebook>.render.json with their hashes, last: a render killed half-way leaves no
record, and `check-publication` refuses a pair it does not describe.
Refuses (exit 5) a notebook that is not the one `paper` executed from the current data.
Deterministic: the same executed notebook gives byte-identical files.
The stage is pipeline/render/documents.py.
"""

from __future__ import annotations

import argparse

from pipeline.config import Params


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("papers", nargs="*", metavar="PAPER",
                        help="quarterly and/or sufficiency (default: both)")


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.render.documents import PAPERS, run_render

    return run_render(params, list(dict.fromkeys(args.papers or PAPERS)))
