"""The lineage store's data model: its columns, kinds of figure, content hashing of fact
tables, selections as JSON, and looking figures up in a store read back.

Pure: no I/O (:mod:`pipeline.lineage.store` reads and writes stores).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from pipeline.store import sha256_bytes
from pipeline.tables import Selection, SourceRef

# Source keys kept for each contributing fact row, when the fact table has them.
KEY_COLUMNS = ("CHILD", "DECOM", "EVENT_ID", "CASE_ID", "POST_ID", "RETURN", "SOURCE_FILE", "SOURCE_ROW")

FIGURE_COLUMNS = (
    "figure_id", "paper_id", "kind", "table_id", "table_title", "row", "column", "value",
    "published", "unit", "builder", "parameters", "fact", "selection", "description",
    "fact_hash", "fact_rows", "n_rows", "inputs", "source", "sources",
)
CONTRIBUTION_COLUMNS = ("figure_id", "fact", "FACT_ROW", *KEY_COLUMNS)
INPUT_COLUMNS = ("file", "sha256", "rows", "dvc_path", "dvc_md5")

# Kinds of figure. PUBLISHED_ELSEWHERE: published by another body (the DfE's comparators), or
# computed only from such figures (the neighbours' median); ``sources`` says where.
COUNT, DERIVED, PUBLISHED_BEFORE, UNDECLARED = "count", "derived", "published_before", "undeclared"
PUBLISHED_ELSEWHERE = "published_elsewhere"


@dataclass
class Lineage:
    """The lineage store of one paper (three frames; see the module docstring)."""

    figures: pd.DataFrame
    contributions: pd.DataFrame
    inputs: pd.DataFrame


# --- hashing and serialising ------------------------------------------------------------------


def canonical_column(col: pd.Series) -> pd.Series:
    """A column in a dtype-independent form: the same content hashes the same after a
    parquet round trip (str/object, Int64/int64/float64, datetime units all agree)."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.astype("datetime64[ns]").dt.strftime("%Y-%m-%dT%H:%M:%S.%f").fillna("").astype(object)
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        return col.astype("float64")
    return col.astype("string").fillna("").astype(object)


def hash_frame(frame: pd.DataFrame) -> str:
    """Content hash (sha256) of a fact table: column names and values, in order, dtype-blind."""
    parts = [json.dumps([str(c) for c in frame.columns]).encode(), str(len(frame)).encode()]
    for c in frame.columns:
        canon = canonical_column(frame[c].reset_index(drop=True))
        parts.append(pd.util.hash_pandas_object(canon, index=False).to_numpy().tobytes())
    return sha256_bytes(b"".join(parts))


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


def encode_sources(refs: Iterable[SourceRef]) -> str | None:
    """A figure's sources as JSON (None when it has none)."""
    refs = [r.as_dict() for r in refs]
    return json.dumps(refs) if refs else None


def decode_sources(text: Any) -> list[SourceRef]:
    """The sources :func:`encode_sources` wrote (empty for a missing value)."""
    if not isinstance(text, str) or not text:
        return []
    return [SourceRef.from_dict(d) for d in json.loads(text)]


def raw_sources(rows: pd.DataFrame) -> pd.DataFrame:
    """Distinct (SOURCE_FILE, SOURCE_ROW) of contributing rows, in file and row order."""
    src = rows[["SOURCE_FILE", "SOURCE_ROW"]].dropna().drop_duplicates()
    return src.sort_values(["SOURCE_FILE", "SOURCE_ROW"]).reset_index(drop=True)

