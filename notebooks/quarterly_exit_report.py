# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# <!-- Quarterly Exit from Care / Children's Permanence Team paper. Every figure is read from the
# protected, published tables (python -m pipeline paper quarterly); nothing is computed here. -->

# %% tags=["parameters"]
params_file = "params.yaml"
overrides = []  # the stage's --set overrides (a regional authority's name and code)
period = "2026-27 Q2"
la_code = "990"
threshold = 10
tables_dir = "reports/2026-27-Q2/tables/quarterly"

# %%
from pipeline.labels import (
    ANNUAL_TARGET,
    FORECAST_PIPELINE,
    ROUTE_LABELS,
    STAGE_LABELS,
    TARGET_TEAM_EXITS,
    TEAM_TOTAL,
    YTD,
)
from pipeline.render import stories, trend_stories
from pipeline.render.io import load_notebook_params, load_published
from pipeline.render.view import PaperView

params = load_notebook_params(params_file, overrides, period, la_code, threshold)
view = PaperView(load_published(tables_dir))
quarters = ["Q1", "Q2", "Q3", "Q4"]
q = f"Q{params.period.q}"

# %% [markdown]
# ## Purpose
#
# The Children's Permanence Team brings together the Exit Team, which works with children, families
# and carers to find out whether children still need to be in care or could safely live with family
# and friends or permanently with their foster carers, and the adoption social workers, who progress
# the plans of children for whom adoption is in their best interests.
#
# This report is the routine quarterly update on the team's performance: how many children left care
# and by which route, progress against the year's targets and the forecast to 31 March, the work in
# progress on each route, staffing and caseloads, and the savings to the council.

# %%
view.kpis([
    (f"Q01_team_exits|{TEAM_TOTAL}|{q}", f"Exits through the Exit Team in {params.period.label}"),
    (f"Q01_team_exits|{TEAM_TOTAL}|{YTD}", "Exits through the Exit Team, year to date"),
    (f"Q03_targets|{TARGET_TEAM_EXITS}|{ANNUAL_TARGET}", "Target for the year"),
    ("Q13d_savings|All exits (Exit Team and adoption)|Saving in the year to date", "Savings, year to date"),
])

# %%
stories.describe_team_exits(view, params)

# %% [markdown]
# ## Recommendations
#
# To note the contents of this report and the performance of the Children's Permanence Team,
# in particular:
#
# - how many children and young people left care in the quarter and the forecast for the year;
# - progress against the service plan's targets for exits and adoptions;
# - the work in progress on special guardianship, placement with parents, connected persons and adoption;
# - staffing, vacancies and caseloads;
# - the savings to the council from children leaving care.

# %% [markdown]
# ## Reasons
#
# To give members of the Committee a clear line of sight of the service's performance across the year,
# and assurance that every exit from care is undertaken safely, appropriately and legally for each child.

# %% [markdown]
# ## Supporting information
#
# ### Exits achieved

# %%
view.table("Q01_team_exits", missing="Exit Team figures are left out: the permanence tracker was not supplied.")

# %%
view.against_target("Q01_team_exits", TEAM_TOTAL, quarters,
                    params.targets.exit_team_exits,
                    f"Exits through the Exit Team in {params.period.year.label}, cumulative, against the target",
                    forecast_figure=f"Q03_targets|{TARGET_TEAM_EXITS}|{FORECAST_PIPELINE}")

# %% [markdown]
# ### Trends: the same quarter last year and the last eight quarters

# %%
trend_stories.describe_same_quarter(view, params)

# %%
view.table("Q15_same_quarter")

# %%
trend_stories.describe_rolling(view, params)

# %%
view.trend("Q16_trend_rolling", [TEAM_TOTAL],
           "Children leaving care through the Exit Team in the 12 months to the end of each quarter", "Children",
           "12 months to the end of")

# %%
view.table("Q16_trend_rolling")

# %%
view.table("Q14_trend_team_exits")

# %% [markdown]
# ### Targets and forecast

# %%
stories.describe_targets(view, params)

# %%
view.table("Q03_targets")

# %% [markdown]
# ### Children leaving care by reason
#
# The figures above count the Exit Team's achievements. The SSDA903 return counts every child
# whose period of care ended, by the reason it ended, whichever team worked with the child.

# %%
stories.describe_dfe_exits(view, params)

# %%
view.table("Q02_dfe_exits", missing="Children leaving care by reason are left out: no SSDA903 episodes were supplied.")

# %%
view.bars("Q02_dfe_exits", YTD, f"Children who left care in {params.period.year.label} to date, by reason",
          "Children", "Reason care ended",
          rows=[ROUTE_LABELS[r] for r in ("SGO_FFC", "SGO_OTHER", "CAO", "HOME_PLANNED", "HOME_UNPLANNED",
                                          "ADOPTION", "OTHER")])

