"""The stage of `python -m pipeline disclosure`: protect or audit ad-hoc wide tables
(small-number suppression with an LP audit). Usage and table format (the command's help):
pipeline/commands/disclosure.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pipeline.config import DisclosureParams, load_params
from pipeline.errors import DisclosureError, InputError


def settings(params_file: Path, overrides: list[str] | None = None, *, threshold: int | None = None,
             min_interval: int | None = None, zero: str | None = None, symbol: str | None = None) -> DisclosureParams:
    """params.yaml's disclosure section when it exists, then the command-line options."""
    base = DisclosureParams()
    if params_file.exists():
        base = load_params(params_file, overrides).disclosure
    chosen = threshold if threshold is not None else base.threshold
    interval = min_interval if min_interval is not None else (chosen if threshold is not None else base.min_interval)
    return replace(base, threshold=chosen, min_interval=interval, zero=zero or base.zero, symbol=symbol or base.symbol)


def read_tables(paths: list[Path]) -> dict[str, pd.DataFrame]:  # noqa: F821
    import pandas as pd

    frames = {}
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file")
        if path.stem in frames:
            raise InputError(f"two tables are called {path.stem!r}: rename one file")
        try:
            frames[path.stem] = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"{path}: cannot read as CSV ({exc})") from None
    return frames


def run_adhoc(action: str, tables: list[Path], disclosure: DisclosureParams, out: Path | None = None) -> int:
    """`action` "protect" (writing to `out`) or "audit" the wide CSV `tables`."""
    from pipeline.disclosure.audit import audit_paper
    from pipeline.disclosure.protect import protect_paper
    from pipeline.disclosure.wide import shown_to_wide, suppressed_cells, wide_paper

    frames = read_tables(tables)
    paper, warnings = wide_paper(frames, disclosure.symbol)
    for w in warnings:
        print(f"warning: {w}")
    links = len(paper.links)
    print(f"{len(paper.tables)} table(s), {links} link(s) between them; threshold {disclosure.threshold}, "
          f"minimum interval {disclosure.min_interval}, zeros {disclosure.zero}")
    if action == "audit":
        hidden = suppressed_cells(paper, disclosure.symbol)
        report = audit_paper(paper, hidden, disclosure, primary=[], exact=True)
        print(report.summary())
        if report.passed:
            for v in report.cells:
                print(f"  {v.cell.id}: {v.interval_text()}")
            return 0
        return DisclosureError.exit_code

    if suppressed_cells(paper, disclosure.symbol):
        raise InputError(f"protect needs the true counts, but some cells already hold {disclosure.symbol!r}: "
                         "use `disclosure audit` for tables that are already suppressed")
    for t in paper.tables:
        t.values = t.values.astype(float)
    protected = protect_paper(paper, disclosure)
    out.mkdir(parents=True, exist_ok=True)
    for t in paper.tables:
        header = str(frames[t.table_id].columns[0])
        shown_to_wide(protected.shown(t.table_id), header).to_csv(out / f"{t.table_id}.csv", index=False)
    log_path = out / "RESTRICTED-suppression-log.csv"
    protected.log_frame().to_csv(log_path, index=False)
    counts = {}
    for s in protected.status.values():
        counts[s] = counts.get(s, 0) + 1
    print(f"{counts.get('primary', 0)} primary and {counts.get('secondary', 0)} secondary cell(s) suppressed")
    print(protected.audit.summary())
    print(f"wrote {len(paper.tables)} protected table(s) to {out}/ and the restricted log {log_path.name} "
          "(true values: never publish it)")
    return 0
