"""Hand-worked cases for episode fields and periods of care."""

import pandas as pd
import pytest

from pipeline.process.episodes import (
    age_in_years,
    band_ages,
    build_periods_of_care,
    compute_distances,
    derive_episode_fields,
    number_periods_of_care,
    select_open_on,
)

D = pd.Timestamp


def _episodes(rows):
    cols = ["CHILD", "DECOM", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "HOME_POST", "PL_POST"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("DECOM", "DEC"):
        df[c] = pd.to_datetime(df[c])
    return df


HEADER = pd.DataFrame({
    "CHILD": ["A", "B"], "DOB": pd.to_datetime(["2010-06-15", "2020-03-31"]),
    "SEX": ["1", "2"], "ETHNIC": ["WBRI", "BAFR"],
})

# Child A: one period of three episodes (two X1 changes) ending in an SGO; then a second period.
# Child B: a single open episode.
EPISODES = _episodes([
    ["A", "2019-01-10", "S", "C2", "U6", "PR4", "2019-05-01", "X1", "NM1 1AA", "NM2 2BB"],
    ["A", "2019-05-01", "P", "C2", "U4", "PR1", "2020-02-01", "X1", "NM1 1AA", "NM1 1AA"],
    ["A", "2020-02-01", "L", "C2", "U4", "PR1", "2021-03-31", "E45", "NM1 1AA", "NM1 1AA"],
    ["A", "2022-07-01", "S", "V2", "K2", "PR4", None, None, "NM1 1AA", "ZZ9 9ZZ"],
    ["B", "2020-04-01", "S", "V2", "U6", "PR1", None, None, "NM2 2BB", "NM1 1AA"],
])

POSTCODES = pd.DataFrame({
    "POSTCODE": ["NM1 1AA", "NM2 2BB", "ZZ9 9ZZ"],
    "EASTING": [400000.0, 403000.0, 432186.88],   # 3 km east; and 20 miles (32186.88 m) east
    "NORTHING": [300000.0, 304000.0, 300000.0],   # 4 km north: NM1->NM2 is 5 km
    "DISTRICT": ["North", "South", "OUTSIDE"], "IN_LA": [1, 1, 0],
})


@pytest.mark.parametrize("dob,on,age", [
    ("2010-06-15", "2021-06-14", 10), ("2010-06-15", "2021-06-15", 11),
    ("2020-02-29", "2021-02-28", 0), ("2020-02-29", "2021-03-01", 1), ("2021-03-31", "2021-03-31", 0),
])
def test_age_in_whole_years(dob, on, age):
    assert age_in_years(pd.Series([D(dob)]), D(on)).iloc[0] == age


def test_age_bands_follow_dfe_boundaries():
    bands = band_ages(pd.Series([0, 1, 4, 5, 9, 10, 15, 16, 17], dtype="Int64")).tolist()
    assert bands == ["Under 1", "1 to 4", "1 to 4", "5 to 9", "5 to 9", "10 to 15", "10 to 15",
                     "16 and over", "16 and over"]


def test_x1_chains_are_one_period_and_a_new_start_is_another():
    assert number_periods_of_care(EPISODES).tolist() == [1, 1, 1, 2, 1]


def test_a_gap_after_x1_starts_a_new_period_even_without_rne_s():
    eps = _episodes([
        ["C", "2020-01-01", "S", "C2", "U6", "PR1", "2020-02-01", "X1", None, None],
        ["C", "2020-02-05", "P", "C2", "U6", "PR1", None, None, None, None],
    ])
    assert number_periods_of_care(eps).tolist() == [1, 2]


def test_periods_of_care_summarise_start_end_and_exit():
    derived = derive_episode_fields(EPISODES, HEADER)
    periods = build_periods_of_care(derived).set_index(["CHILD", "PERIOD_NO"])
    a1 = periods.loc[("A", 1)]
    assert a1["START"] == D("2019-01-10") and a1["END"] == D("2021-03-31")
    assert a1["REC"] == "E45" and a1["EXIT_ROUTE"] == "SGO to former foster carer"
    assert a1["N_EPISODES"] == 3 and a1["DURATION_DAYS"] == 811  # 2019-01-10 .. 2021-03-31
    assert a1["PLACEMENT_GROUP_START"] == "FOSTER_AGENCY" and a1["PLACEMENT_GROUP_END"] == "FOSTER_IN_HOUSE"
    assert a1["AGE_AT_START"] == 8
    a2 = periods.loc[("A", 2)]
    assert pd.isna(a2["END"]) and pd.isna(a2["REC"]) and a2["PLACEMENT_GROUP_START"] == "RESIDENTIAL_AGENCY"


def test_derived_fields_do_not_change_the_input():
    before = EPISODES.copy()
    derive_episode_fields(EPISODES, HEADER, POSTCODES)
    pd.testing.assert_frame_equal(EPISODES, before)


def test_distance_is_straight_line_miles_and_unknown_postcodes_stay_missing():
    d = compute_distances(EPISODES, POSTCODES)
    assert d["DISTANCE_MILES"].iloc[0] == pytest.approx(5000 / 1609.344)  # NM1 -> NM2, 3-4-5 triangle
    assert d["DISTANCE_MILES"].iloc[1] == 0
    assert d["DISTANCE_MILES"].iloc[3] == pytest.approx(20.0)
    assert d["PL_IN_LA"].iloc[3] is False or d["PL_IN_LA"].iloc[3] == False  # noqa: E712
    assert d["HOME_DISTRICT"].iloc[4] == "South"
    unknown = compute_distances(_episodes([["X", "2020-01-01", "S", "V2", "U6", "PR1", None, None, "AB1 2CD", None]]), POSTCODES)
    assert unknown["DISTANCE_MILES"].isna().all() and unknown["PL_IN_LA"].isna().all()


def test_open_on_31_march_excludes_an_episode_ceasing_that_day():
    open_ = select_open_on(EPISODES, "2021-03-31")
    assert list(zip(open_["CHILD"], open_["DECOM"].dt.strftime("%Y-%m-%d"), strict=True)) == [("B", "2020-04-01")]
    assert len(select_open_on(EPISODES, "2021-03-30")) == 2
