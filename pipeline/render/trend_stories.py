"""The quarterly paper's words about its trends (tables Q14-Q16, :mod:`pipeline.papers.trends`).
Published figures only: a hidden figure is never printed, and no comparison is made with one."""

from __future__ import annotations

from pipeline.config import Params
from pipeline.labels import DFE_TOTAL, TEAM_TOTAL
from pipeline.papers.trends import ROLLING_TABLE, SAME_QUARTER_TABLE, find_same_quarter_last_year
from pipeline.render.narrative import Prose, compose, say
from pipeline.render.view import Html, PaperView, note

MISSING = "Trends are left out: neither the permanence tracker nor the SSDA903 episodes were supplied."


def describe_same_quarter(view: PaperView, params: Params) -> Prose | Html:
    """This quarter against the same quarter last year: the Exit Team's exits and all children
    leaving care (each stated only as far as it is published)."""
    if not view.has(SAME_QUARTER_TABLE):
        return note(MISSING)
    rows = view.shown_table(SAME_QUARTER_TABLE).info.rows
    now, last = params.period.label, find_same_quarter_last_year(params.period).label
    sentences = []
    for row, what in ((TEAM_TOTAL, "left care through the Exit Team"), (DFE_TOTAL, "left care (DfE return)")):
        if row not in rows:
            continue
        cur, prev = f"{SAME_QUARTER_TABLE}|{row}|{now}", f"{SAME_QUARTER_TABLE}|{row}|{last}"
        if view.says_nothing(cur) and view.says_nothing(prev):
            sentences.append(f"The numbers of children who {what} in {now} and in {last} are not published, to "
                             "protect the children's identities.")
            continue
        sentences.append(compose("In {now}, {n} {what}, against {m} in the same quarter a year earlier.",
                                 now=now, n=view.count(cur), what=what, m=view.count(prev)))
    return say(*sentences)


def describe_rolling(view: PaperView, params: Params) -> Prose | Html:
    """The 12-month total of Exit Team exits at the latest quarter it is published for."""
    if not view.has(ROLLING_TABLE):
        return Prose(())
    t = view.shown_table(ROLLING_TABLE)
    shown = [c for c in t.info.cols if not view.says_nothing(f"{ROLLING_TABLE}|{TEAM_TOTAL}|{c}", count=False)]
    if not shown:
        return note("The 12-month totals of exits through the Exit Team are not published, to protect the "
                    "children's identities.")
    latest, first = shown[-1], shown[0]
    s1 = compose("In the 12 months to the end of {latest}, {n} left care through the Exit Team.", latest=latest,
                 n=view.count(f"{ROLLING_TABLE}|{TEAM_TOTAL}|{latest}"))
    s2 = (compose("In the 12 months to the end of {first} the figure was {m}.", first=first,
                  m=view.count(f"{ROLLING_TABLE}|{TEAM_TOTAL}|{first}")) if first != latest else "")
    s3 = ("Quarters before this one are recomputed from the current data; the annual target is "
          f"{params.targets.exit_team_exits} exits.")
    return say(s1, *([s2] if s2 else []), s3)
