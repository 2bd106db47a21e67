"""Read every raw file into string frames with lineage, whatever layout it arrives in.

Accepted layouts under the raw folder (see docs/validation.md):

- the project layout: ``ssda903/<return>/<table>.csv`` and ``local/<file>.csv``;
- a flat folder of SSDA903 CSVs (``header.csv``, ``episodes.csv`` ...): one return, whose
  collection year comes from ``year=`` or from the latest DECOM in its episodes;
- a flat folder with year prefixes (``2017-episodes.csv`` ..., the cs-demand-model layout):
  one return per prefix;
- files with extra ``LA``/``YEAR`` columns (cs-demand-model-regional): ``YEAR`` assigns each
  row to a return, ``LA`` must hold one authority or be chosen with ``la=``; both are then
  dropped (a COL_EXTRA warning says so).

Every value is read as a string (nothing silently coerced): UTF-8 with or without a BOM
(UTF-16 with a BOM too), comma, semicolon or tab delimiter (sniffed from the header line),
surrounding whitespace stripped, blank cells as missing, blank lines skipped. Each frame
gets ``RETURN``, ``SOURCE_FILE`` (path relative to the raw folder) and ``SOURCE_ROW``
(1-based data row, header excluded, counting blank lines so it matches the file).

Problems with a file are returned as failure rows (pipeline.validate.rules), never raised,
so that one run reports every problem at once.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from pipeline import schema
from pipeline.errors import InputError
from pipeline.periods import FinancialYear, financial_year_of, parse_financial_year
from pipeline.schema import layout_columns
from pipeline.store import sha256_bytes
from pipeline.validate.rules import failures_frame, file_failure

LINEAGE = ["RETURN", "SOURCE_FILE", "SOURCE_ROW"]
# Reviewed exceptions (pipeline.validate.accept) may sit at the top of the raw folder: not a data file.
ACCEPTED_EXCEPTIONS_FILE = "accepted_exceptions.csv"
PUBLISHED_DIR = "published"  # the DfE's published figures (pipeline.comparators reads them, not validate)
EXCLUSION_COLUMNS = ["table", "RETURN", "SOURCE_FILE", "SOURCE_ROW", "CHILD", "reason"]
_FLAT_NAME = re.compile(r"^(?:ssda903[_-])?(?:(?P<year>\d{4})[_-])?(?P<table>[a-z0-9_]+)\.csv$", re.I)


@dataclass(frozen=True)
class RawFile:
    """One file found under the raw folder."""

    path: Path
    source_file: str  # relative to the raw folder, with forward slashes
    table: str  # an SSDA903 table, a local file name, or "" when not recognised
    group: str  # "ssda903" | "local" | "unknown"
    return_name: str | None = None  # from the folder name (project layout)
    year_prefix: int | None = None  # from a "2017-episodes.csv" name
    misplaced: str = ""  # why the layout does not read a known table here ("" when it does)


@dataclass
class RawData:
    """Everything read from the raw folder."""

    tables: dict[str, pd.DataFrame]  # table -> all returns, strings + RETURN/SOURCE_FILE/SOURCE_ROW
    returns: dict[str, schema.ReturnLabel]
    files: pd.DataFrame  # SOURCE_FILE, table, group, rows_read, sha256
    failures: pd.DataFrame  # file-level failures and warnings (failure-table columns)
    excluded: pd.DataFrame  # rows set aside while reading (EXCLUSION_COLUMNS)
    layout: str = "project"
    notes: list[str] = field(default_factory=list)


# --- discovery ---------------------------------------------------------------------------------


def _classify(stem: str) -> tuple[str, str]:
    name = stem.lower()
    if name in schema.SSDA903_TABLES:
        return name, "ssda903"
    if name in schema.LOCAL_FILES:
        return name, "local"
    return "", "unknown"


def is_csv(path: Path) -> bool:
    """A CSV file by its name, whatever the case of the extension (staffing.CSV)."""
    return path.suffix.lower() == ".csv"


def list_csvs(folder: Path) -> list[Path]:
    """The CSV files directly in `folder` (any case of .csv), sorted."""
    return sorted(p for p in folder.iterdir() if is_csv(p) and not p.is_dir())


def find_links(root: Path) -> list[dict]:
    """FILE_SYMLINK failures: folders under `root` that are symbolic links (DVC does not follow
    them, so a change behind one would not rerun the pipeline) and links pointing nowhere."""
    out = []
    for folder, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            p = Path(folder) / name
            if not p.is_symlink():
                continue
            rel = p.relative_to(root).as_posix()
            if not p.exists():
                out.append(file_failure("FILE_SYMLINK", rel, other=f" to {os.readlink(p)}, which does not exist"))
            elif p.is_dir():
                out.append(file_failure("FILE_SYMLINK", rel, other=f" to the folder {os.readlink(p)}"))
    return out


def misplaced_reason(rel: Path, table: str, layout: str) -> str:
    """Why the layout does not read a known table at `rel` (relative to the raw folder)."""
    parts = rel.parts
    if layout == "project" and parts[0] == schema.SSDA903_DIR and len(parts) == 2:
        return (f"an SSDA903 file directly in {schema.SSDA903_DIR}/; put it in its return's folder, "
                f"e.g. {schema.SSDA903_DIR}/2026-27_Q2/{rel.name}")
    if layout == "project" and len(parts) == 1:
        where = schema.LOCAL_DIR if table in schema.LOCAL_FILES else f"{schema.SSDA903_DIR}/<return>"
        return f"put it in {where}/"
    return "files in sub-folders are not read; move it up to where the layout expects it (docs/data.md)"


def discover_raw_files(root: Path) -> tuple[list[RawFile], str, list[dict]]:
    """Find the raw files and the layout ("project" or "flat"); bad folder names, symbolic
    links and CSVs the layout does not read (anywhere under `root`) as failures or files of
    group "unknown", never silently skipped."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"raw folder {root} does not exist")
    failures: list[dict] = find_links(root)
    files: list[RawFile] = []
    ss_dir, local_dir = root / schema.SSDA903_DIR, root / schema.LOCAL_DIR
    if ss_dir.is_dir() or local_dir.is_dir():
        layout = "project"
        if ss_dir.is_dir():
            for ret_dir in sorted(p for p in ss_dir.iterdir() if p.is_dir() and not p.is_symlink()):
                try:
                    schema.parse_return_label(ret_dir.name)
                except ValueError:
                    failures.append(file_failure("RETURN_NAME", ret_dir.relative_to(root).as_posix(), value=ret_dir.name))
                    continue
                for p in list_csvs(ret_dir):
                    table, group = _classify(p.stem)
                    wrong = f"a local file in a return folder; put it in {schema.LOCAL_DIR}/" if group == "local" else ""
                    files.append(RawFile(p, p.relative_to(root).as_posix(), table if group == "ssda903" else "",
                                         "ssda903" if group == "ssda903" else "unknown", ret_dir.name, misplaced=wrong))
        if local_dir.is_dir() and not local_dir.is_symlink():
            for p in list_csvs(local_dir):
                table, group = _classify(p.stem)
                wrong = (f"an SSDA903 table in {schema.LOCAL_DIR}/; put it in its return's folder, e.g. "
                         f"{schema.SSDA903_DIR}/2026-27_Q2/{p.name}") if group == "ssda903" else ""
                files.append(RawFile(p, p.relative_to(root).as_posix(), table if group == "local" else "",
                                     "local" if group == "local" else "unknown", misplaced=wrong))
    else:
        layout = "flat"
        for p in (p for p in list_csvs(root) if p.name != ACCEPTED_EXCEPTIONS_FILE):
            m = _FLAT_NAME.match(p.name)
            table, group = _classify(m.group("table")) if m else ("", "unknown")
            year = int(m.group("year")) if m and m.group("year") and group == "ssda903" else None
            files.append(RawFile(p, p.name, table, group, None, year))
    # every other CSV anywhere under the raw folder (not behind a symbolic link, refused above)
    listed = {f.path for f in files}
    bad_returns = {Path(x["file"]) for x in failures if x["rule"] == "RETURN_NAME"}
    for folder, dirs, names in os.walk(root):
        if Path(folder) == root and PUBLISHED_DIR in dirs:
            dirs.remove(PUBLISHED_DIR)
        dirs.sort()
        for name in sorted(names):
            p = Path(folder) / name
            if not is_csv(p) or p in listed or p.is_symlink() and not p.exists():
                continue
            rel = p.relative_to(root)
            if rel.as_posix() == ACCEPTED_EXCEPTIONS_FILE:
                continue  # the reviewed exceptions (validate --accept), not data
            if any(rel.is_relative_to(b) for b in bad_returns):
                continue  # its folder is already refused (RETURN_NAME)
            table, _ = _classify(p.stem)
            files.append(RawFile(p, rel.as_posix(), "", "unknown",
                                 misplaced=misplaced_reason(rel, table, layout) if table else ""))
    return files, layout, failures


