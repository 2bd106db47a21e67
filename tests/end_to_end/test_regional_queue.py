"""Two synthetic authorities through regional/dvc.yaml in parallel with DVC's experiment queue
(scripts/regional-queue.sh, what `make regional` runs), in a throw-away Git repository made
from this checkout's tracked files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def tool_env() -> dict[str, str]:
    """The environment `make` gives its commands: this virtual environment first on PATH."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "DVC_NO_ANALYTICS": "1", "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg", "SOURCE_DATE_EPOCH": "0"}


def sh(cwd: Path, *cmd: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)


def tracked_files() -> list[str]:
    done = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip("this checkout is not a Git repository")
    return [f for f in done.stdout.split("\0") if f and (ROOT / f).is_file()]


def make_repository(dest: Path, env: dict[str, str]) -> dict:
    for name in tracked_files():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    for cmd in (["git", "init", "-q"], ["git", "config", "user.name", "test"],
                ["git", "config", "user.email", "test@example.invalid"], ["git", "add", "-A"],
                ["git", "commit", "-q", "-m", "project"]):
        assert sh(dest, *cmd, env=env).returncode == 0, cmd
    return yaml.safe_load((dest / "params.yaml").read_text())


def test_two_authorities_run_in_the_dvc_queue_and_land_in_the_workspace(tmp_path):
    env = tool_env()
    repo = tmp_path / "project"
    params = make_repository(repo, env)
    authorities = params["regional"]["authorities"]
    assert len(authorities) >= 2
    for entry in authorities.values():
        done = sh(repo, sys.executable, "-m", "pipeline", "synth", "--out", entry["raw"], "--la", entry["name"],
                  "--scale", "0.2", "--id-style", entry.get("id_style", "alphanumeric"), env=env)
        assert done.returncode == 0, done.stderr

    done = sh(repo, "bash", "scripts/regional-queue.sh", "2", env=env)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    for slug in authorities:
        assert f"{slug}: queued as experiment" in done.stdout
        assert f"{slug}: Success" in done.stdout
        assert f"Stage 'regional/dvc.yaml:authority@{slug}' is cached - skipping run" in done.stdout + done.stderr

    # The raw folders are versioned by DVC pointers staged in Git, not by Git itself.
    staged = sh(repo, "git", "diff", "--cached", "--name-only", env=env).stdout.split()
    for entry in authorities.values():
        assert f"{entry['raw']}.dvc" in staged
        assert not any(name.startswith(entry["raw"] + "/") for name in staged)

    # Every authority's papers are in its own folder of the workspace, about that authority.
    lock = yaml.safe_load((repo / "regional" / "dvc.lock").read_text())["stages"]
    assert set(lock) == {f"authority@{slug}" for slug in authorities}
    for slug, entry in authorities.items():
        out = repo / entry["reports"] / params["period_slug"]
        assert (out / "quarterly_exit_report.pdf").read_bytes().startswith(b"%PDF")
        assert (out / "sufficiency_analysis.pdf").read_bytes().startswith(b"%PDF")
        html = (out / "quarterly_exit_report.html").read_text()
        assert entry["name"] in html
        assert all(other["name"] not in html for s, other in authorities.items() if s != slug)
        assert '"passed": true' in (out / "publication_check.json").read_text()
    # One authority's systems issue plain numeric CHILD ids (some with a leading zero): its
    # papers passed the publication check above all the same.
    numeric = [e for e in authorities.values() if e.get("id_style") == "numeric"]
    assert numeric, "params.yaml: one regional authority should use numeric ids"
    ids = [line.split(",")[0] for p in sorted((repo / numeric[0]["raw"]).rglob("header.csv"))
           for line in p.read_text().splitlines()[1:]]
    assert ids and all(i.isdigit() for i in ids) and any(i.startswith("0") for i in ids)
    status = sh(repo, "dvc", "status", "regional/dvc.yaml", env=env)
    assert "up to date" in status.stdout

    # A second run finds nothing to do.
    again = sh(repo, "bash", "scripts/regional-queue.sh", "2", env=env)
    assert again.returncode == 0, again.stderr
    for slug in authorities:
        assert f"{slug}: up to date (regional/dvc.lock), not queued" in again.stdout

    # Another analyst: a clone and `dvc pull` from the default remote (a folder beside the
    # project) gets the raw data and every paper without running anything.
    for cmd in (["git", "add", "-A"], ["git", "commit", "-q", "-m", "regional run"], ["dvc", "push", "-q"]):
        done = sh(repo, *cmd, env=env)
        assert done.returncode == 0, f"{cmd}: {done.stdout}{done.stderr}"
    assert (tmp_path / "cla-dvc-remote").is_dir()
    clone = tmp_path / "clone"
    assert sh(tmp_path, "git", "clone", "-q", str(repo), str(clone), env=env).returncode == 0
    pulled = sh(clone, "dvc", "pull", "--with-deps", "regional/dvc.yaml", env=env)  # outputs and raw data
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert "up to date" in sh(clone, "dvc", "status", "regional/dvc.yaml", env=env).stdout
    for entry in authorities.values():
        out = entry["reports"] + "/" + params["period_slug"] + "/quarterly_exit_report.pdf"
        assert (clone / out).read_bytes() == (repo / out).read_bytes()


def test_the_queue_script_refuses_an_authority_without_raw_data(tmp_path):
    env = tool_env()
    repo = tmp_path / "project"
    params = make_repository(repo, env)
    first, entry = next(iter(params["regional"]["authorities"].items()))
    done = sh(repo, "bash", "scripts/regional-queue.sh", "2", env=env)
    assert done.returncode == 1
    assert f"{first}: no CSV files in {entry['raw']}" in done.stderr
    bad = sh(repo, "bash", "scripts/regional-queue.sh", "two", env=env)
    assert bad.returncode == 2 and "positive whole number" in bad.stderr
