"""A small valid raw folder, written by hand: one annual return (2024-25) and every local file.

Four children:
- C1: in care since 2023 (S), placement move on 01/06/2024 (X1 then P), still in care.
- C2: enters 01/07/2024, leaves 01/12/2024 on a special guardianship order (E45); the
  tracker follows the SGO case to GRANTED on that day.
- C3: in care since 2023, placement order (E1) on 10/09/2024, placed for adoption (A6).
- C4: carried over from before the year (RNE P, no earlier episode in this return), UASC; in a
  residential care home (R1), which has no Ofsted URN (DfE 222).

`files()` returns {relative path: CSV text}; tests change a copy and write it with `write`.
"""

from __future__ import annotations

from pathlib import Path

RETURN = "2024-25"
SS = f"ssda903/{RETURN}"

HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
C1,F,04/03/2010,WBRI,A123456789012,0,
C2,M,07/06/2015,MWBC,B123456789013,,
C3,F,01/01/2021,BAFR,UN2,0,
C4,M,02/02/2008,AOTH,C12345678901D,,
"""

EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
C1,10/05/2023,S,C2,N1,U4,PR1,01/06/2024,X1,CARPL,NM1 2AB,NM3 4CD,SC123456
C1,01/06/2024,P,C2,N1,U6,PR4,,,,NM1 2AB,NM5 6EF,SC654321
C2,01/07/2024,S,V2,N4,U3,PR1,01/12/2024,E45,,NM2 1AA,NM2 2BB,
C3,01/02/2023,S,C2,N1,U4,PR1,10/09/2024,X1,,NM7 1AA,NM7 2BB,
C3,10/09/2024,L,E1,N1,U4,PR1,01/11/2024,X1,CARPL,NM7 1AA,NM7 2BB,
C3,01/11/2024,P,E1,N1,A6,PR1,,,CARPL,NM7 1AA,NM8 3CC,
C4,01/12/2023,P,C2,N6,R1,PR4,,,,NM9 9ZZ,XY1 1AA,
"""

UASC = """CHILD,SEX,DOB,DUC
C4,M,02/02/2008,02/02/2026
"""

REVIEWS = """CHILD,DOB,REVIEW,REVIEW_CODE
C1,04/03/2010,01/08/2024,PN1
"""

MISSING = """CHILD,DOB,MISSING,MIS_START,MIS_END
C4,02/02/2008,M,2024-05-01,2024-05-03
"""

TRACKER = """EVENT_ID,CASE_ID,CHILD,ROUTE,STAGE,EVENT_DATE,RECORDED_DATE,WORKER_ID,RESPONSIBILITY,CARER
E1,K1,C2,SGO,REFERRAL,2024-07-15,2024-07-16,W1,CASE,OTHER_CARER
E2,K1,C2,SGO,STAGE1,2024-08-01,2024-08-01,W1,CASE,OTHER_CARER
E3,K1,C2,SGO,ASSESSMENT,2024-09-01,2024-09-02,W1,CASE,OTHER_CARER
E4,K1,C2,SGO,PANEL,2024-10-15,2024-10-15,W1,CASE,OTHER_CARER
E5,K1,C2,SGO,COURT,2024-11-10,2024-11-11,W1,CASE,OTHER_CARER
E6,K1,C2,SGO,GRANTED,2024-12-01,2024-12-02,W1,CASE,OTHER_CARER
E7,K2,C3,ADOPTION,BI_DECISION,2024-03-01,2024-03-01,W2,COWORK,
E8,K2,C3,ADOPTION,PLACEMENT_ORDER,2024-09-10,2024-09-12,W2,COWORK,
E9,K2,C3,ADOPTION,MATCHED,2024-10-20,2024-10-21,W2,COWORK,
E10,K2,C3,ADOPTION,PLACED,2024-11-01,2024-11-01,W2,COWORK,
"""

STAFFING = """POST_ID,TEAM,ROLE,FTE,STATUS,WORKER_ID,FROM_DATE,TO_DATE
P1,EXIT,Social worker,1,FILLED,W1,2023-04-01,
P2,ADOPTION,Social worker,0.5,FILLED,W2,2023-04-01,2025-01-31
P3,EXIT,Social worker,1.0,VACANT,,2024-06-01,
"""

UNIT_COSTS = """FINANCIAL_YEAR,PLACEMENT_GROUP,AGE_BAND,ANNUAL_COST
2024-25,FOSTER_IN_HOUSE,ALL,21000
2024-25,RESIDENTIAL_AGENCY,10 to 15,190000.50
"""

FOSTERING = """FINANCIAL_YEAR,HOUSEHOLDS,APPROVED_PLACES,FILLED_PLACES,APPROVALS,RESIGNATIONS
2024-25,120,180,150,12,9
"""

POPULATION = """YEAR,DISTRICT,AGE_BAND,POPULATION
2024,North,Under 1,1200
2024,North,1 to 4,5100
"""

POSTCODES = """POSTCODE,EASTING,NORTHING,DISTRICT,IN_LA
NM1 2AB,430000,350000,North,1
XY1 1AA,510000.5,290000,OUTSIDE,0
"""


def files() -> dict[str, str]:
    """The valid raw folder as {relative path: CSV text}."""
    return {
        f"{SS}/header.csv": HEADER,
        f"{SS}/episodes.csv": EPISODES,
        f"{SS}/uasc.csv": UASC,
        f"{SS}/reviews.csv": REVIEWS,
        f"{SS}/missing.csv": MISSING,
        "local/permanence_tracker.csv": TRACKER,
        "local/staffing.csv": STAFFING,
        "local/unit_costs.csv": UNIT_COSTS,
        "local/fostering_capacity.csv": FOSTERING,
        "local/population.csv": POPULATION,
        "local/postcodes.csv": POSTCODES,
    }


def write(root: Path, content: dict[str, str | bytes]) -> Path:
    """Write {relative path: text or bytes} under root; returns root."""
    for rel, data in content.items():
        p = Path(root) / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            p.write_bytes(data)
        else:
            p.write_text(data, encoding="utf-8")
    return Path(root)


def replace(content: dict[str, str], rel: str, old: str, new: str) -> dict[str, str]:
    """A copy of content with `old` replaced once by `new` in file `rel` (old must be there)."""
    text = content[rel]
    assert old in text, f"{old!r} not in {rel}"
    return {**content, rel: text.replace(old, new, 1)}
