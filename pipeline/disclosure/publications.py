"""Which editions of a paper a reader holds, and the rule against re-publishing a period
(`python -m pipeline withdraw` calls :func:`withdraw`).

Editions on disk (``reports/<slug>/tables/<paper>/``, restricted twin under
``<processed>/restricted/<slug>/<paper>/``). A withdrawn edition is moved to
``reports/<slug>/withdrawn/<paper>/<n>/`` (restricted twin ``restricted/<slug>/withdrawn/<paper>/<n>/``):
it is no longer the period's paper, but a reader may still hold it, so every later
build of the same year still audits against it.

Re-publishing a period is refused (one line, naming the earlier edition and the command to
withdraw it) when the period's paper exists with another disclosure threshold, or when it
passed its publication check (it has left the building) and the new tables differ from it.
The paper stage refuses before it writes anything; the publication check refuses again
(:func:`republishing_problems`), so that a paper that reaches the staging folder without the
paper stage running (restored by DVC, copied by hand) cannot replace a published edition either.

Taking a paper down is not withdrawing it. When a failed stage finds the period's papers out
of date, pipeline.publish takes them out of reports/ (fail closed) through :func:`take_down`:
the register (``reports/<slug>/published/<paper>/``) keeps the edition, so it still counts as
published and the refusal stands until the analyst runs ``withdraw``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from pipeline.config import Params
from pipeline.disclosure.editions import Edition, folder_hash, load_edition
from pipeline.errors import DisclosureError, PipelineError
from pipeline.tables import Cell


def _quarter(slug: str):
    from pipeline.periods import PeriodError, parse_quarter

    try:
        return parse_quarter(slug)
    except PeriodError:
        return None


def edition_folders(params: Params, paper: str) -> dict[str, tuple[Path, Path]]:
    """Label -> (published folder, restricted folder) of every edition a reader of this
    period's `paper` may hold: other periods' papers (quarterly: the same financial year;
    sufficiency: any period, their years overlap) and every withdrawn edition of those periods
    and of this one."""
    reports, period = params.paths.reports, params.period
    out: dict[str, tuple[Path, Path]] = {}
    if not reports.exists():
        return out
    for slug_dir in sorted(p for p in reports.iterdir() if p.is_dir()):
        q = _quarter(slug_dir.name)
        if q is None or (paper == "quarterly" and q.year != period.year):
            continue
        restricted = params.paths.restricted_dir(slug_dir.name)
        if slug_dir.name != period.slug:
            out.update(period_editions(params, paper, slug_dir.name))
        for w in sorted((slug_dir / "withdrawn" / paper).glob("*")) if (slug_dir / "withdrawn" / paper).exists() else []:
            if (w / "tables.json").exists():
                out[f"{slug_dir.name} withdrawn {w.name}"] = (w, restricted / "withdrawn" / paper / w.name)
    return out


def period_editions(params: Params, paper: str, slug: str) -> dict[str, tuple[Path, Path]]:
    """The period's published edition: its register (what passed the publication check, kept
    when the paper is taken down), else its tables folder; both when they differ."""
    register, register_restricted = register_folders(params, paper, slug)
    tables = params.paths.report_dir(slug) / "tables" / paper
    out = {}
    if (register / "tables.json").exists():
        out[slug] = (register, register_restricted)
    if (tables / "tables.json").exists() and (not out or folder_hash(tables) != folder_hash(register)):
        out[f"{slug} current" if out else slug] = (tables, params.paths.restricted_dir(slug) / paper)
    return out


def load_editions(params: Params, paper: str) -> tuple[list[Edition], dict[str, str]]:
    """The editions and the hash of each one's published tables (label -> sha256)."""
    found = edition_folders(params, paper)
    return ([load_edition(label, pub, res) for label, (pub, res) in found.items()],
            {label: folder_hash(pub) for label, (pub, _) in found.items()})


def changed_editions(params: Params, paper: str, recorded: dict[str, str]) -> list[str]:
    """Editions added, removed or changed since a paper recorded the hashes it was audited with."""
    now = {label: folder_hash(pub) for label, (pub, _) in edition_folders(params, paper).items()}
    return sorted(k for k in set(now) | set(recorded) if now.get(k) != recorded.get(k))


def _withdraw_hint(params: Params, paper: str) -> str:
    return f"python -m pipeline withdraw {paper} --period {params.period.slug}"


def _normalised(frame: pd.DataFrame) -> str:
    return frame.astype(str).to_csv(index=False, lineterminator="\n")


RESTRICTED_KEPT = ("true_values.csv", "identities.json", "suppression_log.csv", "audit.json")


def register_folders(params: Params, paper: str, slug: str) -> tuple[Path, Path]:
    """(public, restricted) copy of the edition of `paper` for `slug` that left the building.

    `dvc repro` deletes a stage's outputs before running it, so the register is kept beside
    them, outside every stage: ``reports/<slug>/published/<paper>/`` and its restricted twin."""
    return (params.paths.report_dir(slug) / "published" / paper,
            params.paths.restricted_dir(slug) / "published" / paper)


