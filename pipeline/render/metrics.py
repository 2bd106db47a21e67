"""Headline figures of each paper as a small JSON for ``dvc metrics diff``, and each paper's main
trend as a CSV for ``dvc plots show`` / ``dvc plots diff``. Both live at fixed paths
(``metrics/<paper>.json``, ``metrics/<paper>_trend.csv``) and are tracked in git, so they hold
published values only: a suppressed or absent figure is null in the JSON and blank in the CSV."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.config import Params
from pipeline.labels import (
    ANNUAL_TARGET,
    CEASED,
    DFE_EXITS_TOTAL,
    DFE_TOTAL,
    FORECAST_PIPELINE,
    FORECAST_RUN_RATE,
    IN_CARE_31_MARCH,
    NEIGHBOURS_AVERAGE,
    STARTED,
    TARGET_ADOPTIONS,
    TARGET_TEAM_EXITS,
    TEAM_TOTAL,
    TOTAL,
    YTD,
    label_own_figure,
    label_snapshot,
)
from pipeline.papers.comparators import find_region
from pipeline.render.published import PublishedPaper

# paper -> (metric name, figure id template); templates use {year} (sufficiency year),
# {fy} (the quarter's financial year) and {q} (the quarter, e.g. Q2).
HEADLINES: dict[str, list[tuple[str, str]]] = {
    "quarterly": [
        ("exit_team_exits_ytd", f"Q01_team_exits|{TEAM_TOTAL}|{YTD}"),
        ("exit_team_target", f"Q03_targets|{TARGET_TEAM_EXITS}|{ANNUAL_TARGET}"),
        ("exit_team_forecast_run_rate", f"Q03_targets|{TARGET_TEAM_EXITS}|{FORECAST_RUN_RATE}"),
        ("exit_team_forecast_pipeline", f"Q03_targets|{TARGET_TEAM_EXITS}|{FORECAST_PIPELINE}"),
        ("children_left_care_ytd", f"Q02_dfe_exits|{DFE_EXITS_TOTAL}|{YTD}"),
        ("adoptions_ytd", f"Q03_targets|{TARGET_ADOPTIONS}|{YTD}"),
        ("savings_ytd_pounds", "Q13d_savings|All exits (Exit Team and adoption)|Saving in the year to date"),
        ("exit_team_exits_quarter", f"Q14_trend_team_exits|{TEAM_TOTAL}|{{period}}"),
        ("exit_team_exits_same_quarter_last_year", f"Q14_trend_team_exits|{TEAM_TOTAL}|{{period_last_year}}"),
        ("exit_team_exits_12_months", f"Q16_trend_rolling|{TEAM_TOTAL}|{{period}}"),
        ("children_left_care_quarter", f"Q15_same_quarter|{DFE_TOTAL}|{{period}}"),
        ("children_left_care_same_quarter_last_year", f"Q15_same_quarter|{DFE_TOTAL}|{{period_last_year}}"),
    ],
    "sufficiency": [
        ("children_in_care_31_march", f"S12_flows|{IN_CARE_31_MARCH}|{{year}}"),
        ("started_to_be_looked_after", f"S12_flows|{STARTED}|{{year}}"),
        ("ceased_to_be_looked_after", f"S12_flows|{CEASED}|{{year}}"),
        ("children_in_care_per_10000", f"E02_cla_rate|{label_own_figure('{short}')}|{{snapshot}}"),
    ],
}


def build_metrics(paper: str, published: PublishedPaper, params: Params, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Metric name -> published value (None when suppressed or not in the paper)."""
    last_year = type(params.period)(params.period.year.shift(-1), params.period.q)
    fields = {"year": params.sufficiency_year.label, "fy": params.period.year.label, "q": f"Q{params.period.q}",
              "period": params.period.label, "period_last_year": last_year.label, "short": params.la.short_name,
              "snapshot": label_snapshot(params.sufficiency_year)}
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


def _shown(published: PublishedPaper, figure_id: str) -> float | None:
    """A published value, or None (hidden, not applicable, or not in the paper)."""
    table_id = figure_id.split("|")[0]
    if table_id not in published:
        return None
    try:
        fig = published.figure(figure_id)
    except KeyError:
        return None
    return fig.value if fig.shown else None


# paper -> alternatives, the first whose table is in the paper wins:
# (x column, source table whose columns are the x values, [(y column, row)], [(y column, other table, row)])
Trend = tuple[str, str, list[tuple[str, str]], list[tuple[str, str, str]]]
TRENDS: dict[str, list[Trend]] = {
    "quarterly": [("quarter", "Q14_trend_team_exits",
                   [("exits_in_quarter", TEAM_TOTAL)],
                   [("exits_in_12_months", "Q16_trend_rolling", TEAM_TOTAL)])],
    "sufficiency": [("at_31_march", "E02_cla_rate",
                     [("per_10000_counted_here", label_own_figure("{short}")), ("per_10000_england", "England"),
                      ("per_10000_region", "{region}"),
                      ("per_10000_neighbours_average", NEIGHBOURS_AVERAGE)], []),
                    # without the DfE's files: the council's own rate only
                    ("at_31_march", "S04r_cla_rate_by_district", [("per_10000_counted_here", TOTAL)], [])],
}
Y_COLUMNS = {paper: list(dict.fromkeys(name for alt in alts for name, *_ in (*alt[2], *alt[3])))
             for paper, alts in TRENDS.items()}


def build_trend(paper: str, published: PublishedPaper, params: Params) -> pd.DataFrame:
    """The paper's main trend as a tidy table for ``dvc plots`` (one row per column of its
    source table; blank where a figure is not published, and every y column of the paper's
    plot present, blank when the paper has no such figure). Without any source table: the
    header only, so the file a DVC stage declares is always written."""
    alternatives = [a for a in TRENDS.get(paper, []) if a[1] in published]
    x = TRENDS[paper][0][0] if paper in TRENDS else "x"
    if not alternatives:
        return pd.DataFrame(columns=[x, *Y_COLUMNS.get(paper, [])])
    x, source, rows, others = alternatives[0]
    fields = {"short": params.la.short_name, "region": find_region(params)}
    cols = list(published.table(source).info.cols)
    out = pd.DataFrame({x: [c.replace("31 March ", "") for c in cols]})
    for name, row in rows:
        row = row.format(**fields)
        out[name] = pd.Series([_plain(_shown(published, f"{source}|{row}|{c}")) for c in cols], dtype="object")
    for name, table, row in others:
        out[name] = pd.Series([_plain(_shown(published, f"{table}|{row}|{c}")) for c in cols], dtype="object")
    for name in Y_COLUMNS[paper]:
        if name not in out:
            out[name] = pd.Series([None] * len(out), dtype="object")
    return out[[x, *Y_COLUMNS[paper]]]


def _plain(v: float | None) -> int | float | None:
    return int(v) if v is not None and float(v).is_integer() else v
