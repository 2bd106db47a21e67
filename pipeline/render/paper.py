"""The paper stage: build a paper's tables, protect them, write the published (staged) and
restricted tables and run the paper's notebook with papermill. What it reads, writes and
refuses (the command's help): pipeline/commands/paper.py.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from pipeline.config import Params
from pipeline.errors import DisclosureError, PipelineError
from pipeline.render.locations import folders
from pipeline.store import Layout, read_facts

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


def refuse_uncovered(folder: Path, params: Params, paper: str) -> None:
    """Raise the paper's own refusal (InputError) when no return covers its period or year,
    reading the coverage from the fact tables there are (pipeline.coverage); nothing otherwise."""
    from pipeline.coverage import check_quarter, read_coverage

    try:
        facts = {f.stem: pd.read_parquet(f) for f in sorted(folder.glob("coverage*.parquet"))}
        cov = read_coverage(facts)
    except Exception:  # no usable coverage: the freshness refusal says what to run
        return
    if paper == "quarterly":
        reason = check_quarter(cov, params.period)
        if reason:
            raise PipelineError(f"{params.period.label}: the quarterly paper is not produced: {reason}; "
                                "add the in-year extract for the quarter, or choose a period the returns cover")
    else:
        from pipeline.papers.sufficiency import refuse_uncovered_year

        refuse_uncovered_year(cov, params.sufficiency_year)


def read_warnings(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None


def rule_descriptions() -> dict[str, str]:
    """Each validation rule's description, by rule id (for the data-quality note)."""
    from pipeline.validate.rules import RULES

    return {rule_id: rule.description for rule_id, rule in RULES.items()}


def earlier_table_folders(params: Params, paper: str) -> list[Path]:
    """Published table folders of this paper for periods before the configured one (for the
    quarterly paper, earlier quarters of the same financial year: its columns are Q1-Q4)."""
    from pipeline.periods import PeriodError, parse_quarter

    out = []
    reports = params.paths.reports
    for d in sorted(reports.glob(f"*/tables/{paper}")) if reports.exists() else []:
        try:
            q = parse_quarter(d.parent.parent.name)
        except PeriodError:
            continue
        if q < params.period and (paper != "quarterly" or q.year == params.period.year):
            out.append(d)
    return out


def relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def run_paper(params: Params, paper_name: str, *, params_file: str | Path, overrides: list[str],
              facts_dir: Path | None = None, notebook: bool = True) -> int:
    """Build, protect and stage `paper_name` ("quarterly" or "sufficiency") from the fact tables
    (`facts_dir`, default <processed>/facts, which must be current) and run its notebook (unless
    `notebook` is False) with the parameters file and overrides the stage was given."""
    from pipeline.freshness import chain_problems, require_current
    from pipeline.papers.assemble import (
        PAPER_KINDS,
        add_tables,
        build_accepted_table,
        build_dq_table,
        resolve_builder,
        restrict_published_before,
        select_comparable_figures,
    )
    from pipeline.publish import paper_record_path, remove_path, write_paper_record
    from pipeline.render import io as rio
    from pipeline.render.check import find_small_counts
    from pipeline.render.metrics import build_metrics, build_trend
    from pipeline.render.protection import read_protection
    from pipeline.render.published import publish_paper
    from pipeline.render.writers import build_true_values, collect_published_before

    kind = PAPER_KINDS[paper_name]
    where = folders(params, paper_name)
    if facts_dir is not None:
        where["facts"] = facts_dir
    else:
        stale = chain_problems(params)
        if stale:
            refuse_uncovered(where["facts"], params, paper_name)  # the more useful reason first
        require_current(stale, f"paper {paper_name}")
    # this paper's earlier staged files and record go first: a run that fails leaves none
    paper_record_path(params, paper_name).unlink(missing_ok=True)
    for stale in (where["tables"], where["spreadsheet"], where["spreadsheet"].with_suffix(".xlsx"), where["open_data"]):
        remove_path(stale)
    facts = read_facts(where["facts"])
    builder = resolve_builder(kind)  # a builder that fails to import is a defect: it fails loudly (exit 70)
    paper = builder(facts, params)
    extra = [build_dq_table(read_warnings(where["warnings"]), rule_descriptions()),
             build_accepted_table(read_warnings(where["accepted"]), rule_descriptions())]
    if paper_name == "quarterly":
        extra.append(build_candidates(facts, params))
    paper = add_tables(paper, extra)
    if paper_name == "sufficiency":
        paper = add_comparators(paper, facts, params)
    known = collect_published_before(rio.read_tidy_csvs(earlier_table_folders(params, paper_name)),
                                     params.disclosure.symbol)
    paper = restrict_published_before(paper, select_comparable_figures(paper_name, known))
    revisions = None
    if paper_name == "quarterly":
        # after restrict_published_before, which replaces published_before: the revisions
        # table declares the earlier values it shows, and drops those of revised figures
        from pipeline.papers.revisions import revise_paper

        paper, revisions = revise_paper(paper, facts, params, builder)
        paper = add_earlier_editions(paper, params)

    from pipeline.disclosure import protect_paper
    from pipeline.disclosure.editions import identities_json
    from pipeline.disclosure.identities import derive_identities, identities_frame
    from pipeline.disclosure.protect import information_loss
    from pipeline.disclosure.publications import (
        load_editions,
        published_hidden,
        refuse_republishing,
    )
    from pipeline.papers.assemble import COMPARABLE_COLUMNS
    from pipeline.render.writers import build_published_csvs

    refuse_republishing(params, paper_name)
    search_limits: list[str] = []
    identities = derive_identities(paper, facts, search_limits)
    editions, edition_hashes = load_editions(params, paper_name)
    equations = [i.equation() for i in identities]
    protected = protect_paper(paper, params.disclosure, identities=equations, editions=editions,
                              comparable=COMPARABLE_COLUMNS[paper_name], period=params.period.slug,
                              keep=published_hidden(params, paper_name))
    protection = read_protection(paper, protected, params.disclosure.symbol)
    published = publish_paper(paper, protection.suppressed, params.disclosure.symbol, params.disclosure.threshold)
    if protection.audit_passed:  # before anything is written: an edition already out is not replaced
        refuse_republishing(params, paper_name, build_published_csvs(published))
    restricted = where["restricted"]
    rio.write_csv(restricted / "identities.csv", identities_frame(identities))
    rio.write_json(restricted / "identities.json", identities_json(equations))
    rio.write_json(restricted / "editions.json", edition_hashes)
    loss = {"information_loss": information_loss(protected), "identities": len(identities),
            "editions": sorted(edition_hashes), "information_loss_table_layout_only": layout_only_loss(paper, params),
            "identity_search_limits": search_limits}
    rio.write_json(restricted / "audit.json", {"paper": paper_name, "period": params.period.label,
                                               **protection.summary(), **loss})
    if not protection.audit_passed:
        raise DisclosureError(
            f"the disclosure audit of the {paper_name} paper found exposed cells: {', '.join(protection.exposed)}; "
            "nothing was published")
    small = find_small_counts(published, zero_shown=params.disclosure.zero == "show")
    if small:
        raise DisclosureError("published counts below the threshold: " + "; ".join(small[:10]))

    meta = paper_metadata(params, paper_name)
    rio.write_published(where["tables"], published, meta)
    rio.write_downloads(where["spreadsheet"], where["open_data"], published, meta)
    rio.write_csv(restricted / "true_values.csv", build_true_values(paper))
    if paper_name == "quarterly":
        # per-worker caseloads name staff: a management table, never public
        from pipeline.papers.quarterly import build_worker_caseloads

        rio.write_csv(restricted / "caseloads_by_worker.csv", build_worker_caseloads(facts, params.period))
    rio.write_csv(restricted / "suppression_log.csv", protection.log)
    if revisions is not None:
        rio.write_csv(restricted / "revisions_reasons.csv", revisions.reasons)
    record_lineage(paper, published, facts, params, kind, where, revisions)
    rio.write_json(where["metrics"], build_metrics(paper_name, published, params))
    rio.write_csv(where["trend"], build_trend(paper_name, published, params))
    print(f"{paper_name}: {len(published.tables)} tables published to {relative(where['tables'], params.paths.root)}/ "
          f"({protection.summary()['suppressed_cells']} figures suppressed; audit passed)")
    out = restricted / f"{kind.notebook}.ipynb"
    out.unlink(missing_ok=True)
    if notebook:
        parameters = notebook_parameters(params, params_file, overrides, where["tables"])
        execute_notebook(NOTEBOOKS / f"{kind.notebook}.py", out, parameters, params.paths.root, meta)
        print(f"{paper_name}: notebook executed to {relative(out, params.paths.root)}")
    write_paper_record(params, paper_name, out if out.exists() else None)
    return 0


def layout_only_loss(paper, params: Params) -> dict | None:
    """The information loss of protection told only the table layout (for comparison in the
    restricted audit; None when that weaker protection is not possible)."""
    from pipeline.disclosure import protect_paper
    from pipeline.disclosure.protect import information_loss

    try:
        return information_loss(protect_paper(paper, params.disclosure))
    except DisclosureError:
        return None


def record_lineage(paper, published_paper, facts: dict, params: Params, kind, where: dict, revisions) -> Path:
    """Write the paper's lineage store (restricted) with the string published for each figure
    (as in the tidy CSVs: the value, or the suppression symbol)."""
    from pipeline.lineage.store import record_paper_lineage
    from pipeline.render.writers import build_published_csvs

    published = {f"{t}|{r}|{c}": str(v) for frame in build_published_csvs(published_paper).values()
                 for t, r, c, v in frame[["table_id", "row", "column", "value"]].itertuples(index=False)}
    return record_paper_lineage(paper, facts, params, kind.builder.replace(":", "."), published=published,
                                sources=revisions.sources if revisions is not None else None,
                                facts_dir=where["facts"])


