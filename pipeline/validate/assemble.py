"""From validated raw strings to the typed, stitched tables of data/processed/validated/.

Pure: takes the frames pipeline.readers produced, returns new frames, writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from pipeline import schema
from pipeline.readers import EXCLUSION_COLUMNS, LINEAGE, RawData
from pipeline.schema import layout_columns
from pipeline.stitch import (
    LOG_COLUMNS,
    drop_duplicate_rows,
    harmonise_sex,
    latest_header,
    overlapping_episodes,
    stitch_episodes,
)
from pipeline.validate import checks as ck
from pipeline.validate.rules import FAILURE_COLUMNS, RULES


@dataclass
class Assembled:
    tables: dict[str, pd.DataFrame]  # table -> typed frame, as written to <table>.parquet
    stitch_log: pd.DataFrame  # stitch.LOG_COLUMNS
    exclusions: pd.DataFrame  # readers.EXCLUSION_COLUMNS
    failures: pd.DataFrame  # failures found after stitching (STITCH_OVERLAP)


def typed_table(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Parse a table's strings by schema kind: dates datetime64[ns], int Int64, float Float64,
    bool boolean, everything else strings (blank -> missing). Lineage columns kept."""
    out = {}
    for col in layout_columns(table):
        s = frame[col.name]
        if col.kind == "date":
            out[col.name] = s if pd.api.types.is_datetime64_any_dtype(s) else ck.parse_dates(s)
        elif col.kind == "int":
            out[col.name] = ck.parse_numbers(s).round().astype("Int64")
        elif col.kind == "float":
            out[col.name] = ck.parse_numbers(s).astype("Float64")
        elif col.kind == "bool":
            out[col.name] = ck.parse_bools(s)
        else:
            out[col.name] = s.astype("str").where(s.notna())
    extra = [c for c in frame.columns if c not in out and c not in LINEAGE]
    res = pd.DataFrame(out, index=frame.index)
    for c in extra:
        res[c] = frame[c]
    res["RETURN"] = frame["RETURN"].astype("str").where(frame["RETURN"].notna())
    res["SOURCE_FILE"] = frame["SOURCE_FILE"].astype("str")
    res["SOURCE_ROW"] = frame["SOURCE_ROW"].astype("Int64")
    return res.reset_index(drop=True)


def _data_columns(table: str) -> list[str]:
    return [c.name for c in layout_columns(table)]


def assemble_validated(raw: RawData, as_of: date | None = None) -> Assembled:
    """Stitch episodes, keep the latest header row per child, de-duplicate the other tables."""
    tables: dict[str, pd.DataFrame] = {}
    logs = []
    excl = [raw.excluded] if len(raw.excluded) else []
    failures = []
    for table, frame in raw.tables.items():
        if table == "episodes":
            typed = typed_table(frame, table)
            res = stitch_episodes(typed, as_of=as_of)
            tables[table] = res.episodes
            logs.append(res.log)
            excl.append(res.excluded)
            bad = overlapping_episodes(res.episodes)
            if bad.any():
                failures.append(_overlap_failures(res.episodes[bad]))
        elif table == "header":
            typed = typed_table(harmonise_sex(frame), table)
            kept, log, dropped = latest_header(_before(typed, as_of, excl, table))
            tables[table] = kept
            logs.append(log)
            excl.append(dropped)
        else:
            typed = typed_table(harmonise_sex(frame) if table == "uasc" else frame, table)
            if table in schema.SSDA903_TABLES:
                typed = _before(typed, as_of, excl, table)
            kept, dropped = drop_duplicate_rows(typed, table, _data_columns(table))
            tables[table] = kept.reset_index(drop=True)
            excl.append(dropped)
    log = pd.concat([x for x in logs if len(x)], ignore_index=True) if any(len(x) for x in logs) else pd.DataFrame(columns=LOG_COLUMNS)
    exclusions = pd.concat([x for x in excl if len(x)], ignore_index=True) if any(len(x) for x in excl) else pd.DataFrame(columns=EXCLUSION_COLUMNS)
    fails = pd.concat(failures, ignore_index=True) if failures else pd.DataFrame(columns=FAILURE_COLUMNS)
    return Assembled(tables, log, exclusions[EXCLUSION_COLUMNS], fails)


def _before(frame: pd.DataFrame, as_of: date | None, excl: list, table: str) -> pd.DataFrame:
    """Rows of returns ending on or before as_of; the others go to exclusions."""
    if as_of is None:
        return frame
    ends = frame["RETURN"].map({n: schema.parse_return_label(n).end for n in frame["RETURN"].unique()})
    late = ends > as_of
    if late.any():
        d = frame[late]
        excl.append(pd.DataFrame({"table": table, "RETURN": d["RETURN"], "SOURCE_FILE": d["SOURCE_FILE"], "SOURCE_ROW": d["SOURCE_ROW"],
                                  "CHILD": d.get("CHILD", pd.NA), "reason": "return ends after the as-of date; not used"}))
    return frame[~late]


def _overlap_failures(rows: pd.DataFrame) -> pd.DataFrame:
    r = RULES["STITCH_OVERLAP"]
    decom = rows["DECOM"].dt.strftime("%d/%m/%Y")
    return pd.DataFrame({
        "file": rows["SOURCE_FILE"].values, "row": rows["SOURCE_ROW"].values, "CHILD": rows["CHILD"].values,
        "column": "DECOM", "rule": r.id, "value": decom.values, "severity": r.severity,
        "message": ("DECOM " + decom + " overlaps the child's previous episode after stitching").values,
        "table": "episodes", "return": rows["RETURN"].values,
    }, columns=FAILURE_COLUMNS)


def kept_by_file(tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Rows kept per source file, over every validated table."""
    out: dict[str, int] = {}
    for frame in tables.values():
        for k, v in frame.groupby("SOURCE_FILE").size().items():
            out[str(k)] = out.get(str(k), 0) + int(v)
    return out
