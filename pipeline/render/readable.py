"""What a person can read in a public file, as passages of text the publication check searches.

A reader turns one file into passages: its name, the visible text, table labels, alt text,
titles and attribute values of an HTML page; the text and metadata of a PDF; every cell of a
CSV; every key and value of a JSON file. Readers are chosen by file type (``READERS``, keyed
by suffix; ``register_reader`` adds one, e.g. for a spreadsheet). A file type with no reader
is a problem for the check, never skipped.

Deliberately not read: the numeric geometry of a chart (SVG path data, transforms,
coordinates, sizes), styles and scripts, and colours. A published figure (an HTML element
with ``data-figure-id``, or the value cell of a tidy CSV row) is a passage marked with its
figure id, so the check can tell a figure from an identifier (see ``find_tokens``).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PublicationError


@dataclass(frozen=True)
class Passage:
    """A piece of text a person can read: where it is, and the figure it prints (if any)."""

    text: str
    where: str
    figure: str | None = None


# SVG and HTML attributes that hold geometry, sizes, colours or style: numbers nobody reads
# as text, which may contain any digits (``L 139.867067 106.906327``; ``fill: #906327``).
GEOMETRY_ATTRIBUTES = frozenset({
    "d", "transform", "points", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry",
    "dx", "dy", "width", "height", "viewbox", "viewBox", "style", "fill", "stroke", "stroke-width",
    "stroke-dasharray", "stroke-dashoffset", "stroke-linejoin", "stroke-linecap", "stroke-miterlimit",
    "opacity", "fill-opacity", "stroke-opacity", "font-size", "offset", "stop-color", "clip-path",
    "gradienttransform", "patterntransform", "version", "xmlns", "xmlns:xlink",
})
UNREAD_ELEMENTS = ("style", "script")

# A decimal number or a number with thousands separators is one token: no identifier is
# looked for inside it (the digits of 139.906327 or 1,906,327 are not an id 906327).
DECIMAL = re.compile(r"(?<![\w.])[-+]?\d+\.\d+(?![\w])|(?<![\w,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w,])")
WORD = re.compile(r"[A-Za-z0-9]+(?:[/-][A-Za-z0-9]+)*")
DATE = re.compile(r"(?<!\d)(?:\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})(?!\d)")
FIGURE_NUMBER = re.compile(r"[-+]?£?\d[\d,]*(?:\.\d+)?%?")


def find_tokens(text: str) -> set[str]:
    """The whole tokens of a text, upper-cased: words (joined by - or / as written, and each
    part), runs of two words (a postcode with its space) and numeric dates; never the digits
    inside a decimal number or a number with thousands separators."""
    plain = DECIMAL.sub(" ", text)
    tokens: set[str] = set(DATE.findall(text))
    parts: list[str] = []
    for word in WORD.findall(plain):
        up = word.upper()
        tokens.add(up)
        pieces = re.split(r"[/-]", up)
        tokens.update(pieces)
        parts += pieces
    tokens |= {f"{a} {b}" for a, b in zip(parts, parts[1:], strict=False)}
    return tokens


ANY_FIGURE = "*"  # a passage that is a number in a table laid out otherwise (a spreadsheet cell)
NUMBER_ONLY = re.compile(r"\s*[-+]?£?\d[\d,]*(?:\.\d+)?%?\s*")


def is_within_rounding(n: float, value: float, tolerance: float = 0.5) -> bool:
    return abs(n - value) <= tolerance + 1e-9 * max(1.0, abs(value))


def strip_figure(text: str, value: float | None, tolerance: float = 0.5) -> str:
    """The text of a published figure without the number that is the figure (the value as
    rounded for publication, with or without £, % and thousands separators); any other
    number or word stays to be searched."""
    if value is None:
        return text
    return strip_numbers(text, lambda n: is_within_rounding(n, value, tolerance))


def strip_numbers(text: str, is_figure: Callable[[float], bool]) -> str:
    """The text without the numbers ``is_figure`` accepts."""

    def keep(m: re.Match) -> str:
        try:
            n = float(m.group(0).replace("£", "").replace(",", "").replace("%", ""))
        except ValueError:
            return m.group(0)
        return " " if is_figure(n) else m.group(0)

    return FIGURE_NUMBER.sub(keep, text)


def make_any_figure_test(values: Iterable[float], tolerance: float = 0.5) -> Callable[[float], bool]:
    """Whether a number is within rounding of any of the published figures' true values (for
    a cell that holds one number in a table whose layout the check does not know)."""
    import bisect

    ordered = sorted(v for v in values if v == v)

    def test(n: float) -> bool:
        i = bisect.bisect_left(ordered, n - tolerance - 1e-6)
        return i < len(ordered) and is_within_rounding(n, ordered[i], tolerance)

    return test


def number_cell(text: str) -> str | None:
    """ANY_FIGURE when a cell holds one number and nothing else, else None."""
    return ANY_FIGURE if NUMBER_ONLY.fullmatch(text or "") else None


def read_name(path: Path, root: Path) -> list[Passage]:
    """The file's name and folders below the public root."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = Path(path.name)
    return [Passage(" ".join(rel.parts), "file name")]


