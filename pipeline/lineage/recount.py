"""Recounting figures from a lineage store alone.

A recount (:func:`recount_figure`) needs nothing but the stored record, the listed rows
and the fact table: it checks the rows are the ones recorded, that each satisfies the
selection (tested row by row, not with the code that built the paper), that no other row
does, and that their count (or sum) is the recorded value. A figure another body published
recounts when each value it was read from is still in its file at the recorded line and
column (and, read from one value, equals it). Pure: the trace command reads.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from pipeline.lineage.build import select_keys, type_keys
from pipeline.lineage.records import (
    COUNT,
    DERIVED,
    KEY_COLUMNS,
    PUBLISHED_BEFORE,
    PUBLISHED_ELSEWHERE,
    canonical_column,
    contributions_of,
    decode_selection,
    decode_sources,
    find_figure,
    hash_frame,
)
from pipeline.tables import Selection, SourceRef

# (file, line, column) of a published value -> the text there now (None: file or line gone).
PublishedNow = Mapping[tuple[str, int, str], "str | None"]


@dataclass
class Recount:
    """The outcome of recounting one figure: ``ok`` only if every check passed."""

    figure_id: str
    recorded: float | None
    recomputed: float | None
    ok: bool
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


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
    return canonical_column(keys).astype("string").fillna("").to_numpy(dtype=object)


def listed_key_text(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """The source keys of rows (contributions or fact keys) as comparable text arrays."""
    typed = type_keys(rows[list(KEY_COLUMNS)].reset_index(drop=True))
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
    if not _check_fact_hash(res, view, sel, record["fact_hash"]):
        return res
    pos = rows["FACT_ROW"].to_numpy(dtype="int64")
    if len(pos) and (pos.max() >= len(view.frame) or pos.min() < 0):
        res.problems.append("listed rows lie outside the fact table")
        return res
    _check_listed_rows(res, view, sel, pos, listed if listed is not None else listed_key_text(rows))
    _check_value(res, _sum_listed(view, sel, pos), recorded)
    return res


def _check_fact_hash(res: Recount, view: FactView, sel: Selection, recorded_hash: str) -> bool:
    """Whether the fact table is the one the paper used; if not, what the selection gives now."""
    frame = view.frame
    if view.content_hash != recorded_hash:
        now = _count_matching(view, sel) if not sel.sum_of else float(frame[sel.mask(frame)][sel.sum_of].sum())
        res.recomputed = float(now)
        res.problems.append(f"fact table {sel.fact} changed since publication (content hash differs); "
                            f"the selection over the current table gives {now:g}")
        return False
    res.checks.append(f"fact table {sel.fact} is the one used for the paper (content hash matches)")
    return True


def _check_listed_rows(res: Recount, view: FactView, sel: Selection, pos: np.ndarray,
                       listed: Mapping[str, np.ndarray]) -> None:
    """The listed rows carry their recorded keys, each satisfies the selection, no other row does."""
    now_keys = view.key_strings()
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


def _sum_listed(view: FactView, sel: Selection, pos: np.ndarray) -> float:
    """The listed rows' count, or the sum of `sel.sum_of` over them (missing left out)."""
    if sel.sum_of:
        return float(sum(float(x) for x in view.column(sel.sum_of)[pos] if not _is_missing(x)))
    return float(len(pos))


def _check_value(res: Recount, value: float, recorded: float) -> None:
    """Record the recomputed value, compare it with the recorded one, and set ``ok``."""
    res.recomputed = value
    if _close(value, recorded):
        res.checks.append(f"recomputed {value:g} = recorded {recorded:g}")
    else:
        res.problems.append(f"recomputed {value:g} but the recorded figure is {recorded:g}")
    res.ok = not res.problems


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


