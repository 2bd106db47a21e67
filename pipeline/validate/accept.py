"""Accepted exceptions: reviewed validation errors that no longer stop the stage.

A reviewed CSV (``validate --accept FILE``, default ``<raw>/accepted_exceptions.csv``) lists
failures the service has looked at and accepted, one per line:
``rule,file,row,CHILD,reason,accepted_by,accepted_on``. ``rule`` and ``file`` are as in
failures.csv; a blank ``row`` and ``CHILD`` accept the rule for the whole file, a blank ``row``
with a ``CHILD`` accepts it for that child's rows of the file. Every line needs a reason, who
accepted it and when.

Each rule has one policy (:data:`ACCEPT_POLICY`) for the records whose error is accepted:
``kept`` (used as recorded: the values can be read, the rule is about their consistency) or
``set aside`` (the row cannot be used as recorded, so it goes to exclusions.csv). Rules not
in the policy cannot be accepted: file-level failures (a missing, empty or unreadable file,
a missing column), a child twice in a header and episodes that still overlap after
stitching. Lines that match no failure are stale and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError
from pipeline.readers import EXCLUSION_COLUMNS, RawData
from pipeline.validate.rules import ERROR, RULES

COLUMNS = ["rule", "file", "row", "CHILD", "reason", "accepted_by", "accepted_on"]
KEPT, SET_ASIDE = "kept", "set aside"

# Rule -> what happens to a record whose error is accepted. Rules not listed cannot be accepted.
ACCEPT_POLICY: dict[str, str] = {
    # the value cannot be used as recorded: the row is set aside (exclusions.csv)
    "REQUIRED_BLANK": SET_ASIDE, "DATE_FORMAT": SET_ASIDE, "TYPE_INT": SET_ASIDE, "TYPE_FLOAT": SET_ASIDE,
    "TYPE_BOOL": SET_ASIDE, "EP_DUPLICATE": SET_ASIDE, "EP_OVERLAP": SET_ASIDE, "EP_DEC_BEFORE_DECOM": SET_ASIDE,
    # readable values that break a consistency rule: the record is kept as recorded
    "CODE_UNKNOWN": KEPT, "CODE_NOT_VALID_FOR_YEAR": KEPT, "DATE_AFTER_RETURN_END": KEPT, "CHILD_NOT_IN_HEADER": KEPT,
    "EP_REC_WITHOUT_DEC": KEPT, "EP_DEC_WITHOUT_REC": KEPT, "EP_X1_NOT_FOLLOWED": KEPT, "EP_CHAIN_BROKEN": KEPT,
    "EP_S_AFTER_X1": KEPT, "EP_DOB_AFTER_DECOM": KEPT, "EP_AGED_18_AT_DECOM": KEPT, "EP_LS_PLACE_ADOPTION": KEPT,
    "DATE_ORDER": KEPT, "SDQ_RANGE": KEPT,
    "TR_EVENT_DUPLICATE": SET_ASIDE, "TR_STAGE_FOR_ROUTE": KEPT, "TR_CASE_INCONSISTENT": KEPT, "TR_STAGE_ORDER": KEPT,
    "TR_OUTCOME_NO_EPISODE": KEPT, "ST_FTE_RANGE": KEPT, "ST_DATE_ORDER": KEPT, "UC_COST_POSITIVE": SET_ASIDE,
    "UC_DUPLICATE": SET_ASIDE, "FY_FORMAT": SET_ASIDE, "FC_NEGATIVE": SET_ASIDE, "FC_FILLED_OVER_APPROVED": KEPT,
    "POP_POSITIVE": SET_ASIDE, "POP_DUPLICATE": SET_ASIDE, "PC_DUPLICATE": SET_ASIDE,
    # the DfE rules added as they are (DFE_<code>): consistency of readable values
    **{rule: KEPT for rule in RULES if rule.startswith("DFE_")},
}
# Header rows carry the child's date of birth and sex for every other table: never set aside.
NEVER_SET_ASIDE = ("header",)
ACCEPTED_COLUMNS = ["file", "row", "CHILD", "column", "rule", "dfe_rule", "value", "table", "return", "policy",
                    "reason", "accepted_by", "accepted_on", "exception_line"]
STALE_COLUMNS = ["exception_line", *COLUMNS]


@dataclass(frozen=True)
class Applied:
    """Failures with the ``accepted`` column filled, the accepted rows and the stale lines."""

    failures: pd.DataFrame
    accepted: pd.DataFrame
    stale: pd.DataFrame


def empty_exceptions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS}).assign(
        row=pd.Series(dtype="Int64"), exception_line=pd.Series(dtype="int64"))


def read_exceptions(path: Path | str) -> pd.DataFrame:
    """The reviewed exceptions file, checked; a clear one-line InputError when it is not right.

    ``exception_line`` is each entry's line in the file (the header is line 1).
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=True)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"accepted exceptions file {path}: cannot be read as CSV ({str(exc).splitlines()[0]})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if list(frame.columns) != COLUMNS:
        raise InputError(f"accepted exceptions file {path}: the columns must be {','.join(COLUMNS)} "
                         f"(found {','.join(map(str, frame.columns)) or 'none'})")
    frame = frame.apply(lambda s: s.str.strip())
    frame["exception_line"] = range(2, len(frame) + 2)
    for line in frame.itertuples(index=False):
        check_line(line, path)
    return frame.assign(row=pd.to_numeric(frame["row"].replace("", None)).astype("Int64"))


