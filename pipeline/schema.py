"""The raw data contract: folder layout, every raw file's columns, and the code lists.

This module is the single definition used by the synthetic generator, the validation
suites, the processing stage and docs/data.md.

Layout under the raw folder (``paths.raw`` in params.yaml)::

    ssda903/<return>/<table>.csv     one folder per return:
                                     "2024-25"     annual return for the year ending 31 March 2025
                                     "2026-27_Q2"  in-year extract from 1 April to the end of Q2
    local/<file>.csv                 the team's own files (optional, see LOCAL_FILES)

SSDA903 dates are dd/mm/yyyy or ISO yyyy-mm-dd; local files use ISO dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.periods import FinancialYear, Quarter, parse_financial_year, parse_quarter

SSDA903_DIR = "ssda903"
LOCAL_DIR = "local"

# --- columns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a raw file: name, kind, whether it may be blank, and what it means."""

    name: str
    kind: str  # str | code | date | int | float | bool | postcode | upn
    required: bool = True
    description: str = ""


def _cols(*specs: tuple) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in specs)


SSDA903_TABLES: dict[str, tuple[Column, ...]] = {
    "header": _cols(
        ("CHILD", "str", True, "Child identifier, unique within the LA"),
        ("SEX", "code", True, "1/2 to 2023-24, M/F/U from 2024-25"),
        ("DOB", "date", True, "Date of birth"),
        ("ETHNIC", "code", True, "Ethnicity"),
        ("UPN", "upn", False, "Unique pupil number (or UN1-UN10 reason code)"),
        ("MOTHER", "code", False, "1 if the child is a mother, 0 if not"),
        ("MC_DOB", "date", False, "Date of birth of the mother's child"),
    ),
    "episodes": _cols(
        ("CHILD", "str", True, "Child identifier"),
        ("DECOM", "date", True, "Date episode commenced"),
        ("RNE", "code", True, "Reason for new episode"),
        ("LS", "code", True, "Legal status"),
        ("CIN", "code", True, "Category of need"),
        ("PLACE", "code", True, "Placement type"),
        ("PLACE_PROVIDER", "code", False, "Placement provider (blank for some placement types)"),
        ("DEC", "date", False, "Date episode ceased (blank while open)"),
        ("REC", "code", False, "Reason episode ceased (present exactly when DEC is)"),
        ("REASON_PLACE_CHANGE", "code", False, "Reason for placement change"),
        ("HOME_POST", "postcode", False, "Postcode of the child's home"),
        ("PL_POST", "postcode", False, "Postcode of the placement"),
        ("URN", "str", False, "Ofsted unique reference number of the placement"),
    ),
    "uasc": _cols(
        ("CHILD", "str", True, "Child identifier"),
        ("SEX", "code", True, "Sex"),
        ("DOB", "date", True, "Date of birth"),
        ("DUC", "date", True, "Date the child ceased to be an unaccompanied asylum-seeking child"),
    ),
    "reviews": _cols(
        ("CHILD", "str", True, "Child identifier"),
        ("DOB", "date", True, "Date of birth"),
        ("REVIEW", "date", True, "Date of review"),
        ("REVIEW_CODE", "code", True, "Participation code PN0-PN7"),
    ),
    "ad1": _cols(
        ("CHILD", "str", True, "Child identifier"),
        ("DOB", "date", True, "Date of birth"),
        ("DATE_INT", "date", True, "Date of decision that the child should be placed for adoption"),
        ("DATE_MATCH", "date", False, "Date matched with prospective adopters"),
        ("FOSTER_CARE", "code", False, "Adopted by former foster carer (0/1)"),
        ("NB_ADOPTR", "code", False, "Number of adopters (1/2)"),
        ("SEX_ADOPTR", "code", False, "Sex of adopters (M1, F1, MM, FF, MF)"),
        ("LS_ADOPTR", "code", False, "Legal status of adopters"),
    ),
    "placed_for_adoption": _cols(
        ("CHILD", "str", True, "Child identifier"),
        ("DOB", "date", True, "Date of birth"),
        ("DATE_PLACED", "date", True, "Date of the decision that the child should be placed for adoption"),
        ("DATE_PLACED_CEASED", "date", False, "Date that decision ceased"),
        ("REASON_PLACED_CEASED", "code", False, "Reason the decision ceased"),
    ),
    "previous_permanence": _cols(
        ("CHILD", "str", True, "Child identifier"),
        ("DOB", "date", False, "Date of birth"),
        ("PREV_PERM", "code", False, "Previous permanence option"),
        ("LA_PERM", "str", False, "LA that granted the previous order"),
        ("DATE_PERM", "str", False, "Date of the previous order (may be partial)"),
    ),
    "missing": _cols(
        ("CHILD", "str", True, "Child identifier"),
        ("DOB", "date", True, "Date of birth"),
        ("MISSING", "code", True, "M (missing) or A (away without authorisation)"),
        ("MIS_START", "date", True, "Start of the missing episode"),
        ("MIS_END", "date", False, "End of the missing episode"),
    ),
    "oc2": _cols(
        ("CHILD", "str", True, "Child identifier"),
        ("DOB", "date", True, "Date of birth"),
        ("SDQ_SCORE", "int", False, "Strengths and difficulties score"),
        ("SDQ_REASON", "code", False, "Reason no SDQ score"),
        ("CONVICTED", "code", False, "Convicted during the year (0/1)"),
        ("HEALTH_CHECK", "code", False, "Health check up to date (0/1)"),
        ("IMMUNISATIONS", "code", False, "Immunisations up to date (0/1)"),
        ("TEETH_CHECK", "code", False, "Teeth checked (0/1)"),
        ("HEALTH_ASSESSMENT", "code", False, "Health assessment (0/1)"),
        ("SUBSTANCE_MISUSE", "code", False, "Substance misuse (0/1)"),
        ("INTERVENTION_RECEIVED", "code", False, "Intervention received (0/1)"),
        ("INTERVENTION_OFFERED", "code", False, "Intervention offered (0/1)"),
    ),
    "oc3": _cols(
        ("CHILD", "str", True, "Child identifier"),
        ("DOB", "date", True, "Date of birth"),
        ("IN_TOUCH", "code", True, "In touch with the LA (YES, NO, DIED, REFU, NREQ, RHOM)"),
        ("ACTIV", "code", False, "Main activity"),
        ("ACCOM", "code", False, "Accommodation type"),
    ),
}

