"""All-or-nothing publication of a period's papers.

`paper` writes a paper's published tables and metrics to the staging folder
(<processed>/staging/<period>/, never public) and records what it was built from
(restricted/<period>/<paper>/inputs.json); `render` writes the HTML, PDF and reviewer HTML
there too, then a record of their hashes (staging/<period>/<notebook>.render.json, written
last: a render killed half-way leaves no record and is refused). `check-publication` checks
the staged files and only when every check passed copies them into reports/<period>/ and
writes reports/<period>/publication_check.json, which lists the sha256 of every file
published and the inputs it was built from. When the check fails nothing is published: the
candidates move to restricted/<period>/refused/ with the reasons, and the papers published
earlier for the period are taken down (their tables stay in the register of published
editions, reports/<period>/published/<paper>/, still audited against and still refusing a
different re-publication until `python -m pipeline withdraw`; the rest goes to the
restricted stale/ folder).

`python -m pipeline where` (and any failing stage) compares reports/<period>/ with its record
and the current inputs: papers that no longer match are taken down (:func:`take_down`: their
tables to the register, the rest to the restricted stale/ folder), and `where` says why. A failed
run with ``--set`` checks both the period it was for and the period of params.yaml
(:func:`take_down_after_failure`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from pipeline.freshness import chain_problems, compare_hashes
from pipeline.store import PUBLICATION_RECORD, Layout, read_json, sha256_file, sha256_text

RECORD = PUBLICATION_RECORD
STALE = "stale"  # restricted/<period>/stale/: public files withdrawn because they no longer match the inputs
# The params.yaml keys each paper stage depends on (dvc.yaml; tests/unit/test_publish.py checks).
PAPER_PARAMS = {
    "quarterly": ("la", "period", "period_slug", "targets", "savings", "candidates", "disclosure", "paper",
                  "revisions"),
    "sufficiency": ("la", "period", "period_slug", "comparators", "sufficiency_year", "trend_years", "distance", "projection",
                    "disclosure", "paper"),
}
PAPERS = ("quarterly", "sufficiency")
PAPER_FILES = ("tables", "ods", "xlsx", "open_data")  # written by `paper`; the rest by `render`


def staging_dir(params) -> Path:
    """Where the period's candidate public files wait for the publication check."""
    return Layout(params.paths).staging(params.period.slug)


def notebook_name(paper: str) -> str:
    from pipeline.papers.assemble import PAPER_KINDS

    return PAPER_KINDS[paper].notebook


def public_files(params, paper: str) -> dict[str, tuple[Path, Path]]:
    """key -> (staged path, published path) of every public file of `paper`."""
    stage, out, name = staging_dir(params), params.paths.report_dir(params.period.slug), notebook_name(paper)
    rel = {"tables": Path("tables") / paper,
           "ods": Path(f"{name}.ods"), "xlsx": Path(f"{name}.xlsx"), "open_data": Path("open_data") / paper,
           "html": Path(f"{name}.html"), "pdf": Path(f"{name}.pdf"), "reviewer": Path(f"{name}-reviewer.html")}
    return {k: (stage / r, out / r) for k, r in rel.items()}


def paper_record_path(params, paper: str) -> Path:
    return params.paths.restricted_dir(params.period.slug) / paper / "inputs.json"


def render_record_path(params, paper: str) -> Path:
    return staging_dir(params) / f"{notebook_name(paper)}.render.json"


def hash_files(root: Path, paths: list[Path]) -> dict[str, str]:
    """{path relative to root: sha256} of each file, and of every file inside each folder."""
    out = {}
    for p in paths:
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p] if p.exists() else []
        for f in files:
            out[f.relative_to(root).as_posix()] = sha256_file(f)
    return out


def params_sha256(params, paper: str) -> str:
    """The sha256 of the params.yaml values `paper` depends on."""
    chosen = {k: params.raw.get(k) for k in PAPER_PARAMS[paper]}
    return sha256_text(json.dumps(chosen, sort_keys=True, default=str))


def facts_manifest_sha256(params) -> str | None:
    path = Layout(params.paths).facts / "manifest.json"
    return sha256_file(path) if path.exists() else None


