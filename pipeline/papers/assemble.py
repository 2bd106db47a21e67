"""One call from facts to a paper's tables: build, add the data-quality table and the
figures published before, ready for disclosure control.

The papers' own builders live beside this module (``quarterly.py``, ``sufficiency.py``,
``candidates.py``); this module only puts the pieces together.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from pipeline.labels import TOTAL
from pipeline.tables import Paper, PublishedTable

DQ_TABLE_ID = "DQ01_validation_warnings"
ACCEPTED_TABLE_ID = "DQ02_accepted_exceptions"


@dataclass(frozen=True)
class PaperKind:
    """A paper the pipeline produces: its notebook, builder and title."""

    name: str
    notebook: str
    builder: str  # module:function building the Paper from (facts, params)
    title: str


PAPER_KINDS: dict[str, PaperKind] = {
    "quarterly": PaperKind(
        "quarterly", "quarterly_exit_report", "pipeline.papers.quarterly:build_quarterly_paper",
        "Exit from care: Children's Permanence Team quarterly update, {period}"),
    "sufficiency": PaperKind(
        "sufficiency", "sufficiency_analysis", "pipeline.papers.sufficiency:build_sufficiency_paper",
        "Placement sufficiency analysis: children in care and care leavers, {year}"),
}


def resolve_builder(kind: PaperKind):
    """The builder function named by `kind` ('module:function')."""
    module, func = kind.builder.split(":")
    return getattr(importlib.import_module(module), func)


def build_dq_table(warnings: pd.DataFrame | None, descriptions: Mapping[str, str]) -> PublishedTable | None:
    """Validation warnings counted by rule (records affected), with a total row; None when
    there is no warnings file or no warning. Never the warning messages themselves: they quote values."""
    if warnings is None or warnings.empty:
        return None
    missing = {"rule", "table"} - set(warnings.columns)
    if missing:
        raise ValueError(f"warnings have no {', '.join(sorted(missing))} column "
                         f"(columns: {', '.join(map(str, warnings.columns))})")
    keys = warnings["rule"].astype(str) + " (" + warnings["table"].astype(str) + ")"
    counts = keys.value_counts().sort_index()
    labels = {}
    for key in counts.index:
        rule = key.split(" (")[0]
        where = key[len(rule):].strip()
        text = descriptions.get(rule, rule).rstrip(".")
        labels[key] = f"{rule}: {text} {where}".strip()
    values = pd.DataFrame({"Records": [float(v) for v in counts.to_numpy()]},
                          index=[labels[k] for k in counts.index])
    values.loc[TOTAL] = [float(counts.sum())]
    return PublishedTable(
        DQ_TABLE_ID, "Validation warnings in the data used for this paper", "Rule", "Records", values,
        row_total=TOTAL,
        caption="Records that passed validation with a warning, by rule. Warnings do not stop the "
                "pipeline; the figures in this paper include these records.",
        unit="records",
    )


def build_accepted_table(accepted: pd.DataFrame | None, descriptions: Mapping[str, str]) -> PublishedTable | None:
    """Records whose validation error was reviewed and accepted (the validate stage's
    accepted.csv), counted by rule, table and policy (kept or set aside), with a total row;
    None when nothing was accepted. Never the reasons or values: they may describe a child."""
    if accepted is None or accepted.empty:
        return None
    keys = accepted["rule"].astype(str) + "|" + accepted["table"].astype(str) + "|" + accepted["policy"].astype(str)
    counts = keys.value_counts().sort_index()
    labels = []
    for key in counts.index:
        rule, table, policy = key.split("|")
        labels.append(f"{rule}: {descriptions.get(rule, rule).rstrip('.')} ({table}; {policy})")
    values = pd.DataFrame({"Records": [float(v) for v in counts.to_numpy()]}, index=labels)
    values.loc[TOTAL] = [float(counts.sum())]
    return PublishedTable(
        ACCEPTED_TABLE_ID, "Validation errors reviewed and accepted", "Rule", "Records", values,
        row_total=TOTAL,
        caption="Records with a validation error that would have stopped the pipeline, reviewed and accepted by "
                "the service (its accepted exceptions file), by rule. Kept records are counted in this paper's "
                "figures as recorded; set-aside records are not used.",
        unit="records",
    )


def add_tables(paper: Paper, extra: list[PublishedTable]) -> Paper:
    """A copy of the paper with further count tables at the end."""
    return replace(paper, tables=[*paper.tables, *[t for t in extra if t is not None]])


# Columns whose label names the same figure in every paper that prints it: a quarter of the
# same financial year (quarterly paper) or a dated year (sufficiency). Other columns ("Year
# to date", "Open at quarter end") mean something else in each period and are never matched.
COMPARABLE_COLUMNS = {
    "quarterly": re.compile(r"^Q[1-4]$"),
    "sufficiency": re.compile(r"^(\d{4}-\d{2}|31 March \d{4})$"),
}


def select_comparable_figures(kind: str, known: Mapping[str, float]) -> dict[str, float]:
    """The earlier figures whose id means the same figure in this period's paper."""
    pattern = COMPARABLE_COLUMNS[kind]
    return {k: v for k, v in known.items() if pattern.match(k.split("|")[-1])}


def restrict_published_before(paper: Paper, known: Mapping[str, float]) -> Paper:
    """A copy of the paper whose ``published_before`` holds the earlier figures that are cells
    of this paper (figure ids are table|row|column)."""
    ids = {c.id for t in paper.tables for c in t.cells()}
    return replace(paper, published_before={k: float(v) for k, v in sorted(known.items()) if k in ids})
