"""Lineage records of a small hand-built paper: every expected value is worked out below."""

import json
import math

import pandas as pd
import pytest

from pipeline import lineage
from pipeline.tables import Cell, DerivedTable, Paper, PublishedTable, Selection, SourceRef

# Five exits; the two adoptions in Q1 are rows 0 and 2; the SGO in Q1 is row 1.
EXITS = pd.DataFrame({
    "CHILD": ["A1", "B2", "C3", "D4", "E5"],
    "DECOM": pd.to_datetime(["2025-01-10", "2024-06-01", "2023-03-03", "2025-02-02", "2024-12-12"]),
    "EXIT_ROUTE": ["Adoption", "SGO", "Adoption", "SGO", "Adoption"],
    "QUARTER": ["2026-27 Q1", "2026-27 Q1", "2026-27 Q1", "2026-27 Q2", "2026-27 Q2"],
    "SAVING": [100.0, 250.0, 50.0, 10.0, 0.0],
    "RETURN": ["2026-27_Q1"] * 3 + ["2026-27_Q2"] * 2,
    "SOURCE_FILE": ["ssda903/2026-27_Q1/episodes.csv"] * 3 + ["ssda903/2026-27_Q2/episodes.csv"] * 2,
    "SOURCE_ROW": [4, 7, 9, 2, 3],
})


def _paper() -> Paper:
    q1 = Selection.of("exits", QUARTER="2026-27 Q1")
    values = pd.DataFrame({"Q1": [2, 1, 3]}, index=["Adoption", "SGO", "Total"])
    sels = {("Adoption", "Q1"): q1.narrow(EXIT_ROUTE="Adoption"), ("SGO", "Q1"): q1.narrow(EXIT_ROUTE="SGO"),
            ("Total", "Q1"): q1}
    t = PublishedTable("T1", "Exits by route", "route", "quarter", values, row_total="Total", selections=sels)
    money = PublishedTable("T2", "Saving", "route", "quarter", pd.DataFrame({"Q1": [400.0]}, index=["All"]),
                           selections={("All", "Q1"): Selection.of("exits", sum_of="SAVING", QUARTER="2026-27 Q1")},
                           unit="pounds", suppress=False)
    pct = DerivedTable("T1p", "Share", "route", "quarter", pd.DataFrame({"Q1": [66.7]}, index=["Adoption"]),
                       inputs={("Adoption", "Q1"): (Cell("T1", "Adoption", "Q1"), Cell("T1", "Total", "Q1"))})
    return Paper("quarterly", [t, money], [pct])


def _lineage(paper=None, facts=None):
    return lineage.build_lineage(paper or _paper(), facts or {"exits": EXITS}, builder="tests.build",
                                 parameters={"period": "2026-27 Q1"}, published={"T1|SGO|Q1": "x"})


def test_one_record_per_figure_with_its_selection_in_words():
    figs = _lineage().figures.set_index("figure_id")
    assert list(figs.index) == ["T1|Adoption|Q1", "T1|SGO|Q1", "T1|Total|Q1", "T2|All|Q1", "T1p|Adoption|Q1"]
    adoption = figs.loc["T1|Adoption|Q1"]
    assert adoption["kind"] == "count" and adoption["value"] == 2 and adoption["n_rows"] == 2
    assert adoption["description"] == "number of rows of exits where EXIT_ROUTE = 'Adoption' and QUARTER = '2026-27 Q1'"
    assert json.loads(adoption["parameters"]) == {"period": "2026-27 Q1"}
    assert adoption["fact_hash"] == lineage.hash_frame(EXITS) and adoption["fact_rows"] == 5
    assert figs.loc["T1|SGO|Q1", "published"] == "x"
    assert figs.loc["T1p|Adoption|Q1", "kind"] == "derived"
    assert json.loads(figs.loc["T1p|Adoption|Q1", "inputs"]) == ["T1|Adoption|Q1", "T1|Total|Q1"]


def test_contributions_are_the_keys_of_the_selected_rows():
    contrib = _lineage().contributions
    adoption = lineage.contributions_of(contrib, "T1|Adoption|Q1")
    assert list(adoption["FACT_ROW"]) == [0, 2]
    assert list(adoption["CHILD"]) == ["A1", "C3"]
    assert list(adoption["SOURCE_ROW"]) == [4, 9]
    assert adoption["DECOM"].iloc[1] == pd.Timestamp("2023-03-03")
    assert len(lineage.contributions_of(contrib, "T1|Total|Q1")) == 3
    assert pd.isna(adoption["EVENT_ID"]).all()  # not a column of this fact table


