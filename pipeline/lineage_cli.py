"""Trace a published figure to its source rows: ``python -m pipeline trace FIGURE_ID``.

Figure ids are ``table_id|row|column`` (quote them in the shell). The lineage store is
written when a paper is produced (``python -m pipeline paper ...``) under the period's
restricted folder, never under reports/.

  trace 'Q01_exits_by_route|Adoption|Q2'            the figure, its selection, inputs, rows
  trace 'Q01_exits_by_route|Adoption|Q2' --recount  recount it from those rows alone
  trace --list [--paper quarterly]                  every figure id of the period's papers
  trace --list --recount                            recount every figure (summary)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import lineage
from pipeline.config import Params
from pipeline.errors import PipelineError
from pipeline.periods import PeriodError, parse_quarter

FIGURES, CONTRIBUTIONS, INPUTS, META = "figures.parquet", "contributions.parquet", "inputs.parquet", "meta.json"


class TraceError(PipelineError):
    """A figure or lineage store that cannot be found."""


# --- the store on disk ---------------------------------------------------------------------------


def lineage_dir(params: Params, slug: str) -> Path:
    """Where the period's lineage stores live (restricted output)."""
    return params.paths.restricted_dir(slug) / "lineage"


def write_lineage_store(lin: lineage.Lineage, directory: Path, meta: Mapping[str, Any]) -> Path:
    """Write one paper's store (three parquet files and meta.json) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    lin.figures.to_parquet(directory / FIGURES, index=False)
    lin.contributions.to_parquet(directory / CONTRIBUTIONS, index=False)
    lin.inputs.to_parquet(directory / INPUTS, index=False)
    (directory / META).write_text(json.dumps(dict(meta), indent=2, sort_keys=True, default=str) + "\n")
    return directory


def read_lineage_store(directory: Path) -> tuple[lineage.Lineage, dict[str, Any]]:
    """Read back what :func:`write_lineage_store` wrote."""
    lin = lineage.Lineage(pd.read_parquet(directory / FIGURES), pd.read_parquet(directory / CONTRIBUTIONS),
                          pd.read_parquet(directory / INPUTS))
    return lin, json.loads((directory / META).read_text())


def load_inputs(params: Params) -> pd.DataFrame:
    """The raw inputs recorded by validation (manifest.json), with DVC's md5 if dvc.lock exists."""
    import yaml

    manifest_path = params.paths.processed / "validated" / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else []
    lock_path = params.paths.root / "dvc.lock"
    lock = yaml.safe_load(lock_path.read_text()) if lock_path.exists() else None
    return lineage.summarise_inputs(manifest, lock, _relative(params.paths.raw, params.paths.root))


def record_paper_lineage(
    paper: Any,
    facts: Mapping[str, pd.DataFrame],
    params: Params,
    builder: str,
    *,
    slug: str | None = None,
    published: Mapping[str, str] | None = None,
    sources: Mapping[str, str] | None = None,
    facts_dir: Path | None = None,
) -> Path:
    """Build and write the lineage store of a paper just produced (the one call ``paper`` makes).

    `builder` is the paper builder's dotted name; `published` the shown strings by figure id;
    `sources` where figures copied from earlier papers come from (revisions); `facts_dir`
    the folder the fact tables were read from (default data/processed/facts).
    """
    slug = slug or params.period.slug
    lin = lineage.build_lineage(paper, facts, builder=builder, parameters=lineage.describe_parameters(params),
                                inputs=load_inputs(params), published=published, sources=sources)
    facts_dir = facts_dir or params.paths.processed / "facts"
    meta = {"paper_id": paper.paper_id, "period": params.period.label, "slug": slug,
            "facts_dir": _relative(facts_dir, params.paths.root),
            "raw_dir": _relative(params.paths.raw, params.paths.root), "figures": len(lin.figures)}
    return write_lineage_store(lin, lineage_dir(params, slug) / paper.paper_id, meta)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def read_earlier_papers(params: Params, paper_id: str = "quarterly") -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Every earlier period's published tables (reports/<slug>/tables/<paper>/*.csv, or
    tables/*.csv, as strings) and,
    where kept, its lineage store's contributions: (slug -> tables, slug -> contributions)."""
    published, contributions = {}, {}
    reports = params.paths.reports
    for folder in sorted(reports.glob("*/tables")) if reports.exists() else []:
        slug = folder.parent.name
        if slug == params.period.slug:
            continue
        if (folder / paper_id).is_dir():
            folder = folder / paper_id
        frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(folder.glob("*.csv"))]
        frames = [f for f in frames if {"table_id", "row", "column", "value"} <= set(f.columns)]
        if frames:
            published[slug] = pd.concat(frames, ignore_index=True)
        store = lineage_dir(params, slug) / paper_id / CONTRIBUTIONS
        if store.exists():
            contributions[slug] = pd.read_parquet(store)
    return published, contributions


