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

from pipeline.config import Params


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--authority", metavar="SLUG", default=None,
                        help="run for regional.authorities.SLUG in params.yaml (its LA and folders)")


def more_overrides(args: argparse.Namespace, params: Params) -> list[str]:
    """``--authority SLUG``: the --set overrides of that authority (pipeline.cli applies them
    before the run's lock is taken, so the lock, the run and a failed run's take-down all
    concern the authority's folders)."""
    from pipeline.chain import authority_overrides

    return authority_overrides(params.raw.get("regional"), args.authority) if args.authority else []


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.chain import run_chain

    return run_chain(params, params_file=getattr(args, "params", "params.yaml"),
                     overrides=list(getattr(args, "overrides", [])))
