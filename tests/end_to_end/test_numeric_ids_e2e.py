"""Numeric CHILD ids end to end, as many councils' systems issue them (6 digits, some with a
leading zero), and no local files: the whole chain to published papers, the publication
check passing, ids kept as text through validation, facts, the restricted exit-candidate
list and a traced figure. (The same ids with local files run in the regional queue test:
Eastvale's ids are numeric.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def run(root: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "pipeline", "--params", str(root / "params.yaml"), *args],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done.stdout


def test_numeric_ids_without_local_files_to_published_papers(tmp_path):
    data = yaml.safe_load((ROOT / "params.yaml").read_text())
    data["paths"] = {k: str(tmp_path / v) for k, v in
                     {"raw": "data/raw", "processed": "data/processed", "reports": "reports"}.items()}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    raw = tmp_path / "data" / "raw"
    assert "numeric CHILD ids" in run(tmp_path, "synth", "--out", str(raw), "--scale", "0.2", "--id-style", "numeric")
    shutil.rmtree(raw / "local")
    ids = pd.concat([pd.read_csv(p, dtype=str)["CHILD"] for p in raw.rglob("header.csv")]).unique()
    assert all(i.isdigit() and len(i) == 6 for i in ids) and any(i.startswith("0") for i in ids)

    out = run(tmp_path, "run-all")
    assert "publication check passed" in out
    slug = data["period_slug"]
    public = tmp_path / "reports" / slug
    check = json.loads((public / "publication_check.json").read_text())
    assert check["passed"] and check["problems"] == []
    assert any(f.endswith("quarterly_exit_report.pdf") for f in check["files_checked"])
    html = (public / "quarterly_exit_report.html").read_text()
    assert "the permanence tracker was not supplied" in html and "data-figure-id" in html

    # ids stay text, leading zeros kept, from the raw files to the restricted candidate list
    processed = tmp_path / "data" / "processed"
    validated = set(pd.read_parquet(processed / "validated" / "header.parquet")["CHILD"])
    assert validated <= set(ids) and any(i.startswith("0") for i in validated)
    candidates = pd.read_csv(processed / "restricted" / slug / "candidates" / "candidates.csv", dtype=str)
    assert len(candidates) and set(candidates["CHILD"]) <= validated

    # a published figure traces back to raw rows and recounts with these ids
    figure = f"Q02_dfe_exits|{_first_row(public)}|Year to date"
    traced = run(tmp_path, "trace", figure, "--recount", "--limit", "2")
    assert "recounts" in traced and "carry the recorded CHILD" in traced

    # the same scan catches one of these ids planted where a reader would see it, in a copy of
    # the published folder (planting in the staged files would be refused earlier, as stale)
    from pipeline.config import load_params
    from pipeline.render import check
    from pipeline.render.locations import folders
    from pipeline.render.publication_check import (
        PAPERS,
        read_identifiers,
        read_true_figures,
        scan_public_files,
    )

    params = load_params(tmp_path / "params.yaml")
    planted = tmp_path / "planted"
    shutil.copytree(public, planted)
    child = sorted(validated)[0]
    html_path = planted / "sufficiency_analysis.html"
    html_path.write_text(html_path.read_text().replace('aria-label="', f'aria-label="Child {child}. ', 1))
    csv_path = planted / "tables" / "quarterly" / "Q02_dfe_exits.csv"
    csv_path.write_text(csv_path.read_text().replace("Year to date", f"Year to date ({child})", 1))
    patterns = check.build_identifier_patterns(read_identifiers(processed / "validated"))
    figures = read_true_figures(folders(params, paper)["restricted"] for paper in PAPERS)
    clean, _ = scan_public_files(public, patterns, figures, tmp_path)
    problems, _ = scan_public_files(planted, patterns, figures, tmp_path)
    assert clean == []
    found = "\n".join(problems)
    assert "sufficiency_analysis.html: contains 1 CHILD id value(s) from the validated data (attribute aria-label" \
        in found
    assert "Q02_dfe_exits.csv: contains 1 CHILD id value(s) from the validated data (CSV cell" in found
    assert child not in found


def _first_row(public: Path) -> str:
    frame = pd.read_csv(public / "tables" / "quarterly" / "Q02_dfe_exits.csv", dtype=str)
    return frame.loc[frame["column"].eq("Year to date"), "row"].iloc[-1]
