"""The validate stage (`python -m pipeline validate`): validate the raw returns with Great
Expectations, stitch the years, write validated tables.

Reports go to --out (default <processed>/validation): failures.csv, warnings.csv,
exclusions.csv, stitch_log.csv, summary.json, gx_results.json and data_docs/ (offline HTML).
Validated tables go to <processed>/validated/*.parquet with manifest.json, only when no
error-severity rule failed; otherwise the command exits non-zero with a short summary.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError
from pipeline.store import Layout, record_path, sha256_file, write_validated_manifest


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")


def _clear_validated(folder: Path) -> None:
    """Remove this stage's earlier outputs so that no stale table is read downstream."""
    if folder.is_dir():
        for p in list(folder.glob("*.parquet")) + [folder / "manifest.json"]:
            if p.exists():
                p.unlink()


def exceptions_path(arg: str | None, raw_dir: Path) -> Path | None:
    """The exceptions file to use: --accept (must exist), else the default in the raw folder if present."""
    from pipeline.readers import ACCEPTED_EXCEPTIONS_FILE

    if arg:
        path = Path(arg)
        if not path.is_file():
            raise InputError(f"--accept {arg}: no such file")
        return path
    default = raw_dir / ACCEPTED_EXCEPTIONS_FILE
    return default if default.is_file() else None