# --- reading one file ------------------------------------------------------------------------


def decode_bytes(data: bytes) -> str:
    """Decode UTF-8 (BOM optional) or UTF-16 with a BOM; UnicodeDecodeError otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def sniff_delimiter(header_line: str) -> str:
    """The delimiter used in a header line: comma, semicolon or tab (comma when none)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse_csv_text(text: str, layout: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Parse CSV text into a frame of stripped strings (blank -> missing) with SOURCE_ROW.

    Blank lines are dropped but still counted, so SOURCE_ROW is the row number a spreadsheet
    shows minus one (the header). Raises ValueError with a readable reason, and _ShortRows
    for rows that end before a column of ``layout`` (the file's columns in the layout; None
    for a file the layout does not know): their last values would be lost.
    """
    end = text.find("\n")
    first = ((text if end < 0 else text[:end]).splitlines() or [""])[0] if text.strip() else ""  # = text.splitlines()[0]
    delim = sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delim))
    names = [h.strip() for h in header]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise _DuplicateColumns(dupes)
    df = read_plain_csv(text, first, names, delim)
    if df is None:
        needed = [i for i, n in enumerate(names) if layout is not None and n in layout]
        short = find_short_rows(text, delim, max(needed) + 1) if needed else []
        if short:
            raise _ShortRows(short, len(names))
        try:
            df = pd.read_csv(io.StringIO(text), sep=delim, dtype="str", keep_default_na=False,
                             skip_blank_lines=False, header=0, names=names, engine="c")
        except (pd.errors.ParserError, ValueError) as exc:
            raise ValueError(str(exc).strip()) from None
    df["SOURCE_ROW"] = pd.RangeIndex(1, len(df) + 1)
    blank = pd.Series(True, index=df.index)
    for c in names:
        s = df[c].astype("str").str.strip()
        s = s.mask(s.isna() | (s == ""))
        df[c] = s
        blank &= s.isna()
    return df.loc[~blank].reset_index(drop=True) if blank.any() else df


def read_plain_csv(text: str, first: str, names: list[str], delim: str) -> pd.DataFrame | None:
    """The rows of a plain CSV text as strings, by pyarrow's parser (several times faster
    than pandas'); None when pandas must read it.

    Plain: no quotes, carriage returns or NUL characters, the header line ``first`` ends at
    the first newline, and every row has every field (pyarrow refuses blank lines and ragged
    rows here; pandas reads them and reports ragged ones). On such text both parsers split
    the same fields; nothing is converted (every column is text, empty fields stay "").
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if '"' in text or "\r" in text or "\x00" in text or not (text == first or text.startswith(first + "\n")):
        return None
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delim, quote_char=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False),
        )
    except pa.ArrowInvalid:
        return None
    # one chunk per column (pyarrow splits by block): the tables written later do not depend on the block size
    return pd.DataFrame({n: pd.Series(table.column(i).combine_chunks(), dtype="str") for i, n in enumerate(names)})


