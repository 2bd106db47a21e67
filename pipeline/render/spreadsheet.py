"""A paper's published tables as an accessible spreadsheet (ODS, the open standard, and
XLSX), following the Government Analysis Function's guidance on releasing statistics in
spreadsheets: a cover sheet, a contents sheet and a notes sheet, then one table per sheet
with its title in cell A1, no merged cells or blank rows inside a table, numbers stored as
numbers, units in the column headers and ``[c]`` where a figure is withheld to protect
confidentiality (``[z]`` where it does not apply), both explained on the cover.

gptables (2.0.2) was considered: it resolves with pandas 3.1.1 but writes XLSX only (through
XlsxWriter), so the sheets are built here once and written to both formats.

`build_workbook` is pure (published paper -> sheets of cells); `write_ods` and `write_xlsx`
turn the sheets into deterministic bytes; `find_spreadsheet_problems` reads a workbook back
for the publication check.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.render.formatting import humanise, table_places
from pipeline.render.published import NA, SHOWN, SUPPRESSED, PublishedPaper, ShownTable
from pipeline.safe_text import neutralise_cell, restore_cell

SYMBOLS = {SUPPRESSED: "[c]", NA: "[z]"}
UNIT_LABELS = {"percent": "%", "money": "£", "rate": "per 10,000 children"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)

Cell = str | float | int


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its name, its rows of cells (row 1 the title) and the index of the
    table's header row (None on text-only sheets)."""

    name: str
    rows: tuple[tuple[Cell, ...], ...]
    header_row: int | None = None
    widths: tuple[float, ...] = ()


def unit_label(table: ShownTable) -> str:
    """The unit as a column header shows it: 'number of children', '%', '£' ..."""
    if table.info.fmt == "count":
        return f"number of {table.info.unit}"
    return UNIT_LABELS.get(table.info.fmt, table.info.unit)


def cell_value(table: ShownTable, row: str, col: str) -> Cell:
    """A figure as a number (rounded as published) or its GSS shorthand."""
    status = str(table.status.at[row, col])
    if status != SHOWN:
        return SYMBOLS.get(status, "[c]")
    value = round(float(table.values.at[row, col]), table_places(table))
    return int(value) if float(value).is_integer() else value


def note_numbers(published: PublishedPaper) -> dict[str, list[int]]:
    """Table id -> the numbers of its notes in the notes sheet (caption first, then notes)."""
    out, n = {}, 0
    for t in published.tables:
        texts = [x for x in (t.info.caption, *t.info.notes) if x]
        out[t.table_id] = list(range(n + 1, n + 1 + len(texts)))
        n += len(texts)
    return out


def build_table_sheet(table: ShownTable, notes: Sequence[int]) -> Sheet:
    info = table.info
    refs = "".join(f" [note {n}]" for n in notes)
    unit = unit_label(table)
    title = f"{info.title}{refs}"
    about = (f"This worksheet contains one table. Unit: {unit}. "
             "[c] marks a figure withheld to protect confidentiality; [z] a figure that does not apply.")
    header = (humanise(info.row_dim), *[f"{c} ({unit})" for c in info.cols])
    body = tuple((neutralise_cell(r), *[cell_value(table, r, c) for c in info.cols]) for r in info.rows)
    widths = (max(24.0, min(60.0, max(len(r) for r in info.rows) * 1.1)), *[max(12.0, len(h) * 1.1) for h in header[1:]])
    return Sheet(sheet_name(table.table_id), ((neutralise_cell(title),), (about,), tuple(neutralise_cell(h) for h in header),
                                              *body), header_row=2, widths=widths)


