"""Validate the raw returns with Great Expectations, stitch the years, write validated tables.

Reports go to --out (default <processed>/validation): failures.csv, warnings.csv,
exclusions.csv, stitch_log.csv, summary.json, gx_results.json and data_docs/ (offline HTML).
Validated tables go to <processed>/validated/*.parquet with manifest.json, only when no
error-severity rule failed; otherwise the command exits non-zero with a short summary.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from pipeline.config import Params
from pipeline.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", help="raw folder (default: params paths.raw)")
    parser.add_argument("--out", help="folder for the validation reports (default: <processed>/validation)")
    parser.add_argument("--processed", help="processed folder; tables go to <processed>/validated (default: params paths.processed)")
    parser.add_argument("--year", help="collection year of a flat folder holding one return: 2017-18 or 2018")
    parser.add_argument("--la", help="keep only this local authority's rows of files with an LA column")
    parser.add_argument("--as-of", dest="as_of", help="stitch only returns ending on or before this date (yyyy-mm-dd)")
    parser.add_argument("--no-docs", dest="docs", action="store_false", help="skip the GX Data Docs HTML")
    parser.add_argument("--accept", metavar="FILE",
                        help="reviewed exceptions CSV (rule,file,row,CHILD,reason,accepted_by,accepted_on): the errors it "
                             "lists no longer stop the stage (default: <raw>/accepted_exceptions.csv when present)")


def parse_as_of(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of {text!r} is not a date like 2025-03-31") from None


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.validate.stage import run_validate

    return run_validate(params, raw_dir=Path(args.raw) if args.raw else None, out=Path(args.out) if args.out else None,
                        processed=Path(args.processed) if args.processed else None, year=args.year, la=args.la,
                        as_of=parse_as_of(args.as_of), docs=args.docs, accepted_file=getattr(args, "accept", None))
