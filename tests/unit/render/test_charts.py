import re

import numpy as np
import pandas as pd

from pipeline.render.charts import plot_against_target, plot_bars, plot_projection, plot_trend
from pipeline.render.view import PaperView


def _markers(svg: str, chart_id: str) -> int:
    # matplotlib draws each data marker as a <use> inside a group clipped to the axes (tick
    # marks are <use> elements too, but not clipped)
    groups = re.findall(r'<g clip-path="url\(#[^)]+\)">(.*?)</g>', svg, flags=re.S)
    return sum(len(re.findall(rf'<use xlink:href="#{re.escape(chart_id)}-m', g)) for g in groups)


def test_alt_text_names_every_published_value_and_the_hidden_ones():
    data = pd.DataFrame({"Admissions": [300.0, np.nan, 290.0]}, index=["2023-24", "2024-25", "2025-26"])
    chart = plot_trend("c1", data, "Admissions", "Year", "Children")
    assert chart.alt == ("Line chart: Admissions. Admissions: 2023-24 300, 2025-26 290 "
                         "(not published: 2024-25).")
    assert 'role="img"' in chart.svg and f"<title>{chart.alt}</title>" in chart.svg
    assert "not published" in chart.note


def test_a_suppressed_point_is_not_plotted():
    full = pd.DataFrame({"n": [30.0, 40.0, 50.0]}, index=["a", "b", "c"])
    gap = full.copy()
    gap.loc["b", "n"] = np.nan
    assert _markers(plot_trend("c2", full, "T", "x", "y").svg, "c2") == 3
    assert _markers(plot_trend("c2", gap, "T", "x", "y").svg, "c2") == 2


def test_a_suppressed_bar_is_absent_and_labelled():
    chart = plot_bars("b1", pd.Series([12.0, np.nan, 30.0], index=["Referrals", "Panel", "Granted"]), "Funnel", "Stage", "Cases")
    assert "Panel" in chart.alt and "(not published: Panel)" in chart.alt


def test_charts_are_deterministic_and_ids_are_unique_to_the_chart():
    data = pd.DataFrame({"n": [1.0, 2.0]}, index=["a", "b"])
    one, two = plot_trend("same", data, "T", "x", "y"), plot_trend("same", data, "T", "x", "y")
    assert one.svg == two.svg
    other = plot_trend("other", data, "T", "x", "y")
    ids_one = set(re.findall(r'id="([^"]+)"', one.svg))
    ids_other = set(re.findall(r'id="([^"]+)"', other.svg))
    assert ids_one and not ids_one & ids_other
    assert "<dc:date>" not in one.svg and "<?xml" not in one.svg


def test_projection_band_is_described():
    h = pd.Series([600.0, 620.0], index=["2025", "2026"])
    c = pd.Series([620.0, 640.0], index=["2026", "2027"])
    chart = plot_projection("p", h, c, c - 20, c + 20, "Projection", "Children")
    assert "Projection: 2026 620, 2027 640" in chart.alt


def test_the_view_charts_published_values_only(published):
    view = PaperView(published)
    chart = view.trend("T1_exits", ["Placed with parents"], "Exits", "Children", "Quarter")
    # Q1 of placed with parents (true value 3) is hidden: only Q2 is described and plotted
    assert "Q2 15" in chart.alt and "(not published: Q1)" in chart.alt
    assert " 3" not in chart.alt.replace("Q2 15", "")
    assert chart.number == 1
    assert "T1_exits|Placed with parents|Q1" in chart.figure_ids


def test_contrast_ratio_follows_wcag():
    from pipeline.render.charts import contrast_ratio

    assert round(contrast_ratio("#000000"), 2) == 21.0
    assert round(contrast_ratio("#FFFFFF"), 2) == 1.0
    # #767676 is the lightest grey that passes 4.5:1 on white; #777777 just fails it
    assert round(contrast_ratio("#767676"), 2) == 4.54 and round(contrast_ratio("#777777"), 2) == 4.48


def _colours(svg: str) -> set[str]:
    return {c.upper() for c in re.findall(r"(?:fill|stroke):\s*(#[0-9a-fA-F]{6})", svg)}


