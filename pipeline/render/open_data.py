"""A paper's published tables as open data in the DfE's format (Explore Education Statistics):
one tidy CSV per table with the DfE's time and geography columns, the table's dimensions as
named filter columns, one indicator column, ``c`` where a figure is withheld to protect
confidentiality and ``z`` where it does not apply, and a ``.meta.csv`` describing the columns.

Built from the published (protected) tables only; text cells are neutralised against formula
injection when written (pipeline.render.safe_text); `find_open_data_problems` reads the files
back for the publication check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from pipeline.render.published import NA, SHOWN, SUPPRESSED, PublishedPaper, ShownTable
from pipeline.render.safe_text import restore_cell

GEOGRAPHY = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name",
             "region_code", "region_name", "old_la_code", "new_la_code", "la_name")
META_COLUMNS = ("col_name", "col_type", "label", "indicator_grouping", "indicator_unit", "indicator_dp",
                "filter_hint", "filter_grouping_column")
SYMBOLS = {SUPPRESSED: "c", NA: "z"}
UNIT_SIGNS = {"percent": "%", "money": "£"}
DECIMALS = {"count": 0, "percent": 0, "rate": 1, "money": 0, "number": 1, "days": 0, "fte": 1}
DATE_COLUMN = re.compile(r"^31 March (\d{4})$")
YEAR_COLUMN = re.compile(r"^(\d{4})-(\d{2})$")


def to_column_name(label: str) -> str:
    """A dimension or unit as a DfE column name: lower case, words joined by underscores."""
    name = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return name if name and not name[0].isdigit() else f"x_{name}"


def indicator_name(table: ShownTable) -> str:
    """The indicator column: what the figures count or measure, with its unit."""
    info = table.info
    if info.fmt == "percent":
        return "percent"
    if info.fmt == "rate":
        return "rate_per_10000"
    if info.fmt == "money":
        return "amount_gbp"
    unit = to_column_name(info.unit)
    if unit in ("count", "number"):
        return "number"
    return f"{unit}_count" if info.fmt == "count" else unit


def reporting_year(column: str) -> str | None:
    """'31 March 2024' or '2023-24' as the DfE's reporting year ('2024'), else None."""
    if m := DATE_COLUMN.match(column):
        return m.group(1)
    if m := YEAR_COLUMN.match(column):
        return str(int(m.group(1)) + 1)
    return None


ANNUAL_PAPERS = ("sufficiency",)


def default_time(meta: Mapping[str, str], paper_id: str) -> tuple[str, str]:
    """(time_period, time_identifier) of a paper's figures when its columns are not years: the
    reporting year (to 31 March) of the annual sufficiency analysis, else the financial year of
    the period (the quarterly paper: its quarters and year to date are a filter)."""
    if paper_id in ANNUAL_PAPERS:
        start, _ = str(meta["sufficiency_year"]).split("-")
        return str(int(start) + 1), "Reporting year"
    start, end = str(meta["period"]).split(" ")[0].split("-")
    return f"{start}{end}", "Financial year"


def format_indicator(value: float, fmt: str) -> str:
    places = DECIMALS.get(fmt, 1)
    return f"{value:.{places}f}"


def build_open_data_table(table: ShownTable, meta: Mapping[str, str], paper_id: str) -> pd.DataFrame:
    """One table in the DfE's tidy format (one row per figure)."""
    info = table.info
    row_filter = to_column_name(info.row_dim)
    col_filter = to_column_name(info.col_dim)
    by_year = all(reporting_year(c) for c in info.cols)
    period, identifier = default_time(meta, paper_id)
    geography = {"geographic_level": "Local authority", "country_code": "E92000001", "country_name": "England",
                 "region_code": meta.get("region_code", ""), "region_name": meta.get("region_name", ""),
                 "old_la_code": meta.get("la_code", ""), "new_la_code": meta.get("new_la_code", ""),
                 "la_name": meta.get("la_name", "")}
    indicator = indicator_name(table)
    rows = []
    for c in info.cols:
        for r in info.rows:
            status = str(table.status.at[r, c])
            value = (format_indicator(float(table.values.at[r, c]), info.fmt) if status == SHOWN
                     else SYMBOLS.get(status, "c"))
            time = {"time_period": reporting_year(c), "time_identifier": "Reporting year"} if by_year else \
                {"time_period": period, "time_identifier": identifier}
            filters = {row_filter: r}
            if not by_year:
                filters[col_filter] = c
            rows.append({**time, **geography, **filters, indicator: value})
    return pd.DataFrame(rows, columns=[*GEOGRAPHY, row_filter, *([] if by_year else [col_filter]), indicator])


