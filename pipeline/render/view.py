"""What a notebook calls to show a paper: numbered tables and charts, narrative, notes.

A :class:`PaperView` wraps the published paper. It numbers tables and charts in the order
they are shown and remembers what has been shown, so the paper can end with every table
not yet shown (nothing published is left out). Sections whose tables are absent (e.g. an
LA without the permanence tracker) come out as a one-line note, never as zeros.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

import pandas as pd

from pipeline.render import charts, narrative
from pipeline.render.formatting import describe_hidden_cell, format_value, render_table_html
from pipeline.render.published import NA, NA_SYMBOL, PublishedPaper, ShownTable


@dataclass(frozen=True)
class Html:
    """A piece of HTML to display in the notebook (and so in the paper)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html


@dataclass(frozen=True)
class Block:
    """Several displays shown one after the other."""

    parts: tuple

    def _repr_html_(self) -> str:
        return "".join(p._repr_html_() for p in self.parts if p is not None)


def note(text: str) -> Html:
    """A one-line note, e.g. why a section is left out."""
    return Html(f'<p class="section-note">{escape(text)}</p>')


@dataclass
class PaperView:
    """The published paper as the notebook shows it."""

    paper: PublishedPaper
    tables_shown: list[str] = field(default_factory=list)
    charts_shown: int = 0

    def has(self, *table_ids: str) -> bool:
        return all(t in self.paper for t in table_ids)

    def shown_table(self, table_id: str) -> ShownTable:
        return self.paper.table(table_id)

    # --- tables -----------------------------------------------------------------------
    def table(self, table_id: str, missing: str = "") -> Html:
        """The table, numbered in order of appearance (the same number if shown again)."""
        if table_id not in self.paper:
            return note(missing) if missing else Html("")
        if table_id not in self.tables_shown:
            self.tables_shown.append(table_id)
        number = self.tables_shown.index(table_id) + 1
        return Html(render_table_html(self.paper.table(table_id), number, self.paper.symbol, self.paper.threshold))

    def remaining_tables(self, prefix: str = "") -> Block:
        """Every published table (whose id starts with `prefix`) not shown yet, in paper order."""
        ids = [t for t in self.paper.table_ids() if t.startswith(prefix) and t not in self.tables_shown]
        return Block(tuple(self.table(t) for t in ids))

    # --- figures in sentences -----------------------------------------------------------
    def count(self, figure_id: str, noun: str = "children", singular: str = "child") -> narrative.Phrase:
        return narrative.count_of(self.paper, figure_id, noun, singular)

    def says_nothing(self, figure_id: str, count: bool = True) -> bool:
        return narrative.says_nothing(self.paper, figure_id, count)

    def value(self, figure_id: str) -> narrative.Phrase:
        return narrative.value_of(self.paper, figure_id)

    # --- charts -------------------------------------------------------------------------
    def _number(self, chart: charts.Chart) -> charts.Chart:
        self.charts_shown += 1
        return chart.numbered(self.charts_shown)

    def trend(self, table_id: str, rows: Sequence[str], title: str, ylabel: str, xlabel: str = "Year",
              columns: Sequence[str] | None = None, missing: str = "") -> Html | charts.Chart:
        """Lines over the table's columns, one per row listed (published values only)."""
        if table_id not in self.paper:
            return note(missing) if missing else Html("")
        t = self.paper.table(table_id)
        cols = list(columns or [c for c in t.info.cols if c != t.info.col_total])
        rows = [r for r in rows if r in t.info.rows]
        data = pd.DataFrame({r: t.values.loc[r, cols].astype(float).to_numpy() for r in rows}, index=cols)
        if data.isna().to_numpy().all():
            return note(charts.explain_no_chart(title))
        ids = tuple(f"{table_id}|{r}|{c}" for r in rows for c in cols)
        return self._number(charts.plot_trend(f"{table_id}-trend", data, title, xlabel, ylabel, ids))

    def bars(self, table_id: str, column: str, title: str, ylabel: str, xlabel: str = "",
             rows: Sequence[str] | None = None, horizontal: bool = True, missing: str = "") -> Html | charts.Chart:
        """One bar per row of one column (a funnel of stages, a breakdown)."""
        if table_id not in self.paper:
            return note(missing) if missing else Html("")
        t = self.paper.table(table_id)
        rows = [r for r in (rows or t.info.rows) if r in t.info.rows and r != t.info.row_total]
        if column not in t.info.cols or not rows:
            return Html("")
        data = t.values.loc[rows, column].astype(float)
        if data.isna().all():
            return note(charts.explain_no_chart(title))
        ids = tuple(f"{table_id}|{r}|{column}" for r in rows)
        return self._number(charts.plot_bars(f"{table_id}-{column}-bars", data, title, xlabel or t.info.row_dim,
                                             ylabel, ids, horizontal))

    def against_target(self, table_id: str, row: str, quarters: Sequence[str], target: float, title: str,
                       forecast_figure: str | None = None, ylabel: str = "Children") -> Html | charts.Chart:
        """Cumulative figures over the year's quarters (row of a table whose columns include the
        quarters) against the annual target; the forecast (a published figure for the year end)
        is drawn from the latest quarter to Q4."""
        if table_id not in self.paper:
            return Html("")
        t = self.paper.table(table_id)
        have = [c for c in quarters if c in t.info.cols]
        quarterly = t.values.loc[row, have].astype(float).reindex(list(quarters))
        cumulative = quarterly.cumsum(skipna=False)
        ids = tuple(f"{table_id}|{row}|{c}" for c in have)
        if have and t.info.col_total in t.info.cols and pd.notna(t.values.at[row, t.info.col_total]):
            # the year to date is published even when a quarter is hidden: it is the latest
            # quarter's cumulative figure
            cumulative[have[-1]] = float(t.values.at[row, t.info.col_total])
            ids += (f"{table_id}|{row}|{t.info.col_total}",)
        if cumulative.isna().all():
            return note(charts.explain_no_chart(title))
        forecast = None
        if forecast_figure and forecast_figure.split("|")[0] in self.paper and have:
            fig = self.paper.figure(forecast_figure)
            last = cumulative[have[-1]]
            if fig.shown and pd.notna(last) and len(have) < len(quarters):
                forecast = pd.Series(float("nan"), index=list(quarters))
                steps = len(quarters) - len(have)
                for i, q in enumerate(quarters[len(have) - 1:]):
                    forecast[q] = last + (fig.value - last) * i / steps
                ids += (forecast_figure,)
        return self._number(charts.plot_against_target(f"{table_id}-target", cumulative, target, forecast, title,
                                                       ylabel, ids))

    def projection(self, history_table: str, row: str, table_id: str, title: str,
                   ylabel: str = "Children in care", missing: str = "") -> Html | charts.Chart:
        """Actual figures (a row of a trend table whose columns are dates) then the projection
        with its band (the same row of a projection table whose columns are '<date>: central',
        '<date>: low (..)' and '<date>: high (..)')."""
        if table_id not in self.paper or history_table not in self.paper:
            return note(missing) if missing else Html("")
        h = self.paper.table(history_table)
        p = self.paper.table(table_id)
        if row not in h.info.rows or row not in p.info.rows:
            return note(missing) if missing else Html("")
        hist = h.values.loc[row, [c for c in h.info.cols if c != h.info.col_total]].astype(float)
        parts: dict[str, dict[str, float]] = {}
        for c in p.info.cols:
            date, _, stat = c.partition(": ")
            parts.setdefault(stat.split(" ")[0], {})[date] = float(p.values.at[row, c])
        central, low, high = (pd.Series(parts.get(k, {}), dtype=float) for k in ("central", "low", "high"))
        last = hist.index[-1]
        if pd.notna(hist.iloc[-1]):
            # the band starts from the last actual figure
            central, low, high = (pd.concat([pd.Series({last: hist.iloc[-1]}), s]) for s in (central, low, high))
        ids = tuple(f"{history_table}|{row}|{c}" for c in hist.index) + tuple(f"{table_id}|{row}|{c}" for c in p.info.cols)
        short = lambda s: s.rename(index=lambda d: str(d).replace("31 March ", ""))  # noqa: E731
        hist, central, low, high = (short(s) for s in (hist, central, low, high))
        return self._number(charts.plot_projection(f"{table_id}-projection", hist, central, low, high, title, ylabel,
                                                   band_label="90% of simulations", figure_ids=ids))

    # --- headline figures ---------------------------------------------------------------
    def kpis(self, items: Sequence[tuple[str, str]]) -> Html:
        """Headline cards: (figure id, label) pairs; a figure not shown prints its symbol."""
        cards = []
        for fid, label in items:
            table_id = fid.split("|")[0]
            if table_id not in self.paper:
                continue
            try:
                fig = self.paper.figure(fid)
            except KeyError:
                continue
            # a figure that cannot be computed (status NA) shows z, not the suppression symbol
            text = format_value(fig.value, fig.fmt) if fig.shown else NA_SYMBOL if fig.status == NA else self.paper.symbol
            cards.append(f'<div class="kpi"><span class="kpi-value" data-figure-id="{escape(fid, quote=True)}">'
                         f'{describe_hidden_cell(fig.status, escape(text))}</span>'
                         f'<span class="kpi-label">{escape(label)}</span></div>')
        return Html(f'<div class="kpis">{"".join(cards)}</div>' if cards else "")