# --- local files (not part of the DfE return) ------------------------------------------------

TRACKER_ROUTES = ("SGO", "PWP", "CP", "ADOPTION")

# Stages in the order a case passes through them (the 2021 paper's tables 1-3, and adoption).
TRACKER_STAGES: dict[str, tuple[str, ...]] = {
    "SGO": ("REFERRAL", "STAGE1", "ASSESSMENT", "PANEL", "COURT", "GRANTED"),
    "PWP": ("REFERRAL", "INITIAL_VIABILITY", "FULL_ASSESSMENT", "PLACED", "REVOKED"),
    "CP": ("REFERRAL", "INITIAL_VIABILITY", "FULL_VIABILITY", "MANAGEMENT_DECISION", "PLACED", "CAO_GRANTED"),
    "ADOPTION": ("BI_DECISION", "PLACEMENT_ORDER", "LINKED", "MATCHED", "PLACED", "ADOPTION_ORDER"),
}
# Stages that end a case without the route's outcome; they may follow any stage.
TRACKER_END_STAGES: dict[str, tuple[str, ...]] = {
    "SGO": ("CLOSED",),
    "PWP": ("RETURNED", "CLOSED"),
    "CP": ("RETURNED", "CLOSED"),
    "ADOPTION": ("REVERSAL",),
}
# The stage whose date is the child's exit from care for each route, and the REC codes it matches.
TRACKER_OUTCOME: dict[str, tuple[str, tuple[str, ...]]] = {
    "SGO": ("GRANTED", ("E45", "E46", "E47", "E48")),
    "PWP": ("REVOKED", ("E4A", "E4B")),
    "CP": ("CAO_GRANTED", ("E41",)),
    "ADOPTION": ("ADOPTION_ORDER", ("E11", "E12")),
}

