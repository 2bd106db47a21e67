"""Withdraw a published paper before publishing its period again.

    python -m pipeline withdraw quarterly|sufficiency [--period 2026-27-Q2]

Moves the period's published edition (reports/<slug>/tables/<paper>/, or its register copy)
to reports/<slug>/withdrawn/<paper>/<n>/ and its restricted twin beside it: a reader may still
hold it, so every later edition of the year is still audited against it
(pipeline/disclosure/publications.py).
"""

from __future__ import annotations

import argparse

from pipeline.config import Params
from pipeline.errors import PipelineError
from pipeline.periods import PeriodError, parse_quarter


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paper", choices=["quarterly", "sufficiency"], help="which paper to withdraw")
    parser.add_argument("--period", default=None, help="period slug, e.g. 2026-27-Q2 (default: params.yaml)")


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.disclosure.publications import withdraw

    slug = args.period or params.period.slug
    try:
        parse_quarter(slug)
    except PeriodError:
        raise PipelineError(f"--period {slug}: not a period slug like 2026-27-Q2") from None
    from dataclasses import replace

    from pipeline.publish import take_down

    # the paper's HTML, PDF and downloads leave reports/ too (publication record updated)
    take_down(replace(params, period=parse_quarter(slug)), [args.paper],
              f"withdrawn by the analyst (python -m pipeline withdraw {args.paper} --period {slug})")
    target = withdraw(params, args.paper, slug)
    root = params.paths.root
    print(f"{args.paper} {slug} withdrawn to {target.relative_to(root) if target.is_relative_to(root) else target}; "
          "its tables still count as known to readers of every later edition of the year")
    return 0