def register_publication(params: Params, paper: str) -> Path:
    """Copy this period's published tables (and restricted twin) into the register; the
    publication check calls it when it passes."""
    slug = params.period.slug
    public, restricted = register_folders(params, paper, slug)
    source = params.paths.report_dir(slug) / "tables" / paper
    if public.exists():
        shutil.rmtree(public)
    shutil.copytree(source, public)
    restricted.mkdir(parents=True, exist_ok=True)
    for name in RESTRICTED_KEPT:
        if (params.paths.restricted_dir(slug) / paper / name).exists():
            shutil.copy2(params.paths.restricted_dir(slug) / paper / name, restricted / name)
    return public


def published_folder(params: Params, paper: str, slug: str) -> Path | None:
    """The folder of the period's edition of `paper` that passed its publication check: the
    register, else ``reports/<slug>/tables/<paper>/`` when the period's publication record
    (publication_check.json) passed and lists the paper (an edition published before the
    register existed, or whose registering was interrupted); None when there is none."""
    from pipeline.store import PUBLICATION_RECORD as RECORD
    from pipeline.store import read_json

    register, _ = register_folders(params, paper, slug)
    if (register / "tables.json").exists():
        return register
    tables = params.paths.report_dir(slug) / "tables" / paper
    record = read_json(params.paths.report_dir(slug) / RECORD) or {}
    if (tables / "tables.json").exists() and record.get("passed") and paper in (record.get("papers") or {}):
        return tables
    return None


def refuse_republishing(params: Params, paper: str, new_csvs: dict[str, pd.DataFrame] | None = None) -> None:
    """Raise DisclosureError (one line) if publishing `paper` for this period again is unsafe:
    the period's published edition (:func:`published_folder`), or failing that its tables
    folder, has another threshold; or the published edition's tables differ from ``new_csvs``
    (file name -> tidy frame; None checks only the threshold)."""
    slug = params.period.slug
    published = published_folder(params, paper, slug)
    folder = published or params.paths.report_dir(slug) / "tables" / paper
    if not (folder / "tables.json").exists():
        return
    try:
        manifest = json.loads((folder / "tables.json").read_text(encoding="utf-8"))
    except ValueError:
        return  # an unreadable earlier attempt was never published
    where = shown_path(folder, params.paths.root)
    old = manifest.get("threshold")
    if old is not None and int(old) != params.disclosure.threshold:
        raise DisclosureError(
            f"{paper} {params.period.label} was published with disclosure threshold {old} ({where}); publishing it "
            f"again with threshold {params.disclosure.threshold} would reveal counts it hid: withdraw it first "
            f"({_withdraw_hint(params, paper)})")
    if new_csvs is None or published is None:
        return
    old_csvs = {f.name: _normalised(pd.read_csv(f, dtype=str, keep_default_na=False)) for f in folder.glob("*.csv")}
    if old_csvs != {name: _normalised(frame) for name, frame in new_csvs.items()}:
        raise DisclosureError(
            f"{paper} {params.period.label} has been published ({where} passed its publication check) and these "
            f"tables differ from it; a reader holding both could work out hidden counts: withdraw it first "
            f"({_withdraw_hint(params, paper)})")


def published_hidden(params: Params, paper: str) -> list[Cell]:
    """The cells the period's published edition (:func:`published_folder`) hid, when it was published at
    this threshold: the paper stage hides them again (protect_paper's ``keep``), so rebuilding
    a published period from unchanged data gives the same tables, not a refused new pattern."""
    register = published_folder(params, paper, params.period.slug)
    try:
        manifest = json.loads((register / "tables.json").read_text(encoding="utf-8")) if register else {}
    except (OSError, ValueError):
        return []
    if manifest.get("threshold") is None or int(manifest["threshold"]) != params.disclosure.threshold:
        return []
    symbol = manifest.get("suppression_symbol", params.disclosure.symbol)
    out = []
    for entry in manifest.get("tables", []):
        if entry.get("kind", "count") != "count" or not entry.get("protected", True) \
                or not (register / entry.get("file", "")).is_file():
            continue
        frame = pd.read_csv(register / entry["file"], dtype=str, keep_default_na=False)
        out += [Cell(t, r, c) for t, r, c, v in frame[["table_id", "row", "column", "value"]].itertuples(index=False)
                if v == symbol]
    return out


def republishing_problems(params: Params, paper: str, tables: Path) -> list[str]:
    """The refusal of :func:`refuse_republishing` for the tables in `tables` (the staged ones
    the publication check is about to publish), as problem lines (empty: none)."""
    try:
        csvs = {f.name: pd.read_csv(f, dtype=str, keep_default_na=False) for f in sorted(tables.glob("*.csv"))}
        refuse_republishing(params, paper, csvs)
    except DisclosureError as exc:
        return [str(exc)]
    return []