def read_stitch_log(params: Params) -> pd.DataFrame | None:
    """The validation stage's stitching log (<processed>/validation/stitch_log.csv), if any."""
    path = params.paths.processed / "validation" / "stitch_log.csv"
    if not path.exists():
        return None
    log = pd.read_csv(path, dtype=str, keep_default_na=False)
    return log.assign(DECOM=pd.to_datetime(log["DECOM"], errors="coerce"))


def revise_paper(paper: Any, facts: Mapping[str, pd.DataFrame], params: Params, build_paper: Any) -> tuple[Any, Any]:
    """The paper with the "Revisions to previously reported figures" table added (when any
    earlier paper's figure changed), and the :class:`~pipeline.papers.revisions.Revisions`
    (its ``reasons`` are restricted; its ``sources`` go to :func:`record_paper_lineage`)."""
    from pipeline.papers import revisions as rv

    published, contributions = read_earlier_papers(params, paper.paper_id)
    log = read_stitch_log(params)
    corrections = rv.list_corrections(log, facts) if log is not None else None
    revs = rv.revise_earlier_papers(build_paper, facts, params, published, contributions, corrections)
    return rv.add_revisions(paper, revs), revs


# --- reading raw rows, fact tables and earlier papers ---------------------------------------------


def read_raw_rows(path: Path, rows: set[int] | None = None) -> dict[int, dict[str, str]]:
    """Data rows of a raw CSV (1-based, header excluded) as strings exactly as written."""
    text = path.read_bytes().decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in next(reader, [])]
    out = {}
    for number, values in enumerate(reader, start=1):
        if rows is None or number in rows:
            out[number] = dict(zip(header, values, strict=False))
    return out


def sha256_of(path: Path) -> str | None:
    if not path.exists():
        return None
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_published_tables(report_dir: Path) -> dict[str, str]:
    """figure id -> the string published, from the period's tidy CSV tables
    (``tables/*.csv`` or ``tables/<paper>/*.csv``)."""
    out: dict[str, str] = {}
    for path in sorted((report_dir / "tables").rglob("*.csv")):
        from pipeline.render.safe_text import restore_frame

        frame = restore_frame(pd.read_csv(path, dtype=str, keep_default_na=False))
        if not {"table_id", "row", "column", "value"} <= set(frame.columns):
            continue
        for t, r, c, v in frame[["table_id", "row", "column", "value"]].itertuples(index=False):
            out[f"{t}|{r}|{c}"] = v
    return out


def earlier_values(figures: pd.DataFrame, params: Params) -> dict[str, str]:
    """source -> shown value for every figure copied from an earlier paper (``slug#figure id``)."""
    out: dict[str, str] = {}
    sources = figures.loc[figures["kind"] == lineage.PUBLISHED_BEFORE, "source"].dropna()
    cache: dict[str, dict[str, str]] = {}
    for source in sources:
        slug, _, fid = source.partition("#")
        if slug not in cache:
            cache[slug] = read_published_tables(params.paths.report_dir(slug))
        if fid in cache[slug]:
            out[source] = cache[slug][fid]
    return out


def load_facts(names: set[str], facts_dir: Path) -> dict[str, pd.DataFrame]:
    return {n: pd.read_parquet(facts_dir / f"{n}.parquet") for n in names if (facts_dir / f"{n}.parquet").exists()}


# --- the command ---------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("figure_id", nargs="?", help="figure id: 'table_id|row|column' (quote it)")
    parser.add_argument("--period", help="the paper's period, e.g. '2026-27 Q2' (default: params.yaml)")
    parser.add_argument("--recount", action="store_true",
                        help="recount the figure from its source rows and check the input files")
    parser.add_argument("--list", action="store_true", help="list every figure id of the period's papers")
    parser.add_argument("--paper", choices=["quarterly", "sufficiency"], help="only this paper")
    parser.add_argument("--limit", type=int, default=20, help="source rows to print (default 20)")
    parser.add_argument("--all", action="store_true", help="print every source row")


