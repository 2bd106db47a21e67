"""The generated narrative of each paper: paragraphs built from published figures only.

Each function takes the :class:`~pipeline.render.view.PaperView` and the parameters and
returns prose (or a one-line note when the tables it needs are not in the paper). Figure
ids are built from the table ids and labels the paper builders publish.
"""

from __future__ import annotations

from pipeline.config import Params
from pipeline.labels import (
    ANNUAL_TARGET,
    CAPACITY_LOST,
    CEASED,
    FORECAST_PIPELINE,
    FORECAST_RUN_RATE,
    IN_CARE_31_MARCH,
    MEDIAN_WAIT,
    ROUTE_LABELS,
    STARTED,
    STATUS_LABELS,
    TARGET_ADOPTIONS,
    TARGET_TEAM_EXITS,
    TEAM_LABELS,
    WAITING_CHILDREN,
    YTD,
    label_snapshot,
)
from pipeline.render.narrative import Phrase, Prose, compose, join_phrases, phrase, say
from pipeline.render.published import NA
from pipeline.render.view import Html, PaperView, note
from pipeline.tables import UNAVAILABLE_NOTE


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --- quarterly ---------------------------------------------------------------------------


def describe_team_exits(view: PaperView, params: Params) -> Prose | Html:
    """Exits through the Exit Team this quarter and this year, by route; routes whose figure
    cannot be stated are named together in one sentence."""
    tid = "Q01_team_exits"
    if not view.has(tid):
        return note("Exit Team figures are left out: the permanence tracker was not supplied.")
    t = view.shown_table(tid)
    q = f"Q{params.period.q}"
    total = t.info.row_total
    routes = [(f"{tid}|{r}|{q}", _route_words(r)) for r in t.info.rows if r != total]
    silent = {f for f, _ in routes if view.says_nothing(f)}
    stated = [(f, w) for f, w in routes if f not in silent]
    total_unstated = view.says_nothing(f"{tid}|{total}|{q}")
    fragment = "{n} left through {route}" if total_unstated else "{n} through {route}"
    by_route = join_phrases([compose(fragment, sentence=False, n=view.count(f), route=phrase(w)) for f, w in stated])
    if total_unstated:
        first = compose("The number of children the Exit Team supported to leave care during {period} is not "
                        "published" + ("; {routes}." if stated else "."),
                        period=params.period.label, routes=by_route)
    else:
        first = compose("During {period} the Exit Team supported {n} to leave care" + (": {routes}." if stated else "."),
                        period=params.period.label, n=view.count(f"{tid}|{total}|{q}"), routes=by_route)
    unstated = [w for f, w in routes if f in silent]
    hidden = (phrase("") if not unstated else
              phrase("The numbers by route are not published, to protect the children's identities.")
              if len(unstated) == len(routes) else
              compose("The numbers through {routes} are not published, to protect the children's identities.",
                      routes=join_phrases([phrase(w) for w in unstated])))
    ytd = f"{tid}|{total}|{YTD}"
    second = (compose("The number so far in {year} is not published; the service plan's target is {target} for the year.",
                      year=params.period.year.label, target=params.targets.exit_team_exits)
              if view.says_nothing(ytd) else
              compose("This makes {ytd} so far in {year}, against the service plan's target of {target} for the year.",
                      ytd=view.count(ytd, "exits", "exit"), year=params.period.year.label,
                      target=params.targets.exit_team_exits))
    return say(first, hidden, second)


def _route_words(label: str) -> str:
    words = {
        ROUTE_LABELS["SGO_FFC"]: "special guardianship orders to former foster carers",
        ROUTE_LABELS["SGO_OTHER"]: "special guardianship orders to other carers",
        ROUTE_LABELS["SGO_CARER_UNKNOWN"]: "special guardianship orders (carer not recorded)",
        ROUTE_LABELS["CAO"]: "child arrangements orders",
        ROUTE_LABELS["PWP"]: "placement with parents under a care order",
    }
    return words.get(label, _lower_first(label))


