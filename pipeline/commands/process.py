"""Build the processed fact tables from validated data.

Reads data/processed/validated/<table>.parquet (written by `python -m pipeline validate`)
and writes data/processed/facts/<fact>.parquet and facts/manifest.json (rows, columns and
sha256 of each fact table, the period and the validated files used).

The fact jobs of pipeline.process.catalog run in forked worker processes (``--workers``,
default the CPUs available, at most MAX_DEFAULT_WORKERS): the workers inherit the frames they start from,
write their own tables and send back only manifest entries. Every file is the same, byte for
byte, whatever the number of workers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.config import Params


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pipeline.process.stage import MAX_DEFAULT_WORKERS

    parser.add_argument("--validated", type=Path, default=None,
                        help="folder of validated parquet files (default: <processed>/validated)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: <processed>/facts)")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes building the fact tables (default: the CPUs available, at most "
                             f"{MAX_DEFAULT_WORKERS}; 1 builds them in this process)")


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.process.stage import run_process

    return run_process(params, validated=args.validated, out=args.out, workers=args.workers)
