"""Check the period's public outputs before they leave the building.

    python -m pipeline check-publication [--papers quarterly sufficiency]

Fails (exit 4, saying why) unless, for each paper:
  - every published CSV has the tidy columns and no count of a protected table below the
    threshold; the tables.json manifest agrees with the CSVs;
  - the disclosure audit of the whole paper passed (restricted audit.json from `paper`);
  - every figure printed in the committee and reviewer HTML (each carries its figure id) is
    exactly the published figure, and narrative about a suppressed figure prints no number;
  - the PDF prints no number that the checked HTML does not print, and is tagged PDF/UA-1
    (headings, table header cells, alternate text on figures, title and language);
  - the spreadsheets (.ods, .xlsx) and the DfE-format open data hold exactly the published
    figures ([c] / c where the paper withholds one);
  - no CHILD id, date of birth, UPN or postcode from the validated data appears in any public
    file, nor the project's absolute path; the HTML loads no script, style or font from the
    network.
It checks the staged files (<processed>/staging/<period>/, written by `paper` and `render`)
and refuses (exit 5) files that were not built from the current data and parameters or that
`render` did not finish (pipeline.publish). Only when every check of every paper passed are
the files copied into reports/<period>/, with reports/<period>/publication_check.json (the
sha256 of each file published and what it was built from) written last. When any check fails
nothing is published: the candidates go to data/processed/restricted/<period>/refused/ with
publication_check.json (the reasons), and the papers published earlier for the period are
withdrawn (tables to the withdrawn editions, the rest to restricted/<period>/stale/).
"""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

import pandas as pd

from pipeline.config import Params
from pipeline.errors import PublicationError

PAPERS = ("quarterly", "sufficiency")
REMOTE = re.compile(r"""(<script[^>]+src\s*=\s*["']?(https?:)?//|<link[^>]+href\s*=\s*["']?(https?:)?//|"""
                    r"""@import\s+(url\()?["']?(https?:)?//|url\(\s*["']?(https?:)?//)""", re.I)
PATH_DATA = re.compile(r'\sd="[^"]*"')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--papers", nargs="*", default=list(PAPERS), help="papers to check (default: both)")


def find_remote_resources(html: str, where: str) -> list[str]:
    """Scripts, styles or fonts the HTML would fetch from the network."""
    hits = REMOTE.findall(html)
    return [f"{where}: loads {len(hits)} script(s), style(s) or font(s) from the network"] if hits else []


def read_identifiers(validated: Path) -> dict[str, list[str]]:
    """CHILD ids, dates of birth, UPNs and postcodes from the validated SSDA903 tables."""
    header, episodes = validated / "header.parquet", validated / "episodes.parquet"
    if not header.exists() or not episodes.exists():
        raise PublicationError(f"{validated}: no validated header/episodes to check identifiers against "
                               "(run: python -m pipeline validate)")
    h = pd.read_parquet(header)
    e = pd.read_parquet(episodes, columns=[c for c in ("HOME_POST", "PL_POST") if c in
                                           pd.read_parquet(episodes).columns])
    children = [str(c) for c in h["CHILD"].dropna().unique()]
    # Short numeric ids would match ordinary numbers (counts, years): only ids of 5 or more
    # characters, or with a letter, are looked for.
    children = [c for c in children if len(c) >= 5 or not c.isdigit()]
    dobs = [pd.Timestamp(d).strftime("%Y-%m-%d") for d in h["DOB"].dropna().unique()]
    upns = [str(u) for u in h["UPN"].dropna().unique() if len(str(u)) == 13] if "UPN" in h else []
    posts = sorted({str(p) for col in e.columns for p in e[col].dropna().unique() if len(str(p).strip()) >= 5})
    return {"CHILD id": children, "date of birth": dobs, "UPN": upns, "postcode": posts}


def pdf_text(path: Path) -> str:
    try:
        done = subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, check=True, text=True)
    except FileNotFoundError:
        raise PublicationError("pdftotext (poppler-utils) is needed to check the PDF: "
                               "run scripts/bootstrap-system.sh") from None
    except subprocess.CalledProcessError as exc:
        raise PublicationError(f"{path}: pdftotext cannot read the PDF ({exc.stderr.strip()})") from None
    return done.stdout


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

    from pipeline.disclosure.publications import audit_all_editions, changed_editions
    from pipeline.errors import DisclosureError

    recorded = restricted / "editions.json"
    changed = changed_editions(params, paper, json.loads(recorded.read_text(encoding="utf-8"))) \
        if recorded.exists() else ["(no record)"]
    try:
        from pipeline.publish import public_files

        problems = audit_all_editions(params, paper, public_files(params, paper)["tables"][0])
    except DisclosureError as exc:
        problems = [f"{paper}: the editions of the year cannot be audited together: {exc}"]
    if problems and changed:
        problems.append(f"{paper}: edition(s) {', '.join(changed)} changed since this paper was built; "
                        f"rebuild it (dvc repro -f paper_{paper}; if it was published, withdraw it first)")
    return problems


