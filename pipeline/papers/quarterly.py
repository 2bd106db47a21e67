"""The quarterly Exit from Care / Children's Permanence Team paper as a Paper.

Every count cell is a Selection over a fact table (the same rule as the tidy measure, from
:mod:`pipeline.measures.quarterly`); percentages, days, forecasts and pounds are
DerivedTables naming the count cells they come from. Table ids are stable (docs/measures.md):

  Q01_team_exits      Exit Team achievements by route, quarters and year to date
  Q02_dfe_exits       children who left care (DfE return) by reason
  Q03_targets         (derived) year to date against target, run-rate and pipeline forecasts
  Q04_sgo             special guardianship funnel (the 2021 paper's table 1)
  Q05_pwp             placement with parents funnel (table 2)
  Q06_cp              connected persons funnel (table 3)
  Q07_adoption        adoption progress
  Q08_waiting         children waiting for adoption by time since the best-interest decision
  Q08d_waiting_days   (derived) median days waiting
  Q09_caseloads       cases held at quarter end: case responsibility and co-working
  Q10_staff_fte       FTE at quarter end by team and status (not a count of children)
  Q11_staff_days      FTE-days in the quarter by team and status (not a count of children)
  Q11d_capacity_lost  (derived) capacity lost to vacancies and absence
  Q12_timeliness      cases completing referral-to-order (and similar) intervals
  Q12d_timeliness_days (derived) median days
  Q13d_savings        (derived) savings in pounds from the Exit Team's and adoption exits
  Q14_trend_team_exits, Q15_same_quarter, Q16_trend_rolling: trends (pipeline.papers.trends)
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from pipeline import schema
from pipeline.config import Params
from pipeline.coverage import check_quarter, read_coverage
from pipeline.errors import InputError
from pipeline.labels import (
    ANNUAL_TARGET,
    CAPACITY_LOST,
    DFE_EXITS_TOTAL,
    FORECAST_PIPELINE,
    FORECAST_RUN_RATE,
    MEDIAN_WAIT,
    ROUTE_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    TARGET_ADOPTIONS,
    TARGET_TEAM_EXITS,
    TEAM_LABELS,
    TEAM_TOTAL,
    TOTAL,
    WAITING_CHILDREN,
    YTD,
)
from pipeline.measures import quarterly as m
from pipeline.measures import savings as sv
from pipeline.papers.trends import build_trend_tables
from pipeline.periods import Quarter
from pipeline.process.quarterly import DFE_ROUTE_ORDER, EXIT_TEAM_ROUTES, TIMELINESS
from pipeline.tables import (
    UNAVAILABLE_NOTE,
    Cell,
    DerivedTable,
    Equation,
    Paper,
    PublishedTable,
    Selection,
)

PAPER_ID = "quarterly"
OPEN = "Open at quarter end"

# Order in which the paper shows its tables (count and derived together).
TABLE_ORDER = (
    "Q01_team_exits", "Q02_dfe_exits", "Q03_targets", "Q04_sgo", "Q05_pwp", "Q06_cp", "Q07_adoption",
    "Q08_waiting", "Q08d_waiting_days", "Q09_caseloads", "Q10_staff_fte", "Q11_staff_days",
    "Q11d_capacity_lost", "Q12_timeliness", "Q12d_timeliness_days", "Q13d_savings",
    "Q14_trend_team_exits", "Q15_same_quarter", "Q16_trend_rolling",
)
# Table -> fact tables it needs (absent -> the table is unavailable).
TABLE_NEEDS = {
    "Q01_team_exits": ("tracker_events",), "Q02_dfe_exits": ("exits",),
    "Q03_targets": ("tracker_events", "tracker_cases", "tracker_snapshots"),
    "Q04_sgo": ("tracker_events", "tracker_snapshots"), "Q05_pwp": ("tracker_events", "tracker_snapshots"),
    "Q06_cp": ("tracker_events", "tracker_snapshots"), "Q07_adoption": ("tracker_events", "tracker_snapshots"),
    "Q08_waiting": ("tracker_snapshots",), "Q08d_waiting_days": ("tracker_snapshots",),
    "Q09_caseloads": ("tracker_snapshots",), "Q10_staff_fte": ("staffing_quarters",),
    "Q11_staff_days": ("staffing_quarters",), "Q11d_capacity_lost": ("staffing_quarters",),
    "Q12_timeliness": ("timeliness",), "Q12d_timeliness_days": ("timeliness",),
    "Q13d_savings": ("savings", "tracker_events"),
}
# Facts that, when empty (a header-only file), make their tables unavailable rather than zero.
EMPTY_IS_MISSING = ("staffing_quarters",)
SOURCE_LABELS = {
    "tracker_events": "the permanence tracker", "tracker_cases": "the permanence tracker",
    "tracker_snapshots": "the permanence tracker", "timeliness": "the permanence tracker",
    "staffing_quarters": "the staffing file", "savings": "the unit costs file", "exits": "the SSDA903 episodes",
}

FUNNEL_TABLES = {
    "SGO": ("Q04_sgo", "Special guardianship orders"),
    "PWP": ("Q05_pwp", "Placement with parents"),
    "CP": ("Q06_cp", "Connected persons"),
    "ADOPTION": ("Q07_adoption", "Adoption progress"),
}
TIMELINESS_LABELS = {
    "SGO_REFERRAL_TO_ORDER": "Special guardianship: referral to order",
    "CAO_REFERRAL_TO_ORDER": "Child arrangements: referral to order",
    "PWP_REFERRAL_TO_PLACED": "Placement with parents: referral to placement",
    "PWP_REFERRAL_TO_REVOCATION": "Placement with parents: referral to care order revoked",
    "ADOPTION_BI_TO_PLACED": "Adoption: best-interest decision to placement",
    "ADOPTION_BI_TO_ORDER": "Adoption: best-interest decision to adoption order",
}


# --- helpers ----------------------------------------------------------------------------------


def _qcols(period: Quarter) -> list[tuple[str, str]]:
    """(column label, quarter label) for each quarter of the year to date."""
    return [(f"Q{q.q}", q.label) for q in period.quarters_to_date()]


def select_by_quarter(rows: list[tuple[str, object]], period: Quarter, select) -> dict[tuple[str, str], Selection]:
    """For each (row label, key), ``select(quarter labels, key)`` in each quarter column and the
    year-to-date column."""
    sels = {}
    for label, key in rows:
        for col, ql in _qcols(period):
            sels[(label, col)] = select((ql,), key)
        sels[(label, YTD)] = select(m.quarter_labels(period), key)
    return sels


def evaluate_selections(selections: dict[tuple[str, str], Selection], facts: dict[str, pd.DataFrame],
                        rows: list[str], cols: list[str]) -> pd.DataFrame:
    """The values frame of a table: each cell is its selection evaluated on its fact table
    (missing where a cell has no selection)."""
    cache = m.SelectionCache(facts)
    values = pd.DataFrame(float("nan"), index=rows, columns=cols)
    for (r, c), sel in selections.items():
        values.at[r, c] = cache.evaluate(sel)
    return values


def _table(table_id: str, title: str, row_dim: str, col_dim: str, rows: list[str], cols: list[str],
           selections: dict[tuple[str, str], Selection], facts: dict[str, pd.DataFrame], **kw) -> PublishedTable:
    values = evaluate_selections(selections, facts, rows, cols)
    return PublishedTable(table_id, title, row_dim, col_dim, values, selections=selections, **kw)


def _ytd_links(table: PublishedTable, qcols: list[str]) -> list[Equation]:
    """Year to date = sum of the quarter columns, for every row that shows all of them."""
    out = []
    for r in table.rows:
        if all(pd.notna(table.values.at[r, c]) for c in [*qcols, YTD]):
            out.append(Equation((Cell(table.table_id, r, YTD),), tuple(Cell(table.table_id, r, c) for c in qcols),
                                "year to date = sum of quarters"))
    return out


def list_unavailable(facts: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Tables that cannot be built, with the reason (a local file was not supplied)."""
    out = {}
    for table_id, needs in TABLE_NEEDS.items():
        missing = [n for n in needs if n not in facts]
        if missing:
            sources = sorted({SOURCE_LABELS.get(n, n) for n in missing})
            out[table_id] = f"not available: {' and '.join(sources)} was not supplied"
            continue
        empty = [n for n in needs if n in EMPTY_IS_MISSING and len(facts[n]) == 0]
        if empty:  # a header-only file: nothing to count, and no establishment to divide by
            sources = sorted({SOURCE_LABELS.get(n, n) for n in empty})
            out[table_id] = f"not available: {' and '.join(sources)} holds no rows"
    return out


