"""dvc.lock is committed as `make report` leaves it: a fresh checkout with the demo data
(`make demo-data`) has no stage of dvc.yaml whose code, data or parameters differ from what
dvc.lock records. (regional/dvc.lock records the last regional run: `make regional` updates it.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def copy_tracked_files(dest: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def changed_inputs(status: dict) -> dict[str, list[str]]:
    """Per stage, the deps and params DVC reports as modified (outputs that are merely
    absent in a fresh checkout are not a stale lock)."""
    found: dict[str, list[str]] = {}
    for stage, entries in status.items():
        if ":" in stage:  # a stage of another dvc.yaml (regional/)
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            for kind in ("changed deps", "changed params"):
                for path, state in entry.get(kind, {}).items():
                    if kind == "changed params" or state in ("modified", "new"):
                        found.setdefault(stage, []).append(f"{path} ({state})")
    return found


def test_committed_dvc_lock_matches_the_code_and_the_demo_data(tmp_path: Path) -> None:
    copy_tracked_files(tmp_path)
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "0"}
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    published = SHARED / "external" / "dfe-published"
    if not published.is_dir():
        pytest.skip("the demo data include ../shared/external/dfe-published, which is not beside this checkout")
    make = ["make", "-s", "-o", "env", "demo-data", f"BIN={Path(sys.executable).parent}", f"DFE_PUBLISHED={published}"]
    subprocess.run(make, cwd=tmp_path, env=env, check=True, capture_output=True)
    dvc = Path(sys.executable).with_name("dvc")
    done = subprocess.run([str(dvc), "status", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    stale = changed_inputs(json.loads(done.stdout or "{}"))
    assert stale == {}, ("dvc.lock is stale: run `make report` and commit dvc.lock. Changed since it was "
                         f"written: {stale}")
