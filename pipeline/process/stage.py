"""The process stage (`python -m pipeline process`): build the fact tables from validated data.

Reads data/processed/validated/<table>.parquet (written by `python -m pipeline validate`)
and writes data/processed/facts/<fact>.parquet and facts/manifest.json (rows, columns and
sha256 of each fact table, the period and the validated files used).

The fact jobs of pipeline.process.catalog run in forked worker processes (``--workers``,
default the CPUs available, at most MAX_DEFAULT_WORKERS): the workers inherit the frames they
start from, write their own tables and send back only manifest entries. Every file is the
same, byte for byte, whatever the number of workers.
"""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd

from pipeline.config import Params
from pipeline.errors import InputError, PipelineError
from pipeline.store import (
    Layout,
    list_validated,
    read_facts,
    read_manifest,
    read_validated,
    write_facts_manifest,
    write_table,
)

MAX_DEFAULT_WORKERS = 4


def fingerprint_inputs(validated_dir: Path, params: Params) -> dict[str, str]:
    """What the fact tables depend on, for the manifest: the sha256 of the validated data's
    manifest.json (missing when it has none) and of the parameters the builders read
    (pipeline.freshness.FACT_PARAMS)."""
    from pipeline.freshness import fingerprint_facts_inputs

    return fingerprint_facts_inputs(validated_dir, params)


def write_manifest(entries: dict[str, dict], folder: Path, params: Params, sources: list[str],
                   inputs: dict[str, str] | None = None) -> Path:
    """Remove fact files not in `entries` (from :func:`pipeline.store.write_table`) and write the manifest
    (with `inputs`, from :func:`fingerprint_inputs`, when given); return its path."""
    for old in folder.glob("*.parquet"):
        if old.stem not in entries:
            old.unlink()
    manifest = {"period": params.period.label, "validated_tables": sources, **(inputs or {}),
                "facts": dict(sorted(entries.items()))}
    return write_facts_manifest(folder, manifest)


