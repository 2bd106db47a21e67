"""Build the processed fact tables from validated data.

Reads data/processed/validated/<table>.parquet (written by `python -m pipeline validate`)
and writes data/processed/facts/<fact>.parquet and facts/manifest.json (rows, columns and
sha256 of each fact table, the period and the validated files used).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
from pathlib import Path

import pandas as pd

from pipeline.config import Params
from pipeline.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--validated", type=Path, default=None,
                        help="folder of validated parquet files (default: <processed>/validated)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: <processed>/facts)")


def read_validated(folder: Path) -> dict[str, pd.DataFrame]:
    """Every <table>.parquet in `folder`, by table name."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no validated data; run `python -m pipeline validate` first")
    tables = {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}
    if not tables:
        raise InputError(f"{folder}: no validated parquet files; run `python -m pipeline validate` first")
    return tables


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint_inputs(validated_dir: Path, params: Params) -> dict[str, str]:
    """What the fact tables depend on, for the manifest: the sha256 of the validated data's
    manifest.json (missing when it has none) and of every parameter except the paths."""
    manifest = validated_dir / "manifest.json"
    settings = {f.name: getattr(params, f.name) for f in dataclasses.fields(params) if f.name not in ("paths", "raw")}
    return {"validated_manifest_sha256": _sha256(manifest) if manifest.exists() else None,
            "params_sha256": hashlib.sha256(repr(settings).encode()).hexdigest()}


def write_facts(facts: dict[str, pd.DataFrame], folder: Path, params: Params, sources: list[str],
                inputs: dict[str, str] | None = None) -> Path:
    """Write each fact table as parquet plus a manifest (with `inputs`, from
    :func:`fingerprint_inputs`, when given); return the manifest's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        if old.stem not in facts:
            old.unlink()
    manifest = {"period": params.period.label, "validated_tables": sources, **(inputs or {}), "facts": {}}
    for name, frame in sorted(facts.items()):
        path = folder / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        manifest["facts"][name] = {"rows": int(len(frame)), "columns": list(map(str, frame.columns)),
                                   "sha256": _sha256(path)}
    out = folder / "manifest.json"
    out.write_text(json.dumps(manifest, indent=2) + "\n")
    return out


def read_facts(folder: Path) -> dict[str, pd.DataFrame]:
    """Every fact table written by :func:`write_facts`."""
    if not (folder / "manifest.json").exists():
        raise InputError(f"{folder}: no facts manifest; run `python -m pipeline process` first")
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def read_current_facts(folder: Path, validated_dir: Path, params: Params) -> dict[str, pd.DataFrame] | None:
    """The fact tables in `folder` if its manifest says they were built from the validated
    data now in `validated_dir` (same manifest, same tables) with the same parameters; None
    otherwise (no manifest, another period, other parameters, re-validated data)."""
    path = folder / "manifest.json"
    if not path.exists():
        return None
    manifest = json.loads(path.read_text())
    inputs = fingerprint_inputs(validated_dir, params)
    if inputs["validated_manifest_sha256"] is None or any(manifest.get(k) != v for k, v in inputs.items()):
        return None
    tables = sorted(p.stem for p in validated_dir.glob("*.parquet"))
    if manifest.get("validated_tables") != tables or sorted(manifest.get("facts", {})) != sorted(
            p.stem for p in folder.glob("*.parquet")):
        return None
    return read_facts(folder)


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.process.catalog import build_facts

    validated_dir = args.validated or params.paths.processed / "validated"
    out_dir = args.out or params.paths.processed / "facts"
    validated = read_validated(validated_dir)
    facts = build_facts(validated, params)
    manifest = write_facts(facts, out_dir, params, sorted(validated), fingerprint_inputs(validated_dir, params))
    width = max(map(len, facts))
    for name, frame in sorted(facts.items()):
        print(f"{name:<{width}}  {len(frame):>9,} rows")
    print(f"facts written to {out_dir} ({manifest.name})")
    return 0
