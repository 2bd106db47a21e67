import re

import numpy as np
import pandas as pd

from pipeline.render.charts import plot_bars, plot_projection, plot_trend
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
