"""DfE rules on providers, adoption paths, legal-status durations, short breaks, temporary
placements, reasons for change and the mother field: each worked by hand, a row that passes
and a row that fails (pipeline.validate.checks.dfe_sequence_flags and the mother flags)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.validate import checks as ck

COLS = ["CHILD", "DECOM", "DEC", "REC", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "PL_POST", "URN", "HOME_POST",
        "REASON_PLACE_CHANGE"]
START, END = pd.Timestamp("2024-04-01"), pd.Timestamp("2025-03-31")


def ep(*rows: dict) -> pd.DataFrame:
    """Episodes from dicts; unnamed columns take a plain foster placement's values."""
    base = {"CHILD": "A", "DEC": None, "REC": None, "RNE": "S", "LS": "C2", "PLACE": "U4", "PLACE_PROVIDER": "PR1",
            "PL_POST": "NM1 1AA", "URN": "SC1", "HOME_POST": "NM2 2BB", "REASON_PLACE_CHANGE": None}
    df = pd.DataFrame([{**base, **r} for r in rows], columns=COLS)
    for c in ("DECOM", "DEC"):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    return df


def flag(code: str, frame: pd.DataFrame) -> list[bool]:
    return ck.dfe_sequence_flags(frame, START, END)[f"ok_DFE_{code}"].tolist()


@pytest.mark.parametrize(("code", "provider", "bad_place", "good_place"), [
    ("527", "PR1", "R2", "U1"), ("528", "PR2", "P1", "K2"), ("529", "PR3", "K1", "R1"),
    ("530", "PR4", "P1", "U4"), ("531", "PR5", "P1", "R1"), ("550", "PR0", "U4", "P1"),
])
def test_provider_and_placement_pairs(code, provider, bad_place, good_place):
    frame = ep({"CHILD": "A", "DECOM": "2024-05-01", "PLACE": bad_place, "PLACE_PROVIDER": provider},
               {"CHILD": "B", "DECOM": "2024-05-01", "PLACE": good_place, "PLACE_PROVIDER": provider})
    assert flag(code, frame) == [False, True]


@pytest.mark.parametrize(("code", "status", "days"), [("361", "L1", 3), ("362", "L2", 21), ("363", "L3", 7), ("364", "J2", 21)])
def test_legal_status_runs_longer_than_allowed(code, status, days):
    start = pd.Timestamp("2024-05-01")
    frame = ep(  # A: two consecutive episodes under the status, together one day too long; B: exactly the limit
        {"CHILD": "A", "DECOM": start, "DEC": start + pd.Timedelta(days=1), "REC": "X1", "LS": status},
        {"CHILD": "A", "DECOM": start + pd.Timedelta(days=1), "DEC": start + pd.Timedelta(days=days + 1), "REC": "X1",
         "RNE": "L", "LS": status},
        {"CHILD": "A", "DECOM": start + pd.Timedelta(days=days + 1), "RNE": "L", "LS": "C2"},
        {"CHILD": "B", "DECOM": start, "DEC": start + pd.Timedelta(days=days), "REC": "E13", "LS": status})
    assert flag(code, frame) == [False, False, True, True]


def test_legal_status_still_open_runs_to_the_return_end():
    frame = ep({"CHILD": "A", "DECOM": "2025-03-20", "LS": "L1"},    # open: 11 days to 31/03/2025
               {"CHILD": "B", "DECOM": "2025-03-29", "LS": "L1"})    # open: 2 days
    assert flag("361", frame) == [False, True]


def test_adopted_then_a_later_episode_is_199():
    frame = ep({"CHILD": "A", "DECOM": "2024-05-01", "DEC": "2024-06-01", "REC": "E11", "PLACE": "A5", "LS": "E1"},
               {"CHILD": "A", "DECOM": "2024-09-01", "RNE": "S"},
               {"CHILD": "B", "DECOM": "2024-05-01", "DEC": "2024-06-01", "REC": "E12", "PLACE": "A6", "LS": "E1"})
    assert flag("199", frame) == [True, False, True]


