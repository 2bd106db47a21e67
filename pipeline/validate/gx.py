"""Great Expectations itself: importing it and running prepared batches.

Everything crossing this module's edge is plain data: a ``Prepared`` batch (name, narrow frame,
``Unit`` expectations) goes in, GX's results come out as JSON dicts (``to_json_dict``), so the
callers (pipeline.validate.run) never hold a GX object and can be tested on hand-written
results.

Each batch runs in two passes: every expectation with pass/fail results only (``PASS_FORMAT``,
about half GX's cost of complete results), then only the expectations that failed, with
complete results (``DETAIL_FORMAT``: every unexpected row), as the suite ``<batch>__failed``.
Results carry no clock time: the run is named by the caller (after the input files' sha256)
and timed at ``RUN_TIME``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

PASS_FORMAT = {"result_format": "BOOLEAN_ONLY"}
GX_ROW = "GX_ROW"  # row number in a batch's stacked frame: GX reports unexpected rows by it
DETAIL_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": [GX_ROW]}
DETAIL_SUFFIX = "__failed"  # the second pass's suite: <batch>__failed
RUN_TIME = datetime(1980, 1, 1, tzinfo=UTC)  # GX run time of every result (the spreadsheets use the same date)


@dataclass(frozen=True)
class Unit:
    """One GX expectation of a batch: one check, or every flag check of the batch together
    (see pipeline.validate.run.plan_units). ``meta`` is kept by GX with the expectation."""

    checks: tuple[int, ...]
    expectation: str
    kwargs: dict[str, Any]
    meta: dict[str, Any]
    flags: dict[str, tuple[int, ...]] = dc_field(default_factory=dict)  # flag name -> its checks


@dataclass(frozen=True)
class Prepared:
    """A batch ready for GX: its name, its stacked narrow frame and its expectations."""

    name: str
    frame: pd.DataFrame
    units: list[Unit]


Runner = Callable[[list[Prepared], "Path | None", str], list[tuple[dict, "dict | None"]]]


def import_gx() -> tuple[Any, Any, Any]:
    """Import Great Expectations (a few seconds), without the modules it never needs here and
    with those only a few unused expectations need deferred to their first use (see
    pipeline.imports)."""
    from pipeline.imports import GX_DEFERRED, deferring, skip_unused_imports

    skip_unused_imports()
    collecting = gc.isenabled()
    gc.disable()  # the import builds hundreds of classes and no garbage: collecting during it costs ~8%
    try:
        with deferring(GX_DEFERRED):
            import great_expectations as gx
            import great_expectations.expectations as gxe
            from great_expectations.data_context.types.base import ProgressBarsConfig
    finally:
        if collecting:
            gc.enable()
    return gx, gxe, ProgressBarsConfig


def raised_message(entry: dict) -> str | None:
    """The exception message of a result entry whose expectation could not be evaluated, else
    None. GX gives either one ``exception_info`` or one per failed metric (keyed by metric)."""
    info = entry.get("exception_info") or {}
    found = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    messages = [str(i.get("exception_message")) for i in found if i.get("raised_exception")]
    return "; ".join(messages) if messages else None


def unit_of(entry: dict) -> int:
    """The position in its batch of the unit a result entry is for."""
    return entry["expectation_config"]["meta"]["unit"]


def failed_units(result: dict) -> list[int]:
    """Units whose expectation ran and failed in a GX result (JSON), in suite order."""
    return [unit_of(e) for e in result.get("results", []) if not e["success"] and raised_message(e) is None]


def run_batches(batches: list[Prepared], docs_dir: Path | None, run_name: str) -> list[tuple[dict, dict | None]]:
    """Run each batch through GX in one ephemeral context, in two passes (module docstring).

    Returns, per batch, the first pass's result and the second pass's (None when nothing
    failed), as JSON dicts. With ``docs_dir``, GX's Data Docs pages are rendered there:
    ``validations/<suite>.html`` and ``expectations/<suite>.html`` for each suite run
    (online-only HTML, see pipeline.validate.report.make_docs_offline).

    Suites are validated on the batch directly (``Batch.validate``), not through stored
    validation definitions: nothing here needs GX's stores, and they cost about a sixth of
    the run; the pages are rendered by the renderers GX's site builder uses.
    """
    gx, gxe, ProgressBarsConfig = import_gx()
    from great_expectations.core.run_identifier import RunIdentifier

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas(name="raw")
    run_id = RunIdentifier(run_name=run_name, run_time=RUN_TIME)

    def validate(batch: Any, name: str, units: list[Unit], result_format: dict) -> dict:
        suite = gx.ExpectationSuite(name=name, expectations=[getattr(gxe, u.expectation)(**u.kwargs, meta=u.meta)
                                                             for u in units])
        result = batch.validate(suite, result_format=result_format)
        result.meta.update(run_id=run_id, validation_time=RUN_TIME)  # as ValidationDefinition.run records them
        if docs_dir is not None:
            write_docs_pages(docs_dir, suite, result)
        return result.to_json_dict()

    out = []
    for prepared in batches:
        definition = source.add_dataframe_asset(name=prepared.name).add_batch_definition_whole_dataframe("whole")
        batch = definition.get_batch(batch_parameters={"dataframe": prepared.frame})
        first = validate(batch, prepared.name, prepared.units, PASS_FORMAT)
        failed = failed_units(first)
        detail = (validate(batch, prepared.name + DETAIL_SUFFIX, [prepared.units[u] for u in failed], DETAIL_FORMAT)
                  if failed else None)
        out.append((first, detail))
    return out


def write_docs_pages(docs_dir: Path, suite: Any, result: Any) -> None:
    """GX's Data Docs pages of one suite and its validation result, rendered as GX's site
    builder renders them, at ``<docs_dir>/{validations,expectations}/<suite>.html``."""
    from great_expectations.render.renderer import (
        ExpectationSuitePageRenderer,
        ValidationResultsPageRenderer,
    )
    from great_expectations.render.view import DefaultJinjaPageView
    from great_expectations.util import convert_to_json_serializable

    for entry in result.results:  # as the site builder shows them, from stored JSON: 1274, not np.int64(1274)
        entry.result = convert_to_json_serializable(entry.result)
    view = DefaultJinjaPageView()
    for folder, page in (("validations", ValidationResultsPageRenderer().render(result)),
                         ("expectations", ExpectationSuitePageRenderer().render(suite))):
        path = Path(docs_dir) / folder / f"{suite.name}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(view.render(page), encoding="utf-8")
