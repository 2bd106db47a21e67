import pandas as pd
import pytest

from pipeline.papers.assemble import build_dq_table, restrict_published_before
from pipeline.tables import Paper, PublishedTable


def test_warnings_are_counted_by_rule_and_table_without_their_messages():
    warnings = pd.DataFrame({
        "rule": ["HDR_UPN_FORMAT", "HDR_UPN_FORMAT", "EP_POSTCODE_FORMAT"],
        "table": ["header", "header", "episodes"],
        "message": ["UPN was 'A12'", "UPN was 'B34'", "HOME_POST was 'NM1 4QT'"],
        "CHILD": ["C1", "C2", "C3"],
    })
    t = build_dq_table(warnings, {"HDR_UPN_FORMAT": "UPN is not a letter and 12 characters."})
    assert t.rows == ["EP_POSTCODE_FORMAT: EP_POSTCODE_FORMAT (episodes)",
                      "HDR_UPN_FORMAT: UPN is not a letter and 12 characters (header)", "Total"]
    assert t.values["Records"].tolist() == [1, 2, 3]
    assert t.check_additive() == [] and t.suppress
    text = " ".join(t.rows)
    assert "A12" not in text and "NM1" not in text and "C1" not in text


def test_no_warnings_file_means_no_table_and_a_bad_file_is_refused():
    assert build_dq_table(None, {}) is None
    assert build_dq_table(pd.DataFrame(columns=["rule", "table"]), {}) is None
    with pytest.raises(ValueError, match="no rule, table column"):
        build_dq_table(pd.DataFrame({"x": [1]}), {})


def test_only_earlier_figures_of_this_papers_cells_are_kept():
    t = PublishedTable("T", "T", "r", "c", pd.DataFrame({"Q1": [12.0]}, index=["a"]))
    paper = restrict_published_before(Paper("p", tables=[t]), {"T|a|Q1": 11, "T|b|Q1": 5, "U|a|Q1": 3})
    assert paper.published_before == {"T|a|Q1": 11.0}


def test_only_columns_that_mean_the_same_figure_in_every_period_are_matched():
    from pipeline.papers.assemble import select_comparable_figures

    known = {"Q01|SGO|Q1": 12.0, "Q01|SGO|Year to date": 12.0, "Q04|Referrals|Open at quarter end": 20.0}
    assert select_comparable_figures("quarterly", known) == {"Q01|SGO|Q1": 12.0}
    known = {"S01|Under 1|31 March 2025": 11.0, "S12|Started|2024-25": 90.0, "S18|Fostering|All ages": 1.0}
    assert select_comparable_figures("sufficiency", known) == {"S01|Under 1|31 March 2025": 11.0,
                                                               "S12|Started|2024-25": 90.0}


def test_accepted_exceptions_are_counted_by_rule_table_and_policy_without_reasons():
    from pipeline.papers.assemble import build_accepted_table

    accepted = pd.DataFrame({
        "rule": ["EP_AGED_18_AT_DECOM", "EP_AGED_18_AT_DECOM", "EP_OVERLAP"],
        "table": ["episodes"] * 3,
        "policy": ["kept", "kept", "set aside"],
        "reason": ["court extended the order for C1", "same", "entered twice"],
        "CHILD": ["C1", "C2", "C3"],
    })
    t = build_accepted_table(accepted, {"EP_AGED_18_AT_DECOM": "The child was 18 or over at DECOM."})
    assert t.table_id == "DQ02_accepted_exceptions"
    assert t.rows == ["EP_AGED_18_AT_DECOM: The child was 18 or over at DECOM (episodes; kept)",
                      "EP_OVERLAP: EP_OVERLAP (episodes; set aside)", "Total"]
    assert t.values["Records"].tolist() == [2, 1, 3]
    assert t.check_additive() == [] and t.suppress
    assert "court" not in " ".join(t.rows) + t.caption and "C1" not in " ".join(t.rows)
    assert build_accepted_table(None, {}) is None and build_accepted_table(accepted.iloc[:0], {}) is None
