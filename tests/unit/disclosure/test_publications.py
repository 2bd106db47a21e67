"""Which editions a reader holds, the refusal to re-publish a period, and `withdraw`
(pipeline.disclosure.publications), on small folders written by hand."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.config import Paths, load_params
from pipeline.disclosure.publications import (
    changed_editions,
    edition_folders,
    folder_hash,
    refuse_republishing,
    withdraw,
)
from pipeline.errors import DisclosureError, PipelineError
from pipeline.periods import parse_quarter
from tests.unit import test_publish as hand_made

ROOT = Path(__file__).resolve().parents[3]
CSV = "table_id,row,column,value\nT,A,Q1,15\nT,A,Q2,x\n"


@pytest.fixture
def params(tmp_path):
    p = load_params(ROOT / "params.yaml")
    paths = Paths(root=tmp_path, raw=tmp_path / "raw", processed=tmp_path / "processed", reports=tmp_path / "reports")
    return replace(p, paths=paths, period=parse_quarter("2026-27 Q2"))


def write_edition(params, slug: str, paper: str = "quarterly", threshold: int = 10, csv: str = CSV) -> Path:
    folder = params.paths.reports / slug / "tables" / paper
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tables.json").write_text(json.dumps({"threshold": threshold, "suppression_symbol": "x",
                                                    "tables": [{"id": "T", "file": "T.csv"}]}))
    (folder / "T.csv").write_text(csv)
    return folder


def test_another_threshold_is_refused_in_one_line_naming_the_edition_and_the_command(params):
    write_edition(params, "2026-27-Q2", threshold=10)
    lower = replace(params, disclosure=replace(params.disclosure, threshold=5))
    with pytest.raises(DisclosureError) as err:
        refuse_republishing(lower, "quarterly")
    text = str(err.value)
    assert "\n" not in text
    assert "threshold 10" in text and "reports/2026-27-Q2/tables/quarterly" in text
    assert "python -m pipeline withdraw quarterly --period 2026-27-Q2" in text


def test_the_same_threshold_before_publication_may_be_rebuilt(params):
    write_edition(params, "2026-27-Q2", threshold=params.disclosure.threshold)
    refuse_republishing(params, "quarterly", {"T.csv": _frame("T,A,Q1,16\nT,A,Q2,x\n")})  # not yet checked: no refusal


def _frame(body: str):
    import io

    import pandas as pd

    return pd.read_csv(io.StringIO("table_id,row,column,value\n" + body), dtype=str, keep_default_na=False)


def test_a_published_period_may_be_rebuilt_identically_but_not_differently(params):
    from pipeline.disclosure.publications import register_publication

    write_edition(params, "2026-27-Q2", threshold=params.disclosure.threshold)
    register_publication(params, "quarterly")  # the publication check passed
    # dvc repro deletes the stage's outputs before it runs: the register is what counts
    shutil.rmtree(params.paths.reports / "2026-27-Q2" / "tables")
    refuse_republishing(params, "quarterly", {"T.csv": _frame("T,A,Q1,15\nT,A,Q2,x\n")})
    with pytest.raises(DisclosureError, match="has been published"):
        refuse_republishing(params, "quarterly", {"T.csv": _frame("T,A,Q1,x\nT,A,Q2,6\n")})
    lower = replace(params, disclosure=replace(params.disclosure, threshold=5))
    with pytest.raises(DisclosureError, match="reports/2026-27-Q2/published/quarterly"):
        refuse_republishing(lower, "quarterly")
    target = withdraw(params, "quarterly", "2026-27-Q2")
    assert (target / "T.csv").read_text() == CSV
    refuse_republishing(lower, "quarterly", {"T.csv": _frame("T,A,Q1,x\nT,A,Q2,6\n")})  # withdrawn: allowed


def test_withdraw_moves_the_edition_which_readers_still_hold(params):
    write_edition(params, "2026-27-Q2", threshold=10)
    restricted = params.paths.restricted_dir("2026-27-Q2") / "quarterly"
    restricted.mkdir(parents=True)
    (restricted / "true_values.csv").write_text("table_id,row,column,value\nT,A,Q2,4\n")
    target = withdraw(params, "quarterly", "2026-27-Q2")
    assert target == params.paths.reports / "2026-27-Q2" / "withdrawn" / "quarterly" / "1"
    assert (target / "T.csv").read_text() == CSV
    assert not (params.paths.reports / "2026-27-Q2" / "tables" / "quarterly").exists()
    lower = replace(params, disclosure=replace(params.disclosure, threshold=5))
    refuse_republishing(lower, "quarterly")  # no longer refused
    found = edition_folders(lower, "quarterly")
    assert list(found) == ["2026-27-Q2 withdrawn 1"]
    assert (found["2026-27-Q2 withdrawn 1"][1] / "true_values.csv").exists()


def test_withdrawing_nothing_is_a_clear_error(params):
    with pytest.raises(PipelineError, match="no published quarterly paper to withdraw"):
        withdraw(params, "quarterly", "2026-27-Q2")


def test_quarterly_editions_are_the_other_quarters_of_the_same_year(params):
    for slug in ("2025-26-Q4", "2026-27-Q1", "2026-27-Q2", "2026-27-Q3"):
        write_edition(params, slug)
    assert list(edition_folders(params, "quarterly")) == ["2026-27-Q1", "2026-27-Q3"]
    write_edition(params, "2025-26-Q4", paper="sufficiency")
    assert list(edition_folders(params, "sufficiency")) == ["2025-26-Q4"]


def test_a_changed_or_new_edition_is_named(params):
    q1 = write_edition(params, "2026-27-Q1")
    recorded = {"2026-27-Q1": folder_hash(q1)}
    assert changed_editions(params, "quarterly", recorded) == []
    (q1 / "T.csv").write_text(CSV.replace("15", "16"))
    assert changed_editions(params, "quarterly", recorded) == ["2026-27-Q1"]
    write_edition(params, "2026-27-Q3")
    assert changed_editions(params, "quarterly", {}) == ["2026-27-Q1", "2026-27-Q3"]


def _publish_to_disk(params, slug: str, quarters: list[dict], editions=()):
    """Protect the small quarterly table of test_editions and write it as a published edition."""
    import pandas as pd

    from pipeline.disclosure import protect_paper
    from pipeline.tables import tidy
    from tests.unit.disclosure.test_editions import QUARTERS, quarterly_paper

    paper = quarterly_paper(quarters)
    protected = protect_paper(paper, params.disclosure, editions=editions, comparable=QUARTERS)
    t = paper.tables[0]
    folder = params.paths.reports / slug / "tables" / "quarterly"
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {"threshold": params.disclosure.threshold, "suppression_symbol": "x", "tables": [
        {"id": "T", "file": "T.csv", "kind": "count", "protected": True, "rows": t.rows, "columns": t.cols,
         "total_row": "Total", "total_column": None, "subtotals": {}}]}
    (folder / "tables.json").write_text(json.dumps(manifest))
    protected.tidy("T").to_csv(folder / "T.csv", index=False)
    restricted = params.paths.restricted_dir(slug) / "quarterly"
    restricted.mkdir(parents=True, exist_ok=True)
    tidy(t).to_csv(restricted / "true_values.csv", index=False)
    assert isinstance(protected.tidy("T"), pd.DataFrame)


def test_the_publication_check_finds_a_hidden_cell_two_editions_pin_together(params):
    from pipeline.disclosure.publications import audit_all_editions
    from tests.unit.disclosure.test_editions import Q1, Q2

    _publish_to_disk(params, "2026-27-Q2", [Q1, Q2])
    assert audit_all_editions(params, "quarterly") == []  # alone, the Q2 edition is safe
    _publish_to_disk(params, "2026-27-Q1", [Q1])  # built afterwards, blind to the Q2 edition
    problems = audit_all_editions(params, "quarterly")
    assert any("2026-27-Q2::T|A|Q2" in p and "exposed" in p for p in problems), problems


def test_the_publication_check_passes_editions_built_with_each_other(params):
    from pipeline.disclosure.publications import audit_all_editions, load_editions
    from tests.unit.disclosure.test_editions import Q1, Q2

    _publish_to_disk(params, "2026-27-Q2", [Q1, Q2])
    q1 = replace(params, period=parse_quarter("2026-27 Q1"))
    _publish_to_disk(q1, "2026-27-Q1", [Q1], editions=load_editions(q1, "quarterly")[0])
    assert audit_all_editions(params, "quarterly") == []
    assert audit_all_editions(q1, "quarterly") == []


# --- taking a paper down (fail closed) is not withdrawing it ---------------------------------


def _registered(params, slug: str = "2026-27-Q2", threshold: int = 10) -> Path:
    from pipeline.disclosure.publications import register_publication

    write_edition(params, slug, threshold=threshold)
    restricted = params.paths.restricted_dir(slug) / "quarterly"
    restricted.mkdir(parents=True, exist_ok=True)
    (restricted / "true_values.csv").write_text("table_id,row,column,value\nT,A,Q1,15\nT,A,Q2,4\n")
    return register_publication(replace(params, period=parse_quarter(slug.replace("-Q", " Q"))), "quarterly")


def test_a_taken_down_paper_still_refuses_a_lower_threshold_every_time_until_withdrawn(params):
    from pipeline.disclosure.publications import take_down

    register = _registered(params)
    assert take_down(params, "quarterly", "2026-27-Q2") == register
    assert not (params.paths.reports / "2026-27-Q2" / "tables" / "quarterly").exists()
    assert (register / "T.csv").read_text() == CSV  # the register keeps the edition
    lower = replace(params, disclosure=replace(params.disclosure, threshold=5))
    messages = []
    for _ in range(2):  # a failed attempt takes nothing further down: the second is refused alike
        with pytest.raises(DisclosureError) as err:
            refuse_republishing(lower, "quarterly")
        messages.append(str(err.value))
        take_down(lower, "quarterly", "2026-27-Q2")
    assert messages[0] == messages[1]
    assert "threshold 10 (reports/2026-27-Q2/published/quarterly)" in messages[0]
    assert "python -m pipeline withdraw quarterly --period 2026-27-Q2" in messages[0]
    assert not (params.paths.reports / "2026-27-Q2" / "withdrawn").exists()
    target = withdraw(params, "quarterly", "2026-27-Q2")
    refuse_republishing(lower, "quarterly", {"T.csv": _frame("T,A,Q1,x\nT,A,Q2,6\n")})  # withdrawn: allowed
    assert list(edition_folders(lower, "quarterly")) == ["2026-27-Q2 withdrawn 1"]  # still known
    assert (target / "T.csv").read_text() == CSV
    assert (edition_folders(lower, "quarterly")["2026-27-Q2 withdrawn 1"][1] / "true_values.csv").exists()


def test_taking_down_an_unregistered_paper_registers_it_first(params):
    from pipeline.disclosure.publications import take_down

    write_edition(params, "2026-27-Q2")
    register = take_down(params, "quarterly", "2026-27-Q2")
    assert register == params.paths.reports / "2026-27-Q2" / "published" / "quarterly"
    assert (register / "T.csv").read_text() == CSV
    with pytest.raises(DisclosureError, match="has been published"):
        refuse_republishing(params, "quarterly", {"T.csv": _frame("T,A,Q1,x\nT,A,Q2,6\n")})


def test_taking_down_nothing_takes_down_nothing(params):
    from pipeline.disclosure.publications import take_down

    assert take_down(params, "quarterly", "2026-27-Q2") is None
    assert not (params.paths.reports / "2026-27-Q2").exists()


def test_tables_that_differ_from_the_register_are_kept_as_a_withdrawn_edition_when_taken_down(params):
    from pipeline.disclosure.publications import take_down

    register = _registered(params)
    write_edition(params, "2026-27-Q2", csv=CSV.replace("15", "16"))
    take_down(params, "quarterly", "2026-27-Q2")
    assert (register / "T.csv").read_text() == CSV
    kept = params.paths.reports / "2026-27-Q2" / "withdrawn" / "quarterly" / "1" / "T.csv"
    assert kept.read_text() == CSV.replace("15", "16")


def test_another_period_taken_down_is_still_an_edition_read_from_its_register(params):
    from pipeline.disclosure.publications import take_down

    register = _registered(params, "2026-27-Q1")
    take_down(params, "quarterly", "2026-27-Q1")
    found = edition_folders(params, "quarterly")  # params: Q2
    assert list(found) == ["2026-27-Q1"] and found["2026-27-Q1"][0] == register
    assert (found["2026-27-Q1"][1] / "true_values.csv").exists()  # the register's restricted twin


def test_the_publication_check_refuses_staged_tables_that_differ_from_the_published_edition(params, tmp_path):
    """DVC may restore a paper from its run cache without running the paper stage: the check
    compares the staged tables with the register itself (issue 13: a count went 18 -> 21)."""
    from pipeline.disclosure.publications import republishing_problems

    _registered(params)
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "T.csv").write_text(CSV)
    assert republishing_problems(params, "quarterly", staged) == []  # the same tables: allowed
    (staged / "T.csv").write_text(CSV.replace("15", "18"))
    problems = republishing_problems(params, "quarterly", staged)
    assert len(problems) == 1 and "has been published" in problems[0]
    assert "reports/2026-27-Q2/published/quarterly" in problems[0]
    assert "python -m pipeline withdraw quarterly --period 2026-27-Q2" in problems[0]
    withdraw(params, "quarterly", "2026-27-Q2")
    assert republishing_problems(params, "quarterly", staged) == []


def test_the_cells_the_published_edition_hid_are_read_from_the_register_at_the_same_threshold(params):
    from pipeline.disclosure.publications import published_hidden
    from pipeline.tables import Cell

    assert published_hidden(params, "quarterly") == []  # nothing published
    write_edition(params, "2026-27-Q2")  # built, never published: not a register
    assert published_hidden(params, "quarterly") == []
    _registered(params)
    assert published_hidden(params, "quarterly") == [Cell("T", "A", "Q2")]
    lower = replace(params, disclosure=replace(params.disclosure, threshold=5))
    assert published_hidden(lower, "quarterly") == []  # another threshold is refused anyway


# --- the same through the command line, on test_publish's hand-made project -----------------


@pytest.fixture
def published(tmp_path):
    """Both papers of test_publish's hand-made project, published."""
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    params = hand_made.build(tmp_path)
    hand_made.publish(params, list(hand_made.PAPERS), ["checked"])
    return params


