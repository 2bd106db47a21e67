import re

from pipeline.render.narrative import (
    change_from,
    compose,
    count_of,
    public_upper_bound,
    say,
    value_of,
)
from pipeline.render.published import publish_paper


def test_a_shown_count_becomes_words_with_its_figure_id(published):
    p = count_of(published, "T1_exits|Special guardianship order|Q2")
    assert p.text == "12 children"
    assert 'data-figure-id="T1_exits|Special guardianship order|Q2"' in p.html


def test_one_and_zero_read_naturally(paper):
    paper.tables[0].values.loc["Placed with parents", "Q2"] = 1
    paper.tables[0].values.loc["Special guardianship order", "Q2"] = 0
    pub = publish_paper(paper, {"T1_exits": set(), "T1p_share": set()})
    assert count_of(pub, "T1_exits|Placed with parents|Q2").text == "1 child"
    assert count_of(pub, "T1_exits|Special guardianship order|Q2").text == "no children"


def test_a_hidden_count_bounded_by_shown_figures_is_fewer_than_the_threshold(published):
    # Special guardianship: year to date 20 shown, Q2 12 shown -> Q1 is at most 8 from published figures
    t = published.table("T1_exits")
    assert public_upper_bound(t, "Special guardianship order", "Q1") == 8
    assert count_of(published, "T1_exits|Special guardianship order|Q1").text == "fewer than 10 children"


def test_a_hidden_count_not_bounded_below_the_threshold_prints_no_number(paper):
    # Hide Q1 and year to date of both routes: only the Q1 total (11) bounds them -> 11, not < 10
    hidden = {"T1_exits": {(r, c) for r in ("Special guardianship order", "Placed with parents")
                           for c in ("Q1", "Year to date")}, "T1p_share": set()}
    pub = publish_paper(paper, hidden)
    p = count_of(pub, "T1_exits|Placed with parents|Q1")
    assert not re.search(r"\d", p.text)
    assert p.text == "an unpublished number of children"


def test_sentences_start_with_a_capital_and_keep_figure_ids(published):
    s = compose("{n} left care in {period}.", n=count_of(published, "T1_exits|Special guardianship order|Q1"),
                period="Q1 2026-27")
    assert s.text == "Fewer than 10 children left care in Q1 2026-27."
    assert s.html.startswith('<span class="figure" data-figure-id="T1_exits|Special guardianship order|Q1">Fewer')
    assert "<p>" in say(s)._repr_html_()


def test_no_comparison_with_a_hidden_figure(published):
    assert change_from(published, "T1_exits|Placed with parents|Q2", "T1_exits|Placed with parents|Q1", "Q1").text == ""
    assert change_from(published, "T1_exits|Total|Q2", "T1_exits|Total|Q1", "Q1").text == "up from 11 in Q1"


def test_value_of_a_percentage(published):
    assert value_of(published, "T1p_share|Placed with parents|Share").text == "47%"