def check_paper(params: Params, paper: str, patterns: dict[str, set[str]]) -> tuple[list[str], list[str]]:
    """(problems, files checked) for one paper."""
    from pipeline.render import check
    from pipeline.render import io as rio
    from pipeline.render.cli import outputs
    from pipeline.render.cli_paper import folders
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
        text = csv.read_text(encoding="utf-8")
        problems += check.find_identifiers(text, patterns, rel(csv))
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
        problems += check.find_identifiers(PATH_DATA.sub(" ", html), patterns, rel(path))
        problems += check.find_absolute_paths(html, root, rel(path))
        problems += find_remote_resources(html, rel(path))
        if key == "html":
            html_text = visible_text(html)
    if files["pdf"].exists():
        checked.append(rel(files["pdf"]))
        text = pdf_text(files["pdf"])
        problems += check.find_identifiers(text, patterns, rel(files["pdf"]))
        problems += check.find_absolute_paths(text, root, rel(files["pdf"]))
        problems += [f"{rel(files['pdf'])}: {p}" for p in check.find_unlabelled_numbers(text, html_text)]
        problems += find_accessibility_gaps(files["pdf"].read_bytes(), rel(files["pdf"]))
    else:
        problems.append(f"{paper}: {files['pdf'].name} is missing (run: python -m pipeline render)")
    p, c = check_downloads(where, published, patterns, rel)
    return [*problems, *p], [*checked, *c]


def check_downloads(where: dict, published, patterns: dict[str, set[str]], rel) -> tuple[list[str], list[str]]:
    """(problems, files checked) for a paper's spreadsheets and open data: each figure the
    published one (withheld where the paper withholds it), and no identifier in any text."""
    from pipeline.render import check
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
        text = "\n".join(str(v) for rows in sheets.values() for row in rows for v in row if v is not None)
        problems += check.find_identifiers(text, patterns, rel(path))
    folder = where["open_data"]
    files = rio.read_open_data(folder) if folder.is_dir() else {}
    checked += [rel(folder / name) for name in files]
    problems += find_open_data_problems(files, published, rel(folder))
    for name in files:
        problems += check.find_identifiers((folder / name).read_text(encoding="utf-8"), patterns, rel(folder / name))
    return problems, checked


def run(args: argparse.Namespace, params: Params) -> int:
    from pipeline.freshness import require_current
    from pipeline.publish import publish, refuse, render_problems
    from pipeline.render import check

    papers = list(dict.fromkeys(args.papers))
    for paper in papers:
        if paper not in PAPERS:
            raise PublicationError(f"unknown paper {paper!r} (choose from {', '.join(PAPERS)})")
    stale = [p for paper in papers for p in render_problems(params, paper, outputs_of(params, paper)["notebook"])]
    require_current(list(dict.fromkeys(stale)), "check-publication")
    patterns = check.build_identifier_patterns(read_identifiers(params.paths.processed / "validated"))
    problems, checked = [], []
    for paper in papers:
        p, c = check_paper(params, paper, patterns)
        problems += p
        checked += c
    if problems:
        withdrawn = refuse(params, papers, problems, checked)
        where = shown_path(params.paths.restricted_dir(params.period.slug) / "refused", params.paths.root)
        note = f"; withdrawn from reports/: {', '.join(withdrawn)}" if withdrawn else ""
        raise PublicationError(f"the publication check failed; nothing was published (the candidates are in {where}/"
                               f"{note}):\n  " + "\n  ".join(problems))
    publish(params, papers, checked)
    print(f"publication check passed: {len(checked)} files for {params.period.label}, published to "
          f"{shown_path(params.paths.report_dir(params.period.slug), params.paths.root)}/")
    return 0


def outputs_of(params: Params, paper: str) -> dict[str, Path]:
    from pipeline.render.cli import outputs

    return outputs(params, paper)
