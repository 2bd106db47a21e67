"""Per-row flags for cross-row rules, and typed parsing: expected, edge and erroneous cases."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import schema
from pipeline.validate import checks as ck


def eps(rows: list[tuple]) -> pd.DataFrame:
    """(CHILD, DECOM, DEC, REC, RNE) with ISO dates or None."""
    df = pd.DataFrame(rows, columns=["CHILD", "DECOM", "DEC", "REC", "RNE"])
    df["DECOM"] = pd.to_datetime(df["DECOM"]).astype("datetime64[ns]")
    df["DEC"] = pd.to_datetime(df["DEC"]).astype("datetime64[ns]")
    return df


START = pd.Timestamp("2024-04-01")


def test_parse_dates_both_forms_and_bad_values():
    got = ck.parse_dates(pd.Series(["01/04/2024", "2024-04-02", "1/4/2024", "31/02/2024", "2024/04/01", None]))
    assert got.dtype == "datetime64[ns]"
    assert got.iloc[:3].dt.strftime("%Y-%m-%d").tolist() == ["2024-04-01", "2024-04-02", "2024-04-01"]
    assert got.iloc[3:].isna().all()


def test_parse_bools():
    assert ck.parse_bools(pd.Series(["1", "0", "true", "no", "maybe", None])).tolist() == [True, False, True, False, pd.NA, pd.NA]


def test_add_years_keeps_the_calendar_day():
    got = ck.add_years(pd.Series(pd.to_datetime(["2006-07-01", "2008-02-28", "2007-12-31"])), 18)
    assert got.dt.strftime("%Y-%m-%d").tolist() == ["2024-07-01", "2026-02-28", "2025-12-31"]


def test_add_years_29_february_is_1_march_in_a_common_year():
    # 2026 is a common year: born 29/02/2008, 18 on 01/03/2026; 2024 is a leap year: 16 on 29/02/2024
    dob = pd.Series(pd.to_datetime(["2008-02-29", "2008-02-29", "2008-02-29"]))
    got = pd.concat([ck.add_years(dob.iloc[[0]], 18), ck.add_years(dob.iloc[[1]], 16), ck.add_years(dob.iloc[[2]], 17)])
    assert got.dt.strftime("%Y-%m-%d").tolist() == ["2026-03-01", "2024-02-29", "2025-03-01"]


def test_add_years_blank_stays_blank():
    got = ck.add_years(pd.Series(pd.to_datetime(["2008-02-29", None])).astype("datetime64[ns]"), 18)
    assert got.dtype == "datetime64[ns]"
    assert got.iloc[0] == pd.Timestamp("2026-03-01")
    assert pd.isna(got.iloc[1])


def test_overlap_flags_the_later_episode():
    e = eps([("A", "2024-05-01", "2024-06-01", "X1", "S"), ("A", "2024-05-20", None, None, "P"),
             ("B", "2024-05-01", None, None, "S"), ("B", "2024-07-01", None, None, "S"),  # open then another
             ("C", "2024-05-01", "2024-06-01", "E4A", "S"), ("C", "2024-06-01", None, None, "S")])  # same-day restart
    nb = ck.neighbour_episodes(e)
    assert ck.flag_no_overlap(e, nb).tolist() == [True, False, True, False, True, True]


def test_overlap_ignores_rows_without_decom():
    e = eps([("A", None, "2024-06-01", "X1", "S"), ("A", "2024-05-20", None, None, "P")])
    assert ck.flag_no_overlap(e, ck.neighbour_episodes(e)).tolist() == [True, True]


def test_x1_must_be_followed_the_same_day():
    e = eps([("A", "2024-05-01", "2024-06-01", "X1", "S"), ("A", "2024-06-01", "2024-07-01", "X1", "P"),
             ("A", "2024-07-02", None, None, "P"), ("B", "2024-05-01", "2024-06-01", "E4A", "S")])
    assert ck.flag_x1_followed(e, ck.neighbour_episodes(e)).tolist() == [True, False, True, True]


def test_chain_non_s_needs_x1_the_same_day_unless_carried_over():
    e = eps([("A", "2023-01-01", None, None, "P"),  # carried over from before the return: passes
             ("B", "2024-05-01", None, None, "P"),  # starts in the year with no predecessor: fails
             ("C", "2024-05-01", "2024-06-01", "E4A", "S"), ("C", "2024-06-01", None, None, "P"),  # after E4A: fails
             ("D", "2024-05-01", "2024-06-01", "X1", "S"), ("D", "2024-06-01", None, None, "L")])
    assert ck.flag_chain(e, ck.neighbour_episodes(e), START).tolist() == [True, False, True, False, True, True]


def test_s_may_not_follow_x1_same_day():
    e = eps([("A", "2024-05-01", "2024-06-01", "X1", "S"), ("A", "2024-06-01", None, None, "S"),
             ("B", "2024-05-01", "2024-06-01", "E4A", "S"), ("B", "2024-06-01", None, None, "S")])
    assert ck.flag_s_not_after_x1(e, ck.neighbour_episodes(e)).tolist() == [True, False, True, True]


def test_flag_in_passes_blanks():
    assert ck.flag_in(pd.Series(["A", None, "Z"]), ["A", "B"]).tolist() == [True, True, False]


def tracker(rows):
    t = pd.DataFrame(rows, columns=["CASE_ID", "CHILD", "ROUTE", "STAGE", "EVENT_DATE"])
    t["EVENT_DATE"] = pd.to_datetime(t["EVENT_DATE"]).astype("datetime64[ns]")
    return t


def test_stage_order_per_case():
    t = tracker([("K1", "A", "SGO", "REFERRAL", "2024-05-01"), ("K1", "A", "SGO", "PANEL", "2024-04-01"),
                 ("K1", "A", "SGO", "ASSESSMENT", "2024-06-01"), ("K1", "A", "SGO", "CLOSED", "2024-07-01"),
                 ("K2", "B", "PWP", "REFERRAL", "2024-05-01"), ("K2", "B", "PWP", "RETURNED", "2024-04-01"),
                 ("K3", "C", "SGO", "NOT_A_STAGE", "2020-01-01")])
    rank = ck.stage_rank(t["ROUTE"], t["STAGE"], schema.TRACKER_STAGES, schema.TRACKER_END_STAGES)
    assert rank.tolist()[:4] == [0, 3, 2, 100]
    # PANEL (rank 3) dated before REFERRAL and ASSESSMENT; the end stage dated before the referral
    assert ck.flag_stage_order(t, rank).tolist() == [True, False, True, True, True, False, True]


def test_case_consistency():
    t = tracker([("K1", "A", "SGO", "REFERRAL", "2024-05-01"), ("K1", "B", "SGO", "PANEL", "2024-06-01"),
                 ("K2", "C", "CP", "REFERRAL", "2024-05-01"), (None, "D", "CP", "REFERRAL", "2024-05-01")])
    assert ck.flag_case_consistent(t).tolist() == [False, False, True, True]


def test_outcome_must_match_an_episode_ceasing_that_day():
    t = tracker([("K1", "A", "SGO", "GRANTED", "2024-06-01"), ("K2", "B", "SGO", "GRANTED", "2024-06-01"),
                 ("K3", "C", "ADOPTION", "ADOPTION_ORDER", "2024-06-01"), ("K4", "D", "SGO", "REFERRAL", "2024-06-01"),
                 ("K5", "E", "SGO", "GRANTED", "2025-06-01")])
    e = eps([("A", "2024-01-01", "2024-06-01", "E45", "S"), ("B", "2024-01-01", "2024-06-01", "E4A", "S"),
             ("C", "2024-01-01", "2024-06-02", "E11", "S")])
    got = ck.flag_outcome_matches(t, e, schema.TRACKER_OUTCOME, pd.Timestamp("2025-03-31"))
    # A matches; B ceased with the wrong REC; C a day out; D is not an outcome; E is after every return
    assert got.tolist() == [True, False, False, True, True]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 100), st.booleans()), min_size=1, max_size=8))
def test_a_proper_chain_passes_every_episode_rule(spans):
    rows, d = [], pd.Timestamp("2024-04-10")
    for i, (days, last_open) in enumerate(spans):
        end = d + pd.Timedelta(days=days)
        is_last = i == len(spans) - 1
        rows.append(("A", d, None if (is_last and last_open) else end, None if (is_last and last_open) else ("E4A" if is_last else "X1"),
                     "S" if i == 0 else "P"))
        d = end
    e = eps(rows)
    nb = ck.neighbour_episodes(e)
    for flag in (ck.flag_no_overlap(e, nb), ck.flag_x1_followed(e, nb), ck.flag_chain(e, nb, START), ck.flag_s_not_after_x1(e, nb)):
        assert flag.all()


def test_is_in_matches_pandas_isin_blank_included():
    values = pd.Series(["C1", None, "C2", "C3", "C1"], dtype="str")
    assert ck.is_in(values, ["C1", "C3", "C3"]).tolist() == [True, False, False, True, True]
    # a blank is in only when the allowed values hold a blank (as pandas' isin)
    assert ck.is_in(values, pd.Index(["C2", None])).tolist() == [False, True, True, False, False]
    assert ck.is_in(values, []).tolist() == [False] * 5


def test_flag_in_passes_blanks_and_ignores_blank_allowed_values():
    values = pd.Series(["C1", None, "C9"], dtype="str")
    assert ck.flag_in(values, pd.Series(["C1", None], dtype="str")).tolist() == [True, True, False]