def run_validate(params, *, raw_dir: Path | None = None, out: Path | None = None, processed: Path | None = None,
                 year: str | None = None, la: str | None = None, as_of: date | None = None, docs: bool = True,
                 accepted_file: str | None = None) -> int:
    """Validate the returns in `raw_dir` (default params paths.raw); reports to `out` (default
    <processed>/validation), tables to <processed>/validated (default params paths.processed)."""
    from pipeline.readers import read_raw
    from pipeline.validate import accept, report
    from pipeline.validate.assemble import assemble_validated, kept_by_file
    from pipeline.validate.dfe import with_dfe_rules
    from pipeline.validate.rules import WARNING
    from pipeline.validate.run import results_json, validate_raw

    raw_dir = raw_dir or params.paths.raw
    where = Layout(params.paths if processed is None else replace(params.paths, processed=processed))
    out = out or where.validation
    validated = where.validated
    exc_path = exceptions_path(accepted_file, raw_dir)
    exceptions = accept.read_exceptions(exc_path) if exc_path else accept.empty_exceptions()
    out.mkdir(parents=True, exist_ok=True)
    _clear_validated(validated)

    raw = read_raw(raw_dir, year=year, la=la)
    with tempfile.TemporaryDirectory() as tmp:
        docs_tmp = Path(tmp) if docs else None
        failures, jobs, results = validate_raw(raw, docs_tmp)
        failures = add_local_rule_failures(failures, raw)
        if docs_tmp is not None and jobs:
            status = [(r.batch, f"{j.source_file}" + (f" ({j.ctx.return_name})" if j.ctx.return_name and j.ctx.return_name not in j.source_file else ""), bool(r.success))
                      for j, r in zip(jobs, results, strict=True)]
            report.make_docs_offline(docs_tmp, out / "data_docs", status)
    (out / "gx_results.json").write_text(json.dumps(results_json(jobs, results), indent=1, default=str))

    applied = accept.apply_exceptions(with_dfe_rules(failures), exceptions)
    failures = applied.failures
    refused = accept.blocking(failures).any()
    assembled = None
    if not refused:
        assembled = assemble_validated(accept.set_aside(raw, applied.accepted), as_of=as_of)
        if len(assembled.failures):
            failures = pd.concat([failures, with_dfe_rules(assembled.failures).assign(accepted=pd.NA)], ignore_index=True)
            refused = True

    _write_csv(failures, out / "failures.csv")
    _write_csv(failures[failures["severity"] == WARNING], out / "warnings.csv")
    _write_csv(applied.accepted, out / "accepted.csv")
    _write_csv(applied.stale, out / "stale_exceptions.csv")
    returns = list(raw.returns)
    if len(applied.stale):
        print(f"warning: {len(applied.stale)} accepted exception(s) in {exc_path} match no failure any more "
              f"(lines {', '.join(map(str, applied.stale['exception_line'].head(10)))}); see {out}/stale_exceptions.csv")
    accepted_summary = {"file": str(exc_path) if exc_path else None, "rules": accept.count_by_rule(applied.accepted),
                        "rows": len(applied.accepted), "stale": len(applied.stale)}
    if refused:
        summary = report.summarise(failures, raw.files, None, None, layout=raw.layout, returns=returns)
        summary["accepted"] = accepted_summary
        _write_csv(raw.excluded, out / "exclusions.csv")
        for name in ("stitch_log.csv",):
            (out / name).unlink(missing_ok=True)
        (out / "summary.json").write_text(json.dumps(summary, indent=1))
        raise InputError(report.refusal_message(failures, str(out)))

    kept = kept_by_file(assembled.tables)
    excluded = report.count_by_file(assembled.exclusions)
    summary = report.summarise(failures, raw.files, kept, excluded, layout=raw.layout, returns=returns)
    summary["accepted"] = accepted_summary
    _write_csv(assembled.exclusions, out / "exclusions.csv")
    _write_csv(assembled.stitch_log, out / "stitch_log.csv")
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    if not summary.get("reconciled", False):
        raise InputError(f"row counts do not reconcile (read != kept + excluded); see {out}/summary.json")

    validated.mkdir(parents=True, exist_ok=True)
    for table, frame in assembled.tables.items():
        frame.to_parquet(validated / f"{table}.parquet", index=False)
    manifest = {
        "raw": record_path(raw_dir, validated),  # relative: the same manifest in every checkout
        "as_of": as_of.isoformat() if as_of else None,
        "returns": returns,
        "files": [
            {"SOURCE_FILE": r.SOURCE_FILE, "table": r.table, "sha256": r.sha256, "rows_read": int(r.rows_read),
             "rows_kept": int(kept.get(r.SOURCE_FILE, 0)), "rows_excluded": int(excluded.get(r.SOURCE_FILE, 0))}
            for r in raw.files.itertuples(index=False)
        ],
        "tables": {t: {"rows": len(f), "sha256_of_parquet": sha256_file(validated / f"{t}.parquet")} for t, f in assembled.tables.items()},
        # the reviewed exceptions applied (pipeline.freshness compares them with the file now there)
        "accepted_exceptions": {"file": record_path(exc_path, validated), "sha256": sha256_file(exc_path)} if exc_path else None,
    }
    write_validated_manifest(validated, manifest)
    if len(applied.accepted):
        print(f"accepted {len(applied.accepted)} error(s) listed in {exc_path}: "
              + ", ".join(f"{r} {v['rows']} ({v['policy']})" for r, v in accepted_summary["rules"].items())
              + f"; see {out}/accepted.csv")
    print(f"validated {len(raw.files)} file(s), {summary['rows']['read']} rows: {summary['errors']} errors, {summary['warnings']} warning(s); "
          f"kept {summary['rows']['kept']}, excluded {summary['rows']['excluded']} (see {out}/exclusions.csv)")
    print(f"tables: {validated}/ ({', '.join(sorted(assembled.tables))}); reports: {out}/")
    return 0


def add_local_rule_failures(failures: pd.DataFrame, raw) -> pd.DataFrame:
    """The failures plus those of the local files' cross-row rules (pipeline.validate.local_rules)."""
    from pipeline.validate.local_rules import local_rule_failures

    covered = pd.Timestamp(max(lbl.end for lbl in raw.returns.values())) if raw.returns else None
    extra = local_rule_failures(raw.tables, covered)
    return pd.concat([failures, extra], ignore_index=True) if len(extra) else failures

