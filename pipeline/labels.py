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