def describe_targets(view: PaperView, params: Params) -> Prose | Html:
    """Year to date against the targets, and the two forecasts (those not published named together)."""
    tid = "Q03_targets"
    if not view.has(tid):
        return note("Progress against targets is left out: the permanence tracker was not supplied.")
    sentences = []
    clauses = {YTD: "the year to date stands at {v}", FORECAST_RUN_RATE: "at the current rate the year would end at {v}",
               FORECAST_PIPELINE: "the cases now at a late stage point to {v}"}
    names = {YTD: "the year to date", FORECAST_RUN_RATE: "the run-rate forecast",
             FORECAST_PIPELINE: "the pipeline forecast"}
    for row, noun in ((TARGET_TEAM_EXITS, "exits through the Exit Team"), (TARGET_ADOPTIONS, "adoptions")):
        target = view.value(f"{tid}|{row}|{ANNUAL_TARGET}")
        silent = {c for c in clauses if view.says_nothing(f"{tid}|{row}|{c}", count=False)}
        stated = [compose(clauses[c], sentence=False, v=view.value(f"{tid}|{row}|{c}")) for c in clauses
                  if c not in silent]
        unstated = [names[c] for c in clauses if c in silent]
        sentences.append(compose("For {noun}, against a target of {target}, {stated}.", noun=noun, target=target,
                                 stated=join_phrases(stated, "and")) if stated else
                         compose("For {noun}, the target is {target}.", noun=noun, target=target))
        if unstated:
            verb = "is" if len(unstated) == 1 else "are"
            sentences.append(compose("{what} " + verb + " not published.", what=join_phrases([phrase(w) for w in unstated])))
    return say(*sentences)


def describe_dfe_exits(view: PaperView, params: Params) -> Prose | Html:
    """All children leaving care (SSDA903), this quarter and this year."""
    tid = "Q02_dfe_exits"
    if not view.has(tid):
        return note("Children leaving care by reason are left out: no SSDA903 episodes were supplied.")
    t = view.shown_table(tid)
    q = f"Q{params.period.q}"
    total = t.info.row_total
    s1 = compose("Across the whole service, {n} left care during {period} ({ytd} in the year to date).",
                 n=view.count(f"{tid}|{total}|{q}"), period=params.period.label,
                 ytd=view.count(f"{tid}|{total}|{YTD}", "children", "child"))
    adoption = ROUTE_LABELS["ADOPTION"]
    adopted = f"{tid}|{adoption}|{YTD}"
    s2 = (phrase("") if adoption not in t.info.rows else
          phrase("The number adopted this year is not published.") if view.says_nothing(adopted) else
          compose("Of those leaving care this year, {n} were adopted.", n=view.count(adopted)))
    return say(s1, s2)


def describe_funnel(view: PaperView, params: Params, table_id: str, first_row: str, last_row: str,
                    what: str, outcome: str) -> Prose | Html:
    """Referrals received and outcomes reached in the quarter for one route."""
    if not view.has(table_id):
        return note(f"{what} figures are left out: the permanence tracker was not supplied.")
    t = view.shown_table(table_id)
    q = f"Q{params.period.q}"
    if first_row not in t.info.rows or last_row not in t.info.rows:
        return Prose(())
    referrals, outcomes = f"{table_id}|{first_row}|{q}", f"{table_id}|{last_row}|{q}"
    parts = dict(period=params.period.label, what=_lower_first(what), outcome=outcome,
                 n=view.count(referrals, "referrals", "referral"), m=view.count(outcomes, "cases", "case"))
    template = {
        (False, False): "In {period} the team received {n} for {what}, and {m} {outcome}.",
        (False, True): "In {period} the team received {n} for {what}; the number of cases that {outcome} is "
                       "not published.",
        (True, False): "In {period} {m} {outcome}; the number of referrals for {what} is not published.",
        (True, True): "In {period} the numbers of referrals for {what} and of cases that {outcome} are not published.",
    }[(view.says_nothing(referrals), view.says_nothing(outcomes))]
    return say(compose(template, **parts))


def describe_waiting(view: PaperView, params: Params) -> Prose | Html:
    """Children waiting for adoption at quarter end and the median wait."""
    if not view.has("Q08_waiting"):
        return note("Children waiting for adoption are left out: the permanence tracker was not supplied.")
    t = view.shown_table("Q08_waiting")
    total = t.info.row_total
    waiting = f"Q08_waiting|{total}|{WAITING_CHILDREN}"
    parts = [compose("The number of children waiting for an adoptive placement at the end of {period} is not published."
                     if view.says_nothing(waiting) else "At the end of {period}, {n} were waiting for an adoptive placement.",
                     period=params.period.label, n=view.count(waiting))]
    if view.has("Q08d_waiting_days"):
        parts.append(compose("The median time since the best-interest decision was {d} days.",
                             d=view.value(f"Q08d_waiting_days|{total}|{MEDIAN_WAIT}")))
    return say(*parts)


