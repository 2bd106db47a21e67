"""Combine annual returns and in-year extracts into one episode history.

Returns are ordered by the last day they cover; an annual return comes after an in-year
extract ending the same day (it is the final word on that year). "Later" below means later
in that order. The rules, applied in this order (docs/validation.md has worked examples):

S1  exact duplicate: the same episode (every column equal) in several returns is kept once,
    from the latest return.
S2  closed by a later return: an episode open in one return reappears (same CHILD and DECOM)
    closed in a later one; the later row is kept.
S3  replaced by a later return: the same CHILD and DECOM with other differences; the later
    row is kept.
S4  superseded: a later return describes a child from the first DECOM it holds for them;
    episodes from earlier returns starting on or after that date are dropped (they were
    corrected or removed; liia-tools RULE_3/3A).
S5  closed at the next episode: an earlier return's open episode that runs into a later
    return's episode (not a new period, RNE != S) ends that day with REC X1 (liia RULE_1).
S6  cut at a later return: an earlier return's closed episode overlapping a later return's
    episode ends that day (REC X1 unless the later episode starts a new period; liia RULE_4).
S7  closed before a new period: an earlier return's open episode followed by a later return's
    RNE S episode ends the day after its own return's end or on that DECOM, whichever is
    first, REC blank (reason unknown; liia RULE_1A, which ends it on the return's last day).
S8  X1 gap closed: an episode ceasing X1 whose next episode (from a later return) starts
    later ends on that DECOM instead (liia RULE_5).
S9  open, not in later returns: an episode left open in a return, whose child is in no later
    return, ends the day after its return's last day, REC blank (liia RULE_2 ends it on the
    last day).

S7 and S9 end an episode the day *after* its return's last day, not on it: the return says the
child was looked after at the end of that day, so the child counts in that day's snapshot (the
DfE's children looked after at 31 March, where a child who ceased on 31 March is not counted);
the next return, which holds every child looked after on any day of its period, says the child
was not looked after after it.
S0  after as_of: returns ending after ``as_of`` are not used (to recompute an earlier view).

Every dropped row and every changed row is logged (CHILD, DECOM, rule, kept_return,
dropped_return, detail); dropped rows are also returned as exclusions with their reason.
Changed rows carry the rule in ``STITCH_RULE``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from pipeline import schema

ONE_DAY = pd.Timedelta(days=1)

EPISODE_DATA = [c.name for c in schema.SSDA903_TABLES["episodes"]]
LOG_COLUMNS = ["CHILD", "DECOM", "rule", "kept_return", "dropped_return", "detail"]
EXCLUDED_COLUMNS = ["table", "RETURN", "SOURCE_FILE", "SOURCE_ROW", "CHILD", "reason"]

STITCH_RULES = {
    "S0_AFTER_AS_OF": "return ends after the as-of date; not used",
    "S1_EXACT_DUPLICATE": "exact duplicate of the episode in a later return",
    "S2_CLOSED_BY_LATER_RETURN": "open episode closed by the same episode (CHILD, DECOM) in a later return",
    "S3_REPLACED_BY_LATER_RETURN": "same CHILD and DECOM in a later return, which wins",
    "S4_SUPERSEDED_BY_LATER_RETURN": "starts on or after the first episode a later return holds for the child; superseded",
    "S5_CLOSED_AT_NEXT_EPISODE": "open episode ended (X1) where a later return's next episode starts",
    "S6_CUT_AT_LATER_RETURN": "overlapping episode cut where a later return's episode starts",
    "S7_CLOSED_BEFORE_NEW_PERIOD": "open episode ended the day after its return's end (or at a new period of care, if sooner; REC unknown)",
    "S8_X1_GAP_CLOSED": "X1 episode extended to the next episode's start (later return)",
    "S9_OPEN_NOT_IN_LATER_RETURN": "open episode of a child absent from later returns ended the day after its return's end (REC unknown)",
    "S10_HEADER_SUPERSEDED": "header row of a child also in a later return, which wins",
    "S11_DUPLICATE_ROW": "exact duplicate of a row in the same or a later return",
}


@dataclass
class StitchResult:
    episodes: pd.DataFrame  # stitched episodes (+ STITCH_RULE), sorted by CHILD, DECOM
    log: pd.DataFrame  # LOG_COLUMNS
    excluded: pd.DataFrame  # EXCLUDED_COLUMNS


def return_order(names: Iterable[str]) -> dict[str, int]:
    """Rank of each return: by its last day, an annual return after an extract ending that day."""
    unique = names.unique() if isinstance(names, pd.Series) else set(names)  # not row by row in Python
    labels = {n: schema.parse_return_label(n) for n in unique}
    ordered = sorted(labels, key=lambda n: (labels[n].end, labels[n].quarter is None, n))
    return {n: i for i, n in enumerate(ordered)}


def return_end(names: pd.Series) -> pd.Series:
    """The last day each row's return covers (datetime64[ns])."""
    ends = {n: pd.Timestamp(schema.parse_return_label(n).end) for n in names.dropna().unique()}
    return names.map(ends).astype("datetime64[ns]")