# --- tables -----------------------------------------------------------------------------------


def build_team_exits(facts, period: Quarter) -> PublishedTable:
    """Q01: Exit Team achievements by route (SGO, CAO, placed with parents), quarters and YTD."""
    qc = _qcols(period)
    ev = facts["tracker_events"]
    routes = [r for r in EXIT_TEAM_ROUTES
              if r != "SGO_CARER_UNKNOWN" or m.select_team_exits(m.quarter_labels(period), r).evaluate(ev) > 0]
    total = TEAM_TOTAL
    sels = select_by_quarter([*[(ROUTE_LABELS[r], r) for r in routes], (total, EXIT_TEAM_ROUTES)], period,
                             m.select_team_exits)
    rows = [ROUTE_LABELS[r] for r in routes] + [total]
    return _table("Q01_team_exits", f"Children leaving care through the Exit Team, {period.year.label}",
                  "Route", "Quarter", rows, [c for c, _ in qc] + [YTD], sels, facts,
                  row_total=total, col_total=YTD,
                  caption=("Exits as the Exit Team counts them: the date a special guardianship or child "
                           "arrangements order was granted, or the date a child was placed with parents "
                           "under a care order (the child is still looked after until the order is revoked)."),
                  notes=("Source: permanence tracker.",))


def build_dfe_exits(facts, period: Quarter) -> PublishedTable:
    """Q02: periods of care that ended, by the DfE reason (REC), quarters and YTD."""
    qc = _qcols(period)
    total = DFE_EXITS_TOTAL
    sels = select_by_quarter([*[(ROUTE_LABELS[r], r) for r in DFE_ROUTE_ORDER], (total, None)], period,
                             m.select_dfe_exits)
    rows = [ROUTE_LABELS[r] for r in DFE_ROUTE_ORDER] + [total]
    return _table("Q02_dfe_exits", f"Children who left care by reason (DfE return), {period.year.label}",
                  "Reason care ended", "Quarter", rows, [c for c, _ in qc] + [YTD], sels, facts,
                  row_total=total, col_total=YTD,
                  caption=("Periods of care that ended, by the reason recorded in the SSDA903 return. A child "
                           "placed with parents is counted here only when the care order ends; a child who "
                           "left care twice is counted twice. Short-break-only care is excluded."),
                  notes=("Source: SSDA903 episodes.",))


