import math

import pytest

from pipeline.render.published import (
    NA,
    SHOWN,
    SUPPRESSED,
    publish_paper,
    round_published,
    tidy_published,
)


def test_suppressed_cells_have_no_value_and_the_symbol_in_tidy_form(published):
    t = published.table("T1_exits")
    assert t.status.at["Placed with parents", "Q1"] == SUPPRESSED
    assert math.isnan(t.values.at["Placed with parents", "Q1"])
    tidy = tidy_published(t)
    row = tidy[(tidy["row"] == "Placed with parents") & (tidy["column"] == "Q1")]
    assert row["value"].tolist() == ["x"]
    assert tidy[(tidy["row"] == "Total") & (tidy["column"] == "Q2")]["value"].tolist() == ["27"]


def test_percentages_are_rounded_as_published(published):
    # 20 / 38 = 52.63% -> 53; 18 / 38 = 47.37% -> 47
    t = published.table("T1p_share")
    assert t.values.at["Special guardianship order", "Share"] == 53
    assert t.values.at["Placed with parents", "Share"] == 47
    assert t.status.at["Placed with parents", "Share"] == SHOWN


def test_a_table_without_a_protection_result_is_refused(paper):
    with pytest.raises(KeyError, match="T1p_share"):
        publish_paper(paper, {"T1_exits": set()})


def test_missing_values_are_not_applicable(paper):
    paper.derived[0].values.iloc[0, 0] = float("nan")
    pub = publish_paper(paper, {"T1_exits": set(), "T1p_share": set()})
    assert pub.table("T1p_share").status.iat[0, 0] == NA


@pytest.mark.parametrize("value, fmt, expected", [(2.5, "count", 3.0), (0.5, "percent", 1.0), (12.25, "rate", 12.3),
                                                  (-2.5, "money", -3.0), (1234.4, "money", 1234.0)])
def test_rounding_is_half_away_from_zero(value, fmt, expected):
    assert round_published(value, fmt) == expected
