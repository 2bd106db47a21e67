"""The publication check: rules a public output must pass, as pure functions returning problems.

Each function returns a list of readable problems (empty when the output passes); the
``check-publication`` command reads the files and fails if any list is not empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from pipeline.render.formatting import HIDDEN_CELL_WORDS, SUPPRESSED_WORD, format_figure_text
from pipeline.render.published import SHOWN, SUPPRESSED, PublishedPaper

NUMBER = re.compile(r"(?<![\w.,])\d+(?:,\d{3})*(?:\.\d+)?(?![\w])")
PAGE_FOOTER = re.compile(r"Page \d+ of \d+")


def find_small_counts(published: PublishedPaper, zero_shown: bool = True) -> list[str]:
    """Shown figures of protected count tables that the threshold rule should have hidden."""
    low = 1 if zero_shown else 0
    problems = []
    for t in published.tables:
        if not t.info.protected:
            continue
        for r in t.info.rows:
            for c in t.info.cols:
                if t.status.at[r, c] != SHOWN:
                    continue
                v = float(t.values.at[r, c])
                if low <= v < published.threshold:
                    problems.append(f"{t.table_id}|{r}|{c}: count {v:g} is below the threshold "
                                    f"{published.threshold} but is published")
    return problems


def find_html_figures(html: str) -> list[tuple[str, str, str]]:
    """Every element carrying a figure id: (figure id, tag name, visible text)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    words = {SUPPRESSED_WORD, *HIDDEN_CELL_WORDS.values()}
    for hidden in soup.select("td > .visually-hidden"):  # a hidden cell's word for screen readers
        if hidden.get_text(strip=True) in words:
            hidden.decompose()
    return [(el["data-figure-id"], el.name, el.get_text(" ", strip=True))
            for el in soup.find_all(attrs={"data-figure-id": True})]


def check_html_figures(figures: Iterable[tuple[str, str, str]], published: PublishedPaper) -> list[str]:
    """Table cells must print exactly the published text; narrative about a suppressed figure
    must print no number other than the threshold; every id must be a published figure."""
    problems = []
    for fid, tag, text in figures:
        try:
            fig = published.figure(fid)
        except (KeyError, ValueError):
            problems.append(f"{fid}: printed in the paper but not a published figure")
            continue
        table = published.table(fid.split("|")[0])
        _, r, c = fid.split("|")
        expected = format_figure_text(table, r, c, published.symbol)
        if tag == "td" and text != expected:
            problems.append(f"{fid}: table cell shows {text!r} but the published figure is {expected!r}")
        elif tag != "td" and fig.status == SUPPRESSED:
            numbers = [n for n in NUMBER.findall(text) if n.replace(",", "") != str(published.threshold)]
            if numbers:
                problems.append(f"{fid}: the narrative prints {', '.join(numbers)} for a suppressed figure")
        elif (tag != "td" and fig.status == SHOWN and expected not in text
              and not (fig.value == 0 and text.startswith("no "))
              and str(int(fig.value)) not in text.replace(",", "")):
            problems.append(f"{fid}: the narrative shows {text!r} but the published figure is {expected!r}")
    return problems


def find_unlabelled_numbers(pdf_text: str, html_text: str) -> list[str]:
    """Numbers printed in the PDF that the checked HTML never prints (page numbers aside): the
    PDF must show nothing the HTML check did not see."""
    pdf = set(NUMBER.findall(PAGE_FOOTER.sub(" ", pdf_text)))
    html = set(NUMBER.findall(html_text))
    return [f"the PDF prints {n!r}, which the checked HTML does not print" for n in sorted(pdf - html)]


def find_formula_cells(frame: pd.DataFrame, where: str) -> list[str]:
    """Cells of a published CSV (as written) that a spreadsheet would run as a formula."""
    from pipeline.safe_text import neutralise_cell

    bad = [(i, c) for c in frame.columns for i, v in frame[c].items() if neutralise_cell(v) != v
           and not str(v).startswith("'")]
    return [f"{where}: row {i + 1} column {c} starts a spreadsheet formula ({frame.at[i, c]!r})" for i, c in bad[:5]]


def check_tidy_csv(frame: pd.DataFrame, table_info: Mapping, threshold: int, symbol: str,
                   zero_shown: bool = True) -> list[str]:
    """A published tidy CSV: the right columns, and no count of a protected table below the
    threshold."""
    name = table_info.get("id", "?")
    if list(frame.columns) != ["table_id", "row", "column", "value"]:
        return [f"{name}: columns are {list(frame.columns)}, not table_id,row,column,value"]
    if not table_info.get("protected", True):
        return []
    low = 1 if zero_shown else 0
    problems = []
    for tid, r, c, v in frame.astype(str).itertuples(index=False):
        if v in (symbol, "z"):
            continue
        try:
            num = float(v)
        except ValueError:
            problems.append(f"{tid}|{r}|{c}: value {v!r} is neither a number nor {symbol!r}")
            continue
        if low <= num < threshold:
            problems.append(f"{tid}|{r}|{c}: count {v} is below the threshold {threshold}")
    return problems


