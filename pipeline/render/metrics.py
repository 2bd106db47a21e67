"""Headline figures of each paper as a small JSON for ``dvc metrics diff`` (published values
only: a suppressed or absent figure is null)."""

from __future__ import annotations

from typing import Any

from pipeline.config import Params
from pipeline.render.published import PublishedPaper

# paper -> (metric name, figure id template); templates use {year} (sufficiency year),
# {fy} (the quarter's financial year) and {q} (the quarter, e.g. Q2).
HEADLINES: dict[str, list[tuple[str, str]]] = {
    "quarterly": [
        ("exit_team_exits_ytd", "Q01_team_exits|Total exits through the Exit Team|Year to date"),
        ("exit_team_target", "Q03_targets|Exits through the Exit Team|Annual target"),
        ("exit_team_forecast_run_rate", "Q03_targets|Exits through the Exit Team|Forecast: run rate"),
        ("exit_team_forecast_pipeline", "Q03_targets|Exits through the Exit Team|Forecast: pipeline"),
        ("children_left_care_ytd", "Q02_dfe_exits|All children leaving care|Year to date"),
        ("adoptions_ytd", "Q03_targets|Adoptions|Year to date"),
        ("savings_ytd_pounds", "Q13d_savings|All exits (Exit Team and adoption)|Saving in the year to date"),
    ],
    "sufficiency": [
        ("children_in_care_31_march", "S12_flows|In care at 31 March|{year}"),
        ("started_to_be_looked_after", "S12_flows|Started to be looked after|{year}"),
        ("ceased_to_be_looked_after", "S12_flows|Ceased to be looked after|{year}"),
    ],
}


def build_metrics(paper: str, published: PublishedPaper, params: Params, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Metric name -> published value (None when suppressed or not in the paper)."""
    fields = {"year": params.sufficiency_year.label, "fy": params.period.year.label, "q": f"Q{params.period.q}"}
    out: dict[str, Any] = {"period": params.period.label}
    for name, template in HEADLINES.get(paper, []):
        fid = template.format(**fields)
        value = None
        if fid.split("|")[0] in published:
            try:
                fig = published.figure(fid)
                value = fig.value if fig.shown else None
            except KeyError:
                value = None
        out[name] = int(value) if value is not None and float(value).is_integer() else value
    out.update(extra or {})
    return out