def take_down(params: Params, paper: str, slug: str) -> Path | None:
    """Take the period's published tables of `paper` out of reports/ (a failed stage found them
    out of date: pipeline.publish, fail closed) WITHOUT withdrawing the edition: the register
    keeps it (it is created from the tables if missing), so re-publishing the period is still
    refused until ``withdraw`` and later editions are still audited against it. Tables that
    differ from the register (not expected) are kept as a withdrawn edition. Returns the
    register folder (None when there was nothing to take down)."""
    register, register_restricted = register_folders(params, paper, slug)
    tables = params.paths.report_dir(slug) / "tables" / paper
    if not (tables / "tables.json").exists():
        return register if (register / "tables.json").exists() else None
    if not (register / "tables.json").exists():
        shutil.copytree(tables, register, dirs_exist_ok=True)
        if not (register_restricted / "true_values.csv").exists():
            source = params.paths.restricted_dir(slug) / paper
            register_restricted.mkdir(parents=True, exist_ok=True)
            for name in RESTRICTED_KEPT:
                if (source / name).exists():
                    shutil.copy2(source / name, register_restricted / name)
    elif folder_hash(tables) != folder_hash(register):
        keep_withdrawn(params, paper, slug, tables, params.paths.restricted_dir(slug) / paper)
    shutil.rmtree(tables)
    return register


def keep_withdrawn(params: Params, paper: str, slug: str, folder: Path, restricted: Path) -> Path:
    """Copy an edition (published folder and restricted twin) to the period's next withdrawn slot."""
    base = params.paths.report_dir(slug) / "withdrawn" / paper
    n = 1 + max((int(p.name) for p in base.glob("*") if p.name.isdigit()), default=0)
    target = base / str(n)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(folder, target)
    if restricted.exists():
        keep = params.paths.restricted_dir(slug) / "withdrawn" / paper / str(n)
        keep.mkdir(parents=True, exist_ok=True)
        for name in RESTRICTED_KEPT:
            if (restricted / name).exists():
                shutil.copy2(restricted / name, keep / name)
    return target


def shown_path(path: Path, root: Path) -> str:
    p = Path(path).resolve()
    return str(p.relative_to(root.resolve())) if p.is_relative_to(root.resolve()) else str(p)


def withdraw(params: Params, paper: str, slug: str) -> Path:
    """Move the period's published edition (the register, else its tables folder) and its
    restricted twin to the withdrawn editions."""
    register, register_restricted = register_folders(params, paper, slug)
    tables = params.paths.report_dir(slug) / "tables" / paper
    folder = register if (register / "tables.json").exists() else tables
    if not (folder / "tables.json").exists():
        raise PipelineError(f"reports/{slug}/tables/{paper}: no published {paper} paper to withdraw")
    restricted = register_restricted if folder == register else params.paths.restricted_dir(slug) / paper
    if not (restricted / "true_values.csv").exists() and (register_restricted / "true_values.csv").exists():
        restricted = register_restricted  # DVC deleted the stage's outs before a refused rerun
    target = keep_withdrawn(params, paper, slug, folder, restricted)
    if folder == register and (tables / "tables.json").exists() and folder_hash(tables) != folder_hash(register):
        keep_withdrawn(params, paper, slug, tables, params.paths.restricted_dir(slug) / paper)
    for old in (register, tables):
        if old.exists():
            shutil.rmtree(old)
    if register_restricted.exists():
        shutil.rmtree(register_restricted)
    return target


def audit_all_editions(params: Params, paper: str, tables: Path | None = None) -> list[str]:
    """Re-audit this period's `paper` (its tables in `tables`: the staged ones the publication
    check is about to publish; default the published ones) together with every edition a reader
    holds, from the published tables (true values only as seeds); one problem line per exposed cell."""
    from pipeline.disclosure.audit import audit_system
    from pipeline.disclosure.editions import combine, hidden_primary, with_ceilings
    from pipeline.disclosure.system import build_system
    from pipeline.papers.assemble import COMPARABLE_COLUMNS
    from pipeline.tables import Paper

    slug = params.period.slug
    current = load_edition(slug, tables or params.paths.report_dir(slug) / "tables" / paper,
                           params.paths.restricted_dir(slug) / paper)
    others, _ = load_editions(params, paper)
    editions = [current, *others]
    combined, links, hidden = combine(Paper(paper), editions, COMPARABLE_COLUMNS[paper], slug)
    system = with_ceilings(build_system(combined, links), editions, params.disclosure.threshold)
    suppressed = system.mask_of(hidden, "{cell}: not in the combined system")
    primary = system.mask_of(hidden_primary(editions), "{cell}: not in the combined system")
    report = audit_system(system, suppressed, primary, params.disclosure)
    return [f"{paper}: read together with {len(others)} other edition(s), hidden {v.cell.id} is exposed "
            f"({v.interval_text()}: {v.reason})" for v in report.exposed()]
