"""The check-publication stage: check the period's staged papers and publish them into
reports/<period>/ only when every check of every paper passed. What it checks, writes and
refuses (the command's help): pipeline/commands/check_publication.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pipeline.config import Params
from pipeline.errors import PublicationError
from pipeline.render.locations import folders, outputs
from pipeline.store import Layout

PAPERS = ("quarterly", "sufficiency")
REMOTE = re.compile(r"""(<script[^>]+src\s*=\s*["']?(https?:)?//|<link[^>]+href\s*=\s*["']?(https?:)?//|"""
                    r"""@import\s+(url\()?["']?(https?:)?//|url\(\s*["']?(https?:)?//)""", re.I)


def find_remote_resources(html: str, where: str) -> list[str]:
    """Scripts, styles or fonts the HTML would fetch from the network."""
    hits = REMOTE.findall(html)
    return [f"{where}: loads {len(hits)} script(s), style(s) or font(s) from the network"] if hits else []


def read_identifiers(validated: Path) -> dict[str, list[str]]:
    """CHILD ids, dates of birth, UPNs and postcodes from the validated SSDA903 tables, and the
    staff and case identifiers (WORKER_ID, POST_ID, CASE_ID) of the staffing file and the
    permanence tracker when they were supplied."""
    from pipeline.render.check import is_searchable_id

    header, episodes = validated / "header.parquet", validated / "episodes.parquet"
    if not header.exists() or not episodes.exists():
        raise PublicationError(f"{validated}: no validated header/episodes to check identifiers against "
                               "(run: python -m pipeline validate)")
    h = pd.read_parquet(header)
    e = pd.read_parquet(episodes, columns=[c for c in ("HOME_POST", "PL_POST") if c in
                                           pd.read_parquet(episodes).columns])
    children = [str(c) for c in h["CHILD"].dropna().unique() if is_searchable_id(str(c))]
    dobs = [pd.Timestamp(d).strftime("%Y-%m-%d") for d in h["DOB"].dropna().unique()]
    upns = [str(u) for u in h["UPN"].dropna().unique() if len(str(u)) == 13] if "UPN" in h else []
    posts = sorted({str(p) for col in e.columns for p in e[col].dropna().unique() if len(str(p).strip()) >= 5})
    out = {"CHILD id": children, "date of birth": dobs, "UPN": upns, "postcode": posts}
    for kind, sources in STAFF_IDENTIFIERS.items():
        values = {v for table, column in sources for v in read_column(validated / f"{table}.parquet", column)}
        out[kind] = sorted(v for v in values if is_searchable_id(v))
    return out


STAFF_IDENTIFIERS = {"WORKER_ID": (("staffing", "WORKER_ID"), ("permanence_tracker", "WORKER_ID")),
                     "POST_ID": (("staffing", "POST_ID"),),
                     "CASE_ID": (("permanence_tracker", "CASE_ID"),)}


def read_column(path: Path, column: str) -> list[str]:
    """The distinct values of one column of a validated table (none when the local file was
    not supplied)."""
    if not path.exists():
        return []
    frame = pd.read_parquet(path)
    if column not in frame.columns:
        return []
    return [str(v).strip() for v in frame[column].dropna().unique() if str(v).strip()]


def read_true_figures(restricted_folders) -> dict[str, float]:
    """Figure id -> true (unrounded) value, from each paper's restricted true_values.csv: a
    number printed for a figure within rounding of this is the figure, not an identifier."""
    out: dict[str, float] = {}
    for folder in restricted_folders:
        path = folder / "true_values.csv"
        if not path.exists():
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for tid, r, c, v in frame[["table_id", "row", "column", "value"]].itertuples(index=False):
            try:
                out[f"{tid}|{r}|{c}"] = float(v)
            except ValueError:
                continue
    return out


def public_folder(params: Params) -> Path:
    """The folder holding every file of the period that is to be public (the papers' folder:
    everything under it is read, tables, metrics and downloads included)."""
    return outputs(params, PAPERS[0])["html"].parent


def scan_public_files(folder: Path, patterns: dict[str, set[str]], figures: dict[str, float],
                      root: Path) -> tuple[list[str], list[str]]:
    """(problems, files read): every file under the public folder, read as a person would
    (``pipeline.render.readable``), searched for identifiers. The check's own report is
    left out: this run rewrites it."""
    from pipeline.render import check, readable

    problems, read = [], []
    for path in readable.list_public_files([folder]):
        if path.name == "publication_check.json" and path.parent == folder:
            continue
        where = shown_path(path, root)
        try:
            passages = readable.read_passages(path, folder)
        except (PublicationError, UnicodeDecodeError) as exc:
            problems.append(f"{where}: cannot be read by the publication check ({exc})")
            continue
        read.append(where)
        problems += check.find_identifiers_in(passages, patterns, where, figures)
    return problems, read


def pdf_text(path: Path) -> str:
    from pipeline.render.readable import read_pdf_text

    return read_pdf_text(path)


def visible_text(html: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["style", "script", "svg"]):
        tag.decompose()
    return soup.get_text(" ")


def shown_path(path: Path | str, root: Path) -> str:
    """The path relative to the project root, or absolute when it lies outside (--set paths...)."""
    p = Path(path).resolve()
    return str(p.relative_to(root.resolve())) if p.is_relative_to(root.resolve()) else str(p)


def check_editions(params: Params, paper: str, restricted: Path) -> list[str]:
    """Re-audit this period's paper with every other edition of the year a reader holds
    (pipeline.disclosure.publications); an edition added or changed since the paper was built
    is named in the hint when that audit fails."""
    import json

    from pipeline.disclosure.publications import (
        audit_all_editions,
        changed_editions,
        republishing_problems,
    )
    from pipeline.errors import DisclosureError

    recorded = restricted / "editions.json"
    changed = changed_editions(params, paper, json.loads(recorded.read_text(encoding="utf-8"))) \
        if recorded.exists() else ["(no record)"]
    try:
        from pipeline.publish import public_files

        staged = public_files(params, paper)["tables"][0]
        # the period's published edition is refused again here: the paper stage may not have run (a restored paper)
        problems = republishing_problems(params, paper, staged) + audit_all_editions(params, paper, staged)
    except DisclosureError as exc:
        problems = [f"{paper}: the editions of the year cannot be audited together: {exc}"]
    if problems and changed:
        problems.append(f"{paper}: edition(s) {', '.join(changed)} changed since this paper was built; "
                        f"rebuild it (dvc repro -f paper_{paper}; if it was published, withdraw it first)")
    return problems


def check_paper(params: Params, paper: str) -> tuple[list[str], list[str]]:
    """(problems, files checked) for one paper."""
    from pipeline.render import check
    from pipeline.render import io as rio
    from pipeline.render.pdf_structure import find_accessibility_gaps

    where = folders(params, paper)
    files = outputs(params, paper)
    root = str(params.paths.root.resolve())
    zero_shown = params.disclosure.zero == "show"
    problems: list[str] = []
    checked: list[str] = []
    rel = lambda p: shown_path(p, params.paths.root)  # noqa: E731

    audit_path = where["restricted"] / "audit.json"
    if not audit_path.exists():
        problems.append(f"{paper}: no disclosure audit result ({rel(audit_path)}); run: python -m pipeline paper {paper}")
    else:
        import json

        audit = json.loads(audit_path.read_text())
        if not audit.get("audit_passed"):
            problems.append(f"{paper}: the disclosure audit did not pass (exposed: {', '.join(audit.get('exposed', []))})")
    problems += check_editions(params, paper, where["restricted"])

    try:
        manifest = rio.read_manifest(where["tables"])
        published = rio.load_published(where["tables"])
    except (FileNotFoundError, KeyError, ValueError) as exc:
        return [*problems, f"{paper}: published tables cannot be read: {exc}"], checked
    listed = {e["file"] for e in manifest["tables"]}
    for csv in sorted(where["tables"].glob("*.csv")):
        checked.append(rel(csv))
        if csv.name not in listed:
            problems.append(f"{rel(csv)}: a CSV that tables.json does not describe")
            continue
        info = next(e for e in manifest["tables"] if e["file"] == csv.name)
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        problems += check.find_formula_cells(frame, rel(csv))
        problems += check.check_tidy_csv(rio.read_tidy_csv(csv), info, published.threshold, published.symbol,
                                         zero_shown)
    problems += check.find_small_counts(published, zero_shown)

    html_text = ""
    for key in ("html", "reviewer"):
        path = files[key]
        if not path.exists():
            problems.append(f"{paper}: {rel(path) if path.exists() else path.name} is missing (run: python -m pipeline render)")
            continue
        checked.append(rel(path))
        html = path.read_text(encoding="utf-8")
        problems += [f"{rel(path)}: {p}" for p in check.check_html_figures(check.find_html_figures(html), published)]
        problems += check.find_absolute_paths(html, root, rel(path))
        problems += find_remote_resources(html, rel(path))
        if key == "html":
            html_text = visible_text(html)
    if files["pdf"].exists():
        checked.append(rel(files["pdf"]))
        text = pdf_text(files["pdf"])
        problems += check.find_absolute_paths(text, root, rel(files["pdf"]))
        problems += [f"{rel(files['pdf'])}: {p}" for p in check.find_unlabelled_numbers(text, html_text)]
        problems += find_accessibility_gaps(files["pdf"].read_bytes(), rel(files["pdf"]))
    else:
        problems.append(f"{paper}: {files['pdf'].name} is missing (run: python -m pipeline render)")
    p, c = check_downloads(where, published, rel)
    return [*problems, *p], [*checked, *c]


def check_downloads(where: dict, published, rel) -> tuple[list[str], list[str]]:
    """(problems, files checked) for a paper's spreadsheets and open data: each figure the
    published one (withheld where the paper withholds it). Identifiers in them are looked for
    with every other public file (scan_public_files), where a number that is a published
    figure is told from an id."""
    from pipeline.render import io as rio
    from pipeline.render.open_data import find_open_data_problems
    from pipeline.render.spreadsheet import find_spreadsheet_problems

    problems: list[str] = []
    checked: list[str] = []
    for path in (where["spreadsheet"], where["spreadsheet"].with_suffix(".xlsx")):
        if not path.exists():
            problems.append(f"{rel(path)} is missing (run: python -m pipeline paper {published.paper_id})")
            continue
        checked.append(rel(path))
        try:
            sheets = rio.read_workbook(path)
        except (ValueError, OSError, KeyError) as exc:
            problems.append(f"{rel(path)}: cannot be read as a spreadsheet ({exc})")
            continue
        problems += find_spreadsheet_problems(sheets, published, rel(path))
    folder = where["open_data"]
    files = rio.read_open_data(folder) if folder.is_dir() else {}
    checked += [rel(folder / name) for name in files]
    problems += find_open_data_problems(files, published, rel(folder))
    return problems, checked


def run_publication_check(params: Params, papers: list[str] | tuple[str, ...] = PAPERS) -> int:
    """Check `papers`' staged files and publish them all, or refuse them all (PublicationError)."""
    from pipeline.freshness import require_current
    from pipeline.publish import publish, refuse, render_problems
    from pipeline.render import check

    where = Layout(params.paths)
    for paper in papers:
        if paper not in PAPERS:
            raise PublicationError(f"unknown paper {paper!r} (choose from {', '.join(PAPERS)})")
    stale = [p for paper in papers for p in render_problems(params, paper, outputs(params, paper)["notebook"])]
    require_current(list(dict.fromkeys(stale)), "check-publication")
    patterns = check.build_identifier_patterns(read_identifiers(where.validated))
    problems, checked = [], []
    for paper in papers:
        p, c = check_paper(params, paper)
        problems += p
        checked += c
    public = public_folder(params)  # the staging folder: what is about to be published
    figures = read_true_figures(folders(params, paper)["restricted"] for paper in PAPERS)
    p, read = scan_public_files(public, patterns, figures, params.paths.root)
    problems += p
    checked += [r for r in read if r not in checked]
    if problems:
        withdrawn = refuse(params, papers, problems, checked)
        refused = shown_path(where.refused(params.period.slug), params.paths.root)
        note = f"; withdrawn from reports/: {', '.join(withdrawn)}" if withdrawn else ""
        raise PublicationError(f"the publication check failed; nothing was published (the candidates are in {refused}/"
                               f"{note}):\n  " + "\n  ".join(problems))
    publish(params, papers, checked)
    from pipeline.disclosure.publications import register_publication

    for paper in papers:  # the register: kept outside dvc's outputs, so it cannot be silently replaced
        register_publication(params, paper)
    print(f"publication check passed: {len(checked)} files for {params.period.label}, published to "
          f"{shown_path(where.reports(params.period.slug), params.paths.root)}/")
    return 0

