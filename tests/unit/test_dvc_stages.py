"""dvc.yaml: every stage depends on the code its command runs, so that `dvc repro` reruns a stage
whenever a module it imports changes (and only then). The import graph is read from the source
(ast), lazy imports inside functions included; a paper stage also runs its notebook."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from pipeline.cli import COMMANDS
from pipeline.papers.assemble import PAPER_KINDS

ROOT = Path(__file__).resolve().parents[2]
# Run by every command before its module (argument parsing, error printing, import trimming):
# a change there does not change any output, so no stage lists them.
ENTRY = {"pipeline/__init__.py", "pipeline/__main__.py", "pipeline/cli.py", "pipeline/errors.py", "pipeline/imports.py"}


def module_path(name: str) -> Path | None:
    base = ROOT / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports_of(path: Path) -> set[str]:
    """The pipeline modules a source file imports (absolute, relative, and `from pkg import module`)."""
    rel = path.relative_to(ROOT).with_suffix("")
    package = list(rel.parts[:-1]) if rel.name != "__init__" else list(rel.parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "pipeline"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package[: len(package) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            if base.split(".")[0] != "pipeline":
                continue
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names if module_path(f"{base}.{a.name}")}
    # importing a.b.c runs a/__init__ and a/b/__init__ too
    return {".".join(m.split(".")[: i + 1]) for m in found for i in range(len(m.split(".")))}


def closure(start: list[Path]) -> set[str]:
    seen: set[Path] = set()
    todo = list(start)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo += [p for m in imports_of(path) if (p := module_path(m)) is not None]
    return {str(p.relative_to(ROOT)) for p in seen}


def stage_code(stage: dict) -> list[Path]:
    words = stage["cmd"].split()
    assert words[:3] == ["python", "-m", "pipeline"]
    start = [module_path(COMMANDS[words[3]][0])]
    if words[3] == "paper":  # the notebook it runs and the builder it imports by name
        kind = PAPER_KINDS[words[4]]
        start += [ROOT / "notebooks" / f"{kind.notebook}.py", module_path(kind.builder.split(":")[0])]
    return start


def covered(file: str, deps: list[str]) -> bool:
    return any(file == d or file.startswith(d.rstrip("/") + "/") for d in deps)


STAGES = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


@pytest.mark.parametrize("name", sorted(STAGES))
def test_each_stage_depends_on_every_module_its_command_runs(name):
    stage = STAGES[name]
    code = closure(stage_code(stage)) - ENTRY
    missing = sorted(f for f in code if not covered(f, stage["deps"]))
    assert missing == [], f"stage {name} runs these modules but does not list them in its deps: {missing}"


def test_the_import_reader_sees_lazy_relative_and_submodule_imports(tmp_path):
    # pipeline.render.paper imports pipeline.disclosure inside a function and
    # `from pipeline.papers.assemble import ...`; the closure must reach both.
    code = closure([ROOT / "pipeline/render/paper.py"])
    assert "pipeline/disclosure/__init__.py" in code
    assert "pipeline/papers/assemble.py" in code
    assert "pipeline/papers/__init__.py" in code


# Folders of data files a stage's code reads (not modules): listed, never imported.
RESOURCES = {"pipeline/render/templates", "pipeline/validate/suites"}


@pytest.mark.parametrize("name", sorted(STAGES))
def test_no_stage_lists_code_its_command_does_not_run(name):
    # a stale dep reruns the stage for nothing (check_publication listed process, candidates and
    # lineage_cli while it imported the paper command's module)
    stage = STAGES[name]
    code = closure(stage_code(stage))
    listed = [d for d in stage["deps"] if d.startswith(("pipeline/", "notebooks/")) and d not in RESOURCES]
    unused = [d for d in listed if not any(covered(f, [d]) for f in code)]
    assert unused == [], f"stage {name} lists code its command does not run: {unused}"


def test_check_publication_does_not_depend_on_the_paper_stage():
    code = closure(stage_code(STAGES["check_publication"]))
    assert "pipeline/render/paper.py" not in code
    assert not {f for f in code if f.startswith(("pipeline/process/", "pipeline/lineage", "pipeline/measures/"))}


# Each dep and out a stage lists costs every `dvc repro`, nothing changed (DVC builds an object
# for it twice, hashes it, locks it): docs/performance.md. The rules below keep the lists short
# without changing which stages rerun.

def stages_listing(prefix: str) -> list[str]:
    """The stages with a dep that is `prefix` or lies inside it."""
    return sorted(n for n, s in STAGES.items() if any(covered(d, [prefix]) for d in s["deps"]))


# Only validate reads the returns in the raw folder, and the sufficiency paper the DfE's published
# figures in data/raw/published/ (pipeline/render/paper.py: add_comparators).
RAW_READERS = ["paper_sufficiency", "validate"]


def test_only_the_stages_that_read_raw_files_depend_on_the_raw_folder():
    assert stages_listing("data/raw") == RAW_READERS


def test_every_stage_that_rechecks_the_raw_files_reruns_when_they_change():
    # Later stages re-check the raw CSVs against data/processed/validated/manifest.json
    # (pipeline/freshness.py), which validate rewrites with the sha256 of every raw CSV: a
    # changed raw file reruns validate, and its new manifest reruns each of these stages.
    rechecking = [n for n, s in STAGES.items() if n != "validate" and "pipeline/freshness.py" in closure(stage_code(s))]
    assert len(rechecking) == len(STAGES) - 1  # every later stage
    assert [n for n in rechecking if not covered("data/processed/validated/manifest.json", STAGES[n]["deps"])] == []


def test_the_check_depends_on_every_file_staged_for_publication_and_lists_the_folder_once():
    check = STAGES["check_publication"]["deps"]
    staging = "data/processed/staging/${period_slug}"
    staged = [next(iter(o)) if isinstance(o, dict) else o
              for name in ("paper_quarterly", "paper_sufficiency", "render") for o in STAGES[name]["outs"]]
    staged = [o for o in staged if o.startswith(staging + "/")]
    assert len(staged) == 16  # tables, spreadsheets and open data of both papers; HTML, PDF and records
    assert [o for o in staged if not covered(o, check)] == []
    assert staging in check
    assert [d for d in check if d.startswith(staging + "/")] == []  # not listed again one by one