def write_json_atomic(path: Path, data) -> None:
    """Write JSON through a temporary file and a rename: the file is whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --- paper -> render -> check: what each step was built from --------------------------------


def write_paper_record(params, paper: str, notebook: Path | None) -> Path:
    """After `paper`: the facts, parameters, staged tables and executed notebook it produced."""
    stage = staging_dir(params)
    files = public_files(params, paper)
    record = {
        "paper": paper, "period": params.period.label,
        "facts_manifest_sha256": facts_manifest_sha256(params),
        "params_sha256": params_sha256(params, paper),
        "staged": hash_files(stage, [files[k][0] for k in PAPER_FILES]),
        "notebook_sha256": sha256_file(notebook) if notebook is not None and notebook.exists() else None,
    }
    path = paper_record_path(params, paper)
    write_json_atomic(path, record)
    return path


def paper_problems(params, paper: str) -> list[str]:
    """Why `paper`'s staged tables and notebook do not match the current facts and parameters."""
    record = read_json(paper_record_path(params, paper))
    if record is None:
        return [f"the {paper} paper has not been built for {params.period.label} (run: python -m pipeline paper {paper})"]
    problems = chain_problems(params)
    if problems:
        return problems
    out = []
    if record.get("facts_manifest_sha256") != facts_manifest_sha256(params):
        out.append(f"the {paper} paper was built from other fact tables (run: python -m pipeline paper {paper})")
    if record.get("params_sha256") != params_sha256(params, paper):
        out.append(f"the {paper} paper was built with other parameters (run: python -m pipeline paper {paper})")
    files = public_files(params, paper)
    staged = hash_files(staging_dir(params), [files[k][0] for k in PAPER_FILES])
    changes = compare_hashes(record.get("staged", {}), staged, "staged file")
    out += [f"{c} since `paper {paper}` wrote it" for c in changes]
    return out


def notebook_problems(params, paper: str, notebook: Path) -> list[str]:
    """Paper problems, plus: the executed notebook is missing or not the one `paper` wrote."""
    out = paper_problems(params, paper)
    record = read_json(paper_record_path(params, paper)) or {}
    if not notebook.exists():
        out.append(f"{notebook}: no executed notebook (run: python -m pipeline paper {paper})")
    elif record and record.get("notebook_sha256") != sha256_file(notebook):
        out.append(f"{notebook} is not the notebook `paper {paper}` executed (run: python -m pipeline paper {paper})")
    return out


def write_render_record(params, paper: str, notebook: Path) -> Path:
    """After `render`: the notebook rendered and the sha256 of the three files written."""
    files = public_files(params, paper)
    record = {"paper": paper, "notebook_sha256": sha256_file(notebook),
              "files": hash_files(staging_dir(params), [files[k][0] for k in ("html", "pdf", "reviewer")])}
    path = render_record_path(params, paper)
    write_json_atomic(path, record)
    return path


def render_problems(params, paper: str, notebook: Path) -> list[str]:
    """Why the staged HTML/PDF of `paper` are not a complete rendering of its current notebook."""
    out = notebook_problems(params, paper, notebook)
    record = read_json(render_record_path(params, paper))
    if record is None:
        return [*out, f"the {paper} paper has not been rendered completely (run: python -m pipeline render {paper})"]
    if notebook.exists() and record.get("notebook_sha256") != sha256_file(notebook):
        out.append(f"the {paper} HTML/PDF were rendered from another notebook (run: python -m pipeline render {paper})")
    files = public_files(params, paper)
    now = hash_files(staging_dir(params), [files[k][0] for k in ("html", "pdf", "reviewer")])
    out += [f"{c} since it was rendered (run: python -m pipeline render {paper})"
            for c in compare_hashes(record.get("files", {}), now, "staged file")]
    return out


# --- publishing, refusing, withdrawing ----------------------------------------------------