def build_funnel(facts, period: Quarter, route: str) -> PublishedTable:
    """Q04-Q07: cases reaching each stage in each quarter and the year, and open at quarter end."""
    table_id, title = FUNNEL_TABLES[route]
    qc = _qcols(period)
    labels = STAGE_LABELS[route]
    terminal = {schema.TRACKER_OUTCOME[route][0], *schema.TRACKER_END_STAGES[route]}
    sels = {}
    for stage in m.list_stages(route):
        for col, ql in qc:
            sels[(labels[stage], col)] = m.select_stage_events(route, stage, (ql,))
        sels[(labels[stage], YTD)] = m.select_stage_events(route, stage, m.quarter_labels(period))
        if stage not in terminal:
            sels[(labels[stage], OPEN)] = m.select_open_at_stage(route, stage, period)
    rows = [labels[s] for s in m.list_stages(route)]
    return _table(table_id, f"{title}, {period.year.label}", "Stage", "Quarter", rows,
                  [c for c, _ in qc] + [YTD, OPEN], sels, facts,
                  unit="cases",
                  caption=("Quarter columns count the cases that reached each stage in the quarter (once per "
                           "case). 'Open at quarter end' counts the cases still open on the last day of the "
                           "quarter whose latest stage is that stage (ongoing work); it is blank for stages "
                           "that close a case."),
                  notes=("Source: permanence tracker.",))


