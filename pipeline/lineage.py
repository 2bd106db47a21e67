"""Lineage of published figures: where every number of a paper comes from, and its recount.

Every count cell of a :class:`pipeline.tables.Paper` declares a :class:`Selection` over one
fact table, so its lineage is the selection, the fact table's content hash and the keys of
the rows selected. A lineage store (restricted output, never published) holds, per paper:

- ``figures``: one row per figure (:data:`FIGURE_COLUMNS`): id ``table|row|column``, value,
  the paper builder and its parameters, the selection (JSON and in words), the fact
  table's content hash, and for derived figures the ids of the counts they use;
- ``contributions``: one row per (figure, contributing fact row) with the row's position
  in the fact table and its source keys (:data:`KEY_COLUMNS`);
- ``inputs``: the raw files behind the validated data, with sha256 (and DVC md5).

A recount (:func:`recount_figure`) needs nothing but the stored record, the listed rows
and the fact table: it checks the rows are the ones recorded, that each satisfies the
selection (tested row by row, not with the code that built the paper), that no other row
does, and that their count (or sum) is the recorded value.

All functions here are pure: the command ``python -m pipeline trace`` does the reading.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from pipeline.tables import Cell, DerivedTable, Paper, PublishedTable, Selection

# Source keys kept for each contributing fact row, when the fact table has them.
KEY_COLUMNS = ("CHILD", "DECOM", "EVENT_ID", "CASE_ID", "POST_ID", "RETURN", "SOURCE_FILE", "SOURCE_ROW")

FIGURE_COLUMNS = (
    "figure_id", "paper_id", "kind", "table_id", "table_title", "row", "column", "value",
    "published", "unit", "builder", "parameters", "fact", "selection", "description",
    "fact_hash", "fact_rows", "n_rows", "inputs", "source",
)
CONTRIBUTION_COLUMNS = ("figure_id", "fact", "FACT_ROW", *KEY_COLUMNS)
INPUT_COLUMNS = ("file", "sha256", "rows", "dvc_path", "dvc_md5")

# Kinds of figure.
COUNT, DERIVED, PUBLISHED_BEFORE, UNDECLARED = "count", "derived", "published_before", "undeclared"


@dataclass
class Lineage:
    """The lineage store of one paper (three frames; see the module docstring)."""

    figures: pd.DataFrame
    contributions: pd.DataFrame
    inputs: pd.DataFrame


@dataclass
class Recount:
    """The outcome of recounting one figure: ``ok`` only if every check passed."""

    figure_id: str
    recorded: float | None
    recomputed: float | None
    ok: bool
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# --- hashing and serialising ------------------------------------------------------------------


def _canonical_column(col: pd.Series) -> pd.Series:
    """A column in a dtype-independent form: the same content hashes the same after a
    parquet round trip (str/object, Int64/int64/float64, datetime units all agree)."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.astype("datetime64[ns]").dt.strftime("%Y-%m-%dT%H:%M:%S.%f").fillna("").astype(object)
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        return col.astype("float64")
    return col.astype("string").fillna("").astype(object)