def publish(params, papers: list[str], checked: list[str]) -> dict:
    """Publish the papers' staged files: build the period's new folder beside reports/<period>/
    (a copy of it with these papers' files replaced and the new publication record), then swap
    the two folders with renames. At every moment reports/<period>/ is the complete old folder,
    the complete new one, or (between the two renames) absent: never a mix."""
    out = params.paths.report_dir(params.period.slug)
    incoming, old_dir = out.with_name(f".{out.name}.incoming"), out.with_name(f".{out.name}.old")
    remove_path(incoming)
    remove_path(old_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.is_dir():
        shutil.copytree(out, incoming, symlinks=True)
    else:
        incoming.mkdir()
    old = read_json(incoming / RECORD) or {}
    (incoming / RECORD).unlink(missing_ok=True)
    entries = {p: e for p, e in (old.get("papers") or {}).items() if p not in papers}
    for paper in papers:
        copied = []
        for staged, public in public_files(params, paper).values():
            if not staged.exists():  # e.g. a paper built without its spreadsheet: nothing to publish
                continue
            target = incoming / public.relative_to(out)
            remove_path(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            if staged.is_dir():
                shutil.copytree(staged, target)
            else:
                shutil.copy2(staged, target)
            copied.append(target)
        entries[paper] = {"files": hash_files(incoming, copied), "inputs": read_json(paper_record_path(params, paper))}
        keep_restricted_twin(params, paper)
    record = {"period": params.period.label, "passed": True, "files_checked": checked, "problems": [],
              "papers": dict(sorted(entries.items()))}
    write_json_atomic(incoming / RECORD, record)
    if out.exists():
        os.replace(out, old_dir)
    os.replace(incoming, out)
    remove_path(old_dir)
    return record


TWIN_FILES = ("true_values.csv", "identities.json", "suppression_log.csv", "audit.json")


def published_twin_dir(params, paper: str) -> Path:
    """Where the restricted twin of the published edition is kept: outside every DVC out, so
    that a later run (DVC deletes a stage's outs before it runs) cannot take it away before the
    edition is withdrawn (pipeline.disclosure.publications audits later editions against it)."""
    return params.paths.restricted_dir(params.period.slug) / "published" / paper


def keep_restricted_twin(params, paper: str) -> None:
    source, target = params.paths.restricted_dir(params.period.slug) / paper, published_twin_dir(params, paper)
    remove_path(target)
    target.mkdir(parents=True)
    for name in TWIN_FILES:
        if (source / name).exists():
            shutil.copy2(source / name, target / name)


def remove_path(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def move_aside(paths: list[Path], root: Path, dest: Path) -> list[str]:
    """Move each existing path (relative to `root`) under `dest`; return what moved."""
    moved = []
    for p in paths:
        if not (p.exists() or p.is_symlink()):
            continue
        rel = p.relative_to(root)
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_path(target)
        shutil.move(str(p), str(target))
        moved.append(rel.as_posix())
    return moved


def refuse(params, papers: list[str], problems: list[str], checked: list[str]) -> list[str]:
    """A failed publication check: the staged candidates move to restricted/<period>/refused/
    with the reasons, and whatever reports/<period>/ held for these papers is taken down."""
    restricted = params.paths.restricted_dir(params.period.slug)
    stage = staging_dir(params)
    refused = move_aside([public_files(params, p)[k][0] for p in papers for k in public_files(params, p)],
                         stage, restricted / "refused")
    write_json_atomic(restricted / "refused" / RECORD, {"period": params.period.label, "passed": False,
                                                        "files_checked": checked, "problems": problems,
                                                        "refused": refused})
    reason = f"the publication check of the new papers failed: see {restricted / 'refused' / RECORD}"
    moved = take_down(params, papers, reason)
    if not moved and not any(f[1].exists() for p in PAPERS for f in public_files(params, p).values()):
        # nothing left to take down (e.g. DVC deleted the published files before the check ran):
        # `where` still says why there are no papers
        write_json_atomic(restricted / STALE / "reason.json", {"period": params.period.label, "reason": reason,
                                                               "withdrawn": []})
    return moved


def take_down(params, papers: list[str], reason: str) -> list[str]:
    """Take the published files of `papers` out of reports/<period>/ (fail closed: they no
    longer match the inputs, or the new papers' check failed): their tables stay in the
    register of published editions (pipeline.disclosure.publications.take_down: readers may
    hold them, so every later edition is still audited against them; a take-down is not the
    analyst's ``python -m pipeline withdraw``, which alone ends the refusal to re-publish), the
    rest moves to the restricted stale/ folder beside ``reason.json``; the publication record
    keeps only the papers left."""
    from pipeline.disclosure.publications import take_down as keep_in_register

    out = params.paths.report_dir(params.period.slug)
    dest = params.paths.restricted_dir(params.period.slug) / STALE
    record = read_json(out / RECORD)
    moved = []
    for paper in papers:
        tables = public_files(params, paper)["tables"][1]
        if (tables / "tables.json").exists():
            keep_in_register(params, paper, params.period.slug)  # the register keeps the edition: not a withdrawal
            moved.append(tables.relative_to(out).as_posix())
    moved += move_aside([public_files(params, p)[k][1] for p in papers for k in public_files(params, p) if k != "tables"],
                        out, dest)
    left = {p: e for p, e in ((record or {}).get("papers") or {}).items() if p not in papers}
    if record is not None and left:
        write_json_atomic(out / RECORD, {**record, "papers": left})
    else:
        (out / RECORD).unlink(missing_ok=True)
    for folder in (out / "tables", out / "open_data"):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    if moved:
        write_json_atomic(dest / "reason.json", {"period": params.period.label, "reason": reason, "withdrawn": moved})
    return moved


withdraw = take_down  # the name `where --withdraw` (pipeline.where) imports


def published_problems(params) -> tuple[list[str], dict[str, list[str]]]:
    """(papers published for the period, {paper: reasons it is not current}: empty when all are)."""
    out = params.paths.report_dir(params.period.slug)
    present = [p for p in PAPERS if any(f[1].exists() for f in public_files(params, p).values())]
    if not present:
        return [], {}
    record = read_json(out / RECORD)
    if record is None or not record.get("passed") or not isinstance(record.get("papers"), dict):
        why = (f"{out.name}/{RECORD} is missing or did not pass: these files were not published by a "
               "passed publication check (an interrupted or failed run)")
        return present, {p: [why] for p in present}
    chain = chain_problems(params)
    stale: dict[str, list[str]] = {}
    for paper in present:
        entry = record["papers"].get(paper)
        if entry is None:
            stale[paper] = [f"the {paper} paper's files are not in {RECORD}"]
            continue
        now = hash_files(out, [f[1] for f in public_files(params, paper).values()])
        problems = [f"{paper}: {c} since publication"
                    for c in compare_hashes(entry.get("files", {}), now, "published file")]
        inputs = entry.get("inputs") or {}
        if chain:
            problems += chain
        else:
            if inputs.get("facts_manifest_sha256") != facts_manifest_sha256(params):
                problems.append(f"{paper}: the fact tables have changed since publication")
            if inputs.get("params_sha256") != params_sha256(params, paper):
                problems.append(f"{paper}: params.yaml has changed since publication")
        if problems:
            stale[paper] = problems
    return present, stale


def withdraw_if_stale(params, context: str = "") -> list[str]:
    """Take down the period's published papers that no longer match the inputs (the reason
    recorded starts with `context`, e.g. which failed run found them stale)."""
    _, stale = published_problems(params)
    reasons = list(dict.fromkeys(r for rs in stale.values() for r in rs))
    return take_down(params, sorted(stale), context + "; ".join(reasons)) if stale else []


# The --set keys that choose which papers a run is for (the period, where they live); the
# others (a target, a threshold, a sufficiency year) are a one-off variation of the run.
IDENTIFYING = ("period", "period_slug", "paths.")


def select_identifying(overrides: list[str] | tuple[str, ...]) -> list[str]:
    """The overrides (``key=value``) that choose which papers a run is for (pure)."""
    keys = [(o.split("=", 1)[0].strip(), o) for o in overrides]
    return [o for k, o in keys if k in IDENTIFYING[:2] or k.startswith(IDENTIFYING[2])]


def take_down_after_failure(params, params_file: str | Path | None = None,
                            overrides: list[str] | tuple[str, ...] = ()) -> list[tuple[object, list[str]]]:
    """After a failed run: take down the papers that no longer match the inputs. Without
    ``--set``, the run's period, judged with the run's parameters (params.yaml as it is).
    With ``--set``, the papers of the period the run was for and those of params.yaml's period,
    each judged as `where` judges them: with params.yaml, the run's period and paths (a one-off
    target or threshold that failed does not make the published papers wrong; data the failed
    run rebuilt, or raw files that changed, do). Returns (parameters, files taken down) for
    each period checked."""
    from pipeline.config import load_params

    runs = [params]
    if overrides and params_file is not None:
        runs = [load_params(params_file, select_identifying(overrides)), load_params(params_file, [])]
    given = f" with --set {' '.join(overrides)}" if overrides else ""
    context = f"a failed run for {params.period.label}{given} found these papers out of date: "
    done, seen = [], set()
    for p in runs:
        key = (str(p.paths.reports), p.period.slug)
        if key not in seen:
            seen.add(key)
            done.append((p, withdraw_if_stale(p, context)))
    return done