def write_facts(facts: dict[str, pd.DataFrame], folder: Path, params: Params, sources: list[str],
                inputs: dict[str, str] | None = None) -> Path:
    """Write each fact table as parquet plus a manifest (with `inputs`, from
    :func:`fingerprint_inputs`, when given); return the manifest's path."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = {name: write_table(frame, folder / f"{name}.parquet") for name, frame in sorted(facts.items())}
    return write_manifest(entries, folder, params, sources, inputs)


# What the worker processes start from, set before they are forked (they inherit it: nothing
# large is pickled): (validated tables, params, folder) for the early jobs, (shared frames,
# folder) for the later ones.
_JOB_STATE: tuple | None = None


def _write_all(facts: dict[str, pd.DataFrame], folder: Path) -> dict[str, dict]:
    return {name: write_table(frame, folder / f"{name}.parquet") for name, frame in facts.items()}


def _run_early_job(index: int) -> tuple[dict[str, dict], dict[str, pd.DataFrame]]:
    """Build early job `index` of catalog.EARLY_JOBS and write its tables: their manifest
    entries, and what later jobs read of them (catalog.select_handed_on)."""
    from pipeline.process.catalog import EARLY_JOBS, select_handed_on

    validated, params, folder = _JOB_STATE
    facts = EARLY_JOBS[index](validated, params)
    return _write_all(facts, folder), select_handed_on(facts)


def _run_job(index: int) -> dict[str, dict]:
    """Build job `index` of catalog.FACT_JOBS from the shared frames and write its tables:
    their manifest entries."""
    from pipeline.process.catalog import FACT_JOBS

    shared, folder = _JOB_STATE
    return _write_all(FACT_JOBS[index](shared), folder)


def build_and_write_facts(validated: dict[str, pd.DataFrame], params: Params, folder: Path,
                          workers: int) -> dict[str, dict]:
    """Build every fact table of the catalog and write it into `folder`; the manifest entries
    by fact name. With several `workers`, forked processes run the early jobs while this one
    derives the shared frames, then the later jobs; the files are the same whatever the
    number of workers."""
    global _JOB_STATE
    from pipeline.process import catalog

    catalog.check_required(validated)
    folder.mkdir(parents=True, exist_ok=True)
    early_jobs, jobs = range(len(catalog.EARLY_JOBS)), range(len(catalog.FACT_JOBS))
    try:
        _JOB_STATE = (validated, params, folder)
        if workers <= 1:
            early = [_run_early_job(i) for i in early_jobs]
            shared = catalog.derive_shared(validated, params)
        else:
            with _fork_pool(1) as pool:
                running = pool.map(_run_early_job, early_jobs)   # the worker is forked here
                shared = catalog.derive_shared(validated, params)
                early = list(running)
        entries = catalog.merge_facts([e for e, _ in early])
        _JOB_STATE = (catalog.hand_on(shared, catalog.merge_facts([h for _, h in early])), folder)
        if workers <= 1:
            return catalog.merge_facts([entries, *(_run_job(i) for i in jobs)])
        with _fork_pool(min(workers, len(jobs))) as pool:
            return catalog.merge_facts([entries, *pool.map(_run_job, jobs)])
    except BrokenProcessPool:
        raise PipelineError("a worker process building the fact tables died (out of memory?); "
                            "rerun with --workers 1 to build them in one process") from None
    finally:
        _JOB_STATE = None


def _fork_pool(workers: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


def can_fork() -> bool:
    """Whether worker processes can be forked safely here: Linux only (Windows has no fork;
    on macOS system frameworks are not fork-safe)."""
    import multiprocessing
    import sys

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def default_workers() -> int:
    """The CPUs this process may use, at most MAX_DEFAULT_WORKERS; 1 where it cannot fork."""
    if not can_fork():
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


def read_current_facts(folder: Path, validated_dir: Path, params: Params) -> dict[str, pd.DataFrame] | None:
    """The fact tables in `folder` if its manifest says they were built from the validated
    data now in `validated_dir` (same manifest, same tables) with the same parameters; None
    otherwise (no manifest, another period, other parameters, re-validated data)."""
    manifest = read_manifest(folder)
    if manifest is None:
        return None
    inputs = fingerprint_inputs(validated_dir, params)
    if inputs["validated_manifest_sha256"] is None or any(manifest.get(k) != v for k, v in inputs.items()):
        return None
    tables = sorted(p.stem for p in validated_dir.glob("*.parquet"))
    if manifest.get("validated_tables") != tables or sorted(manifest.get("facts", {})) != sorted(
            p.stem for p in folder.glob("*.parquet")):
        return None
    return read_facts(folder)


def run_process(params: Params, *, validated: Path | None = None, out: Path | None = None,
                workers: int | None = None) -> int:
    """Build every fact table from `validated` (default <processed>/validated, which must be
    current) into `out` (default <processed>/facts) with `workers` processes."""
    from pipeline.process.catalog import USED_TABLES

    validated_dir = validated or Layout(params.paths).validated
    if validated is None:
        from pipeline.freshness import require_current, validated_problems

        require_current(validated_problems(params.paths.processed, params.paths.raw), "process")
    out_dir = out or Layout(params.paths).facts
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise InputError(f"--workers must be at least 1, not {workers}")
    if workers > 1 and not can_fork():
        raise InputError(f"--workers {workers}: worker processes are forked, which only Linux supports "
                         "safely; use --workers 1")
    entries = build_and_write_facts(read_validated(validated_dir, USED_TABLES), params, out_dir, workers)
    manifest = write_manifest(entries, out_dir, params, list_validated(validated_dir),
                              fingerprint_inputs(validated_dir, params))
    width = max(map(len, entries))
    for name, entry in sorted(entries.items()):
        print(f"{name:<{width}}  {entry['rows']:>9,} rows")
    print(f"facts written to {out_dir} ({manifest.name})")
    return 0