def build_waiting(facts, period: Quarter) -> PublishedTable:
    """Q08: children waiting for adoption at quarter end by time since the best-interest decision."""
    total = "All children waiting"
    col = WAITING_CHILDREN
    sels = {(b, col): m.select_waiting(period, b) for b in m.list_wait_bands()}
    sels[(total, col)] = m.select_waiting(period)
    return _table("Q08_waiting", f"Children waiting for adoption at the end of {period.label}",
                  "Time since best-interest decision", "Children", [*m.list_wait_bands(), total], [col],
                  sels, facts, row_total=total,
                  caption=("Children with a best-interest decision for adoption, no adoption order and no "
                           "reversal on the last day of the quarter."),
                  notes=("Source: permanence tracker.",))


def build_caseloads(facts, period: Quarter) -> PublishedTable:
    """Q09: cases held on the last day of the quarter by team (case responsibility and
    co-working). Team level only: per-worker caseloads are a restricted management table
    (``build_worker_caseloads``), and no staff identifier reaches a public paper."""
    snap = facts["tracker_snapshots"]
    at_end = snap[snap["QUARTER"].eq(period.label)]
    cols = {"Case responsibility": "CASE", "Co-working": "COWORK"}
    total_row, total_col = "All teams", TOTAL
    teams = list_teams(at_end["TEAM"])
    sels = {}
    for team in teams:
        label = TEAM_LABELS.get(team, team)
        for c, resp in cols.items():
            sels[(label, c)] = m.select_caseload(period, None, resp, team)
        sels[(label, total_col)] = m.select_caseload(period, team=team)
    for c, resp in cols.items():
        sels[(total_row, c)] = m.select_caseload(period, responsibility=resp)
    sels[(total_row, total_col)] = m.select_caseload(period)
    rows = [TEAM_LABELS.get(t, t) for t in teams] + [total_row]
    return _table("Q09_caseloads", f"Caseloads at the end of {period.label}", "Team", "Responsibility",
                  rows, [*cols, total_col], sels, facts, row_total=total_row, col_total=total_col, unit="cases",
                  caption=("Open cases on the last day of the quarter held by each team: case responsibility "
                           "as the child's social worker, or co-working as assessor. Caseloads are reported "
                           "for the team as a whole; per-worker caseloads are for the team manager."),
                  notes=("Source: permanence tracker.",))


def list_teams(teams: pd.Series) -> list[str]:
    """Teams in the paper's order (those with a label first), then any others alphabetically."""
    present = set(teams.dropna())
    return [t for t in TEAM_LABELS if t in present] + sorted(present - set(TEAM_LABELS))