def add_earlier_editions(paper, params: Params):
    """The quarterly paper with the figures earlier years' papers printed for the quarters of its
    eight-quarter trend, as figures published before (disclosure control must not hide in the
    trend what an earlier paper showed, nor show what would undo an earlier paper's hiding)."""
    from dataclasses import replace

    from pipeline.papers.trends import map_earlier_editions
    from pipeline.periods import PeriodError, parse_quarter
    from pipeline.render import io as rio
    from pipeline.render.writers import collect_published_before

    known = {}
    reports = params.paths.reports
    for folder in sorted(reports.glob("*/tables/quarterly")) if reports.exists() else []:
        try:
            edition = parse_quarter(folder.parent.parent.name)
        except PeriodError:
            continue
        if edition < params.period:
            known[edition.slug] = collect_published_before(rio.read_tidy_csvs([folder]), params.disclosure.symbol)
    cells = {c.id for t in paper.tables for c in t.cells()}
    earlier = {k: v for k, v in map_earlier_editions(known, params.period).items() if k in cells}
    return replace(paper, published_before={**paper.published_before, **earlier}) if earlier else paper


def add_comparators(paper, facts: dict, params: Params):
    """The sufficiency paper with its comparisons with England, the region and the statistical
    neighbours, from the DfE's published files in <raw>/published/ (unchanged when absent)."""
    from pipeline.comparators.read import read_published
    from pipeline.papers.comparators import add_comparators as add

    return add(paper, read_published(Layout(params.paths).dfe_published), facts, params)


def build_candidates(facts: dict, params: Params):
    """The candidates table for the quarterly paper, when the processing stage built the
    ``candidates`` fact table."""
    if "candidates" not in facts:
        return None
    from pipeline.papers.candidates import build_candidates_table

    return build_candidates_table(facts["candidates"], params)


def paper_metadata(params: Params, paper: str) -> dict:
    """The paper's front-sheet details, from params.yaml."""
    from datetime import date

    from pipeline.papers.assemble import PAPER_KINDS

    meeting = date.fromisoformat(str(params.paper.meeting_date))
    title = PAPER_KINDS[paper].title.format(period=params.period.label, year=params.sufficiency_year.label)
    author = params.paper.author if paper == "quarterly" else params.paper.sufficiency_author
    return {
        "title": title,
        "la_name": params.la.name,
        "la_code": params.la.code,
        "new_la_code": params.la.new_la_code,
        "region_code": params.la.region_code,
        "region_name": params.la.region_name,
        "committee": params.paper.committee,
        "meeting_date": meeting.isoformat(),
        "meeting_date_text": f"{meeting.day} {meeting:%B %Y}",
        "item": params.paper.item if paper == "quarterly" else params.paper.item + 1,
        "sponsor": params.paper.sponsor,
        "author": author,
        "period": params.period.label,
        "sufficiency_year": params.sufficiency_year.label,
        "classification": "Public",
        "document_date": f"{meeting.isoformat()}T00:00:00Z",
        "footer": f"{params.la.name} · {params.paper.committee} · {meeting.day} {meeting:%B %Y}",
    }


def notebook_parameters(params: Params, params_file: str | Path, overrides: list[str], tables: Path) -> dict:
    """What papermill injects: params.yaml relative to the project, every `--set` override the
    stage ran with (a regional authority's name and code among them) except `paths.*`, which the
    notebook does not use and which would put local folders in the paper, and the tables folder."""
    root = params.paths.root
    params_file = Path(params_file)
    return {
        "params_file": relative(params_file if params_file.is_absolute() else params_file.resolve(), root),
        "overrides": [o for o in overrides if not o.split("=", 1)[0].strip().startswith("paths.")],
        "period": params.period.label,
        "la_code": params.la.code,
        "threshold": params.disclosure.threshold,
        "tables_dir": relative(tables, root),
    }


def execute_notebook(source: Path, out: Path, parameters: dict, root: Path, meta: dict) -> None:
    """Run the jupytext notebook with papermill (kernel python3, working directory the project
    root, relative paths only) and store it without volatile metadata."""
    import jupytext
    import nbformat
    import papermill

    from pipeline.render.convert import strip_volatile_metadata
    from pipeline.render.kernel import IPCKernelManager

    env_path = str(Path(sys.executable).parent)
    os.environ["PATH"] = env_path + os.pathsep + os.environ.get("PATH", "")
    os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
    nb = jupytext.read(source)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{source.stem}.ipynb"
        nbformat.write(nb, src)
        try:
            papermill.execute_notebook(str(src), str(out), parameters=parameters, kernel_name="python3",
                                       progress_bar=False, cwd=str(root), log_output=False,
                                       kernel_manager_class=IPCKernelManager,
                                       # one save at the end, not after each of ~120 cells (~3 s a paper)
                                       request_save_on_cell_execute=False)
        except papermill.PapermillExecutionError as exc:
            raise PipelineError(f"{source.name} failed in cell {exc.cell_index}: {exc.ename}: {exc.evalue} "
                                f"(the executed notebook is {relative(out, root)})") from None
    executed = nbformat.read(out, as_version=4)
    executed = strip_volatile_metadata(executed)
    executed.metadata["title"] = meta["title"]
    executed.metadata["committee_paper"] = {**meta, "parameters_text": ", ".join(
        f"{k}={v!r}" for k, v in parameters.items())}
    nbformat.write(executed, out)
