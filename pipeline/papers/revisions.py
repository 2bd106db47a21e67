"""Revisions to previously reported figures.

When the paper for a period is produced and papers for earlier periods exist, each earlier
paper is rebuilt from the current data (the same paper builder, with the earlier period)
and compared, figure by figure, with the tables it published (``table_id,row,column,value``,
``x`` where suppressed). Count figures whose value has changed go into the table
``QREV_revisions`` (columns "Previously reported" and "Now", one row per figure) and the
derived table ``QREV_change`` ("Change" = Now - Previously reported, suppressed with Now).

Disclosure: a previously reported value is known to everyone, so it goes into
``Paper.published_before``; "Now" carries the figure's selection over the current facts,
so it is protected like the figure itself (a revised small count is suppressed), and the
change is derived from it. Only figures published as numbers are compared (a suppressed
figure was never reported); only count tables (``PublishedTable.suppress``) are compared.

Reasons, per revised figure, from the rows that now contribute and those that did then
(the earlier paper's lineage store), keyed by the record's identity (fact, CHILD, DECOM,
EVENT_ID, CASE_ID, POST_ID), not its source row:

- late-recorded event: a row added whose RECORDED_DATE is after the earlier period's end;
- corrected record: a row added whose record was already known to the earlier paper (it
  was counted in another of its figures, or the stitching log lists it as changed by a
  later return), or a row that contributed then and no longer does;
- new return: a row added that came from a return covering a later date than the earlier
  period's end (RETURN), not otherwise explained.

Without the earlier lineage store only provenance can speak: a late RECORDED_DATE, or a
record the stitching log lists as corrected (a later RETURN alone proves nothing, since a
later extract re-reports every earlier episode); a fall is put down to a corrected record
if the stitching log lists corrections in the fact table; otherwise "not determined".
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from pipeline.lineage.store import read_earlier_papers, read_stitch_log
from pipeline.periods import PeriodError, Quarter, parse_quarter
from pipeline.schema import parse_return_label
from pipeline.tables import Cell, DerivedTable, Paper, PublishedTable

REVISIONS_TABLE = "QREV_revisions"
CHANGE_TABLE = "QREV_change"
PREVIOUS, NOW, CHANGE = "Previously reported", "Now", "Change"
TITLE = "Revisions to previously reported figures"

LATE, CORRECTED, NEW_RETURN, UNKNOWN = "late-recorded event", "corrected record", "new return", "not determined"
IDENTITY = ("fact", "CHILD", "DECOM", "EVENT_ID", "CASE_ID", "POST_ID")
REASON_COLUMNS = (
    "row", "earlier_period", "earlier_slug", "figure_id", "previously", "now", "change", "reason",
    "added_late", "added_corrected", "added_new_return", "added_other", "removed",
)


@dataclass
class EarlierPaper:
    """An earlier period's paper: what it published and the paper rebuilt from current data.

    `published` is its tidy tables (``table_id,row,column,value``, strings); `contributions`
    its lineage store's contributions frame, if kept (makes the reasons exact).
    """

    period: Quarter
    published: pd.DataFrame
    recomputed: Paper
    contributions: pd.DataFrame | None = None


@dataclass
class Revisions:
    """The revisions table, its change column, the restricted reasons and what disclosure
    control and lineage need (values known from earlier papers and where they come from)."""

    table: PublishedTable | None
    change: DerivedTable | None
    reasons: pd.DataFrame
    published_before: dict[str, float] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)


# --- earlier papers --------------------------------------------------------------------------


def select_earlier_periods(current: Quarter, slugs: Iterable[str], lookback: int) -> list[Quarter]:
    """The quarters among `slugs` (report folder names) up to `lookback` quarters before
    `current`, oldest first; other folder names are ignored."""
    window, q = set(), current
    for _ in range(lookback):
        q = q.previous()
        window.add(q)
    found = set()
    for slug in slugs:
        try:
            found.add(parse_quarter(slug))
        except PeriodError:
            continue
    return sorted(found & window)


def parse_published_value(text: object) -> float | None:
    """A published string as a number; None for a suppressed or non-numeric value."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    try:
        return float(str(text).replace(",", "").replace("£", "").strip())
    except ValueError:
        return None


def _decimals(text: str) -> int:
    text = str(text).replace(",", "").strip()
    return len(text.split(".")[1]) if "." in text else 0


