"""A paper's lineage store on disk, and the files a trace reads back.

The store (restricted output, never published) is written when a paper is produced, under
``<restricted>/<period>/lineage/<paper>/``: ``figures``, ``contributions`` and ``inputs``
as parquet, and ``meta.json``. A trace also reads the raw rows themselves, the fact
tables, the validation stage's records, earlier papers' published tables and the values
another body published (the DfE's files under the raw folder).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config import Params
from pipeline.errors import PipelineError
from pipeline.lineage.build import build_lineage, list_published_files, summarise_inputs
from pipeline.lineage.records import (
    PUBLISHED_BEFORE,
    Lineage,
    decode_sources,
    describe_parameters,
    raw_sources,
)
from pipeline.lineage.recount import Recount, recount_all
from pipeline.safe_text import restore_frame
from pipeline.store import layout, sha256_file

FIGURES, CONTRIBUTIONS, INPUTS, META = "figures.parquet", "contributions.parquet", "inputs.parquet", "meta.json"


class TraceError(PipelineError):
    """A figure or lineage store that cannot be found."""


# --- the store on disk ---------------------------------------------------------------------------


def lineage_dir(params: Params, slug: str) -> Path:
    """Where the period's lineage stores live (restricted output)."""
    return layout(params).lineage(slug)


def write_lineage_store(lin: Lineage, directory: Path, meta: Mapping[str, Any]) -> Path:
    """Write one paper's store (three parquet files and meta.json) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    lin.figures.to_parquet(directory / FIGURES, index=False)
    lin.contributions.to_parquet(directory / CONTRIBUTIONS, index=False)
    lin.inputs.to_parquet(directory / INPUTS, index=False)
    (directory / META).write_text(json.dumps(dict(meta), indent=2, sort_keys=True, default=str) + "\n")
    return directory


def read_lineage_store(directory: Path) -> tuple[Lineage, dict[str, Any]]:
    """Read back what :func:`write_lineage_store` wrote."""
    lin = Lineage(pd.read_parquet(directory / FIGURES), pd.read_parquet(directory / CONTRIBUTIONS),
                  pd.read_parquet(directory / INPUTS))
    return lin, json.loads((directory / META).read_text())


def load_inputs(params: Params, published: list[Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """The raw inputs recorded by validation (manifest.json), and the `published` files
    (``{file, sha256}``, relative to the raw folder) that figures are read from, with DVC's md5
    if dvc.lock exists."""
    import yaml

    manifest_path = params.paths.processed / "validated" / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else []
    lock_path = params.paths.root / "dvc.lock"
    lock = yaml.safe_load(lock_path.read_text()) if lock_path.exists() else None
    prefix = relative_path(params.paths.raw, params.paths.root)
    raw = summarise_inputs(manifest, lock, prefix)
    if not published:
        return raw
    other = summarise_inputs(list(published), lock, prefix)
    return pd.concat([raw, other], ignore_index=True).sort_values("file", kind="stable").reset_index(drop=True)


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
    lin = build_lineage(paper, facts, builder=builder, parameters=describe_parameters(params),
                        inputs=load_inputs(params, list_published_files(paper)), published=published,
                        sources=sources)
    facts_dir = facts_dir or params.paths.processed / "facts"
    meta = {"paper_id": paper.paper_id, "period": params.period.label, "slug": slug,
            "facts_dir": relative_path(facts_dir, params.paths.root),
            "raw_dir": relative_path(params.paths.raw, params.paths.root), "figures": len(lin.figures)}
    return write_lineage_store(lin, lineage_dir(params, slug) / paper.paper_id, meta)


def relative_path(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def read_earlier_papers(params: Params, paper_id: str = "quarterly") -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Every earlier period's published tables (reports/<slug>/tables/<paper>/*.csv, or
    tables/*.csv, as strings) and, where kept, its lineage store's contributions:
    (slug -> tables, slug -> contributions)."""
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


def read_accepted(params: Params) -> pd.DataFrame | None:
    """The validation stage's accepted exceptions (<processed>/validation/accepted.csv), if any."""
    path = params.paths.processed / "validation" / "accepted.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None


