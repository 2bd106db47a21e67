"""The sufficiency paper's words about the comparisons with England, the region and the
statistical neighbours (tables E01-E08, :mod:`pipeline.papers.comparators`). Published
figures only: a sentence never prints a figure that is not shown in a table."""

from __future__ import annotations

from pipeline.config import Params
from pipeline.labels import NEIGHBOURS_AVERAGE, label_own_figure
from pipeline.papers.comparators import find_region
from pipeline.render.narrative import Prose, compose, say
from pipeline.render.published import SHOWN
from pipeline.render.view import Html, PaperView, note

RATE_TABLE = "E02_cla_rate"
DIFFERENCE_TABLE = "E08_dfe_vs_counted"
MISSING = ("The comparison with England, the region and the statistical neighbours is left out: the DfE's "
           "published files were not supplied (data/raw/published/).")
NEIGHBOUR_NOTE = "Statistical neighbours: "


def find_latest_published(view: PaperView, table_id: str, row: str = "England") -> str | None:
    """The last column of ``table_id`` in which ``row`` is published (the DfE's latest year)."""
    if not view.has(table_id):
        return None
    t = view.shown_table(table_id)
    if row not in t.info.rows:
        return None
    shown = [c for c in t.info.cols if t.status.at[row, c] == SHOWN]
    return shown[-1] if shown else None


def describe_rate(view: PaperView, params: Params) -> Prose | Html:
    """The LA's rate of children in care per 10,000 against England, the region and the
    neighbours, in the DfE's latest year."""
    col = find_latest_published(view, RATE_TABLE)
    if col is None:
        return note(MISSING)
    t = view.shown_table(RATE_TABLE)
    own = label_own_figure(params.la.short_name)
    fid = lambda row: f"{RATE_TABLE}|{row}|{col}"  # noqa: E731
    parts = ["{england} in England"]
    fields = {"own": view.value(fid(own)), "england": view.value(fid("England"))}
    region = find_region(params)
    if region and region in t.info.rows:
        parts.append(f"{{region}} in the {region}")
        fields["region"] = view.value(fid(region))
    if NEIGHBOURS_AVERAGE in t.info.rows:
        parts.append("an average of {sn} among its statistical neighbours")
        fields["sn"] = view.value(fid(NEIGHBOURS_AVERAGE))
    against = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    latest = ", ".join(c for c in t.info.cols if c > col)
    if view.says_nothing(fid(own), count=False):
        fields.pop("own")
        s1 = compose(f"At {col}, there were {against.replace(' an average of', ' on average')} children in care per "
                     f"10,000 children under 18; {params.la.short_name}'s own rate is not published, to protect "
                     "children's identities.", **fields)
    else:
        s1 = compose(f"At {col}, {params.la.short_name} looked after {{own}} children per 10,000 children under 18, "
                     f"against {against}.", **fields)
    s2 = (f"The DfE has not yet published its figures for {latest}." if latest else "")
    return say(s1, *([s2] if s2 else []))


def describe_method(view: PaperView, params: Params) -> Prose | Html:
    """Where the comparators come from, and how a fictional authority is placed (nothing when the
    comparisons are left out: the section says so once)."""
    if not view.has(RATE_TABLE):
        return Prose(())
    sentences = [
        "England, regional and statistical-neighbour figures are the DfE's own published figures (Children looked "
        "after in England including adoption, and its children's services statistical-neighbour model), read "
        "unchanged from the files downloaded from Explore Education Statistics; the council's own figures are "
        "counted from its returns and protected like every other figure in this paper. The neighbours' average "
        "and median are the simple average and the median of the neighbours' published figures, as the DfE "
        "computes them."]
    basis = params.comparators.neighbours_of
    if basis and basis != str(params.la.code):
        sentences.append(
            f"{params.la.name} is not in the DfE's figures (it is a fictional authority): for these comparisons it "
            f"is placed in the {find_region(params) or 'region given in params.yaml'} and given the "
            f"statistical neighbours of the authority with DfE code {basis}.")
    notes = view.shown_table(RATE_TABLE).info.notes
    sentences += [n for n in notes if n.startswith(NEIGHBOUR_NOTE)]
    return say(*sentences)


def describe_differences(view: PaperView, params: Params) -> Prose | Html:
    """Why the DfE's figures for the council are not set against the counts here, when they are
    not (no figure for its code); nothing otherwise (the table speaks)."""
    if not view.has(RATE_TABLE) or view.has(DIFFERENCE_TABLE):
        return Prose(())
    return note(f"The DfE's published figures include none for LA code {params.la.code} ({params.la.name}), so "
                "they cannot be set against the counts here.")
