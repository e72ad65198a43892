"""3. The S&P 500: the interval (dragged across the chart, or a window of fixed width) and its statistics."""

from __future__ import annotations

import flask
import numpy as np
import pandas as pd
from dash import Input, Output, State, callback, ctx, html, no_update

from models.explore.index import interval_stats, load_sp500
from models.explore.interval import dragged_interval, window_interval, window_options
from webapp import ids as shell_ids
from webapp.components import explore_figures as figs
from webapp.components.theme import themed
from webapp.views.explore import ids


def sp500() -> pd.DataFrame:
    """The index's daily closes, from the app's data folder (or its mirror)."""
    config = flask.current_app.config
    return load_sp500(config["DATA_DIR"], config.get("DATA_MIRROR"))


@callback(
    output={
        "interval": Output(ids.INTERVAL, "data"),
        "start": Output(ids.WINDOW_START, "value"),
        "years": Output(ids.WINDOW_YEARS, "value"),
        "options": Output(ids.WINDOW_YEARS, "options"),
    },
    inputs={
        "selected": Input(ids.INDEX, "selectedData"),
        "start_year": Input(ids.WINDOW_START, "value"),
        "years": Input(ids.WINDOW_YEARS, "value"),
    },
    state={"last_year": State(ids.WINDOW_START, "max")},
)
def choose_interval(selected, start_year, years, last_year):
    """A dragged selection sets the interval, and the window controls move to show it; the window slider and
    width set a fixed-width interval."""
    unchanged = {"interval": no_update, "start": no_update, "years": no_update, "options": no_update}
    if ctx.triggered_id == ids.INDEX:
        if not (selected and selected.get("range", {}).get("x")):
            return unchanged
        interval = dragged_interval(*selected["range"]["x"])
        width = interval["years"]
        return {
            "interval": interval,
            "start": min(pd.Timestamp(interval["start"]).year, last_year),
            "years": f"{width:g}",
            "options": window_options(width),
        }
    width = float(years or 2)
    return {**unchanged, "interval": window_interval(int(start_year), width), "options": window_options(width)}


@callback(
    output={"figure": Output(ids.INDEX, "figure"), "stats": Output(ids.INDEX_STATS, "children")},
    inputs={"interval": Input(ids.INTERVAL, "data"), "log_scale": Input(ids.LOG_SCALE, "value")},
    state={"theme": State(shell_ids.THEME_STORE, "data")},
)
def render_index(interval, log_scale, theme):
    """The index with the interval's trend line, and a caption with the interval's return, volatility and trend."""
    frame = sp500()
    stats = interval_stats(frame["date"], frame["close"], interval["start"], interval["end"]) if interval else None
    figure = figs.index_figure(frame, stats, "log" in (log_scale or []))
    return {"figure": themed(figure, theme), "stats": _interval_caption(stats)}


def _interval_caption(stats: dict | None):
    if not stats:
        return "Drag across the chart, or slide the window, to choose an interval."
    return html.Span(
        [
            html.Strong(f"{stats['start']:%Y-%m-%d} → {stats['end']:%Y-%m-%d}"),
            f" ({stats['days']:,} trading days): total return ",
            html.Strong(f"{stats['total_return']:+.1%}", id=ids.TOTAL_RETURN),
            f", annualised volatility {stats['volatility']:.1%}, trend {np.expm1(stats['slope']):+.1%} a year "
            f"(t = {stats['t']:.1f}).",
        ]
    )
