"""Published figures as text, and published tables as accessible HTML.

Every figure cell carries ``data-figure-id="table|row|column"`` so that the publication
check (and the lineage tools) can match what is printed against what was protected.
"""

from __future__ import annotations

from html import escape

from pipeline.render.published import DECIMALS, NA, NA_SYMBOL, SHOWN, ShownTable

SUPPRESSION_NOTE = (
    "{symbol}: a number from 1 to {top} (or a figure computed from one) is not shown to protect "
    "children's identities; some other figures are also hidden so that these cannot be worked out."
)
NA_NOTE = f"{NA_SYMBOL}: not applicable (nothing to compute this figure from)."


def format_value(value: float, fmt: str, places: int | None = None) -> str:
    """A published value as printed: thousands separators, £ and % where they belong."""
    if places is None:
        places = 0 if fmt == "number" and float(value).is_integer() else DECIMALS.get(fmt, 1)
    body = f"{abs(value):,.{places}f}"
    sign = "-" if value < 0 and float(body.replace(",", "")) != 0 else ""
    if fmt == "money":
        return f"{sign}£{body}"
    if fmt == "percent":
        return f"{sign}{body}%"
    return sign + body


def format_figure_text(table: ShownTable, row: str, col: str, symbol: str = "x") -> str:
    """The text of one cell: its formatted value, the suppression symbol or z."""
    st = table.status.at[row, col]
    if st == SHOWN:
        return format_value(float(table.values.at[row, col]), table.info.fmt, table_places(table))
    return NA_SYMBOL if st == NA else symbol


def table_places(table: ShownTable) -> int:
    """Decimal places of a table's figures: the same for every cell, so a column lines up
    ('number' tables use none when every figure is whole)."""
    if table.info.fmt != "number":
        return DECIMALS.get(table.info.fmt, 1)
    shown = table.values.to_numpy(dtype=float)[(table.status == SHOWN).to_numpy()]
    return 0 if all(float(v).is_integer() for v in shown) else 1


def suppression_note(symbol: str, threshold: int) -> str:
    return SUPPRESSION_NOTE.format(symbol=symbol, top=threshold - 1)


def humanise(label: str) -> str:
    """A dimension name as a column heading: 'route|stage' -> 'Route and stage'."""
    words = " and ".join(p.replace("_", " ") for p in label.split("|"))
    return words[:1].upper() + words[1:]


def _cell_class(table: ShownTable, row: str, col: str) -> str:
    classes = ["num"]
    st = table.status.at[row, col]
    if st != SHOWN:
        classes.append("suppressed" if st != NA else "na")
    if col == table.info.col_total:
        classes.append("total")
    return " ".join(classes)


def _row_class(table: ShownTable, row: str) -> str:
    if row == table.info.row_total:
        return ' class="total"'
    if row in table.info.subtotals:
        return ' class="subtotal"'
    members = {m for ms in table.info.subtotals.values() for m in ms}
    return ' class="member"' if row in members else ""


HIDDEN_CELL_WORDS = {NA: "not applicable"}
SUPPRESSED_WORD = "suppressed"


def describe_hidden_cell(status: str, text: str) -> str:
    """A cell's HTML: a hidden figure's symbol (x, z) is read out by a screen reader as a word
    ('suppressed', 'not applicable'), in text that is visually hidden; a shown figure as is."""
    if status == SHOWN:
        return text
    word = HIDDEN_CELL_WORDS.get(status, SUPPRESSED_WORD)
    return f'<span aria-hidden="true">{text}</span><span class="visually-hidden">{word}</span>'


def render_table_html(table: ShownTable, number: int, symbol: str = "x", threshold: int = 10) -> str:
    """An accessible HTML table: numbered caption, scoped headers, totals styled, notes and the
    suppression footnote, a figure id on every figure."""
    info = table.info
    tid = escape(info.table_id, quote=True)
    head = [f'<th scope="col">{escape(humanise(info.row_dim))}</th>']
    for c in info.cols:
        cls = ' class="num total"' if c == info.col_total else ' class="num"'
        head.append(f"<th scope=\"col\"{cls}>{escape(c)}</th>")
    body = []
    for r in info.rows:
        cells = [f'<th scope="row">{escape(r)}</th>']
        for c in info.cols:
            text = describe_hidden_cell(table.status.at[r, c], escape(format_figure_text(table, r, c, symbol)))
            fid = escape(f"{info.table_id}|{r}|{c}", quote=True)
            cells.append(f'<td class="{_cell_class(table, r, c)}" data-figure-id="{fid}">{text}</td>')
        body.append(f"<tr{_row_class(table, r)}>{''.join(cells)}</tr>")
    caption = f'<span class="table-number">Table {number}:</span> {escape(info.title)}'
    notes = [escape(n) for n in info.notes]
    if info.caption:
        notes.insert(0, escape(info.caption))
    if table.any_suppressed:
        notes.append(escape(suppression_note(symbol, threshold)))
    if table.any_na:
        notes.append(escape(NA_NOTE))
    notes_html = "".join(f"<p>{n}</p>" for n in notes)
    return (
        f'<figure class="paper-table" id="table-{tid}" data-table-id="{tid}">'
        f"<table><caption>{caption}</caption>"
        f"<thead><tr>{''.join(head)}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        + (f'<div class="table-notes">{notes_html}</div>' if notes_html else "")
        + "</figure>"
    )
