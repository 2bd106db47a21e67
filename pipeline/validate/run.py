"""Run the suites: GX validates every table once, all its returns together; then the failure table.

``build_jobs`` (pure) prepares each file's frame (one job per table, return and file) with
parsed columns and flags; ``batch_jobs`` (pure) groups the jobs whose expectations are the
same (every return of a table: the rules that depend on the return read per-row columns, see
``suites.common.add_context_columns``) and ``batch_frame`` stacks their narrow frames;
``plan_units`` (pure) turns a batch's checks into GX expectations; ``run_jobs`` hands the
batches to pipeline.validate.gx (the only code that touches GX) and splits each result back
into its jobs (``split_result``, pure, on GX's results as JSON); ``failures_from_results``
(pure) turns the unexpected rows into the failure table.

GX's cost is mostly fixed per expectation evaluated (metric graphs, pydantic models), not
per row: one run per table instead of one per table and return makes validation several
times faster on a few years of returns, with the same failures. For the same reason the
flag checks (cross-field rules computed in pandas) of a batch are one expectation together
(``plan_units``), and each batch runs in two passes (pipeline.validate.gx): pass/fail
results for every expectation, then complete results for the failed ones only.

Results carry no clock time and no random id: the run is named after the input files' sha256
(``run_name``) and timed at ``RUN_TIME``, and ``results_json`` replaces GX's random ids by
``<batch>:<unit>``, so the same returns give byte-identical reports in any checkout.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.readers import RawData
from pipeline.store import sha256_text
from pipeline.validate import checks as ck
from pipeline.validate.gx import (
    GX_ROW,
    RUN_TIME,
    Prepared,
    Runner,
    Unit,
    raised_message,
    run_batches,
    unit_of,
)
from pipeline.validate.rules import FAILURE_COLUMNS, RULES, failures_frame
from pipeline.validate.suites import SUITE_MODULES
from pipeline.validate.suites.common import (
    Check,
    SuiteContext,
    add_context_columns,
    context_for,
    is_flag_check,
)

ROW_ID = "SOURCE_ROW"
JOB_ID = "GX_JOB"  # position of the row's job in its batch
_TRIM = 20  # unexpected values kept per expectation in gx_results.json (failures.csv has all)
_UNIQUE = ("ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique")
FLAGS_COLUMN = "FAILED_RULE_FLAGS"  # per row: the flag checks it fails (their flag names), blank if none


@dataclass
class Job:
    """One file's rows of one return, prepared for its suite."""

    name: str
    ctx: SuiteContext
    source_file: str
    frame: pd.DataFrame
    checks: list[Check]


@dataclass
class Batch:
    """Jobs of one table with the same expectations, validated by GX as one stacked frame."""

    name: str
    table: str
    jobs: list[Job]

    @property
    def checks(self) -> list[Check]:
        return self.jobs[0].checks


@dataclass
class JobResult:
    """One job's share of its batch's GX result."""

    success: bool
    batch: str
    unexpected: dict[int, list[int]] = dc_field(default_factory=dict)  # check index -> SOURCE_ROWs
    errors: dict[int, str] = dc_field(default_factory=dict)  # check index -> exception message
    gx: dict | None = None  # the batch's GX result (JSON), pass/fail only (shared by its jobs)
    detail: dict | None = None  # the batch's second pass (JSON): complete results of the failed expectations


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
        related["episodes"] = pd.DataFrame({"CHILD": episodes["CHILD"], "DEC": ck.parse_dates(episodes["DEC"]), "REC": episodes["REC"],
                                            "RETURN": episodes["RETURN"], "LS": episodes["LS"]})
    return related


def rows_by_key(keys: pd.DataFrame) -> list[tuple[tuple, np.ndarray]]:
    """Each distinct row of ``keys`` (in order of first appearance) with the positions of the
    rows holding it (ascending). Keys must not be blank (fill them first)."""
    if keys.empty:
        return []
    codes = np.zeros(len(keys), dtype=np.int64)
    for c in keys.columns:
        col_codes, col_uniques = pd.factorize(keys[c])
        codes = codes * len(col_uniques) + col_codes
    _, first, group = np.unique(codes, return_index=True, return_inverse=True)
    positions = np.split(np.argsort(group, kind="stable"), np.cumsum(np.bincount(group))[:-1])
    return [(tuple(keys.iloc[first[g]]), positions[g]) for g in np.argsort(first)]