def test_adoption_path_rules_217_336_390_445_516():
    frame = ep(
        {"CHILD": "A", "DECOM": "2024-05-01", "DEC": "2024-06-01", "REC": "X1", "PLACE": "K2"},
        {"CHILD": "A", "DECOM": "2024-06-01", "DEC": "2024-09-01", "REC": "E11", "RNE": "P", "PLACE": "A3", "LS": "E1"},
        {"CHILD": "B", "DECOM": "2024-05-01", "DEC": "2024-06-01", "REC": "X1", "PLACE": "U4"},
        {"CHILD": "B", "DECOM": "2024-06-01", "DEC": "2024-09-01", "REC": "E12", "RNE": "T", "PLACE": "A3", "LS": "E1"},
        {"CHILD": "C", "DECOM": "2024-05-01", "DEC": "2024-09-01", "REC": "E11", "PLACE": "U4", "LS": "D1"},
        {"CHILD": "D", "DECOM": "2024-05-01", "DEC": "2024-09-01", "REC": "E45", "PLACE": "R1"},
        {"CHILD": "E", "DECOM": "2024-05-01", "DEC": "2024-09-01", "REC": "E46", "PLACE": "U1"})
    assert flag("217", frame) == [True, False, True, True, True, True, True]   # A3 with RNE P
    assert flag("336", frame) == [True, False, True, True, True, True, True]   # A3 after K2, not after U4
    assert flag("390", frame) == [True, True, True, True, False, True, True]   # adopted from U4
    assert flag("445", frame) == [True, True, True, True, False, True, True]   # D1 in 2024
    assert flag("516", frame) == [True, True, True, True, True, False, True]   # E45 from R1


def test_short_break_rules_365_366_398_426():
    frame = ep(
        {"CHILD": "A", "DECOM": "2024-05-01", "DEC": "2024-05-19", "REC": "E8", "LS": "V3", "RNE": "S",
         "PL_POST": None, "HOME_POST": None},                         # 18 days: 365
        {"CHILD": "B", "DECOM": "2024-05-01", "DEC": "2024-05-18", "REC": "E8", "LS": "V3", "RNE": "P",
         "PL_POST": None, "HOME_POST": None},                         # 17 days; RNE P: 366
        {"CHILD": "B", "DECOM": "2024-07-01", "DEC": "2024-07-03", "REC": "E8", "LS": "V4", "RNE": "S",
         "PL_POST": None},                                            # HOME_POST filled: 398; B has V3 and V4: 426
        {"CHILD": "C", "DECOM": "2024-07-01", "DEC": "2024-07-03", "REC": "E8", "LS": "V4", "PL_POST": None,
         "HOME_POST": None})
    assert flag("365", frame) == [False, True, True, True]
    assert flag("366", frame) == [True, False, True, True]
    assert flag("398", frame) == [True, True, False, True]
    assert flag("426", frame) == [True, False, False, True]


def test_367_more_than_75_days_of_respite_in_the_year():
    # A: 40 days from before the year (counted from 01/04/2024: 30) + 46 = 76; B: 30 + 45 = 75
    frame = ep({"CHILD": "A", "DECOM": "2024-03-22", "DEC": "2024-05-01", "REC": "E8", "LS": "V3"},
               {"CHILD": "A", "DECOM": "2024-06-01", "DEC": "2024-07-17", "REC": "E8", "LS": "V3"},
               {"CHILD": "B", "DECOM": "2024-03-22", "DEC": "2024-05-01", "REC": "E8", "LS": "V3"},
               {"CHILD": "B", "DECOM": "2024-06-01", "DEC": "2024-07-16", "REC": "E8", "LS": "V3"})
    assert flag("367", frame) == [False, False, True, True]


def test_377_a_third_holiday_placement():
    rows = [{"CHILD": c, "DECOM": f"2024-0{m}-01", "DEC": f"2024-0{m}-05", "REC": "X1", "PLACE": "T3", "RNE": "T"}
            for c, months in (("A", (4, 5, 6)), ("B", (4, 5))) for m in months]
    assert flag("377", ep(*rows)) == [False, False, False, True, True]


def test_383_after_a_temporary_placement_the_child_returns_to_the_placement_before_it():
    frame = ep(
        {"CHILD": "A", "DECOM": "2024-05-01", "DEC": "2024-06-01", "REC": "X1", "PLACE": "U4", "PL_POST": "NM1 1AA"},
        {"CHILD": "A", "DECOM": "2024-06-01", "DEC": "2024-06-05", "REC": "X1", "RNE": "T", "PLACE": "T3", "PL_POST": "NM3 3CC"},
        {"CHILD": "A", "DECOM": "2024-06-05", "RNE": "P", "PLACE": "U4", "PL_POST": "NM1 1AA"},     # back: fine
        {"CHILD": "B", "DECOM": "2024-05-01", "DEC": "2024-06-01", "REC": "X1", "PLACE": "U4", "PL_POST": "NM1 1AA"},
        {"CHILD": "B", "DECOM": "2024-06-01", "DEC": "2024-06-05", "REC": "X1", "RNE": "T", "PLACE": "T3", "PL_POST": "NM3 3CC"},
        {"CHILD": "B", "DECOM": "2024-06-05", "RNE": "P", "PLACE": "U4", "PL_POST": "NM9 9ZZ"})    # elsewhere: 383
    assert flag("383", frame) == [True, True, True, True, True, False]
    # until 2024-25 the DfE compared the placement type only
    assert ck.dfe_sequence_flags(frame, START, END, 2025)["ok_DFE_383"].tolist() == [True] * 6