def find_short_rows(text: str, delim: str, width: int) -> list[tuple[int, int]]:
    """(data row number, fields) of every non-blank row with fewer fields than the header's
    `width`: a short or truncated row, whose last values pandas would silently leave blank."""
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    next(reader, None)
    return [(i, len(rec)) for i, rec in enumerate(reader, start=1) if rec and len(rec) < width
            and any(v.strip() for v in rec)]


class _ShortRows(ValueError):
    def __init__(self, rows: list[tuple[int, int]], width: int):
        super().__init__(f"{len(rows)} short row(s)")
        self.rows, self.width = rows, width


class _DuplicateColumns(ValueError):
    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


@dataclass
class _Read:
    file: RawFile
    frame: pd.DataFrame | None
    sha256: str
    failures: list[dict]


def read_raw_file(f: RawFile) -> _Read:
    """Read one file into strings; problems are returned as failures, never raised."""
    try:
        data = f.path.read_bytes()
    except OSError as exc:
        return _Read(f, None, "unreadable", [file_failure("FILE_UNREADABLE", f.source_file, table=f.table,
                                                          other=exc.strerror or str(exc))])
    digest = sha256_bytes(data)
    cols = layout_columns(f.table) if f.table else ()
    expected = ", ".join(c.name for c in cols)
    fail = lambda rule, **kw: _Read(f, None, digest, [file_failure(rule, f.source_file, table=f.table, **kw)])  # noqa: E731
    try:
        text = decode_bytes(data)
    except UnicodeDecodeError as exc:
        return fail("FILE_ENCODING", other=f"byte 0x{data[exc.start]:02x} at position {exc.start} is not valid UTF-8")
    if not text.strip():
        return fail("FILE_EMPTY", allowed=expected or "column names")
    if "\x00" in text:
        return fail("FILE_ENCODING", other=f"it holds NUL characters (UTF-16 without a byte order mark?) from position "
                                           f"{text.index(chr(0))}")
    try:
        df = parse_csv_text(text, tuple(c.name for c in cols) if f.table else None)
    except _ShortRows as exc:
        fails = []
        for row, n in exc.rows:
            x = file_failure("ROW_SHORT", f.source_file, value=str(n), table=f.table, allowed=str(exc.width),
                             other=str(row))
            x["row"] = row
            fails.append(x)
        return _Read(f, None, digest, fails)
    except _DuplicateColumns as exc:
        return _Read(f, None, digest, [file_failure("COL_DUPLICATE", f.source_file, column=n, table=f.table) for n in exc.names])
    except ValueError as exc:
        return fail("FILE_UNREADABLE", other=str(exc))
    return _Read(f, df, digest, [])