def build_worker_caseloads(facts, period: Quarter) -> pd.DataFrame:
    """Restricted management table: open cases on the last day of the quarter by team and
    worker (TEAM, WORKER_ID, CASE, COWORK, TOTAL; NOT_RECORDED where the tracker names no
    worker). Never published: it names staff."""
    cols = ["TEAM", "WORKER_ID", "CASE", "COWORK", "TOTAL"]
    snap = facts.get("tracker_snapshots")
    if snap is None:
        return pd.DataFrame(columns=cols)
    at_end = snap[snap["QUARTER"].eq(period.label)][["TEAM", "WORKER_ID", "RESPONSIBILITY"]].astype(str)
    keys = ["TEAM", "WORKER_ID"]
    out = at_end.groupby(keys).size().rename("TOTAL").to_frame()
    for resp in ("CASE", "COWORK"):
        out[resp] = at_end[at_end["RESPONSIBILITY"].eq(resp)].groupby(keys).size()
    out = out.fillna(0).astype(int).reset_index()
    return out[cols].sort_values(["TEAM", "WORKER_ID"], kind="stable").reset_index(drop=True)


def _staff_table(facts, period: Quarter, table_id: str, title: str, select: Callable, unit: str,
                 caption: str) -> PublishedTable:
    sq = facts["staffing_quarters"]
    teams = list_teams(sq["TEAM"])
    total_row, total_col = "All teams", "Establishment" if unit == "FTE" else "All posts"
    sels = {}
    for team in [*teams, None]:
        r = TEAM_LABELS.get(team, team) if team else total_row
        for status, c in STATUS_LABELS.items():
            sels[(r, c)] = select(period, team, status)
        sels[(r, total_col)] = select(period, team, tuple(STATUS_LABELS))
    rows = [TEAM_LABELS.get(t, t) for t in teams] + [total_row]
    return _table(table_id, title, "Team", "Status", rows, [*STATUS_LABELS.values(), total_col], sels, facts,
                  row_total=total_row, col_total=total_col, unit=unit, suppress=False, caption=caption,
                  notes=("Source: staffing file. Not a count of children: not suppressed.",))


def build_staff_fte(facts, period: Quarter) -> PublishedTable:
    """Q10: FTE of posts at quarter end by team and status."""
    return _staff_table(facts, period, "Q10_staff_fte", f"Staffing at the end of {period.label} (FTE)",
                        m.select_fte_at_end, "FTE",
                        "Full-time equivalent of each post on the last day of the quarter, by whether it was "
                        "filled by a permanent worker, an agency worker, a worker who was absent, or vacant.")


def build_staff_days(facts, period: Quarter) -> PublishedTable:
    """Q11: FTE-days of posts in the quarter by team and status."""
    return _staff_table(facts, period, "Q11_staff_days", f"Staffing during {period.label} (FTE-days)",
                        m.select_fte_days, "FTE-days",
                        "FTE multiplied by the days of the quarter each post spent in each status.")


def build_capacity_lost(days: PublishedTable) -> DerivedTable:
    """Q11d: share of FTE-days vacant or absent, per team (from Q11)."""
    col = CAPACITY_LOST
    total_col = days.cols[-1]
    values = pd.DataFrame(float("nan"), index=days.rows, columns=[col])
    inputs = {}
    for r in days.rows:
        lost = days.values.at[r, STATUS_LABELS["VACANT"]] + days.values.at[r, STATUS_LABELS["ABSENT"]]
        proportion = m.share(lost, days.values.at[r, total_col])
        values.at[r, col] = float("nan") if proportion is None else 100.0 * proportion  # fmt percent is 0-100
        inputs[(r, col)] = tuple(Cell(days.table_id, r, c) for c in (STATUS_LABELS["VACANT"], STATUS_LABELS["ABSENT"], total_col))
    return DerivedTable("Q11d_capacity_lost", f"Capacity lost to vacancies and absence, {days.title.split(' during ')[-1].split(' (')[0]}",
                        "Team", "Measure", values, inputs, fmt="percent",
                        caption="Vacant and absent FTE-days as a share of all FTE-days of the team's posts.")