def test_every_series_colour_has_3_to_1_contrast_and_a_marker_or_line_style_of_its_own():
    from pipeline.render.charts import LINESTYLES, MARKERS, PALETTE, contrast_ratio

    assert all(contrast_ratio(c) >= 3 for c in PALETTE)
    assert len(set(MARKERS)) == len(MARKERS) == len(PALETTE)
    assert len(set(map(str, LINESTYLES))) == len(LINESTYLES)
    data = pd.DataFrame({f"s{i}": [10.0 + i, 20.0 + i] for i in range(6)}, index=["a", "b"])
    h = pd.Series([600.0, 620.0], index=["2025", "2026"])
    c = pd.Series([620.0, 640.0], index=["2026", "2027"])
    decorative = {"#FFFFFF", "#DDDDDD"}  # background and grid lines
    for chart in (plot_trend("t6", data, "T", "x", "y"),
                  plot_projection("p", h, c, c - 20, c + 20, "Projection", "Children"),
                  plot_against_target("a", pd.Series([5.0, 9.0, np.nan, np.nan], index=["Q1", "Q2", "Q3", "Q4"]),
                                      20, pd.Series([np.nan, 9.0, 13.0, 17.0], index=["Q1", "Q2", "Q3", "Q4"]),
                                      "Exits", "Children")):
        low = {col for col in _colours(chart.svg) - decorative if contrast_ratio(col) < 3}
        assert low == set(), f"{chart.chart_id}: colours below 3:1 against white: {low}"
    assert {c.upper() for c in PALETTE} <= _colours(plot_trend("t6", data, "T", "x", "y").svg)


def test_the_target_chart_plots_a_published_year_to_date_when_its_quarters_are_hidden(published):
    view = PaperView(published)
    # SGO: Q1 hidden (8), Q2 12 shown, year to date 20 shown: the cumulative at Q2 is 20
    chart = view.against_target("T1_exits", "Special guardianship order", ["Q1", "Q2", "Q3", "Q4"], 40, "Exits")
    assert "Cumulative exits: Q2 20" in chart.alt and " 8" not in chart.alt
    assert chart.figure_ids[-1] == "T1_exits|Special guardianship order|Year to date"
    assert chart.number == 1


def test_a_chart_with_nothing_published_is_left_out_with_a_sentence(paper):
    from pipeline.render.published import publish_paper

    hidden = {"T1_exits": {("Placed with parents", c) for c in ("Q1", "Q2", "Year to date")}
              | {("Special guardianship order", c) for c in ("Q1", "Q2", "Year to date")}, "T1p_share": set()}
    view = PaperView(publish_paper(paper, hidden, "x", 10))
    target = view.against_target("T1_exits", "Placed with parents", ["Q1", "Q2", "Q3", "Q4"], 40, "Exits by quarter")
    assert target.html == ('<p class="section-note">No chart of exits by quarter: none of the figures it would '
                           "plot is published (each would disclose a small number of children).</p>")
    trend = view.trend("T1_exits", ["Placed with parents", "Special guardianship order"], "Exits", "Children")
    bars = view.bars("T1_exits", "Q2", "Exits in Q2", "Children", rows=["Placed with parents", "Special guardianship order"])
    assert trend.html.startswith('<p class="section-note">No chart of exits:')
    assert bars.html.startswith('<p class="section-note">No chart of exits in Q2:')
    assert view.charts_shown == 0


def test_the_target_chart_does_not_call_quarters_still_to_come_unpublished():
    cumulative = pd.Series([np.nan, 15.0, np.nan, np.nan], index=["Q1", "Q2", "Q3", "Q4"])
    chart = plot_against_target("t", cumulative, 28, None, "Exits", "Children")
    assert chart.alt == "Bar chart: Exits. Cumulative exits: Q2 15 (not published: Q1). Target 28."


def test_a_withheld_headline_figure_reads_suppressed(published):
    html = PaperView(published).kpis([("T1_exits|Placed with parents|Q1", "Placed with parents, Q1"),
                                      ("T1_exits|Total|Q1", "All exits, Q1")]).html
    assert ('<span class="kpi-value" data-figure-id="T1_exits|Placed with parents|Q1"><span aria-hidden="true">x'
            '</span><span class="visually-hidden">suppressed</span></span>') in html
    assert '<span class="kpi-value" data-figure-id="T1_exits|Total|Q1">11</span>' in html