LOCAL_FILES: dict[str, tuple[Column, ...]] = {
    "permanence_tracker": _cols(
        ("EVENT_ID", "str", True, "Unique id of the stage event"),
        ("CASE_ID", "str", True, "Case id: one child on one route"),
        ("CHILD", "str", True, "Child identifier (as in the SSDA903 header)"),
        ("ROUTE", "code", True, "SGO | PWP | CP (connected persons / CAO) | ADOPTION"),
        ("STAGE", "code", True, "Stage reached (TRACKER_STAGES / TRACKER_END_STAGES)"),
        ("EVENT_DATE", "date", True, "Date the stage was reached"),
        ("RECORDED_DATE", "date", True, "Date the event was entered on the system"),
        ("WORKER_ID", "str", False, "Worker holding or co-working the case"),
        ("RESPONSIBILITY", "code", True, "CASE (case responsibility) | COWORK (co-working as assessor)"),
        ("CARER", "code", False, "SGO: FORMER_FOSTER_CARER | OTHER_CARER"),
    ),
    "staffing": _cols(
        ("POST_ID", "str", True, "Post identifier"),
        ("TEAM", "code", True, "EXIT | ADOPTION | MANAGEMENT | SUPPORT"),
        ("ROLE", "str", True, "Role title"),
        ("FTE", "float", True, "Full-time equivalent of the post, 0-1"),
        ("STATUS", "code", True, "FILLED | VACANT | AGENCY | ABSENT"),
        ("WORKER_ID", "str", False, "Worker in the post (blank when vacant)"),
        ("FROM_DATE", "date", True, "Start of this spell"),
        ("TO_DATE", "date", False, "End of this spell (blank while current)"),
    ),
    "unit_costs": _cols(
        ("FINANCIAL_YEAR", "str", True, "Financial year, e.g. 2024-25"),
        ("PLACEMENT_GROUP", "code", True, "A cost group (COST_GROUPS)"),
        ("AGE_BAND", "code", True, "An age band (AGE_BANDS) or ALL"),
        ("ANNUAL_COST", "float", True, "Annual cost per child in pounds"),
    ),
    "fostering_capacity": _cols(
        ("FINANCIAL_YEAR", "str", True, "Financial year; counts at its 31 March"),
        ("HOUSEHOLDS", "int", True, "Approved fostering households"),
        ("APPROVED_PLACES", "int", True, "Approved placement places"),
        ("FILLED_PLACES", "int", True, "Places filled at 31 March"),
        ("APPROVALS", "int", True, "Households approved during the year"),
        ("RESIGNATIONS", "int", True, "Households that resigned during the year"),
    ),
    "population": _cols(
        ("YEAR", "int", True, "ONS mid-year estimate year"),
        ("DISTRICT", "str", True, "District name"),
        ("AGE_BAND", "code", True, "An age band (AGE_BANDS)"),
        ("POPULATION", "int", True, "Resident population"),
    ),
    "postcodes": _cols(
        ("POSTCODE", "postcode", True, "Postcode (fictional in the demo data)"),
        ("EASTING", "float", True, "Easting in metres (British National Grid)"),
        ("NORTHING", "float", True, "Northing in metres"),
        ("DISTRICT", "str", True, "District, or OUTSIDE for places outside the LA"),
        ("IN_LA", "bool", True, "1 if inside the LA boundary"),
    ),
}

# --- vocabularies ----------------------------------------------------------------------------

AGE_BANDS = ("Under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over")

# Placement groups used by the sufficiency tables and by unit costs.
COST_GROUPS = (
    "FOSTER_IN_HOUSE",
    "FOSTER_AGENCY",
    "RESIDENTIAL_IN_HOUSE",
    "RESIDENTIAL_AGENCY",
    "SECURE",
    "PLACED_FOR_ADOPTION",
    "PLACED_WITH_PARENTS",
    "INDEPENDENT_LIVING",
    "OTHER",
    "SGO_ALLOWANCE",
    "CAO_ALLOWANCE",
    "ADOPTION_ALLOWANCE",
)

PLACEMENT_GROUP_LABELS = {
    "FOSTER_IN_HOUSE": "Foster placement (in-house)",
    "FOSTER_AGENCY": "Foster placement (agency)",
    "RESIDENTIAL_IN_HOUSE": "Residential (in-house)",
    "RESIDENTIAL_AGENCY": "Residential (agency)",
    "SECURE": "Secure unit",
    "PLACED_FOR_ADOPTION": "Placed for adoption",
    "PLACED_WITH_PARENTS": "Placed with parents",
    "INDEPENDENT_LIVING": "Independent and semi-independent living",
    "OTHER": "Other",
}

FOSTER_PLACEMENTS = ("U1", "U2", "U3", "U4", "U5", "U6")
RESIDENTIAL_PLACEMENTS = ("K2", "R1")
ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")
INDEPENDENT_PLACEMENTS = ("H5", "P2", "K3")


def layout_columns(table: str) -> tuple[Column, ...]:
    """The columns of an SSDA903 table or a local file."""
    return SSDA903_TABLES.get(table) or LOCAL_FILES[table]


def placement_group(place: str, provider: str | None) -> str:
    """Map a PLACE code and PLACE_PROVIDER to a placement group (PLACEMENT_GROUP_LABELS)."""
    if place in FOSTER_PLACEMENTS:
        return "FOSTER_IN_HOUSE" if provider == "PR1" else "FOSTER_AGENCY"
    if place in RESIDENTIAL_PLACEMENTS:
        return "RESIDENTIAL_IN_HOUSE" if provider == "PR1" else "RESIDENTIAL_AGENCY"
    if place == "K1":
        return "SECURE"
    if place in ADOPTION_PLACEMENTS:
        return "PLACED_FOR_ADOPTION"
    if place == "P1":
        return "PLACED_WITH_PARENTS"
    if place in INDEPENDENT_PLACEMENTS:
        return "INDEPENDENT_LIVING"
    return "OTHER"


