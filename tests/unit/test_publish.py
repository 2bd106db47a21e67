"""All-or-nothing publication and stale papers (issue 17), on a small hand-made project: raw
files, the manifests the stages write, staged papers. No stage is run: each test changes one
thing and checks what `where`, the stages' freshness checks and publishing make of it."""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline import cli
from pipeline.config import load_params
from pipeline.freshness import fingerprint_facts_inputs, sha256_file
from pipeline.publish import (
    PAPER_PARAMS,
    PAPERS,
    paper_problems,
    public_files,
    publish,
    published_problems,
    refuse,
    render_problems,
    render_record_path,
    select_identifying,
    withdraw_if_stale,
    write_paper_record,
    write_render_record,
)

ROOT = Path(__file__).resolve().parents[2]
RAW = {"local/staffing.csv": "POST_ID,TEAM\nP1,EXIT\n", "ssda903/2024-25/header.csv": "CHILD\nC1\n"}


def notebook_of(params, paper: str) -> Path:
    from pipeline.render.locations import outputs

    return outputs(params, paper)["notebook"]


def build(root: Path, overrides: list[str] | None = None):
    """A project whose every stage output matches its inputs, both papers staged and rendered."""
    params = load_params(root / "params.yaml", overrides or [])
    for rel, text in RAW.items():
        (params.paths.raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (params.paths.raw / rel).write_text(text)
    validated = params.paths.processed / "validated"
    validated.mkdir(parents=True)
    (validated / "manifest.json").write_text(json.dumps({"raw": str(params.paths.raw), "files": [
        {"SOURCE_FILE": rel, "sha256": sha256_file(params.paths.raw / rel)} for rel in sorted(RAW)]}))
    facts = params.paths.processed / "facts"
    facts.mkdir(parents=True)
    (facts / "manifest.json").write_text(json.dumps(fingerprint_facts_inputs(validated, params)))
    for paper in PAPERS:
        files = public_files(params, paper)
        (files["tables"][0]).mkdir(parents=True)
        (files["tables"][0] / "T1.csv").write_text(f"table_id,row,column,value\nT1,A,B,{len(paper)}\n")
        (files["tables"][0] / "tables.json").write_text("{}")
        files["open_data"][0].mkdir(parents=True)
        (files["open_data"][0] / "t1.csv").write_text("time_period,geographic_level\n202627,Local authority\n")
        for key in ("ods", "xlsx"):
            files[key][0].write_text(f"{paper} {key}")
        notebook = notebook_of(params, paper)
        notebook.parent.mkdir(parents=True, exist_ok=True)
        notebook.write_text(f"executed {paper}")
        write_paper_record(params, paper, notebook)
        for key in ("html", "pdf", "reviewer"):
            files[key][0].write_text(f"{paper} {key} v1")
        write_render_record(params, paper, notebook)
    return params


@pytest.fixture
def project(tmp_path):
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    return build(tmp_path)


@pytest.fixture
def published(project):
    publish(project, list(PAPERS), ["checked"])
    return project


def where(params, capsys) -> tuple[int, str]:
    code = cli.main(["--params", str(params.paths.root / "params.yaml"), "where"])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out + out.err


def report(params) -> Path:
    return params.paths.report_dir(params.period.slug)


# --- the chain is current ---------------------------------------------------------------------


def test_a_current_chain_has_nothing_to_say(project):
    for paper in PAPERS:
        assert render_problems(project, paper, notebook_of(project, paper)) == []


def test_publish_copies_every_staged_file_and_records_it(published, capsys):
    out = report(published)
    assert (out / "quarterly_exit_report.pdf").read_text() == "quarterly pdf v1"
    assert (out / "tables" / "sufficiency" / "T1.csv").exists() and (out / "open_data" / "quarterly" / "t1.csv").exists()
    record = json.loads((out / "publication_check.json").read_text())
    assert record["passed"] and sorted(record["papers"]) == ["quarterly", "sufficiency"]
    assert record["papers"]["quarterly"]["files"]["quarterly_exit_report.html"] == sha256_file(
        out / "quarterly_exit_report.html")
    assert not list(out.rglob(".*"))  # no temporary file left behind
    assert published_problems(published) == (["quarterly", "sufficiency"], {})
    code, text = where(published, capsys)
    assert code == 0 and "reports/2026-27-Q2/quarterly_exit_report.pdf" in text


def test_where_after_a_publication_interrupted_between_its_renames(published, capsys):
    out = report(published)
    out.rename(out.with_name(f".{out.name}.old"))
    code, text = where(published, capsys)
    assert code == 1 and "a publication was interrupted between its two renames" in text


def test_where_without_papers_exits_1(project, capsys):
    code, text = where(project, capsys)
    assert code == 1 and "No papers yet in reports/2026-27-Q2/" in text


# --- the papers no longer match their inputs ---------------------------------------------------


@pytest.mark.parametrize("change, expected", [
    (lambda p: (p.paths.raw / "local/staffing.csv").write_text("POST_ID,TEAM\nP1,EXIT\nP2,EXIT\n"),
     "raw file local/staffing.csv changed since validation"),
    (lambda p: (p.paths.raw / "local/unit_costs.CSV").write_text("A\n1\n"), "raw file local/unit_costs.CSV is new"),
    (lambda p: (p.paths.raw / "ssda903/2024-25/header.csv").unlink(), "raw file ssda903/2024-25/header.csv is gone"),
    (lambda p: (p.paths.raw / "ssda903/episodes.csv").write_text("CHILD\n"), "raw file ssda903/episodes.csv is new"),
    (lambda p: (p.paths.processed / "validated" / "manifest.json").unlink(),
     "there are no validated data: validation has not run"),
    (lambda p: ((p.paths.processed / "validation").mkdir(),
                (p.paths.processed / "validation" / "summary.json").write_text('{"status": "refused"}'),
                (p.paths.processed / "validated" / "manifest.json").unlink()), "validation refused the raw data"),
    (lambda p: (p.paths.processed / "facts" / "manifest.json").write_text("{}"),
     "the fact tables were built from other validated data"),
    (lambda p: (report(p) / "quarterly_exit_report.html").write_text("edited by hand"),
     "quarterly: published file quarterly_exit_report.html changed since publication"),
    (lambda p: (report(p) / "tables" / "quarterly" / "T1.csv").unlink(),
     "quarterly: published file tables/quarterly/T1.csv is gone since publication"),
    (lambda p: (report(p) / "publication_check.json").unlink(), "is missing or did not pass"),
])
def test_where_says_out_of_date_and_why(published, capsys, change, expected):
    change(published)
    code, text = where(published, capsys)
    assert code == 5, text
    assert "OUT OF DATE" in text and expected in text
    assert (report(published) / "sufficiency_analysis.pdf").exists()  # `where` itself withdraws nothing


def test_a_changed_parameter_makes_only_its_papers_stale(published, capsys):
    root = published.paths.root
    data = yaml.safe_load((root / "params.yaml").read_text())
    data["targets"]["exit_team_exits"] += 1  # the quarterly paper's parameter only
    (root / "params.yaml").write_text(yaml.safe_dump(data))
    params = load_params(root / "params.yaml")
    _, stale = published_problems(params)
    assert stale == {"quarterly": ["quarterly: params.yaml has changed since publication"]}
    moved = withdraw_if_stale(params)
    assert "quarterly_exit_report.pdf" in moved and not any("sufficiency" in m for m in moved)
    code, text = where(params, capsys)
    # the sufficiency paper is current and listed; the quarterly one is gone, and `where` says so
    assert code == 1 and "sufficiency_analysis.pdf" in text and "quarterly_exit_report" not in text
    assert "The quarterly paper was taken down and is not in reports/2026-27-Q2/: " in text
    assert "params.yaml has changed since publication" in text


def test_a_failed_stage_withdraws_stale_papers_with_the_reason(published, capsys):
    (published.paths.raw / "local/staffing.csv").write_text("POST_ID,TEAM\nP9,EXIT\n")
    code = cli.main(["--params", str(published.paths.root / "params.yaml"), "paper", "quarterly"])
    err = capsys.readouterr().err
    assert code == 5 and "Traceback" not in err
    assert "paper quarterly refused: its input does not match the current data: raw file local/staffing.csv changed" in err
    assert not (report(published) / "quarterly_exit_report.pdf").exists()
    assert not (report(published) / "publication_check.json").exists()
    stale = published.paths.restricted_dir(published.period.slug) / "stale"
    assert (stale / "sufficiency_analysis.pdf").read_text() == "sufficiency pdf v1"
    assert "local/staffing.csv changed" in json.loads((stale / "reason.json").read_text())["reason"]
    # taken down, not withdrawn: the register keeps the tables (readers may hold them, later editions
    # are audited against them, and re-publishing differently is refused until `withdraw`)
    assert (report(published) / "published" / "quarterly" / "T1.csv").exists()
    assert not (report(published) / "tables" / "quarterly").exists()
    assert not (report(published) / "withdrawn").exists()
    code, text = where(published, capsys)
    assert code == 1 and ("papers were withdrawn: a failed run for 2026-27 Q2 found these papers out of date: "
                          "raw file local/staffing.csv changed") in text


# --- a failed run with --set (issue 17): its period's papers and params.yaml's are checked -------


def run(params, capsys, *argv) -> tuple[int, str]:
    code = cli.main(["--params", str(params.paths.root / "params.yaml"), *argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def rebuild_facts_for(params, overrides):
    """What a successful `python -m pipeline --set ... process` leaves: facts for other parameters."""
    other = load_params(params.paths.root / "params.yaml", overrides)
    (params.paths.processed / "facts" / "manifest.json").write_text(
        json.dumps(fingerprint_facts_inputs(params.paths.processed / "validated", other)))


def test_a_failed_set_run_takes_down_the_papers_it_left_stale(published, capsys):
    rebuild_facts_for(published, ["period=2026-27 Q3"])
    code, err = run(published, capsys, "--set", "period=2026-27 Q3", "paper", "quarterly")
    assert code == 2 and "no fact tables" in err, err  # the run fails (here: no fact tables)
    assert f"the papers in {report(published)}/ no longer match the inputs; taken down to" in err
    assert not (report(published) / "quarterly_exit_report.pdf").exists()
    assert not (report(published) / "sufficiency_analysis.html").exists()
    code, text = where(published, capsys)
    assert code == 1
    assert ("papers were withdrawn: a failed run for 2026-27 Q3 with --set period=2026-27 Q3 found these papers "
            "out of date: the fact tables were built with other parameters") in text


def test_a_failed_set_run_takes_down_the_stale_papers_of_the_period_it_was_for(tmp_path, capsys):
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    q3 = build(tmp_path, ["period=2026-27 Q3"])  # Q3's papers published when the chain was Q3's
    publish(q3, list(PAPERS), ["checked"])
    rebuild_facts_for(q3, [])  # since then the fact tables were rebuilt for params.yaml's period
    code, err = run(q3, capsys, "--set", "period=2026-27 Q3", "paper", "quarterly")
    assert code == 5 and "paper quarterly refused" in err
    assert not report(q3).joinpath("quarterly_exit_report.pdf").exists()
    assert not report(q3).joinpath("sufficiency_analysis.pdf").exists()
    code = cli.main(["--params", str(tmp_path / "params.yaml"), "--set", "period=2026-27 Q3", "where"])
    text = capsys.readouterr().out
    assert code == 1 and ("papers were withdrawn: a failed run for 2026-27 Q3 with --set period=2026-27 Q3 found "
                          "these papers out of date: the fact tables were built with other parameters") in text


def test_a_failed_one_off_variation_leaves_the_current_papers(published, capsys):
    # a run with another target (or sufficiency year, or threshold) failed: the published papers are
    # still those of params.yaml and of the data on disk, as `where` says
    code, _ = run(published, capsys, "--set", "targets.exit_team_exits=99", "paper", "quarterly")
    assert code != 0
    assert (report(published) / "quarterly_exit_report.html").exists()
    assert where(published, capsys)[0] == 0


def test_which_overrides_choose_the_papers():
    assert select_identifying(["period=2026-27 Q3", "targets.adoptions=3", "paths.reports=/x", "period_slug=a",
                               "paper.committee=C"]) == ["period=2026-27 Q3", "paths.reports=/x", "period_slug=a"]


def test_a_failed_set_run_that_leaves_the_papers_current_takes_nothing_down(published, capsys):
    code, err = run(published, capsys, "--set", "period=2026-27 Q3", "paper", "quarterly")
    assert code == 5 and "taken down" not in err  # Q3 has no papers; Q2's facts were not touched
    assert where(published, capsys)[0] == 0


def test_a_take_down_leaves_the_editions_register_alone(published):
    register = report(published) / "published" / "quarterly"
    shutil.copytree(report(published) / "tables" / "quarterly", register)  # what the passed check registered
    (published.paths.raw / "local/staffing.csv").write_text("POST_ID,TEAM\nP9,EXIT\n")
    moved = withdraw_if_stale(published)
    assert "tables/quarterly" in moved and "quarterly_exit_report.pdf" in moved
    assert sorted(p.name for p in register.iterdir()) == ["T1.csv", "tables.json"]  # still registered
    assert not (report(published) / "withdrawn").exists()  # not the analyst's withdraw


# --- each stage refuses outputs of an earlier run --------------------------------------------


@pytest.mark.parametrize("command", [["process"], ["measures"], ["candidates"], ["paper", "quarterly"],
                                     ["paper", "sufficiency"], ["render"], ["check-publication"]])
def test_every_stage_refuses_when_validation_refused_new_data(project, capsys, command):
    (project.paths.raw / "local/staffing.csv").write_text("POST_ID,TEAM\nP1,EXIT\nbroken\n")
    (project.paths.processed / "validated" / "manifest.json").unlink()  # what a refused validation leaves
    code = cli.main(["--params", str(project.paths.root / "params.yaml"), *command])
    err = capsys.readouterr().err
    assert code == 5, err
    assert "there are no validated data: validation has not run" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_paper_tables_edited_after_paper_are_refused(project):
    (public_files(project, "quarterly")["tables"][0] / "T1.csv").write_text("table_id,row,column,value\nT1,A,B,1\n")
    assert paper_problems(project, "quarterly") == [
        "staged file tables/quarterly/T1.csv changed since `paper quarterly` wrote it"]


def test_a_render_killed_half_way_is_refused(project):
    render_record_path(project, "quarterly").unlink()  # render writes its record last
    (public_files(project, "quarterly")["pdf"][0]).write_text("half a PDF")
    problems = render_problems(project, "quarterly", notebook_of(project, "quarterly"))
    assert problems == ["the quarterly paper has not been rendered completely (run: python -m pipeline render quarterly)"]


def test_a_mixed_html_pdf_pair_is_refused(project):
    (public_files(project, "sufficiency")["html"][0]).write_text("sufficiency html v2")
    assert render_problems(project, "sufficiency", notebook_of(project, "sufficiency")) == [
        "staged file sufficiency_analysis.html changed since it was rendered (run: python -m pipeline render sufficiency)"]


def test_a_notebook_executed_again_after_render_is_refused(project):
    notebook_of(project, "quarterly").write_text("executed again")
    problems = render_problems(project, "quarterly", notebook_of(project, "quarterly"))
    assert any("is not the notebook `paper quarterly` executed" in p for p in problems)
    assert any("rendered from another notebook" in p for p in problems)


# --- a failed publication check ------------------------------------------------------------


def test_a_failed_check_publishes_nothing_and_keeps_the_candidates_restricted(published):
    (public_files(published, "quarterly")["html"][0]).write_text("a disclosive paper")
    withdrawn = refuse(published, ["quarterly"], ["quarterly: CHILD id found in quarterly_exit_report.html"], ["x"])
    out, restricted = report(published), published.paths.restricted_dir(published.period.slug)
    assert not (out / "quarterly_exit_report.html").exists() and not (out / "tables" / "quarterly").exists()
    assert (restricted / "refused" / "quarterly_exit_report.html").read_text() == "a disclosive paper"
    record = json.loads((restricted / "refused" / "publication_check.json").read_text())
    assert record["passed"] is False and record["problems"] == ["quarterly: CHILD id found in quarterly_exit_report.html"]
    assert "quarterly_exit_report.html" in withdrawn
    assert (restricted / "stale" / "quarterly_exit_report.html").read_text() == "quarterly html v1"
    assert (out / "published" / "quarterly" / "tables.json").exists()  # taken down, still registered
    # the other paper is still published and described by the record
    assert sorted(json.loads((out / "publication_check.json").read_text())["papers"]) == ["sufficiency"]


def test_a_failed_check_after_dvc_removed_the_papers_still_says_why(published, capsys):
    for paper in PAPERS:  # `dvc repro` deletes check_publication's outs before the check runs
        for _, public in public_files(published, paper).values():
            shutil.rmtree(public) if public.is_dir() else public.unlink()
    (report(published) / "publication_check.json").unlink()
    assert refuse(published, ["quarterly"], ["quarterly: CHILD id found"], ["x"]) == []
    code, text = where(published, capsys)
    assert code == 1 and "papers were withdrawn: the publication check of the new papers failed: see" in text


def test_publishing_one_paper_keeps_the_other_in_the_record(published):
    (public_files(published, "quarterly")["html"][0]).write_text("quarterly html v2")
    publish(published, ["quarterly"], ["q"])
    record = json.loads((report(published) / "publication_check.json").read_text())
    assert sorted(record["papers"]) == ["quarterly", "sufficiency"]
    assert (report(published) / "quarterly_exit_report.html").read_text() == "quarterly html v2"


def test_publish_swaps_the_whole_folder_and_keeps_other_files(published):
    out = report(published)
    (out / "notes.txt").write_text("kept")
    (public_files(published, "sufficiency")["pdf"][0]).write_text("sufficiency pdf v2")
    publish(published, ["sufficiency"], ["s"])
    assert (out / "notes.txt").read_text() == "kept"
    assert (out / "sufficiency_analysis.pdf").read_text() == "sufficiency pdf v2"
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no .incoming / .old left


# --- no traceback, documented exit codes ------------------------------------------------------


@pytest.mark.parametrize("err, expected", [
    (OSError(errno.ENOSPC, "No space left on device", "/data/reports/x.pdf"),
     "/data/reports/x.pdf: the disk is full: free some space and rerun"),
    (PermissionError(errno.EACCES, "Permission denied", "/data/raw/local"),
     "/data/raw/local: permission denied: check the folder's owner and permissions"),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "data/raw/link.csv"),
     "data/raw/link.csv: no such file or folder (a dangling symbolic link?)"),
    (OSError(errno.EROFS, "Read-only file system", "/mnt/ro"), "/mnt/ro: the file system is read-only"),
])
def test_os_errors_are_one_line_naming_the_path_exit_6(project, capsys, monkeypatch, err, expected):
    import pipeline.commands.where

    def fail(args, params):
        raise err

    monkeypatch.setattr(pipeline.commands.where, "run", fail)
    code = cli.main(["--params", str(project.paths.root / "params.yaml"), "where"])
    assert code == 6
    assert capsys.readouterr().err == f"error: {expected}\n"


def test_an_unexpected_error_is_one_line_exit_70(project, capsys, monkeypatch):
    import pipeline.commands.where

    monkeypatch.setattr(pipeline.commands.where, "run", lambda args, params: {}["missing"])
    code = cli.main(["--params", str(project.paths.root / "params.yaml"), "where"])
    err = capsys.readouterr().err
    assert code == 70 and err.startswith("error: internal error in `where`: KeyError: 'missing'")
    assert len(err.strip().splitlines()) == 1


def test_an_unreadable_raw_file_is_a_failure_not_a_traceback(tmp_path, monkeypatch):
    from pipeline.readers import discover_raw_files, read_raw_file

    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "staffing.csv").write_text("POST_ID\nP1\n")
    found, _, _ = discover_raw_files(tmp_path)

    def denied(self):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    result = read_raw_file(found[0])
    assert result.frame is None
    assert [(f["rule"], f["message"]) for f in result.failures] == [
        ("FILE_UNREADABLE", "local/staffing.csv cannot be read as CSV: Permission denied")]


def test_paper_params_are_the_paper_stages_params_in_dvc_yaml():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    for paper in PAPERS:
        assert set(PAPER_PARAMS[paper]) == set(stages[f"paper_{paper}"]["params"])