def test_a_failed_stage_takes_the_paper_down_but_a_different_paper_is_still_refused(published, capsys):
    """The uninvestigated 18 -> 21 (issue 13): a failed stage used to withdraw the edition it
    took down, so the next run published different tables over it without a refusal."""
    from pipeline import cli
    from pipeline.disclosure.publications import register_publication, republishing_problems

    register = register_publication(published, "quarterly")  # what check-publication does when it passes
    args = ["--params", str(published.paths.root / "params.yaml")]
    (published.paths.raw / "local/staffing.csv").write_text("POST_ID,TEAM\nP9,EXIT\n")  # new data
    assert cli.main([*args, "paper", "quarterly"]) == 5  # the chain is stale: refused, and taken down
    out = published.paths.report_dir(published.period.slug)
    assert not (out / "tables" / "quarterly").exists() and not (out / "quarterly_exit_report.html").exists()
    assert (register / "T1.csv").exists() and not (out / "withdrawn").exists()
    staged = published.paths.processed / "staging" / published.period.slug / "tables" / "quarterly"
    (staged / "T1.csv").write_text("table_id,row,column,value\nT1,A,B,21\n")  # what the new data give
    assert any("has been published" in p for p in republishing_problems(published, "quarterly", staged))
    capsys.readouterr()
    assert cli.main([*args, "withdraw", "quarterly"]) == 0
    assert "withdrawn to reports/2026-27-Q2/withdrawn/quarterly/1" in capsys.readouterr().out
    assert republishing_problems(published, "quarterly", staged) == []
    assert list(edition_folders(replace(published, period=parse_quarter("2026-27 Q1")), "quarterly")) == [
        "2026-27-Q2 withdrawn 1"]


