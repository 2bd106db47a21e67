"""Spreadsheet-formula injection: the one place that makes text cells safe to open in Excel,
LibreOffice or Google Sheets (the OWASP "CSV injection" rule).

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
prefixed with a single quote, so a spreadsheet shows it as text instead of running it as a
formula (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``). Numbers are not text: ``-5`` and
``+1.5`` stay as they are. Cells that already begin with quotes before such a character get
one more, so :func:`restore_cell` gives back exactly the original text (the pipeline reads
its own published CSVs back, e.g. earlier quarters' tables).

Every published CSV goes through :func:`neutralise_frame` (pipeline.render.io); spreadsheet
writers (ODS/XLSX) should call it too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def neutralise_cell(value: Any) -> Any:
    """The value, with a single quote in front when it is text a spreadsheet would run."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in TRIGGERS and not _is_number(value):
        return "'" + value
    if _NEUTRALISED.match(value):  # already quoted: one more, so that restore_cell is exact
        return "'" + value
    return value


def restore_cell(value: Any) -> Any:
    """The inverse of :func:`neutralise_cell` (for reading the pipeline's own CSVs back)."""
    if isinstance(value, str) and _NEUTRALISED.match(value):
        return value[1:]
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell (and text column name) neutralised."""
    return map_text(frame, neutralise_cell)


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a frame read from a neutralised CSV, with the original text back."""
    return map_text(frame, restore_cell)


def map_text(frame: pd.DataFrame, cell: Callable[[Any], Any]) -> pd.DataFrame:
    """A copy of the frame with ``cell`` applied to every text cell and column name."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(cell)
    out.columns = [cell(c) for c in out.columns]
    return out
