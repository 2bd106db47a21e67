"""pipeline/labels.py: every row/column label that crosses layers is spelt out there only.

A label written again as a literal in a paper builder, a story, the metrics or a notebook
would keep working until the label is renamed, and then fail only when the notebook runs;
this test fails at once instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

from pipeline import labels
from pipeline.periods import FinancialYear

ROOT = Path(__file__).resolve().parents[2]
# where figures are looked up by label (labels.py itself excluded)
SCANNED = ["pipeline/papers", "pipeline/render", "pipeline/disclosure", "notebooks"]
MIN_LENGTH = 10  # shorter labels ("Total", "Agency") are also ordinary words in prose and code


def declared_labels() -> set[str]:
    """Every label pipeline/labels.py declares (constants, and the values of its mappings)."""
    found: set[str] = set()
    for name, value in vars(labels).items():
        if not name.isupper():
            continue
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                found |= set(v.values()) if isinstance(v, dict) else {v}
    return {s.strip() for s in found if isinstance(s, str) and len(s.strip()) >= MIN_LENGTH}


def find_literal_labels(paths: list[Path], wanted: set[str]) -> list[str]:
    """'file:line: label' for each string literal (or piece of a figure id) equal to a label."""
    hits = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            pieces: list[str] = []
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                pieces = [node.value, *node.value.split("|")]
            elif isinstance(node, ast.JoinedStr):
                pieces = [p for v in node.values if isinstance(v, ast.Constant) for p in str(v.value).split("|")]
            hits += [f"{path.relative_to(path.parents[1])}:{node.lineno}: {p}" for p in dict.fromkeys(pieces)
                     if p.strip() in wanted]
    return sorted(set(hits))


def scanned_files() -> list[Path]:
    return sorted(p for d in SCANNED for p in (ROOT / d).rglob("*.py"))


def test_the_labels_shared_across_layers_are_declared():
    got = declared_labels()
    assert {"Year to date", "Total exits through the Exit Team", "Child arrangements order",
            "Special guardianship orders granted", "Statistical neighbours: average"} <= got
    assert "Total" not in got  # too short to tell from an ordinary word: not scanned


def test_no_paper_builder_story_or_notebook_spells_a_shared_label_again():
    assert find_literal_labels(scanned_files(), declared_labels()) == []


def test_a_label_spelt_again_is_found(tmp_path):
    story = tmp_path / "render" / "story.py"
    story.parent.mkdir()
    story.write_text('FID = f"Q01_team_exits|Total exits through the Exit Team|{q}"\n'
                     'ROW = "Child arrangements order"\nOTHER = "Children in care"\n')
    assert find_literal_labels([story], declared_labels()) == [
        "render/story.py:1: Total exits through the Exit Team",
        "render/story.py:2: Child arrangements order",
    ]


def test_snapshot_and_own_figure_labels():
    # the year 2025-26 ends on 31 March 2026
    assert labels.label_snapshot(FinancialYear(2025)) == "31 March 2026"
    assert labels.label_own_figure("Northmoor") == "Northmoor (counted here)"
