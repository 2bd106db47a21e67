"""Machine-readable tables beside each paper, as frames and mappings (the CLI writes them).

Public: one tidy CSV per published table (``table_id,row,column,value``, the symbol where
suppressed) and a ``tables.json`` manifest. Restricted: the true values of every table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline.render.published import (
    PublishedPaper,
    TableInfo,
    read_published_table,
    tidy_published,
)
from pipeline.tables import Paper, tidy

MANIFEST_VERSION = 1


def build_published_csvs(published: PublishedPaper) -> dict[str, pd.DataFrame]:
    """File name -> tidy frame, one per published table, in the paper's order."""
    return {f"{t.table_id}.csv": tidy_published(t, published.symbol) for t in published.tables}


def build_manifest(published: PublishedPaper, meta: Mapping[str, Any]) -> dict[str, Any]:
    """The ``tables.json`` manifest: paper metadata and, per table, its id, title, row and
    column dimensions and labels, totals, figures shared with other tables and its file."""
    return {
        "manifest_version": MANIFEST_VERSION,
        "paper": published.paper_id,
        **dict(meta),
        "suppression_symbol": published.symbol,
        "threshold": published.threshold,
        "tables": [{**t.info.to_dict(), "file": f"{t.table_id}.csv"} for t in published.tables],
    }


def read_published_paper(manifest: Mapping[str, Any], frames: Mapping[str, pd.DataFrame]) -> PublishedPaper:
    """Rebuild a PublishedPaper from its manifest and tidy CSV frames (file name -> frame)."""
    symbol = manifest["suppression_symbol"]
    tables = []
    for entry in manifest["tables"]:
        frame = frames[entry["file"]]
        tables.append(read_published_table(TableInfo.from_dict(entry), frame, symbol))
    return PublishedPaper(manifest["paper"], tuple(tables), symbol, int(manifest["threshold"]))


def build_true_values(paper: Paper) -> pd.DataFrame:
    """Every figure of every table, unsuppressed (restricted: never published)."""
    frames = [tidy(t) for t in [*paper.tables, *paper.derived]]
    if not frames:
        return pd.DataFrame(columns=["table_id", "row", "column", "value"])
    return pd.concat(frames, ignore_index=True)


def collect_published_before(frames: Mapping[str, pd.DataFrame], symbol: str = "x") -> dict[str, float]:
    """Figures published in earlier papers (figure id -> value) from their tidy CSVs; suppressed
    figures are not known to anyone and are left out. ``frames`` maps a label (e.g. the earlier
    period's file path) to a tidy frame; when two earlier papers published the same figure id
    the later label (in sorted order) wins."""
    known: dict[str, float] = {}
    for label in sorted(frames):
        f = frames[label].astype({"value": "string"})
        for tid, r, c, v in f[["table_id", "row", "column", "value"]].itertuples(index=False):
            if v in (symbol, "z") or pd.isna(v):
                continue
            try:
                known[f"{tid}|{r}|{c}"] = float(v)
            except ValueError:
                continue
    return known
