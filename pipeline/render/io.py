"""Reading and writing a paper's published tables (the only I/O of the render package besides
its command modules). Files are written byte-for-byte the same for the same content."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.render.published import PublishedPaper
from pipeline.render.writers import build_manifest, build_published_csvs, read_published_paper
from pipeline.safe_text import neutralise_frame, restore_frame

MANIFEST = "tables.json"


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n", encoding="utf-8")


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def write_published(folder: Path, published: PublishedPaper, meta: dict[str, Any]) -> list[Path]:
    """Every published table as a tidy CSV and the tables.json manifest, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in build_published_csvs(published).items():
        write_csv(folder / name, neutralise_frame(frame))  # no cell a spreadsheet would run
        written.append(folder / name)
    write_json(folder / MANIFEST, build_manifest(published, meta))
    return [*written, folder / MANIFEST]


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{path}: no published tables here (run: python -m pipeline paper ...)")
    return json.loads(path.read_text(encoding="utf-8"))


def load_published(folder: str | Path) -> PublishedPaper:
    """The published paper stored in `folder` (tables.json and one tidy CSV per table)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    frames = {e["file"]: read_tidy_csv(folder / e["file"]) for e in manifest["tables"]}
    return read_published_paper(manifest, frames)


def read_tidy_csvs(folders: list[Path]) -> dict[str, pd.DataFrame]:
    """Every tidy CSV in the given folders: label (path) -> frame."""
    out = {}
    for folder in folders:
        for f in sorted(Path(folder).glob("*.csv")):
            out[str(f)] = read_tidy_csv(f)
    return out


def read_tidy_csv(path: Path) -> pd.DataFrame:
    """A published tidy CSV as written (text, neutralised cells restored: safe_text)."""
    return restore_frame(pd.read_csv(path, dtype=str, keep_default_na=False))


def load_notebook_params(params_file: str | Path, overrides: list[str], period: str, la_code: str, threshold: int):
    """The parameters a notebook runs with: params.yaml with the stage's overrides, then the period,
    authority code and threshold papermill injected (so a notebook run by hand for another period
    stays consistent). Refuses an authority code that disagrees with the overrides' authority."""
    from pipeline.config import ConfigError, load_params
    from pipeline.periods import parse_quarter

    slug = parse_quarter(period).slug
    params = load_params(params_file, [*overrides, f"period={period}", f"period_slug={slug}",
                                       f"disclosure.threshold={threshold}"])
    if str(params.la.code) != str(la_code):
        raise ConfigError(f"notebook parameter la_code={la_code!r} but the parameters describe "
                          f"{params.la.name} ({params.la.code}): pass that authority's overrides")
    return params


def write_downloads(spreadsheet: Path, open_data: Path, published: PublishedPaper, meta: dict[str, Any]) -> list[Path]:
    """The paper's spreadsheet (`spreadsheet`, .ods, and the same name with .xlsx) and its open
    data in the DfE's format (one CSV and .meta.csv per table in the `open_data` folder)."""
    from pipeline.render.open_data import build_open_data
    from pipeline.render.spreadsheet import build_workbook, write_ods, write_xlsx
    from pipeline.safe_text import neutralise_frame

    sheets = build_workbook(published, meta)
    spreadsheet.parent.mkdir(parents=True, exist_ok=True)
    xlsx = spreadsheet.with_suffix(".xlsx")
    spreadsheet.write_bytes(write_ods(sheets, str(meta.get("title", ""))))
    xlsx.write_bytes(write_xlsx(sheets, str(meta.get("title", "")), str(meta.get("author", ""))))
    open_data.mkdir(parents=True, exist_ok=True)
    for old in open_data.glob("*.csv"):
        old.unlink()
    written = [spreadsheet, xlsx]
    for name, frame in build_open_data(published, meta).items():
        write_csv(open_data / name, neutralise_frame(frame))
        written.append(open_data / name)
    return written


def read_workbook(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet of an .ods or .xlsx workbook: sheet name -> rows of cell values (None where
    empty; numbers as numbers)."""
    engine = "odf" if path.suffix == ".ods" else "openpyxl"
    frames = pd.read_excel(path, sheet_name=None, header=None, engine=engine, dtype=object)
    return {name: [[None if (isinstance(v, float) and v != v) else v for v in row] for row in f.itertuples(index=False)]
            for name, f in frames.items()}


def read_open_data(folder: Path) -> dict[str, pd.DataFrame]:
    """Every CSV of an open-data folder, read as text: file name -> frame."""
    return {f.name: pd.read_csv(f, dtype=str, keep_default_na=False) for f in sorted(Path(folder).glob("*.csv"))}