def _fmt(d: pd.Series) -> pd.Series:
    return d.dt.strftime("%Y-%m-%d").fillna("blank")


def _log(rows: pd.DataFrame, rule: str, kept: pd.Series | str | None, dropped: pd.Series | str | None, detail) -> pd.DataFrame:
    return pd.DataFrame({
        "CHILD": rows["CHILD"].values, "DECOM": rows["DECOM"].values, "rule": rule,
        "kept_return": kept.values if isinstance(kept, pd.Series) else kept,
        "dropped_return": dropped.values if isinstance(dropped, pd.Series) else dropped,
        "detail": detail.values if isinstance(detail, pd.Series) else detail,
    }, columns=LOG_COLUMNS)


def _excluded(rows: pd.DataFrame, table: str, reason: str) -> pd.DataFrame:
    return pd.DataFrame({
        "table": table, "RETURN": rows["RETURN"].values, "SOURCE_FILE": rows["SOURCE_FILE"].values,
        "SOURCE_ROW": rows["SOURCE_ROW"].values, "CHILD": rows["CHILD"].values, "reason": reason,
    }, columns=EXCLUDED_COLUMNS)


def _same(a: pd.DataFrame, b: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Row-wise: every column equal (blank equals blank)."""
    eq = np.ones(len(a), dtype=bool)
    for c in columns:
        x, y = a[c].reset_index(drop=True), b[c].reset_index(drop=True)
        eq &= ((x == y).fillna(False) | (x.isna() & y.isna())).to_numpy(dtype=bool)
    return eq


def stitch_episodes(episodes: pd.DataFrame, as_of: date | None = None) -> StitchResult:
    """Stitch every return's episodes into one history (rules S0-S9 in the module docstring).

    ``episodes`` holds the episode columns with DECOM/DEC as datetimes, plus RETURN,
    SOURCE_FILE and SOURCE_ROW. The input is not modified.
    """
    logs: list[pd.DataFrame] = []
    excl: list[pd.DataFrame] = []
    ep = episodes.copy()
    ep["STITCH_RULE"] = pd.Series(pd.NA, index=ep.index, dtype="str")
    ep["_END"] = return_end(ep["RETURN"])

    if as_of is not None:
        late = ep["_END"] > pd.Timestamp(as_of)
        logs.append(_log(ep[late], "S0_AFTER_AS_OF", None, ep.loc[late, "RETURN"], f"as of {as_of}"))
        excl.append(_excluded(ep[late], "episodes", STITCH_RULES["S0_AFTER_AS_OF"]))
        ep = ep[~late]
    if ep.empty:
        return _result(ep, logs, excl)
    order = return_order(ep["RETURN"])
    ep["_RANK"] = ep["RETURN"].map(order).astype(int)
    ep = ep.sort_values(["CHILD", "DECOM", "_RANK", "SOURCE_ROW"], kind="stable")

    # S1-S3: the same CHILD and DECOM in several returns: the latest wins
    dup = ep.duplicated(["CHILD", "DECOM"], keep="last")
    if dup.any():
        dropped = ep[dup]
        kept = ep[~dup].set_index(["CHILD", "DECOM"]).loc[pd.MultiIndex.from_frame(dropped[["CHILD", "DECOM"]])].reset_index()
        exact = _same(dropped, kept, EPISODE_DATA)
        closed = (dropped["DEC"].isna().to_numpy() & kept["DEC"].notna().to_numpy()) & ~exact
        for rule, mask in (("S1_EXACT_DUPLICATE", exact), ("S2_CLOSED_BY_LATER_RETURN", closed),
                           ("S3_REPLACED_BY_LATER_RETURN", ~exact & ~closed)):
            if mask.any():
                logs.append(_log(dropped[mask], rule, kept.loc[mask, "RETURN"], dropped.loc[mask, "RETURN"],
                                 "DEC " + _fmt(dropped.loc[mask, "DEC"]) + " -> " + _fmt(kept.loc[mask, "DEC"]).values))
                excl.append(_excluded(dropped[mask], "episodes", STITCH_RULES[rule]))
        ep = ep[~dup]

    # S4-S7: a later return is authoritative from the first DECOM it holds for a child
    ranks = sorted(ep["_RANK"].unique())
    keep = pd.Series(True, index=ep.index)
    for r in reversed(ranks[:-1]):  # latest first, so "later" rows are final
        later = ep[(ep["_RANK"] > r) & keep].sort_values(["CHILD", "DECOM", "_RANK"], ascending=[True, True, False])
        first = later.drop_duplicates("CHILD", keep="first").set_index("CHILD")[["DECOM", "RNE", "RETURN"]]
        rows = ep[(ep["_RANK"] == r) & keep]
        b = first.reindex(rows["CHILD"].values)
        b.index = rows.index
        has_b = b["DECOM"].notna()
        sup = has_b & (rows["DECOM"] >= b["DECOM"])
        if sup.any():
            logs.append(_log(rows[sup], "S4_SUPERSEDED_BY_LATER_RETURN", b.loc[sup, "RETURN"], rows.loc[sup, "RETURN"],
                             "later return starts the child at " + _fmt(b.loc[sup, "DECOM"])))
            excl.append(_excluded(rows[sup], "episodes", STITCH_RULES["S4_SUPERSEDED_BY_LATER_RETURN"]))
            keep[sup[sup].index] = False
        runs_in = has_b & ~sup & (rows["DEC"].isna() | (rows["DEC"] > b["DECOM"]))
        new_period = (b["RNE"] == "S").fillna(False)
        is_open = rows["DEC"].isna()
        for rule, mask in (("S5_CLOSED_AT_NEXT_EPISODE", runs_in & is_open & ~new_period),
                           ("S6_CUT_AT_LATER_RETURN", runs_in & ~is_open),
                           ("S7_CLOSED_BEFORE_NEW_PERIOD", runs_in & is_open & new_period)):
            if not mask.any():
                continue
            idx = mask[mask].index
            old_dec = ep.loc[idx, "DEC"]
            if rule == "S7_CLOSED_BEFORE_NEW_PERIOD":
                new_dec = np.minimum(ep.loc[idx, "_END"] + ONE_DAY, b.loc[idx, "DECOM"])
                ep.loc[idx, "REC"] = pd.NA
            else:
                new_dec = b.loc[idx, "DECOM"]
                x1 = ~new_period[idx]
                ep.loc[x1[x1].index, "REC"] = "X1"
            ep.loc[idx, "DEC"] = new_dec
            ep.loc[idx, "STITCH_RULE"] = rule
            logs.append(_log(ep.loc[idx], rule, ep.loc[idx, "RETURN"], None,
                             "DEC " + _fmt(old_dec) + " -> " + _fmt(ep.loc[idx, "DEC"]).values
                             + "; REC " + ep.loc[idx, "REC"].fillna("blank").astype(str).values
                             + "; next episode from " + b.loc[idx, "RETURN"].astype(str).values))
    ep = ep[keep].sort_values(["CHILD", "DECOM"], kind="stable")

    # S8: X1 followed by a gap before a later return's next episode
    same_next = (ep["CHILD"].shift(-1) == ep["CHILD"]).fillna(False)
    nxt_decom, nxt_rne, nxt_rank, nxt_ret = (ep[c].shift(-1) for c in ("DECOM", "RNE", "_RANK", "RETURN"))
    gap = (same_next & (ep["REC"] == "X1").fillna(False) & ep["DEC"].notna() & (nxt_decom > ep["DEC"]).fillna(False)
           & (nxt_rank > ep["_RANK"]).fillna(False) & (nxt_rne != "S").fillna(False))
    if gap.any():
        idx = gap[gap].index
        old = ep.loc[idx, "DEC"]
        ep.loc[idx, "DEC"] = nxt_decom[idx]
        ep.loc[idx, "STITCH_RULE"] = "S8_X1_GAP_CLOSED"
        logs.append(_log(ep.loc[idx], "S8_X1_GAP_CLOSED", ep.loc[idx, "RETURN"], None,
                         "DEC " + _fmt(old) + " -> " + _fmt(ep.loc[idx, "DEC"]).values + "; next episode from " + nxt_ret[idx].astype(str).values))

    # S9: open in a return, child absent from every later return
    max_rank = ep.groupby("CHILD")["_RANK"].transform("max")
    alone = ep["DEC"].isna() & (max_rank == ep["_RANK"]) & (ep["_RANK"] < max(ranks))
    if alone.any():
        idx = alone[alone].index
        ep.loc[idx, "DEC"] = ep.loc[idx, "_END"] + ONE_DAY
        ep.loc[idx, "REC"] = pd.NA
        ep.loc[idx, "STITCH_RULE"] = "S9_OPEN_NOT_IN_LATER_RETURN"
        logs.append(_log(ep.loc[idx], "S9_OPEN_NOT_IN_LATER_RETURN", ep.loc[idx, "RETURN"], None,
                         "DEC blank -> " + _fmt(ep.loc[idx, "DEC"]) + "; REC blank (reason unknown)"))
    return _result(ep, logs, excl)


def _result(ep: pd.DataFrame, logs: list[pd.DataFrame], excl: list[pd.DataFrame]) -> StitchResult:
    out = ep.drop(columns=[c for c in ("_END", "_RANK") if c in ep]).sort_values(["CHILD", "DECOM"], kind="stable").reset_index(drop=True)
    log = pd.concat([x for x in logs if len(x)], ignore_index=True) if any(len(x) for x in logs) else pd.DataFrame(columns=LOG_COLUMNS)
    ex = pd.concat([x for x in excl if len(x)], ignore_index=True) if any(len(x) for x in excl) else pd.DataFrame(columns=EXCLUDED_COLUMNS)
    return StitchResult(out, log, ex)


def overlapping_episodes(episodes: pd.DataFrame) -> pd.Series:
    """True where an episode starts before the child's previous episode ended (or while open)."""
    s = episodes.sort_values(["CHILD", "DECOM"], kind="stable")
    same = (s["CHILD"].shift(1) == s["CHILD"]).fillna(False)
    prev_dec = s["DEC"].shift(1)
    bad = same & (prev_dec.isna() | (s["DECOM"] < prev_dec)).fillna(False)
    return bad.reindex(episodes.index)


def latest_header(header: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One header row per child, from the latest return holding them (rule S10).

    Returns (header, log, excluded).
    """
    h = header.assign(_RANK=header["RETURN"].map(return_order(header["RETURN"].dropna())))
    h = h.sort_values(["CHILD", "_RANK", "SOURCE_ROW"], kind="stable")
    dup = h.duplicated("CHILD", keep="last")
    kept_ret = h[~dup].set_index("CHILD")["RETURN"]
    dropped = h[dup]
    log = pd.DataFrame({"CHILD": dropped["CHILD"].values, "DECOM": pd.NaT, "rule": "S10_HEADER_SUPERSEDED",
                        "kept_return": dropped["CHILD"].map(kept_ret).values, "dropped_return": dropped["RETURN"].values,
                        "detail": "header"}, columns=LOG_COLUMNS)
    return (h[~dup].drop(columns="_RANK").reset_index(drop=True), log,
            _excluded(dropped, "header", STITCH_RULES["S10_HEADER_SUPERSEDED"]))


def drop_duplicate_rows(frame: pd.DataFrame, table: str, data_columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exact duplicates (all data columns) removed, keeping the latest return's row (rule S11)."""
    if frame.empty:
        return frame.copy(), pd.DataFrame(columns=EXCLUDED_COLUMNS)
    rank = frame["RETURN"].map(return_order(frame["RETURN"].dropna())) if frame["RETURN"].notna().any() else 0
    f = frame.assign(_RANK=rank).sort_values(["_RANK", "SOURCE_FILE", "SOURCE_ROW"], kind="stable")
    dup = f.duplicated(data_columns, keep="last")
    dropped = f[dup]
    if "CHILD" not in dropped:
        dropped = dropped.assign(CHILD=pd.NA)
    return (f[~dup].drop(columns="_RANK").sort_index(), _excluded(dropped, table, STITCH_RULES["S11_DUPLICATE_ROW"]))


SEX_CODES_BEFORE_2025 = {"1": "M", "2": "F"}


def harmonise_sex(frame: pd.DataFrame) -> pd.DataFrame:
    """SEX as M/F/U in every year (1 -> M, 2 -> F, as coded up to 2023-24)."""
    if "SEX" not in frame:
        return frame.copy()
    return frame.assign(SEX=frame["SEX"].replace(SEX_CODES_BEFORE_2025))
