"""Create a synthetic local authority's raw returns: SSDA903 annual returns and in-year
extracts, and the team's local files, in the layout pipeline/schema.py documents."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.config import Params


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="folder to write into (e.g. data/raw)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="size relative to a county LA of ~150,000 under-18s (100 ~ England)")
    parser.add_argument("--la", default=None, help="LA name (default: params la.name)")
    parser.add_argument("--until", default=None, help="last quarter covered, e.g. '2026-27 Q2' (default: params period)")
    parser.add_argument("--id-style", default="alphanumeric", choices=("alphanumeric", "numeric"),
                        help="CHILD ids: alphanumeric (prefix + serial, 5D940000673; the default) or numeric "
                             "(6 digits, some with a leading zero: 041051, as many councils' systems issue them)")


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.synth.stage import make_settings, run_synth

    settings = make_settings(params, seed=args.seed, scale=args.scale, la=args.la, until=args.until,
                             id_style=args.id_style)
    return run_synth(settings, Path(args.out))