def compare_published(published: pd.DataFrame, recomputed: Paper) -> pd.DataFrame:
    """Count figures published as numbers whose recomputed value differs.

    The recomputed value is rounded to the published number of decimals first. Returns
    ``figure_id, table_id, title, row, column, previously, now`` in the paper's table order.
    """
    shown = {f"{t}|{r}|{c}": v for t, r, c, v in
             published[["table_id", "row", "column", "value"]].astype(str).itertuples(index=False)}
    out = []
    for table in recomputed.tables:
        if not table.suppress or table.table_id == REVISIONS_TABLE:
            continue
        for cell in table.cells():
            text = shown.get(cell.id)
            before = parse_published_value(text)
            if before is None:
                continue
            now = round(table.value(cell), _decimals(text))
            if not math.isclose(now, before, abs_tol=1e-9):
                out.append((cell.id, table.table_id, table.title, cell.row, cell.col, before, table.value(cell)))
    return pd.DataFrame(out, columns=["figure_id", "table_id", "title", "row", "column", "previously", "now"])


# --- reasons ---------------------------------------------------------------------------------


def return_end(name: object) -> date | None:
    """The last day a return covers ('2026-27_Q2' -> 30 Sep 2026), or None if unnamed."""
    try:
        return parse_return_label(str(name)).end
    except ValueError:
        return None


def identify_rows(rows: pd.DataFrame, fact: str) -> pd.Series:
    """The identity of each row (fact and entity keys, not its source row), as tuples."""
    full = pd.DataFrame(index=rows.index)
    for c in IDENTITY[1:]:
        col = rows[c] if c in rows.columns else pd.Series(None, index=rows.index, dtype=object)
        if c == "DECOM":
            col = pd.to_datetime(col)
        full[c] = col.astype(object).where(col.notna(), None)
    return pd.Series([(fact, *t) for t in full.itertuples(index=False, name=None)], index=rows.index, dtype=object)


def _provenance_is_late(row: Mapping, earlier_end: date) -> str | None:
    recorded = row.get("RECORDED_DATE")
    if recorded is not None and not pd.isna(recorded) and pd.Timestamp(recorded).date() > earlier_end:
        return LATE
    end = return_end(row.get("RETURN")) if row.get("RETURN") is not None and not pd.isna(row.get("RETURN")) else None
    if end is not None and end > earlier_end:
        return NEW_RETURN
    return None


def explain_change(
    now_rows: pd.DataFrame,
    fact: str,
    earlier_end: date,
    before_keys: set | None,
    known_keys: set | None,
    corrected_keys: set,
) -> dict[str, int]:
    """Count the rows behind one revision by reason (see the module docstring).

    `now_rows` are the fact rows the figure selects now; `before_keys` the identities that
    contributed to it in the earlier paper (None if unknown); `known_keys` every identity
    that earlier paper counted anywhere; `corrected_keys` identities the stitching log lists
    as changed by a later return.
    """
    ids = identify_rows(now_rows, fact)
    counts = {"added_late": 0, "added_corrected": 0, "added_new_return": 0, "added_other": 0, "removed": 0}
    for key, row in zip(ids, now_rows.to_dict("records"), strict=True):
        if before_keys is not None and key in before_keys:
            continue
        late = _provenance_is_late(row, earlier_end)
        if late == LATE:
            counts["added_late"] += 1
        elif key in corrected_keys or (known_keys is not None and key in known_keys):
            counts["added_corrected"] += 1
        elif late == NEW_RETURN and before_keys is not None:
            counts["added_new_return"] += 1
        elif before_keys is not None:
            counts["added_other"] += 1
    if before_keys is not None:
        counts["removed"] = len(before_keys - set(ids))
    return counts


def word_reasons(counts: Mapping[str, int], change: float, fact_has_corrections: bool) -> str:
    """The reasons of one revision in words (no numbers: the text is published)."""
    words = []
    if counts["added_late"]:
        words.append(LATE)
    if counts["added_corrected"] or counts["removed"]:
        words.append(CORRECTED)
    if counts["added_new_return"]:
        words.append(NEW_RETURN)
    if not words and change < 0 and fact_has_corrections:
        words.append(CORRECTED)
    return "; ".join(words) if words else UNKNOWN


# Stitching rules (pipeline/stitch.py) under which a later return changed a record: replaced
# with other values, superseded from an earlier date, or cut where a later episode starts.
CORRECTION_RULES = ("S3_REPLACED_BY_LATER_RETURN", "S4_SUPERSEDED_BY_LATER_RETURN", "S6_CUT_AT_LATER_RETURN")


