"""Cross-row rules on the team's local files that GX expectations do not express simply:
overlapping staffing spells, unit-cost years missing, tracker events after the data ends.

Each function takes the raw string frames (with SOURCE_FILE / SOURCE_ROW) and returns failure
rows (pipeline.validate.rules); `local_rule_failures` runs them all. Pure: no I/O.
"""

from __future__ import annotations

import pandas as pd

from pipeline import schema
from pipeline.validate.checks import parse_dates
from pipeline.validate.rules import FAILURE_COLUMNS, RULES, failures_frame


def _row_failures(rule_id: str, rows: pd.DataFrame, table: str, column: str, values: pd.Series,
                  other: pd.Series | None = None) -> list[dict]:
    """One failure per row of `rows` (which keeps SOURCE_FILE / SOURCE_ROW)."""
    r = RULES[rule_id]
    out = []
    for i, (_, row) in enumerate(rows.iterrows()):
        value = str(values.iloc[i])
        ctx = {"column": column, "value": value, "other": "" if other is None else str(other.iloc[i]),
               "allowed": "", "year": "", "file": row["SOURCE_FILE"]}
        out.append({"file": row["SOURCE_FILE"], "row": int(row["SOURCE_ROW"]), "CHILD": row.get("CHILD", pd.NA),
                    "column": column, "rule": rule_id, "value": value, "severity": r.severity,
                    "message": r.message.format(**ctx), "table": table, "return": pd.NA})
    return out


def find_overlapping_spells(staffing: pd.DataFrame) -> list[dict]:
    """ST_SPELL_OVERLAP: a spell of a post that starts before the post's previous spell ended
    (a blank TO_DATE is a spell still open). Rows with unparseable dates are left to DATE_FORMAT."""
    df = staffing.assign(_from=parse_dates(staffing["FROM_DATE"]), _to=parse_dates(staffing["TO_DATE"]))
    df = df[df["POST_ID"].notna() & df["_from"].notna()]
    df = df.sort_values(["POST_ID", "_from", "SOURCE_FILE", "SOURCE_ROW"], kind="stable")
    open_end = pd.Timestamp.max
    prev_end = df.groupby("POST_ID")["_to"].shift().fillna(open_end)
    prev_end = prev_end.where(df.groupby("POST_ID").cumcount() > 0)
    prev_row = df.groupby("POST_ID")["SOURCE_ROW"].shift()
    bad = prev_end.notna() & (df["_from"] <= prev_end)
    rows = df[bad]
    others = [f"row {int(r)}, " + ("still open" if e == open_end else f"to {e:%Y-%m-%d}")
              for r, e in zip(prev_row[bad], prev_end[bad], strict=True)]
    return _row_failures("ST_SPELL_OVERLAP", rows, "staffing", "FROM_DATE", rows["FROM_DATE"],
                         pd.Series(others, index=rows.index, dtype="object"))


def _financial_year(ts: pd.Timestamp) -> str:
    start = ts.year if ts.month >= 4 else ts.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def find_missing_cost_years(unit_costs: pd.DataFrame, covered_until: pd.Timestamp | None) -> list[dict]:
    """UC_YEAR_MISSING: a financial year from the first year with unit costs to the year the
    returns end in that has no unit costs (its savings cannot be computed)."""
    years = sorted({y for y in unit_costs["FINANCIAL_YEAR"].dropna() if len(y) == 7 and y[:4].isdigit()})
    if not years:
        return []
    last = int(years[-1][:4])
    if covered_until is not None:
        last = max(last, int(_financial_year(covered_until)[:4]))
    wanted = [f"{y}-{(y + 1) % 100:02d}" for y in range(int(years[0][:4]), last + 1)]
    file = unit_costs["SOURCE_FILE"].iloc[0]
    r = RULES["UC_YEAR_MISSING"]
    return [{"file": file, "row": pd.NA, "CHILD": pd.NA, "column": "FINANCIAL_YEAR", "rule": "UC_YEAR_MISSING",
             "value": y, "severity": r.severity, "table": "unit_costs", "return": pd.NA,
             "message": r.message.format(file=file, column="FINANCIAL_YEAR", value=y, other="", allowed="", year=y)}
            for y in wanted if y not in years]


def find_events_after_data(tracker: pd.DataFrame, covered_until: pd.Timestamp | None) -> list[dict]:
    """TR_EVENT_AFTER_DATA: a tracker event dated after the last day any SSDA903 return covers
    (it counts in no paper until a return covers it)."""
    if covered_until is None:
        return []
    when = parse_dates(tracker["EVENT_DATE"])
    rows = tracker[when > covered_until]
    return _row_failures("TR_EVENT_AFTER_DATA", rows, "permanence_tracker", "EVENT_DATE", rows["EVENT_DATE"],
                         pd.Series(f"{covered_until:%Y-%m-%d}", index=rows.index, dtype="object"))


def is_out_of_range_date(value: str) -> bool:
    """A real date in dd/mm/yyyy or yyyy-mm-dd form outside the years pandas can hold."""
    from datetime import datetime

    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            when = datetime.strptime(value, fmt)
        except (TypeError, ValueError):
            continue
        return not 1678 <= when.year <= 2261
    return False


def date_columns(table: str) -> list[str]:
    return [c.name for c in schema.layout_columns(table) if c.kind == "date"]


def find_out_of_range_dates(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """DATE_OUT_OF_RANGE: a real date the pipeline cannot hold (before 1678 or after 2261),
    named by file and row (staffing TO_DATE's open end, 9999-12-31, is read as blank first)."""
    rows: list[dict] = []
    for table, frame in tables.items():
        for column in date_columns(table):
            if column not in frame:
                continue
            values = frame[column]
            distinct = values.dropna().unique()
            bad = {v for v in distinct if is_out_of_range_date(str(v))}
            if bad:
                hit = frame[values.isin(bad)]
                rows += _row_failures("DATE_OUT_OF_RANGE", hit, table, column, hit[column])
    return rows


def open_end_dates(staffing: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Staffing TO_DATE after 2261 (HR systems' 9999-12-31 for 'no end date') read as blank,
    each with a DATE_OPEN_END warning: (the new frame, the warnings). Pure."""
    distinct = staffing["TO_DATE"].dropna().unique()
    bad = {v for v in distinct if is_out_of_range_date(str(v)) and _year(str(v)) > 2261}
    if not bad:
        return staffing, []
    hit = staffing["TO_DATE"].isin(bad)
    warnings = _row_failures("DATE_OPEN_END", staffing[hit], "staffing", "TO_DATE", staffing.loc[hit, "TO_DATE"])
    return staffing.assign(TO_DATE=staffing["TO_DATE"].mask(hit)), warnings


def _year(value: str) -> int:
    return int(value[:4]) if value[:4].isdigit() else int(value[-4:])


def local_rule_failures(tables: dict[str, pd.DataFrame], covered_until: pd.Timestamp | None) -> pd.DataFrame:
    """Every failure of the rules above over the raw tables present."""
    rows: list[dict] = find_out_of_range_dates(tables)
    if "staffing" in tables:
        rows += find_overlapping_spells(tables["staffing"])
    if "unit_costs" in tables and len(tables["unit_costs"]):
        rows += find_missing_cost_years(tables["unit_costs"], covered_until)
    if "permanence_tracker" in tables:
        rows += find_events_after_data(tables["permanence_tracker"], covered_until)
    return failures_frame(rows)[FAILURE_COLUMNS]
