"""publication/dvc.yaml's other_editions stage: the publication check reruns when, and only
when, a file of another edition it re-audits with changed. The stage's shell command is run
here on a small tree: it must list every file under reports/ and restricted/ except this
period's own outputs (this period's withdrawn editions are listed)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SLUG = "2026-27-Q2"
OUT = Path(f"data/processed/staging/other_editions-{SLUG}.sha256")


def stage() -> dict:
    return yaml.safe_load((ROOT / "publication" / "dvc.yaml").read_text())["stages"]["other_editions"]


def run_stage(root: Path) -> list[tuple[str, str]]:
    cmd = stage()["cmd"].replace("${period_slug}", SLUG)
    subprocess.run(["sh", "-c", cmd], cwd=root, check=True)
    return [tuple(line.split("  ", 1)[::-1]) for line in (root / OUT).read_text().splitlines()]


def put(root: Path, name: str, text: str = "x") -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text)


LISTED = [
    "data/processed/restricted/2026-27-Q1/quarterly/true_values.csv",
    f"data/processed/restricted/{SLUG}/withdrawn/quarterly/1/true_values.csv",
    "reports/2026-27-Q1/tables/quarterly/tables.json",
    "reports/2026-27-Q1/withdrawn/sufficiency/1/tables.json",
    "reports/README.md",
    f"reports/{SLUG}/withdrawn/quarterly/1/tables.json",
]
NOT_LISTED = [
    f"reports/{SLUG}/tables/quarterly/tables.json",
    f"reports/{SLUG}/quarterly_exit_report.pdf",
    f"reports/{SLUG}/published/quarterly/tables.json",
    f"data/processed/restricted/{SLUG}/quarterly/true_values.csv",
    f"data/processed/restricted/{SLUG}/published/quarterly/audit.json",
]


def test_lists_other_editions_and_this_periods_withdrawn_ones_not_its_own_outputs(tmp_path):
    for name in LISTED + NOT_LISTED:
        put(tmp_path, name, name)
    listed = run_stage(tmp_path)
    assert [path for path, _ in listed] == sorted(LISTED)
    assert dict(listed)["reports/README.md"] == hashlib.sha256(b"reports/README.md").hexdigest()


def test_the_list_changes_with_another_edition_and_not_with_this_periods_outputs(tmp_path):
    for name in LISTED + NOT_LISTED:
        put(tmp_path, name)
    before = run_stage(tmp_path)
    put(tmp_path, NOT_LISTED[0], "republished")
    assert run_stage(tmp_path) == before
    put(tmp_path, LISTED[2], "Q1 changed")
    assert run_stage(tmp_path) != before


def test_runs_on_a_fresh_checkout_with_no_outputs_yet(tmp_path):
    assert run_stage(tmp_path) == []
    assert (tmp_path / OUT).read_text() == ""


def test_the_check_depends_on_the_list_and_no_stage_always_runs_in_the_root_pipeline():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    assert "data/processed/staging/other_editions-${period_slug}.sha256" in stages["check_publication"]["deps"]
    assert [name for name, s in stages.items() if s.get("always_changed")] == []
    assert stage()["outs"] == [{"data/processed/staging/other_editions-${period_slug}.sha256": {"cache": False}}]


def test_the_check_is_never_restored_from_dvcs_run_cache(tmp_path):
    """The check must run, not be restored, whenever an input changed (it also refuses
    re-publishing against the register, which no dep records): DVC never run-caches a stage
    with a persistent output, and the registers are the check's persistent, uncached outputs.
    The rule is shown on a two-stage project (deps present, so only ``persist`` differs); the
    real stage is checked for the two persistent registers (a fresh checkout has no deps yet)."""
    from dvc.repo import Repo
    from dvc.stage.cache import _can_hash

    outs = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]["check_publication"]["outs"]
    persistent = [next(iter(o)) for o in outs if isinstance(o, dict) and next(iter(o.values())).get("persist")]
    assert persistent == ["reports/${period_slug}/published", "data/processed/restricted/${period_slug}/published"]
    put(tmp_path, "in.txt")
    put(tmp_path, "dvc.yaml", yaml.safe_dump({"stages": {
        "kept": {"cmd": "cp in.txt a", "deps": ["in.txt"], "outs": [{"a": {"persist": True, "cache": False}}]},
        "cached": {"cmd": "cp in.txt b", "deps": ["in.txt"], "outs": ["b"]},
    }}))
    subprocess.run([sys.executable, "-m", "dvc", "init", "--no-scm", "-q"], cwd=tmp_path, check=True,
                   env={**__import__("os").environ, "DVC_NO_ANALYTICS": "1"})
    stages = {s.name: s for s in Repo(str(tmp_path)).index.stages}
    assert not _can_hash(stages["kept"])
    assert _can_hash(stages["cached"])  # a stage without one is run-cached (the test can fail)
