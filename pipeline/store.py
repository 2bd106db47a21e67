"""Where every stage reads and writes, and the one place that hashes files and reads and writes
the stages' manifests.

The layout, from ``params.paths`` (params.yaml)::

    <raw>/                                   the returns and local files (validate reads them)
    <raw>/published/                         the DfE's published figures (comparators)
    <processed>/validation/                  validation reports (failures.csv, warnings.csv ...)
    <processed>/validated/                   validated tables, manifest.json
    <processed>/facts/                       fact tables, manifest.json
    <processed>/measures/<period>/           measures.csv (restricted: unsuppressed)
    <processed>/restricted/<period>/         never published: <paper>/, candidates/, lineage/,
                                             published/ (the register's twin), stale/, refused/,
                                             withdrawn/
    <processed>/staging/<period>/            public files waiting for the publication check
    <reports>/<period>/                      the published papers; published/ (the register),
                                             withdrawn/

Light on purpose (no pandas at import): every command imports it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from pipeline.config import Params, Paths

VALIDATION = "validation"
VALIDATED = "validated"
FACTS = "facts"
MEASURES = "measures"
STAGING = "staging"
CANDIDATES = "candidates"
LINEAGE = "lineage"
REGISTER = "published"  # the edition that left the building (reports/<period>/published/<paper>/)
STALE = "stale"
REFUSED = "refused"
WITHDRAWN = "withdrawn"
DFE_PUBLISHED = "published"  # <raw>/published/: the DfE's published figures
MANIFEST = "manifest.json"
PUBLICATION_RECORD = "publication_check.json"  # reports/<period>/: what the publication check passed


@dataclass(frozen=True)
class Layout:
    """Every folder of the pipeline, derived from ``config.Paths``."""

    paths: Paths

    @property
    def raw(self) -> Path:
        return self.paths.raw

    @property
    def dfe_published(self) -> Path:
        return self.paths.raw / DFE_PUBLISHED

    @property
    def validation(self) -> Path:
        return self.paths.processed / VALIDATION

    @property
    def validated(self) -> Path:
        return self.paths.processed / VALIDATED

    @property
    def facts(self) -> Path:
        return self.paths.processed / FACTS

    def measures(self, slug: str) -> Path:
        return self.paths.processed / MEASURES / slug

    def restricted(self, slug: str) -> Path:
        return self.paths.restricted_dir(slug)

    def restricted_paper(self, slug: str, paper: str) -> Path:
        return self.restricted(slug) / paper

    def candidates(self, slug: str) -> Path:
        return self.restricted(slug) / CANDIDATES

    def lineage(self, slug: str) -> Path:
        return self.restricted(slug) / LINEAGE

    def stale(self, slug: str) -> Path:
        return self.restricted(slug) / STALE

    def refused(self, slug: str) -> Path:
        return self.restricted(slug) / REFUSED

    def staging(self, slug: str) -> Path:
        return self.paths.processed / STAGING / slug

    def reports(self, slug: str) -> Path:
        return self.paths.report_dir(slug)

    def register(self, slug: str, paper: str) -> tuple[Path, Path]:
        """(public, restricted) folder of the edition of `paper` that left the building."""
        return self.reports(slug) / REGISTER / paper, self.restricted(slug) / REGISTER / paper

    def withdrawn(self, slug: str, paper: str) -> tuple[Path, Path]:
        """(public, restricted) folder holding the numbered withdrawn editions of `paper`."""
        return self.reports(slug) / WITHDRAWN / paper, self.restricted(slug) / WITHDRAWN / paper


def layout(params: Params) -> Layout:
    """The layout of ``params.paths``."""
    return Layout(params.paths)


# --- hashes ------------------------------------------------------------------------------


def sha256_bytes(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """The sha256 of `text` encoded as UTF-8."""
    return sha256_bytes(text.encode())


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes (a symbolic link is followed: its target's content)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- manifests -----------------------------------------------------------------------------


def record_path(path: Path, folder: Path) -> str:
    """`path` as a manifest in `folder` records it: relative to that folder when it can be (so
    the manifest, and every hash over it, is the same in every checkout), else absolute."""
    try:
        return Path(os.path.relpath(Path(path).resolve(), Path(folder).resolve())).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        return str(Path(path).resolve())


def recorded_path(recorded: str, folder: Path) -> Path:
    """The path a manifest in `folder` recorded with :func:`record_path` (an absolute one, as
    older manifests hold, is kept as it is)."""
    return Path(os.path.normpath(Path(folder) / recorded))


def read_json(path: Path) -> dict | None:
    """A JSON record (manifest, publication record); None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_manifest(folder: Path) -> dict | None:
    """The manifest.json of a stage's folder; None when it has none."""
    path = folder / MANIFEST
    return json.loads(path.read_text()) if path.exists() else None


def write_validated_manifest(folder: Path, manifest: dict) -> Path:
    """validated/manifest.json (one-space indent, as validate has always written it)."""
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=1))
    return path


def write_facts_manifest(folder: Path, manifest: dict) -> Path:
    """facts/manifest.json (two-space indent and a final newline)."""
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    return path


# --- validated tables and fact tables --------------------------------------------------------


def list_validated(folder: Path) -> list[str]:
    """The names of the validated tables in `folder` (one <table>.parquet each)."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no validated data; run `python -m pipeline validate` first")
    names = sorted(p.stem for p in folder.glob("*.parquet"))
    if not names:
        raise InputError(f"{folder}: no validated parquet files; run `python -m pipeline validate` first")
    return names


def read_validated(folder: Path, only: tuple[str, ...] | None = None) -> dict[str, pd.DataFrame]:
    """Every <table>.parquet in `folder` (or those named in `only`), by table name, and the
    return folders the manifest lists as a frame ``returns`` (RETURN) when it lists them."""
    import pandas as pd

    from pipeline.schema import parse_return_label

    tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in list_validated(folder)
              if only is None or name in only}
    recorded = read_manifest(folder) if only is None or "returns" in only else None
    if recorded is not None and isinstance(recorded.get("returns"), list):
        returns = [str(r) for r in recorded["returns"]]
        if recorded.get("as_of"):  # validate --as-of stitched only the returns ending by then
            as_of = date.fromisoformat(recorded["as_of"])
            returns = [r for r in returns if parse_return_label(r).end <= as_of]
        tables["returns"] = pd.DataFrame({"RETURN": returns}, dtype="object")
    return tables


def write_table(frame: pd.DataFrame, path: Path) -> dict:
    """Write one table as parquet; its manifest entry (rows, columns, sha256 of the bytes
    written)."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    data = buffer.getbuffer()
    path.write_bytes(data)
    return {"rows": int(len(frame)), "columns": list(map(str, frame.columns)), "sha256": sha256_bytes(data)}


def read_facts(folder: Path) -> dict[str, pd.DataFrame]:
    """Every fact table in `folder` (written by `python -m pipeline process`), by name."""
    import pandas as pd

    if not folder.is_dir() or not any(folder.glob("*.parquet")):
        raise InputError(f"{folder}: no fact tables (run: python -m pipeline process)")
    return {f.stem: pd.read_parquet(f) for f in sorted(folder.glob("*.parquet"))}


def read_optional_table(path: Path) -> pd.DataFrame | None:
    """A parquet table, or None when it is absent (a local file that was not supplied)."""
    import pandas as pd

    return pd.read_parquet(path) if path.exists() else None