def read_html(path: Path) -> list[Passage]:
    return read_html_text(path.read_text(encoding="utf-8"))


def read_html_text(html: str) -> list[Passage]:
    """Visible text, comments (a chart's labels), and every attribute value but geometry and
    style; the text of an element with ``data-figure-id`` is a figure passage."""
    from bs4 import BeautifulSoup
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

    soup = BeautifulSoup(html, "html.parser")
    passages: list[Passage] = []
    visible: list[str] = []
    for el in soup.find_all(True):
        for name, value in el.attrs.items():
            if name.lower() in GEOMETRY_ATTRIBUTES or name in GEOMETRY_ATTRIBUTES:
                continue
            text = " ".join(value) if isinstance(value, list) else str(value)
            passages.append(Passage(text, f"attribute {name} of <{el.name}>"))
    for s in soup.find_all(string=True):
        if isinstance(s, (Declaration, Doctype, ProcessingInstruction)):
            continue
        parents = list(s.parents)
        if any(p.name in UNREAD_ELEMENTS for p in parents):
            continue
        if not s.strip():
            continue
        owner = next((p for p in parents if p.name and p.has_attr("data-figure-id")), None)
        if owner is not None:
            passages.append(Passage(str(s), f"figure {owner['data-figure-id']}", owner["data-figure-id"]))
        elif isinstance(s, Comment):
            passages.append(Passage(str(s), "comment (chart label)"))
        else:
            tag = s.parent.name if s.parent is not None else "text"
            passages.append(Passage(str(s), "title" if tag == "title" else "visible text"))
            visible.append(str(s))
    # the visible text read on (a postcode whose halves sit in two elements: <b>NM1</b> 4QT)
    passages.append(Passage(" ".join(visible), "visible text"))
    return passages


def _run(cmd: list[str], path: Path) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, check=True, text=True)
    except FileNotFoundError:
        raise PublicationError(f"{cmd[0]} (poppler-utils) is needed to check the PDF: "
                               "run scripts/bootstrap-system.sh") from None
    except subprocess.CalledProcessError as exc:
        raise PublicationError(f"{path}: {cmd[0]} cannot read the PDF ({exc.stderr.strip()})") from None
    return done.stdout


def read_pdf_text(path: Path) -> str:
    """The text pdftotext extracts (what a reader sees and can copy)."""
    return _run(["pdftotext", "-q", str(path), "-"], path)


def read_pdf(path: Path) -> list[Passage]:
    """The PDF's text and its document information (title, author, subject, keywords)."""
    info = _run(["pdfinfo", str(path)], path)
    meta = [line.split(":", 1)[1] for line in info.splitlines()
            if line.split(":", 1)[0].strip() in ("Title", "Subject", "Keywords", "Author", "Creator")]
    return [Passage(read_pdf_text(path), "PDF text"), *(Passage(m, "PDF document information") for m in meta)]


TIDY = ("table_id", "row", "column", "value")


def read_csv(path: Path) -> list[Passage]:
    """Every cell (header included); the value cell of a tidy table row is that figure's
    passage; in a CSV laid out otherwise (open data), a cell holding one number may be any
    published figure."""
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    passages = [Passage(" ".join(rows[0]), "CSV header")] if rows else []
    tidy = bool(rows) and tuple(rows[0][:4]) == TIDY
    for i, row in enumerate(rows[1:], start=1):
        for j, cell in enumerate(row):
            col = rows[0][j] if j < len(rows[0]) else str(j + 1)
            figure = "|".join(row[:3]) if tidy and j == 3 and len(row) >= 4 else None if tidy else number_cell(cell)
            passages.append(Passage(cell, f"CSV cell row {i} column {col}", figure))
    return passages


