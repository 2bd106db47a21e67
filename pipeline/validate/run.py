"""Run the suites: one GX validation per raw file and return, then the row-level failure table.

``build_jobs`` (pure) prepares each file's frame with parsed columns and flags;
``run_jobs`` imports Great Expectations, runs every job in one ephemeral context (optionally
building Data Docs into a folder) and returns the GX results; ``failures_from_results``
(pure) turns the unexpected rows into the failure table.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.readers import RawData
from pipeline.validate import checks as ck
from pipeline.validate.rules import FAILURE_COLUMNS, RULES, failures_frame
from pipeline.validate.suites import SUITE_MODULES
from pipeline.validate.suites.common import Check, SuiteContext, context_for

ROW_ID = "SOURCE_ROW"
_TRIM = 20  # unexpected values kept per expectation in gx_results.json (failures.csv has all)


@dataclass
class Job:
    """One file's rows of one return, prepared for its suite."""

    name: str
    ctx: SuiteContext
    source_file: str
    frame: pd.DataFrame
    checks: list[Check]


def safe_name(text: str) -> str:
    """A name GX stores accept and a file system likes: letters, digits, - _ . only."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")


def related_data(raw: RawData) -> dict[str, Any]:
    """Cross-file inputs: headers by return, every episode's ceasing, every header CHILD."""
    header = raw.tables.get("header")
    episodes = raw.tables.get("episodes")
    related: dict[str, Any] = {
        "headers": {r: g for r, g in header.groupby("RETURN")} if header is not None else {},
        "children": header["CHILD"].dropna() if header is not None else pd.Series([], dtype="str"),
        "covered_until": pd.Timestamp(max(lbl.end for lbl in raw.returns.values())) if raw.returns else None,
    }
    if episodes is not None:
        related["episodes"] = pd.DataFrame({"CHILD": episodes["CHILD"], "DEC": ck.parse_dates(episodes["DEC"]), "REC": episodes["REC"]})
    return related


def build_jobs(raw: RawData) -> list[Job]:
    """Prepare one job per (table, return, file) present in the raw data."""
    related = related_data(raw)
    jobs = []
    for table, frame in raw.tables.items():
        module = SUITE_MODULES[table]
        keys = frame[["RETURN", "SOURCE_FILE"]].astype("object").fillna("").drop_duplicates().itertuples(index=False)
        for ret, src in keys:
            part = frame[(frame["RETURN"].fillna("") == ret) & (frame["SOURCE_FILE"] == src)].reset_index(drop=True)
            ctx = context_for(table, ret or None)
            rel = dict(related, header=related["headers"].get(ret))
            prepared = module.prepare(part, ctx, rel)
            stem = src.rsplit("/", 1)[-1].removesuffix(".csv")
            name = safe_name(f"{ret or 'local'}__{stem}")
            jobs.append(Job(name, ctx, src, prepared, module.checks(ctx)))
    return jobs


def gx_frame(job: Job) -> pd.DataFrame:
    """The columns GX needs (those the checks name, and SOURCE_ROW), strings as categoricals.

    GX copies its whole frame for each expectation; a narrow frame of categoricals (integer
    codes) makes those copies cheap on a million rows.
    """
    needed: list[str] = []
    for c in job.checks:
        for key in ("column", "column_A", "column_B"):
            if key in c.kwargs:
                needed.append(c.kwargs[key])
        needed += c.kwargs.get("column_list", [])
    cols = list(dict.fromkeys(needed + [ROW_ID]))
    f = job.frame[cols]
    conv = {c: f[c].astype("category") for c in cols if pd.api.types.is_string_dtype(f[c]) and f[c].dtype != bool}
    return f.assign(**conv)


