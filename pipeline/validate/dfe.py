"""The DfE SSDA903 validation rule(s) each check implements: the ``dfe_rule`` of failures.csv.

Codes are those of the DfE's CLA (SSDA903) validation rules as the data-to-insight validator
(PyPI ``csc-validator-be-903``) numbers them; several codes are joined with ``;``. A rule of
the pipeline may implement different DfE rules on different columns (``CODE_UNKNOWN`` on
LS is 144, on PLACE 146), so the lookup is by rule, table and column, then rule and table,
then rule and column, then rule. Blank: the pipeline's own rule, with no DfE equivalent
(files and layout, local files, stitching); see docs/validation.md for the comparison.
"""

from __future__ import annotations

import pandas as pd

ANY = "*"
# DfE INT (internal) checks: a CHILD of this table not in the header; a DOB not the header's.
_NOT_IN_HEADER = {"ad1": "INT01", "placed_for_adoption": "INT02", "episodes": "INT03", "missing": "INT04",
                  "oc2": "INT05", "oc3": "INT06", "previous_permanence": "INT07", "reviews": "INT08", "uasc": "INT09"}
_DOB_HEADER = {"ad1": "INT11", "placed_for_adoption": "INT12", "missing": "INT13", "oc2": "INT14", "oc3": "INT15",
               "previous_permanence": "INT16", "reviews": "INT17", "uasc": "INT18"}
# Column -> the DfE rule on its format or code list (blank, invalid date, code not in the list).
_FIELD = {
    ("header", "SEX"): "101", ("header", "DOB"): "102", ("header", "ETHNIC"): "103", ("header", "UPN"): "168",
    ("header", "MOTHER"): "165", ("header", "MC_DOB"): "171",
    ("episodes", "DECOM"): "141", ("episodes", "RNE"): "143", ("episodes", "LS"): "144", ("episodes", "CIN"): "145",
    ("episodes", "PLACE"): "146", ("episodes", "PLACE_PROVIDER"): "178", ("episodes", "DEC"): "148",
    ("episodes", "REC"): "148", ("episodes", "REASON_PLACE_CHANGE"): "1009", ("episodes", "URN"): "1008",
    ("reviews", "REVIEW"): "166", ("reviews", "REVIEW_CODE"): "167",
    ("uasc", "DUC"): "104",
    ("oc3", "IN_TOUCH"): "131", ("oc3", "ACTIV"): "132", ("oc3", "ACCOM"): "133",
    ("missing", "MISSING"): "1006", ("missing", "MIS_START"): "1004", ("missing", "MIS_END"): "1005",
    ("placed_for_adoption", "DATE_PLACED"): "115", ("placed_for_adoption", "DATE_PLACED_CEASED"): "116",
    ("placed_for_adoption", "REASON_PLACED_CEASED"): "120",
    ("previous_permanence", "PREV_PERM"): "631", ("previous_permanence", "LA_PERM"): "633",
    ("previous_permanence", "DATE_PERM"): "632",
    ("oc2", "SDQ_SCORE"): "180", ("oc2", "CONVICTED"): "181", ("oc2", "HEALTH_CHECK"): "181",
    ("oc2", "IMMUNISATIONS"): "181", ("oc2", "TEETH_CHECK"): "181", ("oc2", "HEALTH_ASSESSMENT"): "181",
    ("oc2", "SUBSTANCE_MISUSE"): "181", ("oc2", "INTERVENTION_RECEIVED"): "181", ("oc2", "INTERVENTION_OFFERED"): "181",
    ("ad1", "DATE_INT"): "112", ("ad1", "DATE_MATCH"): "113", ("ad1", "FOSTER_CARE"): "114",
}
# Dates after the end of the collection year.
_AFTER_YEAR = {("episodes", "DECOM"): "354", ("episodes", "DEC"): "385", ("header", "DOB"): "301",
               ("missing", "MIS_START"): "570", ("missing", "MIS_END"): "571",
               ("placed_for_adoption", "DATE_PLACED"): "117", ("placed_for_adoption", "DATE_PLACED_CEASED"): "117"}

# (rule, table, column) -> DfE code(s); ANY matches every table or column.
DFE_RULES: dict[tuple[str, str, str], str] = {
    **{("REQUIRED_BLANK", t, c): v for (t, c), v in _FIELD.items()},
    **{("DATE_FORMAT", t, c): v for (t, c), v in _FIELD.items()},
    **{("CODE_UNKNOWN", t, c): v for (t, c), v in _FIELD.items()},
    **{("CODE_NOT_VALID_FOR_YEAR", t, c): v for (t, c), v in _FIELD.items()},
    **{("TYPE_INT", t, c): v for (t, c), v in _FIELD.items()},
    **{("TYPE_BOOL", t, c): v for (t, c), v in _FIELD.items()},
    **{("DATE_AFTER_RETURN_END", t, c): v for (t, c), v in _AFTER_YEAR.items()},
    **{("CHILD_NOT_IN_HEADER", t, ANY): v for t, v in _NOT_IN_HEADER.items()},
    **{("DFE_DOB_HEADER", t, ANY): v for t, v in _DOB_HEADER.items()},
    ("DATE_FORMAT", "episodes", "DEC"): "385",  # DEC must be a date on or before the year end
    ("HDR_UPN_FORMAT", "header", ANY): "168",
    ("EP_DEC_BEFORE_DECOM", "episodes", ANY): "356",
    ("EP_REC_WITHOUT_DEC", "episodes", ANY): "148",
    ("EP_DEC_WITHOUT_REC", "episodes", ANY): "148",
    ("EP_OVERLAP", "episodes", ANY): "501",
    ("EP_X1_NOT_FOLLOWED", "episodes", ANY): "388",
    ("EP_CHAIN_BROKEN", "episodes", ANY): "357;432;433",
    ("EP_S_AFTER_X1", "episodes", ANY): "431",
    ("EP_AGED_18_AT_DECOM", "episodes", ANY): "352",
    ("EP_LS_PLACE_ADOPTION", "episodes", ANY): "408",
    ("DATE_ORDER", "missing", ANY): "567",
    ("DATE_ORDER", "placed_for_adoption", ANY): "522",
    ("DATE_ORDER", "ad1", ANY): "333",
    ("SDQ_RANGE", "oc2", ANY): "180",
}
# DfE rules added as they are: DFE_<code> implements <code>.
PREFIX = "DFE_"


def dfe_rule_for(rule: str, table: str, column: str) -> str:
    """The DfE code(s) of a check (``''`` when the rule is the pipeline's own)."""
    for key in ((rule, table, column), (rule, table, ANY), (rule, ANY, column), (rule, ANY, ANY)):
        if key in DFE_RULES:
            return DFE_RULES[key]
    if rule.startswith(PREFIX) and rule[len(PREFIX):].isdigit():
        return rule[len(PREFIX):]
    return ""


def with_dfe_rules(failures: pd.DataFrame) -> pd.DataFrame:
    """The failure table with a ``dfe_rule`` column (blank for the pipeline's own rules)."""
    keys = failures[["rule", "table", "column"]].astype("object").fillna("")
    distinct = keys.drop_duplicates()
    codes = {tuple(k): dfe_rule_for(*k) for k in distinct.itertuples(index=False)}
    values = [codes[tuple(k)] for k in keys.itertuples(index=False)]
    return failures.assign(dfe_rule=pd.Series(values, index=failures.index, dtype="object").replace("", pd.NA))
