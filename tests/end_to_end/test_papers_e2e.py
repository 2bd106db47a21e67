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
    # the DfE's published figures, as `make demo-data` copies them (when ../shared is there)
    dfe = next((p / "shared/external/dfe-published" for p in ROOT.parents
                if (p / "shared/external/dfe-published").is_dir()), None)
    if dfe is not None:
        (a / "data/raw/published").mkdir()
        for f in dfe.glob("*.csv"):
            shutil.copyfile(f, a / "data/raw/published" / f.name)
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
    if dfe is not None:  # England's published figures next to the LA's (31 March 2025: 81,770; 67 per 10,000)
        html = (out / "sufficiency_analysis.html").read_text()
        assert 'data-figure-id="E01_cla_number|England|31 March 2025">81,770<' in html
        assert 'data-figure-id="E02_cla_rate|England|31 March 2025">67<' in html
        assert "Nottinghamshire" in html and "Statistical neighbours: median" in html
    assert not list(out.rglob("true_values.csv")) and not list(out.rglob("suppression_log.csv"))

    # A second run of the papers from the same facts gives byte-identical public files.
    b = tmp_path / "b"
    shutil.copytree(a, b, ignore=shutil.ignore_patterns("reports", "restricted"))
    for paper in ("quarterly", "sufficiency"):
        run(b, "paper", paper)
    run(b, "render")
    other = b / "reports" / slug
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and p.name != "publication_check.json")
    assert files == sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file())
    different = [str(f) for f in files if not filecmp.cmp(out / f, other / f, shallow=False)]
    assert different == []