def build_open_data_meta(table: ShownTable) -> pd.DataFrame:
    """The .meta.csv: each filter and indicator column with its label (and unit, decimals)."""
    info = table.info
    by_year = all(reporting_year(c) for c in info.cols)
    rows = [{"col_name": to_column_name(info.row_dim), "col_type": "Filter", "label": info.row_dim,
             "filter_hint": f"{info.title}: {info.row_dim.lower()}"}]
    if not by_year:
        rows.append({"col_name": to_column_name(info.col_dim), "col_type": "Filter", "label": info.col_dim,
                     "filter_hint": f"{info.title}: {info.col_dim.lower()}"})
    label = f"{info.title} ({info.unit})"
    rows.append({"col_name": indicator_name(table), "col_type": "Indicator", "label": label,
                 "indicator_unit": UNIT_SIGNS.get(info.fmt, ""), "indicator_dp": str(DECIMALS.get(info.fmt, 1))})
    return pd.DataFrame([{k: str(r.get(k, "")) for k in META_COLUMNS} for r in rows], columns=list(META_COLUMNS))


def build_open_data(published: PublishedPaper, meta: Mapping[str, str]) -> dict[str, pd.DataFrame]:
    """File name -> frame: each table's CSV and its .meta.csv (names from the table ids)."""
    out: dict[str, pd.DataFrame] = {}
    for table in published.tables:
        name = to_column_name(table.table_id)
        out[f"{name}.csv"] = build_open_data_table(table, meta, published.paper_id)
        out[f"{name}.meta.csv"] = build_open_data_meta(table)
    return out


def find_open_data_problems(files: Mapping[str, pd.DataFrame], published: PublishedPaper, where: str) -> list[str]:
    """The publication check of the open data (frames read as text): every published table has
    its CSV and .meta.csv, every figure is the published one (``c`` where withheld, ``z`` where
    not applicable), no protected count below the threshold, and nothing else."""
    problems = []
    expected = {f"{to_column_name(t.table_id)}.csv": t for t in published.tables}
    for name in sorted(set(files) - set(expected) - {f"{n[:-4]}.meta.csv" for n in expected}):
        problems.append(f"{where}/{name}: an open-data file that no published table describes")
    for name, table in expected.items():
        frame = files.get(name)
        if frame is None or f"{name[:-4]}.meta.csv" not in files:
            problems.append(f"{where}/{name}: missing (or its .meta.csv is)")
            continue
        info = table.info
        indicator, row_filter = indicator_name(table), to_column_name(info.row_dim)
        by_year = all(reporting_year(c) for c in info.cols)
        cols = {reporting_year(c): c for c in info.cols} if by_year else None
        if indicator not in frame.columns or row_filter not in frame.columns:
            problems.append(f"{where}/{name}: no {indicator} or {row_filter} column")
            continue
        seen = set()
        for i, rec in enumerate(frame.to_dict("records"), start=2):
            r = restore_cell(rec[row_filter])
            c = cols.get(rec["time_period"]) if by_year else restore_cell(rec.get(to_column_name(info.col_dim), ""))
            if r not in info.rows or c not in info.cols:
                problems.append(f"{where}/{name} row {i}: {r!r}, {c!r} is not a figure of table {info.table_id}")
                continue
            seen.add((r, c))
            status, text = str(table.status.at[r, c]), str(rec[indicator])
            if status != SHOWN:
                if text != SYMBOLS.get(status, "c"):
                    problems.append(f"{where}/{name} row {i}: {info.table_id}|{r}|{c} is withheld in the paper "
                                    f"but the open data gives {text!r}")
                continue
            try:
                value = float(text)
            except ValueError:
                problems.append(f"{where}/{name} row {i}: {indicator} {text!r} is not a number")
                continue
            if abs(value - float(table.values.at[r, c])) > 1e-9 * max(1.0, abs(value)):
                problems.append(f"{where}/{name} row {i}: {info.table_id}|{r}|{c} is {text} but the paper "
                                f"publishes {format_indicator(float(table.values.at[r, c]), info.fmt)}")
            elif info.protected and info.fmt == "count" and 0 < value < published.threshold:
                problems.append(f"{where}/{name} row {i}: count {text} is below the threshold {published.threshold}")
        missing = len(info.rows) * len(info.cols) - len(seen)
        if missing:
            problems.append(f"{where}/{name}: {missing} figure(s) of table {info.table_id} are missing")
    return problems
