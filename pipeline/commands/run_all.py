"""Run the whole chain for one set of parameters, in one process, as the root dvc.yaml does:
validate -> process -> candidates -> measures -> paper quarterly -> paper sufficiency -> render
-> check-publication.

    python -m pipeline run-all                       # the authority in params.yaml
    python -m pipeline run-all --authority eastvale  # one of params.yaml's regional.authorities

Each step is the stage function the command of the same name calls, with its default
arguments; one process imports pandas, nbconvert and the rest once. ``--authority SLUG`` reads
``regional.authorities.SLUG`` (code, name, short_name, raw, processed, reports) and runs the
chain on that authority's folders, as if given ``--set la.code=... --set paths.raw=...`` and
so on; the regional DVC stages (regional/dvc.yaml) run it once per authority.
The stage is pipeline/chain.py.
"""

from __future__ import annotations

import argparse

from pipeline.config import Params, load_params


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--authority", metavar="SLUG", default=None,
                        help="run for regional.authorities.SLUG in params.yaml (its LA and folders)")


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.chain import authority_overrides, run_chain

    overrides = list(getattr(args, "overrides", []))
    if args.authority:
        overrides += authority_overrides(params.raw.get("regional"), args.authority)
        params = load_params(args.params, overrides)
    return run_chain(params, params_file=getattr(args, "params", "params.yaml"), overrides=overrides)