def describe_staffing(view: PaperView, params: Params) -> Prose | Html:
    """Vacancies and absence at quarter end and capacity lost during the quarter."""
    if not view.has("Q10_staff_fte"):
        return note("Staffing is left out: the staffing file was not supplied.")
    t = view.shown_table("Q10_staff_fte")
    total, est = t.info.row_total, t.info.col_total
    parts = [compose("At the end of {period} the service's establishment was {e} FTE, of which {v} FTE were vacant "
                     "and {a} FTE were covered by agency workers.",
                     period=params.period.label, e=view.value(f"Q10_staff_fte|{total}|{est}"),
                     v=view.value(f"Q10_staff_fte|{total}|{STATUS_LABELS['VACANT']}"),
                     a=view.value(f"Q10_staff_fte|{total}|{STATUS_LABELS['AGENCY']}"))]
    if view.has("Q11d_capacity_lost"):
        parts.append(compose("Vacancies and absence took {p} of the Exit Team's capacity during the quarter.",
                             p=view.value(f"Q11d_capacity_lost|{TEAM_LABELS['EXIT']}|{CAPACITY_LOST}")))
    return say(*parts)


def describe_caseloads(view: PaperView, params: Params) -> Prose | Html:
    """Open cases held by each team at quarter end (team level only: no worker is named)."""
    tid = "Q09_caseloads"
    if not view.has(tid):
        return note("Caseloads are left out: the permanence tracker was not supplied.")
    t = view.shown_table(tid)
    total, col = t.info.row_total, t.info.col_total
    teams = [r for r in t.values.index if r != total]
    all_cases = f"{tid}|{total}|{col}"
    first = ("The number of open cases at the end of {period} is not published." if view.says_nothing(all_cases)
             else "At the end of {period} the teams held {n}.")
    parts = [compose(first, period=params.period.label, n=view.count(all_cases, "open cases", "open case"))]
    stated = [compose("{n} with the {team}", sentence=False, team=team if team.endswith("Team") else team.lower(),
                      n=view.count(f"{tid}|{team}|{col}", "cases", "case"))
              for team in teams if not view.says_nothing(f"{tid}|{team}|{col}")]
    if stated:
        parts.append(compose("By team: {teams}.", teams=join_phrases(stated)))
    parts.append("Caseloads are reported for each team as a whole; caseloads of individual workers are for the "
                 "team manager and are not published.")
    return say(*parts)


def describe_savings(view: PaperView, params: Params) -> Prose | Html:
    """Savings in the year to date and projected to age 18."""
    tid = "Q13d_savings"
    if not view.has(tid):
        return note("Savings are left out: the unit costs file or the permanence tracker was not supplied.")
    row = "All exits (Exit Team and adoption)"
    ytd, to18 = f"{tid}|{row}|Saving in the year to date", f"{tid}|{row}|Projected saving to age 18"
    unavailable = [n.removeprefix(UNAVAILABLE_NOTE).rstrip(".") for n in view.shown_table(tid).info.notes
                   if n.startswith(UNAVAILABLE_NOTE)]
    if unavailable and view.paper.figure(ytd).status == NA:  # never "£0": say why there is no figure
        return say(compose("The savings from children who left care through the Exit Team or by adoption this year "
                           "are not available: {why}.", why=phrase("; ".join(unavailable))))
    template = {
        (False, False): "Children who left care through the Exit Team or by adoption this year have saved the council "
                        "{ytd} so far; had they remained in their placements, they would have cost {to18} more by their "
                        "18th birthdays.",
        (False, True): "Children who left care through the Exit Team or by adoption this year have saved the council "
                       "{ytd} so far; the projected saving to their 18th birthdays is not published.",
        (True, False): "Had the children who left care through the Exit Team or by adoption this year remained in their "
                       "placements, they would have cost {to18} more by their 18th birthdays; the saving so far is not "
                       "published.",
        (True, True): "The savings from children who left care through the Exit Team or by adoption this year are not "
                      "published: they are worked out from numbers of children small enough to be hidden.",
    }[(view.says_nothing(ytd, count=False), view.says_nothing(to18, count=False))]
    return say(compose(template, ytd=view.value(ytd), to18=view.value(to18)))


# --- sufficiency -------------------------------------------------------------------------


def describe_flows(view: PaperView, params: Params) -> Prose | Html:
    """Children in care at 31 March, starting and ceasing: the latest year against the one before."""
    tid = "S12_flows"
    if not view.has(tid):
        return note("The summary of children starting and ceasing care is left out: no SSDA903 data.")
    year = params.sufficiency_year.label
    prev = params.sufficiency_year.shift(-1).label
    cic, st, ce = IN_CARE_31_MARCH, STARTED, CEASED
    end = params.sufficiency_year.end
    s1 = compose("At {day} the council looked after {n}, {change}.",
                 day=f"31 March {end.year}", n=view.count(f"{tid}|{cic}|{year}"),
                 change=_change(view, f"{tid}|{cic}|{year}", f"{tid}|{cic}|{prev}", "a year earlier"))
    s2 = compose("During {year}, {a} started to be looked after and {c} ceased to be looked after.",
                 year=year, a=view.count(f"{tid}|{st}|{year}"), c=view.count(f"{tid}|{ce}|{year}"))
    return say(s1, s2)