def build_timeliness(facts, period: Quarter) -> tuple[PublishedTable, DerivedTable]:
    """Q12 and Q12d: cases completing each interval, and the median days they took."""
    tl = facts["timeliness"]
    cols = [(f"Q{period.q}", (period.label,)), (YTD, m.quarter_labels(period))]
    sels = {}
    for measure, *_ in TIMELINESS:
        for c, labels in cols:
            sels[(TIMELINESS_LABELS[measure], c)] = m.select_timeliness(measure, labels)
    rows = [TIMELINESS_LABELS[t[0]] for t in TIMELINESS]
    counts = _table("Q12_timeliness", f"Cases completing in {period.label} and the year to date",
                    "Interval", "Period", rows, [c for c, _ in cols], sels, facts, unit="cases",
                    caption="Cases that reached the end of each interval in the period.",
                    notes=("Source: permanence tracker.",))
    values = pd.DataFrame(float("nan"), index=rows, columns=[c for c, _ in cols])
    inputs = {}
    for (r, c), sel in sels.items():
        days = m.median_days(tl[sel.mask(tl)]["DAYS"])
        values.at[r, c] = float("nan") if days is None else days
        inputs[(r, c)] = (Cell("Q12_timeliness", r, c),)
    derived = DerivedTable("Q12d_timeliness_days", f"Median days taken, {period.label} and the year to date",
                           "Interval", "Period", values, inputs, fmt="days",
                           caption="Median number of days from the start to the end of each interval, "
                                   "for the cases in table Q12.")
    return counts, derived


def build_waiting_days(facts, period: Quarter, waiting: PublishedTable) -> DerivedTable:
    """Q08d: median days since the best-interest decision of the children waiting."""
    snap = facts["tracker_snapshots"]
    row, col = waiting.row_total, MEDIAN_WAIT
    sel = m.select_waiting(period)
    days = m.median_days(snap[sel.mask(snap)]["DAYS_OPEN"])
    values = pd.DataFrame({col: [float("nan") if days is None else days]}, index=[row])
    return DerivedTable("Q08d_waiting_days", f"How long children have waited, end of {period.label}",
                        "Children", "Measure", values, {(row, col): (Cell(waiting.table_id, row, WAITING_CHILDREN),)},
                        fmt="days", caption=("Median number of days from the best-interest decision to the last "
                                             "day of the quarter, for the children in table Q08."))


def build_targets(facts, period: Quarter, params: Params, team: PublishedTable,
                  adoption: PublishedTable, funnels: dict[str, PublishedTable]) -> DerivedTable:
    """Q03: year to date against the annual targets, with two named forecasts."""
    cases, snap = facts["tracker_cases"], facts["tracker_snapshots"]
    as_of = pd.Timestamp(period.end)
    cols = [ANNUAL_TARGET, YTD, FORECAST_RUN_RATE, FORECAST_PIPELINE]
    specs = [
        (TARGET_TEAM_EXITS, params.targets.exit_team_exits, Cell(team.table_id, team.row_total, YTD),
         m.EXIT_TEAM_TRACKER_ROUTES),
        (TARGET_ADOPTIONS, params.targets.adoptions,
         Cell(adoption.table_id, STAGE_LABELS["ADOPTION"]["ADOPTION_ORDER"], YTD), ("ADOPTION",)),
    ]
    values = pd.DataFrame(float("nan"), index=[s[0] for s in specs], columns=cols)
    inputs = {}
    for label, target, ytd_cell, routes in specs:
        ytd = (team if ytd_cell.table_id == team.table_id else adoption).value(ytd_cell)
        late_cells = tuple(Cell(funnels[r].table_id, STAGE_LABELS[r][s], OPEN) for r in routes for s in m.LATE_STAGES[r])
        rate = m.estimate_completion_rate(cases, routes, as_of)
        late = m.count_late_stage_open(snap, routes, period)
        pipe = m.forecast_pipeline(ytd, late, rate, period)
        values.loc[label] = [float(target), ytd, m.forecast_run_rate(ytd, period),
                             float("nan") if pipe is None else pipe]
        inputs[(label, YTD)] = (ytd_cell,)
        inputs[(label, FORECAST_RUN_RATE)] = (ytd_cell,)
        inputs[(label, FORECAST_PIPELINE)] = (ytd_cell, *late_cells)
    return DerivedTable("Q03_targets", f"Progress against the {period.year.label} targets", "Target", "Measure",
                        values, inputs, fmt="number",
                        caption=("Run rate: year to date divided by the quarters elapsed, times four. Pipeline: "
                                 "year to date plus the cases open at a late stage at quarter end (SGO at panel "
                                 "or court; connected persons at management decision or placed; placement with "
                                 "parents at full assessment; adoption matched or placed) times the share of "
                                 "such cases that have reached the outcome in the past."))


