"""Splitting a table into jobs: each (return, file) with its rows, in order of first appearance."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.validate.run import rows_by_key


def test_rows_by_key_groups_rows_in_order_of_first_appearance():
    keys = pd.DataFrame({"RETURN": pd.Series(["2025-26", None, "2025-26", "2024-25", None], dtype="str"),
                         "SOURCE_FILE": ["a.csv", "local/b.csv", "a.csv", "a.csv", "local/b.csv"]}).fillna("")
    got = [(k, rows.tolist()) for k, rows in rows_by_key(keys)]
    assert got == [(("2025-26", "a.csv"), [0, 2]), (("", "local/b.csv"), [1, 4]), (("2024-25", "a.csv"), [3])]


def test_rows_by_key_same_value_in_either_column_is_not_the_same_key():
    # (x, y) and (y, x) are different keys even though each column holds both values
    keys = pd.DataFrame({"A": ["x", "y", "x"], "B": ["y", "x", "y"]})
    assert [(k, rows.tolist()) for k, rows in rows_by_key(keys)] == [(("x", "y"), [0, 2]), (("y", "x"), [1])]


def test_rows_by_key_of_no_rows_is_empty():
    assert rows_by_key(pd.DataFrame({"A": pd.Series([], dtype="str")})) == []


# --- GX units: the flag checks of a batch are one expectation; splitting results by hand -------

from pipeline.validate.gx import Prepared, raised_message, run_batches  # noqa: E402
from pipeline.validate.run import (  # noqa: E402
    FLAGS_COLUMN,
    GX_ROW,
    JOB_ID,
    ROW_ID,
    Batch,
    Job,
    batch_result_json,
    failed_flags,
    failures_from_results,
    plan_units,
    split_result,
    unexpected_by_check,
)
from pipeline.validate.suites.common import Check, SuiteContext, flag_check  # noqa: E402

NOT_NULL = Check("REQUIRED_BLANK", "CHILD", "ExpectColumnValuesToNotBeNull", {"column": "CHILD"})
CODES = Check("CODE_UNKNOWN", "LS", "ExpectColumnValuesToBeInSet", {"column": "LS", "value_set": ["C2", "E1"]})
CHECKS = [NOT_NULL, flag_check("DFE_142", "DECOM", "ok_DFE_142"), CODES, flag_check("DATE_FORMAT", "DEC", "ok_DATE_DEC")]


def test_plan_units_keeps_each_plain_check_and_puts_every_flag_check_in_one_unit():
    units = plan_units(CHECKS)
    assert [(u.checks, u.expectation) for u in units] == [
        ((0,), "ExpectColumnValuesToNotBeNull"), ((2,), "ExpectColumnValuesToBeInSet"),
        ((1, 3), "ExpectColumnValuesToBeNull")]
    assert units[2].kwargs == {"column": FLAGS_COLUMN}
    assert units[2].flags == {"DFE_142": (1,), "DATE_DEC": (3,)}
    assert [u.meta["unit"] for u in units] == [0, 1, 2]
    assert units[1].meta == {"unit": 1, "rule": "CODE_UNKNOWN", "column": "LS", "severity": "error"}
    assert units[2].meta["flags"] == {"DFE_142": "DFE_142", "DATE_DEC": "DATE_FORMAT"}


def test_plan_units_without_flag_checks_has_no_flag_unit():
    assert [u.checks for u in plan_units([NOT_NULL, CODES])] == [(0,), (1,)]


def test_failed_flags_names_each_rows_false_flags_and_leaves_true_or_blank_alone():
    frame = pd.DataFrame({"ok_DFE_142": pd.array([True, False, None, False], dtype="boolean"),
                          "ok_DATE_DEC": [False, True, None, False]})
    # row 0: DATE_DEC false; row 1: DFE_142 false; row 2: both blank (not applicable); row 3: both
    assert failed_flags(frame, CHECKS).tolist() == ["DATE_DEC", "DFE_142", None, "DFE_142 DATE_DEC"]


def test_unexpected_by_check_reads_the_flag_names_of_each_row():
    flags = plan_units(CHECKS)[2]
    got = unexpected_by_check(flags, [{GX_ROW: 4, FLAGS_COLUMN: "DATE_DEC"}, {GX_ROW: 7, FLAGS_COLUMN: "DFE_142 DATE_DEC"}])
    assert got == {3: [4, 7], 1: [7]}
    assert unexpected_by_check(plan_units(CHECKS)[0], [{GX_ROW: 2, "CHILD": None}]) == {0: [2]}


def _entry(unit: int, success: bool, unexpected: list[dict] | None = None, exception: dict | None = None) -> dict:
    return {"success": success, "expectation_config": {"id": "random", "meta": {"unit": unit}},
            "result": {} if unexpected is None else {"unexpected_index_list": unexpected, "unexpected_list": [0] * 30},
            "exception_info": exception or {"raised_exception": False, "exception_message": None}}


def _batch() -> tuple[Batch, pd.DataFrame]:
    ctx = SuiteContext("episodes")
    jobs = [Job("a", ctx, "2024-25/episodes.csv", pd.DataFrame(), CHECKS),
            Job("b", ctx, "2025-26/episodes.csv", pd.DataFrame(), CHECKS)]
    # GX_ROW 0-2 are rows 2-4 of file a, GX_ROW 3-4 rows 2-3 of file b
    frame = pd.DataFrame({GX_ROW: range(5), JOB_ID: [0, 0, 0, 1, 1], ROW_ID: [2, 3, 4, 2, 3]})
    return Batch("episodes", "episodes", jobs), frame


def test_split_result_takes_verdicts_from_the_first_pass_and_rows_from_the_second():
    batch, frame = _batch()
    units = plan_units(CHECKS)
    first = {"results": [_entry(0, True), _entry(1, False), _entry(2, False)]}
    detail = {"results": [_entry(1, False, [{GX_ROW: 1, "LS": "Z9"}, {GX_ROW: 4, "LS": "Z9"}]),
                          _entry(2, False, [{GX_ROW: 3, FLAGS_COLUMN: "DFE_142 DATE_DEC"}])]}
    a, b = split_result(batch, units, frame, first, detail)
    assert (a.success, a.unexpected) == (False, {2: [3]})  # CODE_UNKNOWN on file a's row 3
    assert (b.success, b.unexpected) == (False, {2: [3], 1: [2], 3: [2]})
    assert a.gx is first and a.detail is detail


def test_split_result_of_a_clean_batch_is_success_for_every_job():
    batch, frame = _batch()
    results = split_result(batch, plan_units(CHECKS), frame, {"results": [_entry(u, True) for u in range(3)]}, None)
    assert [(r.success, r.unexpected, r.errors) for r in results] == [(True, {}, {})] * 2


def test_an_expectation_gx_could_not_evaluate_is_an_error_of_every_check_it_covers():
    batch, frame = _batch()
    per_metric = {"column_values.nonnull.unexpected_count(...)": {"raised_exception": True, "exception_message": "no column FAILED"}}
    first = {"results": [_entry(0, True), _entry(1, True), _entry(2, False, exception=per_metric)]}
    a, b = split_result(batch, plan_units(CHECKS), frame, first, None)
    assert a.errors == b.errors == {1: "no column FAILED", 3: "no column FAILED"} and not a.success
    with pytest.raises(RuntimeError, match="expectation for DFE_142 failed to run: no column FAILED"):
        failures_from_results(batch.jobs, [a, b])


def test_a_failure_with_no_unexpected_row_is_refused_not_dropped():
    batch, frame = _batch()
    first = {"results": [_entry(0, False), _entry(1, True), _entry(2, True)]}
    with pytest.raises(RuntimeError, match="listed no unexpected row"):
        split_result(batch, plan_units(CHECKS), frame, first, {"results": [_entry(0, False, [])]})


def test_raised_message_reads_either_form_of_gx_exception_info():
    assert raised_message(_entry(0, True)) is None
    assert raised_message(_entry(0, False, exception={"raised_exception": True, "exception_message": "boom"})) == "boom"
    both = {"m1": {"raised_exception": True, "exception_message": "x"}, "m2": {"raised_exception": False}}
    assert raised_message(_entry(0, False, exception=both)) == "x"


def test_batch_result_json_has_no_random_id_or_clock_time_and_keeps_the_second_pass_detail():
    first = {"id": "3f2a", "meta": {"validation_id": "ab12-random", "batch_markers": {"ge_load_time": "20261206T090014.076651Z"}},
             "results": [_entry(0, True), _entry(1, False)]}
    detail = {"suite_name": "episodes__failed", "results": [_entry(1, False, [{GX_ROW: r} for r in range(30)])]}
    got = batch_result_json("episodes", first, detail)
    assert got["id"] is None and got["meta"]["validation_id"] == "episodes"
    assert got["meta"]["batch_markers"]["ge_load_time"] == "19800101T000000.000000Z"
    assert [e["expectation_config"]["id"] for e in got["results"]] == ["episodes:0", "episodes:1"]
    assert len(got["results"][1]["result"]["unexpected_index_list"]) == 20  # trimmed; failures.csv has all
    assert got["meta"]["second_pass"] == {"suite_name": "episodes__failed", "result_format": "COMPLETE", "units": [1]}
    assert first["results"][1]["result"] == {}  # the input is not changed


def test_gx_reports_an_expectation_on_a_missing_column_as_not_evaluated():
    units = plan_units([NOT_NULL])
    frame = pd.DataFrame({GX_ROW: [0, 1], "OTHER": ["x", "y"]})
    [(first, detail)] = run_batches([Prepared("t", frame, units)], None, "raw-test")
    assert detail is None and not first["results"][0]["success"]
    assert "CHILD" in raised_message(first["results"][0])


def test_import_gx_leaves_garbage_collection_as_it_found_it():
    import gc

    from pipeline.validate.gx import import_gx

    import_gx()
    assert gc.isenabled()
    gc.disable()
    try:
        import_gx()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_run_jobs_hands_each_batch_to_the_runner_and_splits_its_results_by_job():
    from pipeline.validate.run import run_jobs

    ctx = SuiteContext("episodes")
    frame = pd.DataFrame({ROW_ID: [2, 3], "CHILD": ["C1", None], "LS": ["C2", "Z9"], "ok_DFE_142": [True, False],
                          "ok_DATE_DEC": [True, True], "DECOM": ["01/04/2025", "02/04/2025"], "DEC": [None, None]})
    jobs = [Job("a", ctx, "2024-25/episodes.csv", frame, CHECKS), Job("b", ctx, "2025-26/episodes.csv", frame, CHECKS)]
    seen = []

    def runner(batches, docs_dir, run_name):
        seen.append(([(b.name, len(b.frame), len(b.units)) for b in batches], docs_dir, run_name))
        # GX_ROW 1 (file a, row 3) fails LS and the flag DFE_142; GX_ROW 3 (file b, row 3) fails LS
        first = {"results": [_entry(0, True), _entry(1, False), _entry(2, False)]}
        detail = {"results": [_entry(1, False, [{GX_ROW: 1}, {GX_ROW: 3}]),
                              _entry(2, False, [{GX_ROW: 1, FLAGS_COLUMN: "DFE_142"}])]}
        return [(first, detail)]

    a, b = run_jobs(jobs, None, "raw-test", runner)
    assert seen == [([("episodes", 4, 3)], None, "raw-test")]  # one batch: both files stacked
    assert a.unexpected == {2: [3], 1: [3]} and b.unexpected == {2: [3]}