def hash_frame(frame: pd.DataFrame) -> str:
    """Content hash (sha256) of a fact table: column names and values, in order, dtype-blind."""
    h = hashlib.sha256(json.dumps([str(c) for c in frame.columns]).encode())
    h.update(str(len(frame)).encode())
    for c in frame.columns:
        canon = _canonical_column(frame[c].reset_index(drop=True))
        h.update(pd.util.hash_pandas_object(canon, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _encode_value(v: Any) -> Any:
    if isinstance(v, pd.Timestamp | datetime):
        return {"timestamp": pd.Timestamp(v).isoformat()}
    if isinstance(v, date):
        return {"date": v.isoformat()}
    if isinstance(v, np.generic):
        return v.item()
    return v


def _decode_value(v: Any) -> Any:
    if isinstance(v, dict) and "timestamp" in v:
        return pd.Timestamp(v["timestamp"])
    if isinstance(v, dict) and "date" in v:
        return date.fromisoformat(v["date"])
    return v


def encode_selection(sel: Selection) -> str:
    """A selection as JSON (dates tagged so that they decode to the same type)."""
    return json.dumps({"fact": sel.fact, "sum_of": sel.sum_of,
                       "where": [[c, [_encode_value(v) for v in vals]] for c, vals in sel.where]})


def decode_selection(text: str) -> Selection:
    """The selection :func:`encode_selection` wrote."""
    d = json.loads(text)
    where = tuple((c, tuple(_decode_value(v) for v in vals)) for c, vals in d["where"])
    return Selection(d["fact"], where, d.get("sum_of"))


def describe_parameters(params: Any) -> dict[str, Any]:
    """The parameters a paper builder reads (period, LA, thresholds), as plain JSON values."""
    return {
        "period": params.period.label,
        "sufficiency_year": params.sufficiency_year.label,
        "trend_years": params.trend_years,
        "la": params.la.code,
        "disclosure_threshold": params.disclosure.threshold,
        "disclosure_zero": params.disclosure.zero,
        "targets": {"exit_team_exits": params.targets.exit_team_exits, "adoptions": params.targets.adoptions},
        "savings_basis_days": params.savings_basis_days,
        "far_miles": params.far_miles,
    }


# --- building the store -----------------------------------------------------------------------


def select_keys(fact: pd.DataFrame) -> pd.DataFrame:
    """The source keys (:data:`KEY_COLUMNS`) of every row of a fact table, in stored types
    (missing where the table has no such column); positional index."""
    out = pd.DataFrame(index=pd.RangeIndex(len(fact)))
    for k in KEY_COLUMNS:
        out[k] = fact[k].to_numpy() if k in fact.columns else None
    return _type_keys(out)


def _type_keys(frame: pd.DataFrame) -> pd.DataFrame:
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
    inputs = inputs if inputs is not None else pd.DataFrame(columns=list(INPUT_COLUMNS))
    return Lineage(figures.astype({"value": "float64"}), contrib, inputs.reset_index(drop=True))


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
            ins = dt.inputs.get((r, c), ())
            words = f"{dt.fmt} computed from " + ", ".join(i.id for i in ins) if ins else f"{dt.fmt} with no declared inputs"
            out.append(_record(Cell(dt.table_id, r, c), paper_id, DERIVED, dt.title, v, dt.fmt, builder,
                               params_json, inputs=json.dumps([i.id for i in ins]), description=words))
    return out


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


# --- reading the store back -------------------------------------------------------------------


def find_figure(figures: pd.DataFrame, figure_id: str) -> pd.Series | None:
    """The record of a figure, or None."""
    hit = figures[figures["figure_id"] == figure_id]
    return None if hit.empty else hit.iloc[0]


def suggest_figure_ids(figure_id: str, ids: Iterable[str], n: int = 5) -> list[str]:
    """Close matches to a mistyped figure id (same table first, then by similarity)."""
    ids = list(ids)
    close = difflib.get_close_matches(figure_id, ids, n=n, cutoff=0.6)
    table = figure_id.split("|")[0].lower()
    same_table = [i for i in ids if i.split("|")[0].lower() == table and i not in close]
    if not close and not same_table:
        close = difflib.get_close_matches(figure_id, ids, n=n, cutoff=0.3)
    return (close + same_table)[:n]


def contributions_of(contributions: pd.DataFrame, figure_id: str) -> pd.DataFrame:
    """The contributing rows recorded for one figure, in fact-table order."""
    return contributions[contributions["figure_id"] == figure_id].sort_values("FACT_ROW").reset_index(drop=True)


def raw_sources(rows: pd.DataFrame) -> pd.DataFrame:
    """Distinct (SOURCE_FILE, SOURCE_ROW) of contributing rows, in file and row order."""
    src = rows[["SOURCE_FILE", "SOURCE_ROW"]].dropna().drop_duplicates()
    return src.sort_values(["SOURCE_FILE", "SOURCE_ROW"]).reset_index(drop=True)


# --- recount ------------------------------------------------------------------------------------


def _is_missing(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _same(a: Any, b: Any) -> bool:
    """Equality as a selection means it: missing equals missing, numbers by value, dates as
    timestamps, anything else only if equal (the string "1" is not the number 1)."""
    if _is_missing(a) or _is_missing(b):
        return _is_missing(a) and _is_missing(b)
    if isinstance(a, datetime | date | np.datetime64) and isinstance(b, datetime | date | np.datetime64):
        return pd.Timestamp(a) == pd.Timestamp(b)
    numbers = (int, float, np.number)
    if isinstance(a, numbers) and isinstance(b, numbers):
        return float(a) == float(b)
    return type(a) is type(b) and bool(a == b) or (isinstance(a, str) and isinstance(b, str) and a == b)


class FactView:
    """A fact table prepared once for recounting many figures: plain object columns (missing
    as None), canonical key strings and the content hash, each computed on first use."""

    def __init__(self, frame: pd.DataFrame, content_hash: str | None = None) -> None:
        self.frame = frame
        self._hash = content_hash
        self._columns: dict[str, np.ndarray] = {}
        self._keys: dict[str, np.ndarray] | None = None

    @property
    def content_hash(self) -> str:
        if self._hash is None:
            self._hash = hash_frame(self.frame)
        return self._hash

    def column(self, name: str) -> np.ndarray:
        if name not in self._columns:
            series = self.frame[name]
            self._columns[name] = series.astype(object).where(series.notna(), None).to_numpy()
        return self._columns[name]

    def key_strings(self) -> dict[str, np.ndarray]:
        if self._keys is None:
            self._keys = listed_key_text(select_keys(self.frame))
        return self._keys


def _key_text(keys: pd.Series) -> np.ndarray:
    """Typed key values as comparable text (missing as "")."""
    return _canonical_column(keys).astype("string").fillna("").to_numpy(dtype=object)


def listed_key_text(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """The source keys of rows (contributions or fact keys) as comparable text arrays."""
    typed = _type_keys(rows[list(KEY_COLUMNS)].reset_index(drop=True))
    return {k: _key_text(typed[k]) for k in KEY_COLUMNS}


def _as_view(fact: pd.DataFrame | FactView) -> FactView:
    return fact if isinstance(fact, FactView) else FactView(fact)


def _count_matching(view: FactView, sel: Selection) -> int:
    """Number of rows meeting the selection, compared value by value on plain object arrays."""
    keep = np.ones(len(view.frame), dtype=bool)
    for col, vals in sel.where:
        if pd.api.types.is_datetime64_any_dtype(view.frame[col]):
            vals = tuple(pd.Timestamp(v) for v in vals if not _is_missing(v))
        column = view.column(col)
        hit = np.zeros(len(column), dtype=bool)
        for v in vals:
            hit |= (column == None) if _is_missing(v) else np.asarray(column == v, dtype=bool)  # noqa: E711
        keep &= hit
    return int(keep.sum())


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def recount_count(record: Mapping[str, Any], rows: pd.DataFrame, fact: pd.DataFrame | FactView | None,
                  listed: Mapping[str, np.ndarray] | None = None) -> Recount:
    """Recount a count figure from its listed rows of the fact table alone.

    Checks, in order: the fact table is the one used (content hash); each listed row is at
    its recorded position with the recorded keys; each satisfies the selection (value by
    value, not with the code that built the paper); no other row of the table does; the
    rows' count (or sum) equals the recorded value. `fact` may be a :class:`FactView`, and
    `listed` the rows' :func:`listed_key_text` when already computed.
    """
    fid, recorded = record["figure_id"], float(record["value"])
    res = Recount(fid, recorded, None, False)
    sel = decode_selection(record["selection"])
    if fact is None:
        res.problems.append(f"fact table {sel.fact!r} is not available: cannot recount")
        return res
    view = _as_view(fact)
    frame = view.frame
    if view.content_hash != record["fact_hash"]:
        now = _count_matching(view, sel) if not sel.sum_of else float(frame[sel.mask(frame)][sel.sum_of].sum())
        res.recomputed = float(now)
        res.problems.append(f"fact table {sel.fact} changed since publication (content hash differs); "
                            f"the selection over the current table gives {now:g}")
        return res
    res.checks.append(f"fact table {sel.fact} is the one used for the paper (content hash matches)")
    pos = rows["FACT_ROW"].to_numpy(dtype="int64")
    if len(pos) and (pos.max() >= len(frame) or pos.min() < 0):
        res.problems.append("listed rows lie outside the fact table")
        return res
    now_keys = view.key_strings()
    listed = listed if listed is not None else listed_key_text(rows)
    differs = np.zeros(len(pos), dtype=bool)
    for k in KEY_COLUMNS:
        differs |= now_keys[k][pos] != listed[k]
    if differs.any():
        res.problems.append(f"{int(differs.sum())} listed row(s) do not carry their recorded keys")
    failing = np.zeros(len(pos), dtype=bool)
    for col, vals in sel.where:
        failing |= np.array([not any(_same(x, v) for v in vals) for x in view.column(col)[pos]], dtype=bool)
    if failing.any():
        res.problems.append(f"{int(failing.sum())} listed row(s) do not satisfy the selection")
    matching = _count_matching(view, sel)
    if matching != len(pos):
        res.problems.append(f"{matching} rows of {sel.fact} satisfy the selection but {len(pos)} are listed")
    elif not res.problems:
        res.checks.append(f"the {len(pos)} listed rows carry their recorded keys, each satisfies the "
                          f"selection, and no other row of {sel.fact} does")
    if sel.sum_of:
        value = float(sum(float(x) for x in view.column(sel.sum_of)[pos] if not _is_missing(x)))
    else:
        value = float(len(pos))
    res.recomputed = value
    if _close(value, recorded):
        res.checks.append(f"recomputed {value:g} = recorded {recorded:g}")
    else:
        res.problems.append(f"recomputed {value:g} but the recorded figure is {recorded:g}")
    res.ok = not res.problems
    return res


def check_derived(record: Mapping[str, Any], inputs: Mapping[str, Recount]) -> Recount:
    """A derived figure recounts when every count it is computed from recounts; a
    percentage of two counts is also recomputed (first input over second, x100)."""
    fid, recorded = record["figure_id"], float(record["value"])
    res = Recount(fid, recorded, None, False)
    ids = json.loads(record["inputs"] or "[]")
    if not ids:
        names = find_parameter(recorded, json.loads(record["parameters"] or "{}"))
        if names:
            res.recomputed = recorded
            res.checks.append(f"{recorded:g} is the parameter {' / '.join(names)} (no counts are involved)")
            res.ok = True
        else:
            res.problems.append("no input counts declared, and the value is not a parameter: cannot recount")
        return res
    for i in ids:
        sub = inputs.get(i)
        if sub is None:
            res.problems.append(f"input {i} has no lineage record")
        elif not sub.ok:
            res.problems.append(f"input {i} does not recount: " + "; ".join(sub.problems))
    if res.problems:
        return res
    res.checks.append(f"all {len(ids)} input count(s) recount: " + ", ".join(f"{i} = {inputs[i].recomputed:g}" for i in ids))
    if record["unit"] == "percent":
        counts = [inputs[i].recomputed for i in ids]
        formula = match_percentage(recorded, counts)
        if formula is None:
            res.recomputed = None
            res.problems.append(f"{recorded:g}% is not a percentage of the recounted inputs "
                                f"({', '.join(f'{c:g}' for c in counts)})")
        else:
            res.recomputed = recorded
            res.checks.append(f"percentage {formula} matches {recorded:g}")
    else:
        res.recomputed = recorded
        res.checks.append(f"the {record['unit']} value is computed by {record['builder']} from these counts")
    res.ok = not res.problems
    return res


def find_parameter(value: float, parameters: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted names of the numeric parameters equal to `value` (a figure that is a setting,
    such as an annual target)."""
    found = []
    for key, v in parameters.items():
        name = f"{prefix}{key}"
        if isinstance(v, Mapping):
            found += find_parameter(value, v, name + ".")
        elif isinstance(v, int | float) and not isinstance(v, bool) and _close(float(v), value):
            found.append(name)
    return found


def match_percentage(value: float, counts: list[float]) -> str | None:
    """How `value` is a percentage of `counts`, in words, or None. Inputs are listed
    numerator(s) first: a / b; (a + b) / c (parts of the last); a / (a + b + ...) and
    a / (b + c ...) (a share of the sum). The value may be rounded, or a fraction of 1."""
    candidates = []
    if len(counts) >= 2:
        *parts, whole = counts
        candidates.append((sum(parts), whole, " + ".join(f"{c:g}" for c in parts) + f" / {whole:g}"))
        candidates.append((counts[0], sum(counts[1:]), f"{counts[0]:g} / ({' + '.join(f'{c:g}' for c in counts[1:])})"))
        candidates.append((counts[0], sum(counts), f"{counts[0]:g} / ({' + '.join(f'{c:g}' for c in counts)})"))
    decimals = _decimals(value)
    for num, den, words in candidates:
        if not den:
            continue
        pct = 100 * num / den
        if abs(round(pct, decimals) - value) <= 10 ** -decimals / 2 + 1e-9 or _close(pct, value) or _close(pct / 100, value):
            return f"{words} = {pct:.4g}%"
    return None


def _decimals(value: float) -> int:
    text = repr(float(value))
    return 0 if text.endswith(".0") else min(len(text.split(".")[1]), 6)


def check_published_before(record: Mapping[str, Any], earlier_value: str | None) -> Recount:
    """A figure copied from an earlier paper recounts when that paper's stored table shows it."""
    res = Recount(record["figure_id"], float(record["value"]), None, False)
    if earlier_value is None:
        res.problems.append(f"not found in the earlier paper's tables ({record['source']})")
        return res
    try:
        v = float(str(earlier_value).replace(",", ""))
    except ValueError:
        res.problems.append(f"the earlier paper shows {earlier_value!r}, not a number")
        return res
    res.recomputed = v
    if _close(v, res.recorded):
        res.checks.append(f"{record['source']} shows {earlier_value}")
        res.ok = True
    else:
        res.problems.append(f"{record['source']} shows {earlier_value}, recorded {res.recorded:g}")
    return res


def check_raw_rows(rows: pd.DataFrame, raw: Mapping[tuple[str, int], Mapping[str, str]]) -> list[str]:
    """Problems found comparing listed rows' keys with the raw rows read back by
    (SOURCE_FILE, SOURCE_ROW): a missing raw row, or a CHILD/EVENT_ID/DECOM that differs."""
    problems = []
    for r in rows.itertuples(index=False):
        if pd.isna(r.SOURCE_FILE) or pd.isna(r.SOURCE_ROW):
            continue
        got = raw.get((r.SOURCE_FILE, int(r.SOURCE_ROW)))
        where = f"{r.SOURCE_FILE} row {int(r.SOURCE_ROW)}"
        if got is None:
            problems.append(f"{where} is not in the raw file")
            continue
        for k in ("CHILD", "EVENT_ID"):
            val = getattr(r, k)
            if pd.notna(val) and k in got and str(got[k]).strip() != str(val):
                problems.append(f"{where}: {k} is {got[k]!r}, recorded {val!r}")
        if pd.notna(r.DECOM) and got.get("DECOM"):
            parsed = parse_raw_date(got["DECOM"])
            if parsed is None or parsed != pd.Timestamp(r.DECOM):
                problems.append(f"{where}: DECOM is {got['DECOM']!r}, recorded {pd.Timestamp(r.DECOM).date()}")
    return problems


def parse_raw_date(text: str) -> pd.Timestamp | None:
    """A raw date in either SSDA903 format (dd/mm/yyyy or yyyy-mm-dd), or None."""
    text = str(text).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return pd.Timestamp(datetime.strptime(text, fmt))
        except ValueError:
            continue
    return None


def compare_input_hashes(recorded: pd.DataFrame, current: Mapping[str, str | None]) -> pd.DataFrame:
    """Each recorded input file with its sha256 now (None if gone) and whether it changed."""
    out = recorded[["file", "sha256"]].copy()
    out["sha256_now"] = out["file"].map(lambda f: current.get(f))
    out["changed"] = out["sha256"].ne(out["sha256_now"])
    return out.reset_index(drop=True)


def recount_figure(
    figure_id: str,
    figures: pd.DataFrame,
    contributions: pd.DataFrame,
    facts: Mapping[str, pd.DataFrame],
    earlier: Mapping[str, str] | None = None,
) -> Recount:
    """Recount any figure of a store: counts from their rows, derived figures from their
    recounted inputs, figures copied from earlier papers against `earlier` (source -> the
    string that paper shows)."""
    rec = find_figure(figures, figure_id)
    if rec is None:
        return Recount(figure_id, None, None, False, problems=["no lineage record"])
    kind = rec["kind"]
    if kind == COUNT:
        return recount_count(rec, contributions_of(contributions, figure_id), facts.get(rec["fact"]))
    if kind == DERIVED:
        ids = json.loads(rec["inputs"] or "[]")
        subs = {i: recount_figure(i, figures, contributions, facts, earlier) for i in ids}
        return check_derived(rec, subs)
    if kind == PUBLISHED_BEFORE:
        return check_published_before(rec, (earlier or {}).get(rec["source"]))
    return Recount(figure_id, float(rec["value"]), None, False, problems=[rec["description"]])


def recount_all(
    figures: pd.DataFrame,
    contributions: pd.DataFrame,
    facts: Mapping[str, pd.DataFrame],
    earlier: Mapping[str, str] | None = None,
) -> dict[str, Recount]:
    """Recount every figure of a store (each fact table prepared once; derived figures
    reuse their inputs' recounts)."""
    views = {name: FactView(frame) for name, frame in facts.items()}
    ordered = contributions.sort_values(["figure_id", "FACT_ROW"], kind="stable").reset_index(drop=True)
    texts = listed_key_text(ordered)
    ids = ordered["figure_id"].to_numpy(dtype=object)
    starts = {f: (int(a), int(b)) for f, a, b in zip(*_runs(ids), strict=True)}
    out: dict[str, Recount] = {}
    for rec in figures[figures["kind"] == COUNT].to_dict("records"):
        a, b = starts.get(rec["figure_id"], (0, 0))
        rows = ordered.iloc[a:b]
        out[rec["figure_id"]] = recount_count(rec, rows, views.get(rec["fact"]), {k: v[a:b] for k, v in texts.items()})
    for rec in figures[figures["kind"] != COUNT].to_dict("records"):
        if rec["kind"] == DERIVED:
            ids = json.loads(rec["inputs"] or "[]")
            out[rec["figure_id"]] = check_derived(rec, {i: out.get(i) or recount_figure(
                i, figures, contributions, facts, earlier) for i in ids})
        else:
            out[rec["figure_id"]] = recount_figure(rec["figure_id"], figures, contributions, facts, earlier)
    return out


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, start, stop) of each run of equal values in a sorted array."""
    if len(values) == 0:
        return np.array([], dtype=object), np.array([], dtype=int), np.array([], dtype=int)
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [len(values)]])
    return values[starts], starts, stops


def explain_tracing(period_label: str, example: str = "Q02_dfe_exits|Adoption|Year to date") -> str:
    """The paper's appendix "How to trace a figure", as markdown (for the notebooks);
    `example` is a figure id of the paper."""
    return f"""### How to trace a figure

Every number in this paper has an identifier of the form `table|row|column` (for example
`{example}`). In the HTML edition, hover over a number to see it. A number in the text
carries the identifier of the table cell it repeats; a chart plots figures of a table in
the paper, and the identifiers of its points, in the order plotted, are listed under the
chart ("Figures plotted", HTML edition only).

An authorised analyst can trace any figure back to the records it counts:

```
python -m pipeline trace 'TABLE|ROW|COLUMN' --period '{period_label}'
```

prints the figure, how it was computed (the paper builder and its parameters, and the
rows selected, in words), the versions (sha256) of the input files, and the contributing
source rows themselves, read back from the returns. Adding `--recount` recomputes the
figure from those rows alone, confirms it matches, and checks that the input files have not
changed since publication. `python -m pipeline trace --list --period '{period_label}'`
lists every figure of the period's papers.

The record of each figure's sources (the lineage store) names children and holds true,
unsuppressed values: it is kept with the restricted outputs and never published.

Figures published in earlier papers are recomputed from the current data whenever a new
paper is produced; any that have changed are listed in the table "Revisions to previously
reported figures", with the reason where it can be told (a late-recorded event, a corrected
record or a new return).
"""