def sheet_name(table_id: str) -> str:
    """A worksheet name (at most 31 characters, none of []:*?/\\)."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in table_id)
    return clean[:31]


def build_workbook(published: PublishedPaper, meta: Mapping[str, str]) -> tuple[Sheet, ...]:
    """Cover, contents, notes and one sheet per published table, in the paper's order."""
    notes = note_numbers(published)
    threshold = published.threshold
    cover = Sheet("Cover", (
        (neutralise_cell(str(meta.get("title", ""))),),
        (neutralise_cell(f"The tables of the paper to the {meta.get('committee', '')}, {meta.get('meeting_date_text', '')}, "
                         f"by {meta.get('la_name', '')}."),),
        ("Period covered",),
        (neutralise_cell(f"{meta.get('period', '')} (quarterly figures); year ending 31 March for the annual figures."),),
        ("Confidentiality",),
        (f"[c]: a figure withheld to protect confidentiality: a number from 1 to {threshold - 1} (or a figure computed "
         "from one) is not shown, so that no child can be identified; some other figures are also withheld so that "
         "these cannot be worked out.",),
        ("[z]: not applicable (nothing to compute the figure from).",),
        ("Contents and notes",),
        ("The Contents sheet lists the tables, one per sheet. Notes referred to in a table's title as [note N] are "
         "in the Notes sheet.",),
        ("Contact",),
        (neutralise_cell(str(meta.get("author", ""))),),
        ("Open data",),
        ("The same figures are published as open data in the Department for Education's format (open_data folder).",),
    ), widths=(120.0,))
    contents_rows = [("Table of contents",), ("This worksheet contains one table.",),
                     ("Sheet name", "Table title", "Unit")]
    for t in published.tables:
        contents_rows.append((sheet_name(t.table_id), neutralise_cell(t.info.title), unit_label(t)))
    contents = Sheet("Contents", tuple(contents_rows), header_row=2, widths=(24.0, 90.0, 22.0))
    note_rows = [("Notes",), ("This worksheet contains one table.",), ("Note number", "Note text", "Table")]
    for t in published.tables:
        texts = [x for x in (t.info.caption, *t.info.notes) if x]
        for n, text in zip(notes[t.table_id], texts, strict=True):
            note_rows.append((f"note {n}", neutralise_cell(text), sheet_name(t.table_id)))
    notes_sheet = Sheet("Notes", tuple(note_rows), header_row=2, widths=(14.0, 110.0, 24.0))
    tables = tuple(build_table_sheet(t, notes[t.table_id]) for t in published.tables)
    return (cover, contents, notes_sheet, *tables)


