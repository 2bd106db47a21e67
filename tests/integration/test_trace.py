"""`trace` end to end on a tiny project: raw CSVs -> facts -> paper -> lineage store -> trace."""

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import cli
from pipeline.config import load_params
from pipeline.lineage.store import lineage_dir, record_paper_lineage
from pipeline.tables import Cell, DerivedTable, Paper, PublishedTable, Selection

ROOT = Path(__file__).resolve().parents[2]

EPISODES_CSV = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
A1,10/01/2025,S,C2,N1,U1,PR1,15/05/2026,E11,,,,
B2,2024-06-01,S,C2,N1,U1,PR1,20/06/2026,E45,,,,
C3,03/03/2023,S,C2,N1,A4,PR1,01/06/2026,E11,,,,
"""


@pytest.fixture
def project(tmp_path):
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    raw = tmp_path / "data" / "raw" / "ssda903" / "2026-27_Q1"
    raw.mkdir(parents=True)
    (raw / "episodes.csv").write_text(EPISODES_CSV)
    sha = hashlib.sha256((raw / "episodes.csv").read_bytes()).hexdigest()
    validated = tmp_path / "data" / "processed" / "validated"
    validated.mkdir(parents=True)
    (validated / "manifest.json").write_text(json.dumps(
        {"files": [{"file": "ssda903/2026-27_Q1/episodes.csv", "sha256": sha, "rows": {"read": 3}}]}))
    exits = pd.DataFrame({
        "CHILD": ["A1", "B2", "C3"],
        "DECOM": pd.to_datetime(["2025-01-10", "2024-06-01", "2023-03-03"]),
        "EXIT_ROUTE": ["Adoption", "SGO", "Adoption"],
        "QUARTER": ["2026-27 Q1"] * 3,
        "RETURN": ["2026-27_Q1"] * 3,
        "SOURCE_FILE": ["ssda903/2026-27_Q1/episodes.csv"] * 3,
        "SOURCE_ROW": [1, 2, 3],
    })
    facts_dir = tmp_path / "data" / "processed" / "facts"
    facts_dir.mkdir(parents=True)
    exits.to_parquet(facts_dir / "exits.parquet")
    params = load_params(tmp_path / "params.yaml", ["period=2026-27 Q1"])
    q1 = Selection.of("exits", QUARTER="2026-27 Q1")
    t = PublishedTable("T1", "Exits by route", "route", "quarter",
                       pd.DataFrame({"Q1": [2, 1, 3]}, index=["Adoption", "SGO", "Total"]), row_total="Total",
                       selections={("Adoption", "Q1"): q1.narrow(EXIT_ROUTE="Adoption"),
                                   ("SGO", "Q1"): q1.narrow(EXIT_ROUTE="SGO"), ("Total", "Q1"): q1})
    pct = DerivedTable("T1p", "Share", "route", "quarter", pd.DataFrame({"Q1": [66.7]}, index=["Adoption"]),
                       inputs={("Adoption", "Q1"): (Cell("T1", "Adoption", "Q1"), Cell("T1", "Total", "Q1"))})
    record_paper_lineage(Paper("quarterly", [t], [pct]), {"exits": exits}, params, "tests.build",
                         published={"T1|SGO|Q1": "x"})
    return tmp_path, params


def _trace(project, capsys, *argv):
    root, _ = project
    code = cli.main(["--params", str(root / "params.yaml"), "--set", "period=2026-27 Q1", "trace", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_store_is_restricted_never_under_reports(project):
    root, params = project
    store = lineage_dir(params, "2026-27-Q1") / "quarterly"
    assert {p.name for p in store.iterdir()} == {"figures.parquet", "contributions.parquet", "inputs.parquet", "meta.json"}
    assert params.paths.reports not in store.parents
    assert not (root / "reports").exists()


def test_trace_prints_figure_selection_inputs_and_raw_rows(project, capsys):
    code, out, _ = _trace(project, capsys, "T1|Adoption|Q1")
    assert code == 0
    assert "value 2 children" in out
    assert "number of rows of exits where EXIT_ROUTE = 'Adoption' and QUARTER = '2026-27 Q1'" in out
    assert "ssda903/2026-27_Q1/episodes.csv  sha256 " in out
    assert "Contributing source rows: 2" in out
    # the raw rows read back: A1 (row 1) and C3 (row 3) exactly as written, not B2
    assert "10/01/2025" in out and "03/03/2023" in out and "2024-06-01" not in out


def test_trace_recount_matches_and_checks_files(project, capsys):
    code, out, _ = _trace(project, capsys, "T1|Total|Q1", "--recount")
    assert code == 0, out
    assert "recomputed 3 = recorded 3" in out
    assert "input file(s) are unchanged" in out
    assert "Result: T1|Total|Q1 recounts: 3" in out


def test_derived_figure_recounts_through_its_inputs(project, capsys):
    code, out, _ = _trace(project, capsys, "T1p|Adoption|Q1", "--recount")
    assert code == 0, out
    assert "input T1|Adoption|Q1 = 2" in out and "percentage 2 / 3 = 66.67% matches 66.7" in out


def test_recount_says_the_data_changed_since_publication(project, capsys):
    root, _ = project
    path = root / "data" / "raw" / "ssda903" / "2026-27_Q1" / "episodes.csv"
    path.write_text(EPISODES_CSV.replace("A1,10/01/2025", "A9,10/01/2025"))
    code, out, _ = _trace(project, capsys, "T1|Adoption|Q1", "--recount")
    assert code == 1
    assert "the data changed since publication: ssda903/2026-27_Q1/episodes.csv" in out
    assert "row 1: CHILD is 'A9', recorded 'A1'" in out


def test_list_and_list_recount(project, capsys):
    code, out, _ = _trace(project, capsys, "--list", "--paper", "quarterly")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["T1|Adoption|Q1", "T1|SGO|Q1", "T1|Total|Q1", "T1p|Adoption|Q1"]
    code, out, _ = _trace(project, capsys, "--list", "--recount")
    assert code == 0 and "4 of 4 figures recount" in out


def test_unknown_figure_gives_close_matches_without_traceback(project, capsys):
    code, out, err = _trace(project, capsys, "T1|Adoptoin|Q1")
    assert code == 2
    assert "did you mean: T1|Adoption|Q1" in err and "Traceback" not in err


def test_missing_store_and_bad_period_are_clear_errors(project, capsys):
    code, _, err = _trace(project, capsys, "T1|Adoption|Q1", "--period", "2025-26 Q3")
    assert code == 2 and "no lineage store" in err and "2025-26-Q3" in err
    code, _, err = _trace(project, capsys, "T1|Adoption|Q1", "--period", "Q3")
    assert code == 2 and "not of the form" in err
    code, _, err = _trace(project, capsys)
    assert code == 2 and "give a figure id" in err


def test_recount_when_a_raw_file_is_gone(project, capsys):
    root, _ = project
    (root / "data" / "raw" / "ssda903" / "2026-27_Q1" / "episodes.csv").unlink()
    code, out, _ = _trace(project, capsys, "T1|SGO|Q1", "--recount")
    assert code == 1
    assert "raw file ssda903/2026-27_Q1/episodes.csv is not present" in out
    assert "the data changed since publication: ssda903/2026-27_Q1/episodes.csv (removed)" in out


# --- figures the DfE published: a hand-written file, a comparison table in a second paper ---------

DFE_CSV = """time_period,geographic_level,old_la_code,la_name,children_count
2025,National,,,81770
2025,Local authority,891,Nottinghamshire,955
2025,Local authority,933,Somerset,586
2025,Local authority,935,Suffolk,928
"""


@pytest.fixture
def comparator_project(project):
    """England (line 2) and the median of three neighbours (lines 3-5: 955, 586, 928 -> 928)."""
    from pipeline.tables import SourceRef

    root, params = project
    folder = root / "data" / "raw" / "published"
    folder.mkdir()
    (folder / "cla.csv").write_text(DFE_CSV)
    sha = hashlib.sha256(DFE_CSV.encode()).hexdigest()

    def ref(line, value, code, name):
        key = (("time_period", "2025"), ("geographic_level", "Local authority" if code else "National"))
        return SourceRef("published/cla.csv", line, "children_count", value, sha,
                         key + ((("old_la_code", code), ("la_name", name)) if code else ()))

    values = pd.DataFrame({"31 March 2025": [81770.0, 928.0]}, index=["England", "Neighbours: median"])
    comp = DerivedTable("E01", "Children in care: compared", "area", "year", values, inputs={}, fmt="number",
                        sources={("England", "31 March 2025"): (ref(2, "81770", "", ""),),
                                 ("Neighbours: median", "31 March 2025"): (
                                     ref(3, "955", "891", "Nottinghamshire"), ref(4, "586", "933", "Somerset"),
                                     ref(5, "928", "935", "Suffolk"))})
    record_paper_lineage(Paper("sufficiency", [], [comp]), {}, params, "tests.build")
    return root, params, sha


def test_trace_of_a_dfe_figure_names_file_line_column_and_sha256(comparator_project, capsys):
    root, params, sha = comparator_project
    code, out, _ = _trace((root, params), capsys, "E01|England|31 March 2025", "--recount")
    assert code == 0, out
    assert "number as published by the DfE: published/cla.csv, line 2, column children_count = 81770" in out
    assert "Published by the DfE: 1 value(s)" in out
    assert f"  published/cla.csv  sha256 {sha}\n    line 2, column children_count = 81770  " \
           "(time_period 2025, geographic_level National)" in out
    # the input files are the published one only, with its sha256 (not every raw return)
    inputs = out.split("Input files (those the figure comes from)\n")[1].split("\n\n")[0]
    assert inputs.strip().startswith(f"published/cla.csv  sha256 {sha}") and "episodes.csv" not in inputs
    assert "no declared inputs" not in out
    assert "ok: the 1 published value(s) are in their files as recorded" in out
    assert "ok: the 1 input file(s) are unchanged since publication" in out


def test_trace_of_a_neighbours_median_lists_every_figure_it_is_computed_from(comparator_project, capsys):
    root, params, _ = comparator_project
    code, out, _ = _trace((root, params), capsys, "E01|Neighbours: median|31 March 2025")
    assert code == 0, out
    assert "number computed from 3 values published by the DfE (published/cla.csv)" in out
    assert "Published by the DfE: 3 value(s)" in out
    for line in ("line 3, column children_count = 955  (time_period 2025, geographic_level Local authority, "
                 "old_la_code 891, la_name Nottinghamshire)",
                 "line 4, column children_count = 586", "line 5, column children_count = 928"):
        assert line in out


def test_a_dfe_figure_changed_in_its_file_does_not_recount(comparator_project, capsys):
    root, params, _ = comparator_project
    (root / "data" / "raw" / "published" / "cla.csv").write_text(DFE_CSV.replace(",586", ",590"))
    code, out, _ = _trace((root, params), capsys, "E01|Neighbours: median|31 March 2025", "--recount")
    assert code == 1
    assert "PROBLEM: published/cla.csv, line 4, column children_count now reads '590', recorded '586'" in out
    assert "the data changed since publication: published/cla.csv" in out
