"""Row and column labels that cross layers, defined once.

A paper builder (pipeline/papers/) writes these labels into its tables; disclosure control
(pipeline/disclosure/) recognises margins by them; the stories and metrics (pipeline/render/)
and the notebooks (notebooks/*.py) look figures up by them (a figure id is
``table_id|row|column``). Renaming a label here renames it everywhere; a label spelt out
again elsewhere would fail only when the notebook runs.

A leaf module: it imports nothing from pipeline/ but :mod:`pipeline.periods`.
"""

from __future__ import annotations

from pipeline.periods import FinancialYear

# --- any table -------------------------------------------------------------------------------
TOTAL = "Total"  # the margin row or column of a count table
YTD = "Year to date"  # the quarterly paper's column summing the quarters of the year so far

# --- quarterly paper ---------------------------------------------------------------------------
TEAM_TOTAL = "Total exits through the Exit Team"  # Q01's total row; Q14/Q16 trend rows
DFE_TOTAL = "All children leaving care (DfE return)"  # Q15 trend row
DFE_EXITS_TOTAL = "All children leaving care"  # Q02's total row
# Q03_targets: rows and columns
TARGET_TEAM_EXITS = "Exits through the Exit Team"
TARGET_ADOPTIONS = "Adoptions"
ANNUAL_TARGET = "Annual target"
FORECAST_RUN_RATE = "Forecast: run rate"
FORECAST_PIPELINE = "Forecast: pipeline"

# Exit routes (tracker and SSDA903 reason codes) -> row labels of Q01, Q02 and Q14
ROUTE_LABELS = {
    "SGO_FFC": "Special guardianship order: former foster carer",
    "SGO_OTHER": "Special guardianship order: other carer",
    "SGO_CARER_UNKNOWN": "Special guardianship order: carer not recorded",
    "CAO": "Child arrangements order",
    "PWP": "Placed with parents",
    "HOME_PLANNED": "Returned home to parents (planned)",
    "HOME_UNPLANNED": "Returned home to parents (not planned)",
    "ADOPTION": "Adoption",
    "OTHER": "Other reasons",
}
# Tracker route -> stage -> row labels of the funnel tables Q04-Q07
STAGE_LABELS = {
    "SGO": {"REFERRAL": "Referrals", "STAGE1": "Progressed to stage 1", "ASSESSMENT": "SGO assessments",
            "PANEL": "Permanence panel", "COURT": "Progressing to court",
            "GRANTED": "Special guardianship orders granted", "CLOSED": "Closed without an order"},
    "PWP": {"REFERRAL": "Referrals", "INITIAL_VIABILITY": "Initial viability assessments",
            "FULL_ASSESSMENT": "Full placement with parents assessments",
            "PLACED": "Placed with parent(s) under a care order", "REVOKED": "Care orders revoked",
            "RETURNED": "Returned to local authority care", "CLOSED": "Closed without a placement"},
    "CP": {"REFERRAL": "Referrals", "INITIAL_VIABILITY": "Initial viability assessments",
           "FULL_VIABILITY": "Full viability assessments",
           "MANAGEMENT_DECISION": "Case management decisions for the placement",
           "PLACED": "Placed with connected persons", "CAO_GRANTED": "Child arrangements orders granted",
           "RETURNED": "Returned to local authority care", "CLOSED": "Closed without a placement"},
    "ADOPTION": {"BI_DECISION": "Best-interest decisions", "PLACEMENT_ORDER": "Placement orders granted",
                 "LINKED": "Linked with adopters", "MATCHED": "Matched with adopters",
                 "PLACED": "Placed for adoption", "ADOPTION_ORDER": "Adoption orders granted",
                 "REVERSAL": "Reversals (plan no longer adoption)"},
}
# Staffing: team and post status -> row and column labels of Q09-Q11
TEAM_LABELS = {"EXIT": "Exit Team", "ADOPTION": "Adoption team", "MANAGEMENT": "Management", "SUPPORT": "Support"}
STATUS_LABELS = {"FILLED": "In post", "AGENCY": "Agency", "ABSENT": "Absent", "VACANT": "Vacant"}
WAITING_CHILDREN = "Children"  # Q08's column
MEDIAN_WAIT = "Median days since best-interest decision"  # Q08d's column
CAPACITY_LOST = "Capacity lost (vacant or absent)"  # Q11d's column

# --- sufficiency paper -------------------------------------------------------------------------
IN_CARE_31_MARCH = "In care at 31 March"  # S12_flows rows
STARTED = "Started to be looked after"
CEASED = "Ceased to be looked after"
NEIGHBOURS_AVERAGE = "Statistical neighbours: average"  # comparator rows (E tables)


def label_own_figure(short_name: str) -> str:
    """Row label of the authority's own figure in a comparator table: 'Northmoor (counted here)'."""
    return f"{short_name} (counted here)"


def label_snapshot(year: FinancialYear) -> str:
    """Column label of a 31 March snapshot: '31 March 2025'."""
    return f"31 March {year.start_year + 1}"
