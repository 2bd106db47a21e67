"""The team's other local files: staffing, unit costs, fostering capacity, population, postcodes."""

from __future__ import annotations

import pandas as pd

from pipeline.validate.codes import FINANCIAL_YEAR_REGEX
from pipeline.validate.suites.common import Check, SuiteContext, column_checks, prepare_columns

FTE_RANGE = (0, 1)
FOSTERING_COUNTS = ("HOUSEHOLDS", "APPROVED_PLACES", "FILLED_PLACES", "APPROVALS", "RESIGNATIONS")
# Columns that together identify a row (duplicates are errors), and the rule that says so.
KEYS = {
    "unit_costs": (("FINANCIAL_YEAR", "PLACEMENT_GROUP", "AGE_BAND"), "UC_DUPLICATE"),
    "population": (("YEAR", "DISTRICT", "AGE_BAND"), "POP_DUPLICATE"),
}


def prepare(frame: pd.DataFrame, ctx: SuiteContext, related: dict) -> pd.DataFrame:
    df = prepare_columns(frame, ctx.table)
    if ctx.table in KEYS:
        cols = KEYS[ctx.table][0]
        key = df[cols[0]].fillna("")
        for c in cols[1:]:
            key = key + " / " + df[c].fillna("")
        df = df.assign(KEY_text=key)
    return df


def _fy_check() -> Check:
    return Check("FY_FORMAT", "FINANCIAL_YEAR", "ExpectColumnValuesToMatchRegex",
                 {"column": "FINANCIAL_YEAR", "regex": FINANCIAL_YEAR_REGEX})


def _key_check(table: str) -> Check:
    cols, rule = KEYS[table]
    return Check(rule, cols[0], "ExpectCompoundColumnsToBeUnique", {"column_list": list(cols)}, {"value": "@KEY_text"})


def checks(ctx: SuiteContext) -> list[Check]:
    out = column_checks(ctx)
    t = ctx.table
    if t == "staffing":
        out += [
            Check("ST_FTE_RANGE", "FTE", "ExpectColumnValuesToBeBetween",
                  {"column": "FTE_as_number", "min_value": FTE_RANGE[0], "max_value": FTE_RANGE[1]}),
            Check("ST_DATE_ORDER", "TO_DATE", "ExpectColumnPairValuesAToBeGreaterThanB",
                  {"column_A": "TO_DATE_as_date", "column_B": "FROM_DATE_as_date", "or_equal": True,
                   "ignore_row_if": "either_value_is_missing"}, {"other": "@FROM_DATE"}),
        ]
    elif t == "unit_costs":
        out += [
            _fy_check(),
            Check("UC_COST_POSITIVE", "ANNUAL_COST", "ExpectColumnValuesToBeBetween",
                  {"column": "ANNUAL_COST_as_number", "min_value": 0, "strict_min": True}),
            _key_check(t),
        ]
    elif t == "fostering_capacity":
        out += [_fy_check()]
        out += [Check("FC_NEGATIVE", c, "ExpectColumnValuesToBeBetween", {"column": f"{c}_as_number", "min_value": 0})
                for c in FOSTERING_COUNTS]
        out.append(Check("FC_FILLED_OVER_APPROVED", "FILLED_PLACES", "ExpectColumnPairValuesAToBeGreaterThanB",
                         {"column_A": "APPROVED_PLACES_as_number", "column_B": "FILLED_PLACES_as_number", "or_equal": True,
                          "ignore_row_if": "either_value_is_missing"}, {"other": "@APPROVED_PLACES"}))
    elif t == "population":
        out += [
            Check("POP_POSITIVE", "POPULATION", "ExpectColumnValuesToBeBetween",
                  {"column": "POPULATION_as_number", "min_value": 0, "strict_min": True}),
            _key_check(t),
        ]
    elif t == "postcodes":
        out.append(Check("PC_DUPLICATE", "POSTCODE", "ExpectColumnValuesToBeUnique", {"column": "POSTCODE"}))
    return out
