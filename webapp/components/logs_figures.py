"""Figure builders for the logs page: aggregates in, figures out (as the JSON dicts Dash sends, see
``_figure``). Nothing here filters or counts."""

from __future__ import annotations

import base64
import html

import numpy as np
import pandas as pd
from dash import Patch

from models.logs import downsample
from models.logs.aggregate import NONE_LABEL, WEEKDAYS, Filters

STATUS_COLOURS = {"1": "#6c757d", "2": "#198754", "3": "#0dcaf0", "4": "#fd7e14", "5": "#dc3545"}
SELECTED = "#0d6efd"
MUTED = "rgba(108,117,125,0.55)"
# The modebar takes the top 28 px on the right; titles sit on their own line below it, so a long
# title on a narrow chart never runs under the buttons. l=50 fits a count tick label ("600k").
MARGIN = dict(l=50, r=10, t=60, b=30)
# Axes lay out with fixed margins that fit their tick labels (see ``_label_margin``), not Plotly's
# automatic margins, and never measure each tick label against the chart's edge: both measure text
# in the page (getBoundingClientRect, a forced layout each) on every redraw, and automatic margins
# draw a chart twice when they move. In headless Chromium, time series and day bars redrew in half
# the time without them (bench/logs_browser.py).
FAST_AXIS = dict(automargin=False, ticklabeloverflow="allow")
# Pixels per character of a 12 px tick label, and the widest left margin before Plotly's automatic
# margin takes over for very long labels.
CHAR_PX = 8
MAX_LABEL_MARGIN = 260


def _title(text: str) -> dict:
    return dict(
        text=text,
        x=0,
        xref="paper",
        xanchor="left",
        y=1,
        yref="container",
        yanchor="top",
        pad=dict(t=30),
        font=dict(size=14),
    )


def _text(value) -> str:
    """Data as chart text: Plotly reads <b>, <br>, <a>... in labels, ticks and hover as markup, so a
    product id ``<b>x</b>`` in a log would turn bold; escaped, it is drawn as written."""
    return html.escape(str(value), quote=False)


def _bar_colours(labels, selected) -> list[str]:
    selected = {str(s) for s in selected}
    if not selected:
        return [SELECTED] * len(labels)
    return [SELECTED if str(label) in selected else MUTED for label in labels]


NO_EVENTS = "No events match these filters"


def _empty(title: str, height: int) -> dict:
    """A chart with nothing to draw says so, instead of showing -1..1 axes or a flat colour bar."""
    note = dict(text=NO_EVENTS, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=14))
    layout = _layout(title, height, xaxis=dict(visible=False), yaxis=dict(visible=False), annotations=[note])
    return _figure([], layout)


def _array(values: np.ndarray) -> dict | list:
    """A NumPy array as Plotly's typed-array JSON (``{"dtype", "bdata"}``, what ``go.Figure`` sends):
    int64 as int32 where it fits (JavaScript has no int64 arrays), else as float64."""
    values = np.asarray(values)
    if values.dtype.kind in "iub":
        fits = not values.size or (values.min() >= -(2**31) and values.max() < 2**31)
        values = values.astype(np.int32 if fits else np.float64)
    elif values.dtype.kind == "f":
        values = values.astype(np.float64, copy=False)
    else:
        return values.tolist()
    spec = {"dtype": "i4" if values.dtype == np.int32 else "f8", "bdata": base64.b64encode(values.tobytes()).decode()}
    if values.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in values.shape)
    return spec


def _figure(traces: list[dict], layout: dict) -> dict:
    """A figure as the JSON Dash sends, built from plain dicts without ``go.Figure``.

    ``go.Figure`` validates every property through plotly's validators and copies the figure to
    serialise it: with ``_validate=False`` too, seven figures took ~25 ms of each click, against
    ~1 ms here. The builders write full property paths (``marker=dict(color=...)``, never the
    ``marker_color`` shorthand, which only ``go.Figure`` expands); ``tests/unit/test_logs_figures.py``
    checks with plotly's validators that every builder's figure is valid.
    """
    for trace in traces:
        for key in ("x", "y", "z", "customdata"):
            if isinstance(trace.get(key), np.ndarray):
                trace[key] = _array(trace[key])
    return {"data": traces, "layout": layout}