# --- returns ---------------------------------------------------------------------------------


def parse_year_option(text: str) -> FinancialYear:
    """``--year``: a financial year '2017-18' or the collection year it ends in, '2018'."""
    text = str(text).strip()
    if re.fullmatch(r"\d{4}", text):
        return FinancialYear(int(text) - 1)
    try:
        return parse_financial_year(text)
    except ValueError:
        raise InputError(f"--year {text!r} is not a financial year like 2017-18 or a collection year like 2018") from None


def year_convention(decom: pd.Series, year: pd.Series) -> str:
    """Whether year numbers name the financial year's start ("start") or end ("end").

    A year number Y naming the collection year (the DfE's convention) never has an episode
    starting after 31 March Y; if any does, Y is the year the financial year starts in.
    """
    y = pd.to_numeric(year, errors="coerce")
    d = _parse_dates(decom)
    ok = d.notna() & y.notna()
    if not ok.any():
        return "start"
    limit = pd.to_datetime(y[ok].astype(int).astype(str) + "-03-31")
    return "start" if (d[ok] > limit.values).any() else "end"


def _parse_dates(s: pd.Series) -> pd.Series:
    from pipeline.validate.checks import parse_dates

    return parse_dates(s)


def year_to_return(year: int, convention: str) -> str:
    fy = FinancialYear(year if convention == "start" else year - 1)
    return fy.label


def infer_return(episodes: pd.DataFrame | None) -> FinancialYear | None:
    """The financial year of a single flat return: the one holding its latest DECOM."""
    if episodes is None or "DECOM" not in episodes:
        return None
    d = _parse_dates(episodes["DECOM"]).dropna()
    if d.empty:
        return None
    latest: date = d.max().date()
    return financial_year_of(latest)


