"""A paper's published tables as open data in the DfE's format (Explore Education Statistics):
one tidy CSV per table group with the DfE's time and geography columns, the tables' dimensions
as named filter columns, one column per indicator, ``c`` where a figure is withheld to protect
confidentiality and ``z`` where it does not apply, and a ``.meta.csv`` describing the columns.
A group is a count table and the tables computed from it over the same dimensions (e.g.
S01 children in care by age and S01p the same as percentages: ``children_count`` and
``percent`` side by side, as the DfE publishes them); any other table is a group of its own.

Built from the published (protected) tables only; text cells are neutralised against formula
injection when written (pipeline.safe_text); `find_open_data_problems` reads the files
back for the publication check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from pipeline.render.published import NA, SHOWN, SUPPRESSED, PublishedPaper, ShownTable
from pipeline.safe_text import restore_cell

GEOGRAPHY = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name",
             "region_code", "region_name", "old_la_code", "new_la_code", "la_name")
META_COLUMNS = ("col_name", "col_type", "label", "indicator_grouping", "indicator_unit", "indicator_dp",
                "filter_hint", "filter_grouping_column")
SYMBOLS = {SUPPRESSED: "c", NA: "z"}
UNIT_SIGNS = {"percent": "%", "money": "£"}
DECIMALS = {"count": 0, "percent": 0, "rate": 1, "money": 0, "number": 1, "days": 0, "fte": 1}
DATE_COLUMN = re.compile(r"^31 March (\d{4})$")
YEAR_COLUMN = re.compile(r"^(\d{4})-(\d{2})$")
TABLE_NUMBER = re.compile(r"^[A-Za-z]+\d+")


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


def is_by_year(table: ShownTable) -> bool:
    return all(reporting_year(c) for c in table.info.cols)


def group_tables(published: PublishedPaper) -> list[tuple[str, tuple[ShownTable, ...]]]:
    """(file stem, tables) per group, in the paper's order: tables whose ids share their letters
    and number (S01_..., S01p_...) and that have the same row and column dimensions."""
    groups: dict[tuple, list[ShownTable]] = {}
    for t in published.tables:
        base = TABLE_NUMBER.match(t.table_id)
        key = (base.group(0) if base else t.table_id, t.info.row_dim, t.info.col_dim, is_by_year(t))
        groups.setdefault(key, []).append(t)
    return [(to_column_name(ts[0].table_id), tuple(ts)) for ts in groups.values()]


def indicator_names(tables: tuple[ShownTable, ...]) -> list[str]:
    """Each table's indicator column, made unique within the group (a second table with the
    same indicator gets its table id appended)."""
    names: list[str] = []
    for t in tables:
        name = indicator_name(t)
        names.append(name if name not in names else f"{name}_{to_column_name(t.table_id)}")
    return names


def _cells(tables: tuple[ShownTable, ...]) -> list[tuple[str, str]]:
    """Every (row, column) of the group, the first table's order first."""
    seen: dict[tuple[str, str], None] = {}
    for t in tables:
        for c in t.info.cols:
            for r in t.info.rows:
                seen.setdefault((r, c), None)
    return sorted(seen, key=lambda rc: (_position(tables, rc)))


def _position(tables: tuple[ShownTable, ...], rc: tuple[str, str]) -> tuple[int, int, int]:
    for i, t in enumerate(tables):
        if rc[0] in t.info.rows and rc[1] in t.info.cols:
            return (t.info.cols.index(rc[1]) if i == 0 else len(t.info.cols) + t.info.cols.index(rc[1]), i,
                    t.info.rows.index(rc[0]))
    return (0, 0, 0)


def figure_text(table: ShownTable, row: str, col: str) -> str:
    """A figure as the open data gives it: the number, c (withheld) or z (not applicable, or
    not in this table)."""
    if row not in table.info.rows or col not in table.info.cols:
        return SYMBOLS[NA]
    status = str(table.status.at[row, col])
    if status != SHOWN:
        return SYMBOLS.get(status, "c")
    return format_indicator(float(table.values.at[row, col]), table.info.fmt)


def build_open_data_group(tables: tuple[ShownTable, ...], meta: Mapping[str, str], paper_id: str) -> pd.DataFrame:
    """One table group in the DfE's tidy format (one row per combination of filters)."""
    info = tables[0].info
    row_filter, col_filter = to_column_name(info.row_dim), to_column_name(info.col_dim)
    by_year = is_by_year(tables[0])
    period, identifier = default_time(meta, paper_id)
    geography = {"geographic_level": "Local authority", "country_code": "E92000001", "country_name": "England",
                 "region_code": meta.get("region_code", ""), "region_name": meta.get("region_name", ""),
                 "old_la_code": meta.get("la_code", ""), "new_la_code": meta.get("new_la_code", ""),
                 "la_name": meta.get("la_name", "")}
    indicators = indicator_names(tables)
    rows = []
    for r, c in _cells(tables):
        time = ({"time_period": reporting_year(c), "time_identifier": "Reporting year"} if by_year
                else {"time_period": period, "time_identifier": identifier})
        filters = {row_filter: r} if by_year else {row_filter: r, col_filter: c}
        rows.append({**time, **geography, **filters,
                     **{name: figure_text(t, r, c) for name, t in zip(indicators, tables, strict=True)}})
    return pd.DataFrame(rows, columns=[*GEOGRAPHY, row_filter, *([] if by_year else [col_filter]), *indicators])