def test_cell_without_selection_is_marked_untraceable_and_earlier_figures_as_such():
    p = _paper()
    p.tables[0].selections = {k: v for k, v in p.tables[0].selections.items() if k != ("SGO", "Q1")}
    p.published_before = {"T1|Total|Q1": 3}
    p.tables[0].selections = {("Adoption", "Q1"): p.tables[0].selections[("Adoption", "Q1")]}
    figs = lineage.build_lineage(p, {"exits": EXITS}, builder="b", parameters={},
                                 sources={"T1|Total|Q1": "reports/x/tables"}).figures.set_index("figure_id")
    assert figs.loc["T1|SGO|Q1", "kind"] == "undeclared"
    assert figs.loc["T1|Total|Q1", "kind"] == "published_before"
    assert figs.loc["T1|Total|Q1", "source"] == "reports/x/tables"


def test_missing_fact_table_is_an_error():
    with pytest.raises(KeyError, match="exits"):
        lineage.build_lineage(_paper(), {}, builder="b", parameters={})


def test_hash_ignores_dtype_round_trips_but_not_content(tmp_path):
    path = tmp_path / "f.parquet"
    EXITS.to_parquet(path)
    back = pd.read_parquet(path)
    assert lineage.hash_frame(back) == lineage.hash_frame(EXITS)
    as_object = EXITS.astype({"CHILD": object, "SOURCE_ROW": "Int64"})
    assert lineage.hash_frame(as_object) == lineage.hash_frame(EXITS)
    changed = EXITS.copy()
    changed.loc[3, "EXIT_ROUTE"] = "Adoption"
    assert lineage.hash_frame(changed) != lineage.hash_frame(EXITS)
    assert lineage.hash_frame(EXITS.iloc[[1, 0, 2, 3, 4]]) != lineage.hash_frame(EXITS)


def test_selection_round_trips_through_json_with_dates():
    sel = Selection.of("episodes", sum_of="X", DECOM=[pd.Timestamp("2025-03-31")], YEAR=[2024, 2025], LS="C2")
    assert lineage.decode_selection(lineage.encode_selection(sel)) == sel


def _recount(figure_id, lin=None, fact=EXITS):
    lin = lin or _lineage()
    rec = lineage.find_figure(lin.figures, figure_id)
    return lineage.recount_count(rec, lineage.contributions_of(lin.contributions, figure_id), fact)


def test_recount_matches_counts_and_sums():
    r = _recount("T1|Adoption|Q1")
    assert r.ok and r.recomputed == 2
    money = _recount("T2|All|Q1")
    assert money.ok and money.recomputed == 400.0  # 100 + 250 + 50


def test_recount_detects_a_changed_fact_table_and_reports_the_value_now():
    changed = EXITS.copy()
    changed.loc[3, "QUARTER"] = "2026-27 Q1"  # D4's adoption now falls in Q1 (it is an SGO)
    r = _recount("T1|SGO|Q1", fact=changed)
    assert not r.ok and r.recomputed == 2
    assert "changed since publication" in r.problems[0]


def test_recount_detects_tampered_rows_and_values():
    lin = _lineage()
    contrib = lin.contributions.copy()
    contrib.loc[(contrib["figure_id"] == "T1|Adoption|Q1") & (contrib["FACT_ROW"] == 2), "FACT_ROW"] = 1
    r = lineage.recount_count(lineage.find_figure(lin.figures, "T1|Adoption|Q1"),
                              lineage.contributions_of(contrib, "T1|Adoption|Q1"), EXITS)
    assert not r.ok
    assert any("recorded keys" in p for p in r.problems)
    assert "1 listed row(s) do not satisfy the selection" in r.problems
    figs = lin.figures.copy()
    figs.loc[figs["figure_id"] == "T1|Total|Q1", "value"] = 4.0
    r2 = lineage.recount_count(lineage.find_figure(figs, "T1|Total|Q1"),
                               lineage.contributions_of(lin.contributions, "T1|Total|Q1"), EXITS)
    assert not r2.ok and r2.recomputed == 3 and "recorded figure is 4" in r2.problems[-1]


def test_recount_detects_an_unlisted_row():
    lin = _lineage()
    contrib = lin.contributions[~((lin.contributions["figure_id"] == "T1|Total|Q1") & (lin.contributions["FACT_ROW"] == 1))]
    r = lineage.recount_count(lineage.find_figure(lin.figures, "T1|Total|Q1"),
                              lineage.contributions_of(contrib, "T1|Total|Q1"), EXITS)
    assert not r.ok and any("3 rows of exits satisfy the selection but 2 are listed" in p for p in r.problems)


