"""The consistency checks used on synthetic data must catch broken returns."""

import pandas as pd

from tests import synth_checks as checks

COLS = ["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC"]


def episodes(*rows):
    return pd.DataFrame(rows, columns=COLS)


GOOD = episodes(
    ("A", "01/05/2023", "S", "C1", "U6", "10/06/2024", "X1"),
    ("A", "10/06/2024", "P", "C2", "P1", "15/01/2025", "E4A"),
    ("A", "01/03/2025", "S", "V2", "U6", "", ""),
)


def test_a_good_chain_passes():
    assert checks.check_chains(GOOD, pd.Timestamp("2024-04-01")) == []
    assert checks.check_dates_and_reasons(GOOD) == []
    assert checks.check_legal_status(GOOD) == []


def test_x1_without_a_same_day_successor_fails():
    bad = GOOD.copy()
    bad.loc[1, "DECOM"] = "11/06/2024"
    assert any("X1 not followed" in p for p in checks.check_chains(bad, pd.Timestamp("2023-04-01")))


def test_new_period_without_s_fails():
    bad = GOOD.copy()
    bad.loc[2, "RNE"] = "P"
    assert any("not followed by a new period" in p for p in checks.check_chains(bad, pd.Timestamp("2023-04-01")))


def test_rec_without_dec_and_dec_before_decom_fail():
    bad = GOOD.copy()
    bad.loc[2, "REC"] = "E13"
    bad.loc[0, "DEC"] = "01/01/2023"
    problems = checks.check_dates_and_reasons(bad)
    assert len(problems) == 2


def test_placement_with_parents_needs_a_care_order():
    bad = GOOD.copy()
    bad.loc[1, "LS"] = "V2"
    assert checks.check_legal_status(bad) == ["A 10/06/2024: P1 with legal status V2"]


def test_tracker_outcome_without_the_exit_fails():
    tracker = pd.DataFrame({"CASE_ID": ["C1"], "CHILD": ["A"], "ROUTE": ["PWP"], "STAGE": ["REVOKED"],
                            "EVENT_DATE": ["2025-01-16"]})
    assert len(checks.check_tracker_outcomes(tracker, GOOD.assign(PLACE="U6"))) == 1
    tracker["EVENT_DATE"] = "2025-01-15"
    assert checks.check_tracker_outcomes(tracker, GOOD) == []


def test_tracker_stages_out_of_order_fail():
    tracker = pd.DataFrame({"CASE_ID": ["C1", "C1"], "CHILD": ["A", "A"], "ROUTE": ["SGO", "SGO"],
                            "STAGE": ["PANEL", "STAGE1"], "EVENT_DATE": ["2025-01-01", "2025-02-01"],
                            "RECORDED_DATE": ["2025-01-01", "2025-02-01"]})
    assert checks.check_tracker_order(tracker) == ["C1: stages out of order ['PANEL', 'STAGE1']"]


def test_overlapping_staff_spells_fail():
    staff = pd.DataFrame({"POST_ID": ["P1", "P1"], "FROM_DATE": ["2020-01-01", "2020-06-01"],
                          "TO_DATE": ["2020-06-30", ""]})
    assert len(checks.check_staffing(staff)) == 1
