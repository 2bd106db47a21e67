"""The other SSDA903 tables: reviews, AD1, placed for adoption, previous permanence, missing, OC2, OC3."""

from __future__ import annotations

import pandas as pd

from pipeline.validate import checks as ck
from pipeline.validate.suites.common import (
    Check,
    SuiteContext,
    add_dob_flag,
    child_in_header,
    column_checks,
    dob_checks,
    flag_check,
    prepare_columns,
    return_end_checks,
)

# Dates that cannot be after the end of the return, per table. Not REVIEW: the DfE rules
# (and the DfE validator) do not check review dates against the year, and no figure reads
# reviews, so a review dated after the return's end does not refuse the return.
EVENT_DATES = {
    "reviews": (),
    "ad1": ("DATE_INT", "DATE_MATCH"),
    "placed_for_adoption": ("DATE_PLACED", "DATE_PLACED_CEASED"),
    "previous_permanence": (),
    "missing": ("MIS_START", "MIS_END"),
    "oc2": (),
    "oc3": (),
}
# (end column, start column): the end may not precede the start.
DATE_PAIRS = {
    "missing": (("MIS_END", "MIS_START"),),
    "placed_for_adoption": (("DATE_PLACED_CEASED", "DATE_PLACED"),),
    "ad1": (("DATE_MATCH", "DATE_INT"),),
}
SDQ_RANGE = (0, 40)
# Tables about young people who may not be looked after in the return's year (OC3: care
# leavers aged 19-21), so their CHILD need not be in that year's header.
NOT_LOOKED_AFTER = ("oc3",)


def prepare(frame: pd.DataFrame, ctx: SuiteContext, related: dict) -> pd.DataFrame:
    df = add_dob_flag(prepare_columns(frame, ctx.table).assign(ok_CHILD_IN_HEADER=child_in_header(frame, related)), ctx, related)
    if ctx.table == "oc3":
        df = df.assign(**ck.dfe_oc3_flags(df, df["DOB_as_date"], ctx.return_end))
    return df


def checks(ctx: SuiteContext) -> list[Check]:
    out = column_checks(ctx)
    out += return_end_checks(ctx, ("DOB",) + EVENT_DATES[ctx.table])
    if ctx.table not in NOT_LOOKED_AFTER:
        out.append(flag_check("CHILD_NOT_IN_HEADER", "CHILD", "ok_CHILD_IN_HEADER", other=ctx.return_name or ""))
    for end, start in DATE_PAIRS.get(ctx.table, ()):
        out.append(Check("DATE_ORDER", end, "ExpectColumnPairValuesAToBeGreaterThanB",
                         {"column_A": f"{end}_as_date", "column_B": f"{start}_as_date", "or_equal": True,
                          "ignore_row_if": "either_value_is_missing"}, {"other": start}))
    out += dob_checks(ctx)
    if ctx.table == "oc3":
        out += [flag_check("DFE_391", "DOB", "ok_DFE_391", other=ctx.return_name or ""),
                flag_check("DFE_153", "IN_TOUCH", "ok_DFE_153")]
    if ctx.table == "oc2":
        out.append(Check("SDQ_RANGE", "SDQ_SCORE", "ExpectColumnValuesToBeBetween",
                         {"column": "SDQ_SCORE_as_number", "min_value": SDQ_RANGE[0], "max_value": SDQ_RANGE[1]}))
    return out