def list_corrections(stitch_log: pd.DataFrame, facts: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Records changed by a later return, from the stitching log (``CHILD, DECOM, rule ...``),
    as identities of every fact table keyed by episode (one with CHILD and DECOM columns)."""
    changed = stitch_log[stitch_log["rule"].isin(CORRECTION_RULES)][["CHILD", "DECOM"]].drop_duplicates()
    changed = changed.assign(DECOM=pd.to_datetime(changed["DECOM"]))
    keyed = [name for name, frame in facts.items() if {"CHILD", "DECOM"} <= set(frame.columns)]
    parts = [changed.assign(fact=name) for name in sorted(keyed)]
    return (pd.concat(parts, ignore_index=True) if parts else
            pd.DataFrame(columns=["CHILD", "DECOM", "fact"]))[["fact", "CHILD", "DECOM"]]


# --- the table -------------------------------------------------------------------------------


def label_revision(period: Quarter, title: str, row: str, column: str) -> str:
    """The row label of a revised figure (no '|', which separates the parts of a cell id)."""
    return f"{period.label}, {title}: {row}, {column}".replace("|", "/")


def _keys_by_figure(contributions: pd.DataFrame | None) -> tuple[dict[str, set], set | None]:
    if contributions is None:
        return {}, None
    by_figure: dict[str, set] = {}
    every: set = set()
    for (fid, fact), group in contributions.groupby(["figure_id", "fact"], sort=False):
        keys = set(identify_rows(group, fact))
        by_figure.setdefault(fid, set()).update(keys)
        every |= keys
    return by_figure, every


def _corrected_by_fact(corrections: pd.DataFrame | None) -> dict[str, set]:
    if corrections is None or corrections.empty:
        return {}
    out: dict[str, set] = {}
    for fact, group in corrections.groupby("fact", sort=False):
        out[fact] = set(identify_rows(group, fact))
    return out


def build_revisions(
    earlier: list[EarlierPaper],
    facts: Mapping[str, pd.DataFrame],
    corrections: pd.DataFrame | None = None,
) -> Revisions:
    """Compare each earlier paper with its rebuild from current `facts` (see the module
    docstring). `corrections` lists records changed by a later return (the stitching log):
    a ``fact`` column and the identity columns it has (CHILD, DECOM, EVENT_ID ...)."""
    corrected = _corrected_by_fact(corrections)
    rows, prev_vals, now_vals, sels, reasons, sources = [], [], [], {}, [], {}
    for paper in sorted(earlier, key=lambda p: p.period):
        diff = compare_published(paper.published, paper.recomputed)
        before_by_figure, known = _keys_by_figure(paper.contributions)
        for d in diff.itertuples(index=False):
            label = label_revision(paper.period, d.title, d.row, d.column)
            if label in rows:
                label = f"{label} ({d.table_id})"
            sel = paper.recomputed.table(d.table_id).selections.get((d.row, d.column))
            counts = dict.fromkeys(("added_late", "added_corrected", "added_new_return", "added_other", "removed"), 0)
            fact_has_corr = False
            if sel is not None and sel.fact in facts:
                now_rows = facts[sel.fact][sel.mask(facts[sel.fact])]
                # with the earlier store, a figure that counted no row then had none (not unknown)
                before = before_by_figure.get(d.figure_id, set()) if paper.contributions is not None else None
                counts = explain_change(now_rows, sel.fact, paper.period.end, before, known,
                                        corrected.get(sel.fact, set()))
                fact_has_corr = bool(corrected.get(sel.fact))
                sels[(label, NOW)] = sel
            change = d.now - d.previously
            rows.append(label)
            prev_vals.append(d.previously)
            now_vals.append(d.now)
            sources[Cell(REVISIONS_TABLE, label, PREVIOUS).id] = f"{paper.period.slug}#{d.figure_id}"
            reasons.append({"row": label, "earlier_period": paper.period.label, "earlier_slug": paper.period.slug,
                            "figure_id": d.figure_id, "previously": d.previously, "now": d.now, "change": change,
                            "reason": word_reasons(counts, change, fact_has_corr), **counts})
    reasons_frame = pd.DataFrame(reasons, columns=list(REASON_COLUMNS))
    if not rows:
        return Revisions(None, None, reasons_frame)
    values = pd.DataFrame({PREVIOUS: prev_vals, NOW: now_vals}, index=rows)
    notes = tuple(f"{r}: {w}" for r, w in zip(reasons_frame["row"], reasons_frame["reason"], strict=True))
    table = PublishedTable(REVISIONS_TABLE, TITLE, "figure", "publication", values, selections=sels,
                           caption="Figures published in earlier papers that the current data changes.",
                           notes=notes, unit="figures")
    change = DerivedTable(
        CHANGE_TABLE, f"{TITLE}: change", "figure", "publication",
        pd.DataFrame({CHANGE: [n - p for n, p in zip(now_vals, prev_vals, strict=True)]}, index=rows),
        inputs={(r, CHANGE): (Cell(REVISIONS_TABLE, r, NOW), Cell(REVISIONS_TABLE, r, PREVIOUS)) for r in rows},
        fmt="number", caption="Now minus previously reported.")
    before = {Cell(REVISIONS_TABLE, r, PREVIOUS).id: float(p) for r, p in zip(rows, prev_vals, strict=True)}
    return Revisions(table, change, reasons_frame, before, sources)


def revise_earlier_papers(
    build_paper: Callable[[Mapping[str, pd.DataFrame], object], Paper],
    facts: Mapping[str, pd.DataFrame],
    params: object,
    published: Mapping[str, pd.DataFrame],
    contributions: Mapping[str, pd.DataFrame] | None = None,
    corrections: pd.DataFrame | None = None,
    lookback: int | None = None,
) -> Revisions:
    """Rebuild each earlier paper in `published` (report slug -> its tidy tables) within
    `lookback` quarters of ``params.period`` with `build_paper(facts, params_for_that_period)`
    and compare (see :func:`build_revisions`). `contributions` maps slugs to their lineage
    stores' contributions, where kept. `lookback` defaults to params.revisions.lookback_quarters."""
    contributions = contributions or {}
    lookback = params.revisions.lookback_quarters if lookback is None else lookback
    earlier = []
    for q in select_earlier_periods(params.period, published, lookback):
        recomputed = build_paper(facts, dataclasses.replace(params, period=q))
        earlier.append(EarlierPaper(q, published[q.slug], recomputed, contributions.get(q.slug)))
    return build_revisions(earlier, facts, corrections)


def revise_paper(paper: Paper, facts: Mapping[str, pd.DataFrame], params, build_paper) -> tuple[Paper, Revisions]:
    """The paper with the "Revisions to previously reported figures" table added (when any
    earlier paper's figure changed), and the :class:`Revisions` (its ``reasons`` are
    restricted; its ``sources`` go to :func:`pipeline.lineage.store.record_paper_lineage`).
    Reads the earlier papers' published tables and lineage stores, and the stitching log."""
    published, contributions = read_earlier_papers(params, paper.paper_id)
    log = read_stitch_log(params)
    corrections = list_corrections(log, facts) if log is not None else None
    revs = revise_earlier_papers(build_paper, facts, params, published, contributions, corrections)
    return add_revisions(paper, revs), revs


def add_revisions(paper: Paper, revisions: Revisions) -> Paper:
    """A copy of `paper` with the revisions tables added and the earlier values declared known.

    A revised figure that this paper shows again under the same id no longer has its
    earlier value, so that value is dropped from ``published_before`` for that id (it is
    known through the "Previously reported" cell instead). A value some earlier paper already
    published that equals the figure's value now (a revision reported before) stays known."""
    if revisions.table is None:
        return paper
    now = dict(zip(revisions.reasons["figure_id"], revisions.reasons["now"], strict=True))
    before = {k: v for k, v in paper.published_before.items() if k not in now or float(v) == float(now[k])}
    return dataclasses.replace(
        paper, tables=[*paper.tables, revisions.table], derived=[*paper.derived, revisions.change],
        links=list(paper.links), published_before={**before, **revisions.published_before})


def display_revisions(shown: pd.DataFrame, shown_change: pd.DataFrame, reasons: pd.DataFrame) -> pd.DataFrame:
    """One frame for the paper: the protected Previously reported / Now, the protected
    Change, and the reason in words (indexed by figure)."""
    out = shown.join(shown_change)
    out["Reason"] = reasons.set_index("row")["reason"].reindex(out.index)
    return out


def describe_revisions(revisions: Revisions) -> str:
    """A sentence for the paper: how many earlier figures were revised (no values)."""
    n = len(revisions.reasons)
    if n == 0:
        return "No figure published in an earlier paper has changed with the current data."
    periods = ", ".join(dict.fromkeys(revisions.reasons["earlier_period"]))
    return (f"{n} figure{'s' if n != 1 else ''} published earlier ({periods}) "
            f"{'have' if n != 1 else 'has'} changed with the current data; the table below shows "
            "what was reported, the figure now and the reason where it can be told.")

