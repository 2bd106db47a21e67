"""Charts of published figures as deterministic inline SVG, with titles, axis labels and alt text.

Charts plot only published values: a figure that is suppressed (NaN in the published table)
is a gap, and the caption says so. Colours are the Government Analysis Function's categorical
palette: each at least 3:1 against the white background (WCAG 2.2, 1.4.11) and told apart by
colour-blind readers; each series also differs by marker and line style, so no colour is
needed to tell them apart.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

# dark blue, orange, turquoise, dark pink, dark grey, light purple (contrast 10.3, 3.0, 3.2,
# 9.8, 10.9 and 3.1 to 1 against white)
PALETTE = ("#12436D", "#F46A25", "#28A197", "#801650", "#3D3D3D", "#A285D1")
MARKERS = ("o", "s", "^", "D", "v", "P")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)))
BACKGROUND = "#FFFFFF"
GAP_NOTE = "Points or bars missing from the chart are figures that are not published (shown as x in the table)."
FIGSIZE = (6.4, 3.3)


@dataclass(frozen=True)
class Chart:
    """A chart ready to embed: SVG markup, its title, alt text and the figures it plots."""

    chart_id: str
    title: str
    alt: str
    svg: str
    note: str = ""
    figure_ids: tuple[str, ...] = ()
    number: int | None = None

    def numbered(self, number: int) -> Chart:
        return Chart(self.chart_id, self.title, self.alt, self.svg, self.note, self.figure_ids, number)

    def _repr_html_(self) -> str:
        label = f'<span class="chart-number">Figure {self.number}:</span> ' if self.number else ""
        note = f' <span class="chart-note">{escape(self.note)}</span>' if self.note else ""
        ids = escape(FIGURE_ID_SEPARATOR.join(self.figure_ids), quote=True)
        return (
            f'<figure class="paper-chart" id="chart-{escape(self.chart_id, quote=True)}" '
            f'data-chart-id="{escape(self.chart_id, quote=True)}" data-figure-ids="{ids}">'
            f"<figcaption>{label}{escape(self.title)}.{note}</figcaption>{self.svg}"
            f"{list_plotted_figures(self.figure_ids)}</figure>"
        )


# Figure ids contain spaces (row labels), so a chart's list of ids is joined with this.
FIGURE_ID_SEPARATOR = ";"


def list_plotted_figures(figure_ids: tuple[str, ...]) -> str:
    """The ids of a chart's points, in the order plotted, as a collapsed list under the chart
    (screen only: hidden in print), so a point can be traced like a table cell."""
    if not figure_ids:
        return ""
    items = "".join(f"<li><code>{escape(f)}</code></li>" for f in figure_ids)
    return f'<details class="chart-figures"><summary>Figures plotted</summary><ol>{items}</ol></details>'



def _style(ax, horizontal: bool = False) -> None:
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)


def _to_svg(fig, chart_id: str, alt: str) -> str:
    """Deterministic SVG markup for inline use: fixed hash salt, no date, ids made unique to
    this chart, alt text as the accessible name."""
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": chart_id, "svg.fonttype": "path"}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id) + "-"
    ids = set(re.findall(r'id="([^"]+)"', svg))
    for old in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{old}"', f'id="{prefix}{old}"').replace(f"#{old})", f"#{prefix}{old})")
        svg = svg.replace(f'"#{old}"', f'"#{prefix}{old}"')
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(alt, quote=True)}" ', 1)
    head_end = svg.index(">") + 1
    return svg[:head_end] + f"<title>{escape(alt)}</title>" + svg[head_end:]


def _top(values) -> float:
    """An axis top with room above the highest published value (1 when nothing is shown)."""
    arr = np.asarray(values, dtype=float)
    peak = np.nanmax(arr) if np.isfinite(arr).any() else 0.0
    return max(peak * 1.12, 1.0)


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def _describe_series(name: str, s: pd.Series) -> str:
    shown = [f"{k} {_fmt(v)}" for k, v in s.items() if pd.notna(v)]
    hidden = [str(k) for k, v in s.items() if pd.isna(v)]
    text = f"{name}: " + (", ".join(shown) if shown else "no published figures")
    if hidden:
        text += f" (not published: {', '.join(hidden)})"
    return text


def contrast_ratio(colour: str, background: str = BACKGROUND) -> float:
    """WCAG 2.2 contrast ratio of two '#RRGGBB' colours (1 to 21)."""
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((luminance(colour), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def explain_no_chart(title: str) -> str:
    """The sentence shown instead of a chart none of whose figures is published."""
    return (f"No chart of {title[:1].lower()}{title[1:]}: none of the figures it would plot is published "
            "(each would disclose a small number of children).")


def _new_axes():
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE)
    return fig, fig.add_subplot()


def plot_trend(chart_id: str, data: pd.DataFrame, title: str, xlabel: str, ylabel: str,
               figure_ids: tuple[str, ...] = ()) -> Chart:
    """Lines over time, one per column of `data` (index: periods, in order). NaN values are
    gaps: the line breaks there and no point is drawn."""
    fig, ax = _new_axes()
    x = np.arange(len(data.index))
    for i, col in enumerate(data.columns):
        y = data[col].astype(float).to_numpy()
        ax.plot(x, y, color=PALETTE[i % len(PALETTE)], marker=MARKERS[i % len(MARKERS)], linestyle=LINESTYLES[i % len(LINESTYLES)],
                linewidth=1.8, markersize=4.5, label=str(col))
    ax.set_xticks(x, [str(i) for i in data.index])
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.set_ylim(0, _top(data.to_numpy(dtype=float)))
    _style(ax)
    if len(data.columns) > 1:
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    alt = f"Line chart: {title}. " + "; ".join(_describe_series(str(c), data[c]) for c in data.columns) + "."
    note = GAP_NOTE if data.isna().to_numpy().any() else ""
    return Chart(chart_id, title, alt, _to_svg(fig, chart_id, alt), note, figure_ids)


def plot_bars(chart_id: str, data: pd.Series, title: str, xlabel: str, ylabel: str,
              figure_ids: tuple[str, ...] = (), horizontal: bool = True) -> Chart:
    """One bar per category (a funnel of stages when horizontal, first stage on top). A figure
    that is not published has no bar; its label says 'not published'."""
    fig, ax = _new_axes()
    labels = [str(i) for i in data.index]
    y = data.astype(float).to_numpy()
    pos = np.arange(len(labels))
    heights = np.where(np.isnan(y), 0.0, y)
    if horizontal:
        bars = ax.barh(pos, heights, color=PALETTE[0], height=0.6)
        ax.set_yticks(pos, labels)
        ax.invert_yaxis()
        ax.set_xlabel(ylabel, fontsize=9)
        ax.set_ylabel(xlabel, fontsize=9)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.grid(axis="y", visible=False)
    else:
        bars = ax.bar(pos, heights, color=PALETTE[0], width=0.6)
        ax.set_xticks(pos, labels)
        ax.set_xlabel(xlabel, fontsize=9)
        ax.set_ylabel(ylabel, fontsize=9)
    if horizontal:
        ax.set_xlim(0, _top(y) * 1.1)
    else:
        ax.set_ylim(0, _top(y))
    for bar, v in zip(bars, y, strict=True):
        if np.isnan(v):
            bar.set_visible(False)
            text = "not published"
        else:
            text = _fmt(v)
        if horizontal:
            ax.annotate(text, (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                        textcoords="offset points", va="center", fontsize=8)
        else:
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()), xytext=(0, 2),
                        textcoords="offset points", ha="center", fontsize=8)
    _style(ax, horizontal)
    if horizontal:
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    alt = f"Bar chart: {title}. {_describe_series(ylabel, data)}."
    note = GAP_NOTE if data.isna().any() else ""
    return Chart(chart_id, title, alt, _to_svg(fig, chart_id, alt), note, figure_ids)


def plot_against_target(chart_id: str, cumulative: pd.Series, target: float, forecast: pd.Series | None,
                        title: str, ylabel: str, figure_ids: tuple[str, ...] = ()) -> Chart:
    """Cumulative exits by quarter against the year's target line, with the forecast to the end
    of the year as a dashed line (index: every quarter of the year, NaN where not yet known)."""
    fig, ax = _new_axes()
    labels = [str(i) for i in cumulative.index]
    x = np.arange(len(labels))
    y = cumulative.astype(float).to_numpy()
    ax.bar(x, np.where(np.isnan(y), 0, y), color=PALETTE[0], width=0.55, label="Exits so far (cumulative)")
    for xi, v in zip(x, y, strict=True):
        if not np.isnan(v):
            ax.annotate(_fmt(v), (xi, v), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)
    ax.axhline(target, color=PALETTE[3], linestyle="--", linewidth=1.5, label=f"Target for the year ({_fmt(target)})")
    so_far = cumulative.loc[:cumulative.last_valid_index()] if cumulative.notna().any() else cumulative
    alt = f"Bar chart: {title}. {_describe_series('Cumulative exits', so_far)}. Target {_fmt(target)}."
    if forecast is not None and forecast.notna().any():
        f = forecast.reindex(cumulative.index).astype(float).to_numpy()
        ax.plot(x, f, color=PALETTE[1], linestyle=":", marker="o", markersize=4, linewidth=1.8,
                label="Forecast")
        alt += f" {_describe_series('Forecast', forecast.dropna())}."
    ax.set_xticks(x, labels)
    ax.set_xlabel("Quarter", fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.set_ylim(0, max(target, np.nanmax(np.append(y, 0)), np.nanmax(np.append(forecast.to_numpy(dtype=float), 0)) if forecast is not None else 0) * 1.15 + 1)
    _style(ax)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    note = GAP_NOTE if cumulative.isna().any() and forecast is None else ""
    return Chart(chart_id, title, alt, _to_svg(fig, chart_id, alt), note, figure_ids)


def plot_projection(chart_id: str, history: pd.Series, central: pd.Series, low: pd.Series, high: pd.Series,
                    title: str, ylabel: str, band_label: str = "Likely range",
                    figure_ids: tuple[str, ...] = ()) -> Chart:
    """Actual figures, then the projection's central line with its band (index: years)."""
    fig, ax = _new_axes()
    years = list(dict.fromkeys([*map(str, history.index), *map(str, central.index)]))
    pos = {y: i for i, y in enumerate(years)}
    hx = [pos[str(i)] for i in history.index]
    cx = [pos[str(i)] for i in central.index]
    ax.plot(hx, history.astype(float).to_numpy(), color=PALETTE[0], marker="o", markersize=4.5,
            linewidth=1.8, label="Actual")
    ax.fill_between(cx, low.astype(float).to_numpy(), high.astype(float).to_numpy(), facecolor=PALETTE[5],
                    alpha=0.25, edgecolor=PALETTE[5], hatch="///", linewidth=0, label=band_label)
    for edge in (low, high):  # the band's edges in full colour: the pale fill alone is below 3:1
        ax.plot(cx, edge.astype(float).to_numpy(), color=PALETTE[5], linestyle=LINESTYLES[5], linewidth=1.2)
    ax.plot(cx, central.astype(float).to_numpy(), color=PALETTE[1], linestyle="--", marker="s",
            markersize=4, linewidth=1.8, label="Projection")
    ax.set_xticks(range(len(years)), years)
    ax.set_xlabel("At 31 March", fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.set_ylim(0, _top(np.concatenate([history.to_numpy(dtype=float), high.to_numpy(dtype=float)])))
    _style(ax)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    alt = (f"Line chart: {title}. {_describe_series('Actual', history)}; "
           f"{_describe_series('Projection', central)}; "
           f"{band_label} from {_describe_series('low', low)} to {_describe_series('high', high)}.")
    note = GAP_NOTE if history.isna().any() else ""
    return Chart(chart_id, title, alt, _to_svg(fig, chart_id, alt), note, figure_ids)
