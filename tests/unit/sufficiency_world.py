"""A small hand-worked looked-after population for the sufficiency tests.

Years: sufficiency year 2024-25 with 2 trend years (2023-24, 2024-25); facts also cover
2022-23 (the opening stock). Snapshots: 31/3/2023, 31/3/2024, 31/3/2025.

A  born 15/06/2010. In care since 10/01/2022: in-house foster (U6 PR1, 3.1 miles from home),
   agency foster from 01/06/2023 (P), agency residential outside the LA from 01/09/2023 (P,
   exactly 20 miles from home). Three placements in 2023-24. Was UASC until 01/01/2023.
B  born 31/03/2020. Three periods: 01/04/2023-31/03/2024 (E4A: ceased ON 31 March, so not in
   care that day); 01/05/2024-01/07/2024 (E4B); 01/09/2024-15/01/2025 (E45). In 2024-25 B
   started twice and ceased twice: counted once each (first start, last cease = SGO).
C  born 01/01/2012. Short breaks only (V3 from 30/03/2024, open): never counted.
D  born 01/01/2008. In care since 01/01/2015, in-house foster, disabled (CIN N2), UASC until
   01/01/2026, home postcode unknown (distance not known, placement inside the LA).
E  born 05/05/2015. In care 01/01/2021, placed for adoption 01/06/2023, adopted 10/01/2024.
F  born 02/02/2018. In care 01/06/2022 (V2), short break (V3) from 01/03/2024, back on V2 from
   15/04/2024 (RNE L): open period but not counted at 31/3/2024 (stock-flow exception).

Expected, worked by hand:
  in care at 31 March    2023: A D E F (4)     2024: A D (2)        2025: A D F (3)
  admissions (children)  2022-23: F            2023-24: B           2024-25: B (2 periods)
  ceased (children)      2022-23: -            2023-24: B (E4A, 6m-1y), E (E11, 3-5y)
                                               2024-25: B (E45, 3-6m; 2 periods)
"""

from __future__ import annotations

import pandas as pd

from pipeline.config import load_params
from pipeline.process.episodes import derive_episode_fields

EP_COLS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
           "HOME_POST", "PL_POST", "URN"]


def make_episodes(rows: list[list]) -> pd.DataFrame:
    """Episodes with parsed dates and lineage columns (SOURCE_ROW = position + 1)."""
    df = pd.DataFrame(rows, columns=EP_COLS)
    for c in ("DECOM", "DEC"):
        df[c] = pd.to_datetime(df[c])
    df["RETURN"] = "2024-25"
    df["SOURCE_FILE"] = "ssda903/2024-25/episodes.csv"
    df["SOURCE_ROW"] = range(1, len(df) + 1)
    return df


EPISODES = make_episodes([
    ["A", "2022-01-10", "S", "C2", "N1", "U6", "PR1", "2023-06-01", "X1", "NM1 1AA", "NM2 2BB", "U1"],
    ["A", "2023-06-01", "P", "C2", "N1", "U4", "PR4", "2023-09-01", "X1", "NM1 1AA", "NM2 2BB", "U2"],
    ["A", "2023-09-01", "P", "C2", "N1", "K2", "PR4", None, None, "NM1 1AA", "ZZ9 9ZZ", "U3"],
    ["B", "2023-04-01", "S", "V2", "N4", "U6", "PR1", "2024-03-31", "E4A", "NM2 2BB", "NM1 1AA", "U4"],
    ["B", "2024-05-01", "S", "C1", "N1", "U6", "PR4", "2024-07-01", "E4B", "NM2 2BB", "NM1 1AA", "U5"],
    ["B", "2024-09-01", "S", "C2", "N1", "U6", "PR4", "2025-01-15", "E45", "NM2 2BB", "NM1 1AA", "U5"],
    ["C", "2024-03-30", "S", "V3", "N2", "R1", "PR1", None, None, "NM1 1AA", "NM1 1AA", "U6"],
    ["D", "2015-01-01", "S", "C2", "N2", "U4", "PR1", None, None, "XX1 1XX", "NM1 1AA", "U7"],
    ["E", "2021-01-01", "S", "C2", "N1", "U6", "PR1", "2023-06-01", "X1", "NM2 2BB", "NM2 2BB", "U8"],
    ["E", "2023-06-01", "P", "E1", "N1", "A5", "PR1", "2024-01-10", "E11", "NM2 2BB", "NM2 2BB", "U9"],
    ["F", "2022-06-01", "S", "V2", "N5", "U6", "PR1", "2024-03-01", "X1", "NM2 2BB", "NM2 2BB", "U10"],
    ["F", "2024-03-01", "L", "V3", "N5", "U6", "PR1", "2024-04-15", "X1", "NM2 2BB", "NM2 2BB", "U10"],
    ["F", "2024-04-15", "L", "V2", "N5", "U6", "PR1", None, None, "NM2 2BB", "NM2 2BB", "U10"],
])