def run_jobs(jobs: list[Job], docs_dir: Path | None = None) -> list[Any]:
    """Run every job through GX (COMPLETE results, rows identified by SOURCE_ROW).

    Returns the GX validation results in job order. With ``docs_dir``, GX Data Docs are
    built there (online-only HTML; see pipeline.validate.report.make_docs_offline).
    """
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        context.update_data_docs_site("local_site", {
            "class_name": "SiteBuilder", "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
    source = context.data_sources.add_pandas(name="raw")
    suites: dict[str, Any] = {}
    results = []
    result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": [ROW_ID]}
    for job in jobs:
        suite_name = safe_name(job.ctx.suite_name)
        if suite_name not in suites:
            expectations = [
                getattr(gxe, c.expectation)(**c.kwargs, meta={"rule": c.rule, "column": c.column, "check": i,
                                                              "severity": RULES[c.rule].severity})
                for i, c in enumerate(job.checks)
            ]
            suites[suite_name] = context.suites.add(gx.ExpectationSuite(name=suite_name, expectations=expectations))
        batch = source.add_dataframe_asset(name=job.name).add_batch_definition_whole_dataframe("whole")
        vd = context.validation_definitions.add(gx.ValidationDefinition(name=job.name, data=batch, suite=suites[suite_name]))
        results.append(vd.run(batch_parameters={"dataframe": gx_frame(job)}, result_format=result_format))
    if docs_dir is not None:
        context.build_data_docs()
    return results


def _fill(template: str, static: dict[str, str], per_row: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    """Fill a message template, vectorised: static fields once, per-row fields from series."""
    out = pd.Series("", index=index, dtype="object")
    for literal, field, _, _ in string.Formatter().parse(template):
        out = out + literal
        if field is None:
            continue
        if field in per_row:
            out = out + per_row[field].astype("object").where(per_row[field].notna(), "blank").astype(str).values
        else:
            out = out + str(static.get(field, ""))
    return out


def check_failures(job: Job, check: Check, rows: list[int]) -> pd.DataFrame:
    """The failure rows of one check, from the SOURCE_ROWs GX reported as unexpected."""
    frame = job.frame.set_index(ROW_ID, drop=False)
    sub = frame.loc[pd.Index(rows)]
    rule = RULES[check.rule]
    static = {"file": job.source_file, "column": check.column, "year": job.ctx.year_label, "allowed": "", "other": ""}
    per_row: dict[str, pd.Series] = {"value": sub[check.column]}
    for key, val in check.context.items():
        if isinstance(val, str) and val.startswith("@"):
            name, _, fallback = val[1:].partition("|")
            values = sub[name]
            if pd.api.types.is_datetime64_any_dtype(values):
                values = values.dt.strftime("%d/%m/%Y")
            per_row[key] = values.astype("object").where(values.notna(), fallback or None) if fallback else values
        else:
            static[key] = val
    value = per_row["value"]
    return pd.DataFrame({
        "file": job.source_file,
        "row": sub[ROW_ID].astype("Int64").values,
        "CHILD": sub["CHILD"].values if "CHILD" in sub else pd.NA,
        "column": check.column,
        "rule": check.rule,
        "value": value.values,
        "severity": rule.severity,
        "message": _fill(rule.message, static, per_row, sub.index).values,
        "table": job.ctx.table,
        "return": job.ctx.return_name if job.ctx.return_name else pd.NA,
    })


def failures_from_results(jobs: list[Job], results: list[Any]) -> pd.DataFrame:
    """The row-level failure table of every failed expectation (see rules.FAILURE_COLUMNS)."""
    parts = []
    for job, res in zip(jobs, results, strict=True):
        for r in res.results:
            if r.success:
                continue
            check = job.checks[r.expectation_config.meta["check"]]
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RuntimeError(f"{job.name}: expectation for {check.rule} failed to run: {r.exception_info.get('exception_message')}")
            rows = [d[ROW_ID] for d in r.result.get("unexpected_index_list") or []]
            parts.append(check_failures(job, check, rows))
    if not parts:
        return failures_frame()
    out = pd.concat(parts, ignore_index=True)[FAILURE_COLUMNS]
    return out.sort_values(["file", "row", "rule"], kind="stable").reset_index(drop=True)


def results_json(jobs: list[Job], results: list[Any]) -> list[dict]:
    """GX results as JSON, unexpected-value lists trimmed (failures.csv holds every row)."""
    out = []
    for job, res in zip(jobs, results, strict=True):
        d = res.to_json_dict()
        for r in d.get("results", []):
            res_d = r.get("result") or {}
            for key in ("unexpected_list", "unexpected_index_list", "partial_unexpected_list",
                        "partial_unexpected_index_list", "partial_unexpected_counts"):
                if isinstance(res_d.get(key), list) and len(res_d[key]) > _TRIM:
                    res_d[key] = res_d[key][:_TRIM]
            res_d.pop("unexpected_index_query", None)
        out.append({"job": job.name, "file": job.source_file, "table": job.ctx.table,
                    "return": job.ctx.return_name, "suite": job.ctx.suite_name, "result": d})
    return out


def validate_raw(raw: RawData, docs_dir: Path | None = None) -> tuple[pd.DataFrame, list[Job], list[Any]]:
    """Run every suite over the raw data; return (row failures incl. file-level ones, jobs, results)."""
    jobs = build_jobs(raw)
    results = run_jobs(jobs, docs_dir) if jobs else []
    rows = failures_from_results(jobs, results)
    parts = [f for f in (raw.failures, rows) if len(f)]
    failures = pd.concat(parts, ignore_index=True) if parts else failures_frame()
    return failures[FAILURE_COLUMNS], jobs, results