def read_json(path: Path) -> list[Passage]:
    """Every key and every value; a JSON number may be any published figure (headline
    metrics)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PublicationError(f"{path}: not readable JSON ({exc})") from None
    out: list[Passage] = []

    def walk(node, where: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                out.append(Passage(str(k), f"JSON key at {where or '/'}"))
                walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}/{i}")
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            out.append(Passage(str(node), f"JSON value at {where or '/'}", ANY_FIGURE))
        elif node is not None and not isinstance(node, bool):
            out.append(Passage(str(node), f"JSON value at {where or '/'}"))

    walk(data, "")
    return out


def read_text(path: Path) -> list[Passage]:
    return [Passage(path.read_text(encoding="utf-8", errors="replace"), "text")]


READERS: dict[str, Callable[[Path], list[Passage]]] = {
    ".html": read_html, ".htm": read_html, ".svg": read_html, ".pdf": read_pdf, ".csv": read_csv,
    ".json": read_json, ".md": read_text, ".txt": read_text,
}


def register_reader(suffix: str, reader: Callable[[Path], list[Passage]]) -> None:
    """Teach the check a new public file type (e.g. ``.ods``): ``reader(path)`` returns every
    passage a person could read in it, figures marked with their figure id."""
    READERS[suffix.lower()] = reader


def read_passages(path: Path, root: Path) -> list[Passage]:
    """The file name and everything readable in the file; a file type with no reader is an
    error (the check cannot vouch for what it cannot read)."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise PublicationError(f"{path.name}: the publication check has no reader for "
                               f"{path.suffix or 'files without a suffix'} files")
    return [*read_name(path, root), *reader(path)]


def list_public_files(folders: Iterable[Path]) -> list[Path]:
    """Every file under the public folders, in a stable order."""
    seen: dict[Path, None] = {}
    for folder in folders:
        if folder.is_file():
            seen[folder] = None
        elif folder.is_dir():
            for p in sorted(folder.rglob("*")):
                if p.is_file():
                    seen[p] = None
    return list(seen)


def read_spreadsheet(path: Path) -> list[Passage]:
    """Every sheet name and cell of an .xlsx or .ods workbook; on a sheet laid out as a tidy
    table (table_id, row, column, value) the value cell is a figure passage, elsewhere a cell
    holding one number may be any published figure."""
    import pandas as pd

    engine = {".xlsx": "openpyxl", ".ods": "odf"}.get(path.suffix.lower())
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str, engine=engine)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook (or a missing reader) is a check failure
        raise PublicationError(f"{path.name}: the workbook cannot be read ({exc})") from None
    out: list[Passage] = read_document_properties(path)
    for name, frame in sheets.items():
        out.append(Passage(str(name), "sheet name"))
        rows = frame.fillna("").astype(str).values.tolist()
        tidy_at = next((i for i, r in enumerate(rows) if tuple(c.strip() for c in r[:4]) == TIDY), None)
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                if not cell:
                    continue
                tidy = tidy_at is not None and i > tidy_at
                figure = "|".join(row[:3]) if tidy and j == 3 else None if tidy else number_cell(cell)
                out.append(Passage(cell, f"sheet {name} row {i + 1} column {j + 1}", figure))
    return out


def read_document_properties(path: Path) -> list[Passage]:
    """The title, author, subject, keywords and other properties of an office document (the
    docProps parts of an .xlsx, meta.xml of an .ods), as any reader's file properties show."""
    import zipfile
    from xml.etree import ElementTree

    out: list[Passage] = []
    try:
        with zipfile.ZipFile(path) as z:
            for part in ("docProps/core.xml", "docProps/app.xml", "meta.xml"):
                if part in z.namelist():
                    root = ElementTree.fromstring(z.read(part))
                    text = " ".join(t.strip() for t in root.itertext() if t.strip())
                    if text:
                        out.append(Passage(text, "document properties"))
    except (zipfile.BadZipFile, ElementTree.ParseError) as exc:
        raise PublicationError(f"{path.name}: the document properties cannot be read ({exc})") from None
    return out


READERS.update({".xlsx": read_spreadsheet, ".ods": read_spreadsheet})
