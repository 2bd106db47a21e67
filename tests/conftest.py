"""Shared fixtures. Test data is small, readable and kept beside the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the checkout (also found from a worktree one level deeper, e.g. wt/<name>)
SHARED = next((p / "shared" for p in ROOT.parents if (p / "shared" / "external").is_dir()), ROOT.parent / "shared")


@pytest.fixture
def project_root() -> Path:
    return ROOT


@pytest.fixture
def shared_external() -> Path:
    path = SHARED / "external"
    if not path.exists():
        pytest.skip("../shared/external is not present beside this checkout")
    return path
