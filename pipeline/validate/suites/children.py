"""Child-level SSDA903 tables: header (one row per child) and UASC."""

from __future__ import annotations

import pandas as pd

from pipeline.validate.suites.common import (
    Check,
    SuiteContext,
    child_in_header,
    column_checks,
    flag_check,
    prepare_columns,
    return_end_checks,
)


def prepare(frame: pd.DataFrame, ctx: SuiteContext, related: dict) -> pd.DataFrame:
    df = prepare_columns(frame, ctx.table)
    if ctx.table == "uasc":
        df = df.assign(ok_CHILD_IN_HEADER=child_in_header(df, related))
    return df


def checks(ctx: SuiteContext) -> list[Check]:
    out = column_checks(ctx)
    if ctx.table == "header":
        out += return_end_checks(ctx, ("DOB", "MC_DOB"))
        out.append(Check("HDR_CHILD_DUPLICATE", "CHILD", "ExpectColumnValuesToBeUnique", {"column": "CHILD"}))
    else:  # uasc: DUC is the (future) date the child stops being UASC, so it may pass the return's end
        out += return_end_checks(ctx, ("DOB",))
        out += [
            flag_check("CHILD_NOT_IN_HEADER", "CHILD", "ok_CHILD_IN_HEADER", other=ctx.return_name or ""),
            Check("DATE_ORDER", "DUC", "ExpectColumnPairValuesAToBeGreaterThanB",
                  {"column_A": "DUC_as_date", "column_B": "DOB_as_date", "or_equal": False, "ignore_row_if": "either_value_is_missing"},
                  {"other": "DOB"}),
        ]
    return out