def test_derived_percentage_is_recomputed_from_its_recounted_inputs():
    lin = _lineage()
    inputs = {f: _recount(f, lin) for f in ("T1|Adoption|Q1", "T1|Total|Q1")}
    rec = lineage.find_figure(lin.figures, "T1p|Adoption|Q1")
    r = lineage.check_derived(rec, inputs)
    assert r.ok, r.problems  # 2 / 3 = 66.67%, shown to one decimal as 66.7
    wrong = dict(rec)
    wrong["value"] = 70.0
    assert not lineage.check_derived(wrong, inputs).ok
    bad_input = {**inputs, "T1|Total|Q1": lineage.Recount("T1|Total|Q1", 3, 4, False, problems=["no"])}
    assert not lineage.check_derived(rec, bad_input).ok


def test_published_before_is_checked_against_the_earlier_table():
    rec = {"figure_id": "R|a|Previously reported", "value": 12.0, "source": "reports/2026-27-Q1/tables"}
    assert lineage.check_published_before(rec, "12").ok
    assert not lineage.check_published_before(rec, "13").ok
    assert not lineage.check_published_before(rec, "x").ok
    assert not lineage.check_published_before(rec, None).ok


def test_raw_rows_are_compared_with_recorded_keys():
    rows = lineage.contributions_of(_lineage().contributions, "T1|Adoption|Q1")
    raw = {("ssda903/2026-27_Q1/episodes.csv", 4): {"CHILD": "A1", "DECOM": "10/01/2025"},
           ("ssda903/2026-27_Q1/episodes.csv", 9): {"CHILD": "C3", "DECOM": "2023-03-03"}}
    assert lineage.check_raw_rows(rows, raw) == []
    raw[("ssda903/2026-27_Q1/episodes.csv", 9)] = {"CHILD": "C4", "DECOM": "04/03/2023"}
    problems = lineage.check_raw_rows(rows, raw)
    assert len(problems) == 2 and "CHILD is 'C4'" in problems[0] and "DECOM" in problems[1]
    del raw[("ssda903/2026-27_Q1/episodes.csv", 4)]
    assert "not in the raw file" in lineage.check_raw_rows(rows, raw)[0]


def test_close_matches_for_a_mistyped_id():
    ids = ["T1|Adoption|Q1", "T1|SGO|Q1", "T1|Total|Q1", "T2|All|Q1"]
    assert lineage.suggest_figure_ids("T1|Adoptoin|Q1", ids)[0] == "T1|Adoption|Q1"
    assert set(lineage.suggest_figure_ids("T1", ids)) >= {"T1|SGO|Q1", "T1|Total|Q1"}


def test_inputs_from_manifest_and_dvc_lock():
    manifest = {"files": [{"file": "ssda903/2026-27_Q1/episodes.csv", "sha256": "aa", "rows": {"read": 10}},
                          {"file": "local/permanence_tracker.csv", "sha256": "bb", "rows": 3}]}
    lock = {"stages": {"validate": {"deps": [{"path": "data/raw", "md5": "d1.dir"},
                                             {"path": "data/raw/local/permanence_tracker.csv", "md5": "m2"}]}}}
    got = lineage.summarise_inputs(manifest, lock, raw_prefix="data/raw")
    assert list(got["file"]) == ["local/permanence_tracker.csv", "ssda903/2026-27_Q1/episodes.csv"]
    assert list(got["dvc_md5"]) == ["m2", "d1.dir"] and list(got["rows"]) == [3, 10]
    validate_shape = {"raw": "data/raw", "files": [{"SOURCE_FILE": "local/staffing.csv", "table": "staffing",
                                                    "sha256": "ee", "rows_read": 7, "rows_kept": 7}]}
    got2 = lineage.summarise_inputs(validate_shape)
    assert got2.iloc[0][["file", "sha256", "rows"]].tolist() == ["local/staffing.csv", "ee", 7]
    as_mapping = lineage.summarise_inputs({"a.csv": "cc"})
    assert as_mapping.iloc[0]["sha256"] == "cc" and pd.isna(as_mapping.iloc[0]["dvc_md5"])
    changed = lineage.compare_input_hashes(got, {"ssda903/2026-27_Q1/episodes.csv": "aa"})
    assert list(changed["changed"]) == [True, False]


