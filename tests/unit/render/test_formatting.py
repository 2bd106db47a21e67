import re

import pytest

from pipeline.render.formatting import format_value, render_table_html


@pytest.mark.parametrize("value, fmt, text", [
    (1234, "count", "1,234"), (0, "count", "0"), (52, "percent", "52%"), (1234567, "money", "£1,234,567"),
    (-1500, "money", "-£1,500"), (12.3, "rate", "12.3"), (2.5, "fte", "2.5"), (123, "days", "123"),
])
def test_values_are_printed_as_a_reader_expects(value, fmt, text):
    assert format_value(value, fmt) == text


def test_every_figure_carries_its_id_and_the_suppression_note_is_there(published):
    html = render_table_html(published.table("T1_exits"), 3, "x", 10)
    ids = re.findall(r'data-figure-id="([^"]+)"', html)
    assert len(ids) == 9  # 3 rows x 3 columns
    assert "T1_exits|Placed with parents|Q1" in ids
    # the x is read out as "suppressed" by a screen reader (the word is visually hidden)
    assert ('<td class="num suppressed" data-figure-id="T1_exits|Placed with parents|Q1">'
            '<span aria-hidden="true">x</span><span class="visually-hidden">suppressed</span></td>') in html
    assert html.count('<span class="visually-hidden">suppressed</span>') == 2  # the two hidden Q1 cells
    assert "Table 3:" in html and "<caption>" in html
    assert "x: a number from 1 to 9 (or a figure computed from one) is not shown to protect children" in html
    assert '<tr class="total"><th scope="row">Total</th>' in html
    assert 'scope="col"' in html


def test_no_suppression_note_when_nothing_is_hidden(published):
    html = render_table_html(published.table("T1p_share"), 1, "x", 10)
    assert "is not shown to protect" not in html
    assert ">53%</td>" in html


def test_a_number_table_of_whole_figures_prints_no_decimals_even_with_hidden_cells(published):
    # T1_exits has hidden cells (NaN values); shown as a 'number' table, 20 and 38 stay whole.
    from dataclasses import replace

    from pipeline.render.formatting import format_figure_text, table_places

    table = published.table("T1_exits")
    as_number = replace(table, info=replace(table.info, fmt="number"))
    assert (as_number.status != "shown").to_numpy().any()
    assert table_places(as_number) == 0
    assert format_figure_text(as_number, "Total", "Year to date") == "38"
    with_fraction = replace(as_number, values=as_number.values.replace(38.0, 38.5))
    assert table_places(with_fraction) == 1
    assert format_figure_text(with_fraction, "Total", "Q1") == format_value(with_fraction.values.at["Total", "Q1"], "number", 1)