def build_jobs(raw: RawData) -> list[Job]:
    """Prepare one job per (table, return, file) present in the raw data."""
    related = related_data(raw)
    jobs = []
    for table, frame in raw.tables.items():
        module = SUITE_MODULES[table]
        for (ret, src), rows in rows_by_key(frame[["RETURN", "SOURCE_FILE"]].fillna("")):
            part = frame.take(rows).reset_index(drop=True)
            ctx = context_for(table, ret or None)
            rel = dict(related, header=related["headers"].get(ret))
            prepared = add_context_columns(module.prepare(part, ctx, rel), ctx)
            stem = src.rsplit("/", 1)[-1].removesuffix(".csv")
            name = safe_name(f"{ret or 'local'}__{stem}")
            jobs.append(Job(name, ctx, src, prepared, module.checks(ctx)))
    return jobs


def _spec(checks: list[Check]) -> tuple:
    """What GX runs for a list of checks (their context only fills messages)."""
    return tuple((c.expectation, repr(sorted(c.kwargs.items()))) for c in checks)


def batch_jobs(jobs: list[Job]) -> list[Batch]:
    """Group jobs of the same table whose checks are the same expectations (in job order).

    A batch is named after its table (``<table>__2`` and so on if a table's jobs need
    several batches, e.g. when code lists would differ).
    """
    groups: dict[tuple, list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.ctx.table, _spec(job.checks)), []).append(job)
    per_table: dict[str, int] = {}
    batches = []
    for (table, _), members in groups.items():
        per_table[table] = per_table.get(table, 0) + 1
        n = per_table[table]
        batches.append(Batch(safe_name(table if n == 1 else f"{table}__{n}"), table, members))
    return batches


def _columns(checks: list[Check]) -> list[str]:
    needed: list[str] = []
    for c in checks:
        for key in ("column", "column_A", "column_B"):
            if key in c.kwargs:
                needed.append(c.kwargs[key])
        needed += c.kwargs.get("column_list", [])
    return list(dict.fromkeys(needed))


def _unique_columns(checks: list[Check]) -> list[str]:
    cols: list[str] = []
    for c in checks:
        if c.expectation in _UNIQUE:
            cols += [c.kwargs["column"]] if "column" in c.kwargs else list(c.kwargs["column_list"])
    return list(dict.fromkeys(cols))


def _in_job(column: str) -> str:
    return f"{column}__in_job"


def gx_kwargs(check: Check) -> dict[str, Any]:
    """The check's GX arguments for a batch: uniqueness is judged within each job (file and
    return), through columns holding the job's position and the value (blank stays blank)."""
    if check.expectation not in _UNIQUE:
        return dict(check.kwargs)
    if "column" in check.kwargs:
        return {**check.kwargs, "column": _in_job(check.kwargs["column"])}
    return {**check.kwargs, "column_list": [_in_job(c) for c in check.kwargs["column_list"]]}


def flag_name(check: Check) -> str:
    """How a flag check is named in ``FLAGS_COLUMN``: its flag column without ``ok_``."""
    return check.kwargs["column"].removeprefix("ok_")


def plan_units(checks: list[Check]) -> list[Unit]:
    """The batch's GX expectations: one per check, except that the flag checks (cross-field
    rules computed in pandas, see ``suites.common.flag_check``) are one expectation together,
    "``FLAGS_COLUMN`` is blank", whose unexpected values name each row's failed flags. GX's
    cost is about the same for every expectation, and most DfE rules are flag checks."""
    plans = [((i,), c.expectation, gx_kwargs(c), {"rule": c.rule, "column": c.column, "severity": RULES[c.rule].severity}, {})
             for i, c in enumerate(checks) if not is_flag_check(c)]
    flags: dict[str, tuple[int, ...]] = {}
    for i, c in enumerate(checks):
        if is_flag_check(c):
            flags[flag_name(c)] = flags.get(flag_name(c), ()) + (i,)
    if flags:
        meta = {"rule": "flag checks (cross-field rules computed in pandas)", "column": FLAGS_COLUMN,
                "flags": {name: checks[ids[0]].rule for name, ids in flags.items()}}
        plans.append((tuple(i for ids in flags.values() for i in ids), "ExpectColumnValuesToBeNull",
                      {"column": FLAGS_COLUMN}, meta, flags))
    return [Unit(ids, expectation, kwargs, {"unit": k, **meta}, fl)
            for k, (ids, expectation, kwargs, meta, fl) in enumerate(plans)]


def failed_flags(frame: pd.DataFrame, checks: list[Check]) -> pd.Series:
    """Per row, the names of the flag checks it fails (flag not blank and not True), space
    separated; blank (None) for a row that fails none. Same verdict as GX's "in {True}"."""
    out = np.full(len(frame), "", dtype=object)
    for c in checks:
        if not is_flag_check(c):
            continue
        v = frame[c.kwargs["column"]]
        fails = v.notna().to_numpy() & ~(v.astype(object) == True).to_numpy()  # noqa: E712 (True, not truthy)
        if fails.any():
            out[fails] = out[fails] + (flag_name(c) + " ")
    named = pd.Series(out, index=frame.index, dtype=object).str.rstrip()
    return named.where(named != "", None)


