"""Sentences about the comparators and the quarterly trends: published figures only, a hidden
figure never printed, a one-line note when a section is left out."""

from __future__ import annotations

import math

import pandas as pd

from pipeline.config import load_params
from pipeline.render import comparisons, trend_stories
from pipeline.render.published import publish_paper
from pipeline.render.view import PaperView
from pipeline.tables import Cell, DerivedTable, Paper, PublishedTable


def params(project_root, **sets):
    base = {"la.short_name": "Northmoor", "la.code": "'990'", "comparators.region": "'East Midlands'",
            "comparators.neighbours_of": "'830'", "period": "'2026-27 Q2'"}
    base.update(sets)
    return load_params(project_root / "params.yaml", [f"{k}={v}" for k, v in base.items()])


def rate_view(own_hidden=False):
    cols = ["31 March 2024", "31 March 2025", "31 March 2026"]
    values = pd.DataFrame({cols[0]: [45.0, 64.0, 69.0, 72.0], cols[1]: [47.0, 62.0, 67.0, 71.0],
                           cols[2]: [47.0, math.nan, math.nan, math.nan]},
                          index=["Northmoor (counted here)", "East Midlands", "England", "Statistical neighbours: average"])
    counts = PublishedTable("S12_flows", "Flows", "Measure", "Year",
                            pd.DataFrame({"2024-25": [5.0 if own_hidden else 684.0]}, index=["In care at 31 March"]))
    inputs = {("Northmoor (counted here)", c): (Cell("S12_flows", "In care at 31 March", "2024-25"),) for c in cols}
    rate = DerivedTable("E02_cla_rate", "Rate", "Area", "Year", values, inputs, fmt="number",
                        notes=("Statistical neighbours: the 10 local authorities most like Derbyshire (830).",))
    hidden = {"S12_flows": {("In care at 31 March", "2024-25")} if own_hidden else set(),
              "E02_cla_rate": {("Northmoor (counted here)", c) for c in cols} if own_hidden else set()}
    return PaperView(publish_paper(Paper("sufficiency", tables=[counts], derived=[rate]), hidden))


def test_rate_sentence_uses_the_dfe_latest_year(project_root):
    text = comparisons.describe_rate(rate_view(), params(project_root)).paragraphs[0].text
    assert text == ("At 31 March 2025, Northmoor looked after 47 children per 10,000 children under 18, against 67 in "
                    "England, 62 in the East Midlands and an average of 71 among its statistical neighbours. The DfE "
                    "has not yet published its figures for 31 March 2026.")


def test_a_hidden_own_rate_is_not_printed(project_root):
    text = comparisons.describe_rate(rate_view(own_hidden=True), params(project_root)).paragraphs[0].text
    assert "Northmoor's own rate is not published" in text and "47" not in text
    assert "67 in England" in text


def test_method_note_says_how_the_fictional_authority_is_placed(project_root):
    text = comparisons.describe_method(rate_view(), params(project_root)).paragraphs[0].text
    assert "placed in the East Midlands and given the statistical neighbours of the authority with DfE code 830" in text
    assert "most like Derbyshire (830)" in text


def test_without_the_dfe_files_one_note(project_root):
    view = PaperView(publish_paper(Paper("sufficiency"), {}))
    assert "left out" in comparisons.describe_rate(view, params(project_root))._repr_html_()
    assert comparisons.describe_method(view, params(project_root)).paragraphs == ()
    assert comparisons.describe_differences(view, params(project_root)).paragraphs == ()


def test_no_dfe_figure_for_the_council_is_said_once(project_root):
    html = comparisons.describe_differences(rate_view(), params(project_root))._repr_html_()
    assert "include none for LA code 990" in html


def same_quarter_view(team_hidden: bool):
    values = pd.DataFrame({"2025-26 Q2": [10.0, 68.0], "2026-27 Q2": [7.0, 86.0]},
                          index=["Total exits through the Exit Team", "All children leaving care (DfE return)"])
    t = PublishedTable("Q15_same_quarter", "Same quarter", "Route", "Quarter", values)
    hidden = {("Total exits through the Exit Team", "2025-26 Q2"), ("Total exits through the Exit Team", "2026-27 Q2")}
    return PaperView(publish_paper(Paper("quarterly", tables=[t]), {"Q15_same_quarter": hidden if team_hidden else set()}))


def test_same_quarter_sentence(project_root):
    text = trend_stories.describe_same_quarter(same_quarter_view(False), params(project_root)).paragraphs[0].text
    assert ("In 2026-27 Q2, 7 children left care through the Exit Team, against 10 children in the same quarter a "
            "year earlier.") in text
    assert "86 children left care (DfE return), against 68 children" in text


def test_same_quarter_hidden_figures_are_not_compared(project_root):
    text = trend_stories.describe_same_quarter(same_quarter_view(True), params(project_root)).paragraphs[0].text
    assert text.startswith("The numbers of children who left care through the Exit Team in 2026-27 Q2 and in "
                           "2025-26 Q2 are not published")
    assert " 7 " not in text and " 10 " not in text
