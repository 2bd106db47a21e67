"""Stitching returns into one episode history: liia-tools scenarios and hand-written fixtures."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.stitch import (
    drop_duplicate_rows,
    harmonise_sex,
    latest_header,
    overlapping_episodes,
    return_order,
    stitch_episodes,
)
from pipeline.validate.checks import parse_dates

COLS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
        "HOME_POST", "PL_POST", "URN"]


def episodes(text: str) -> pd.DataFrame:
    """Rows 'RETURN CHILD DECOM RNE PLACE DEC REC' (dates ISO, '-' for blank)."""
    rows = []
    for i, line in enumerate(t for t in text.strip().splitlines() if t.strip()):
        ret, child, decom, rne, place, dec, rec = line.split()
        rows.append({"CHILD": child, "DECOM": decom, "RNE": rne, "LS": "C2", "CIN": "N1", "PLACE": place,
                     "PLACE_PROVIDER": "PR1", "DEC": None if dec == "-" else dec, "REC": None if rec == "-" else rec,
                     "REASON_PLACE_CHANGE": None, "HOME_POST": None, "PL_POST": None, "URN": None,
                     "RETURN": ret, "SOURCE_FILE": f"ssda903/{ret}/episodes.csv", "SOURCE_ROW": i + 1})
    df = pd.DataFrame(rows)
    df["DECOM"] = pd.to_datetime(df["DECOM"]).astype("datetime64[ns]")
    df["DEC"] = pd.to_datetime(df["DEC"]).astype("datetime64[ns]")
    return df


def view(result) -> list[tuple]:
    e = result.episodes
    return [(r.CHILD, r.DECOM.strftime("%Y-%m-%d"), None if pd.isna(r.DEC) else r.DEC.strftime("%Y-%m-%d"),
             None if pd.isna(r.REC) else r.REC, r.RETURN) for r in e.itertuples()]


def test_return_order_puts_annual_after_extract_ending_same_day():
    order = return_order(["2025-26", "2024-25", "2025-26_Q4", "2025-26_Q2"])
    assert sorted(order, key=order.get) == ["2024-25", "2025-26_Q2", "2025-26_Q4", "2025-26"]


def test_open_episode_closed_by_same_episode_in_later_return():
    r = stitch_episodes(episodes("""
        2023-24 A 2023-06-01 S U4 - -
        2024-25 A 2023-06-01 S U4 2024-09-01 E45
    """))
    assert view(r) == [("A", "2023-06-01", "2024-09-01", "E45", "2024-25")]
    assert r.log[["CHILD", "rule", "kept_return", "dropped_return"]].values.tolist() == [
        ["A", "S2_CLOSED_BY_LATER_RETURN", "2024-25", "2023-24"]]
    assert r.excluded[["RETURN", "SOURCE_ROW"]].values.tolist() == [["2023-24", 1]]


def test_exact_duplicate_kept_once_from_latest_return():
    r = stitch_episodes(episodes("""
        2024-25_Q2 A 2024-05-01 S U4 2024-06-01 E4A
        2024-25 A 2024-05-01 S U4 2024-06-01 E4A
    """))
    assert view(r) == [("A", "2024-05-01", "2024-06-01", "E4A", "2024-25")]
    assert r.log["rule"].tolist() == ["S1_EXACT_DUPLICATE"]


def test_changed_episode_replaced_by_later_return():
    r = stitch_episodes(episodes("""
        2023-24 A 2023-06-01 S U4 - -
        2024-25 A 2023-06-01 S U6 - -
    """))
    assert view(r) == [("A", "2023-06-01", None, None, "2024-25")]
    assert r.log["rule"].tolist() == ["S3_REPLACED_BY_LATER_RETURN"]


def test_later_return_supersedes_from_its_first_decom_and_cuts_overlap():
    # liia RULE_4: earlier return says 23/11 -> 24/12 then a new episode 24/12; the later
    # return (authoritative from 20/12) says the move was on 20/12.
    r = stitch_episodes(episodes("""
        2018-19 R4 2018-11-23 S U6 2018-12-24 X1
        2019-20 R4 2018-12-20 P U6 2019-08-19 X1
        2018-19 R4 2018-12-24 P U6 - -
        2019-20 R4 2019-08-19 P P1 2019-10-01 E4A
    """))
    assert view(r) == [("R4", "2018-11-23", "2018-12-20", "X1", "2018-19"),
                       ("R4", "2018-12-20", "2019-08-19", "X1", "2019-20"),
                       ("R4", "2019-08-19", "2019-10-01", "E4A", "2019-20")]
    assert sorted(r.log["rule"]) == ["S4_SUPERSEDED_BY_LATER_RETURN", "S6_CUT_AT_LATER_RETURN"]
    assert not overlapping_episodes(r.episodes).any()


def test_open_episode_closed_at_next_episode_from_later_return():
    r = stitch_episodes(episodes("""
        2017-18 A 2016-01-13 P U6 - -
        2019-20 A 2017-08-20 T U4 2019-06-21 X1
    """))
    assert view(r)[0] == ("A", "2016-01-13", "2017-08-20", "X1", "2017-18")
    assert r.episodes.loc[0, "STITCH_RULE"] == "S5_CLOSED_AT_NEXT_EPISODE"


def test_open_episode_before_new_period_closes_after_return_end_with_unknown_reason():
    # the 2016-17 return has the child looked after at the end of 31/03/2017: the episode ends the next day
    r = stitch_episodes(episodes("""
        2016-17 A 2016-10-24 P P2 - -
        2017-18 A 2017-04-20 S H5 2017-06-13 E8
    """))
    assert view(r)[0] == ("A", "2016-10-24", "2017-04-01", None, "2016-17")
    assert r.episodes.loc[0, "STITCH_RULE"] == "S7_CLOSED_BEFORE_NEW_PERIOD"


def test_x1_gap_closed_to_next_episode_of_later_return():
    r = stitch_episodes(episodes("""
        2019-20 A 2019-11-06 P U6 2020-03-29 X1
        2021-22 A 2020-04-02 P U6 - -
    """))
    assert view(r)[0] == ("A", "2019-11-06", "2020-04-02", "X1", "2019-20")


def test_open_episode_of_child_absent_from_later_returns_ends_the_day_after_return_end():
    # looked after at the end of 31/03/2020 (counted at 31 March), not in the 2020-21 return
    r = stitch_episodes(episodes("""
        2019-20 A 2019-05-10 S R5 - -
        2020-21 B 2020-05-01 S U4 - -
    """))
    assert view(r) == [("A", "2019-05-10", "2020-04-01", None, "2019-20"), ("B", "2020-05-01", None, None, "2020-21")]


def test_open_episode_in_latest_return_stays_open():
    r = stitch_episodes(episodes("2024-25 A 2024-05-10 S U4 - -"))
    assert view(r) == [("A", "2024-05-10", None, None, "2024-25")] and r.log.empty


def test_as_of_uses_only_returns_ending_by_that_date():
    eps = episodes("""
        2024-25 A 2024-05-10 S U4 - -
        2025-26_Q1 A 2024-05-10 S U4 2025-06-01 E4A
    """)
    now = stitch_episodes(eps)
    then = stitch_episodes(eps, as_of=date(2025, 3, 31))
    assert view(now) == [("A", "2024-05-10", "2025-06-01", "E4A", "2025-26_Q1")]
    assert view(then) == [("A", "2024-05-10", None, None, "2024-25")]
    assert then.log["rule"].tolist() == ["S0_AFTER_AS_OF"]
    assert len(then.excluded) == 1


def test_input_is_not_modified():
    eps = episodes("""
        2017-18 A 2016-01-13 P U6 - -
        2019-20 A 2017-08-20 T U4 2019-06-21 X1
    """)
    before = eps.copy()
    stitch_episodes(eps)
    pd.testing.assert_frame_equal(eps, before)


LIIA_EXPECTED = {
    # child: [(DECOM, DEC, REC)] after stitching, worked out from the scenario each id names
    # (RULE1A and RULE2 end the open episode the day after the return's last day, where
    # liia-tools ends it on that day: the child still counts at that 31 March)
    "NORULE_BAD": [("2015-06-19", "2016-07-26", "X1"), ("2016-07-26", "2021-12-12", "E17")],
    "NORULE_NEW": [("2022-02-01", "2022-07-10", "E17"), ("2022-10-23", None, None)],
    "NORULE_SUT": [("2017-12-15", None, None)],
    "RULE1_BAD": [("2016-01-13", "2017-08-20", "X1"), ("2017-08-20", "2019-06-21", "X1"), ("2019-06-21", "2019-07-23", "E6")],
    "RULE1A_BAD": [("2016-01-22", "2016-10-24", "X1"), ("2016-10-24", "2017-04-01", None), ("2017-04-20", "2017-06-13", "E8")],
    "RULE2_BAD": [("2019-05-10", "2020-04-01", None)],
    "RULE3_BAD": [("2016-09-23", "2017-05-30", "E2")],
    "RULE3A_BAD": [("2017-11-25", "2018-01-25", "X1"), ("2018-01-25", "2018-05-16", "E45")],
    "RULE4_BAD": [("2018-11-23", "2018-12-20", "X1"), ("2018-12-20", "2019-08-19", "X1"), ("2019-08-19", "2019-10-01", "E4A")],
    "RULE5_BAD": [("2019-11-06", "2020-04-02", "X1"), ("2020-04-02", None, None)],
}


def test_liia_tools_fix_scenarios(shared_external):
    path = shared_external / "liia-tools-903-samples" / "SSDA903_episodes_for_testing_fixes_INPUT.csv"
    raw = pd.read_csv(path, dtype="str", keep_default_na=False).replace("", pd.NA)
    raw["DECOM"], raw["DEC"] = parse_dates(raw["DECOM"]), parse_dates(raw["DEC"])
    # YEAR is the collection year (the year the return ends in); one LA stitched at a time
    raw["RETURN"] = raw["YEAR"].astype(int).map(lambda y: f"{y - 1}-{y % 100:02d}")
    raw["SOURCE_FILE"], raw["SOURCE_ROW"] = path.name, range(1, len(raw) + 1)
    got: dict[str, list] = {}
    kept = excluded = 0
    for _, g in raw.groupby("LA"):
        r = stitch_episodes(g.drop(columns=["LA", "YEAR"]))
        kept, excluded = kept + len(r.episodes), excluded + len(r.excluded)
        for e in r.episodes.itertuples():
            got.setdefault(e.CHILD, []).append((e.DECOM.strftime("%Y-%m-%d"), None if pd.isna(e.DEC) else e.DEC.strftime("%Y-%m-%d"),
                                                None if pd.isna(e.REC) else e.REC))
        assert not overlapping_episodes(r.episodes).any()
    assert got == LIIA_EXPECTED
    assert kept + excluded == len(raw) == 23


def test_latest_header_row_wins_and_sex_is_harmonised():
    h = pd.DataFrame({"CHILD": ["A", "A", "B"], "SEX": ["1", "M", "2"], "DOB": ["2010-01-01"] * 3,
                      "RETURN": ["2023-24", "2024-25", "2023-24"], "SOURCE_FILE": ["x", "y", "x"], "SOURCE_ROW": [1, 1, 2]})
    kept, log, excl = latest_header(harmonise_sex(h))
    assert kept[["CHILD", "SEX", "RETURN"]].values.tolist() == [["A", "M", "2024-25"], ["B", "F", "2023-24"]]
    assert log["rule"].tolist() == ["S10_HEADER_SUPERSEDED"] and excl["SOURCE_FILE"].tolist() == ["x"]


def test_drop_duplicate_rows_keeps_latest_return():
    f = pd.DataFrame({"CHILD": ["A", "A", "A"], "REVIEW": ["2024-01-01", "2024-01-01", "2024-02-01"],
                      "RETURN": ["2024-25", "2023-24", "2024-25"], "SOURCE_FILE": ["b", "a", "b"], "SOURCE_ROW": [1, 1, 2]})
    kept, excl = drop_duplicate_rows(f, "reviews", ["CHILD", "REVIEW"])
    assert sorted(kept["SOURCE_FILE"] + kept["SOURCE_ROW"].astype(str)) == ["b1", "b2"]
    assert excl[["SOURCE_FILE", "SOURCE_ROW", "reason"]].values.tolist()[0][:2] == ["a", 1]


@st.composite
def _returns(draw):
    """A child's true chain of episodes, reported by up to three overlapping annual returns."""
    n = draw(st.integers(1, 6))
    gaps = draw(st.lists(st.integers(1, 400), min_size=n, max_size=n))
    start = pd.Timestamp("2020-04-01") + pd.Timedelta(days=draw(st.integers(0, 300)))
    rows, d = [], start
    for g in gaps:
        end = d + pd.Timedelta(days=g)
        rows.append((d, end))
        d = end
    text = []
    for year in (2020, 2021, 2022):
        ret = f"{year}-{(year + 1) % 100:02d}"
        ys, ye = pd.Timestamp(f"{year}-04-01"), pd.Timestamp(f"{year + 1}-03-31")
        for i, (a, b) in enumerate(rows):
            if a <= ye and b >= ys:  # open during the year
                dec, rec = (b, "X1" if i < n - 1 else "E4A") if b <= ye else (None, None)
                text.append(f"{ret} A {a:%Y-%m-%d} {'S' if i == 0 else 'P'} U4 {dec:%Y-%m-%d} {rec}" if dec is not None
                            else f"{ret} A {a:%Y-%m-%d} {'S' if i == 0 else 'P'} U4 - -")
    return "\n".join(text)


@settings(max_examples=40, deadline=None)
@given(_returns())
def test_consistent_returns_stitch_without_overlap_and_lose_nothing(text):
    if not text:
        return
    eps = episodes(text)
    r = stitch_episodes(eps)
    assert not overlapping_episodes(r.episodes).any()
    assert len(r.episodes) + len(r.excluded) == len(eps)
    assert r.episodes["DECOM"].is_unique


@pytest.mark.parametrize("bad", ["2024", "24-25"])
def test_unknown_return_names_are_rejected(bad):
    with pytest.raises(ValueError):
        return_order([bad])