def build_savings_table(facts, period: Quarter, params: Params, team: PublishedTable,
                        adoption: PublishedTable) -> DerivedTable:
    """Q13d: savings in pounds, by route, for the quarter, the year to date, to 31 March and to 18."""
    sav = facts["savings"]
    qcol = f"Q{period.q}"
    ao_label = STAGE_LABELS["ADOPTION"]["ADOPTION_ORDER"]
    all_label = "All exits (Exit Team and adoption)"
    # (label, routes, count cells the figure comes from; "{col}" is the count column)
    specs = [(ROUTE_LABELS[r], (r,), ((team.table_id, ROUTE_LABELS[r]),))
             for r in EXIT_TEAM_ROUTES if ROUTE_LABELS[r] in team.rows]
    specs += [
        (team.row_total, EXIT_TEAM_ROUTES, ((team.table_id, team.row_total),)),
        (ROUTE_LABELS["ADOPTION"], ("ADOPTION",), ((adoption.table_id, ao_label),)),
        (all_label, (*EXIT_TEAM_ROUTES, "ADOPTION"), ((team.table_id, team.row_total), (adoption.table_id, ao_label))),
    ]
    horizon_cols = {
        "quarter": (f"Saving in {period.label}", qcol),
        "ytd": ("Saving in the year to date", YTD),
        "year_end": ("Saving to 31 March", YTD),
        "to_18_ytd": ("Projected saving to age 18", YTD),
    }
    values = pd.DataFrame(float("nan"), index=[s[0] for s in specs], columns=[c for c, _ in horizon_cols.values()])
    inputs = {}
    unavailable: dict[str, list[str]] = {}  # reason -> the columns it leaves blank (never £0)
    for label, routes, cells in specs:
        for horizon, (col, count_col) in horizon_cols.items():
            pounds, reason = sv.compute_savings_or_reason(sav, period, horizon, params.savings_basis_days, routes)
            if reason is None:
                values.at[label, col] = sv.round_pounds(pounds)
            elif col not in unavailable.setdefault(reason, []):
                unavailable[reason].append(col)
            inputs[(label, col)] = tuple(Cell(tid, row, count_col) for tid, row in cells)
    return DerivedTable("Q13d_savings", f"Savings from children leaving care, {period.year.label}",
                        "Route", "Saving", values, inputs, fmt="money",
                        caption=("For each child: the annual cost of the placement the child left (by placement "
                                 "type, age band and year) minus the allowance paid under the order (none for a "
                                 "child placed with parents), per day from the exit date; to the end of the "
                                 "quarter, the year to date, 31 March, or the day before the child's 18th "
                                 "birthday had the child remained in care."),
                        notes=(*[format_unavailable_note(reason, cols) for reason, cols in unavailable.items()],
                               "Children whose placement cost is not in the unit costs file are left out of "
                               "the sums.", "Adoption savings run from the adoption order."))