HEADER = pd.DataFrame({
    "CHILD": list("ABCDEF"),
    "SEX": ["M", "F", "M", "F", "M", "F"],
    "DOB": pd.to_datetime(["2010-06-15", "2020-03-31", "2012-01-01", "2008-01-01", "2015-05-05", "2018-02-02"]),
    "ETHNIC": ["WBRI", "MWBC", "WBRI", "BAFR", "WBRI", None],
})

UASC = pd.DataFrame({
    "CHILD": ["A", "D"], "SEX": ["M", "F"],
    "DOB": pd.to_datetime(["2010-06-15", "2008-01-01"]),
    "DUC": pd.to_datetime(["2023-01-01", "2026-01-01"]),
})

POSTCODES = pd.DataFrame({
    "POSTCODE": ["NM1 1AA", "NM2 2BB", "ZZ9 9ZZ"],
    "EASTING": [400000.0, 403000.0, 432186.88],   # NM1->NM2 5 km (3.1 miles); NM1->ZZ9 20 miles
    "NORTHING": [300000.0, 304000.0, 300000.0],
    "DISTRICT": ["North", "South", "OUTSIDE"], "IN_LA": [1, 1, 0],
})

POPULATION = pd.DataFrame({
    "YEAR": [2024] * 4 + [2023] * 2,
    "DISTRICT": ["North", "North", "South", "South", "North", "North"],
    "AGE_BAND": ["Under 1", "10 to 15", "Under 1", "10 to 15", "Under 1", "10 to 15"],
    "POPULATION": [1000, 3000, 2500, 2500, 1000, 1000],
})

FOSTERING = pd.DataFrame({
    "FINANCIAL_YEAR": ["2023-24", "2024-25"],
    "HOUSEHOLDS": [100, 110], "APPROVED_PLACES": [200, 220], "FILLED_PLACES": [150, 176],
    "APPROVALS": [12, 20], "RESIGNATIONS": [9, 10],
})

UNIT_COSTS = pd.DataFrame({
    "FINANCIAL_YEAR": ["2024-25"] * 3,
    "PLACEMENT_GROUP": ["FOSTER_IN_HOUSE", "RESIDENTIAL_AGENCY", "FOSTER_AGENCY"],
    "AGE_BAND": ["ALL", "10 to 15", "ALL"],
    "ANNUAL_COST": [36500.0, 182500.0, 45000.0],
})

OC3 = pd.DataFrame({
    "CHILD": ["L1", "L2", "L3", "L1"],
    "DOB": pd.to_datetime(["2004-01-01"] * 4),
    "IN_TOUCH": ["YES", "NO", "DIED", "YES"],
    "ACTIV": ["F1", None, None, "F1"],
    "ACCOM": ["S1", "B2", None, "S1"],
    "RETURN": ["2024-25", "2024-25", "2024-25", "2024-25_Q2"],
    "SOURCE_FILE": ["ssda903/2024-25/oc3.csv"] * 4, "SOURCE_ROW": [1, 2, 3, 1],
})


def world_params(**overrides):
    """params.yaml with the sufficiency year 2024-25 and 2 trend years."""
    sets = ["sufficiency_year='2024-25'", "trend_years=2"] + [f"{k}={v}" for k, v in overrides.items()]
    return load_params("params.yaml", sets)


def world_validated(**drop) -> dict[str, pd.DataFrame]:
    tables = {"episodes": EPISODES, "header": HEADER, "uasc": UASC, "postcodes": POSTCODES,
              "population": POPULATION, "fostering_capacity": FOSTERING, "unit_costs": UNIT_COSTS,
              "oc3": OC3}
    return {k: v for k, v in tables.items() if k not in drop}


def world_episodes() -> pd.DataFrame:
    return derive_episode_fields(EPISODES, HEADER, POSTCODES)