def build_open_data_meta(tables: tuple[ShownTable, ...]) -> pd.DataFrame:
    """The .meta.csv: each filter and indicator column with its label (and unit, decimals)."""
    info = tables[0].info
    rows = [{"col_name": to_column_name(info.row_dim), "col_type": "Filter", "label": info.row_dim,
             "filter_hint": f"{info.title}: {info.row_dim.lower()}"}]
    if not is_by_year(tables[0]):
        rows.append({"col_name": to_column_name(info.col_dim), "col_type": "Filter", "label": info.col_dim,
                     "filter_hint": f"{info.title}: {info.col_dim.lower()}"})
    for name, t in zip(indicator_names(tables), tables, strict=True):
        rows.append({"col_name": name, "col_type": "Indicator", "label": f"{t.info.title} ({t.info.unit})",
                     "indicator_unit": UNIT_SIGNS.get(t.info.fmt, ""), "indicator_dp": DECIMALS.get(t.info.fmt, 1)})
    return pd.DataFrame([{k: str(r.get(k, "")) for k in META_COLUMNS} for r in rows], columns=list(META_COLUMNS))


def build_open_data(published: PublishedPaper, meta: Mapping[str, str]) -> dict[str, pd.DataFrame]:
    """File name -> frame: each table group's CSV and its .meta.csv."""
    out: dict[str, pd.DataFrame] = {}
    for stem, tables in group_tables(published):
        out[f"{stem}.csv"] = build_open_data_group(tables, meta, published.paper_id)
        out[f"{stem}.meta.csv"] = build_open_data_meta(tables)
    return out


def find_open_data_problems(files: Mapping[str, pd.DataFrame], published: PublishedPaper, where: str) -> list[str]:
    """The publication check of the open data (frames read as text): every table group has its
    CSV and .meta.csv, every figure is the published one (``c`` where withheld, ``z`` where not
    applicable), no protected count below the threshold, every figure present, and nothing else."""
    problems = []
    groups = {f"{stem}.csv": tables for stem, tables in group_tables(published)}
    for name in sorted(set(files) - set(groups) - {f"{n[:-4]}.meta.csv" for n in groups}):
        problems.append(f"{where}/{name}: an open-data file that no published table describes")
    for name, tables in groups.items():
        frame = files.get(name)
        if frame is None or f"{name[:-4]}.meta.csv" not in files:
            problems.append(f"{where}/{name}: missing (or its .meta.csv is)")
            continue
        info = tables[0].info
        indicators = indicator_names(tables)
        row_filter, col_filter = to_column_name(info.row_dim), to_column_name(info.col_dim)
        by_year = is_by_year(tables[0])
        needed = [row_filter, *indicators, *([] if by_year else [col_filter])]
        if absent := [c for c in needed if c not in frame.columns]:
            problems.append(f"{where}/{name}: no {', '.join(absent)} column")
            continue
        cols = {reporting_year(c): c for t in tables for c in t.info.cols} if by_year else {}
        seen: set[tuple[str, str]] = set()
        for i, rec in enumerate(frame.to_dict("records"), start=2):
            r = restore_cell(rec[row_filter])
            c = cols.get(rec["time_period"]) if by_year else restore_cell(rec[col_filter])
            if not any(r in t.info.rows and c in t.info.cols for t in tables):
                problems.append(f"{where}/{name} row {i}: {r!r}, {c!r} is not a figure of table {info.table_id}")
                continue
            seen.add((r, c))
            for indicator, table in zip(indicators, tables, strict=True):
                problems += _check_figure(table, r, c, str(rec[indicator]), published.threshold,
                                          f"{where}/{name} row {i}")
        for table in tables:
            missing = sum(1 for r in table.info.rows for c in table.info.cols if (r, c) not in seen)
            if missing:
                problems.append(f"{where}/{name}: {missing} figure(s) of table {table.table_id} are missing")
    return problems


def _check_figure(table: ShownTable, r: str, c: str, text: str, threshold: int, where: str) -> list[str]:
    want = figure_text(table, r, c)
    fid = f"{table.table_id}|{r}|{c}"
    if want in ("c", "z") or text in ("c", "z"):
        if text == want:
            return []
        if want == "c":
            return [f"{where}: {fid} is withheld in the paper but the open data gives {text!r}"]
        return [f"{where}: {fid} is {want!r} in the paper but the open data gives {text!r}"]
    try:
        value = float(text)
    except ValueError:
        return [f"{where}: {fid}: {text!r} is not a number"]
    if abs(value - float(want)) > 1e-9 * max(1.0, abs(value)):
        return [f"{where}: {fid} is {text} but the paper publishes {want}"]
    if table.info.protected and table.info.fmt == "count" and 0 < value < threshold:
        return [f"{where}: {fid}: count {text} is below the threshold {threshold}"]
    return []
