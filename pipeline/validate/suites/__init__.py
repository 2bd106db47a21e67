"""Great Expectations suites as reviewable code: one module per table group.

Each module exposes ``prepare(frame, ctx, related) -> frame`` (adds parsed ``<COL>_as_date`` /
``<COL>_as_number`` columns and ``ok_<RULE>`` flag columns for cross-row rules, computed by
pipeline.validate.checks) and ``checks(ctx) -> list[Check]``. A ``Check`` names a GX 1.x
expectation class and its arguments, so the suites need no GX import; pipeline.validate.run
plans them as GX expectations (every flag check of a table as one) and pipeline.validate.gx
turns those into ``great_expectations.expectations`` objects (with ``meta.rule``) and runs them.
"""

from __future__ import annotations

from pipeline.validate.suites import children, episodes, local, ssda903_other, tracker

SUITE_MODULES = {
    "header": children,
    "uasc": children,
    "episodes": episodes,
    "reviews": ssda903_other,
    "ad1": ssda903_other,
    "placed_for_adoption": ssda903_other,
    "previous_permanence": ssda903_other,
    "missing": ssda903_other,
    "oc2": ssda903_other,
    "oc3": ssda903_other,
    "permanence_tracker": tracker,
    "staffing": local,
    "unit_costs": local,
    "fostering_capacity": local,
    "population": local,
    "postcodes": local,
}
