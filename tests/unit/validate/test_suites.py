"""The suites as code: one suite per table and return, every check names a registered rule."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import schema
from pipeline.validate.rules import RULES
from pipeline.validate.suites import SUITE_MODULES
from pipeline.validate.suites.common import add_context_columns, context_for


def test_in_year_extracts_of_one_year_get_their_own_suites_and_end_dates():
    q1, q2 = context_for("episodes", "2026-27_Q1"), context_for("episodes", "2026-27_Q2")
    assert q1.suite_name != q2.suite_name
    assert (q1.return_end, q2.return_end) == (pd.Timestamp("2026-06-30"), pd.Timestamp("2026-09-30"))


@pytest.mark.parametrize("table", sorted(SUITE_MODULES))
def test_every_check_is_a_registered_rule_on_an_existing_column(table):
    ctx = context_for(table, None if table in schema.LOCAL_FILES else "2025-26")
    columns = {c.name for c in (schema.SSDA903_TABLES.get(table) or schema.LOCAL_FILES[table])}
    for check in SUITE_MODULES[table].checks(ctx):
        assert check.rule in RULES
        assert check.column in columns


def test_place_codes_follow_the_collection_year():
    # H5 is a placement code up to 2024-25 only, K3 from 2025-26 on; U1 is valid in both
    frame = pd.DataFrame({"PLACE": ["K3", "H5", "U1", None]})

    def ok(ret):
        return add_context_columns(frame, context_for("episodes", ret))["ok_YEAR_PLACE"].tolist()
    assert ok("2024-25") == [False, True, True, True]
    assert ok("2025-26") == [True, False, True, True]
    for ret in ("2024-25", "2025-26"):
        checks = SUITE_MODULES["episodes"].checks(context_for("episodes", ret))
        assert [c.kwargs["column"] for c in checks if c.rule == "CODE_NOT_VALID_FOR_YEAR"] == ["ok_YEAR_PLACE"]


def test_every_return_of_a_table_has_the_same_expectations():
    """The return's end date and year are per-row columns, so GX runs a table's returns at once."""
    def spec(ret):
        return [(c.expectation, c.kwargs) for c in SUITE_MODULES["episodes"].checks(context_for("episodes", ret))]
    assert spec("2019-20") == spec("2025-26") == spec("2026-27_Q2")
    ends = add_context_columns(pd.DataFrame({"PLACE": ["U1"]}), context_for("episodes", "2026-27_Q1"))["RETURN_END_as_date"]
    assert ends.tolist() == [pd.Timestamp("2026-06-30")]


def test_oc3_care_leavers_need_not_be_in_the_header():
    rules = {c.rule for c in SUITE_MODULES["oc3"].checks(context_for("oc3", "2025-26"))}
    assert "CHILD_NOT_IN_HEADER" not in rules
    assert "CHILD_NOT_IN_HEADER" in {c.rule for c in SUITE_MODULES["oc2"].checks(context_for("oc2", "2025-26"))}


def test_docs_list_every_rule(project_root):
    text = (project_root / "docs" / "validation.md").read_text()
    missing = [r for r in RULES if f"`{r}`" not in text]
    assert not missing