# --- the whole folder ------------------------------------------------------------------------


def _missing_and_extra(df: pd.DataFrame, f: RawFile) -> tuple[list[dict], list[str]]:
    expected = [c.name for c in layout_columns(f.table)]
    present = [c for c in df.columns if c != "SOURCE_ROW"]
    fails = [file_failure("COL_MISSING", f.source_file, column=c, table=f.table) for c in expected if c not in present]
    extra = [c for c in present if c not in expected]
    fails += [file_failure("COL_EXTRA", f.source_file, column=c, table=f.table, other=f.table) for c in extra]
    return fails, extra


def _apply_la(df: pd.DataFrame, f: RawFile, la: str | None) -> tuple[pd.DataFrame | None, list[dict], pd.DataFrame]:
    """Keep one local authority's rows of a file with an LA column."""
    empty = pd.DataFrame(columns=EXCLUSION_COLUMNS)
    values = sorted(df["LA"].dropna().unique())
    if la is None:
        if len(values) > 1:
            return None, [file_failure("LA_MULTIPLE", f.source_file, column="LA", table=f.table, allowed=", ".join(values))], empty
        return df, [], empty
    keep = df["LA"].str.casefold() == la.casefold()
    if not keep.any():
        return None, [file_failure("LA_NOT_FOUND", f.source_file, column="LA", value=la, table=f.table, allowed=", ".join(values))], empty
    dropped = df.loc[~keep]
    excl = pd.DataFrame({
        "table": f.table, "RETURN": pd.NA, "SOURCE_FILE": f.source_file, "SOURCE_ROW": dropped["SOURCE_ROW"],
        "CHILD": dropped.get("CHILD", pd.NA),
        "reason": "another local authority (LA " + dropped["LA"].fillna("blank") + "), not chosen with --la",
    })
    return df.loc[keep], [], excl


