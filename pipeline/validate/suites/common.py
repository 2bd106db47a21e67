"""What every suite shares: the Check spec, the suite context and per-column checks from schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipeline import schema
from pipeline.validate import checks as ck
from pipeline.validate import codes
from pipeline.validate.rules import RULES

RETURN_END = "RETURN_END_as_date"  # per-row column: the last day the row's return covers


@dataclass(frozen=True)
class Check:
    """One expectation: the rule it enforces, the column it reports, the GX class and arguments.

    ``context`` fills the rule's message: plain strings are the same for every row; a value
    starting with "@" names a column of the prepared frame whose per-row value is used.
    """

    rule: str
    column: str
    expectation: str
    kwargs: dict[str, Any]
    context: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise KeyError(f"unknown rule {self.rule}")


@dataclass(frozen=True)
class SuiteContext:
    """Where a file sits: its table, return and collection year (None for local files)."""

    table: str
    return_name: str | None = None
    collection_year: int | None = None
    return_start: pd.Timestamp | None = None
    return_end: pd.Timestamp | None = None

    @property
    def year_label(self) -> str:
        if self.collection_year is None:
            return "this file"
        return f"{self.collection_year - 1}-{self.collection_year % 100:02d}"

    @property
    def suite_name(self) -> str:
        """One suite per table and return: code lists follow the year, date limits the return."""
        return self.table if self.return_name is None else f"{self.table}_{self.return_name}"


def context_for(table: str, return_name: str | None) -> SuiteContext:
    if return_name is None:
        return SuiteContext(table)
    label = schema.parse_return_label(return_name)
    return SuiteContext(table, return_name, label.collection_year,
                        pd.Timestamp(label.start), pd.Timestamp(label.end))


def layout(table: str) -> tuple[schema.Column, ...]:
    return schema.SSDA903_TABLES.get(table) or schema.LOCAL_FILES[table]


def flag_check(rule: str, column: str, flag: str, **context: str) -> Check:
    """A cross-row rule validated through its pandas flag column (True = passes)."""
    return Check(rule, column, "ExpectColumnValuesToBeInSet", {"column": flag, "value_set": [True]}, context)


def is_flag_check(check: Check) -> bool:
    """True for a check made by ``flag_check`` (its flag column must be True where not blank)."""
    return check.expectation == "ExpectColumnValuesToBeInSet" and check.kwargs.get("value_set") == [True]


def _allowed(values) -> str:
    return ", ".join(sorted(values))


def prepare_columns(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Add ``<COL>_as_date`` and the flag ``ok_DATE_<COL>`` (blank or a real date) for date
    columns, ``<COL>_as_number`` for numeric ones."""
    new = {}
    for col in layout(table):
        if col.kind == "date":
            parsed = ck.parse_dates(frame[col.name])
            new[f"{col.name}_as_date"] = parsed
            new[f"ok_DATE_{col.name}"] = frame[col.name].isna() | parsed.notna()
        elif col.kind in ("int", "float"):
            new[f"{col.name}_as_number"] = ck.parse_numbers(frame[col.name])
    return frame.assign(**new)


def column_checks(ctx: SuiteContext) -> list[Check]:
    """Checks every column gets from its schema kind: filled, type/format, code list."""
    out: list[Check] = []
    local = ctx.table in schema.LOCAL_FILES
    for col in layout(ctx.table):
        c = col.name
        if col.required:
            out.append(Check("REQUIRED_BLANK", c, "ExpectColumnValuesToNotBeNull", {"column": c}))
        if col.kind == "date":
            out.append(flag_check("DATE_FORMAT", c, f"ok_DATE_{c}"))
        elif col.kind == "int":
            out.append(Check("TYPE_INT", c, "ExpectColumnValuesToMatchRegex", {"column": c, "regex": codes.INT_REGEX}))
        elif col.kind == "float":
            out.append(Check("TYPE_FLOAT", c, "ExpectColumnValuesToMatchRegex", {"column": c, "regex": codes.FLOAT_REGEX}))
        elif col.kind == "bool":
            out.append(Check("TYPE_BOOL", c, "ExpectColumnValuesToBeInSet",
                             {"column": c, "value_set": sorted(codes.TRUE_VALUES | codes.FALSE_VALUES)}))
        elif col.kind == "upn":
            out.append(Check("HDR_UPN_FORMAT", c, "ExpectColumnValuesToMatchRegex", {"column": c, "regex": codes.UPN_REGEX}))
        elif col.kind == "postcode":
            rule, regex = ("PC_FORMAT", codes.FULL_POSTCODE_REGEX) if local else ("EP_POSTCODE_FORMAT", codes.POSTCODE_REGEX)
            out.append(Check(rule, c, "ExpectColumnValuesToMatchRegex", {"column": c, "regex": regex}))
        elif col.kind == "code":
            out += code_checks(ctx, c)
    return out


