"""Does a stage's input still match what it was built from? The manifests each stage writes
(validated/manifest.json: the sha256 of every raw file; facts/manifest.json: the sha256 of the
validated manifest and of the parameters) are compared with what is on disk now.

Every stage after `validate` calls :func:`require_current` before it reads anything, so that
no stage runs on the outputs of an earlier run (e.g. `paper quarterly` after validation
refused new data: the validated tables are gone, the old fact tables no longer match).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.errors import StaleError
from pipeline.store import recorded_path, sha256_file, sha256_text

ACCEPTED_EXCEPTIONS_FILE = "accepted_exceptions.csv"  # as pipeline.readers (not imported: a light module)


def compare_hashes(recorded: dict[str, str], current: dict[str, str], what: str) -> list[str]:
    """Differences between two {name: sha256} maps, one line each (pure)."""
    out = [f"{what} {name} changed" for name in sorted(set(recorded) & set(current)) if recorded[name] != current[name]]
    out += [f"{what} {name} is new" for name in sorted(set(current) - set(recorded))]
    out += [f"{what} {name} is gone" for name in sorted(set(recorded) - set(current))]
    return out


def list_csv_files(raw_dir: Path) -> list[Path]:
    """Every CSV file (any case of ``.csv``) anywhere under `raw_dir`, symbolic links followed
    once: the files the validate stage reads or reports (pipeline.readers)."""
    out, seen = [], set()
    for folder, dirs, files in os.walk(raw_dir, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:  # a link back up the tree
            dirs[:] = []
            continue
        seen.add(real)
        if Path(folder) == Path(raw_dir) and "published" in dirs:
            dirs.remove("published")  # the DfE's published figures: not validated (pipeline.readers)
        dirs.sort()
        out += [Path(folder) / f for f in sorted(files) if f.lower().endswith(".csv")]
    return out


# (path, size, mtime) -> sha256, for this process: several checks of one command hash once
_HASHED: dict[tuple[str, int, int, int], str] = {}


def sha256_cached(path: Path) -> str:
    """sha256_file, remembered for a file whose size and modification time have not changed."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    if key not in _HASHED:
        _HASHED[key] = sha256_file(path)
    return _HASHED[key]


def current_raw_hashes(raw_dir: Path) -> dict[str, str]:
    """{SOURCE_FILE: sha256} of every CSV under `raw_dir` (a dangling link hashes as missing)."""
    out = {}
    for p in list_csv_files(raw_dir):
        rel = p.relative_to(raw_dir).as_posix()
        out[rel] = sha256_cached(p) if p.exists() else "missing"
    return out


# The parameters the fact builders read (params.yaml: period, sufficiency_year, trend_years,
# savings.pro_rata_basis_days, candidates, projection, distance.far_miles; the process stage's
# params in dvc.yaml). Targets, disclosure, the paper's details and the paths do not change a fact.
FACT_PARAMS = ("period", "sufficiency_year", "trend_years", "savings_basis_days", "candidates", "projection",
               "far_miles")


def fingerprint_facts_inputs(validated_dir: Path, params) -> dict[str, str | None]:
    """What the fact tables depend on, for their manifest: the sha256 of the validated data's
    manifest.json (None when it has none) and of the parameters the builders read."""
    manifest = validated_dir / "manifest.json"
    settings = {name: getattr(params, name) for name in FACT_PARAMS}
    return {"validated_manifest_sha256": sha256_file(manifest) if manifest.exists() else None,
            "params_sha256": sha256_text(repr(settings))}


def validated_problems(processed: Path, raw_dir: Path) -> list[str]:
    """Why <processed>/validated does not match the raw files now in `raw_dir` (empty: it does)."""
    manifest_path = processed / "validated" / "manifest.json"
    if not manifest_path.exists():
        summary = processed / "validation" / "summary.json"
        try:
            refused = json.loads(summary.read_text()).get("status") != "passed"
        except (OSError, ValueError, AttributeError):
            refused = False
        failures = processed / "validation" / "failures.csv"
        why = (f"validation refused the raw data (see {failures})" if refused
               else "validation has not run (run: python -m pipeline validate)")
        return [f"there are no validated data: {why}"]
    manifest = json.loads(manifest_path.read_text())
    recorded = {f["SOURCE_FILE"]: f["sha256"] for f in manifest.get("files", [])}
    source = recorded_path(manifest["raw"], manifest_path.parent) if manifest.get("raw") else raw_dir
    if not raw_dir.is_dir():
        return [f"raw folder {raw_dir} does not exist"]
    if source.resolve() != raw_dir.resolve() and source.is_dir():
        raw_dir = source  # validated with --raw from another folder: compare with that one
    try:
        current = current_raw_hashes(raw_dir)
    except Exception as exc:  # an unreadable raw folder is a reason, not a traceback
        return [f"the raw folder {raw_dir} cannot be read ({exc})"]
    current.pop(ACCEPTED_EXCEPTIONS_FILE, None)
    changes = [f"{c} since validation" for c in compare_hashes(recorded, current, "raw file")]
    return changes + exceptions_problems(manifest.get("accepted_exceptions"), raw_dir / ACCEPTED_EXCEPTIONS_FILE,
                                         manifest_path.parent)


def exceptions_problems(recorded: dict | None, default: Path, folder: Path = Path(".")) -> list[str]:
    """Whether the reviewed exceptions file validation applied is still the one there (pure but
    for reading the file): added, changed or removed since validation. `folder`: the manifest's
    (the path it recorded is relative to it)."""
    if recorded is None:
        return [f"the accepted exceptions file {default} is new since validation"] if default.is_file() else []
    path = recorded_path(recorded.get("file", ""), folder)
    if not path.is_file():
        return [f"the accepted exceptions file {path} is gone since validation"]
    if sha256_file(path) != recorded.get("sha256"):
        return [f"the accepted exceptions file {path} changed since validation"]
    return []


def facts_problems(processed: Path, params) -> list[str]:
    """Why <processed>/facts was not built from the validated data and parameters now in use."""
    path = processed / "facts" / "manifest.json"
    if not path.exists():
        return ["there are no fact tables (run: python -m pipeline process)"]
    manifest = json.loads(path.read_text())
    inputs = fingerprint_facts_inputs(processed / "validated", params)
    out = []
    if manifest.get("validated_manifest_sha256") != inputs["validated_manifest_sha256"]:
        out.append("the fact tables were built from other validated data (run: python -m pipeline process)")
    if manifest.get("params_sha256") != inputs["params_sha256"]:
        out.append("the fact tables were built with other parameters (run: python -m pipeline process)")
    return out


def chain_problems(params, upto: str = "facts") -> list[str]:
    """Problems with the chain raw -> validated (-> facts when ``upto == "facts"``)."""
    problems = validated_problems(params.paths.processed, params.paths.raw)
    if upto == "facts" and not problems:
        problems = facts_problems(params.paths.processed, params)
    return problems


def require_current(problems: list[str], command: str) -> None:
    """Raise StaleError (exit 5) naming every problem when there is any."""
    if problems:
        raise StaleError(f"{command} refused: its input does not match the current data: " + "; ".join(problems))