def batch_frame(batch: Batch) -> pd.DataFrame:
    """The batch's jobs' rows stacked: only the columns GX needs, strings as categoricals.

    Adds ``GX_ROW`` (0..n-1, GX reports unexpected rows by it), ``GX_JOB`` (the job's position
    in the batch), ``FLAGS_COLUMN`` (each row's failed flag checks; the flag columns themselves
    are left out) and, for uniqueness checks, ``<col>__in_job`` (job position and value).
    GX copies its whole frame for each expectation; a narrow frame of categoricals (integer
    codes) makes those copies cheap on a million rows.
    """
    plain = _columns([c for c in batch.checks if not is_flag_check(c)])
    flag_columns = [c.kwargs["column"] for c in batch.checks if is_flag_check(c)]
    cols = list(dict.fromkeys(plain + flag_columns))
    parts = [job.frame[cols + [ROW_ID]].assign(**{JOB_ID: np.int32(k)}) for k, job in enumerate(batch.jobs)]
    f = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    new: dict[str, Any] = {GX_ROW: np.arange(len(f))}
    if flag_columns:
        new[FLAGS_COLUMN] = failed_flags(f, batch.checks)
        f = f.drop(columns=[c for c in flag_columns if c not in plain])
    for c in _unique_columns(batch.checks):
        v = f[c]
        new[_in_job(c)] = (f[JOB_ID].astype("str") + "|" + v.astype("str")).where(v.notna())
    f = f.assign(**new)
    conv = {c: f[c].astype("category") for c in f.columns
            if c not in (GX_ROW, JOB_ID, ROW_ID) and pd.api.types.is_string_dtype(f[c]) and f[c].dtype != bool}
    return f.assign(**conv)


def run_jobs(jobs: list[Job], docs_dir: Path | None = None, run_name: str = "raw",
             runner: Runner = run_batches) -> list[JobResult]:
    """Run every job through GX, batched (``batch_jobs``), by ``runner`` (this process by
    default; see pipeline.validate.gx: two passes, Data Docs into ``docs_dir``, the run named
    ``run_name``). Returns each job's result in job order."""
    batches = batch_jobs(jobs)
    prepared = [Prepared(b.name, batch_frame(b), plan_units(b.checks)) for b in batches]
    outputs = runner(prepared, docs_dir, run_name)
    out: dict[int, JobResult] = {}
    for batch, ready, (first, detail) in zip(batches, prepared, outputs, strict=True):
        for job, job_result in zip(batch.jobs, split_result(batch, ready.units, ready.frame, first, detail), strict=True):
            out[id(job)] = job_result
    return [out[id(job)] for job in jobs]


def unexpected_by_check(unit: Unit, unexpected: list[dict]) -> dict[int, list[int]]:
    """The GX_ROWs each check of a unit failed, from its expectation's ``unexpected_index_list``
    (for the flag unit, each row's ``FLAGS_COLUMN`` value names the flags it failed)."""
    if not unit.flags:
        return {unit.checks[0]: [int(d[GX_ROW]) for d in unexpected]}
    rows: dict[int, list[int]] = {}
    for d in unexpected:
        for name in str(d[FLAGS_COLUMN]).split():
            for i in unit.flags[name]:
                rows.setdefault(i, []).append(int(d[GX_ROW]))
    return rows


def split_result(batch: Batch, units: list[Unit], frame: pd.DataFrame, res: dict,
                 detail: dict | None = None) -> list[JobResult]:
    """Each job's failed checks and unexpected SOURCE_ROWs, from its batch's GX results (JSON):
    which units failed (or could not be evaluated) from ``res``, their unexpected rows from
    ``detail`` (the second pass; ``res`` itself when it has complete results)."""
    results = [JobResult(True, batch.name, gx=res, detail=detail) for _ in batch.jobs]
    job_of = frame[JOB_ID].to_numpy()
    source_row = frame[ROW_ID].to_numpy()
    rerun_of = {unit_of(e): e for e in (detail or res).get("results", [])}
    for entry in res.get("results", []):
        if entry["success"]:
            continue
        u = unit_of(entry)
        rerun = rerun_of.get(u)
        message = raised_message(entry) or (raised_message(rerun) if rerun is not None else None)
        if message is not None:
            for jr in results:
                for i in units[u].checks:
                    jr.errors[i] = message
                jr.success = False
            continue
        unexpected = ((rerun.get("result") or {}).get("unexpected_index_list") or []) if rerun is not None else []
        if not unexpected:
            raise RuntimeError(f"{batch.name}: GX failed expectation {u} ({units[u].meta['rule']}) "
                               "but listed no unexpected row")
        for i, gx_rows in unexpected_by_check(units[u], unexpected).items():
            rows = np.array(gx_rows, dtype=np.int64)
            for k in np.unique(job_of[rows]):
                mine = rows[job_of[rows] == k]
                results[int(k)].unexpected[i] = [int(x) for x in source_row[mine]]
                results[int(k)].success = False
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