def check_published_elsewhere(record: Mapping[str, Any], now: PublishedNow) -> Recount:
    """A figure another body published (or computed only from such figures) recounts when every
    value it names is still in its file at the recorded line and column (`now`: read back from
    the files) and, when it is read from a single value, that value is the figure."""
    res = Recount(record["figure_id"], float(record["value"]), None, False)
    refs = decode_sources(record.get("sources"))
    if not refs:
        res.problems.append("no published source recorded: cannot recount")
        return res
    res.problems += compare_published_values(refs, now)
    if res.problems:
        return res
    res.checks.append(f"the {len(refs)} published value(s) are in their files as recorded "
                      f"({', '.join(sorted({r.file for r in refs}))})")
    if len(refs) == 1:
        try:
            v = float(refs[0].value.replace(",", ""))
        except ValueError:
            v = math.nan
        if not _close(v, res.recorded):
            res.problems.append(f"the published value {refs[0].value!r} is not the recorded {res.recorded:g}")
            return res
        res.recomputed = v
        res.checks.append(f"{refs[0].value} is the recorded figure")
    else:
        res.recomputed = res.recorded
        res.checks.append(f"the {record['unit']} value is computed by {record['builder']} from these values")
    res.ok = True
    return res


def compare_published_values(refs: list[SourceRef], now: PublishedNow) -> list[str]:
    """A problem for each published value that is no longer in its file as recorded."""
    problems = []
    for r in refs:
        text = now.get((r.file, r.line, r.column))
        if text is None:
            problems.append(f"{r.file}, line {r.line}, column {r.column}: no longer present")
        elif text.strip() != r.value:
            problems.append(f"{r.file}, line {r.line}, column {r.column} now reads {text.strip()!r}, "
                            f"recorded {r.value!r}")
    return problems


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
    published: PublishedNow | None = None,
) -> Recount:
    """Recount any figure of a store: counts from their rows, derived figures from their
    recounted inputs, figures copied from earlier papers against `earlier` (source -> the
    string that paper shows), figures another body published against `published` (the values
    in its files now: :func:`pipeline.lineage.store.read_published_values`)."""
    rec = find_figure(figures, figure_id)
    if rec is None:
        return Recount(figure_id, None, None, False, problems=["no lineage record"])
    kind = rec["kind"]
    if kind == COUNT:
        return recount_count(rec, contributions_of(contributions, figure_id), facts.get(rec["fact"]))
    if kind == DERIVED:
        ids = json.loads(rec["inputs"] or "[]")
        subs = {i: recount_figure(i, figures, contributions, facts, earlier, published) for i in ids}
        return _check_sources_too(check_derived(rec, subs), rec, published or {})
    if kind == PUBLISHED_BEFORE:
        return check_published_before(rec, (earlier or {}).get(rec["source"]))
    if kind == PUBLISHED_ELSEWHERE:
        return check_published_elsewhere(rec, published or {})
    return Recount(figure_id, float(rec["value"]), None, False, problems=[rec["description"]])


def _check_sources_too(res: Recount, record: Mapping[str, Any], now: PublishedNow) -> Recount:
    """A derived figure computed from counts and from published values: the values checked too."""
    refs = decode_sources(record.get("sources"))
    if not refs:
        return res
    problems = compare_published_values(refs, now)
    res.problems += problems
    if not problems:
        res.checks.append(f"the {len(refs)} published value(s) it uses are in their files as recorded")
    res.ok = not res.problems
    return res


def recount_all(
    figures: pd.DataFrame,
    contributions: pd.DataFrame,
    facts: Mapping[str, pd.DataFrame],
    earlier: Mapping[str, str] | None = None,
    published: PublishedNow | None = None,
) -> dict[str, Recount]:
    """Recount every figure of a store (each fact table prepared once; derived figures
    reuse their inputs' recounts); `earlier` and `published` as for :func:`recount_figure`."""
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
            out[rec["figure_id"]] = _check_sources_too(check_derived(rec, {i: out.get(i) or recount_figure(
                i, figures, contributions, facts, earlier, published) for i in ids}), rec, published or {})
        else:
            out[rec["figure_id"]] = recount_figure(rec["figure_id"], figures, contributions, facts, earlier,
                                                   published)
    return out


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, start, stop) of each run of equal values in a sorted array."""
    if len(values) == 0:
        return np.array([], dtype=object), np.array([], dtype=int), np.array([], dtype=int)
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [len(values)]])
    return values[starts], starts, stops

