"""Sentences built from published figures, obeying disclosure control.

A number in the narrative is never typed in: it is a :class:`~pipeline.render.published.Figure`
turned into a :class:`Phrase`, wrapped in a ``<span data-figure-id=...>`` so the publication
check sees it. A suppressed figure is never printed: the sentence says "fewer than 10" only
when that follows from other published figures (a shown total minus the shown cells beside
it); otherwise it speaks of an unpublished number.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass
from html import escape

from pipeline.render.formatting import format_value
from pipeline.render.published import SHOWN, Figure, PublishedPaper, ShownTable


@dataclass(frozen=True)
class Phrase:
    """A piece of a sentence: its HTML (with figure ids) and its plain text."""

    html: str
    text: str

    def __str__(self) -> str:
        return self.text

    def capitalised(self) -> Phrase:
        return Phrase(_cap_html(self.html), self.text[:1].upper() + self.text[1:])


def _cap_html(html: str) -> str:
    # Capitalise the first letter outside any tag.
    inside = False
    for i, ch in enumerate(html):
        if ch == "<":
            inside = True
        elif ch == ">":
            inside = False
        elif not inside and ch.isalpha():
            return html[:i] + ch.upper() + html[i + 1:]
    return html


def _span(fig: Figure, text: str) -> str:
    return f'<span class="figure" data-figure-id="{escape(fig.figure_id, quote=True)}">{escape(text)}</span>'


def _lines_through(table: ShownTable, row: str, col: str) -> list[tuple[list[tuple[str, str]], tuple[str, str]]]:
    """The published sums a cell takes part in: (member cells, total cell)."""
    info = table.info
    lines = []
    if info.col_total and col != info.col_total:
        lines.append(([(row, c) for c in info.cols if c != info.col_total], (row, info.col_total)))
    members = {m: s for s, ms in info.subtotals.items() for m in ms}
    if row in members:
        sub = members[row]
        lines.append(([(m, col) for m in info.subtotals[sub]], (sub, col)))
    elif info.row_total and row != info.row_total:
        tops = [r for r in info.rows if r != info.row_total and r not in members]
        lines.append(([(r, col) for r in tops], (info.row_total, col)))
    return lines


def public_upper_bound(table: ShownTable, row: str, col: str) -> float:
    """The largest value a suppressed cell can take given the figures published beside it:
    a shown total minus the shown cells in its row or column (inf if nothing bounds it)."""
    bounds = [math.inf]
    for members, total in _lines_through(table, row, col):
        if table.status.at[total] != SHOWN:
            continue
        shown = sum(float(table.values.at[p]) for p in members
                    if p != (row, col) and table.status.at[p] == SHOWN)
        bounds.append(float(table.values.at[total]) - shown)
    return min(bounds)


def count_of(paper: PublishedPaper, figure_id: str, noun: str = "children", singular: str = "child") -> Phrase:
    """'8 children', '1 child', 'no children', 'fewer than 10 children' or a 'not published' phrase."""
    fig = paper.figure(figure_id)
    if fig.shown:
        n = int(fig.value)
        text = f"no {noun}" if n == 0 else f"1 {singular}" if n == 1 else f"{format_value(n, 'count')} {noun}"
        return Phrase(_span(fig, text), text)
    if fig.suppressed:
        if is_below_threshold_publicly(paper, figure_id):
            text = f"fewer than {paper.threshold} {noun}"
        else:
            text = f"an unpublished number of {noun}"
        return Phrase(_span(fig, text), text)
    text = f"no figure for {noun}"
    return Phrase(_span(fig, text), text)


def says_nothing(paper: PublishedPaper, figure_id: str, count: bool = True) -> bool:
    """True when the narrative can state nothing about a figure: not shown, and (for a count) not
    bounded below the threshold by other published figures, so that `count_of` would only say
    'an unpublished number'. Sentences list such figures together instead of one by one."""
    fig = paper.figure(figure_id)
    if fig.shown:
        return False
    return not (count and fig.suppressed and is_below_threshold_publicly(paper, figure_id))


def is_below_threshold_publicly(paper: PublishedPaper, figure_id: str) -> bool:
    """Whether the published figures beside a hidden count already show it is below the threshold
    (so the text may say 'fewer than 10')."""
    table_id, row, col = figure_id.split("|")
    return public_upper_bound(paper.table(table_id), row, col) < paper.threshold


def value_of(paper: PublishedPaper, figure_id: str) -> Phrase:
    """A published value as printed ('52%', '£1,234', '123'), or 'not published'."""
    fig = paper.figure(figure_id)
    text = format_value(fig.value, fig.fmt) if fig.shown else "not published" if fig.suppressed else "not applicable"
    return Phrase(_span(fig, text), text)


def change_from(paper: PublishedPaper, figure_id: str, previous_id: str, label: str) -> Phrase:
    """'up from 8 in Q1', 'down from 12 in Q1', 'the same as in Q1'; empty when either figure is
    not shown (a comparison with a hidden figure could reveal it)."""
    cur, prev = paper.figure(figure_id), paper.figure(previous_id)
    if not (cur.shown and prev.shown):
        return Phrase("", "")
    if cur.value == prev.value:
        text = f"the same as in {label}"
        return Phrase(escape(text), text)
    word = "up" if cur.value > prev.value else "down"
    num = format_value(prev.value, prev.fmt)
    text = f"{word} from {num} in {label}"
    return Phrase(f"{word} from {_span(prev, num)} in {escape(label)}", text)


def join_phrases(parts: list[Phrase], conjunction: str = "and") -> Phrase:
    """'a, b and c' (empty phrases left out)."""
    parts = [p for p in parts if p.text]
    if not parts:
        return Phrase("", "")
    if len(parts) == 1:
        return parts[0]
    html = ", ".join(p.html for p in parts[:-1]) + f" {conjunction} " + parts[-1].html
    text = ", ".join(p.text for p in parts[:-1]) + f" {conjunction} " + parts[-1].text
    return Phrase(html, text)


def phrase(text: str) -> Phrase:
    """Plain words as a phrase."""
    return Phrase(escape(text), text)


def compose(template: str, sentence: bool = True, **parts: Phrase | str | int | float) -> Phrase:
    """Fill ``{name}`` placeholders with phrases (escaped text for plain values); a sentence
    starts with a capital letter whatever its first phrase is (``sentence=False`` for a
    fragment inside another sentence)."""
    html_parts, text_parts = [], []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        html_parts.append(escape(literal))
        text_parts.append(literal)
        if name is None:
            continue
        value = parts[name]
        p = value if isinstance(value, Phrase) else phrase(str(value))
        html_parts.append(p.html)
        text_parts.append(p.text)
    html, text = "".join(html_parts), "".join(text_parts)
    text = " ".join(text.split())
    html = " ".join(html.split())
    out = Phrase(html, text)
    return out.capitalised() if sentence else out


@dataclass(frozen=True)
class Prose:
    """Paragraphs of generated narrative, displayed as HTML in the notebook."""

    paragraphs: tuple[Phrase, ...]

    def _repr_html_(self) -> str:
        body = "".join(f"<p>{p.html}</p>" for p in self.paragraphs if p.text)
        return f'<div class="narrative">{body}</div>'

    def __str__(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)


def say(*sentences: Phrase | str) -> Prose:
    """One paragraph made of sentences (phrases or plain text)."""
    parts = [s if isinstance(s, Phrase) else phrase(s) for s in sentences]
    parts = [p for p in parts if p.text]
    return Prose((Phrase(" ".join(p.html for p in parts), " ".join(p.text for p in parts)),))