def test_225_and_226_reason_for_placement_change():
    frame = ep(
        {"CHILD": "A", "DECOM": "2024-05-01", "DEC": "2024-06-01", "REC": "X1", "REASON_PLACE_CHANGE": None},   # 225
        {"CHILD": "A", "DECOM": "2024-06-01", "DEC": "2024-07-01", "REC": "X1", "RNE": "P", "PLACE": "U5",
         "REASON_PLACE_CHANGE": "CARPL"},                                                                      # given: fine
        {"CHILD": "A", "DECOM": "2024-07-01", "DEC": "2024-07-04", "REC": "X1", "RNE": "P", "PLACE": "T1"},   # 226 (previous has one)
        {"CHILD": "A", "DECOM": "2024-07-04", "RNE": "P", "PLACE": "U5"},
        {"CHILD": "B", "DECOM": "2024-05-01", "DEC": "2024-06-01", "REC": "X1"},
        {"CHILD": "B", "DECOM": "2024-06-01", "RNE": "L", "LS": "E1"})                                        # RNE L: no reason needed
    assert flag("225", frame) == [False, True, True, True, True, True]
    assert flag("226", frame) == [True, True, False, True, True, True]


def test_434_435_436_what_changed_matches_the_reason_for_the_new_episode():
    first = {"DECOM": "2024-05-01", "DEC": "2024-06-01", "REC": "X1", "LS": "C1"}
    frame = ep(
        {"CHILD": "A", **first}, {"CHILD": "A", "DECOM": "2024-06-01", "RNE": "L", "LS": "C2"},                 # L, LS changed: fine
        {"CHILD": "B", **first}, {"CHILD": "B", "DECOM": "2024-06-01", "RNE": "L", "LS": "C2", "URN": "SC9"},  # L but moved: 434
        {"CHILD": "C", **first}, {"CHILD": "C", "DECOM": "2024-06-01", "RNE": "P", "LS": "C1", "PLACE": "U5"}, # P, moved: fine
        {"CHILD": "D", **first}, {"CHILD": "D", "DECOM": "2024-06-01", "RNE": "P", "LS": "C1"},                # P, same place: 435
        {"CHILD": "E", **first}, {"CHILD": "E", "DECOM": "2024-06-01", "RNE": "B", "LS": "C2", "PLACE": "U5"}, # B, both changed: fine
        {"CHILD": "F", **first}, {"CHILD": "F", "DECOM": "2024-06-01", "RNE": "U", "LS": "C1", "PLACE": "U5"}) # U, LS same: 436
    assert flag("434", frame) == [True, True, True, False] + [True] * 8
    assert flag("435", frame) == [True] * 6 + [True, False] + [True] * 4
    assert flag("436", frame) == [True] * 10 + [True, False]


def test_607_a_girl_who_left_care_needs_the_mother_field():
    frame = ep({"CHILD": "A", "DECOM": "2024-05-01", "DEC": "2024-09-01", "REC": "E4A"},
               {"CHILD": "B", "DECOM": "2024-05-01", "DEC": "2024-09-01", "REC": "E4A"},
               {"CHILD": "C", "DECOM": "2024-05-01", "DEC": "2024-09-01", "REC": "X1"},
               {"CHILD": "D", "DECOM": "2024-05-01", "DEC": "2024-09-01", "REC": "E4A"})
    sex = pd.Series(["2", "F", "F", "M"])
    mother = pd.Series([None, "0", None, None])
    got = ck.dfe_mother_episode_flag(frame, sex, mother, START, END).tolist()
    assert got == [False, True, True, True]   # B has MOTHER; C did not leave; D is a boy


def test_393_a_girl_looked_after_needs_the_mother_field():
    header = pd.DataFrame({"CHILD": ["A", "B", "C", "D"], "SEX": ["F", "F", "2", "M"], "MOTHER": [None, "1", None, None]})
    got = ck.dfe_mother_header_flag(header, ["A", "B", "D"]).tolist()
    assert got == [False, True, True, True]   # C has only short breaks (not in the list); D is a boy