EXIT_ROUTES: dict[str, tuple[str, ...]] = {
    "Adoption": ("E11", "E12"),
    "SGO to former foster carer": ("E45", "E46"),
    "SGO to other carer": ("E47", "E48"),
    "Child arrangements order": ("E41",),
    "Returned home (planned)": ("E4A",),
    "Returned home (not planned)": ("E4B",),
    "Left to live with parents or relatives without PR": ("E13",),
    "Independent living": ("E5", "E6"),
    "Other": ("E17", "E7", "E9", "E14", "E15", "E16", "E2", "E3", "E8"),
}


def exit_route(rec: str) -> str | None:
    """The exit route of a REC code, or None for X1 (not an exit) and unknown codes."""
    for route, codes in EXIT_ROUTES.items():
        if rec in codes:
            return route
    return None


# --- code lists by collection year ---------------------------------------------------------

_PLACE_BASE = frozenset(
    ["A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1"]
)
_PLACE_2026 = (_PLACE_BASE - {"H5", "P2", "Z1"}) | {"K3", "Z11", "Z12", "Z13", "Z14"}

_CODES: dict[str, frozenset[str]] = {
    "RNE": frozenset(["S", "L", "P", "T", "U", "B"]),
    "LS": frozenset(["C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"]),
    "CIN": frozenset(f"N{i}" for i in range(1, 9)),
    "PLACE_PROVIDER": frozenset(f"PR{i}" for i in range(6)),
    "REC": frozenset(
        ["E11", "E12", "E13", "E14", "E15", "E16", "E17", "E2", "E3", "E41", "E45", "E46", "E47", "E48", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9", "X1"]
    ),
    "REASON_PLACE_CHANGE": frozenset(
        ["ALLEG", "APPRR", "CARPL", "CHILD", "CLOSE", "CREQB", "CREQO", "CUSTOD", "LAREQ", "OTHER", "PLACE", "STAND"]
    ),
    "ETHNIC": frozenset(
        ["WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"]
    ),
    "REVIEW_CODE": frozenset(f"PN{i}" for i in range(8)),
    "MISSING": frozenset({"M", "A"}),
    "IN_TOUCH": frozenset(["YES", "NO", "DIED", "REFU", "NREQ", "RHOM"]),
}

ETHNIC_GROUPS = {
    "White": ("WBRI", "WIRI", "WOTH", "WIRT", "WROM"),
    "Mixed": ("MWBC", "MWBA", "MWAS", "MOTH"),
    "Asian or Asian British": ("AIND", "APKN", "ABAN", "AOTH"),
    "Black or Black British": ("BCRB", "BAFR", "BOTH"),
    "Other ethnic group": ("CHNE", "OOTH"),
    "Not known": ("REFU", "NOBT"),
}

# The first collection year (year ending 31 March) in which SEX is coded M/F/U.
SEX_MFU_FROM = 2025
# The first collection year with the 2025-26 placement codes.
PLACE_2026_FROM = 2026


def valid_codes(field: str, collection_year: int) -> frozenset[str]:
    """The codes allowed in `field` for a collection year (named by the year it ends in)."""
    if field == "PLACE":
        return _PLACE_2026 if collection_year >= PLACE_2026_FROM else _PLACE_BASE
    if field == "SEX":
        return frozenset({"M", "F", "U"}) if collection_year >= SEX_MFU_FROM else frozenset({"1", "2"})
    if field in _CODES:
        return _CODES[field]
    raise KeyError(f"no code list for {field}")


# --- return folders --------------------------------------------------------------------------

_ANNUAL = re.compile(r"^\d{4}-\d{2}$")
_IN_YEAR = re.compile(r"^(\d{4}-\d{2})_Q([1-4])$")


@dataclass(frozen=True, order=True)
class ReturnLabel:
    """An SSDA903 return folder: an annual return, or an in-year extract to a quarter's end."""

    year: FinancialYear
    quarter: int | None = None  # None for the annual return

    @property
    def name(self) -> str:
        return self.year.label if self.quarter is None else f"{self.year.label}_Q{self.quarter}"

    @property
    def collection_year(self) -> int:
        return self.year.collection_year

    @property
    def end(self):
        """The last day the return covers (its reference date)."""
        return self.year.end if self.quarter is None else Quarter(self.year, self.quarter).end

    @property
    def start(self):
        return self.year.start


def parse_return_label(name: str) -> ReturnLabel:
    """Parse a return folder name: '2024-25' or '2026-27_Q2'."""
    if _ANNUAL.match(name):
        return ReturnLabel(parse_financial_year(name))
    m = _IN_YEAR.match(name)
    if m:
        return ReturnLabel(parse_financial_year(m.group(1)), int(m.group(2)))
    raise ValueError(f"return folder {name!r} is not of the form 2024-25 or 2026-27_Q2")


def quarter_return(period: str) -> ReturnLabel:
    """The in-year extract folder name for a quarterly period."""
    q = parse_quarter(period)
    return ReturnLabel(q.year, q.q)
