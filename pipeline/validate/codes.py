"""Code lists and formats that pipeline.schema documents only in words (column descriptions).

They are collected here so that the suites state each list once. Candidates to move into
pipeline/schema.py beside ``valid_codes``.
"""

from __future__ import annotations

from pipeline import schema

BINARY = frozenset({"0", "1"})

# SSDA903 columns whose codes schema.py lists in the column description.
SSDA903_EXTRA_CODES: dict[str, frozenset[str]] = {
    "MOTHER": BINARY,
    "FOSTER_CARE": BINARY,
    "NB_ADOPTR": frozenset({"1", "2"}),
    "SEX_ADOPTR": frozenset({"M1", "F1", "MM", "FF", "MF"}),
    # OC3 activity and accommodation after leaving care (DfE 132, 133; "0": not in touch)
    "ACTIV": frozenset({"F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0"}),
    "ACCOM": frozenset({"B1", "B2", "C1", "C2", "D1", "D2", "E1", "E2", "G1", "G2", "H1", "H2", "K1", "K2", "R1", "R2",
                        "S2", "T1", "T2", "U1", "U2", "V1", "V2", "W1", "W2", "X2", "Y1", "Y2", "Z1", "Z2", "0"}),
    **{c: BINARY for c in (
        "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
    )},
}

# Local files' code columns (schema.LOCAL_FILES descriptions).
LOCAL_CODES: dict[str, dict[str, frozenset[str]]] = {
    "permanence_tracker": {
        "ROUTE": frozenset(schema.TRACKER_ROUTES),
        "RESPONSIBILITY": frozenset({"CASE", "COWORK"}),
        "CARER": frozenset({"FORMER_FOSTER_CARER", "OTHER_CARER"}),
    },
    "staffing": {
        "TEAM": frozenset({"EXIT", "ADOPTION", "MANAGEMENT", "SUPPORT"}),
        "STATUS": frozenset({"FILLED", "VACANT", "AGENCY", "ABSENT"}),
    },
    "unit_costs": {
        "PLACEMENT_GROUP": frozenset(schema.COST_GROUPS),
        "AGE_BAND": frozenset(schema.AGE_BANDS) | {"ALL"},
    },
    "population": {"AGE_BAND": frozenset(schema.AGE_BANDS)},
}

# Fields whose SSDA903 code list changes between collection years.
YEAR_DEPENDENT = ("PLACE", "SEX")
# Collection years whose code lists differ (used to tell "unknown" from "not valid this year").
KNOWN_YEARS = (schema.PLACE_2026_FROM - 1, schema.PLACE_2026_FROM, schema.SEX_MFU_FROM - 1, schema.SEX_MFU_FROM)

# Adoption placements and the legal statuses that allow them (DfE: A5/A6 placement order
# or freeing order; A3/A4 consent (V2) or an order).
ADOPTION_LEGAL_BASIS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("A5", "A6"): ("E1", "D1"),
    ("A3", "A4"): ("V2", "E1", "D1"),
}

# Formats (upper case; values are stripped before checking).
UPN_REGEX = r"^(?:[A-HJ-NP-RT-Z]\d{11}[A-Z0-9]|UN(?:10|[1-9]))$"  # DfE 168: the letter is never I, O or S
# Full postcode, or outward code with an optional sector digit (the DfE allows partial postcodes).
POSTCODE_REGEX = r"^[A-Z]{1,2}\d[A-Z\d]?(?: ?\d(?:[A-Z]{2})?)?$"
FULL_POSTCODE_REGEX = r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"
INT_REGEX = r"^[+-]?\d+$"
FLOAT_REGEX = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"
FINANCIAL_YEAR_REGEX = r"^\d{4}-\d{2}$"
TRUE_VALUES = frozenset({"1", "true", "True", "TRUE", "yes", "Yes", "YES", "Y"})
FALSE_VALUES = frozenset({"0", "false", "False", "FALSE", "no", "No", "NO", "N"})


def code_list(field: str, collection_year: int | None) -> frozenset[str] | None:
    """The allowed codes of an SSDA903 or local column, or None when the column has no list."""
    if field in SSDA903_EXTRA_CODES:
        return SSDA903_EXTRA_CODES[field]
    try:
        return schema.valid_codes(field, collection_year or schema.PLACE_2026_FROM)
    except KeyError:
        return None


def all_year_codes(field: str) -> frozenset[str]:
    """Every code a year-dependent field has had in any collection year."""
    out: frozenset[str] = frozenset()
    for y in KNOWN_YEARS:
        out |= schema.valid_codes(field, y)
    return out
