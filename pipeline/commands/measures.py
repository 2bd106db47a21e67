"""Compute every measure for a period, unsuppressed (restricted output for analysts and auditors).

Builds the fact tables from the validated data (written by `python -m pipeline validate`
from the raw folder) and writes <out>/measures.csv: measure_id, period, dimension,
category, value, unit, reason. A figure that cannot be computed (its local source file was
not supplied, or no return covers its window: pipeline.coverage) has a missing value, unit
"unavailable" and the reason.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.config import Origin, Params, check_period, load_params


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", type=Path, default=None,
                        help="raw folder the validated data must come from (default: params paths.raw)")
    parser.add_argument("--period", default=None, help="quarter, e.g. '2026-27 Q2' (default: params period)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: <processed>/measures/<period>)")
    parser.add_argument("--validated", type=Path, default=None,
                        help="folder of validated parquet files (default: <processed>/validated)")


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.measures.stage import run_measures

    if args.period:  # as --set period=P: the period's folder and (unless set) its sufficiency year
        check_period(args.period, Origin(file="--period"))
        params = load_params(args.params, [*args.overrides, f"period={args.period}"])
    return run_measures(params, raw=args.raw, out=args.out, validated=args.validated)