def test_withdraw_takes_the_whole_paper_out_of_reports_and_keeps_the_other_paper(published, capsys):
    from pipeline import cli

    out = published.paths.report_dir(published.period.slug)
    assert cli.main(["--params", str(published.paths.root / "params.yaml"), "withdraw", "quarterly"]) == 0
    assert (out / "withdrawn" / "quarterly" / "1" / "T1.csv").exists()
    assert not (out / "quarterly_exit_report.html").exists() and not (out / "tables" / "quarterly").exists()
    assert (out / "sufficiency_analysis.html").exists()
    assert sorted(json.loads((out / "publication_check.json").read_text())["papers"]) == ["sufficiency"]


def test_a_paper_published_without_a_register_is_compared_too(params):
    """An edition published before the register existed (or whose registering was interrupted):
    reports/<period>/tables/ with a passed publication record listing the paper is published."""
    write_edition(params, "2026-27-Q2", threshold=params.disclosure.threshold)
    different = {"T.csv": _frame("T,A,Q1,x\nT,A,Q2,6\n")}
    refuse_republishing(params, "quarterly", different)  # no record: an earlier attempt, not published
    record = params.paths.reports / "2026-27-Q2" / "publication_check.json"
    record.write_text(json.dumps({"passed": True, "papers": {"sufficiency": {}}}))
    refuse_republishing(params, "quarterly", different)  # the record is about the other paper
    record.write_text(json.dumps({"passed": True, "papers": {"quarterly": {}}}))
    with pytest.raises(DisclosureError, match="reports/2026-27-Q2/tables/quarterly passed its publication check"):
        refuse_republishing(params, "quarterly", different)
    refuse_republishing(params, "quarterly", {"T.csv": _frame("T,A,Q1,15\nT,A,Q2,x\n")})  # the same: allowed
