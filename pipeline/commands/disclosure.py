"""Protect or audit ad-hoc tables (small-number suppression with an LP audit).

  python -m pipeline disclosure protect TABLE.csv [MORE.csv ...] --threshold N --out DIR
  python -m pipeline disclosure audit TABLE.csv [MORE.csv ...] --threshold N

Each CSV is a wide table: the first column holds the row labels; a row and a column named
Total (when present) are margins. Tables given together are linked through margins with
the same label and through their grand totals (see docs/disclosure.md). `protect` writes each
table with suppressed cells as the symbol, and a RESTRICTED suppression log holding true
values; `audit` checks tables already suppressed (symbol = unknown) and names every exposed
cell. Settings default to params.yaml's disclosure section (or built-in defaults).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="<action>", required=True)
    for name, text in (("protect", "suppress small numbers and write protected tables"),
                       ("audit", "check tables that are already suppressed")):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("tables", nargs="+", type=Path, help="wide CSV tables (first column: row labels)")
        p.add_argument("--threshold", type=int, help="counts 1..N-1 are suppressed (default: params)")
        p.add_argument("--min-interval", type=int,
                       help="a suppressed cell must be able to move by at least this (default: the threshold)")
        p.add_argument("--zero", choices=("show", "suppress"), help="show or suppress zeros (default: params)")
        p.add_argument("--symbol", help="symbol for a suppressed cell (default: params)")
        if name == "protect":
            p.add_argument("--out", type=Path, required=True, help="folder for the protected tables and the log")
    parser.set_defaults(_needs_params=False)


def run(args: argparse.Namespace, params) -> int:
    from pipeline.disclosure.adhoc import run_adhoc, settings

    disclosure = settings(Path(getattr(args, "params", "params.yaml")), getattr(args, "overrides", None),
                          threshold=args.threshold, min_interval=args.min_interval, zero=args.zero, symbol=args.symbol)
    return run_adhoc(args.action, args.tables, disclosure, getattr(args, "out", None))