def code_checks(ctx: SuiteContext, c: str) -> list[Check]:
    """In the code list; for year-dependent fields, also valid in this collection year."""
    if ctx.table in schema.LOCAL_FILES:
        allowed = codes.LOCAL_CODES.get(ctx.table, {}).get(c)
        if allowed is None:
            return []
        return [Check("CODE_UNKNOWN", c, "ExpectColumnValuesToBeInSet", {"column": c, "value_set": sorted(allowed)},
                      {"allowed": _allowed(allowed), "year": ctx.year_label})]
    allowed = codes.code_list(c, ctx.collection_year)
    if allowed is None:
        return []
    if c in codes.YEAR_DEPENDENT:
        ever = codes.all_year_codes(c)
        ctx_msg = {"allowed": _allowed(allowed), "year": ctx.year_label}
        return [Check("CODE_UNKNOWN", c, "ExpectColumnValuesToBeInSet", {"column": c, "value_set": sorted(ever)}, ctx_msg),
                flag_check("CODE_NOT_VALID_FOR_YEAR", c, f"ok_YEAR_{c}", **ctx_msg)]
    return [Check("CODE_UNKNOWN", c, "ExpectColumnValuesToBeInSet", {"column": c, "value_set": sorted(allowed)},
                  {"allowed": _allowed(allowed), "year": ctx.year_label})]


def return_end_checks(ctx: SuiteContext, columns: tuple[str, ...]) -> list[Check]:
    """Dates that cannot be after the last day the return covers (``RETURN_END_as_date``)."""
    if ctx.return_end is None:
        return []
    return [
        Check("DATE_AFTER_RETURN_END", c, "ExpectColumnPairValuesAToBeGreaterThanB",
              {"column_A": RETURN_END, "column_B": f"{c}_as_date", "or_equal": True, "ignore_row_if": "either_value_is_missing"},
              {"other": ctx.return_name or ""})
        for c in columns
    ]


def add_context_columns(frame: pd.DataFrame, ctx: SuiteContext) -> pd.DataFrame:
    """Per-row columns for the rules that depend on the return: its last day
    (``RETURN_END_as_date``) and, for year-dependent code fields, the flag ``ok_YEAR_<COL>``
    (False where the code exists in other collection years but not in this one).

    With the return's values in columns, every return of a table has the same expectations,
    so GX can validate all returns of a table in one run.
    """
    if ctx.return_name is None:
        return frame
    new: dict[str, Any] = {RETURN_END: pd.Series(ctx.return_end, index=frame.index, dtype="datetime64[ns]")}
    for col in layout(ctx.table):
        if col.kind == "code" and col.name in codes.YEAR_DEPENDENT and col.name in frame:
            allowed = codes.code_list(col.name, ctx.collection_year) or frozenset()
            not_this_year = codes.all_year_codes(col.name) - allowed
            new[f"ok_YEAR_{col.name}"] = ~frame[col.name].isin(sorted(not_this_year))
    return frame.assign(**new)


def child_in_header(frame: pd.DataFrame, related: dict) -> pd.Series:
    """Flag: the row's CHILD is in the same return's header."""
    header = related.get("header")
    children = header["CHILD"] if header is not None else pd.Series([], dtype="str")
    return ck.flag_in(frame["CHILD"], children)


def header_dob(frame: pd.DataFrame, related: dict) -> pd.Series:
    """The DOB (a date) the same return's header gives each row's CHILD; NaT when not there."""
    header = related.get("header")
    if header is None or not len(header):
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    dob = ck.lookup(frame["CHILD"], pd.Series(ck.parse_dates(header["DOB"]).values, index=header["CHILD"].values))
    return dob.astype("datetime64[ns]")


def dob_checks(ctx: SuiteContext) -> list[Check]:
    """DOB as in the header (DfE INT11-INT18), for tables with a DOB column other than the header."""
    if ctx.return_name is None or ctx.table == "header" or "DOB" not in {c.name for c in layout(ctx.table)}:
        return []
    return [flag_check("DFE_DOB_HEADER", "DOB", "ok_DFE_DOB_HEADER", other="@HEADER_DOB_as_date|blank")]


def add_dob_flag(df: pd.DataFrame, ctx: SuiteContext, related: dict) -> pd.DataFrame:
    """``HEADER_DOB_as_date`` and the flag ``ok_DFE_DOB_HEADER`` (see :func:`dob_checks`)."""
    if not dob_checks(ctx):
        return df
    hdob = header_dob(df, related)
    return df.assign(HEADER_DOB_as_date=hdob, ok_DFE_DOB_HEADER=ck.flag_dob_as_header(df["DOB_as_date"], hdob))