def _layout(title: str, height: int, margin: dict | None = None, **more) -> dict:
    """Layout as a plain dict (see ``_figure``); ``theme.themed`` adds the theme. Both axes get
    ``FAST_AXIS`` unless they say otherwise; ``margin`` overrides sides of ``MARGIN``."""
    for axis in ("xaxis", "yaxis"):
        more[axis] = {**FAST_AXIS, **more.get(axis, {})}
    return dict(template="none", title=_title(title), margin={**MARGIN, **(margin or {})}, height=height, **more)


def _label_margin(labels: list[str]) -> dict:
    """The left margin that fits horizontal bars' category labels, and the axis settings that go with
    it: a fixed margin up to ``MAX_LABEL_MARGIN``, Plotly's automatic one for longer labels."""
    needed = CHAR_PX * max((len(label) for label in labels), default=0) + 12
    if needed > MAX_LABEL_MARGIN:
        return {"margin": {"l": MAX_LABEL_MARGIN}, "axis": {"automargin": True}}
    return {"margin": {"l": max(MARGIN["l"], needed)}, "axis": {}}


def _epoch_ms(series: pd.DataFrame) -> np.ndarray:
    # Epoch milliseconds on a date axis, as NumPy arrays: Plotly validates lists (or formats
    # dates) a hundred times slower than it encodes arrays. (float64: Plotly sends int64 as a
    # plain list, JavaScript has no int64 arrays; ms are exact.)
    return ((series["time"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)).to_numpy(np.float64)


def _line_points(x: np.ndarray, series: pd.DataFrame, window: tuple[float, float] | None) -> dict:
    """The plotted points of the events and errors lines: every bucket of a short series, and of a
    long one at most ``downsample.MAX_POINTS`` per line (twice that when zoomed: fine inside the
    visible ``window``, the overview outside), each run's min and max kept so spikes survive."""
    points = {}
    for column in ("events", "errors"):
        values = series[column].to_numpy()
        chosen = downsample.window_indices(x, values, window)
        points[column] = (x[chosen], values[chosen])
    return points


def timeseries_figure(
    series: pd.DataFrame,
    trend: dict,
    selected: tuple[int, int] | None,
    granularity: str,
    window: tuple[float, float] | None = None,
) -> dict:
    """Events per bucket with outliers marked, the selected interval shaded and its trend line.

    The trend line is green when rising and red when falling; its width grows with |t|. With no
    events at all the chart says so; with none in the selected interval it draws no trend.
    ``series`` holds every bucket (outliers, trend and range are computed on all of them); the
    lines plot a bounded number of points (see ``_line_points``), finer inside ``window``
    (epoch ms of the visible x range, None for the whole series).
    """
    title = f"Events per {granularity} — drag across the chart to select an interval"
    if not len(series) or not series["events"].sum():
        return _empty(title, 330)
    x = _epoch_ms(series)
    lines = _line_points(x, series, window)
    outliers = np.flatnonzero(series["outlier"].to_numpy())
    z = series["z"].to_numpy()
    if len(outliers) > downsample.MAX_POINTS:  # markers are points too: keep the strongest
        strongest = np.argsort(-np.abs(z[outliers]), kind="stable")[: downsample.MAX_POINTS]
        outliers = np.sort(outliers[strongest])
    # SVG, not WebGL (scattergl): the lines hold at most a few thousand points (``_line_points``), and in
    # headless Chromium (software WebGL) a click cost ~130 ms more CPU with scattergl, in the GPU process,
    # for no shorter main thread (bench/logs_browser.py); a page also gets only a few WebGL contexts.
    traces = [
        dict(
            type="scatter",
            x=lines["events"][0],
            y=lines["events"][1],
            mode="lines",
            name="events",
            line=dict(width=1.5),
        ),
        dict(
            type="scatter",
            x=lines["errors"][0],
            y=lines["errors"][1],
            mode="lines",
            name="errors (4xx/5xx)",
            line=dict(width=1, color="#dc3545"),
        ),
        dict(
            type="scatter",
            x=x[outliers],
            y=series["events"].to_numpy()[outliers],
            mode="markers",
            name="outlier (|robust z| > 3.5)",
            marker=dict(size=9, symbol="circle-open", color="#ffc107", line=dict(width=2)),
            customdata=z[outliers].round(1),
            hovertemplate="%{x}<br>%{y} events<br>z=%{customdata}<extra></extra>",
        ),
    ]
    shapes = []
    if selected is not None and len(series):
        start, end = selected
        shapes.append(
            dict(
                type="rect",
                xref="x",
                yref="paper",
                x0=start * 1000,
                x1=end * 1000,
                y0=0,
                y1=1,
                fillcolor=SELECTED,
                opacity=0.08,
                line=dict(width=0),
                layer="below",
            )
        )
        positions = np.flatnonzero((x >= (start - 1) * 1000) & (x < end * 1000))
        if len(positions) >= 2 and series["events"].to_numpy()[positions].sum():
            steps = np.arange(len(positions))
            if len(positions) > downsample.MAX_POINTS:  # a straight line: evenly spaced points draw it exactly
                steps = np.unique(np.linspace(0, len(positions) - 1, downsample.MAX_POINTS).astype(np.int64))
            y = trend["intercept"] + trend["slope"] * steps
            rising = trend["slope"] >= 0
            direction = "flat" if trend["slope"] == 0 else "rising" if rising else "falling"
            width = float(np.clip(1 + abs(trend["t"]) / 3, 1, 8)) if np.isfinite(trend["t"]) else 8.0
            traces.append(
                dict(
                    type="scatter",
                    x=x[positions[steps]],
                    y=y,
                    mode="lines",
                    name=f"trend ({direction}, t={trend['t']:.1f})",
                    line=dict(color="#20c997" if rising else "#dc3545", width=width),
                )
            )
    layout = _layout(
        title,
        330,
        dragmode="select",
        selectdirection="h",
        # The legend on the chart's bottom line, inside a margin that fits it and the two-line dates
        # (a legend placed on the plot area pushes the margins, which draws the chart twice).
        margin={"b": 80},
        legend=dict(orientation="h", yref="container", y=0, yanchor="bottom"),
        hovermode="x unified",
        uirevision="timeseries",
        xaxis=dict(type="date"),
        shapes=shapes,
    )
    return _figure(traces, layout)


def is_downsampled(series: pd.DataFrame) -> bool:
    """Whether the time series' lines plot fewer points than it has buckets (live mode then redraws)."""
    return len(series) > downsample.MAX_POINTS


def timeseries_zoom_patch(series: pd.DataFrame, window: tuple[float, float] | None) -> Patch:
    """A ``Patch`` that swaps the events and errors lines' points for those of ``window``.

    Only the two lines change: the outliers, the trend, the shading and the other charts were
    drawn from every bucket and stay as they are.
    """
    patch = Patch()
    lines = _line_points(_epoch_ms(series), series, window)
    for trace, column in enumerate(("events", "errors")):
        patch["data"][trace]["x"] = _array(lines[column][0])
        patch["data"][trace]["y"] = _array(lines[column][1])
    return patch


def plain_arrays(figure: dict, traces=(0, 1)) -> dict:
    """Decode the typed arrays (``{"dtype", "bdata"}``) of some traces of a JSON figure into lists.

    A ``Patch`` can set one point of a list and extend it, not a typed array: live mode draws
    the time series' events and errors as lists.
    """
    for trace in traces:
        if trace >= len(figure["data"]):  # an empty view draws no trace
            continue
        data = figure["data"][trace]
        for axis in ("x", "y"):
            value = data.get(axis)
            if isinstance(value, dict) and "bdata" in value:
                data[axis] = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
            elif isinstance(value, np.ndarray):
                data[axis] = value.tolist()
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


def bars_figure(frame: pd.DataFrame, x: str, title: str, selected, horizontal: bool = False) -> dict:
    if not len(frame) or not frame["events"].sum():
        return _empty(title, 300)
    raw = [str(label) for label in frame[x].tolist()]
    colours = _bar_colours(raw, selected)
    labels = [_text(label) for label in raw]
    events = frame["events"].to_numpy()
    error_share = np.where(events > 0, frame["errors"].to_numpy() / np.maximum(events, 1), 0)
    if horizontal:
        bar = dict(
            type="bar",
            y=labels,
            x=frame["events"].to_numpy(),
            orientation="h",
            marker=dict(color=colours),
            customdata=error_share,
            hovertemplate="%{y}: %{x} events<br>%{customdata:.1%} errors<extra></extra>",
        )
        fit = _label_margin(raw)
        axes = dict(yaxis=dict(autorange="reversed", type="category", **fit["axis"]), margin=fit["margin"])
    else:
        bar = dict(
            type="bar",
            x=labels,
            y=frame["events"].to_numpy(),
            marker=dict(color=colours),
            customdata=error_share,
            hovertemplate="%{x}: %{y} events<br>%{customdata:.1%} errors<extra></extra>",
        )
        # Long labels (days) turn upright when they do not fit side by side: room for them below.
        longest = max(len(label) for label in raw)
        axes = dict(xaxis=dict(type="category"), margin={"b": CHAR_PX * longest + 10} if longest > 3 else None)
    return _figure([bar], _layout(title, 300, clickmode="event", **axes))


def selection_patch(figure: dict) -> Patch:
    """A ``Patch`` that gives the chart drawn from the same counts ``figure``'s selection: its bars' colours
    (``bars_figure``) or its pulled-out slices (``status_figure``), nothing else."""
    patch = Patch()
    trace = figure["data"][0]
    if trace["type"] == "pie":
        patch["data"][0]["pull"] = trace["pull"]
    else:
        patch["data"][0]["marker"]["color"] = trace["marker"]["color"]
    return patch


def status_figure(frame: pd.DataFrame, selected) -> dict:
    title = "Status codes — click to filter"
    if not len(frame) or not frame["events"].sum():
        return _empty(title, 300)
    labels = frame["label"].astype(str).tolist()
    selected = {str(s) for s in selected}
    colours = [STATUS_COLOURS.get(label[:1], "#6c757d") for label in labels]
    pull = [0.08 if label in selected else 0 for label in labels]
    pie = dict(
        type="pie",
        labels=[_text(label) for label in labels],
        values=frame["events"].to_numpy(),
        hole=0.45,
        marker=dict(colors=colours),
        pull=pull,
        sort=False,
        textinfo="label",
        textposition="inside",
        insidetextorientation="horizontal",
        hovertemplate="%{label}: %{value} events (%{percent})<extra></extra>",
    )
    layout = _layout(title, 300, showlegend=True)
    # A pie has no axis to line up with: the title starts at the chart's edge, not 40 px in, so it
    # fits a third of a 900 px window.
    layout["title"].update(xref="container", pad=dict(t=30, l=8))
    return _figure([pie], layout)


def heatmap_figure(counts: np.ndarray) -> dict:
    title = "Seasonality: day of week × hour of day (UTC)"
    if not counts.sum():
        return _empty(title, 300)
    heatmap = dict(
        type="heatmap",
        z=counts,
        x=list(range(24)),
        y=WEEKDAYS,
        colorscale="Viridis",
        hovertemplate="%{y} %{x}:00 — %{z} events<extra></extra>",
    )
    layout = _layout(title, 300, yaxis=dict(autorange="reversed"))
    return _figure([heatmap], layout)


def _with_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """Requests without a product or category (static files, search...) would dwarf the bars."""
    return frame[frame["label"] != NONE_LABEL]


def dashboard_figures(
    data: dict, filters: Filters, granularity: str, window: tuple[float, float] | None = None
) -> dict[str, dict]:
    """Every chart of the logs page from one ``aggregate.dashboard`` result, by chart name.

    ``window`` is the time series' visible x range (epoch ms) when the user has zoomed it.

    Returns:
        ``timeseries``, ``daily``, ``hourly``, ``products``, ``categories``, ``status``, ``heatmap``.
    """
    selected_range = data["range"] if filters.start is not None or filters.end is not None else None
    return {
        "timeseries": timeseries_figure(data["timeseries"], data["trend"], selected_range, granularity, window),
        "daily": bars_figure(
            data["daily"], "day", "Events per day — click to filter (shift/ctrl: several)", filters.days
        ),
        "hourly": bars_figure(data["hourly"], "hour", "Events by hour of day (UTC)", [str(h) for h in filters.hours]),
        "products": bars_figure(
            _with_ids(data["products"]), "label", "Events by product (top 10)", filters.products, horizontal=True
        ),
        "categories": bars_figure(
            _with_ids(data["categories"]), "label", "Events by category", filters.categories, horizontal=True
        ),
        "status": status_figure(data["statuses"], [str(s) for s in filters.statuses]),
        "heatmap": heatmap_figure(data["heatmap"]),
    }
