"""Run the whole chain for one set of parameters, in one process, as the root dvc.yaml does:
validate -> process -> candidates -> measures -> paper quarterly -> paper sufficiency -> render
-> check-publication.

    python -m pipeline run-all                       # the authority in params.yaml
    python -m pipeline run-all --authority eastvale  # one of params.yaml's regional.authorities

Each step is the command of the same name, with its default arguments; one process imports
pandas, nbconvert and the rest once. ``--authority SLUG`` reads ``regional.authorities.SLUG``
(code, name, short_name, raw, processed, reports) and runs the chain on that authority's
folders, as if given ``--set la.code=... --set paths.raw=...`` and so on; the regional DVC
stages (regional/dvc.yaml) run it once per authority.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from collections.abc import Mapping
from typing import Any

from pipeline.config import ConfigError, Params, load_params

# (command as typed, its module, its arguments), in order.
STEPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("validate", "pipeline.validate.cli", ()),
    ("process", "pipeline.process_cli", ()),
    ("candidates", "pipeline.candidates_cli", ()),
    ("measures", "pipeline.measures.cli", ()),
    ("paper quarterly", "pipeline.render.cli_paper", ("quarterly",)),
    ("paper sufficiency", "pipeline.render.cli_paper", ("sufficiency",)),
    ("render quarterly sufficiency", "pipeline.render.cli", ("quarterly", "sufficiency")),
    ("check-publication", "pipeline.render.cli_check", ()),
)
AUTHORITY_KEYS = ("code", "name", "short_name", "raw", "processed", "reports")
# optional: an authority without them publishes its open data with these columns blank
# (never the demo authority's codes)
OPTIONAL_LA_KEYS = ("new_la_code", "region_code", "region_name")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--authority", metavar="SLUG", default=None,
                        help="run for regional.authorities.SLUG in params.yaml (its LA and folders)")


def authority_overrides(regional: Any, slug: str) -> list[str]:
    """The --set overrides that point the pipeline at one authority of params ``regional``."""
    authorities = (regional or {}).get("authorities") if isinstance(regional, Mapping) else None
    if not isinstance(authorities, Mapping) or slug not in authorities:
        known = ", ".join(sorted(authorities)) if isinstance(authorities, Mapping) else "none"
        raise ConfigError(f"params.yaml: no regional.authorities.{slug} (authorities: {known})")
    entry = authorities[slug]
    missing = [k for k in AUTHORITY_KEYS if not isinstance(entry, Mapping) or k not in entry]
    if missing:
        raise ConfigError(f"params.yaml: regional.authorities.{slug} needs {', '.join(missing)}")
    # JSON strings are YAML scalars: the code "990" stays a string, names may hold spaces
    return [
        f"la.code={json.dumps(str(entry['code']))}",
        f"la.name={json.dumps(str(entry['name']))}",
        f"la.short_name={json.dumps(str(entry['short_name']))}",
        *[f"la.{k}={json.dumps(str(entry.get(k, '')))}" for k in OPTIONAL_LA_KEYS],
        f"paths.raw={json.dumps(str(entry['raw']))}",
        f"paths.processed={json.dumps(str(entry['processed']))}",
        f"paths.reports={json.dumps(str(entry['reports']))}",
        # each authority's headline figures and trends beside its reports, not in the demo's metrics/
        f"paths.metrics={json.dumps(str(entry['reports']) + '/metrics')}",
    ]


def step_args(module: Any, argv: tuple[str, ...], args: argparse.Namespace) -> argparse.Namespace:
    """A command's arguments as its own parser reads them (defaults, plus argv)."""
    parser = argparse.ArgumentParser(prog=module.__name__)
    module.add_arguments(parser)
    ns = parser.parse_args(list(argv))
    ns.params, ns.overrides = getattr(args, "params", "params.yaml"), getattr(args, "overrides", [])
    return ns


def run(args: argparse.Namespace, params: Params) -> int:
    if args.authority:
        overrides = [*getattr(args, "overrides", []), *authority_overrides(params.raw.get("regional"), args.authority)]
        params = load_params(args.params, overrides)
        args = argparse.Namespace(**{**vars(args), "overrides": overrides})
    print(f"run-all: {params.la.name}, {params.period.label}, raw data in {params.paths.raw}")
    for name, module_name, argv in STEPS:
        module = importlib.import_module(module_name)
        start = time.perf_counter()
        code = int(module.run(step_args(module, argv, args), params) or 0)
        print(f"run-all: {name} done in {time.perf_counter() - start:.1f} s")
        if code:
            return code
    return 0
