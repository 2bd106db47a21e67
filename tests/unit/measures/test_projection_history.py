"""The months of moves a projection may use: only whole months the returns cover, back from the
base 31 March, at most the window set; none before the first return; declined under a year."""

from datetime import date

import pytest

from pipeline.config import load_params
from pipeline.coverage import build_coverage_fact
from pipeline.measures.projection import describe_history, project_children_in_care
from tests.conftest import ROOT


def _history(returns, year="2024-25", window=3):
    params = load_params(ROOT / "params.yaml", [f"sufficiency_year={year}", f"projection.window_years={window}"])
    return describe_history({"coverage": build_coverage_fact(returns)}, params)


@pytest.mark.parametrize(("returns", "months", "start"), [
    (["2022-23", "2023-24", "2024-25"], 36, date(2022, 4, 1)),
    (["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"], 36, date(2022, 4, 1)),   # at most the window
    (["2023-24", "2024-25"], 24, date(2023, 4, 1)),
    (["2024-25"], 12, date(2024, 4, 1)),
    (["2021-22", "2023-24", "2024-25"], 24, date(2023, 4, 1)),                        # a missing year stops it
    (["2023-24", "2024-25", "2025-26_Q1"], 24, date(2023, 4, 1)),                     # later data: not used
])
def test_the_months_used_are_the_covered_run_ending_at_the_base(returns, months, start):
    h = _history(returns)
    assert (h.months, h.start, h.end, h.declined) == (months, start, date(2025, 3, 31), "")


def test_a_shortened_window_says_so_in_the_paper():
    assert _history(["2023-24", "2024-25"]).describe() == (
        "The rates come from 2 years of moves in and out of care and between placements (1 April 2023 to "
        "31 March 2025), not the 3 years set: the returns do not reach further back. A projection from a short "
        "history is less certain than the range shows.")
    assert _history(["2022-23", "2023-24", "2024-25"]).describe().endswith("(1 April 2022 to 31 March 2025).")


def test_less_than_a_year_is_declined_with_the_reason():
    h = _history(["2025-26_Q3"], year="2024-25")      # 31 March 2025 is its opening stock: no months before it
    assert h.months == 0 and h.describe() == (
        "No projection: the returns cover 0 whole months of moves before 31 March 2025 (they start on 1 April "
        "2025); the projection needs at least 12.")
    base = _history(["2023-24"], year="2024-25")
    assert base.declined.startswith("the base date is not covered: no return covers 31 March 2025")


def test_a_declined_projection_is_empty_not_zero():
    params = load_params(ROOT / "params.yaml", ["sufficiency_year=2024-25"])
    assert project_children_in_care({"coverage": build_coverage_fact(["2025-26_Q3"])}, params).empty


def test_without_a_coverage_fact_the_window_set_is_used():
    params = load_params(ROOT / "params.yaml", ["sufficiency_year=2024-25"])
    assert describe_history({}, params).months == 36


def test_the_measures_export_gives_the_history_and_a_declined_projection_with_its_reason():
    import pandas as pd

    from pipeline.coverage import mark_uncovered, read_coverage
    from pipeline.measures.sufficiency import compute_projection_measures

    params = load_params(ROOT / "params.yaml", ["sufficiency_year=2024-25", "projection.years=2"])
    facts = {"coverage": build_coverage_fact(["2025-26_Q3"]), "care_transitions": pd.DataFrame()}
    rows = compute_projection_measures(facts, params)
    assert rows[0] == ("projection_history_months", "2024-25", "", "", 0.0, "months")
    assert len(rows) == 1 + 2 * 3 and all(r[5] == "unavailable" for r in rows[1:])
    framed = pd.DataFrame([r[:6] for r in compute_projection_measures(facts, params)],
                          columns=["measure_id", "period", "dimension", "category", "value", "unit"])
    framed["reason"] = [r[6] if len(r) > 6 else "" for r in compute_projection_measures(facts, params)]
    out = mark_uncovered(framed, read_coverage(facts), params.period)
    assert out["reason"].iloc[1].startswith("the returns cover 0 whole months of moves before 31 March 2025")
