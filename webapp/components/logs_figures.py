"""Figure builders for the logs page: aggregates in, ``go.Figure`` out. Nothing here filters or counts."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from dash import Patch

from models.logs.aggregate import WEEKDAYS
from webapp.components.theme import template_name

STATUS_COLOURS = {"1": "#6c757d", "2": "#198754", "3": "#0dcaf0", "4": "#fd7e14", "5": "#dc3545"}
SELECTED = "#0d6efd"
MUTED = "rgba(108,117,125,0.55)"
# The modebar takes the top 28 px on the right; titles sit on their own line below it, so a long
# title on a narrow chart never runs under the buttons.
MARGIN = dict(l=40, r=10, t=60, b=30)


def _title(text: str) -> dict:
    return dict(text=text, x=0, xref="paper", xanchor="left", y=1, yref="container", yanchor="top",
                pad=dict(t=30), font=dict(size=14))  # fmt: skip


@cache
def _template_json(name: str) -> dict:
    return pio.templates[name].to_plotly_json()


def themed(figure: go.Figure, theme: str | None) -> dict:
    """The figure as JSON with the theme's template, like ``theme.apply_theme`` but in ~1 ms, not ~25:
    assigning a template object to a figure validates and deep-copies all of it."""
    data = figure.to_plotly_json()
    data["layout"]["template"] = _template_json(template_name(theme))
    return data


def _bar_colours(labels, selected) -> list[str]:
    selected = {str(s) for s in selected}
    if not selected:
        return [SELECTED] * len(labels)
    return [SELECTED if str(label) in selected else MUTED for label in labels]


def timeseries_figure(series: pd.DataFrame, trend: dict, selected: tuple[int, int] | None, granularity: str) -> go.Figure:
    """Events per bucket with outliers marked, the selected interval shaded and its trend line.

    The trend line is green when rising and red when falling; its width grows with |t|.
    """
    figure = go.Figure()
    # Plain lists (UTC wall time), not typed arrays: live mode patches single points and appends.
    x = series["time"].dt.strftime("%Y-%m-%d %H:%M").tolist()
    figure.add_trace(go.Scattergl(x=x, y=series["events"].tolist(), mode="lines", name="events", line=dict(width=1.5)))
    figure.add_trace(
        go.Scattergl(x=x, y=series["errors"].tolist(), mode="lines", name="errors (4xx/5xx)", line=dict(width=1, color="#dc3545"))
    )
    outliers = series[series["outlier"]]
    figure.add_trace(
        go.Scattergl(
            x=outliers["time"], y=outliers["events"], mode="markers", name="outlier (|robust z| > 3.5)",
            marker=dict(size=9, symbol="circle-open", color="#ffc107", line=dict(width=2)),
            customdata=outliers["z"].round(1), hovertemplate="%{x}<br>%{y} events<br>z=%{customdata}<extra></extra>",
        )
    )
    if selected is not None and len(series):
        start, end = (pd.Timestamp(v, unit="s", tz="UTC") for v in selected)
        figure.add_vrect(x0=start, x1=end, fillcolor=SELECTED, opacity=0.08, line_width=0)
        in_range = (series["time"] >= start.floor("s") - pd.Timedelta(seconds=1)) & (series["time"] < end)
        positions = np.flatnonzero(in_range.to_numpy())
        if len(positions) >= 2:
            x = series["time"].iloc[positions]
            y = trend["intercept"] + trend["slope"] * np.arange(len(positions))
            rising = trend["slope"] >= 0
            width = float(np.clip(1 + abs(trend["t"]) / 3, 1, 8)) if np.isfinite(trend["t"]) else 8.0
            figure.add_trace(
                go.Scatter(
                    x=x, y=y, mode="lines", name=f"trend ({'rising' if rising else 'falling'}, t={trend['t']:.1f})",
                    line=dict(color="#20c997" if rising else "#dc3545", width=width),
                )
            )
    figure.update_layout(
        title=_title(f"Events per {granularity} — drag across the chart to select an interval"),
        dragmode="select", selectdirection="h", margin=MARGIN, legend=dict(orientation="h", y=-0.2), height=330,
        hovermode="x unified", uirevision="timeseries",
    )
    return figure


MAX_PATCHED_POINTS = 200


def timeseries_patch(figure: dict, first_changed: int, drawn: int, drawn_traces: int) -> Patch | dict:
    """Turn the time series the browser shows into ``figure`` by appending, not redrawing.

    Args:
        figure: The new time-series figure (JSON, from ``timeseries_figure``).
        first_changed: First bucket whose counts may differ from what is drawn.
        drawn: Buckets drawn now; the figure's first ``drawn`` share their times.
        drawn_traces: Traces drawn now (events, errors, outliers, and the trend when a range is set).

    Returns:
        A ``Patch`` that sets the changed buckets, appends the new ones and replaces the small
        outlier and trend traces; the whole figure when too many points changed.
    """
    data = figure["data"]
    if drawn - first_changed > MAX_PATCHED_POINTS:
        return figure
    patch = Patch()
    for trace in (0, 1):
        xs, ys = data[trace]["x"], data[trace]["y"]
        for i in range(max(first_changed, 0), drawn):
            patch["data"][trace]["y"][i] = ys[i]
        patch["data"][trace]["x"].extend(xs[drawn:])
        patch["data"][trace]["y"].extend(ys[drawn:])
    for trace in range(2, len(data)):
        if trace < drawn_traces:
            patch["data"][trace] = data[trace]
        else:
            patch["data"].append(data[trace])
    for trace in range(drawn_traces - 1, len(data) - 1, -1):
        del patch["data"][trace]
    return patch


def bars_figure(frame: pd.DataFrame, x: str, title: str, selected, horizontal: bool = False) -> go.Figure:
    labels = frame[x].astype(str).tolist()
    colours = _bar_colours(labels, selected)
    error_share = np.where(frame["events"] > 0, frame["errors"] / frame["events"].clip(lower=1), 0)
    hover = "%{x}: %{y} events<br>%{customdata:.1%} errors<extra></extra>"
    if horizontal:
        bar = go.Bar(y=labels, x=frame["events"], orientation="h", marker_color=colours, customdata=error_share,
                     hovertemplate="%{y}: %{x} events<br>%{customdata:.1%} errors<extra></extra>")
    else:
        bar = go.Bar(x=labels, y=frame["events"], marker_color=colours, customdata=error_share, hovertemplate=hover)
    figure = go.Figure(bar)
    figure.update_layout(title=_title(title), margin=MARGIN, height=300, clickmode="event")
    if horizontal:
        figure.update_yaxes(autorange="reversed", type="category")
    else:
        figure.update_xaxes(type="category")
    return figure


def status_figure(frame: pd.DataFrame, selected) -> go.Figure:
    labels = frame["label"].tolist()
    selected = {str(s) for s in selected}
    colours = [STATUS_COLOURS.get(label[:1], "#6c757d") for label in labels]
    pull = [0.08 if label in selected else 0 for label in labels]
    figure = go.Figure(
        go.Pie(
            labels=labels, values=frame["events"], hole=0.45, marker=dict(colors=colours), pull=pull, sort=False,
            textinfo="label", textposition="inside", insidetextorientation="horizontal",
            hovertemplate="%{label}: %{value} events (%{percent})<extra></extra>",
        )
    )
    figure.update_layout(title=_title("Status codes — click a slice to filter"), margin=MARGIN, height=300, showlegend=True)
    return figure


def heatmap_figure(counts: np.ndarray) -> go.Figure:
    figure = go.Figure(
        go.Heatmap(z=counts, x=list(range(24)), y=WEEKDAYS, colorscale="Viridis",
                   hovertemplate="%{y} %{x}:00 — %{z} events<extra></extra>")
    )
    figure.update_layout(title=_title("Seasonality: day of week × hour of day (UTC)"), margin=MARGIN, height=300)
    figure.update_yaxes(autorange="reversed")
    return figure