def run(args: argparse.Namespace, params: Params) -> int:
    slug = _slug(args.period, params)
    stores = _load_stores(params, slug, args.paper)
    if args.list:
        return _list(stores, params, args.recount)
    if not args.figure_id:
        raise TraceError("give a figure id ('table_id|row|column'), or --list to see them")
    for lin, meta in stores.values():
        rec = lineage.find_figure(lin.figures, args.figure_id)
        if rec is not None:
            limit = None if args.all else args.limit
            _print_figure(rec, lin, meta, params, slug, limit)
            return _print_recount(rec, lin, meta, params) if args.recount else 0
    ids = [f for lin, _ in stores.values() for f in lin.figures["figure_id"]]
    hint = lineage.suggest_figure_ids(args.figure_id, ids)
    msg = f"no figure {args.figure_id!r} in the {', '.join(stores)} paper(s) for {slug}"
    raise TraceError(msg + ("; did you mean: " + ", ".join(hint) if hint else "; see trace --list"))


def _slug(period: str | None, params: Params) -> str:
    if not period:
        return params.period.slug
    try:
        return parse_quarter(period).slug
    except PeriodError as exc:
        raise TraceError(str(exc)) from None


def _load_stores(params: Params, slug: str, paper: str | None) -> dict[str, tuple[lineage.Lineage, dict]]:
    root = lineage_dir(params, slug)
    dirs = sorted(d for d in root.glob("*") if (d / FIGURES).exists()) if root.exists() else []
    if paper:
        dirs = [d for d in dirs if d.name == paper]
    if not dirs:
        which = f"the {paper} paper" if paper else "any paper"
        raise TraceError(f"no lineage store for {which} of {slug} in {_relative(root, params.paths.root)}/: "
                         "produce the paper first (python -m pipeline paper quarterly|sufficiency)")
    return {d.name: read_lineage_store(d) for d in dirs}


def _list(stores: Mapping[str, tuple[lineage.Lineage, dict]], params: Params, recount: bool) -> int:
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


def recount_store(lin: lineage.Lineage, meta: Mapping[str, Any], params: Params) -> dict[str, lineage.Recount]:
    """Recount every figure of a store against the fact tables and earlier papers on disk."""
    facts = load_facts(set(lin.figures["fact"].dropna()), params.paths.root / meta["facts_dir"])
    return lineage.recount_all(lin.figures, lin.contributions, facts, earlier_values(lin.figures, params))


def _print_figure(rec, lin: lineage.Lineage, meta, params: Params, slug: str, limit: int | None) -> None:
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
    if rec["kind"] == lineage.COUNT:
        print(f"  fact table {rec['fact']} ({int(rec['fact_rows'])} rows, content sha256 {rec['fact_hash'][:16]}...) "
              f"in {meta['facts_dir']}/{rec['fact']}.parquet")
    if rec["kind"] == lineage.DERIVED:
        for i in json.loads(rec["inputs"] or "[]"):
            sub = lineage.find_figure(lin.figures, i)
            words = f"{sub['value']:g}: {sub['description']}" if sub is not None else "no record"
            print(f"    input {i} = {words}")
        print("  (trace each input for its source rows)")
    if rec["kind"] == lineage.PUBLISHED_BEFORE:
        print(f"  published earlier: {rec['source']}")
    rows = lineage.contributions_of(lin.contributions, rec["figure_id"])
    _print_inputs(lin.inputs, rows)
    if rec["kind"] == lineage.COUNT:
        _print_rows(rows, params, meta, limit)
        _print_accepted(accepted_on_rows(rows, read_accepted(params)))


def _params_words(text: str | None) -> str:
    if not text:
        return "no parameters"
    return ", ".join(f"{k}={v}" for k, v in json.loads(text).items())


def _print_inputs(inputs: pd.DataFrame, rows: pd.DataFrame) -> None:
    files = set(rows["SOURCE_FILE"].dropna())
    used = inputs[inputs["file"].isin(files)] if files else inputs
    print(f"\nInput files ({'those the rows come from' if files else 'all raw inputs'})")
    if used.empty:
        print("  none recorded (no validated manifest.json when the paper was produced)")
    for r in used.itertuples(index=False):
        dvc = f"; DVC {r.dvc_path} md5 {r.dvc_md5}" if isinstance(r.dvc_md5, str) else ""
        print(f"  {r.file}  sha256 {r.sha256}{dvc}")


