"""The whole chain for one set of parameters, in one process, as the root dvc.yaml runs it
(`python -m pipeline run-all [--authority SLUG]`): validate -> process -> candidates ->
measures -> paper quarterly -> paper sufficiency -> render -> check-publication.

Each step calls the stage function of the command of the same name with its default
arguments; one process imports pandas, nbconvert and the rest once. A regional authority
(``regional.authorities.SLUG`` in params.yaml: code, name, short_name, raw, processed,
reports) is run on its own folders through :func:`authority_overrides`, as if given
``--set la.code=... --set paths.raw=...`` and so on; the regional DVC stages
(regional/dvc.yaml) run it once per authority.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.config import ConfigError, Params

# (command as typed, the stage function it calls as "module:function", the arguments the
# command passes it besides params), in order. "paper" also gets the parameters file and
# overrides (notebook_parameters).
STEPS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("validate", "pipeline.validate.stage:run_validate", {}),
    ("process", "pipeline.process.stage:run_process", {}),
    ("candidates", "pipeline.process.candidates_stage:run_candidates", {}),
    ("measures", "pipeline.measures.stage:run_measures", {}),
    ("paper quarterly", "pipeline.render.paper:run_paper", {"paper_name": "quarterly"}),
    ("paper sufficiency", "pipeline.render.paper:run_paper", {"paper_name": "sufficiency"}),
    ("render quarterly sufficiency", "pipeline.render.documents:run_render", {"papers": ["quarterly", "sufficiency"]}),
    ("check-publication", "pipeline.render.publication_check:run_publication_check", {}),
)
TAKES_PARAMS_FILE = ("pipeline.render.paper:run_paper",)
AUTHORITY_KEYS = ("code", "name", "short_name", "raw", "processed", "reports")
# optional: an authority without them publishes its open data with these columns blank
# (never the demo authority's codes)
OPTIONAL_LA_KEYS = ("new_la_code", "region_code", "region_name")


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


def run_chain(params: Params, *, params_file: str | Path = "params.yaml", overrides: list[str] | None = None) -> int:
    """Run every step of STEPS in order; stop at the first that fails (its exit code)."""
    print(f"run-all: {params.la.name}, {params.period.label}, raw data in {params.paths.raw}")
    for name, target, kwargs in STEPS:
        module_name, function = target.split(":")
        step = getattr(importlib.import_module(module_name), function)
        if target in TAKES_PARAMS_FILE:
            kwargs = {**kwargs, "params_file": params_file, "overrides": list(overrides or [])}
        start = time.perf_counter()
        code = int(step(params, **kwargs) or 0)
        print(f"run-all: {name} done in {time.perf_counter() - start:.1f} s")
        if code:
            return code
    return 0
