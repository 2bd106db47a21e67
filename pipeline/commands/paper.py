"""Build a paper's tables, protect them, write the published and restricted tables, and run
the paper's notebook with papermill.

    python -m pipeline paper quarterly|sufficiency

Reads the fact tables (data/processed/facts/), the validation warnings and the tables of
earlier papers (reports/<earlier period>/tables/<paper>/, so disclosure control covers what
was published before). Fails closed: if the disclosure audit finds an exposed cell, nothing
is published and the command exits non-zero naming the cells.

Refuses (exit 5) when the fact tables do not match the validated data, the raw files or the
parameters now in use (pipeline.freshness).

Writes, for period P (staged: `check-publication` copies them into reports/P/ only when every
check passed, pipeline.publish):
  <processed>/staging/P/tables/<paper>/*.csv, tables.json   the tables to publish
  <processed>/staging/P/<notebook>.ods, .xlsx               the tables as an accessible spreadsheet
  <processed>/staging/P/open_data/<paper>/*.csv, *.meta.csv the tables as open data in the DfE's format
  metrics/<paper>.json, <paper>_trend.csv          headline figures and the main trend (published
                                                   values only; fixed paths tracked in git) for
                                                   `dvc metrics diff` and `dvc plots show`/`diff`
  data/processed/restricted/P/<paper>/             true values, suppression log, audit result,
                                                   the executed notebook and inputs.json (what
                                                   the paper was built from, written last)

The stage is pipeline/render/paper.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.config import Params


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paper", choices=["quarterly", "sufficiency"], help="which paper")
    parser.add_argument("--facts", default=None, help="fact tables folder (default: <processed>/facts)")
    parser.add_argument("--no-notebook", action="store_true", help="write the tables only; do not run the notebook")


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.render.paper import run_paper

    return run_paper(params, args.paper, params_file=args.params, overrides=getattr(args, "overrides", []),
                     facts_dir=Path(args.facts) if args.facts else None, notebook=not args.no_notebook)
