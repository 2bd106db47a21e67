"""Check the period's public outputs before they leave the building.

    python -m pipeline check-publication [--papers quarterly sufficiency]

Fails (exit 4, saying why) unless, for each paper:
  - every published CSV has the tidy columns and no count of a protected table below the
    threshold; the tables.json manifest agrees with the CSVs;
  - the disclosure audit of the whole paper passed (restricted audit.json from `paper`);
  - every figure printed in the committee and reviewer HTML (each carries its figure id) is
    exactly the published figure, and narrative about a suppressed figure prints no number;
  - the PDF prints no number that the checked HTML does not print, and is tagged PDF/UA-1
    (headings, table header cells, alternate text on figures, title and language);
  - the spreadsheets (.ods, .xlsx) and the DfE-format open data hold exactly the published
    figures ([c] / c where the paper withholds one);
  - no CHILD id, date of birth, UPN, postcode, WORKER_ID, POST_ID or CASE_ID from the
    validated data appears in what a person can read of any file under reports/<period>/
    (its name, visible text, labels, alt text, titles, attribute values, CSV cells, JSON,
    spreadsheets; pipeline/render/readable.py; docs/publication-check.md), nor the project's
    absolute path; the HTML loads no script, style or font from the network.
Writes reports/<period>/publication_check.json.
It checks the staged files (<processed>/staging/<period>/, written by `paper` and `render`)
and refuses (exit 5) files that were not built from the current data and parameters or that
`render` did not finish (pipeline.publish). Only when every check of every paper passed are
the files copied into reports/<period>/, with reports/<period>/publication_check.json (the
sha256 of each file published and what it was built from) written last. When any check fails
nothing is published: the candidates go to data/processed/restricted/<period>/refused/ with
publication_check.json (the reasons), and the papers published earlier for the period are
withdrawn (tables to the withdrawn editions, the rest to restricted/<period>/stale/).
The stage is pipeline/render/publication_check.py.
"""

from __future__ import annotations

import argparse

from pipeline.config import Params

PAPERS = ("quarterly", "sufficiency")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--papers", nargs="*", default=list(PAPERS), help="papers to check (default: both)")


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.render.publication_check import run_publication_check

    return run_publication_check(params, list(dict.fromkeys(args.papers)))
