"""Child-level SSDA903 tables: header (one row per child) and UASC."""

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

OLDEST_YEARS = 25  # DfE 351: nobody over 25 at the start of the collection year


def prepare(frame: pd.DataFrame, ctx: SuiteContext, related: dict) -> pd.DataFrame:
    df = prepare_columns(frame, ctx.table)
    if ctx.table == "uasc":
        df = add_dob_flag(df.assign(ok_CHILD_IN_HEADER=child_in_header(df, related)), ctx, related)
    elif ctx.return_start is not None:
        over_25 = (ck.add_years(df["DOB_as_date"], OLDEST_YEARS) < ctx.return_start).fillna(False).astype(bool)
        df = df.assign(ok_DFE_351=~over_25, ok_DFE_393=ck.dfe_mother_header_flag(df, looked_after(ctx, related)))
    return df


def looked_after(ctx: SuiteContext, related: dict) -> pd.Series:
    """Children with an episode in this return that is not a short break (DfE 393)."""
    ep = related.get("episodes")
    if ep is None or "LS" not in ep:
        return pd.Series([], dtype=object)
    rows = (ep["RETURN"] == ctx.return_name).fillna(False) & ~ep["LS"].isin(ck.RESPITE).fillna(False)
    return ep.loc[rows, "CHILD"].dropna()


def checks(ctx: SuiteContext) -> list[Check]:
    out = column_checks(ctx)
    if ctx.table == "header":
        out += return_end_checks(ctx, ("DOB", "MC_DOB"))
        out.append(Check("HDR_CHILD_DUPLICATE", "CHILD", "ExpectColumnValuesToBeUnique", {"column": "CHILD"}))
        if ctx.return_start is not None:
            out.append(flag_check("DFE_351", "DOB", "ok_DFE_351", other=ctx.return_name or ""))
            out.append(flag_check("DFE_393", "MOTHER", "ok_DFE_393"))
    else:  # uasc: DUC is the (future) date the child stops being UASC, so it may pass the return's end
        out += return_end_checks(ctx, ("DOB",))
        out += [
            flag_check("CHILD_NOT_IN_HEADER", "CHILD", "ok_CHILD_IN_HEADER", other=ctx.return_name or ""),
            Check("DATE_ORDER", "DUC", "ExpectColumnPairValuesAToBeGreaterThanB",
                  {"column_A": "DUC_as_date", "column_B": "DOB_as_date", "or_equal": False, "ignore_row_if": "either_value_is_missing"},
                  {"other": "DOB"}),
        ]
        out += dob_checks(ctx)
    return out