def test_appendix_names_the_command_and_the_period():
    text = lineage.explain_tracing("2026-27 Q2")
    assert text.startswith("### How to trace a figure")
    assert "python -m pipeline trace 'TABLE|ROW|COLUMN' --period '2026-27 Q2'" in text
    assert "--recount" in text and "never published" in text
    assert "line and column of the published\nfile it was read from" in text  # the DfE's figures


@pytest.mark.parametrize(("value", "counts", "ok"), [
    (25.0, [1, 4], True),            # 1 / 4
    (50.0, [1, 1, 4], True),         # (1 + 1) / 4: vacant + absent over all
    (20.0, [1, 4], True),            # 1 / (1 + 4): a share of the sum
    (0.25, [1, 4], True),            # a fraction rather than a percentage
    (33.3, [1, 3], True),            # rounded to one decimal
    (34.0, [1, 3], False),           # 33.33 does not round to 34
    (30.0, [1, 4], False),
    (10.0, [5, 0], False),           # nothing divided by zero
])
def test_percentages_are_recomputed_from_their_inputs(value, counts, ok):
    assert (lineage.match_percentage(value, counts) is not None) == ok


def test_recount_of_a_fact_without_source_rows_or_dates():
    """Keys that are missing on both sides (no SOURCE_ROW, no DECOM) still match."""
    snapshots = pd.DataFrame({"CASE_ID": ["C1", "C2", "C3"], "CHILD": ["A", "B", "C"], "BAND": ["x", "y", "x"]})
    t = PublishedTable("W", "Waiting", "band", "n", pd.DataFrame({"n": [2]}, index=["x"]),
                       selections={("x", "n"): Selection.of("snapshots", BAND="x")})
    lin = lineage.build_lineage(Paper("q", [t]), {"snapshots": snapshots}, builder="b", parameters={})
    res = lineage.recount_all(lin.figures, lin.contributions, {"snapshots": snapshots})
    assert res["W|x|n"].ok, res["W|x|n"].problems


def test_derived_figure_without_inputs_must_be_a_parameter():
    rec = {"figure_id": "Q03|Adoptions|Annual target", "value": 35.0, "unit": "number", "inputs": "[]",
           "parameters": json.dumps({"period": "2026-27 Q2", "targets": {"exit_team_exits": 28, "adoptions": 35}})}
    r = lineage.check_derived(rec, {})
    assert r.ok and "targets.adoptions" in r.checks[0]
    assert not lineage.check_derived({**rec, "value": 36.0}, {}).ok


def test_trace_lists_the_accepted_exceptions_on_a_figures_source_rows():
    from pipeline.lineage.store import accepted_on_rows

    rows = pd.DataFrame({"SOURCE_FILE": ["ssda903/2026-27_Q2/episodes.csv", "ssda903/2026-27_Q2/episodes.csv"],
                         "SOURCE_ROW": [12, 40]})
    accepted = pd.DataFrame({
        "file": ["ssda903/2026-27_Q2/episodes.csv", "ssda903/2026-27_Q2/episodes.csv", "ssda903/2025-26/episodes.csv"],
        "row": ["40", "41", "12"], "CHILD": ["C7", "C8", "C9"], "rule": ["EP_AGED_18_AT_DECOM"] * 3,
        "policy": ["kept"] * 3, "reason": ["court order"] * 3, "accepted_by": ["A"] * 3, "accepted_on": ["2026-10-05"] * 3,
    })
    got = accepted_on_rows(rows, accepted)
    assert got["CHILD"].tolist() == ["C7"]  # same file and row only
    assert accepted_on_rows(rows, None).empty and accepted_on_rows(rows.iloc[:0], accepted).empty


# --- figures another body published (the DfE's comparators) --------------------------------------

SHA = "5" * 64
ENGLAND_REF = SourceRef("published/cla.csv", 3, "children_count", "81770", SHA,
                        (("time_period", "2025"), ("geographic_level", "National")))
NEIGHBOUR_REFS = (SourceRef("published/cla.csv", 40, "children_count", "955", SHA),
                  SourceRef("published/cla.csv", 52, "children_count", "586", SHA),
                  SourceRef("published/cla.csv", 61, "children_count", "928", SHA))