def format_unavailable_note(reason: str, columns: list[str], every: int = 4) -> str:
    """The note under the savings table saying why figures are not available, and which when
    not all `every` columns (pure): "Not available: no unit cost for 2026-27 in unit_costs.csv."."""
    which = f" ({'; '.join(columns)})" if len(columns) < every else ""
    return f"{UNAVAILABLE_NOTE}{reason}{which}."


# --- the paper --------------------------------------------------------------------------------


def build_quarterly_paper(facts: dict[str, pd.DataFrame], params: Params) -> Paper:
    """Every quarterly table for params.period, in TABLE_ORDER; tables whose source file is
    absent are left out (see :func:`list_unavailable` for the reasons). Refused (InputError)
    when no return or extract covers the financial year to the end of the period."""
    period = params.period
    reason = check_quarter(read_coverage(facts), period)
    if reason:  # the quarter's figures would be zeros (nothing recorded), not a count of anything
        raise InputError(f"{period.label}: the quarterly paper is not produced: {reason}; "
                         "add the in-year extract for the quarter, or choose a period the returns cover")
    has = lambda table_id: table_id not in list_unavailable(facts)  # noqa: E731
    paper = Paper(PAPER_ID)
    qcols = [c for c, _ in _qcols(period)]
    team = funnels = None
    if has("Q01_team_exits"):
        team = build_team_exits(facts, period)
        paper.tables.append(team)
    if has("Q02_dfe_exits"):
        paper.tables.append(build_dfe_exits(facts, period))
    trend_tables, trend_links = build_trend_tables(facts, period)
    paper.tables.extend(trend_tables)
    paper.links.extend(trend_links)
    funnels = {}
    if has("Q04_sgo"):
        funnels = {r: build_funnel(facts, period, r) for r in FUNNEL_TABLES}
        paper.tables.extend(funnels.values())
        for t in funnels.values():
            paper.links.extend(_ytd_links(t, qcols))
    if team is not None and funnels:
        paper.links.extend(link_team_exits_to_funnels(team, funnels, qcols))
        if has("Q03_targets"):
            paper.derived.append(build_targets(facts, period, params, team, funnels["ADOPTION"], funnels))
    if has("Q08_waiting"):
        waiting = build_waiting(facts, period)
        paper.tables.append(waiting)
        paper.derived.append(build_waiting_days(facts, period, waiting))
    if has("Q09_caseloads"):
        paper.tables.append(build_caseloads(facts, period))
    if has("Q10_staff_fte"):
        paper.tables.append(build_staff_fte(facts, period))
        days = build_staff_days(facts, period)
        paper.tables.append(days)
        paper.derived.append(build_capacity_lost(days))
    if has("Q12_timeliness"):
        counts, derived = build_timeliness(facts, period)
        paper.tables.append(counts)
        paper.derived.append(derived)
    if has("Q13d_savings") and team is not None and funnels:
        paper.derived.append(build_savings_table(facts, period, params, team, funnels["ADOPTION"]))
    return paper


def link_team_exits_to_funnels(team: PublishedTable, funnels: dict[str, PublishedTable],
                               qcols: list[str]) -> list[Equation]:
    """The same figures in two tables: orders granted and placements with parents in Q01
    equal the corresponding rows of the funnels."""
    sgo_rows = tuple(r for r in team.rows if r.startswith("Special guardianship order"))
    pairs = [
        (funnels["SGO"], STAGE_LABELS["SGO"]["GRANTED"], sgo_rows),
        (funnels["CP"], STAGE_LABELS["CP"]["CAO_GRANTED"], (ROUTE_LABELS["CAO"],)),
        (funnels["PWP"], STAGE_LABELS["PWP"]["PLACED"], (ROUTE_LABELS["PWP"],)),
    ]
    out = []
    for funnel, frow, trows in pairs:
        for c in [*qcols, YTD]:
            out.append(Equation((Cell(funnel.table_id, frow, c),), tuple(Cell(team.table_id, r, c) for r in trows),
                                "same figure: Exit Team achievements and the route's funnel"))
    return out
