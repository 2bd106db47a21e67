"""The generated sentences around hidden figures: one sentence names every figure the text can
say nothing about, instead of 'an unpublished number of' again and again."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pipeline.config import load_params
from pipeline.render import stories
from pipeline.render.narrative import says_nothing
from pipeline.render.published import publish_paper
from pipeline.render.view import PaperView
from pipeline.tables import Paper, PublishedTable

SGO_F, SGO_O, CAO, PWP = ("Special guardianship order: former foster carer", "Special guardianship order: other carer",
                         "Child arrangements order", "Placed with parents")
TOTAL = "Total exits through the Exit Team"


def team_exits(values: dict[str, list[int]]) -> PublishedTable:
    # columns Q1, Q2, Year to date (= Q1 + Q2); the last row is the total of the others
    frame = pd.DataFrame(values, index=["Q1", "Q2", "Year to date"]).T
    frame.loc[TOTAL] = frame.sum()
    return PublishedTable("Q01_team_exits", "Exits", "route", "quarter", frame, row_total=TOTAL, col_total="Year to date")


@pytest.fixture
def params(project_root):
    return load_params(project_root / "params.yaml", ["period=2026-27 Q2", "period_slug=2026-27-Q2"])


def view_of(table: PublishedTable, hidden: set[tuple[str, str]]) -> PaperView:
    return PaperView(publish_paper(Paper("quarterly", tables=[table]), {table.table_id: hidden}, "x", 10))


def test_hidden_routes_are_named_once_and_shown_ones_keep_their_numbers(params):
    # Q2: 12 SGO former carers, 4 SGO other, 0 CAO, 6 PWP; total 22. 4 and 6 are primary; with the
    # total shown, hiding both leaves each bounded by 22 - 12 - 0 = 10, not below 10: nothing to say.
    table = team_exits({SGO_F: [15, 12, 27], SGO_O: [11, 4, 15], CAO: [0, 0, 0], PWP: [10, 6, 16]})
    view = view_of(table, {(SGO_O, "Q2"), (PWP, "Q2"), (SGO_O, "Year to date"), (PWP, "Year to date")})
    assert says_nothing(view.paper, f"Q01_team_exits|{SGO_O}|Q2")
    assert not says_nothing(view.paper, f"Q01_team_exits|{CAO}|Q2")
    text = str(stories.describe_team_exits(view, params))
    assert text.startswith("During 2026-27 Q2 the Exit Team supported 22 children to leave care: 12 children through "
                           "special guardianship orders to former foster carers and no children through child "
                           "arrangements orders. The numbers through special guardianship orders to other carers and "
                           "placement with parents under a care order are not published, to protect the children's "
                           "identities. This makes 58 exits so far in 2026-27")
    assert "unpublished number" not in text
    numbers = set(re.findall(r"\d+", text.replace("2026-27 Q2", "").replace("2026-27", "")))
    assert numbers == {"22", "12", "58", str(params.targets.exit_team_exits)}  # the hidden 4 and 6 are not printed


def test_a_hidden_total_with_every_route_hidden(params):
    table = team_exits({SGO_F: [3, 2, 5], SGO_O: [1, 4, 5]})
    hidden = {(r, c) for r in (SGO_F, SGO_O, TOTAL) for c in ("Q1", "Q2", "Year to date")}
    text = str(stories.describe_team_exits(view_of(table, hidden), params))
    assert text == ("The number of children the Exit Team supported to leave care during 2026-27 Q2 is not published. "
                    "The numbers by route are not published, to protect the children's identities. The number so "
                    f"far in 2026-27 is not published; the service plan's target is {params.targets.exit_team_exits} "
                    "for the year.")


def test_funnel_sentences_for_each_combination_of_hidden_figures(params):
    def funnel(referrals: int, granted: int, hide: set[str]) -> str:
        frame = pd.DataFrame({"Q1": [20, 12], "Q2": [referrals, granted]}, index=["Referrals", "Granted"])
        table = PublishedTable("Q04_sgo", "SGO", "stage", "quarter", frame)
        view = view_of(table, {(r, "Q2") for r in hide})
        return str(stories.describe_funnel(view, params, "Q04_sgo", "Referrals", "Granted", "Special guardianship assessments",
                                           "ended with an order"))
    assert funnel(14, 11, set()) == "In 2026-27 Q2 the team received 14 referrals for special guardianship assessments, and 11 cases ended with an order."
    assert funnel(14, 3, {"Granted"}) == ("In 2026-27 Q2 the team received 14 referrals for special guardianship assessments; the number "
                                          "of cases that ended with an order is not published.")
    assert funnel(4, 11, {"Referrals"}) == ("In 2026-27 Q2 11 cases ended with an order; the number of referrals for "
                                            "special guardianship assessments is not published.")
    assert funnel(4, 3, {"Referrals", "Granted"}) == ("In 2026-27 Q2 the numbers of referrals for special guardianship assessments and "
                                                       "of cases that ended with an order are not published.")


def test_a_hidden_total_keeps_the_routes_it_can_state(params):
    # Q2: 3 + 0 = 3, total hidden with the 3 (primary); the 0 stays shown
    table = team_exits({SGO_F: [12, 3, 15], CAO: [10, 0, 10]})
    hidden = {(SGO_F, "Q2"), (TOTAL, "Q2"), (SGO_F, "Q1"), (TOTAL, "Q1")}
    text = str(stories.describe_team_exits(view_of(table, hidden), params))
    assert text.startswith("The number of children the Exit Team supported to leave care during 2026-27 Q2 is not "
                           "published; no children left through child arrangements orders. The numbers through "
                           "special guardianship orders to former foster carers are not published")


@pytest.mark.parametrize("hide, expected", [
    (set(), "have saved the council £5,000 so far; had they remained in their placements, they would have cost "
            "£90,000 more by their 18th birthdays."),
    ({"Projected saving to age 18"}, "have saved the council £5,000 so far; the projected saving to their 18th "
                                     "birthdays is not published."),
    ({"Saving in the year to date", "Projected saving to age 18"}, "The savings from children who left care through "
                                                                   "the Exit Team or by adoption this year are not published"),
])
def test_savings_never_print_not_published_in_place_of_a_sum(params, hide, expected):
    from pipeline.tables import Cell, DerivedTable

    row = "All exits (Exit Team and adoption)"
    counts = PublishedTable("Q01_team_exits", "Exits", "route", "quarter", pd.DataFrame({"Q2": [12]}, index=[row]))
    savings = DerivedTable("Q13d_savings", "Savings", "route", "measure",
                           pd.DataFrame({"Saving in the year to date": [5000.0], "Projected saving to age 18": [90000.0]},
                                        index=[row]),
                           inputs={(row, c): (Cell("Q01_team_exits", row, "Q2"),) for c in
                                   ("Saving in the year to date", "Projected saving to age 18")}, fmt="money")
    paper = publish_paper(Paper("quarterly", tables=[counts], derived=[savings]),
                          {"Q01_team_exits": set(), "Q13d_savings": {(row, c) for c in hide}}, "x", 10)
    text = str(stories.describe_savings(PaperView(paper), params))
    assert expected in text and "not published so far" not in text and "cost not published" not in text


def caseloads(values: dict[str, list[int]]) -> PublishedTable:
    # columns: case responsibility, co-working, total; the last row is the sum of the teams
    frame = pd.DataFrame(values, index=["Case responsibility", "Co-working", "Total"]).T
    frame.loc["All teams"] = frame.sum()
    return PublishedTable("Q09_caseloads", "Caseloads", "Team", "Responsibility", frame,
                          row_total="All teams", col_total="Total")


def test_caseloads_are_told_for_teams_and_name_no_worker(params):
    view = view_of(caseloads({"Exit Team": [30, 12, 42], "Adoption team": [15, 0, 15]}), set())
    text = str(stories.describe_caseloads(view, params))
    assert text == ("At the end of 2026-27 Q2 the teams held 57 open cases. By team: 42 cases with the Exit Team "
                    "and 15 cases with the adoption team. Caseloads are reported for each team as a whole; "
                    "caseloads of individual workers are for the team manager and are not published.")


def test_a_hidden_team_caseload_is_left_out_of_the_sentence(params):
    # the adoption team's 4 cases (and its total 4) are hidden; all teams 50 and the Exit Team's
    # 46 are shown, so the hidden total is bounded by 50 - 46 = 4 < 10: 'fewer than 10'
    table = caseloads({"Exit Team": [30, 16, 46], "Adoption team": [4, 0, 4]})
    hidden = {("Adoption team", "Case responsibility"), ("Adoption team", "Total")}
    text = str(stories.describe_caseloads(view_of(table, hidden), params))
    assert "46 cases with the Exit Team and fewer than 10 cases with the adoption team" in text
    assert "4 cases" not in text


def test_caseloads_without_the_tracker_say_why(params):
    view = view_of(team_exits({SGO_F: [1, 2, 3]}), set())
    assert "permanence tracker was not supplied" in str(stories.describe_caseloads(view, params))


def test_savings_that_cannot_be_computed_say_why_never_zero(params):
    from pipeline.tables import Cell, DerivedTable

    row = "All exits (Exit Team and adoption)"
    cols = ("Saving in the year to date", "Projected saving to age 18")
    counts = PublishedTable("Q01_team_exits", "Exits", "route", "quarter", pd.DataFrame({"Q2": [12]}, index=[row]))
    savings = DerivedTable("Q13d_savings", "Savings", "route", "measure",
                           pd.DataFrame({c: [float("nan")] for c in cols}, index=[row]),
                           inputs={(row, c): (Cell("Q01_team_exits", row, "Q2"),) for c in cols}, fmt="money",
                           notes=("Not available: no unit cost for 2026-27 in unit_costs.csv.", "Adoption ..."))
    paper = publish_paper(Paper("quarterly", tables=[counts], derived=[savings]),
                          {"Q01_team_exits": set(), "Q13d_savings": set()}, "x", 10)
    text = str(stories.describe_savings(PaperView(paper), params))
    assert ("The savings from children who left care through the Exit Team or by adoption this year are not "
            "available: no unit cost for 2026-27 in unit_costs.csv.") in text
    assert "£" not in text and "not applicable" not in text
    card = PaperView(paper).kpis([(f"Q13d_savings|{row}|Saving in the year to date", "Savings, year to date")]).html
    assert '<span aria-hidden="true">z</span><span class="visually-hidden">not applicable</span>' in card  # not "x"
