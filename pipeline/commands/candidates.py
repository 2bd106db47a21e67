"""Restricted list of children to consider for exit from care (never published).

Reads the derived episodes from the facts folder (data/processed/facts/episodes.parquet) when
the process stage has written it, else derives them from the validated episodes and header;
the permanence tracker and unit costs come from the validated folder and may be absent (the
list then says what it could not check). Writes, under --out (default:
<processed>/restricted/<period>/candidates/):

  candidates.csv   one row per child per group, with the evidence (restricted)
  summary.csv      children per group, already worked with, left out for age
  summary.json     the same with notes, thresholds and the inputs used
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from pipeline.config import Params
from pipeline.errors import PipelineError
from pipeline.periods import PeriodError, parse_quarter


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", help="quarter, e.g. '2026-27 Q2' (default: period in params.yaml)")
    parser.add_argument("--validated", type=Path, help="validated data folder (default: <processed>/validated)")
    parser.add_argument("--facts", type=Path, help="facts folder (default: <processed>/facts)")
    parser.add_argument("--out", type=Path, help="output folder (default: <processed>/restricted/<period>/candidates)")


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.process.candidates_stage import run_candidates

    if args.period:
        try:
            params = replace(params, period=parse_quarter(args.period))
        except PeriodError as exc:
            raise PipelineError(str(exc)) from None
    return run_candidates(params, validated=args.validated, facts=args.facts, out=args.out)