def _print_rows(rows: pd.DataFrame, params: Params, meta, limit: int | None) -> None:
    keys = [k for k in lineage.KEY_COLUMNS if rows[k].notna().any()]
    print(f"\nContributing source rows: {len(rows)}" + (f" (first {limit}; --all for every one)"
                                                       if limit is not None and len(rows) > limit else ""))
    shown = rows if limit is None else rows.head(limit)
    if shown.empty:
        return
    print(_indent(shown[["FACT_ROW", *keys]].to_string(index=False)))
    raw_dir = params.paths.root / meta["raw_dir"]
    src = lineage.raw_sources(shown)
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


def read_accepted(params: Params) -> pd.DataFrame | None:
    """The validation stage's accepted exceptions (<processed>/validation/accepted.csv), if any."""
    path = params.paths.processed / "validation" / "accepted.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None


def accepted_on_rows(rows: pd.DataFrame, accepted: pd.DataFrame | None) -> pd.DataFrame:
    """The accepted exceptions on a figure's source rows (matched on SOURCE_FILE and SOURCE_ROW)."""
    if accepted is None or accepted.empty or rows.empty:
        return pd.DataFrame(columns=["file", "row", "CHILD", "rule", "policy", "reason", "accepted_by", "accepted_on"])
    src = lineage.raw_sources(rows)
    keys = set(zip(src["SOURCE_FILE"].astype(str), src["SOURCE_ROW"].astype("int64").astype(str), strict=True))
    hit = [(f, r) in keys for f, r in zip(accepted["file"], accepted["row"], strict=True)]
    return accepted[hit]


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


def _print_recount(rec, lin: lineage.Lineage, meta, params: Params) -> int:
    figure_id = rec["figure_id"]
    names = {rec["fact"]} if pd.notna(rec["fact"]) else set()
    if rec["kind"] == lineage.DERIVED:
        ids = json.loads(rec["inputs"] or "[]")
        names |= set(lin.figures.loc[lin.figures["figure_id"].isin(ids), "fact"].dropna())
    facts = load_facts(names, params.paths.root / meta["facts_dir"])
    result = lineage.recount_figure(figure_id, lin.figures, lin.contributions, facts,
                                    earlier_values(lin.figures, params))
    problems = list(result.problems)
    rows = lineage.contributions_of(lin.contributions, figure_id)
    if rec["kind"] == lineage.DERIVED:
        rows = lin.contributions[lin.contributions["figure_id"].isin(json.loads(rec["inputs"] or "[]"))]
    raw_dir = params.paths.root / meta["raw_dir"]
    raw: dict[tuple[str, int], dict[str, str]] = {}
    absent = []
    for file, group in lineage.raw_sources(rows).groupby("SOURCE_FILE"):
        if (raw_dir / file).exists():
            raw.update({(file, n): v for n, v in read_raw_rows(raw_dir / file, set(map(int, group["SOURCE_ROW"]))).items()})
        else:
            absent.append(file)
    present = rows[~rows["SOURCE_FILE"].isin(absent)]
    raw_problems = [f"raw file {f} is not present: its rows cannot be read back" for f in absent]
    raw_problems += lineage.check_raw_rows(present, raw)
    files = set(rows["SOURCE_FILE"].dropna())
    inputs = lin.inputs[lin.inputs["file"].isin(files)] if files else lin.inputs
    hashes = lineage.compare_input_hashes(inputs, {f: sha256_of(raw_dir / f) for f in inputs["file"]})
    print("\nRecount")
    for line in result.checks:
        print(f"  ok: {line}")
    if not raw_problems and len(raw):
        print(f"  ok: the {len(raw)} raw row(s) read back carry the recorded CHILD/EVENT_ID/DECOM")
    if not hashes.empty and not hashes["changed"].any():
        print(f"  ok: the {len(hashes)} input file(s) are unchanged since publication (sha256)")
    changed = hashes[hashes["changed"]]
    if len(changed):
        problems.append("the data changed since publication: " + ", ".join(
            f"{f} ({'removed' if now is None else 'sha256 now ' + now[:12] + '...'})"
            for f, now in zip(changed["file"], changed["sha256_now"], strict=True)))
    problems += raw_problems
    for line in problems:
        print(f"  PROBLEM: {line}")
    if problems:
        print(f"Result: {figure_id} does NOT recount ({len(problems)} problem(s))")
        return 1
    print(f"Result: {figure_id} recounts: {result.recomputed:g} matches the published record")
    return 0