def _comparator_paper() -> Paper:
    """England as published (line 3); the median of three neighbours (955, 586, 928 -> 928); the
    LA's own figure (T1's total, a count); the DfE's figure minus it (81770 - 3 = 81767); and a
    year the DfE has not published (z: NaN)."""
    p = _paper()
    values = pd.DataFrame({"2025": [81770.0, 928.0, 3.0, 81767.0], "2026": [math.nan] * 4},
                          index=["England", "Median", "Counted here", "Difference"])
    total = (Cell("T1", "Total", "Q1"),)
    comp = DerivedTable("E01", "Children in care: compared", "area", "year", values, fmt="number",
                        inputs={("England", "2025"): (), ("Median", "2025"): (), ("Counted here", "2025"): total,
                                ("Difference", "2025"): total},
                        sources={("England", "2025"): (ENGLAND_REF,), ("Median", "2025"): NEIGHBOUR_REFS,
                                 ("Difference", "2025"): (ENGLAND_REF,)})
    p.derived.append(comp)
    return p


def test_a_published_figure_records_its_file_line_and_sha256_and_the_file_is_an_input():
    lin = lineage.build_lineage(_comparator_paper(), {"exits": EXITS}, builder="b", parameters={})
    figs = lin.figures.set_index("figure_id")
    england = figs.loc["E01|England|2025"]
    assert england["kind"] == "published_elsewhere" and json.loads(england["inputs"]) == []
    assert json.loads(england["sources"]) == [{"publisher": "DfE", "file": "published/cla.csv", "line": 3,
                                               "column": "children_count", "value": "81770", "sha256": SHA,
                                               "key": [["time_period", "2025"], ["geographic_level", "National"]]}]
    assert england["description"] == ("number as published by the DfE: published/cla.csv, line 3, "
                                      "column children_count = 81770")
    assert [r.line for r in lineage.decode_sources(figs.loc["E01|Median|2025", "sources"])] == [40, 52, 61]
    assert figs.loc["E01|Median|2025", "description"] == "number computed from 3 values published by the DfE (published/cla.csv)"
    # the published file is among the inputs, with its sha256, once
    assert lin.inputs[lin.inputs["file"] == "published/cla.csv"]["sha256"].tolist() == [SHA]


def test_own_counts_trace_as_before_and_a_figure_from_both_names_both():
    figs = lineage.build_lineage(_comparator_paper(), {"exits": EXITS}, builder="b",
                                 parameters={}).figures.set_index("figure_id")
    own = figs.loc["E01|Counted here|2025"]
    assert own["kind"] == "derived" and pd.isna(own["sources"]) and json.loads(own["inputs"]) == ["T1|Total|Q1"]
    diff = figs.loc["E01|Difference|2025"]
    assert diff["kind"] == "derived" and json.loads(diff["inputs"]) == ["T1|Total|Q1"]
    assert lineage.decode_sources(diff["sources"]) == [ENGLAND_REF]
    assert "computed from T1|Total|Q1 and from a value published by the DfE" in diff["description"]
    # a year the DfE has not published (z) has no record at all
    assert not figs.index.str.endswith("|2026").any()


def test_a_published_figure_recounts_against_its_file_as_read_back_now():
    lin = lineage.build_lineage(_comparator_paper(), {"exits": EXITS}, builder="b", parameters={})
    now = {("published/cla.csv", 3, "children_count"): "81770", ("published/cla.csv", 40, "children_count"): "955",
           ("published/cla.csv", 52, "children_count"): "586", ("published/cla.csv", 61, "children_count"): "928"}
    res = lineage.recount_all(lin.figures, lin.contributions, {"exits": EXITS}, published=now)
    assert res["E01|England|2025"].ok and res["E01|England|2025"].recomputed == 81770
    assert res["E01|Median|2025"].ok
    assert res["E01|Difference|2025"].ok, res["E01|Difference|2025"].problems
    changed = {**now, ("published/cla.csv", 52, "children_count"): "590"}
    bad = lineage.recount_all(lin.figures, lin.contributions, {"exits": EXITS}, published=changed)
    assert not bad["E01|Median|2025"].ok and bad["E01|England|2025"].ok
    assert bad["E01|Median|2025"].problems == ["published/cla.csv, line 52, column children_count now reads '590', "
                                               "recorded '586'"]
    gone = lineage.recount_all(lin.figures, lin.contributions, {"exits": EXITS}, published={})
    assert not gone["E01|England|2025"].ok and not gone["E01|Difference|2025"].ok
    assert "line 3, column children_count: no longer present" in gone["E01|England|2025"].problems[0]


def test_a_store_written_before_sources_existed_still_recounts():
    figures = _lineage().figures.drop(columns=["sources"])
    res = lineage.recount_all(figures, _lineage().contributions, {"exits": EXITS}, published={})
    assert res["T1p|Adoption|Q1"].ok and res["T1|Adoption|Q1"].ok