def check_line(line, path: Path) -> None:
    """One line of the exceptions file is acceptable, or an InputError naming line and column."""
    where = f"accepted exceptions file {path} line {line.exception_line}"
    if line.rule not in RULES:
        raise InputError(f"{where}, column rule: '{line.rule}' is not a validation rule (see docs/validation.md)")
    if line.rule not in ACCEPT_POLICY:
        raise InputError(f"{where}, column rule: {line.rule} cannot be accepted (file-level failures and "
                         "inconsistent histories must be fixed in the data)")
    if not line.file:
        raise InputError(f"{where}, column file: blank; give the file as failures.csv names it")
    if line.row and not line.row.isdigit():
        raise InputError(f"{where}, column row: '{line.row}' is not a row number (blank for the whole file)")
    for col in ("reason", "accepted_by"):
        if not getattr(line, col):
            raise InputError(f"{where}, column {col}: blank; every accepted exception needs a {col.replace('_', ' ')}")
    if not _is_date(line.accepted_on):
        raise InputError(f"{where}, column accepted_on: '{line.accepted_on}' is not a date like 2026-11-30")


def _is_date(text: str) -> bool:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        if pd.notna(pd.to_datetime(text, format=fmt, errors="coerce")):
            return True
    return False


def match_exceptions(failures: pd.DataFrame, exceptions: pd.DataFrame) -> pd.DataFrame:
    """Pairs (failure index, exception line) of every row-level failure an entry covers."""
    rows = failures[failures["row"].notna()].reset_index(names="failure")
    if exceptions.empty or rows.empty:
        return pd.DataFrame({"failure": pd.Series(dtype="int64"), "exception_line": pd.Series(dtype="int64")})
    pairs = rows[["failure", "rule", "file", "row", "CHILD"]].merge(
        exceptions[["rule", "file", "row", "CHILD", "exception_line"]], on=["rule", "file"], suffixes=("", "_x"))
    same_row = pairs["row_x"].isna() | (pairs["row_x"] == pairs["row"]).fillna(False)
    same_child = (pairs["CHILD_x"] == "") | (pairs["CHILD_x"] == pairs["CHILD"].fillna("")).fillna(False)
    return pairs.loc[same_row & same_child, ["failure", "exception_line"]].drop_duplicates("failure")


def apply_exceptions(failures: pd.DataFrame, exceptions: pd.DataFrame) -> Applied:
    """Mark the failures an entry covers as accepted (``accepted`` = the rule's policy, blank
    otherwise); the accepted rows with their reasons; the entries that cover nothing.

    An accepted header row under a set-aside rule is an InputError: header rows are never set aside.
    """
    pairs = match_exceptions(failures, exceptions)
    accepted_col = pd.Series(pd.NA, index=failures.index, dtype="object")
    accepted_col[pairs["failure"].to_numpy()] = failures.loc[pairs["failure"], "rule"].map(ACCEPT_POLICY).to_numpy()
    marked = failures.assign(accepted=accepted_col)
    detail = failures.loc[pairs["failure"]].assign(exception_line=pairs["exception_line"].to_numpy())
    detail = detail.merge(exceptions[["exception_line", "reason", "accepted_by", "accepted_on"]], on="exception_line")
    detail = detail.assign(policy=detail["rule"].map(ACCEPT_POLICY))
    if "dfe_rule" not in detail:
        detail["dfe_rule"] = pd.NA
    bad = detail[(detail["policy"] == SET_ASIDE) & detail["table"].isin(NEVER_SET_ASIDE)]
    if len(bad):
        b = bad.iloc[0]
        raise InputError(f"accepted exception line {b['exception_line']}: {b['rule']} on {b['file']}:{b['row']} would set a "
                         "header row aside, and header rows are never set aside; correct the header instead")
    stale = exceptions[~exceptions["exception_line"].isin(pairs["exception_line"])]
    return Applied(marked, detail[ACCEPTED_COLUMNS].reset_index(drop=True), stale[STALE_COLUMNS].reset_index(drop=True))


def blocking(failures: pd.DataFrame) -> pd.Series:
    """Errors that stop the stage: every error not accepted."""
    accepted = failures["accepted"].notna() if "accepted" in failures else pd.Series(False, index=failures.index)
    return (failures["severity"] == ERROR) & ~accepted


def set_aside(raw: RawData, accepted: pd.DataFrame) -> RawData:
    """A copy of ``raw`` without the rows set aside by accepted exceptions; they are added to
    its exclusions with the rule and the reason."""
    gone = accepted[accepted["policy"] == SET_ASIDE]
    if gone.empty:
        return raw
    reasons = ("accepted exception " + gone["rule"] + " (set aside): " + gone["reason"]).groupby(
        [gone["file"], gone["row"].astype("int64")]).agg("; ".join)
    tables, excluded = {}, [raw.excluded]
    for table, frame in raw.tables.items():
        key = pd.MultiIndex.from_arrays([frame["SOURCE_FILE"], frame["SOURCE_ROW"].astype("int64")])
        hit = key.isin(reasons.index)
        tables[table] = frame[~hit].reset_index(drop=True) if hit.any() else frame
        if hit.any():
            d = frame[hit]
            excluded.append(pd.DataFrame({
                "table": table, "RETURN": d["RETURN"], "SOURCE_FILE": d["SOURCE_FILE"], "SOURCE_ROW": d["SOURCE_ROW"],
                "CHILD": d.get("CHILD", pd.NA),
                "reason": reasons.reindex(key[hit]).to_numpy()}))
    parts = [e for e in excluded if len(e)]
    excl = pd.concat(parts, ignore_index=True)[EXCLUSION_COLUMNS] if parts else raw.excluded
    return replace(raw, tables=tables, excluded=excl)


def count_by_rule(accepted: pd.DataFrame) -> dict[str, dict[str, int | str]]:
    """{rule: {rows, policy}} of the accepted rows (for summary.json)."""
    return {str(r): {"rows": int(len(g)), "policy": str(g["policy"].iloc[0])}
            for r, g in accepted.groupby("rule", sort=True)}
