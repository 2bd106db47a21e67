"""pipeline/store.py: every folder derived from params.paths, and the one place that hashes
files and reads and writes the stages' manifests."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from pipeline import store
from pipeline.config import Paths
from pipeline.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
# sha256 of b"abc" (FIPS 180-2, appendix B.1) and of no bytes at all
ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.fixture
def where(tmp_path) -> store.Layout:
    return store.Layout(Paths(root=tmp_path, raw=tmp_path / "in", processed=tmp_path / "p", reports=tmp_path / "r"))


def test_every_folder_is_derived_from_the_paths(where, tmp_path):
    p, r = tmp_path / "p", tmp_path / "r"
    assert (where.raw, where.dfe_published) == (tmp_path / "in", tmp_path / "in" / "published")
    assert (where.validation, where.validated, where.facts) == (p / "validation", p / "validated", p / "facts")
    assert where.measures("2026-27-Q2") == p / "measures" / "2026-27-Q2"
    assert where.restricted("2026-27-Q2") == p / "restricted" / "2026-27-Q2"
    assert where.restricted_paper("2026-27-Q2", "quarterly") == p / "restricted" / "2026-27-Q2" / "quarterly"
    assert where.candidates("S") == p / "restricted" / "S" / "candidates"
    assert where.lineage("S") == p / "restricted" / "S" / "lineage"
    assert (where.stale("S"), where.refused("S")) == (p / "restricted/S/stale", p / "restricted/S/refused")
    assert where.staging("S") == p / "staging" / "S"
    assert where.reports("S") == r / "S"
    assert where.register("S", "quarterly") == (r / "S/published/quarterly", p / "restricted/S/published/quarterly")
    assert where.withdrawn("S", "sufficiency") == (r / "S/withdrawn/sufficiency",
                                                   p / "restricted/S/withdrawn/sufficiency")


def test_the_layout_follows_moved_folders(tmp_path):
    # a regional authority's folders (run-all --authority): nothing stays under the demo's
    moved = store.Layout(Paths(root=tmp_path, raw=Path("/x/raw"), processed=Path("/x/proc"), reports=Path("/x/rep")))
    assert moved.facts == Path("/x/proc/facts") and moved.reports("S") == Path("/x/rep/S")
    assert moved.lineage("S") == Path("/x/proc/restricted/S/lineage")


def test_hashes_are_the_sha256_of_the_bytes(tmp_path):
    assert store.sha256_bytes(b"abc") == ABC
    assert store.sha256_text("abc") == ABC
    assert store.sha256_bytes(b"") == EMPTY
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    assert store.sha256_file(path) == ABC
    big = tmp_path / "big"
    big.write_bytes(b"a" * (3 << 20) + b"bc")  # read in blocks: the same as hashing it whole
    assert store.sha256_file(big) == store.sha256_bytes(big.read_bytes())


def test_a_missing_file_cannot_be_hashed(tmp_path):
    with pytest.raises(FileNotFoundError):
        store.sha256_file(tmp_path / "none")


def test_manifests_keep_their_format(tmp_path):
    store.write_validated_manifest(tmp_path, {"raw": "data/raw", "files": []})
    assert (tmp_path / "manifest.json").read_text() == '{\n "raw": "data/raw",\n "files": []\n}'
    store.write_facts_manifest(tmp_path, {"period": "2026-27 Q2"})
    assert (tmp_path / "manifest.json").read_text() == '{\n  "period": "2026-27 Q2"\n}\n'
    assert store.read_manifest(tmp_path) == {"period": "2026-27 Q2"}
    assert store.read_manifest(tmp_path / "none") is None


def test_write_table_records_rows_columns_and_the_hash_of_the_file(tmp_path):
    frame = pd.DataFrame({"CHILD": ["A", "B"], "N": [1, 2]})
    entry = store.write_table(frame, tmp_path / "t.parquet")
    assert entry["rows"] == 2 and entry["columns"] == ["CHILD", "N"]
    assert entry["sha256"] == store.sha256_file(tmp_path / "t.parquet")
    assert store.read_facts(tmp_path)["t"].equals(frame)


def test_reading_facts_that_are_not_there_says_run_process(tmp_path):
    with pytest.raises(InputError, match="no fact tables .run: python -m pipeline process"):
        store.read_facts(tmp_path / "none")
    with pytest.raises(InputError, match="no fact tables"):
        store.read_facts(tmp_path)  # a folder without parquet files


def test_read_validated_adds_the_returns_up_to_as_of(tmp_path):
    pd.DataFrame({"CHILD": ["A"]}).to_parquet(tmp_path / "header.parquet")
    store.write_validated_manifest(tmp_path, {"returns": ["2024-25", "2025-26", "2026-27_Q1"], "as_of": "2026-03-31"})
    tables = store.read_validated(tmp_path)
    assert tables["returns"]["RETURN"].tolist() == ["2024-25", "2025-26"]
    assert sorted(store.read_validated(tmp_path, ("header",))) == ["header"]
    with pytest.raises(InputError, match="run `python -m pipeline validate` first"):
        store.list_validated(tmp_path / "none")


def test_read_optional_table(tmp_path):
    assert store.read_optional_table(tmp_path / "absent.parquet") is None
    pd.DataFrame({"A": [1]}).to_parquet(tmp_path / "t.parquet")
    assert store.read_optional_table(tmp_path / "t.parquet")["A"].tolist() == [1]


# Modules that still hash on their own, to switch to pipeline.store (docs/architecture.md;
# the lineage package is being split; editions.py belongs to the disclosure work; synth
# derives seeds and id prefixes from names, which is not hashing a file).
NOT_YET = ("pipeline/disclosure/editions.py", "pipeline/synth/settings.py")


def test_only_the_store_imports_hashlib():
    users = set()
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) else []
            if "hashlib" in names:
                users.add(str(path.relative_to(ROOT)))
    assert {u for u in users if not u.startswith(NOT_YET)} == {"pipeline/store.py"}



def test_a_manifest_records_paths_relative_to_its_own_folder(tmp_path):
    """The validated manifest once held the absolute raw path, so its hash (and dvc.lock) differed
    between two checkouts of the same commit: /work/fresh and /work/fresh2 differed by one byte."""
    folder = tmp_path / "data" / "processed" / "validated"
    assert store.record_path(tmp_path / "data" / "raw", folder) == "../../raw"
    assert store.record_path(tmp_path / "data" / "raw" / "accepted_exceptions.csv", folder) == "../../raw/accepted_exceptions.csv"
    assert store.recorded_path("../../raw", folder) == tmp_path / "data" / "raw"
    assert store.recorded_path("/elsewhere/raw", folder) == Path("/elsewhere/raw")  # an older manifest's absolute path
    for root in (tmp_path / "a", tmp_path / "checkout-two"):
        assert store.record_path(root / "data" / "raw", root / "data" / "processed" / "validated") == "../../raw"
