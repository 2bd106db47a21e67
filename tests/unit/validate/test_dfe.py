"""DfE rule codes of each check, and the DfE rules added as they are (hand-worked episodes)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.validate import checks as ck
from pipeline.validate.dfe import dfe_rule_for, with_dfe_rules
from pipeline.validate.rules import RULES, failures_frame


@pytest.mark.parametrize(("rule", "table", "column", "code"), [
    ("CODE_UNKNOWN", "episodes", "LS", "144"),
    ("CODE_UNKNOWN", "episodes", "PLACE", "146"),
    ("REQUIRED_BLANK", "header", "SEX", "101"),
    ("DATE_AFTER_RETURN_END", "episodes", "DEC", "385"),
    ("DATE_AFTER_RETURN_END", "episodes", "DECOM", "354"),
    ("CHILD_NOT_IN_HEADER", "reviews", "CHILD", "INT08"),
    ("DFE_DOB_HEADER", "uasc", "DOB", "INT18"),
    ("EP_OVERLAP", "episodes", "DECOM", "501"),
    ("EP_CHAIN_BROKEN", "episodes", "RNE", "357;432;433"),
    ("DFE_437", "episodes", "REC", "437"),
    ("DATE_AFTER_RETURN_END", "ad1", "DATE_INT", ""),  # no DfE rule on adoption dates after the year
    ("FILE_UNKNOWN", "", "", ""),
    ("TR_STAGE_ORDER", "permanence_tracker", "EVENT_DATE", ""),
])
def test_dfe_rule_by_rule_table_and_column(rule, table, column, code):
    assert dfe_rule_for(rule, table, column) == code


def test_every_dfe_rule_id_names_a_code():
    added = [r for r in RULES if r.startswith("DFE_")]
    assert len(added) >= 15
    assert all(dfe_rule_for(r, "episodes", "X") or dfe_rule_for(r, "uasc", "DOB") for r in added)


def test_with_dfe_rules_adds_the_column_blank_for_own_rules():
    f = failures_frame([
        {"file": "e.csv", "row": 2, "rule": "CODE_UNKNOWN", "table": "episodes", "column": "CIN", "severity": "error"},
        {"file": "x.csv", "rule": "FILE_UNKNOWN", "severity": "warning"},
    ])
    got = with_dfe_rules(f)
    assert got["dfe_rule"].fillna("-").tolist() == ["145", "-"]
    assert "dfe_rule" not in f


def episodes(rows: list[tuple]) -> pd.DataFrame:
    cols = ["CHILD", "DECOM", "DEC", "REC", "RNE", "LS", "PLACE", "PLACE_PROVIDER"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("DECOM", "DEC"):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    return df


def flags(rows: list[tuple], dob: list[str]) -> pd.DataFrame:
    ep = episodes(rows)
    nb = ck.neighbour_episodes(ep)
    return pd.DataFrame(ck.dfe_episode_flags(ep, nb, pd.Series(pd.to_datetime(dob), index=ep.index)))


def test_open_episode_that_is_not_the_last_is_142_and_the_last_may_be_open():
    got = flags([("A", "2024-05-01", None, None, "S", "C2", "U1", "PR1"),
                 ("A", "2024-06-01", None, None, "P", "C2", "U1", "PR1")], ["2015-01-01"] * 2)
    assert got["ok_DFE_142"].tolist() == [False, True]


def test_388_a_leaver_whose_next_episode_starts_that_day():
    got = flags([("A", "2024-05-01", "2024-06-01", "E13", "S", "C2", "U1", "PR1"),
                 ("A", "2024-06-01", None, None, "P", "C2", "U1", "PR1"),
                 ("B", "2024-05-01", "2024-06-01", "E13", "S", "C2", "U1", "PR1"),
                 ("B", "2024-06-02", None, None, "S", "C2", "U1", "PR1")], ["2015-01-01"] * 4)
    assert got["ok_DFE_388"].tolist() == [False, True, True, True]


def test_437_died_then_a_later_episode():
    got = flags([("A", "2024-05-01", "2024-06-01", "E2", "S", "C2", "U1", "PR1"),
                 ("A", "2024-07-01", None, None, "S", "C2", "U1", "PR1"),
                 ("B", "2024-05-01", "2024-06-01", "E2", "S", "C2", "U1", "PR1")], ["2015-01-01"] * 3)
    assert got["ok_DFE_437"].tolist() == [False, True, True]


def test_ages_at_dec_adopted_at_18_sgo_over_18_staying_put_under_18():
    # DOB 01/06/2006: 18 on 01/06/2024, 16 on 01/06/2022, 14 on 01/06/2020
    rows = [("A", "2024-01-01", "2024-06-01", "E11", "S", "C2", "U1", "PR1"),   # adopted on 18th birthday: 386
            ("B", "2024-01-01", "2024-05-31", "E11", "S", "C2", "U1", "PR1"),   # adopted the day before: fine
            ("C", "2024-01-01", "2024-06-02", "E45", "S", "C2", "U1", "PR1"),   # SGO the day after 18: 407
            ("D", "2024-01-01", "2024-05-31", "E17", "S", "C2", "U1", "PR1"),   # staying put under 18: 460
            ("E", "2020-01-01", "2020-05-31", "E5", "S", "C2", "U1", "PR1"),    # independent living at 13: 387
            ("F", "2022-01-01", "2022-05-31", "E7", "S", "C2", "U1", "PR1")]    # adult services at 15: 389
    got = flags(rows, ["2006-06-01"] * 6)
    assert got["ok_DFE_386"].tolist() == [False, True, True, True, True, True]
    assert got["ok_DFE_407"].tolist() == [True, True, False, True, True, True]
    assert got["ok_DFE_460"].tolist() == [True, True, True, False, True, True]
    assert got["ok_DFE_387"].tolist() == [True, True, True, True, False, True]
    assert got["ok_DFE_389"].tolist() == [True, True, True, True, True, False]


def test_placement_rules_358_380_213_and_355():
    rows = [("A", "2016-06-01", "2016-06-01", "E13", "S", "J1", "T1", "PR1"),  # J1 on 10th birthday, temp start, provider, same day
            ("B", "2016-06-02", None, None, "P", "J1", "T1", None)]            # J1 after 10th birthday, RNE P, no provider
    got = flags(rows, ["2006-06-01", "2006-06-01"])
    assert got["ok_DFE_358"].tolist() == [False, True]
    assert got["ok_DFE_380"].tolist() == [False, True]
    assert got["ok_DFE_213"].tolist() == [False, True]
    assert got["ok_DFE_355"].tolist() == [False, True]


def test_431_s_after_a_same_day_end_that_is_not_x1():
    got = flags([("A", "2024-05-01", "2024-06-01", "E13", "S", "C2", "U1", "PR1"),
                 ("A", "2024-06-01", None, None, "S", "C2", "U1", "PR1")], ["2015-01-01"] * 2)
    assert got["ok_DFE_431"].tolist() == [True, False]


def test_oc3_391_and_153():
    # the return ends 31/03/2025; 17th birthdays 01/04/2025 (too late), 31/03/2025 (in time), 02/04/2025
    oc3 = pd.DataFrame({"IN_TOUCH": ["YES", "YES", None], "ACTIV": ["F1", None, None], "ACCOM": ["T2", None, None]})
    dob = pd.Series(pd.to_datetime(["2008-04-01", "2008-03-31", "2008-04-02"]))
    got = ck.dfe_oc3_flags(oc3, dob, pd.Timestamp("2025-03-31"))
    assert got["ok_DFE_391"].tolist() == [False, True, True]  # the third has nothing completed
    assert got["ok_DFE_153"].tolist() == [True, False, True]  # the second is partly completed


def placements(rows: list[tuple], dob: str, year: int | None = None) -> pd.DataFrame:
    """(DECOM, DEC, REC, LS, PLACE, PL_POST, URN) for one child each, all born on `dob`."""
    df = pd.DataFrame(rows, columns=["DECOM", "DEC", "REC", "LS", "PLACE", "PL_POST", "URN"])
    for c in ("DECOM", "DEC"):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    return pd.DataFrame(ck.dfe_placement_flags(df, pd.Series(pd.Timestamp(dob), index=df.index), year))


def test_placement_age_rules_check_closed_episodes_only():
    # born 01/06/2008: 16 on 01/06/2024, 10 on 01/06/2018
    got = placements([("2024-05-31", "2024-07-01", "X1", "C2", "K3", None, None),    # K3 at 15: 371
                      ("2024-06-01", "2024-07-01", "X1", "C2", "K3", None, None),    # K3 on 16th birthday: fine
                      ("2024-05-31", None, None, "C2", "K3", None, None),            # open: the DfE does not check
                      ("2018-05-31", "2018-07-01", "X1", "C2", "R5", None, None)],   # custody at 9: 372
                     "2008-06-01")
    assert got["ok_DFE_371"].tolist() == [False, True, True, True]
    assert got["ok_DFE_372"].tolist() == [True, True, True, False]


def test_p2_minimum_age_was_15_until_2022_23():
    rows = [("2023-09-01", "2023-10-01", "X1", "C2", "P2", None, None)]  # born 01/06/2008: 15 and 3 months
    assert placements(rows, "2008-06-01", 2023)["ok_DFE_370"].tolist() == [True]
    assert placements(rows, "2008-06-01", 2024)["ok_DFE_370"].tolist() == [False]


def test_temporary_placement_longest_stays():
    got = placements([("2024-01-01", "2024-01-08", "X1", "C2", "T4", None, None),   # 7 days: fine
                      ("2024-01-01", "2024-01-09", "X1", "C2", "T4", None, None),   # 8 days: 379
                      ("2024-01-01", "2024-01-23", "X1", "C2", "T3", None, None)],  # 22 days: 376
                     "2010-01-01")
    assert got["ok_DFE_379"].tolist() == [True, False, True]
    assert got["ok_DFE_376"].tolist() == [True, True, False]


def test_legal_status_placement_and_urn_rules():
    got = placements([("2024-01-01", None, None, "V2", "P1", None, None),           # 378
                      ("2024-01-01", "2024-01-05", "E13", "C2", "T1", None, None),  # 381: care ends in a temporary placement
                      ("2024-01-01", None, None, "V3", "T2", None, None),           # 382
                      ("2024-01-01", None, None, "V4", "U4", "NM1 1AA", None),      # 384 and 214
                      ("2024-01-01", None, None, "C2", "R1", None, "SC123456"),     # 222
                      ("2024-01-01", None, None, "C2", "R1", None, "XXXXXXX")],     # XXXXXXX is allowed
                     "2010-01-01", 2025)
    assert got["ok_DFE_378"].tolist() == [False, True, True, True, True, True]
    assert got["ok_DFE_381"].tolist() == [True, False, True, True, True, True]
    assert got["ok_DFE_382"].tolist() == [True, True, False, True, True, True]
    assert got["ok_DFE_384"].tolist() == [True, True, True, False, True, True]
    assert got["ok_DFE_214"].tolist() == [True, True, True, False, True, True]
    assert got["ok_DFE_222"].tolist() == [True, True, True, True, False, True]


def test_urn_list_follows_the_collection_year():
    assert "H5" in ck.no_urn_places(2018) and "P2" in ck.no_urn_places(2024)
    assert "P2" not in ck.no_urn_places(2025) and "Z11" in ck.no_urn_places(2026) and "Z11" in ck.no_urn_places(None)
