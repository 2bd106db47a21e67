"""Every validation rule, declared once: id, table, severity, description and message.

A rule's ``message`` is a template filled per failing row with ``column``, ``value`` and the
rule's context (``allowed``, ``year``, ``other`` ...). ``severity`` is ``error`` (the stage
stops, nothing is written for downstream) or ``warning`` (recorded; reaches the paper's
data-quality appendix).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    id: str
    table: str  # a schema table / local file name, "ssda903", "local" or "*" (any file)
    severity: str
    description: str
    message: str


def _r(*args: str) -> Rule:
    return Rule(*args)


_ALL = [
    # --- files and columns (raised by pipeline.readers) ---------------------------------
    _r("FILE_EMPTY", "*", ERROR, "The file is empty (no header line).", "{file} is empty: expected a header line with {allowed}"),
    _r("FILE_ENCODING", "*", ERROR, "The file is not UTF-8 text (with or without BOM).", "{file} is not UTF-8 text: {other}. Save it as 'CSV UTF-8'"),
    _r("FILE_UNREADABLE", "*", ERROR, "The file cannot be parsed as CSV (e.g. a row with too many fields).", "{file} cannot be read as CSV: {other}"),
    _r("FILE_UNKNOWN", "*", WARNING, "A file that is not part of the raw layout; it is ignored and its rows are listed in exclusions.csv.", "{file} is not an SSDA903 table or a local file; it was ignored"),
    _r("FILE_MISSING", "ssda903", ERROR, "A return has no header or no episodes file.", "return {other} has no {column} file"),
    _r("RETURN_NAME", "ssda903", ERROR, "A return folder name is not of the form 2024-25 or 2026-27_Q2.", "folder {value} is not a return name like 2024-25 or 2026-27_Q2"),
    _r("YEAR_UNKNOWN", "ssda903", ERROR, "The collection year of a flat folder cannot be worked out.", "cannot tell which collection year {file} belongs to: {other}"),
    _r("LAYOUT_INFERRED", "ssda903", WARNING, "The return a file belongs to was inferred (flat folder, year prefix or YEAR column).", "{file}: {other}"),
    _r("COL_MISSING", "*", ERROR, "A column of the DfE / local layout is missing.", "column {column} is missing from {file}"),
    _r("COL_DUPLICATE", "*", ERROR, "A column name appears twice.", "column {column} appears more than once in {file}"),
    _r("COL_EXTRA", "*", WARNING, "A column that is not in the layout; it is dropped.", "column {column} is not in the layout of {other}; it was dropped"),
    _r("LA_MULTIPLE", "*", ERROR, "Rows for several local authorities in one file (choose one with --la).", "{file} holds rows for several local authorities ({allowed}); choose one with --la"),
    _r("LA_NOT_FOUND", "*", ERROR, "The --la given matches no row of a file with an LA column.", "no row of {file} has LA '{value}' (found: {allowed})"),
    # --- values (any table) ----------------------------------------------------------------
    _r("REQUIRED_BLANK", "*", ERROR, "A column that must always be filled is blank.", "{column} is blank but must be filled"),
    _r("DATE_FORMAT", "*", ERROR, "A date is not a real date in dd/mm/yyyy or yyyy-mm-dd form.", "{column} was '{value}', not a date in dd/mm/yyyy or yyyy-mm-dd form"),
    _r("TYPE_INT", "*", ERROR, "A whole number column holds something else.", "{column} was '{value}', not a whole number"),
    _r("TYPE_FLOAT", "*", ERROR, "A number column holds something else.", "{column} was '{value}', not a number"),
    _r("TYPE_BOOL", "*", ERROR, "A yes/no column holds something other than 1/0 or true/false.", "{column} was '{value}', not 1/0 or true/false"),
    _r("CODE_UNKNOWN", "*", ERROR, "A code that is not in the code list (for any collection year).", "{column} was '{value}' but allowed codes for {year} are {allowed}"),
    _r("CODE_NOT_VALID_FOR_YEAR", "ssda903", ERROR, "A code that exists in other collection years but not in this return's year.", "{column} was '{value}', a code not valid in {year}; allowed codes for {year} are {allowed}"),
    _r("DATE_AFTER_RETURN_END", "ssda903", ERROR, "A date after the last day the return covers.", "{column} was {value}, after the end of return {other}"),
    _r("CHILD_NOT_IN_HEADER", "ssda903", ERROR, "A child in this table is not in the same return's header (not applied to OC3: care leavers are not looked after in the year).", "CHILD '{value}' is not in the header of return {other}"),
    # --- header ------------------------------------------------------------------------
    _r("HDR_CHILD_DUPLICATE", "header", ERROR, "CHILD appears more than once in the header.", "CHILD '{value}' appears more than once in the header"),
    _r("HDR_UPN_FORMAT", "header", WARNING, "UPN is not a letter (not I, O or S) and 12 characters (or UN1-UN10).", "UPN was '{value}', not a 13-character UPN or UN1-UN10"),
    # --- episodes ----------------------------------------------------------------------
    _r("EP_DUPLICATE", "episodes", ERROR, "Two episodes of a child start on the same day.", "CHILD '{other}' has two episodes starting {value}"),
    _r("EP_DEC_BEFORE_DECOM", "episodes", ERROR, "DEC (episode ceased) is before DECOM (episode began).", "DEC was {value}, before DECOM {other}"),
    _r("EP_REC_WITHOUT_DEC", "episodes", ERROR, "REC is filled but DEC is blank (REC present exactly when DEC is).", "REC was '{value}' but DEC is blank"),
    _r("EP_DEC_WITHOUT_REC", "episodes", ERROR, "DEC is filled but REC is blank (REC present exactly when DEC is).", "DEC was {value} but REC is blank"),
    _r("EP_OVERLAP", "episodes", ERROR, "An episode starts before the child's previous episode ended (or while it is open).", "DECOM {value} is before the end of the child's previous episode ({other})"),
    _r("EP_X1_NOT_FOLLOWED", "episodes", ERROR, "An episode ceased X1 but no episode of the child starts that day.", "REC is X1 with DEC {value} but no episode of the child starts that day"),
    _r("EP_CHAIN_BROKEN", "episodes", ERROR, "An episode with RNE other than S does not follow an X1 episode ending the same day.", "RNE was '{value}' but no episode of the child ended X1 on DECOM {other} (only RNE S starts a period of care)"),
    _r("EP_S_AFTER_X1", "episodes", ERROR, "RNE S (new period of care) follows an episode that ceased X1 the same day.", "RNE was 'S' but the previous episode ceased X1 on {other}: S starts a new period of care"),
    _r("EP_DOB_AFTER_DECOM", "episodes", ERROR, "The child's date of birth (header) is after DECOM.", "DECOM {value} is before the child's date of birth {other}"),
    _r("EP_AGED_18_AT_DECOM", "episodes", ERROR, "The child was 18 or over at DECOM.", "DECOM {value} is on or after the child's 18th birthday {other}"),
    _r("EP_LS_PLACE_ADOPTION", "episodes", ERROR, "Placed for adoption without the legal basis: A5/A6 need LS E1 or D1; A3/A4 need V2, E1 or D1.", "LS was '{value}' but PLACE {other} needs LS {allowed}"),
    _r("EP_POSTCODE_FORMAT", "episodes", WARNING, "HOME_POST / PL_POST is not a UK postcode (full, or outward code and sector).", "{column} was '{value}', not a UK postcode"),
    # --- DfE 903 rules added as they are (DFE_<code>; the DfE's own wording, shortened) --------
    _r("DFE_142", "episodes", ERROR, "A new episode has started, but the previous episode has not ended (DEC or REC blank on an episode that is not the child's last).", "the child's next episode starts after DECOM {value} but this episode has no DEC or REC"),
    _r("DFE_355", "episodes", WARNING, "Episode appears to have lasted for less than 24 hours (DEC equals DECOM).", "DEC {value} is the same day as DECOM"),
    _r("DFE_388", "episodes", ERROR, "An episode ceased with a reason other than X1 but the child's next episode starts that day (the child did not leave care).", "REC was '{value}' but the child's next episode starts on DEC {other}: a continuing episode ends X1"),
    _r("DFE_437", "episodes", ERROR, "Reason episode ceased is that the child died (E2) or was aged 18 or over (E15) but there are further episodes.", "REC was '{value}' but the child has a later episode"),
    _r("DFE_431", "episodes", WARNING, "The reason for new episode is started to be looked after (S), but the previous episode ended on the same day (with a reason other than X1; X1 is EP_S_AFTER_X1).", "RNE was 'S' but the child's previous episode ended on DECOM {other}"),
    _r("DFE_386", "episodes", WARNING, "Reason episode ceased is adopted (E11, E12) but the child had reached age 18.", "REC was '{value}' but the child was 18 on {other}"),
    _r("DFE_407", "episodes", WARNING, "Reason episode ceased is a special guardianship order (E45-E48) but the child was over 18.", "REC was '{value}' but the child was over 18 at DEC (18th birthday {other})"),
    _r("DFE_460", "episodes", WARNING, "Reason episode ceased is that the child stayed with current carers at 18 or over (E17), but the child was under 18.", "REC was 'E17' but the child was under 18 at DEC (18th birthday {other})"),
    _r("DFE_389", "episodes", WARNING, "Reason episode ceased is transfer to adult social care (E7), but the child was under 16.", "REC was 'E7' but the child was under 16 at DEC (16th birthday {other})"),
    _r("DFE_387", "episodes", WARNING, "Reason episode ceased is independent living (E5, E6), but the child was under 14.", "REC was '{value}' but the child was under 14 at DEC (14th birthday {other})"),
    _r("DFE_358", "episodes", WARNING, "A child with legal status J1, J2 or J3 should not be under 10 at DECOM.", "LS was '{value}' but the child was not yet 10 at DECOM (10th birthday {other})"),
    _r("DFE_380", "episodes", WARNING, "A period of care cannot start with a temporary placement (PLACE T0-T4 needs RNE P or B).", "PLACE was '{value}' (temporary) with RNE {other}"),
    _r("DFE_213", "episodes", WARNING, "Placement provider is not required for temporary placements (T0-T4, Z11-Z14).", "PLACE_PROVIDER was '{value}' but PLACE {other} takes none"),
    _r("DFE_370", "episodes", WARNING, "A child placed in a P2 placement (independent living) should be at least 16 at DECOM (15 until 2022-23; closed episodes).", "PLACE was '{value}' but the child was too young for it at DECOM"),
    _r("DFE_371", "episodes", WARNING, "A child in supported accommodation (K3) should be at least 16 at DECOM (closed episodes).", "PLACE was '{value}' but the child was under 16 at DECOM"),
    _r("DFE_372", "episodes", WARNING, "A child in youth custody or prison (R5) should be at least 10 at DECOM (closed episodes).", "PLACE was '{value}' but the child was under 10 at DECOM"),
    _r("DFE_373", "episodes", WARNING, "A child placed in a school (S1) should be at least 4 at DECOM (closed episodes).", "PLACE was '{value}' but the child was under 4 at DECOM"),
    _r("DFE_374", "episodes", WARNING, "A child in residential employment (P3) should be at least 14 at DECOM (closed episodes).", "PLACE was '{value}' but the child was under 14 at DECOM"),
    _r("DFE_375", "episodes", WARNING, "Hospitalisation coded as a temporary placement (T1) exceeds six weeks.", "PLACE was '{value}' and the episode lasted more than 42 days (DEC {other})"),
    _r("DFE_376", "episodes", WARNING, "A temporary placement for the usual foster carers' holiday (T3) exceeds three weeks.", "PLACE was '{value}' and the episode lasted more than 21 days (DEC {other})"),
    _r("DFE_379", "episodes", WARNING, "A temporary placement for an unspecified reason (T4) exceeds seven days.", "PLACE was '{value}' and the episode lasted more than 7 days (DEC {other})"),
    _r("DFE_378", "episodes", WARNING, "A child placed with parents (P1) cannot be looked after under a single period of accommodation under section 20 (V2).", "PLACE was 'P1' with LS '{other}'"),
    _r("DFE_381", "episodes", WARNING, "A period of care cannot end with a temporary placement (T0-T4 with REC other than X1).", "PLACE was '{value}' (temporary) and the episode ceased {other}"),
    _r("DFE_382", "episodes", WARNING, "A child receiving respite care (LS V3, V4) cannot be in a temporary placement.", "PLACE was '{value}' (temporary) with LS {other}"),
    _r("DFE_384", "episodes", WARNING, "A child receiving respite care (LS V3, V4) cannot be in a long-term foster placement (U1, U4).", "PLACE was '{value}' with LS {other}"),
    _r("DFE_214", "episodes", WARNING, "Placement location (PL_POST, URN) is not required for respite care (LS V3, V4).", "LS was '{value}' but PL_POST or URN is filled"),
    _r("DFE_222", "episodes", WARNING, "An Ofsted URN should not be recorded for this placement type.", "URN was '{value}' but PLACE {other} takes none"),
    _r("DFE_527", "episodes", WARNING, "A placement provider code of PR1 (own provision) cannot be associated with placements P1, R2 or R5.", "PLACE_PROVIDER was '{value}' with PLACE {other}"),
    _r("DFE_528", "episodes", WARNING, "A placement provider code of PR2 (other LA) cannot be associated with placements P1, R2 or R5.", "PLACE_PROVIDER was '{value}' with PLACE {other}"),
    _r("DFE_529", "episodes", WARNING, "A placement provider code of PR3 (other public) cannot be associated with placements P1, A3-A6, K1, K2 or U1-U6.", "PLACE_PROVIDER was '{value}' with PLACE {other}"),
    _r("DFE_530", "episodes", WARNING, "A placement provider code of PR4 (private) cannot be associated with placement P1.", "PLACE_PROVIDER was '{value}' with PLACE {other}"),
    _r("DFE_531", "episodes", WARNING, "A placement provider code of PR5 (voluntary) cannot be associated with placement P1.", "PLACE_PROVIDER was '{value}' with PLACE {other}"),
    _r("DFE_550", "episodes", WARNING, "A placement provider code of PR0 (parent) can only be associated with placement P1.", "PLACE_PROVIDER was '{value}' with PLACE {other}"),
    _r("DFE_361", "episodes", WARNING, "Police protection (LS L1) lasted longer than the 72 hours the Children Act 1989 allows (consecutive L1 episodes; an open one runs to the return's end).", "LS was '{value}' for more than 3 days in a row"),
    _r("DFE_362", "episodes", WARNING, "Emergency protection order (LS L2) lasted longer than 21 days (consecutive L2 episodes).", "LS was '{value}' for more than 21 days in a row"),
    _r("DFE_363", "episodes", WARNING, "Child assessment order (LS L3) lasted longer than the 7 days the Children Act 1989 allows (consecutive L3 episodes).", "LS was '{value}' for more than 7 days in a row"),
    _r("DFE_364", "episodes", WARNING, "Detention under PACE in LA accommodation (LS J2) lasted longer than 21 days (consecutive J2 episodes).", "LS was '{value}' for more than 21 days in a row"),
    _r("DFE_199", "episodes", WARNING, "Episode information shows the child has been previously adopted from care (an episode after the child's first E11/E12 in the return).", "an episode after the child was adopted (E11/E12) earlier in the return"),
    _r("DFE_217", "episodes", WARNING, "Children placed for adoption with current foster carers (A3 or A5, from 1 April 2015) must have a reason for new episode of S, T or U.", "RNE was '{value}' with PLACE {other}"),
    _r("DFE_336", "episodes", WARNING, "Child does not have a foster placement immediately before being placed for adoption (A3/A4 after a placement other than A3-A6 or U1-U6).", "PLACE was '{value}' but the previous episode was not a foster or adoption placement"),
    _r("DFE_390", "episodes", WARNING, "Reason episode ceased is adopted (E11, E12) but the child was not placed for adoption (PLACE A3-A6).", "REC was '{value}' with PLACE {other}"),
    _r("DFE_445", "episodes", WARNING, "D1 (freeing order) is not a valid legal status for episodes starting after December 2005.", "LS was '{value}' with DECOM {other}"),
    _r("DFE_516", "episodes", WARNING, "Reason episode ceased is a special guardianship order to former foster carers (E45, E46) but the placement is not a foster placement (U1-U6).", "REC was '{value}' with PLACE {other}"),
    _r("DFE_365", "episodes", WARNING, "A short-term respite placement (LS V3) must not exceed 17 days (an open one runs to the return's end).", "LS was '{value}' and the episode lasted more than 17 days (DEC {other})"),
    _r("DFE_366", "episodes", WARNING, "A child cannot change placement during a short-term respite break (LS V3 needs RNE S).", "LS was '{value}' with RNE other than S"),
    _r("DFE_398", "episodes", WARNING, "Postcodes (distance) completed but the child is looked after under legal status V3 or V4.", "LS was '{value}' but HOME_POST or PL_POST is filled"),
    _r("DFE_426", "episodes", WARNING, "A child receiving respite care cannot be recorded under both legal statuses V3 and V4 in the same year.", "LS was '{value}' and the child also has episodes under the other respite status"),
    _r("DFE_367", "episodes", WARNING, "The maximum respite care allowed (LS V3) is 75 days in the collection year.", "LS was '{value}' and the child's V3 episodes in the year last more than 75 days"),
    _r("DFE_377", "episodes", WARNING, "Only two temporary placements for the holiday of the usual foster carers (T3) are allowed in the year.", "PLACE was '{value}' and the child has more than two T3 episodes in the return"),
    _r("DFE_383", "episodes", WARNING, "A child in a temporary placement must then return to the normal placement (RNE P, same PLACE and PL_POST as before the temporary one).", "the previous episode was temporary but this one (PLACE '{value}') is not a return to the placement before it"),
    _r("DFE_225", "episodes", WARNING, "Reason for placement change must be recorded (an X1 episode followed by a move with RNE P, B, T or U, neither temporary).", "REASON_PLACE_CHANGE is blank but the child's next episode is a placement change"),
    _r("DFE_226", "episodes", WARNING, "Reason for placement change is not required for temporary placements (T0-T4; nor on the episode before one).", "REASON_PLACE_CHANGE was '{value}' around temporary PLACE {other}"),
    _r("DFE_434", "episodes", WARNING, "Reason for new episode is that the legal status changed but not the placement (RNE L), but the episode data do not show that.", "RNE was '{value}' but the legal status did not change or the placement did"),
    _r("DFE_435", "episodes", WARNING, "Reason for new episode is that the placement changed but not the legal status (RNE P, T), but the episode data do not show that.", "RNE was '{value}' but the legal status changed or the placement did not"),
    _r("DFE_436", "episodes", WARNING, "Reason for new episode is that both placement and legal status changed (RNE U, B), but the episode data do not show that.", "RNE was '{value}' but the legal status or the placement did not change"),
    _r("DFE_607", "episodes", WARNING, "Child ceased to be looked after in the year (not a short break), but the header's mother field is not completed (girls, SEX 2 or F).", "REC was '{value}' but the child's MOTHER is blank in the header"),
    _r("DFE_393", "header", WARNING, "Child is looked after (an episode that is not a short break) but the mother field is not completed (girls, SEX 2 or F).", "MOTHER is blank for a girl looked after in the return"),
    _r("DFE_351", "header", WARNING, "Child was over 25 at the start of the collection year.", "DOB {value} is more than 25 years before the start of return {other}"),
    _r("DFE_DOB_HEADER", "ssda903", WARNING, "DOB in this table is different from the child's DOB in the same return's header (DfE INT11-INT18).", "DOB was {value} but the header has {other}"),
    _r("DFE_391", "oc3", WARNING, "Care leaver information completed for a young person not yet 17 at the end of the collection year.", "IN_TOUCH/ACTIV/ACCOM completed but the young person (DOB {value}) was not 17 by the end of return {other}"),
    _r("DFE_153", "oc3", WARNING, "IN_TOUCH, ACTIV and ACCOM must all be coded or all be left blank.", "IN_TOUCH, ACTIV and ACCOM are partly completed"),
    # --- other SSDA903 tables ------------------------------------------------------------
    _r("DATE_ORDER", "ssda903", ERROR, "An end date before its start date (MIS_END/MIS_START, DATE_PLACED_CEASED/DATE_PLACED, DUC/DOB).", "{column} was {value}, before {other}"),
    _r("SDQ_RANGE", "oc2", ERROR, "SDQ_SCORE outside 0-40.", "SDQ_SCORE was {value}, outside 0-40"),
    # --- permanence tracker --------------------------------------------------------------
    _r("TR_EVENT_DUPLICATE", "permanence_tracker", ERROR, "EVENT_ID appears more than once.", "EVENT_ID '{value}' appears more than once"),
    _r("TR_STAGE_FOR_ROUTE", "permanence_tracker", ERROR, "STAGE is not a stage of the case's ROUTE (schema.TRACKER_STAGES / TRACKER_END_STAGES).", "STAGE was '{value}' but route {other} has stages {allowed}"),
    _r("TR_CASE_INCONSISTENT", "permanence_tracker", ERROR, "A CASE_ID has more than one CHILD or ROUTE.", "CASE_ID '{value}' has more than one CHILD or ROUTE"),
    _r("TR_STAGE_ORDER", "permanence_tracker", ERROR, "A stage is dated before an earlier stage of the same case (stages are dated in route order; end stages on or after every other stage).", "{column} {value} of stage {other} is before an earlier stage of the same case"),
    _r("TR_OUTCOME_NO_EPISODE", "permanence_tracker", ERROR, "An outcome stage (schema.TRACKER_OUTCOME) has no episode of the child ceasing that day with a matching REC.", "{other} on {value} but no episode of the child ceased that day with REC {allowed}"),
    _r("TR_CHILD_NOT_IN_HEADER", "permanence_tracker", WARNING, "The tracker's CHILD is in no SSDA903 header.", "CHILD '{value}' is not in any SSDA903 header"),
    _r("TR_RECORDED_BEFORE_EVENT", "permanence_tracker", WARNING, "RECORDED_DATE is before EVENT_DATE.", "RECORDED_DATE {value} is before EVENT_DATE {other}"),
    # --- other local files -----------------------------------------------------------------
    _r("ST_FTE_RANGE", "staffing", ERROR, "FTE outside 0-1.", "FTE was {value}, outside 0-1"),
    _r("ST_DATE_ORDER", "staffing", ERROR, "TO_DATE before FROM_DATE.", "TO_DATE {value} is before FROM_DATE {other}"),
    _r("UC_COST_POSITIVE", "unit_costs", ERROR, "ANNUAL_COST is not a positive amount.", "ANNUAL_COST was {value}, not a positive amount"),
    _r("UC_DUPLICATE", "unit_costs", ERROR, "More than one cost for a financial year, placement group and age band.", "a second cost for {value}"),
    _r("FY_FORMAT", "local", ERROR, "FINANCIAL_YEAR is not of the form 2024-25.", "FINANCIAL_YEAR was '{value}', not of the form 2024-25"),
    _r("FC_NEGATIVE", "fostering_capacity", ERROR, "A fostering count is negative.", "{column} was {value}, below 0"),
    _r("FC_FILLED_OVER_APPROVED", "fostering_capacity", ERROR, "FILLED_PLACES exceeds APPROVED_PLACES.", "FILLED_PLACES {value} exceeds APPROVED_PLACES {other}"),
    _r("POP_POSITIVE", "population", ERROR, "POPULATION is not a positive number.", "POPULATION was {value}, not a positive number"),
    _r("POP_DUPLICATE", "population", ERROR, "More than one population for a year, district and age band.", "a second population for {value}"),
    _r("PC_DUPLICATE", "postcodes", ERROR, "A postcode appears more than once in the lookup.", "POSTCODE '{value}' appears more than once"),
    _r("PC_FORMAT", "postcodes", WARNING, "POSTCODE is not a UK postcode.", "POSTCODE was '{value}', not a UK postcode"),
    # --- stitching -------------------------------------------------------------------------
    _r("STITCH_OVERLAP", "episodes", ERROR, "Episodes still overlap after stitching the returns.", "DECOM {value} overlaps the child's previous episode after stitching"),
]

# Local files' cross-row rules (pipeline.validate.local_rules) and reading faults that would
# otherwise lose rows or files silently (pipeline.readers): issue 17.
_FAULT_RULES = [
    _r("ROW_SHORT", "*", ERROR, "A row has fewer fields than the header (a short or truncated row): its last values would be lost.", "{file} row {other} has {value} of the header's {allowed} fields (a short or truncated row)"),
    _r("FILE_MISPLACED", "*", ERROR, "An SSDA903 table or local file in a folder where the layout does not read it (e.g. directly in ssda903/, or in a sub-folder of a return).", "{file} is not where the layout reads it: {other}"),
    _r("FILE_SYMLINK", "*", ERROR, "A raw folder or file is a symbolic link (DVC does not see changes behind it) or a link that points nowhere.", "{file} is a symbolic link{other}: copy the files into data/raw instead"),
    _r("DATE_OUT_OF_RANGE", "*", ERROR, "A date outside the years 1678-2261 that the pipeline can hold (9999-12-31 is read as 'no end date' only in staffing TO_DATE).", "{column} was '{value}', a date outside the years 1678-2261"),
    _r("DATE_OPEN_END", "staffing", WARNING, "A staffing TO_DATE of 9999-12-31 (or another date after 2261) is read as 'no end date' (blank).", "{column} was '{value}': read as no end date (the spell is still open)"),
    _r("ST_SPELL_OVERLAP", "staffing", ERROR, "Two spells of one post overlap (a spell starts on or before the day the post's previous spell ended; a blank TO_DATE is still open): the establishment would be counted twice.", "POST_ID's spell from {value} starts before its previous spell ended ({other})"),
    _r("UC_YEAR_MISSING", "unit_costs", WARNING, "A financial year between the first year with unit costs and the year the returns end in has no unit costs: savings of exits in that year are unavailable (the children are counted as 'cost unknown').", "{file} has no unit costs for {value}: savings of exits in {value} cannot be computed"),
    _r("TR_EVENT_AFTER_DATA", "permanence_tracker", WARNING, "A tracker event dated after the last day any SSDA903 return covers: it counts in no paper until a return covers it.", "EVENT_DATE {value} is after {other}, the last day the returns cover: it counts in no paper yet"),
]

RULES: dict[str, Rule] = {r.id: r for r in [*_ALL, *_FAULT_RULES]}


def rule(rule_id: str) -> Rule:
    """The rule with this id (KeyError names the unknown id)."""
    return RULES[rule_id]


def severity(rule_id: str) -> str:
    return RULES[rule_id].severity


# --- the failure table -----------------------------------------------------------------------

FAILURE_COLUMNS = ["file", "row", "CHILD", "column", "rule", "value", "severity", "message", "table", "return"]


def file_failure(rule_id: str, file: str, *, column: str = "", value: str = "", table: str = "",
                 return_name: str = "", **context: str) -> dict:
    """One file-level failure row (no data row): missing column, empty file, unknown file ..."""
    ctx = {"file": file, "column": column, "value": value, "allowed": "", "year": "", "other": ""}
    ctx.update(context)
    r = RULES[rule_id]
    return {
        "file": file, "row": pd.NA, "CHILD": pd.NA, "column": column or pd.NA, "rule": rule_id,
        "value": value or pd.NA, "severity": r.severity, "message": r.message.format(**ctx),
        "table": table or pd.NA, "return": return_name or pd.NA,
    }


def failures_frame(rows: list[dict] | None = None) -> pd.DataFrame:
    """A failure table (possibly empty) with the standard columns and types."""
    df = pd.DataFrame(rows or [], columns=FAILURE_COLUMNS)
    df["row"] = df["row"].astype("Int64")
    for c in FAILURE_COLUMNS:
        if c != "row":
            df[c] = df[c].astype("str").where(df[c].notna()) if len(df) else df[c].astype("object")
    return df
