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
# <!-- Annual placement sufficiency analysis. Every figure is read from the protected, published
# tables (python -m pipeline paper sufficiency); nothing is computed here. -->

# %% tags=["parameters"]
params_file = "params.yaml"
overrides = []  # the stage's --set overrides (a regional authority's name and code)
period = "2026-27 Q2"
la_code = "990"
threshold = 10
tables_dir = "reports/2026-27-Q2/tables/sufficiency"

# %%
from pipeline.labels import (
    CEASED,
    IN_CARE_31_MARCH,
    NEIGHBOURS_AVERAGE,
    STARTED,
    TOTAL,
    label_own_figure,
)
from pipeline.render import comparisons, stories
from pipeline.render.io import load_notebook_params, load_published
from pipeline.render.view import PaperView

params = load_notebook_params(params_file, overrides, period, la_code, threshold)
view = PaperView(load_published(tables_dir))
year = params.sufficiency_year.label
snapshot = stories.snapshot_label(params)
first_year = params.trend_financial_years[0].label

# %% [markdown]
# ## Purpose
#
# The council has a duty under section 22G of the Children Act 1989 to take steps to secure, as far as
# reasonably practicable, sufficient accommodation within its area to meet the needs of the children it
# looks after. This analysis describes the children in care and the placements they live in over the
# last five years, the flows into and out of care, placement stability and distance from home, the
# council's own fostering capacity, care leavers' accommodation and the cost of placements, and projects
# the number of children in care over the next three years.

# %%
view.kpis([
    (f"S12_flows|{IN_CARE_31_MARCH}|{year}", f"Children in care at {snapshot}"),
    (f"S12_flows|{STARTED}|{year}", f"Started to be looked after in {year}"),
    (f"S12_flows|{CEASED}|{year}", f"Ceased to be looked after in {year}"),
    ("S13p_stability_pct|3 or more placements|3 or more placements (%)", "3 or more placements in the year"),
])

# %%
stories.describe_flows(view, params)

# %% [markdown]
# ## Recommendations
#
# To note the analysis of the needs of children in care and care leavers and of the placements
# available to meet them, and to support its use in commissioning and in the sufficiency strategy.

# %% [markdown]
# ## Reasons
#
# To give the Committee an evidence base for its oversight of placement sufficiency, so that children
# in care are placed in the right placement, close to home where that is in their interests, for as long
# as they need it.

# %% [markdown]
# ## Supporting information
#
# ### The number of children in care

# %%
view.table("S12_flows", missing="The summary of children starting and ceasing care is left out: no SSDA903 data.")

# %%
view.trend("S12_flows", [STARTED, CEASED, IN_CARE_31_MARCH],
           f"Children starting and ceasing care, and in care at 31 March, {first_year} to {year}", "Children")

# %% [markdown]
# ### Compared with England, the region and statistical neighbours

# %%
comparisons.describe_rate(view, params)

# %%
view.table("E02_cla_rate")

# %%
view.trend("E02_cla_rate", [label_own_figure(params.la.short_name), "England", comparisons.find_region(params),
                            NEIGHBOURS_AVERAGE],
           "Children in care per 10,000 children under 18: compared", "Per 10,000 children", "At 31 March")

# %%
view.table("E01_cla_number")

# %%
view.table("E03_start_rate")

# %%
view.table("E04_cease_rate")

# %%
comparisons.describe_differences(view, params)

# %%
view.table("E08_dfe_vs_counted")

# %% [markdown]
# ### Age of children in care

# %%
view.table("S01_cla_by_age")

# %%
view.trend("S01_cla_by_age", ["Under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over"],
           "Children in care at 31 March by age group", "Children", "At 31 March")

# %%
view.table("S01p_cla_by_age_pct")

# %% [markdown]
# ### Placements

# %%
stories.describe_share(view, "S02p_cla_by_placement_pct", "Foster placement (in-house)", snapshot,
                       f"At {snapshot}, {{p}} of children in care lived with the council's own foster carers.")

# %%
view.table("S02_cla_by_placement")

# %%
view.table("S02p_cla_by_placement_pct")

# %%
view.table("S03_cla_by_provider")

# %% [markdown]
# ### Where children in care come from

# %%
view.table("S04_cla_by_district")

# %%
view.table("S04r_cla_rate_by_district")

# %% [markdown]
# ### Characteristics of children in care

# %%
view.table("S05_cla_by_ethnicity")

# %%
view.table("S06_cla_by_disability")

# %%
view.table("S07_cla_by_uasc", missing="No unaccompanied asylum-seeking children are recorded in the returns.")

# %%
view.table("S08_cla_by_legal_status")

# %% [markdown]
# ### Admissions

# %%
view.table("S09_admissions_by_age")

# %%
view.table("S09p_admissions_by_age_pct")

# %% [markdown]
# ### Children ceasing to be looked after

# %%
view.table("S10_ceased_by_reason")

# %%
view.table("S11_ceased_by_duration")

# %%
view.table("S11p_ceased_by_duration_pct")

# %% [markdown]
# ### Placement stability

# %%
stories.describe_share(view, "S13p_stability_pct", "3 or more placements (%)", snapshot,
                       f"{{p}} of the children in care at {snapshot} had three or more placements during {year}.")

# %%
view.table("S13_stability")

# %%
view.table("S13p_stability_pct")

# %%
view.table("E05_stability")

# %% [markdown]
# ### Distance from home and placements outside the county

# %%
stories.describe_share(view, "S14p_distance_pct", "20 miles or more (%)", snapshot,
                       f"Of the children in care at {snapshot} whose home and placement postcodes are known, {{p}} "
                       f"lived {params.far_miles:g} miles or more from home.")

# %%
view.table("S14_distance")

# %%
view.table("S14p_distance_pct")

# %%
view.table("S15_location")

# %%
view.table("S15p_location_pct")

# %%
view.table("E06_distance")

# %% [markdown]
# ### In-house fostering capacity

# %%
view.table("S16_fostering", missing="Fostering capacity is left out: the fostering capacity file was not supplied.")

# %%
view.table("S16p_fostering_use")

# %% [markdown]
# ### Care leavers

# %%
view.table("S17_care_leavers", missing="Care leavers' accommodation is left out: no OC3 records were supplied.")

# %%
view.table("E07_care_leavers")

# %% [markdown]
# ### Projection of children in care

# %%
view.projection("S02_cla_by_placement", TOTAL, "S20_projection",
                "Children in care at 31 March: actual and projected",
                missing=stories.projection_missing(view))

# %%
view.table("S20_projection")

# %% [markdown]
# ## Implications
#
# ### Financial and value for money

# %%
view.table("S18_unit_costs", missing="Unit costs are left out: the unit costs file was not supplied.")

# %%
view.table("S19_spend")

# %% [markdown]
# ### Legal
#
# Section 22G of the Children Act 1989 requires the council to take steps to secure sufficient
# accommodation for the children it looks after, and the statutory guidance asks for a sufficiency
# strategy informed by an analysis of need. This analysis is that evidence.
#
# ### Other implications
#
# Equalities: the characteristics of children in care are reported above. Personnel, property, health
# and safety, environmental sustainability and risk management: no additional implications.

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

# %%
comparisons.describe_method(view, params)

# %% [markdown]
# ## Appendix C: Tracing a figure

# %%
stories.tracing_appendix(params, f"S01_cla_by_age|Under 1|{snapshot}")

# %%
view.remaining_tables()
