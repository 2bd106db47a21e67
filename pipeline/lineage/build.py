"""Building a paper's lineage store: one record per figure, the fact rows each count
selects, the values published by another body a figure is read from, and the raw input
files behind them (the published files among them).

Pure: the paper command writes the store (:func:`pipeline.lineage.store.record_paper_lineage`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipeline.lineage.records import (
    COUNT,
    DERIVED,
    FIGURE_COLUMNS,
    INPUT_COLUMNS,
    KEY_COLUMNS,
    PUBLISHED_BEFORE,
    PUBLISHED_ELSEWHERE,
    UNDECLARED,
    Lineage,
    encode_selection,
    encode_sources,
    hash_frame,
)
from pipeline.tables import Cell, DerivedTable, Paper, PublishedTable, Selection, SourceRef


def select_keys(fact: pd.DataFrame) -> pd.DataFrame:
    """The source keys (:data:`KEY_COLUMNS`) of every row of a fact table, in stored types
    (missing where the table has no such column); positional index."""
    out = pd.DataFrame(index=pd.RangeIndex(len(fact)))
    for k in KEY_COLUMNS:
        out[k] = fact[k].to_numpy() if k in fact.columns else None
    return type_keys(out)


def type_keys(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for k in ("CHILD", "EVENT_ID", "CASE_ID", "POST_ID", "RETURN", "SOURCE_FILE"):
        out[k] = out[k].astype("string")
    out["DECOM"] = pd.to_datetime(out["DECOM"], errors="coerce").astype("datetime64[ns]")
    out["SOURCE_ROW"] = pd.to_numeric(out["SOURCE_ROW"], errors="coerce").astype("Int64")
    return out


def select_contributions(sel: Selection, fact: pd.DataFrame, figure_id: str,
                         keys: pd.DataFrame | None = None) -> pd.DataFrame:
    """The keys of the fact rows a selection picks (``FACT_ROW`` is the row's position);
    `keys` may pass :func:`select_keys` of the fact table when already computed."""
    pos = np.flatnonzero(sel.mask(fact).to_numpy())
    keys = select_keys(fact) if keys is None else keys
    return _assemble_contributions([figure_id] * len(pos), sel.fact, pos, keys)


def _assemble_contributions(figure_ids: list[str], fact: str, pos: np.ndarray, keys: pd.DataFrame) -> pd.DataFrame:
    out = keys.iloc[pos].reset_index(drop=True)
    out.insert(0, "FACT_ROW", np.asarray(pos, dtype="int64"))
    out.insert(0, "fact", pd.array([fact] * len(pos), dtype="string"))
    out.insert(0, "figure_id", pd.array(figure_ids, dtype="string"))
    return out


def _record(cell: Cell, paper_id: str, kind: str, title: str, value: float, unit: str,
            builder: str, parameters: str, **extra: Any) -> dict[str, Any]:
    rec = dict.fromkeys(FIGURE_COLUMNS)
    rec.update(figure_id=cell.id, paper_id=paper_id, kind=kind, table_id=cell.table_id,
               table_title=title, row=cell.row, column=cell.col, value=float(value), unit=unit,
               builder=builder, parameters=parameters)
    rec.update(extra)
    return rec


def build_lineage(
    paper: Paper,
    facts: Mapping[str, pd.DataFrame],
    *,
    builder: str,
    parameters: Mapping[str, Any],
    inputs: pd.DataFrame | None = None,
    published: Mapping[str, str] | None = None,
    sources: Mapping[str, str] | None = None,
) -> Lineage:
    """The lineage store of a paper built from `facts`.

    `builder` names the function that built the paper (``module.function``), `parameters`
    what it read (see :func:`describe_parameters`); `inputs` is :func:`summarise_inputs`'s
    frame; `published` maps figure ids to the strings shown (``x`` when suppressed);
    `sources` maps the ids of figures copied from earlier papers to where they were
    published (``Revisions.sources`` of :mod:`pipeline.papers.revisions`).
    """
    params_json = json.dumps(dict(parameters), sort_keys=True, default=str)
    published, sources = published or {}, sources or {}
    used = {sel.fact for t in paper.tables for sel in t.selections.values()}
    missing = sorted(used - set(facts))
    if missing:
        raise KeyError(f"fact table(s) {', '.join(map(repr, missing))} are not among the facts given")
    hashes = {name: hash_frame(facts[name]) for name in used}
    picked: dict[str, tuple[list[str], list[np.ndarray]]] = {name: ([], []) for name in used}
    records: list[dict[str, Any]] = []
    for table in paper.tables:
        for cell in table.cells():
            records.append(_count_record(table, cell, paper, facts, hashes, builder, params_json, sources, picked))
    for dt in paper.derived:
        records.extend(_derived_records(dt, paper.paper_id, builder, params_json))
    figures = pd.DataFrame(records, columns=list(FIGURE_COLUMNS))
    figures["published"] = figures["figure_id"].map(lambda f: published.get(f))
    parts = [_assemble_contributions(ids, name, np.concatenate(pos) if pos else np.array([], dtype="int64"),
                                     select_keys(facts[name]))
             for name, (ids, pos) in sorted(picked.items()) if ids]
    contrib = (pd.concat(parts, ignore_index=True) if parts else
               _assemble_contributions([], "", np.array([], dtype="int64"), select_keys(pd.DataFrame())))
    inputs = add_published_files(inputs if inputs is not None else pd.DataFrame(columns=list(INPUT_COLUMNS)),
                                 list_published_files(paper))
    return Lineage(figures.astype({"value": "float64"}), contrib, inputs.reset_index(drop=True))


def list_published_files(paper: Paper) -> list[dict[str, str]]:
    """``{file, sha256}`` of every file another body published that a figure of `paper` is read
    from (file relative to the raw folder), in file order."""
    seen = {(r.file, r.sha256) for dt in paper.derived for refs in dt.sources.values() for r in refs}
    return [{"file": f, "sha256": h} for f, h in sorted(seen)]


def add_published_files(inputs: pd.DataFrame, files: list[dict[str, str]]) -> pd.DataFrame:
    """The input files with the published ones that are not among them yet (no row count, no DVC
    entry: :func:`summarise_inputs` gives those when the published files are in its manifest)."""
    known = set(zip(inputs["file"].astype(str), inputs["sha256"].astype(str), strict=True))
    extra = [f for f in files if (f["file"], f["sha256"]) not in known]
    if not extra:
        return inputs
    more = pd.DataFrame(extra, columns=list(INPUT_COLUMNS)).astype({"rows": "Int64"})
    return pd.concat([inputs, more], ignore_index=True).sort_values("file", kind="stable").reset_index(drop=True)


def _count_record(table: PublishedTable, cell: Cell, paper: Paper, facts: Mapping[str, pd.DataFrame],
                  hashes: Mapping[str, str], builder: str, params_json: str, sources: Mapping[str, str],
                  picked: dict[str, tuple[list[str], list[np.ndarray]]]) -> dict[str, Any]:
    value = table.value(cell)
    sel = table.selections.get((cell.row, cell.col))
    common = dict(paper_id=paper.paper_id, title=table.title, value=value, unit=table.unit,
                  builder=builder, parameters=params_json)
    if sel is None:
        if cell.id in paper.published_before:
            return _record(cell, kind=PUBLISHED_BEFORE, source=sources.get(cell.id),
                           description="a figure published in an earlier paper, copied as published", **common)
        return _record(cell, kind=UNDECLARED, description="no selection declared: not traceable", **common)
    pos = np.flatnonzero(sel.mask(facts[sel.fact]).to_numpy())
    ids, positions = picked[sel.fact]
    ids.extend([cell.id] * len(pos))
    positions.append(pos)
    return _record(cell, kind=COUNT, fact=sel.fact, selection=encode_selection(sel),
                   description=sel.describe(), fact_hash=hashes[sel.fact],
                   fact_rows=len(facts[sel.fact]), n_rows=len(pos), **common)


def _derived_records(dt: DerivedTable, paper_id: str, builder: str, params_json: str) -> list[dict[str, Any]]:
    out = []
    for r in dt.values.index:
        for c in dt.values.columns:
            v = dt.values.at[r, c]
            if pd.isna(v):
                continue
            ins, refs = dt.inputs.get((r, c), ()), dt.sources.get((r, c), ())
            kind = PUBLISHED_ELSEWHERE if refs and not ins else DERIVED
            out.append(_record(Cell(dt.table_id, r, c), paper_id, kind, dt.title, v, dt.fmt, builder,
                               params_json, inputs=json.dumps([i.id for i in ins]),
                               description=describe_derivation(dt.fmt, ins, refs), sources=encode_sources(refs)))
    return out


def describe_derivation(fmt: str, inputs: tuple[Cell, ...], sources: tuple[SourceRef, ...]) -> str:
    """A derived figure's record in words: the counts it is computed from, the values another
    body published it is read or computed from."""
    parts = []
    if inputs:
        parts.append("computed from " + ", ".join(i.id for i in inputs))
    if len(sources) == 1:
        s = sources[0]
        what = "and from a value published" if inputs else "as published"
        parts.append(f"{what} by the {s.publisher}: {s.file}, line {s.line}, column {s.column} = {s.value}")
    elif sources:
        publishers = " and the ".join(sorted({s.publisher for s in sources}))
        files = ", ".join(sorted({s.file for s in sources}))
        what = "and from" if inputs else "computed from"
        parts.append(f"{what} {len(sources)} values published by the {publishers} ({files})")
    return f"{fmt} " + (" ".join(parts) if parts else "with no declared inputs")


def summarise_inputs(manifest: Any, dvc_lock: Mapping[str, Any] | None = None, raw_prefix: str = "") -> pd.DataFrame:
    """The raw input files (file, sha256, rows) from the validated ``manifest.json``, with
    the md5 DVC records for the file or the folder holding it, if a ``dvc.lock`` is given
    (`raw_prefix`: the raw folder relative to the project root, as dvc.lock names paths).

    Accepts a list of ``{SOURCE_FILE|file|path, sha256, rows_read ...}`` entries, a mapping of
    file -> entry (or -> sha256), or either under a ``files`` key.
    """
    if isinstance(manifest, Mapping) and "files" in manifest:
        manifest = manifest["files"]
    entries: list[tuple[str, Mapping]] = []
    if isinstance(manifest, Mapping):
        for name, entry in manifest.items():
            entries.append((name, entry if isinstance(entry, Mapping) else {"sha256": entry}))
    else:
        for entry in manifest or []:
            entries.append((entry.get("SOURCE_FILE") or entry.get("file") or entry.get("path")
                            or entry.get("source_file"), entry))
    dvc = _dvc_hashes(dvc_lock or {})
    rows = []
    for name, entry in entries:
        rows_read = entry.get("rows", entry.get("rows_read", entry.get("read")))
        if isinstance(rows_read, Mapping):
            rows_read = rows_read.get("read")
        dvc_path, md5 = _dvc_entry_for(f"{raw_prefix.rstrip('/')}/{name}" if raw_prefix else str(name), dvc)
        rows.append({"file": str(name), "sha256": entry.get("sha256"), "rows": rows_read,
                     "dvc_path": dvc_path, "dvc_md5": md5})
    out = pd.DataFrame(rows, columns=list(INPUT_COLUMNS))
    out["rows"] = pd.to_numeric(out["rows"], errors="coerce").astype("Int64")
    return out.sort_values("file", kind="stable").reset_index(drop=True)


def _dvc_hashes(lock: Mapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for stage in (lock.get("stages") or {}).values():
        for kind in ("deps", "outs"):
            for entry in stage.get(kind, []) or []:
                if "path" in entry and "md5" in entry:
                    found[str(entry["path"]).rstrip("/")] = str(entry["md5"])
    return found


def _dvc_entry_for(path: str, dvc: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The longest path dvc.lock records that is `path` itself or a folder holding it."""
    holders = [p for p in dvc if path == p or path.startswith(p + "/")]
    if not holders:
        return None, None
    best = max(holders, key=len)
    return best, dvc[best]