# %% [markdown]
# ### Special guardianship orders

# %%
stories.describe_funnel(view, params, "Q04_sgo", STAGE_LABELS["SGO"]["REFERRAL"], STAGE_LABELS["SGO"]["GRANTED"],
                        "Special guardianship assessments", "ended with a special guardianship order granted")

# %%
view.table("Q04_sgo", missing="Special guardianship figures are left out: the permanence tracker was not supplied.")

# %%
view.bars("Q04_sgo", YTD, f"Special guardianship cases reaching each stage, {params.period.year.label} to date",
          "Cases", "Stage")

# %% [markdown]
# ### Placement with parents

# %%
stories.describe_funnel(view, params, "Q05_pwp", STAGE_LABELS["PWP"]["REFERRAL"], STAGE_LABELS["PWP"]["PLACED"],
                        "Placement with parents", "were placed with their parents under a care order")

# %%
view.table("Q05_pwp", missing="Placement with parents figures are left out: the permanence tracker was not supplied.")

# %% [markdown]
# ### Connected persons

# %%
stories.describe_funnel(view, params, "Q06_cp", STAGE_LABELS["CP"]["REFERRAL"], STAGE_LABELS["CP"]["CAO_GRANTED"],
                        "Connected persons assessments", "ended with a child arrangements order granted")

# %%
view.table("Q06_cp", missing="Connected persons figures are left out: the permanence tracker was not supplied.")

# %% [markdown]
# ### Adoption

# %%
stories.describe_funnel(view, params, "Q07_adoption", STAGE_LABELS["ADOPTION"]["BI_DECISION"],
                        STAGE_LABELS["ADOPTION"]["ADOPTION_ORDER"],
                        "Adoption (best-interest decisions)", "ended with an adoption order")

# %%
view.table("Q07_adoption", missing="Adoption figures are left out: the permanence tracker was not supplied.")

# %%
view.bars("Q07_adoption", YTD, f"Adoption cases reaching each stage, {params.period.year.label} to date",
          "Cases", "Stage")

# %%
stories.describe_waiting(view, params)

# %%
view.table("Q08_waiting")

# %%
view.table("Q08d_waiting_days")

# %% [markdown]
# ### Timeliness

# %%
view.table("Q12_timeliness", missing="Timeliness is left out: the permanence tracker was not supplied.")

# %%
view.table("Q12d_timeliness_days")

# %% [markdown]
# ### Staffing and caseloads

# %%
stories.describe_staffing(view, params)

# %%
view.table("Q10_staff_fte")

# %%
view.table("Q11_staff_days")

# %%
view.table("Q11d_capacity_lost")

# %%
stories.describe_caseloads(view, params)

# %%
view.table("Q09_caseloads")

# %% [markdown]
# ### Children to consider for exit from care
#
# The team reviews children in stable long-term placements, children placed with parents under a care
# order and children accommodated under section 20 who may be able to leave care safely. The list of
# children is restricted; the table below counts them.

# %%
view.table("C01_exit_candidates", missing="The count of children to consider for exit from care is not available for this period.")

# %% [markdown]
# ### Revisions to previously reported figures
#
# Each quarter the figures published in this year's earlier papers are recomputed from the current data.

# %%
stories.describe_revisions(view)

# %%
view.table("QREV_revisions")

# %%
view.table("QREV_change")

# %% [markdown]
# ## Implications
#
# ### Financial and value for money

# %%
stories.describe_savings(view, params)

# %%
view.table("Q13d_savings")

# %% [markdown]
# ### Legal
#
# A child is looked after by a local authority if he or she is in its care by reason of a care order, or is
# provided with accommodation under section 20 of the Children Act 1989 for more than 24 hours. Before any
# decision about a child returning to their parents or family, the child's social worker ascertains the
# wishes and feelings of the child in accordance with section 22(4) of the Act and article 12 of the United
# Nations Convention on the Rights of the Child, and the team completes every assessment and safeguarding
# requirement before recommending placement with parents or a special guardianship order.
#
# ### Other implications
#
# Personnel: vacancies and absence are reported above. Equalities, health and safety, environmental
# sustainability, property and risk management: no additional implications.

# %%
stories.approvals(params)

# %% [markdown]
# ## Appendix A: Data quality

# %%
view.table("DQ01_validation_warnings", missing="No validation warnings were recorded for the data used in this paper.")

# %%
view.table("DQ02_accepted_exceptions", missing="No validation error was accepted: every record used passed every error rule.")

# %% [markdown]
# ## Appendix B: Method notes

# %%
stories.method_notes(view, params)

# %% [markdown]
# ## Appendix C: Tracing a figure

# %%
stories.tracing_appendix(params, f"Q01_team_exits|{TEAM_TOTAL}|{q}")

# %%
view.remaining_tables()