def failures_from_results(jobs: list[Job], results: list[JobResult]) -> pd.DataFrame:
    """The row-level failure table of every failed expectation (see rules.FAILURE_COLUMNS)."""
    parts = []
    for job, res in zip(jobs, results, strict=True):
        for i, message in res.errors.items():
            check = job.checks[i]
            raise RuntimeError(f"{job.name}: expectation for {check.rule} failed to run: {message}")
        for i, rows in sorted(res.unexpected.items()):
            parts.append(check_failures(job, job.checks[i], rows))
    if not parts:
        return failures_frame()
    out = pd.concat(parts, ignore_index=True)[FAILURE_COLUMNS]
    return out.sort_values(["file", "row", "rule"], kind="stable").reset_index(drop=True)


def _trim(entry: dict) -> dict:
    """A result entry with its unexpected-value lists cut to ``_TRIM`` items."""
    res_d = dict(entry.get("result") or {})
    for key in ("unexpected_list", "unexpected_index_list", "partial_unexpected_list",
                "partial_unexpected_index_list", "partial_unexpected_counts"):
        if isinstance(res_d.get(key), list) and len(res_d[key]) > _TRIM:
            res_d[key] = res_d[key][:_TRIM]
    res_d.pop("unexpected_index_query", None)
    return {**entry, "result": res_d}


def batch_result_json(name: str, first: dict, detail: dict | None) -> dict:
    """One batch's GX result as JSON: the first pass's entries, each failed one replaced by its
    second-pass entry (complete results, lists trimmed), GX's random ids replaced by
    ``<batch>:<unit>`` and its load time by ``RUN_TIME``."""
    rerun = {unit_of(e): e for e in (detail or {}).get("results", [])}
    entries = []
    for entry in first.get("results", []):
        entry = _trim(rerun.get(unit_of(entry), entry))
        config = {**entry["expectation_config"], "id": f"{name}:{unit_of(entry)}"}
        entries.append({**entry, "expectation_config": config})
    meta = dict(first.get("meta") or {})
    meta["validation_id"] = name
    if isinstance(meta.get("batch_markers"), dict) and "ge_load_time" in meta["batch_markers"]:
        meta["batch_markers"] = {**meta["batch_markers"], "ge_load_time": RUN_TIME.strftime("%Y%m%dT%H%M%S.%fZ")}
    if detail is not None:
        meta["second_pass"] = {"suite_name": detail.get("suite_name"), "result_format": "COMPLETE",
                               "units": sorted(rerun)}
    return {**first, "id": None, "meta": meta, "results": entries}


def results_json(jobs: list[Job], results: list[JobResult]) -> list[dict]:
    """GX results as JSON, one per batch (table), unexpected-value lists trimmed (failures.csv
    holds every row; GX_ROW is the row of the batch's stacked files, in the order listed).
    The same returns give the same JSON (no clock time, no random id)."""
    out, seen = [], set()
    for job, res in zip(jobs, results, strict=True):
        if res.batch in seen:
            continue
        seen.add(res.batch)
        members = [(j, r) for j, r in zip(jobs, results, strict=True) if r.batch == res.batch]
        out.append({"job": res.batch, "table": job.ctx.table, "suite": res.batch,
                    "files": [{"file": j.source_file, "return": j.ctx.return_name, "success": r.success} for j, r in members],
                    "result": batch_result_json(res.batch, res.gx or {}, res.detail)})
    return out


def input_run_name(files: pd.DataFrame) -> str:
    """The GX run's name: ``raw-`` and the first 12 hex digits of the sha256 of the input files'
    names and sha256 (``read_raw``'s file table), so results name the data they judged."""
    listing = "\n".join(f"{f} {h}" for f, h in sorted(zip(files["SOURCE_FILE"], files["sha256"], strict=True)))
    return f"raw-{sha256_text(listing)[:12]}"


def validate_raw(raw: RawData, docs_dir: Path | None = None,
                 runner: Runner = run_batches) -> tuple[pd.DataFrame, list[Job], list[JobResult]]:
    """Run every suite over the raw data (GX by ``runner``: see pipeline.validate.gx); return
    (row failures incl. file-level ones, jobs, results)."""
    jobs = build_jobs(raw)
    results = run_jobs(jobs, docs_dir, input_run_name(raw.files), runner) if jobs else []
    rows = failures_from_results(jobs, results)
    parts = [f for f in (raw.failures, rows) if len(f)]
    failures = pd.concat(parts, ignore_index=True) if parts else failures_frame()
    return failures[FAILURE_COLUMNS], jobs, results



