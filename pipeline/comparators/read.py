"""Read and check the DfE's published files in ``data/raw/published/`` (the I/O half).

A file that is present must be what the DfE publishes: every column the pipeline reads, a
year in ``time_period``, a known ``geographic_level``, and a number or one of the DfE's
symbols in each indicator column. Anything else stops the paper with one line naming the
file, the line, the column and the rule (never a traceback). A file that is absent leaves
its comparison out; a folder that is absent leaves every comparison out.

Each figure keeps where it was read from (:func:`pipeline.comparators.figures.mark_origin`):
the file relative to the raw folder (``published/<name>.csv``, the folder's parent being the
raw folder), its sha256 and the line of each row, so that the lineage can trace it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.comparators.figures import (
    FILES,
    LEVELS,
    NEIGHBOURS,
    FileSpec,
    extract_figures,
    mark_origin,
    to_number,
)
from pipeline.errors import InputError
from pipeline.store import sha256_bytes

_YEAR = re.compile(r"^\d{4}$")
_LA_CODE = re.compile(r"^\d{3}$")
_BLANK_LINE = re.compile(r"\n\r?\n")


@dataclass(frozen=True)
class PublishedFiles:
    """What was found in the published folder: the tidy figures (with their ``sources``), the
    neighbour model, and the names of the files that were missing."""

    folder: Path
    figures: pd.DataFrame
    model: pd.DataFrame | None
    missing: tuple[str, ...]


def read_csv_strings(path: Path) -> tuple[pd.DataFrame, str]:
    """A CSV as strings (UTF-8, BOM optional), blanks kept as empty strings; indexed by record
    after the header (0 for the first), blank lines left out but counted, so that the line a
    spreadsheet shows (and :func:`pipeline.lineage.store.read_raw_rows` reads back) is index + 2.
    With the sha256 of the bytes read (the file is read once)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL,
                            skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(f"{path}: cannot be read as CSV: {str(exc).strip()}") from None
    if _BLANK_LINE.search(text):
        blank = [i - 1 for i, record in enumerate(csv.reader(io.StringIO(text))) if i and not record]
        frame = frame.drop(index=[b for b in blank if b in frame.index])
    return frame, sha256_bytes(data)


def check_file(frame: pd.DataFrame, spec: FileSpec, path: Path) -> None:
    """Raise InputError naming file, line, column and rule for the first thing that is not as
    the DfE publishes it (line 1 is the header; `frame` indexed as :func:`read_csv_strings` reads it)."""
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: column '{missing[0]}' is missing (a DfE file from Explore Education "
                         f"Statistics has {', '.join(spec.columns)})")
    if frame.empty:
        raise InputError(f"{path}: has a header but no rows")
    checks = []
    if spec.tidy:
        checks += [("time_period", lambda v: bool(_YEAR.match(v)), "a year such as 2025 (year ending 31 March)"),
                   ("geographic_level", lambda v: v in LEVELS, f"one of {', '.join(LEVELS)}")]
    else:
        checks += [("old_la_code", lambda v: bool(_LA_CODE.match(v)), "a 3-digit old LA code")]
        checks += [(f"SN_{i}", lambda v: v == "" or bool(_LA_CODE.match(v)), "a 3-digit old LA code or blank")
                   for i in range(1, 11)]
    checks += [(c, _is_published_value, "a number or one of the DfE's symbols (c, low, k, u, x, z)")
               for c in spec.numbers]
    for column, ok, rule in checks:
        values = frame[column].astype(str).str.strip()
        bad = ~values.map(ok).astype(bool)
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise InputError(f"{path}, line {frame.index[i] + 2}, column {column}: '{values.iloc[i]}' is not {rule}")
    if spec.tidy:
        la = frame["geographic_level"].str.strip() == "Local authority"
        codes = frame["old_la_code"].astype(str).str.strip()
        bad = la & ~codes.map(lambda v: bool(_LA_CODE.match(v))).astype(bool)
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise InputError(f"{path}, line {frame.index[i] + 2}, column old_la_code: '{codes.iloc[i]}' is not a 3-digit "
                             "old LA code (required where geographic_level is Local authority)")


def _is_published_value(text: str) -> bool:
    try:
        to_number(text)
    except ValueError:
        return False
    return True


def read_published(folder: Path) -> PublishedFiles | None:
    """The DfE's published files in ``folder``, checked; None when the folder holds none of them."""
    if not folder.is_dir():
        return None
    frames = {}
    for spec in FILES:
        path = folder / spec.name
        if path.is_file():
            frame, sha256 = read_csv_strings(path)
            frame.columns = [str(c).strip() for c in frame.columns]
            check_file(frame, spec, path)
            frame = frame.apply(lambda s: s.astype(str).str.strip())
            frames[spec.name] = mark_origin(frame, f"{folder.name}/{spec.name}", sha256, frame.index + 2)
    if not frames:
        return None
    model = frames.pop(NEIGHBOURS.name, None)
    missing = tuple(s.name for s in FILES if s.name not in frames and not (s is NEIGHBOURS and model is not None))
    return PublishedFiles(folder, extract_figures(frames), model, missing)
