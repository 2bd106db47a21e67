"""Fault corpus, part 2 (issue 17): faults of a run rather than of a raw file, each with its
expected outcome. Figures that cannot be computed (a unit-cost year missing), two runs at once,
and failed runs with ``--set`` or after a parameter changed. Raw-file faults are in
tests/unit/validate/test_fault_corpus.py; publication and stale papers in tests/unit/test_publish.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from pipeline import cli
from pipeline.coverage import mark_uncovered
from pipeline.lock import EXIT_LOCKED
from pipeline.measures import quarterly as m
from pipeline.papers import quarterly as qp
from pipeline.process.catalog import build_facts
from pipeline.publish import PAPERS, public_files, publish
from tests.fixtures.quarterly_story import make_unit_costs, make_validated, story_params
from tests.unit.test_publish import ROOT, build, rebuild_facts_for

ALL = "All exits (Exit Team and adoption)"
POUNDS = ("savings_quarter", "savings_ytd", "savings_year_end", "savings_to_18_quarter", "savings_to_18_ytd")


def _costs(change):
    return lambda: change(make_unit_costs())


# --- 1. a figure that cannot be computed: unavailable with the reason, never £0 -----------------
# (case, unit costs, route, expected reason of the year-to-date saving or None: a figure)
SAVINGS_FAULTS = [
    ("cost_year_missing", _costs(lambda c: c[c["FINANCIAL_YEAR"].ne("2026-27")]), "ALL",
     "no unit cost for 2026-27 in unit_costs.csv"),
    ("costs_start_after_the_exits", _costs(lambda c: c.assign(FINANCIAL_YEAR="2027-28").drop_duplicates(
        ["FINANCIAL_YEAR", "PLACEMENT_GROUP", "AGE_BAND"])), "ALL", "no unit cost for 2026-27 in unit_costs.csv"),
    ("cost_file_named_upper_case", _costs(lambda c: c[c["FINANCIAL_YEAR"].ne("2026-27")].assign(
        SOURCE_FILE="local/Unit_Costs.CSV")), "ALL", "no unit cost for 2026-27 in Unit_Costs.CSV"),
    ("group_missing_for_the_routes_only_child", _costs(lambda c: c[c["PLACEMENT_GROUP"].ne("FOSTER_AGENCY")]),
     "SGO_OTHER", "the unit costs file has no cost for the placement (or allowance) of the child"),
    ("group_missing_for_one_child_of_many", _costs(lambda c: c[c["PLACEMENT_GROUP"].ne("FOSTER_AGENCY")]),
     "ALL", None),  # the others' sum, the child counted as "cost unknown"
    ("allowance_missing_for_the_routes_only_child", _costs(lambda c: c[c["PLACEMENT_GROUP"].ne("ADOPTION_ALLOWANCE")]),
     "ADOPTION", "the unit costs file has no cost for the placement (or allowance) of the child"),
    ("costs_complete", make_unit_costs, "ALL", None),
]


@pytest.fixture(scope="module")
def params():
    return story_params()


@pytest.mark.parametrize("cid, costs, route, reason", SAVINGS_FAULTS, ids=[c[0] for c in SAVINGS_FAULTS])
def test_savings_faults(params, cid, costs, route, reason):
    facts = build_facts(make_validated() | {"unit_costs": costs()}, params)
    tidy = mark_uncovered(m.compute_quarterly_measures(facts, params), None, params.period)
    ytd = tidy[tidy["measure_id"].eq("savings_ytd") & tidy["category"].eq(route)].iloc[0]
    if reason is None:
        assert ytd["unit"] == "GBP" and pd.notna(ytd["value"]) and ytd["value"] > 0
        return
    assert ytd["unit"] == "unavailable" and pd.isna(ytd["value"]) and ytd["reason"] == reason
    assert not (tidy["measure_id"].isin(POUNDS) & tidy["value"].eq(0) & tidy["reason"].ne("")).any()
    if route == "ALL":  # the paper: blank cells and the reason in a note, never £0
        savings = next(d for d in qp.build_quarterly_paper(facts, params).derived if d.table_id == "Q13d_savings")
        assert pd.isna(savings.values.at[ALL, "Saving in the year to date"])
        assert f"Not available: {reason}." in savings.notes


# --- 2 and 3. runs: two at once; a failed run with --set or after params.yaml changed -----------


@pytest.fixture
def published(tmp_path):
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    params = build(tmp_path)
    publish(params, list(PAPERS), ["checked"])
    return params


def change_params_yaml(params, **targets):
    path = params.paths.root / "params.yaml"
    data = yaml.safe_load(path.read_text())
    data["targets"].update(targets)
    path.write_text(yaml.safe_dump(data))


def hold_lock_elsewhere(params):
    code = ("import sys, time\nfrom pathlib import Path\nfrom pipeline.lock import hold_lock\n"
            "with hold_lock(Path(sys.argv[1]), 'render'):\n    print('held', flush=True)\n    time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(params.paths.processed)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


# (case, set-up, argv, exit code, message in stderr, papers left in reports/<period>/)
RUN_FAULTS = [
    ("second_run_while_one_runs", hold_lock_elsewhere, ["paper", "quarterly"], EXIT_LOCKED,
     "another run (`python -m pipeline render`) holds the lock since", {"quarterly", "sufficiency"}),
    ("second_run_with_set_while_one_runs", hold_lock_elsewhere, ["--set", "period=2026-27 Q3", "process"], EXIT_LOCKED,
     "wait for it to finish and rerun", {"quarterly", "sufficiency"}),
    ("set_value_refused", None, ["--set", "period=2026-27 Q5", "paper", "quarterly"], 2,
     "period", {"quarterly", "sufficiency"}),  # parameters refused: nothing ran, nothing is stale
    ("set_run_for_a_later_period_fails_facts_untouched", None, ["--set", "period=2026-27 Q3", "paper", "quarterly"], 5,
     "paper quarterly refused", {"quarterly", "sufficiency"}),
    ("set_run_for_a_later_period_fails_after_rebuilding_facts",
     lambda p: rebuild_facts_for(p, ["period=2026-27 Q3"]), ["--set", "period=2026-27 Q3", "paper", "quarterly"], 2,
     "taken down to", set()),
    ("set_run_with_another_target_fails", None, ["--set", "targets.exit_team_exits=99", "paper", "quarterly"], 2,
     "no fact tables", {"quarterly", "sufficiency"}),  # a one-off variation: the published papers still hold
    ("set_run_with_another_sufficiency_year_fails", None, ["--set", "sufficiency_year=2024-25", "paper", "sufficiency"],
     5, "the fact tables were built with other parameters", {"quarterly", "sufficiency"}),
    ("params_yaml_target_changed_then_stage_fails", lambda p: change_params_yaml(p, exit_team_exits=99),
     ["paper", "quarterly"], 2, "taken down to", {"sufficiency"}),
    ("set_run_fails_on_raw_data_changed", lambda p: (p.paths.raw / "local/staffing.csv").write_text("POST_ID\nP9\n"),
     ["--set", "targets.adoptions=3", "measures"], 5, "raw file local/staffing.csv changed", set()),
]


def papers_left(params) -> set[str]:
    return {p for p in PAPERS if public_files(params, p)["pdf"][1].exists()}


@pytest.mark.parametrize("cid, setup, argv, code, message, left", RUN_FAULTS, ids=[c[0] for c in RUN_FAULTS])
def test_run_faults(published, capsys, cid, setup, argv, code, message, left):
    holder = setup(published) if setup is not None else None
    try:
        got = cli.main(["--params", str(published.paths.root / "params.yaml"), *argv])
    finally:
        if isinstance(holder, subprocess.Popen):
            holder.kill()
            holder.wait()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert got == code, err
    assert message in err, err
    assert papers_left(published) == left
    where = cli.main(["--params", str(published.paths.root / "params.yaml"), "where"])
    said = capsys.readouterr().out
    if left == set(PAPERS) and setup is None or code == EXIT_LOCKED:
        assert where == 0, said
    elif not left:
        assert where == 1 and "papers were withdrawn: a failed run for" in said, said
    else:
        # one paper left: `where` lists it and says the other was taken down (exit 1), or says
        # why the one left is not current either (exit 5); never 0 with a paper missing
        gone = " and ".join(p for p in PAPERS if p not in left)
        assert (where == 1 and f"The {gone} paper was taken down" in said) or where == 5, said