def _fixed_zip(entries: Sequence[tuple[str, bytes]], stored_first: str | None = None) -> bytes:
    """A zip of the entries with fixed timestamps (byte-identical for the same content)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED if name == stored_first else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/" '
          'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.2"')
ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


def _ods_cell(value: Cell, style: str) -> str:
    from xml.sax.saxutils import escape, quoteattr

    st = f' table:style-name="{style}"' if style else ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (f'<table:table-cell{st} office:value-type="float" office:value={quoteattr(repr(value))}>'
                f"<text:p>{value}</text:p></table:table-cell>")
    return f'<table:table-cell{st} office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def write_ods(sheets: Sequence[Sheet], title: str) -> bytes:
    """The workbook as an OpenDocument spreadsheet (ODF 1.2 XML written directly, so the same
    sheets give the same bytes: no generator, dates or editing time)."""
    from xml.sax.saxutils import escape, quoteattr

    widths = sorted({w for sheet in sheets for w in sheet.widths})
    col_style = {w: f"co{i}" for i, w in enumerate(widths)}
    styles = "".join(f'<style:style style:name="{name}" style:family="table-column">'
                     f'<style:table-column-properties style:column-width="{w * 0.19:.2f}cm"/></style:style>'
                     for w, name in col_style.items())
    styles += ('<style:style style:name="title" style:family="table-cell"><style:text-properties '
               'fo:font-weight="bold" fo:font-size="14pt"/></style:style>'
               '<style:style style:name="heading" style:family="table-cell"><style:text-properties '
               'fo:font-weight="bold"/></style:style>')
    tables = []
    for sheet in sheets:
        cols = "".join(f'<table:table-column table:style-name="{col_style[w]}"/>' for w in sheet.widths)
        rows = "".join(
            "<table:table-row>"
            + "".join(_ods_cell(v, "title" if i == 0 else "heading" if i == sheet.header_row else "") for v in row)
            + "</table:table-row>"
            for i, row in enumerate(sheet.rows))
        tables.append(f"<table:table table:name={quoteattr(sheet.name)}>{cols}{rows}</table:table>")
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    content = (f"{head}<office:document-content {ODS_NS}><office:automatic-styles>{styles}</office:automatic-styles>"
               f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
               "</office:document-content>")
    meta = (f"{head}<office:document-meta {ODS_NS}><office:meta><dc:title>{escape(title)}</dc:title>"
            "<dc:language>en-GB</dc:language></office:meta></office:document-meta>")
    doc_styles = f"{head}<office:document-styles {ODS_NS}><office:styles/></office:document-styles>"
    manifest = (f'{head}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIME}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    return _fixed_zip([("mimetype", ODS_MIME.encode()), ("content.xml", content.encode()),
                       ("styles.xml", doc_styles.encode()), ("meta.xml", meta.encode()),
                       ("META-INF/manifest.xml", manifest.encode())], stored_first="mimetype")


def write_xlsx(sheets: Sequence[Sheet], title: str, author: str) -> bytes:
    """The workbook as XLSX (XlsxWriter: fixed zip timestamps; the creation date is FIXED_TIME too)."""
    from datetime import datetime

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    # 1 January 1980 (as the zip timestamps): no child or care leaver in any return was born
    # then, so the date can never match a date of birth in the publication check (2000-01-01 did)
    wb.set_properties({"title": title, "author": author, "created": datetime(*FIXED_TIME)})
    big = wb.add_format({"bold": True, "font_size": 14})
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        for j, width in enumerate(sheet.widths):
            ws.set_column(j, j, width)
        for i, row in enumerate(sheet.rows):
            fmt = big if i == 0 else bold if i == sheet.header_row else None
            for j, value in enumerate(row):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(i, j, value, fmt)
                else:
                    ws.write_string(i, j, str(value), fmt)
        if sheet.header_row is not None and len(sheet.rows) > sheet.header_row + 1:
            # a marked-up table (header row and extent), as the guidance asks, for screen readers
            header = sheet.rows[sheet.header_row]
            ws.add_table(sheet.header_row, 0, len(sheet.rows) - 1, len(header) - 1, {
                "name": "table_" + "".join(ch if ch.isalnum() else "_" for ch in sheet.name),
                "columns": [{"header": str(h)} for h in header], "autofilter": False,
                "style": "Table Style Light 1"})
    wb.close()
    return buf.getvalue()


def find_spreadsheet_problems(sheets: Mapping[str, list[list[object]]], published: PublishedPaper,
                              where: str) -> list[str]:
    """The publication check of a workbook read back (sheet name -> rows of cell values): the
    cover, contents and notes sheets, a sheet per published table whose figures are exactly the
    published ones (numbers stored as numbers, [c]/[z] where withheld), no protected count
    below the threshold, and no other sheet."""
    problems = [f"{where}: no {name} sheet" for name in ("Cover", "Contents", "Notes") if name not in sheets]
    expected = {sheet_name(t.table_id): t for t in published.tables}
    for name in sorted(set(sheets) - set(expected) - {"Cover", "Contents", "Notes"}):
        problems.append(f"{where}: sheet {name!r} is not a published table")
    for name, table in expected.items():
        rows = sheets.get(name)
        if rows is None:
            problems.append(f"{where}: no sheet for table {table.table_id}")
            continue
        info = table.info
        body = [r for r in rows[3:] if r and r[0] not in (None, "")]
        labels = [restore_cell(str(r[0])) for r in body]
        if labels != list(info.rows) or len(rows) < 3 or len(rows[2]) != len(info.cols) + 1:
            problems.append(f"{where}: sheet {name}: rows or columns differ from table {info.table_id}")
            continue
        for r, cells in zip(info.rows, body, strict=True):
            for c, got in zip(info.cols, cells[1:], strict=True):
                want = cell_value(table, r, c)
                fid = f"{info.table_id}|{r}|{c}"
                if isinstance(want, str):
                    if got != want:
                        problems.append(f"{where}: sheet {name}: {fid} is withheld in the paper but shows {got!r}")
                elif isinstance(got, bool) or not isinstance(got, (int, float)):
                    problems.append(f"{where}: sheet {name}: {fid} is not stored as a number ({got!r})")
                elif abs(float(got) - float(want)) > 1e-9 * max(1.0, abs(float(want))):
                    problems.append(f"{where}: sheet {name}: {fid} is {got} but the paper publishes {want}")
                elif info.protected and info.fmt == "count" and 0 < float(got) < published.threshold:
                    problems.append(f"{where}: sheet {name}: {fid}: count {got} is below the threshold")
    return problems
