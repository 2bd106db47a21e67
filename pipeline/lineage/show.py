"""What ``python -m pipeline trace`` prints: a figure, how it was computed, its input files
and source rows (or the values another body published it is read from), and its recount
(:mod:`pipeline.commands.trace` parses the arguments).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd

from pipeline.config import Params
from pipeline.lineage.records import (
    COUNT,
    DERIVED,
    KEY_COLUMNS,
    PUBLISHED_BEFORE,
    Lineage,
    contributions_of,
    decode_sources,
    find_figure,
    raw_sources,
    suggest_figure_ids,
)
from pipeline.lineage.recount import check_raw_rows, compare_input_hashes, recount_figure
from pipeline.lineage.store import (
    FIGURES,
    TraceError,
    accepted_on_rows,
    earlier_values,
    lineage_dir,
    load_facts,
    published_values_of,
    read_accepted,
    read_lineage_store,
    read_published_tables,
    read_raw_rows,
    recount_store,
    relative_path,
    sha256_of,
)
from pipeline.periods import PeriodError, parse_quarter
from pipeline.tables import SourceRef


def trace(params: Params, figure_id: str | None, *, period: str | None = None, paper: str | None = None,
          list_figures: bool = False, recount: bool = False, limit: int | None = 20) -> int:
    """Print one figure's lineage (and its recount), or list every figure of the period's
    papers; the exit code: 1 when a recount fails. `limit`: source rows to print (None: all)."""
    slug = _slug(period, params)
    stores = _load_stores(params, slug, paper)
    if list_figures:
        return _list(stores, params, recount)
    if not figure_id:
        raise TraceError("give a figure id ('table_id|row|column'), or --list to see them")
    for lin, meta in stores.values():
        rec = find_figure(lin.figures, figure_id)
        if rec is not None:
            _print_figure(rec, lin, meta, params, slug, limit)
            return _print_recount(rec, lin, meta, params) if recount else 0
    ids = [f for lin, _ in stores.values() for f in lin.figures["figure_id"]]
    hint = suggest_figure_ids(figure_id, ids)
    msg = f"no figure {figure_id!r} in the {', '.join(stores)} paper(s) for {slug}"
    raise TraceError(msg + ("; did you mean: " + ", ".join(hint) if hint else "; see trace --list"))


def _slug(period: str | None, params: Params) -> str:
    if not period:
        return params.period.slug
    try:
        return parse_quarter(period).slug
    except PeriodError as exc:
        raise TraceError(str(exc)) from None


def _load_stores(params: Params, slug: str, paper: str | None) -> dict[str, tuple[Lineage, dict]]:
    root = lineage_dir(params, slug)
    dirs = sorted(d for d in root.glob("*") if (d / FIGURES).exists()) if root.exists() else []
    if paper:
        dirs = [d for d in dirs if d.name == paper]
    if not dirs:
        which = f"the {paper} paper" if paper else "any paper"
        raise TraceError(f"no lineage store for {which} of {slug} in {relative_path(root, params.paths.root)}/: "
                         "produce the paper first (python -m pipeline paper quarterly|sufficiency)")
    return {d.name: read_lineage_store(d) for d in dirs}


def _list(stores: Mapping[str, tuple[Lineage, dict]], params: Params, recount: bool) -> int:
    bad = 0
    for name, (lin, meta) in stores.items():
        print(f"{name} paper, {meta.get('period')}: {len(lin.figures)} figures")
        results = recount_store(lin, meta, params) if recount else {}
        for rec in lin.figures.itertuples(index=False):
            status = ""
            if recount:
                r = results[rec.figure_id]
                status = "  recount OK" if r.ok else "  RECOUNT FAILS: " + "; ".join(r.problems)
                bad += not r.ok
            print(f"  {rec.figure_id}  [{rec.kind}]{status}")
    if recount:
        total = sum(len(lin.figures) for lin, _ in stores.values())
        print(f"{total - bad} of {total} figures recount" + ("" if not bad else f"; {bad} do not"))
    return 1 if bad else 0


def _print_figure(rec, lin: Lineage, meta, params: Params, slug: str, limit: int | None) -> None:
    published = rec["published"] if pd.notna(rec["published"]) else None
    if published is None:
        published = read_published_tables(params.paths.report_dir(slug)).get(rec["figure_id"])
    shown = f"; published as {published}" if published is not None else ""
    print(f"Figure {rec['figure_id']}  ({rec['paper_id']} paper, {meta.get('period')})")
    print(f"  table {rec['table_id']} \"{rec['table_title']}\", row \"{rec['row']}\", column \"{rec['column']}\"")
    print(f"  value {rec['value']:g} {rec['unit']} (true value{shown})")
    print("\nHow it was computed")
    print(f"  built by {rec['builder']} with {_params_words(rec['parameters'])}")
    print(f"  {rec['description']}")
    if rec["kind"] == COUNT:
        print(f"  fact table {rec['fact']} ({int(rec['fact_rows'])} rows, content sha256 {rec['fact_hash'][:16]}...) "
              f"in {meta['facts_dir']}/{rec['fact']}.parquet")
    ids = json.loads(rec["inputs"] or "[]") if rec["kind"] == DERIVED else []
    for i in ids:
        sub = find_figure(lin.figures, i)
        words = f"{sub['value']:g}: {sub['description']}" if sub is not None else "no record"
        print(f"    input {i} = {words}")
    if ids:
        print("  (trace each input for its source rows)")
    if rec["kind"] == PUBLISHED_BEFORE:
        print(f"  published earlier: {rec['source']}")
    refs = decode_sources(rec.get("sources"))
    if refs:
        _print_published(refs, limit)
    rows = contributions_of(lin.contributions, rec["figure_id"])
    _print_inputs(lin.inputs, rows, {r.file for r in refs})
    if rec["kind"] == COUNT:
        _print_rows(rows, params, meta, limit)
        _print_accepted(accepted_on_rows(rows, read_accepted(params)))


def _params_words(text: str | None) -> str:
    if not text:
        return "no parameters"
    return ", ".join(f"{k}={v}" for k, v in json.loads(text).items())


def _print_published(refs: list[SourceRef], limit: int | None) -> None:
    """The values another body published that a figure is read or computed from, by file (the
    line as a spreadsheet numbers it, the column, the text there and what identifies the row)."""
    publishers = " and the ".join(sorted({r.publisher for r in refs}))
    more = f" (first {limit}; --all for every one)" if limit is not None and len(refs) > limit else ""
    print(f"\nPublished by the {publishers}: {len(refs)} value(s){more}")
    shown = refs if limit is None else refs[:limit]
    for (file, sha), group in _group_by_file(shown):
        print(f"  {file}  sha256 {sha}")
        for r in group:
            key = ", ".join(f"{k} {v}" for k, v in r.key)
            print(f"    line {r.line}, column {r.column} = {r.value}" + (f"  ({key})" if key else ""))


def _group_by_file(refs: list[SourceRef]) -> list[tuple[tuple[str, str], list[SourceRef]]]:
    """Refs grouped by (file, sha256), in the order first named (each group in line order)."""
    groups: dict[tuple[str, str], list[SourceRef]] = {}
    for r in refs:
        groups.setdefault((r.file, r.sha256), []).append(r)
    return [(k, sorted(v, key=lambda r: (r.line, r.column))) for k, v in groups.items()]


def _print_inputs(inputs: pd.DataFrame, rows: pd.DataFrame, published: set[str] | frozenset[str] = frozenset()) -> None:
    files = set(rows["SOURCE_FILE"].dropna()) | set(published)
    used = inputs[inputs["file"].isin(files)] if files else inputs
    print(f"\nInput files ({'those the figure comes from' if files else 'all raw inputs'})")
    if used.empty:
        print("  none recorded (no validated manifest.json when the paper was produced)")
    for r in used.itertuples(index=False):
        dvc = f"; DVC {r.dvc_path} md5 {r.dvc_md5}" if isinstance(r.dvc_md5, str) else ""
        print(f"  {r.file}  sha256 {r.sha256}{dvc}")


def _print_rows(rows: pd.DataFrame, params: Params, meta, limit: int | None) -> None:
    keys = [k for k in KEY_COLUMNS if rows[k].notna().any()]
    print(f"\nContributing source rows: {len(rows)}" + (f" (first {limit}; --all for every one)"
                                                       if limit is not None and len(rows) > limit else ""))
    shown = rows if limit is None else rows.head(limit)
    if shown.empty:
        return
    print(_indent(shown[["FACT_ROW", *keys]].to_string(index=False)))
    raw_dir = params.paths.root / meta["raw_dir"]
    src = raw_sources(shown)
    if src.empty:
        return
    print("\nThe raw rows themselves")
    for file, group in src.groupby("SOURCE_FILE", sort=True):
        path = raw_dir / file
        if not path.exists():
            print(f"  {file}: no longer present")
            continue
        raw = read_raw_rows(path, set(int(r) for r in group["SOURCE_ROW"]))
        frame = pd.DataFrame.from_dict(raw, orient="index")
        frame.index.name = "row"
        print(f"  {file}")
        print(_indent(frame.to_string(), 4))


def _print_accepted(accepted: pd.DataFrame) -> None:
    if accepted.empty:
        print("\nAccepted exceptions on these source rows: none")
        return
    print(f"\nAccepted exceptions on these source rows: {len(accepted)} (validation errors reviewed and accepted; "
          "the rows are counted as recorded)")
    cols = ["file", "row", "CHILD", "rule", "policy", "reason", "accepted_by", "accepted_on"]
    print(_indent(accepted[cols].to_string(index=False)))


def _indent(text: str, n: int = 2) -> str:
    return "\n".join(" " * n + line for line in text.splitlines())


def _print_recount(rec, lin: Lineage, meta, params: Params) -> int:
    figure_id = rec["figure_id"]
    facts = load_facts(_facts_used(rec, lin), params.paths.root / meta["facts_dir"])
    raw_dir = params.paths.root / meta["raw_dir"]
    ids = json.loads(rec["inputs"] or "[]") if rec["kind"] == DERIVED else []
    used = lin.figures[lin.figures["figure_id"].isin([figure_id, *ids])]
    result = recount_figure(figure_id, lin.figures, lin.contributions, facts,
                            earlier_values(lin.figures, params), published_values_of(used, raw_dir))
    rows = contributions_of(lin.contributions, figure_id)
    if rec["kind"] == DERIVED:
        rows = lin.contributions[lin.contributions["figure_id"].isin(json.loads(rec["inputs"] or "[]"))]
    raw, raw_problems = _read_back_raw_rows(rows, raw_dir)
    files = set(rows["SOURCE_FILE"].dropna()) | {r.file for r in decode_sources(rec.get("sources"))}
    inputs = lin.inputs[lin.inputs["file"].isin(files)] if files else lin.inputs
    hashes = compare_input_hashes(inputs, {f: sha256_of(raw_dir / f) for f in inputs["file"]})
    print("\nRecount")
    for line in result.checks:
        print(f"  ok: {line}")
    if not raw_problems and len(raw):
        print(f"  ok: the {len(raw)} raw row(s) read back carry the recorded CHILD/EVENT_ID/DECOM")
    if not hashes.empty and not hashes["changed"].any():
        print(f"  ok: the {len(hashes)} input file(s) are unchanged since publication (sha256)")
    problems = list(result.problems) + _describe_changed_inputs(hashes) + raw_problems
    for line in problems:
        print(f"  PROBLEM: {line}")
    if problems:
        print(f"Result: {figure_id} does NOT recount ({len(problems)} problem(s))")
        return 1
    print(f"Result: {figure_id} recounts: {result.recomputed:g} matches the published record")
    return 0


def _facts_used(rec, lin: Lineage) -> set[str]:
    """The fact tables a figure's recount reads (a derived figure's: its inputs')."""
    names = {rec["fact"]} if pd.notna(rec["fact"]) else set()
    if rec["kind"] == DERIVED:
        ids = json.loads(rec["inputs"] or "[]")
        names |= set(lin.figures.loc[lin.figures["figure_id"].isin(ids), "fact"].dropna())
    return names


def _read_back_raw_rows(rows: pd.DataFrame, raw_dir) -> tuple[dict[tuple[str, int], dict[str, str]], list[str]]:
    """The contributing raw rows read back by (file, row), and the problems found in them."""
    raw: dict[tuple[str, int], dict[str, str]] = {}
    absent = []
    for file, group in raw_sources(rows).groupby("SOURCE_FILE"):
        if (raw_dir / file).exists():
            raw.update({(file, n): v for n, v in read_raw_rows(raw_dir / file, set(map(int, group["SOURCE_ROW"]))).items()})
        else:
            absent.append(file)
    present = rows[~rows["SOURCE_FILE"].isin(absent)]
    problems = [f"raw file {f} is not present: its rows cannot be read back" for f in absent]
    return raw, problems + check_raw_rows(present, raw)


def _describe_changed_inputs(hashes: pd.DataFrame) -> list[str]:
    """One problem naming the input files changed or removed since publication, if any."""
    changed = hashes[hashes["changed"]]
    if not len(changed):
        return []
    return ["the data changed since publication: " + ", ".join(
        f"{f} ({'removed' if now is None else 'sha256 now ' + now[:12] + '...'})"
        for f, now in zip(changed["file"], changed["sha256_now"], strict=True))]
