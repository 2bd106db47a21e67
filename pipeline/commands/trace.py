"""Trace a published figure to its source rows: ``python -m pipeline trace FIGURE_ID``.

Figure ids are ``table_id|row|column`` (quote them in the shell). The lineage store is
written when a paper is produced (``python -m pipeline paper ...``) under the period's
restricted folder, never under reports/.

  trace 'Q01_exits_by_route|Adoption|Q2'            the figure, its selection, inputs, rows
  trace 'Q01_exits_by_route|Adoption|Q2' --recount  recount it from those rows alone
  trace --list [--paper quarterly]                  every figure id of the period's papers
  trace --list --recount                            recount every figure (summary)
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("figure_id", nargs="?", help="figure id: 'table_id|row|column' (quote it)")
    parser.add_argument("--period", help="the paper's period, e.g. '2026-27 Q2' (default: params.yaml)")
    parser.add_argument("--recount", action="store_true",
                        help="recount the figure from its source rows and check the input files")
    parser.add_argument("--list", action="store_true", help="list every figure id of the period's papers")
    parser.add_argument("--paper", choices=["quarterly", "sufficiency"], help="only this paper")
    parser.add_argument("--limit", type=int, default=20, help="source rows to print (default 20)")
    parser.add_argument("--all", action="store_true", help="print every source row")


def run(args: argparse.Namespace, params) -> int:
    from pipeline.lineage.show import trace

    return trace(params, args.figure_id, period=args.period, paper=args.paper, list_figures=args.list,
                 recount=args.recount, limit=None if args.all else args.limit)
