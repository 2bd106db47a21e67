"""The quarterly paper's table of children to consider for exit from care, by group.

Rows are the groups of :data:`pipeline.process.candidates.GROUPS`; columns are "Children in the
group" and "Already working with the team" (children with an open SGO, PWP or CP case).
Each cell is a :class:`~pipeline.tables.Selection` over the fact table ``candidates`` (the
list from :func:`pipeline.process.candidates.build_candidates`, one row per child per group).

There is no total row: a child can be in more than one group, so the groups do not add up,
and a published count of distinct children would tell an attacker ``total <= sum of groups``,
an inequality that can narrow a suppressed cell but that no equation of the table model can
declare. The distinct count stays in the restricted summary. Nor is there a column total:
"already working" is a subset of "in the group", not a part of a sum.
"""

from __future__ import annotations

import pandas as pd

from pipeline.config import Params
from pipeline.process.candidates import GROUPS
from pipeline.tables import PublishedTable, Selection

FACT = "candidates"
TABLE_ID = "C01_exit_candidates"
COL_CHILDREN = "Children in the group"
COL_WORKING = "Already working with the team"


def build_candidates_table(candidates: pd.DataFrame, params: Params,
                           tracker_available: bool | None = None) -> PublishedTable:
    """Counts of children per group and of those already worked with, as a PublishedTable
    over the fact ``candidates``. Without the tracker (``tracker_available`` False, or the
    list's TRACKER_AVAILABLE column False) the "already working" column is left out and a
    note says why; None infers it from the list (an empty list counts as available)."""
    if tracker_available is None:
        tracker_available = bool(candidates["TRACKER_AVAILABLE"].all()) if len(candidates) else True
    selections: dict[tuple[str, str], Selection] = {}
    for group, spec in GROUPS.items():
        base = Selection.of(FACT, GROUP=group)
        selections[(spec.label, COL_CHILDREN)] = base
        if tracker_available:
            selections[(spec.label, COL_WORKING)] = base.narrow(ALREADY_WORKING=(True,))
    rows = [g.label for g in GROUPS.values()]
    cols = [COL_CHILDREN] + ([COL_WORKING] if tracker_available else [])
    values = pd.DataFrame({c: [int(selections[(r, c)].evaluate(candidates)) for r in rows] for c in cols},
                          index=rows)
    cp, end = params.candidates, params.period.end
    notes = [
        f"Children in care on {end:%-d %B %Y} who meet a group's rule. A list is a prompt for a "
        "social worker's review of the child's plan, never a decision.",
        f"Long stable foster placement: same carer for {cp.stable_foster_years:g} years or more, no "
        f"adoption plan. Placed with parents: under a care order for {cp.pwp_care_order_months} "
        f"months or more. Section 20: {cp.section20_months} months or more. Unstable: "
        f"{cp.unstable_placements} or more placements in {cp.unstable_window_months} months, no adoption plan.",
        "A child can be in more than one group, so the groups are not added up.",
        f"Young people aged {cp.max_age_years} or over are not included: they are close to leaving care.",
    ]
    if tracker_available:
        notes.append("Already working with the team: an open special guardianship, placement with "
                     "parents or connected persons case in the permanence tracker.")
    else:
        notes.append("The permanence tracker was unavailable: the children the team is already "
                     "working with are not shown, and adoption plans come from legal status and "
                     "placement only.")
    return PublishedTable(
        table_id=TABLE_ID,
        title="Children to consider for exit from care",
        row_dim="Group",
        col_dim="",
        values=values,
        selections=selections,
        caption=f"Children to consider for exit from care, {params.period.label}",
        notes=tuple(notes),
    )
