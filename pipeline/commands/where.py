"""Print where the papers for the current period are, and whether they are current.

Exit 0 when reports/<period>/ holds papers published by a passed publication check that still
match the files published and the inputs (raw files, validated data, fact tables and
parameters); exit 1 when there are no papers (none yet, or withdrawn, with the reason); exit 5,
saying why, when the papers there no longer match the inputs (--withdraw moves them to
data/processed/restricted/<period>/stale/, their tables to the withdrawn editions; a failing stage does that itself).
The stage is pipeline/where.py.
"""

from __future__ import annotations

import argparse

from pipeline.config import Params


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--withdraw", action="store_true",
                        help="withdraw papers that are out of date (tables to the withdrawn editions, the rest to restricted stale/)")


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.where import run_where

    return run_where(params, withdraw_stale=getattr(args, "withdraw", False))