def _change(view: PaperView, fid: str, prev_id: str, label: str) -> Phrase:
    from pipeline.render.narrative import change_from

    p = change_from(view.paper, fid, prev_id, label)
    return p if p.text else phrase("(no comparison with a figure that is not published)")


def describe_share(view: PaperView, table_id: str, row: str, column: str, template: str) -> Prose | Html:
    """One percentage from a derived table in a sentence ('{p}' is the figure)."""
    if not view.has(table_id):
        return Prose(())
    t = view.shown_table(table_id)
    if row not in t.info.rows or column not in t.info.cols:
        return Prose(())
    return say(compose(template, p=view.value(f"{table_id}|{row}|{column}")))


def projection_missing(view: PaperView, history_table: str = "S02_cla_by_placement") -> str:
    """Why the projection is left out: the reason the paper gives under the history it would
    have continued ('No projection: ...'), or that the episode history was not supplied."""
    if view.has(history_table):
        for text in view.shown_table(history_table).info.notes:
            if text.startswith("No projection:"):
                return f"The projection is left out. {text}"
    return "The projection is left out: it needs the episode history and was not produced."


def snapshot_label(params: Params) -> str:
    """The column label of the latest 31 March in the sufficiency tables."""
    return label_snapshot(params.sufficiency_year)


def approvals(params: Params) -> Html:
    """The sign-off table every council paper ends with (names and dates filled in by hand
    when the paper is cleared)."""
    from html import escape

    rows = [("Legal", ""), ("Finance", ""), ("Service Director", ""), ("Report sponsor", params.paper.sponsor),
            ("Other(s)", "")]
    body = "".join(f"<tr><th scope=\"row\">{escape(r)}</th><td>{escape(n)}</td><td></td></tr>" for r, n in rows)
    return Html('<div class="approvals"><p>This report has been approved by the following people:</p>'
                '<table><thead><tr><th scope="col">Role</th><th scope="col">Name</th>'
                f'<th scope="col">Date of sign-off</th></tr></thead><tbody>{body}</tbody></table></div>')


def method_notes(view: PaperView, params: Params) -> Prose:
    """How the figures were produced and protected (from the parameters)."""
    top = params.disclosure.threshold - 1
    return say(
        f"Figures are counted from {params.la.name}'s SSDA903 returns and the service's own records after "
        "validation; a record that failed a validation error is not used unless the service reviewed and "
        "accepted the error (the data-quality appendix counts them by rule), and records with warnings are "
        "listed in the data-quality appendix.",
        f"Counts from 1 to {top} are not published (shown as {params.disclosure.symbol}); further figures "
        "are hidden where a total, a figure in another table or a figure published in an earlier paper would "
        "otherwise let them be worked out, and a linear-programming audit of the whole paper confirms that "
        "no hidden figure can be worked out exactly or within a narrow range. Percentages, rates, days and "
        "savings computed from a hidden count are hidden too.",
        "Charts show published figures only: a figure that is hidden is a gap in the chart, and a chart "
        "with no published figure is left out.",
        "The published tables are also provided beside this paper as a spreadsheet (ODS and XLSX, with [c] "
        "for a withheld figure), as open data in the Department for Education's format (c for a withheld "
        "figure) and as CSV files with a tables.json file describing them.")


def describe_revisions(view: PaperView) -> Prose | Html:
    """What the revisions table shows, or a one-line note when no earlier figure changed
    (the number of revised figures is the number of rows of the published table)."""
    from pipeline.papers.revisions import REVISIONS_TABLE

    if not view.has(REVISIONS_TABLE):
        return note("No figure published in an earlier quarterly paper of this year has changed with the current data.")
    rows = view.shown_table(REVISIONS_TABLE).info.rows
    periods = list(dict.fromkeys(r.split(", ")[0] for r in rows))
    n = len(rows)
    return say(
        f"{n} figure{'s' if n != 1 else ''} published in {'an earlier paper' if len(periods) == 1 else 'earlier papers'} "
        f"({', '.join(periods)}) {'have' if n != 1 else 'has'} changed with the current data.",
        "The tables below show each figure as reported, as it is now and the change; the notes under the first "
        "give the reason where it can be told (an event recorded late, a corrected record or a new return). "
        "A revised figure is protected like any other: a small count is not shown.")


def tracing_appendix(params: Params, example: str) -> Html:
    """The appendix "How to trace a figure" (:func:`pipeline.lineage.explain_tracing`) as HTML;
    `example` is a figure id shown in the paper."""
    import mistune

    from pipeline.lineage import explain_tracing

    return Html(f'<div class="tracing-appendix">{mistune.html(explain_tracing(params.period.label, example))}</div>')
