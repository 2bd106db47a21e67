"""S20: the care population projection (pipeline.measures.projection) as a paper table."""

from __future__ import annotations

import pandas as pd

from pipeline import schema
from pipeline.labels import TOTAL, label_snapshot
from pipeline.measures.projection import ALL_GROUPS, describe_history, project_children_in_care
from pipeline.tables import Cell, DerivedTable


def build_projection_table(facts: dict[str, pd.DataFrame], params, placement_table):
    """The projection as a DerivedTable (None when :func:`describe_history` declines): rows =
    placement types + Total, columns = each projected 31 March's central figure (median) and 5%/95% band. Each figure names the
    sufficiency year's count of the same placement type as its input, so a suppressed base
    count suppresses its projection."""
    history = describe_history(facts, params)
    if history.declined:
        return None
    proj = project_children_in_care(facts, params)
    base_col = label_snapshot(params.sufficiency_year)
    labels = dict(schema.PLACEMENT_GROUP_LABELS)
    labels[ALL_GROUPS] = TOTAL
    rows = [labels.get(g, g) for g in proj["PLACEMENT_GROUP"].drop_duplicates()]
    cols = []
    values = {}
    for year, frame in proj.groupby("YEAR", sort=True):
        end_year = params.sufficiency_year.shift(int(year[:4]) - params.sufficiency_year.start_year).end.year
        for stat, name in (("MEDIAN", "central"), ("P05", "low"), ("P95", "high")):
            col = f"{end_year}: {name}"
            cols.append(col)
            for _, r in frame.iterrows():
                values[(labels.get(r["PLACEMENT_GROUP"], r["PLACEMENT_GROUP"]), col)] = r[stat]
    table = pd.DataFrame(index=rows, columns=cols, dtype="float64")
    for (r, c), v in values.items():
        table.at[r, c] = v
    inputs = {(r, c): (Cell(placement_table.table_id, r, base_col),) for r in rows for c in cols
              if r in placement_table.rows}
    table = table.loc[[r for r in rows if r in placement_table.rows]]
    return DerivedTable(
        "S20_projection", "Projected children in care at 31 March by placement type", "Placement type",
        "Projected 31 March", table, inputs, fmt="count",
        caption=f"Central projection (median of {params.projection.simulations} simulations) and the range "
                "in which 90% of simulations fall (low: 5th percentile, high: 95th), if admissions, exits and moves between placement types "
                f"continue at the rates of the last {history.years_text}.",
        notes=(history.describe(),
               "Method: monthly Markov stock-flow simulation (docs/measures.md). The range reflects chance "
               "variation only, not changes in policy or demand."))