def read_raw(root: Path | str, year: str | None = None, la: str | None = None) -> RawData:
    """Read every raw file under `root`, assign rows to returns, and collect file-level failures."""
    root = Path(root)
    found, layout, failures = discover_raw_files(root)
    files_rows, excluded, frames = [], [], []
    notes: list[str] = []

    for f in found:
        r = read_raw_file(f)
        failures += r.failures
        n = 0 if r.frame is None else len(r.frame)
        files_rows.append({"SOURCE_FILE": f.source_file, "table": f.table or "", "group": f.group, "rows_read": n, "sha256": r.sha256})
        if r.frame is None:
            continue
        if f.group == "unknown":
            if f.misplaced:
                failures.append(file_failure("FILE_MISPLACED", f.source_file, other=f.misplaced))
            else:
                failures.append(file_failure("FILE_UNKNOWN", f.source_file))
            excluded.append(pd.DataFrame({
                "table": "", "RETURN": pd.NA, "SOURCE_FILE": f.source_file, "SOURCE_ROW": r.frame["SOURCE_ROW"],
                "CHILD": r.frame.get("CHILD", pd.NA), "reason": "file not recognised (not an SSDA903 table or local file)",
            }))
            continue
        col_fails, extra = _missing_and_extra(r.frame, f)
        failures += col_fails
        if any(x["rule"] == "COL_MISSING" for x in col_fails):
            continue
        df = r.frame
        if "LA" in extra:
            df, la_fails, la_excl = _apply_la(df, f, la)
            failures += la_fails
            excluded.append(la_excl)
            if df is None:
                continue
        frames.append((f, df, extra))

    # assign returns
    returns: dict[str, schema.ReturnLabel] = {}
    assigned: list[tuple[RawFile, pd.DataFrame]] = []
    eps_with_year = [(f, df) for f, df, ex in frames if f.table == "episodes" and ("YEAR" in ex or f.year_prefix)]
    if eps_with_year:
        decom = pd.concat([df["DECOM"] for _, df in eps_with_year])
        yrs = pd.concat([df["YEAR"] if "YEAR" in df else pd.Series(f.year_prefix, index=df.index) for f, df in eps_with_year])
        convention = year_convention(decom, yrs)
    else:
        convention = "start"
    flat_single = [(f, df) for f, df, ex in frames if f.group == "ssda903" and f.return_name is None and not f.year_prefix and "YEAR" not in ex]
    single_year: FinancialYear | None = None
    if flat_single:
        if year is not None:
            single_year = parse_year_option(year)
            how = f"--year {year}"
        else:
            single_year = infer_return(next((df for f, df in flat_single if f.table == "episodes"), None))
            how = "the latest DECOM in its episodes"
        if single_year is None:
            for f, _ in flat_single:
                failures.append(file_failure("YEAR_UNKNOWN", f.source_file, table=f.table, other="no episodes with dates; give --year"))
        else:
            for f, _ in flat_single:
                failures.append(file_failure("LAYOUT_INFERRED", f.source_file, table=f.table,
                                             other=f"flat folder read as one return, {single_year.label}, from {how}"))

    for f, df, extra in frames:
        year_col = df["YEAR"] if "YEAR" in extra else None
        df = df.drop(columns=list(extra))
        if f.group == "local":
            df = df.assign(RETURN=pd.NA)
        elif f.return_name is not None:
            df = df.assign(RETURN=f.return_name)
        elif "YEAR" in extra:
            y = pd.to_numeric(year_col, errors="coerce")
            if y.isna().any():
                failures.append(file_failure("YEAR_UNKNOWN", f.source_file, table=f.table, other="the YEAR column has blank or non-numeric values"))
                continue
            labels = {int(v): year_to_return(int(v), convention) for v in y.unique()}
            df = df.assign(RETURN=y.astype(int).map(labels).values)
            failures.append(file_failure("LAYOUT_INFERRED", f.source_file, table=f.table,
                                         other=f"rows assigned to returns by the YEAR column read as the year the financial year {'starts' if convention == 'start' else 'ends'} in"))
        elif f.year_prefix:
            label = year_to_return(f.year_prefix, convention)
            df = df.assign(RETURN=label)
            failures.append(file_failure("LAYOUT_INFERRED", f.source_file, table=f.table,
                                         other=f"read as return {label}: the file name's year read as the year the financial year {'starts' if convention == 'start' else 'ends'} in"))
        elif single_year is not None:
            df = df.assign(RETURN=single_year.label)
        else:
            continue
        df = df.assign(SOURCE_FILE=f.source_file)
        for name in df["RETURN"].dropna().unique():
            returns[name] = schema.parse_return_label(name)
        assigned.append((f, df))

    tables: dict[str, pd.DataFrame] = {}
    for table in list(schema.SSDA903_TABLES) + list(schema.LOCAL_FILES):
        parts = [df for f, df in assigned if f.table == table]
        if parts:
            cols = [c.name for c in layout_columns(table)] + LINEAGE
            tables[table] = pd.concat([p[cols] for p in parts], ignore_index=True)

    if "staffing" in tables:  # HR systems' 9999-12-31 means "no end date"
        from pipeline.validate.local_rules import open_end_dates

        tables["staffing"], open_ends = open_end_dates(tables["staffing"])
        failures += open_ends

    for name in sorted(returns):
        for need in ("header", "episodes"):
            t = tables.get(need)
            if t is None or not (t["RETURN"] == name).any():
                failures.append(file_failure("FILE_MISSING", f"{schema.SSDA903_DIR}/{name}", column=need, table=need, return_name=name, other=name))
    if not returns and not any(x["severity"] == "error" for x in failures):
        failures.append(file_failure("FILE_MISSING", ".", column="header or episodes", other="(none found)"))

    excl = pd.concat([e for e in excluded if len(e)], ignore_index=True) if any(len(e) for e in excluded) else pd.DataFrame(columns=EXCLUSION_COLUMNS)
    return RawData(
        tables=tables, returns=dict(sorted(returns.items(), key=lambda kv: kv[1])),
        files=pd.DataFrame(files_rows, columns=["SOURCE_FILE", "table", "group", "rows_read", "sha256"]),
        failures=failures_frame(failures), excluded=excl[EXCLUSION_COLUMNS], layout=layout, notes=notes,
    )