def is_searchable_id(value: str) -> bool:
    """Whether an identifier can be told from an ordinary word or number: 5 or more
    characters, or a mix of letters and digits. A plain number of 4 digits or fewer would
    match counts and years, and a short word ordinary words, so they are not looked for."""
    v = str(value).strip()
    return len(v) >= 5 or (any(ch.isdigit() for ch in v) and any(ch.isalpha() for ch in v))


def _variants(kind: str, value: str) -> set[str]:
    v = value.strip()
    if not v:
        return set()
    if kind == "postcode":
        compact = v.replace(" ", "").upper()
        out = {compact}
        if len(compact) > 3:
            out.add(f"{compact[:-3]} {compact[-3:]}")
        return out
    if kind == "date":
        # Numeric forms only, as a record would print them: the paper itself prints dates in
        # words (31 March 2026, the meeting date), which a child's birthday may equal.
        ts = pd.Timestamp(v)
        return {ts.strftime("%d/%m/%Y"), ts.strftime("%Y-%m-%d")}
    out = {" ".join(v.upper().split())}
    if v.isdigit() and v.startswith("0") and len(v.lstrip("0")) >= 5:
        # a numeric id that lost its leading zeros (a spreadsheet did it) still identifies
        out.add(v.lstrip("0"))
    return out


def build_identifier_patterns(identifiers: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Kind (CHILD id, date of birth, UPN, postcode, WORKER_ID ...) -> every written form to
    look for, upper-case. Dates are looked for as dd/mm/yyyy and ISO; postcodes with and
    without their space; numeric ids with leading zeros also without them."""
    kinds = {"dob": "date", "date of birth": "date", "postcode": "postcode"}
    out: dict[str, set[str]] = {}
    for kind, values in identifiers.items():
        forms: set[str] = set()
        for v in values:
            if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or v is pd.NaT:
                continue
            forms |= _variants(kinds.get(kind, "text"), str(v))
        out[kind] = forms
    return out


def find_identifiers_in(passages: Iterable, patterns: Mapping[str, set[str]], where: str,
                        figures: Mapping[str, float] | None = None, show_places: bool = True) -> list[str]:
    """Identifiers found as whole tokens in what a person can read of one file (passages from
    ``pipeline.render.readable``). The number a figure passage prints is the figure when it
    is within rounding of the true figure (``figures``: figure id -> true value); a passage
    marked ANY_FIGURE (a number in a table the check cannot map to figure ids: a spreadsheet
    or open-data cell, a JSON number) is a figure when within rounding of any true figure;
    anything else is searched. The message names the kind and the places, never the value."""
    from pipeline.render.readable import (
        ANY_FIGURE,
        find_tokens,
        make_any_figure_test,
        strip_figure,
        strip_numbers,
    )

    figures = figures or {}
    any_figure = make_any_figure_test(figures.values())
    found: dict[str, set[str]] = {k: set() for k in patterns}
    places: dict[str, list[str]] = {k: [] for k in patterns}
    for p in passages:
        if p.figure == ANY_FIGURE:
            text = strip_numbers(p.text, any_figure)
        else:
            text = strip_figure(p.text, figures.get(p.figure)) if p.figure else p.text
        tokens = find_tokens(text)
        for kind, forms in patterns.items():
            hit = forms & tokens
            if hit:
                found[kind] |= hit
                if p.where not in places[kind]:
                    places[kind].append(p.where)
    problems = []
    for kind, hits in found.items():
        if hits:
            shown = "; ".join(places[kind][:3]) + (" ..." if len(places[kind]) > 3 else "")
            problems.append(f"{where}: contains {len(hits)} {kind} value(s) from the validated data"
                            + (f" ({shown})" if show_places else ""))
    return problems


def find_identifiers(text: str, patterns: Mapping[str, set[str]], where: str) -> list[str]:
    """Whole-token occurrences of any identifier in a plain text (the value itself is not
    repeated in the message, which may be read by anyone)."""
    from pipeline.render.readable import Passage

    return find_identifiers_in([Passage(text, "text")], patterns, where, show_places=False)


def find_absolute_paths(text: str, root: str, where: str) -> list[str]:
    """The project's absolute path must not appear in a public output (it names the machine's
    folders and makes outputs differ between clones)."""
    return [f"{where}: contains the absolute path of the project folder"] if root and root in text else []
