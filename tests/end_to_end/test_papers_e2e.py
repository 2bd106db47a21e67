"""The whole chain on a small synthetic local authority, twice: both papers, HTML and PDF,
published tables, the publication check, and byte-identical outputs."""

from __future__ import annotations

import filecmp
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e

NEEDED = ["pipeline.synth", "pipeline.validate", "pipeline.process_cli", "pipeline.disclosure",
          "pipeline.papers.quarterly", "pipeline.papers.sufficiency"]


def _missing() -> list[str]:
    out = []
    for m in NEEDED:
        try:
            if importlib.util.find_spec(m) is None:
                out.append(m)
        except ModuleNotFoundError:
            out.append(m)
    return out


def run(root: Path, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline", "--params", str(root / "params.yaml"), *args],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    assert "without encryption" not in done.stderr  # the notebooks' kernel listens on IPC sockets, not TCP


def make_project(tmp: Path) -> Path:
    data = yaml.safe_load((ROOT / "params.yaml").read_text())
    data["paths"] = {"raw": "data/raw", "processed": "data/processed", "reports": "reports"}
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "params.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return tmp


def test_both_papers_end_to_end_and_deterministic(tmp_path):
    missing = _missing()
    if missing:
        pytest.skip(f"upstream stages not merged yet: {', '.join(missing)}")
    a = make_project(tmp_path / "a")
    run(a, "synth", "--out", str(a / "data/raw"), "--scale", "0.3")
    run(a, "validate", "--no-docs")
    run(a, "process")
    for paper in ("quarterly", "sufficiency"):
        run(a, "paper", paper)
    run(a, "render")
    run(a, "check-publication")
    slug = yaml.safe_load((a / "params.yaml").read_text())["period_slug"]
    out = a / "reports" / slug
    for name in ("quarterly_exit_report", "sufficiency_analysis"):
        assert (out / f"{name}.pdf").read_bytes().startswith(b"%PDF")
        html = (out / f"{name}.html").read_text()
        assert "data-figure-id" in html and "<svg" in html
        assert str(a) not in html and str(ROOT) not in html
    assert (out / "tables" / "quarterly" / "tables.json").exists()
    assert not list(out.rglob("true_values.csv")) and not list(out.rglob("suppression_log.csv"))

    # A second run of the papers from the same facts gives byte-identical public files.
    b = tmp_path / "b"
    shutil.copytree(a, b, ignore=shutil.ignore_patterns("reports", "restricted"))
    for paper in ("quarterly", "sufficiency"):
        run(b, "paper", paper)
    run(b, "render")
    other = b / "reports" / slug
    assert not other.exists()  # staged: nothing is public before the publication check passed
    run(b, "check-publication")
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and p.name != "publication_check.json")
    assert files == sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file()
                           and p.name != "publication_check.json")
    different = [str(f) for f in files if not filecmp.cmp(out / f, other / f, shallow=False)]
    assert different == []

    # A render killed half-way leaves the complete old paper in reports/, and the half-rendered
    # pair is refused by the publication check; a complete render then publishes the new one.
    check_kill_during_render(b, slug)


def published_hashes(out: Path) -> dict[str, str]:
    import hashlib

    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def check_kill_during_render(root: Path, slug: str) -> None:
    import json
    import signal
    import time

    out = root / "reports" / slug
    before = published_hashes(out)
    record = json.loads((out / "publication_check.json").read_text())
    assert record["passed"] and set(record["papers"]) == {"quarterly", "sufficiency"}
    data = yaml.safe_load((root / "params.yaml").read_text())
    data["targets"]["exit_team_exits"] += 7  # a parameter of the quarterly paper only
    (root / "params.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    run(root, "paper", "quarterly")
    staged = root / "data" / "processed" / "staging" / slug
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--params", str(root / "params.yaml"), "render",
                             "quarterly"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    html = staged / "quarterly_exit_report.html"
    old_html = html.stat().st_mtime_ns if html.exists() else None
    while time.monotonic() < deadline and proc.poll() is None:
        if html.exists() and html.stat().st_mtime_ns != old_html:
            break  # the HTML is written, the PDF not yet (or just): kill now
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert published_hashes(out) == before  # the complete old paper, untouched
    assert not (staged / "quarterly_exit_report.render.json").exists()
    where = subprocess.run([sys.executable, "-m", "pipeline", "--params", str(root / "params.yaml"), "where"],
                           cwd=ROOT, capture_output=True, text=True)
    assert where.returncode == 5 and "quarterly: params.yaml has changed since publication" in where.stdout
    done = subprocess.run([sys.executable, "-m", "pipeline", "--params", str(root / "params.yaml"),
                           "check-publication", "--papers", "quarterly"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 5, done.stderr
    assert "has not been rendered completely" in done.stderr and "Traceback" not in done.stderr
    # the failed run withdrew the stale quarterly paper; the sufficiency paper is still current
    left = published_hashes(out)
    assert not [f for f in left if f.startswith(("quarterly", "tables/quarterly", "metrics/quarterly"))]
    assert left["sufficiency_analysis.pdf"] == before["sufficiency_analysis.pdf"]
    run(root, "render", "quarterly")
    run(root, "check-publication", "--papers", "quarterly")
    after = published_hashes(out)
    assert after["quarterly_exit_report.html"] != before["quarterly_exit_report.html"]
    assert after["sufficiency_analysis.pdf"] == before["sufficiency_analysis.pdf"]