def accepted_on_rows(rows: pd.DataFrame, accepted: pd.DataFrame | None) -> pd.DataFrame:
    """The accepted exceptions on a figure's source rows (matched on SOURCE_FILE and SOURCE_ROW)."""
    if accepted is None or accepted.empty or rows.empty:
        return pd.DataFrame(columns=["file", "row", "CHILD", "rule", "policy", "reason", "accepted_by", "accepted_on"])
    src = raw_sources(rows)
    keys = set(zip(src["SOURCE_FILE"].astype(str), src["SOURCE_ROW"].astype("int64").astype(str), strict=True))
    hit = [(f, r) in keys for f, r in zip(accepted["file"], accepted["row"], strict=True)]
    return accepted[hit]


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
    """The file's sha256 (hex), or None when it does not exist."""
    return sha256_file(path) if path.exists() else None


def read_published_tables(report_dir: Path) -> dict[str, str]:
    """figure id -> the string published, from the period's tidy CSV tables
    (``tables/*.csv`` or ``tables/<paper>/*.csv``)."""
    out: dict[str, str] = {}
    for path in sorted((report_dir / "tables").rglob("*.csv")):
        frame = restore_frame(pd.read_csv(path, dtype=str, keep_default_na=False))
        if not {"table_id", "row", "column", "value"} <= set(frame.columns):
            continue
        for t, r, c, v in frame[["table_id", "row", "column", "value"]].itertuples(index=False):
            out[f"{t}|{r}|{c}"] = v
    return out


def earlier_values(figures: pd.DataFrame, params: Params) -> dict[str, str]:
    """source -> shown value for every figure copied from an earlier paper (``slug#figure id``)."""
    out: dict[str, str] = {}
    sources = figures.loc[figures["kind"] == PUBLISHED_BEFORE, "source"].dropna()
    cache: dict[str, dict[str, str]] = {}
    for source in sources:
        slug, _, fid = source.partition("#")
        if slug not in cache:
            cache[slug] = read_published_tables(params.paths.report_dir(slug))
        if fid in cache[slug]:
            out[source] = cache[slug][fid]
    return out


def read_published_values(sources: pd.Series, raw_dir: Path) -> dict[tuple[str, int, str], str | None]:
    """(file, line, column) -> the text there now, for every value another body published that
    the records' ``sources`` (JSON) name, read back from the files under `raw_dir` (None when
    the file, the line or the column is gone)."""
    refs = [r for text in sources.dropna() for r in decode_sources(text)]
    out: dict[tuple[str, int, str], str | None] = {}
    for file in sorted({r.file for r in refs}):
        mine = [r for r in refs if r.file == file]
        path = raw_dir / file
        rows = read_raw_rows(path, {r.line - 1 for r in mine}) if path.exists() else {}
        for r in mine:
            out[(r.file, r.line, r.column)] = rows.get(r.line - 1, {}).get(r.column)
    return out


def load_facts(names: set[str], facts_dir: Path) -> dict[str, pd.DataFrame]:
    """The named fact tables found in `facts_dir` (a missing one is left out)."""
    return {n: pd.read_parquet(facts_dir / f"{n}.parquet") for n in names if (facts_dir / f"{n}.parquet").exists()}


def recount_store(lin: Lineage, meta: Mapping[str, Any], params: Params) -> dict[str, Recount]:
    """Recount every figure of a store against the fact tables and earlier papers on disk."""
    facts = load_facts(set(lin.figures["fact"].dropna()), params.paths.root / meta["facts_dir"])
    published = published_values_of(lin.figures, params.paths.root / meta["raw_dir"])
    return recount_all(lin.figures, lin.contributions, facts, earlier_values(lin.figures, params), published)


def published_values_of(figures: pd.DataFrame, raw_dir: Path) -> dict[tuple[str, int, str], str | None]:
    """The published values the figures name, read back now (none for a store without sources)."""
    if "sources" not in figures.columns:
        return {}
    return read_published_values(figures["sources"], raw_dir)

