"""Explore: the seed talk's three small interactive explainers, linked the Dash way."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import flask
import numpy as np
import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from models.explore.index import interval_stats, load_sp500
from models.explore.kernel import gaussian_weights, kernel_fit, noisy_sample
from webapp import ids
from webapp.components import explore_figures as figs
from webapp.components.theme import follow_theme, themed

dash.register_page(__name__, path="/explore", name="Explore", order=4, title="Explore · Glassbox")

P = "explore-"
NORMAL, MU, SIGMA = P + "normal", P + "mu", P + "sigma"
KERNEL, POINTS, SELECTED, BANDWIDTH, ORDER, BANDS, TEST_X, RESET_POINTS, KERNEL_INFO = (
    P + n
    for n in (
        "kernel",
        "points",
        "selected-point",
        "bandwidth",
        "order",
        "bands",
        "test-x",
        "reset-points",
        "kernel-info",
    )
)
BANDWIDTH_BOX = P + "bandwidth-value"
BANDWIDTH_RANGE = (10**-1.3, 1000.0)
WINDOW_CHOICES = (1, 2, 5, 10, 20)
INDEX, LOG_SCALE, WINDOW_YEARS, WINDOW_START, INTERVAL, INDEX_STATS = (
    P + n for n in ("index", "log-scale", "window-years", "window-start", "interval", "index-stats")
)
GRAPHS = (NORMAL, KERNEL, INDEX)
# Graphs start with an (invisible) figure so the theme follower has something to patch.
BLANK = {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}}}


def _sp500() -> pd.DataFrame:
    config = flask.current_app.config
    return load_sp500(config["DATA_DIR"], config.get("DATA_MIRROR"))


def _rounded(bandwidth: float) -> float:
    """The bandwidth as box and caption both show it: three significant digits."""
    return float(f"{bandwidth:.3g}")


def _years(width: float) -> str:
    return f"{width:g} year" + ("" if width == 1 else "s")


def _window_options(dragged: float | None = None) -> list[dict]:
    """The window widths on offer; a dragged width that is not one of them is added, labelled as dragged."""
    options = [{"label": _years(n), "value": str(n)} for n in WINDOW_CHOICES]
    if dragged is not None and dragged not in WINDOW_CHOICES:
        options.append({"label": f"{_years(dragged)} (dragged)", "value": f"{dragged:g}"})
    return options


def layout(**_query):
    x, y = noisy_sample()
    years = _sp500()["date"].dt.year
    first, last = int(years.min()), int(years.max())
    normal = dbc.Card(
        dbc.CardBody(
            [
                html.H2("1. The normal distribution", className="h6"),
                dcc.Graph(
                    id=NORMAL,
                    figure=themed(figs.normal_figure(0, 1), "dark"),
                    style={"height": "300px"},
                    config={"displayModeBar": False},
                ),
                dbc.Label("mu", html_for=MU, className="small mb-0"),
                dcc.Slider(
                    id=MU, min=-5, max=5, step=0.1, value=0, marks={v: str(v) for v in range(-5, 6)}, updatemode="drag"
                ),
                dbc.Label("sigma", html_for=SIGMA, className="small mb-0"),
                dcc.Slider(
                    id=SIGMA,
                    min=0.2,
                    max=5,
                    step=0.1,
                    value=1,
                    marks={v: str(v) for v in (0.2, 1, 2, 3, 4, 5)},
                    updatemode="drag",
                ),
                html.P(
                    "Redrawn in the browser on every move: no server round trip.",
                    className="small text-body-secondary mb-0",
                ),
            ]
        ),
        className="h-100",
    )
    kernel = dbc.Card(
        dbc.CardBody(
            [
                html.H2("2. Kernel regression", className="h6"),
                dcc.Graph(id=KERNEL, figure=BLANK, style={"height": "380px"}, config={"displayModeBar": False}),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label("bandwidth", html_for=BANDWIDTH, className="small mb-0"),
                                # The slider moves on a log scale; the box beside it shows (and takes) the
                                # bandwidth itself, the number the caption reports.
                                html.Div(
                                    [
                                        dcc.Slider(
                                            id=BANDWIDTH,
                                            min=-1.3,
                                            max=3,
                                            step=0.05,
                                            value=0,
                                            marks={-1: "0.1", 0: "1", 1: "10", 2: "100", 3: "1000"},
                                            allow_direct_input=False,
                                            className="flex-grow-1",
                                        ),
                                        dbc.Label(
                                            "bandwidth value", html_for=BANDWIDTH_BOX, class_name="visually-hidden"
                                        ),
                                        dbc.Input(
                                            id=BANDWIDTH_BOX,
                                            type="number",
                                            min=round(BANDWIDTH_RANGE[0], 3),
                                            max=BANDWIDTH_RANGE[1],
                                            step="any",
                                            value=1,
                                            debounce=True,
                                            size="sm",
                                            style={"width": "6rem"},
                                        ),
                                    ],
                                    className="d-flex align-items-start gap-2",
                                ),
                            ],
                            md=6,
                        ),
                        dbc.Col(
                            [
                                dbc.Label("polynomial order", html_for=ORDER, className="small mb-0"),
                                dcc.Slider(
                                    id=ORDER, min=0, max=4, step=1, value=1, marks={i: str(i) for i in range(5)}
                                ),
                            ],
                            md=6,
                        ),
                    ]
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label("test point (its kernel is drawn)", html_for=TEST_X, className="small mb-0"),
                                dcc.Slider(
                                    id=TEST_X,
                                    min=0,
                                    max=10,
                                    step=0.1,
                                    value=5,
                                    marks={i: str(i) for i in range(0, 11, 2)},
                                ),
                            ],
                            md=6,
                        ),
                        dbc.Col(
                            [
                                dbc.Checklist(
                                    id=BANDS,
                                    options=[{"label": "±1 standard deviation", "value": "sd"}],
                                    value=["sd"],
                                    switch=True,
                                ),
                                dbc.Button(
                                    "Reset points",
                                    id=RESET_POINTS,
                                    size="sm",
                                    color="secondary",
                                    outline=True,
                                    className="mt-1",
                                ),
                            ],
                            md=6,
                        ),
                    ]
                ),
                html.P(id=KERNEL_INFO, className="small text-body-secondary mb-0"),
                dcc.Store(id=POINTS, data={"x": x.round(3).tolist(), "y": y.round(3).tolist()}),
                dcc.Store(id=SELECTED),
            ]
        ),
        className="h-100",
    )
    index = dbc.Card(
        dbc.CardBody(
            [
                html.H2("3. S&P 500: an interval's trend", className="h6"),
                dbc.Row(
                    [
                        dbc.Col(
                            dbc.Checklist(
                                id=LOG_SCALE,
                                options=[{"label": "log scale", "value": "log"}],
                                value=["log"],
                                switch=True,
                            ),
                            md="auto",
                        ),
                        dbc.Col(
                            dbc.InputGroup(
                                [
                                    dbc.Label("window", html_for=WINDOW_YEARS, class_name="input-group-text mb-0"),
                                    dbc.Select(
                                        id=WINDOW_YEARS,
                                        options=_window_options(),
                                        value="2",
                                        placeholder="window width",  # dbc adds it as a hidden first option
                                    ),
                                ],
                                size="sm",
                            ),
                            md="auto",
                        ),
                    ],
                    className="g-2 align-items-center",
                ),
                dbc.Label("window start year", html_for=WINDOW_START, class_name="visually-hidden"),
                dcc.Slider(
                    id=WINDOW_START,
                    min=first,
                    max=last - 1,
                    step=1,
                    value=2007,
                    marks={yr: str(yr) for yr in range(1930, last + 1, 10)},
                    className="mt-2",
                ),
                dcc.Graph(
                    id=INDEX,
                    figure=BLANK,
                    style={"height": "420px"},
                    config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d"]},
                ),
                html.Div(id=INDEX_STATS, className="small"),
                dcc.Store(id=INTERVAL),
            ]
        )
    )
    return html.Div(
        [
            html.H1("Explore", className="h3", id="explore-title"),
            html.P(
                "Three small explainers from the seed talk: move a control, and the figure follows.",
                className="text-body-secondary",
            ),
            dbc.Row([dbc.Col(normal, lg=5), dbc.Col(kernel, lg=7)], className="g-3"),
            dbc.Row([dbc.Col(index)], className="g-3 mt-1 mb-4"),
        ]
    )


# 1. Pure UI: the density and its title are recomputed in the browser, the figure's theme kept.
clientside_callback(
    """
    function (mu, sigma, figure) {
        const x = [], y = [];
        for (let i = 0; i <= 400; i++) {
            const v = -10 + i * 0.05;
            x.push(v);
            y.push(Math.exp(-0.5 * ((v - mu) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI)));
        }
        const out = Object.assign({}, figure);
        out.data = [Object.assign({}, figure.data[0], {x: x, y: y})];
        out.layout = Object.assign({}, figure.layout, {title: Object.assign({}, figure.layout.title, {text: `N(mu=${mu}, sigma=${sigma})`})});
        return out;
    }
    """,
    Output(NORMAL, "figure"),
    Input(MU, "value"),
    Input(SIGMA, "value"),
    State(NORMAL, "figure"),
    prevent_initial_call=True,
)


@callback(
    Output(POINTS, "data"),
    Output(SELECTED, "data"),
    Input(KERNEL, "clickData"),
    Input(RESET_POINTS, "n_clicks"),
    State(POINTS, "data"),
    State(SELECTED, "data"),
    prevent_initial_call=True,
)
def edit_points(click, _reset, points, selected):
    """Click a point to pick it up, click anywhere else to put it there; a click on empty space adds a point."""
    if ctx.triggered_id == RESET_POINTS:
        x, y = noisy_sample()
        return {"x": x.round(3).tolist(), "y": y.round(3).tolist()}, None
    if not click:
        return no_update, no_update
    point = click["points"][0]
    if point.get("curveNumber") == 1:  # the data points trace
        index = int(point["pointIndex"])
        return no_update, None if selected == index else index
    x, y = round(float(point["x"]), 3), round(float(point["y"]), 3)
    xs, ys = list(points["x"]), list(points["y"])
    if selected is not None and selected < len(xs):
        xs[selected], ys[selected] = x, y
    else:
        xs.append(x)
        ys.append(y)
    return {"x": xs, "y": ys}, None


@callback(
    Output(KERNEL, "figure"),
    Output(KERNEL_INFO, "children"),
    Input(POINTS, "data"),
    Input(SELECTED, "data"),
    Input(BANDWIDTH, "value"),
    Input(ORDER, "value"),
    Input(BANDS, "value"),
    Input(TEST_X, "value"),
    State(ids.THEME_STORE, "data"),
)
def render_kernel(points, selected, log_bandwidth, order, bands, test_x, theme):
    x, y = np.asarray(points["x"]), np.asarray(points["y"])
    bandwidth = float(10**log_bandwidth)
    try:
        fit = kernel_fit(x, y, bandwidth, int(order))
    except ValueError as exc:
        return themed(figs.kernel_figure(x, y, order, selected), theme), str(exc)
    kernel = gaussian_weights(fit.x, np.asarray([test_x]), bandwidth)[0]
    figure = figs.kernel_figure(x, y, order, selected, fit, "sd" in (bands or []), test_x, kernel)
    info = (
        f"{len(x)} points, bandwidth {_rounded(bandwidth):g}, order {order}. Click a point to pick it up, then click "
        "where it should go; click empty space to add one."
    )
    return themed(figure, theme), info


@callback(
    output={
        "interval": Output(INTERVAL, "data"),
        "start": Output(WINDOW_START, "value"),
        "years": Output(WINDOW_YEARS, "value"),
        "options": Output(WINDOW_YEARS, "options"),
    },
    inputs={
        "selected": Input(INDEX, "selectedData"),
        "start_year": Input(WINDOW_START, "value"),
        "years": Input(WINDOW_YEARS, "value"),
    },
    state={"last_year": State(WINDOW_START, "max")},
)
def choose_interval(selected, start_year, years, last_year):
    """A dragged selection sets the interval, and the window controls move to show it; the window slider and
    width set a fixed-width interval."""
    unchanged = {"interval": no_update, "start": no_update, "years": no_update, "options": no_update}
    if ctx.triggered_id == INDEX:
        if not (selected and selected.get("range", {}).get("x")):
            return unchanged
        interval = dragged_interval(*selected["range"]["x"])
        width = interval["years"]
        return {
            "interval": interval,
            "start": min(pd.Timestamp(interval["start"]).year, last_year),
            "years": f"{width:g}",
            "options": _window_options(width),
        }
    width = float(years or 2)
    return {**unchanged, "interval": window_interval(int(start_year), width), "options": _window_options(width)}


def dragged_interval(start, end) -> dict:
    """A dragged x range (Plotly date strings) as an interval, with its width in years to one decimal."""
    start, end = sorted((pd.Timestamp(str(start)[:10]), pd.Timestamp(str(end)[:10])))
    width = max(0.1, round((end - start) / pd.Timedelta(days=365.25), 1))
    return {"start": str(start.date()), "end": str(end.date()), "years": width}


def window_interval(start_year: int, years: float) -> dict:
    """The window of ``years`` from 1 January of ``start_year``; whole years end on 31 December."""
    start = pd.Timestamp(year=start_year, month=1, day=1)
    if float(years).is_integer():
        end = start + pd.DateOffset(years=int(years)) - pd.Timedelta(days=1)
    else:
        end = start + pd.Timedelta(days=round(years * 365.25)) - pd.Timedelta(days=1)
    return {"start": str(start.date()), "end": str(end.date()), "years": float(years)}


@callback(
    output={"slider": Output(BANDWIDTH, "value"), "box": Output(BANDWIDTH_BOX, "value")},
    inputs={"log_bandwidth": Input(BANDWIDTH, "value"), "typed": Input(BANDWIDTH_BOX, "value")},
    prevent_initial_call=True,
)
def sync_bandwidth(log_bandwidth, typed):
    """The slider moves in log10; the box shows the bandwidth itself, as the caption does. Typing a bandwidth in
    range moves the slider; the box then shows it as the caption will."""
    if ctx.triggered_id == BANDWIDTH_BOX:
        if typed is None:  # empty or not a number: the browser flags the box; the slider stays
            return {"slider": no_update, "box": no_update}
        log_bandwidth = float(np.log10(np.clip(float(typed), *BANDWIDTH_RANGE)))
        return {"slider": log_bandwidth, "box": _rounded(10**log_bandwidth)}
    return {"slider": no_update, "box": _rounded(10**log_bandwidth)}


@callback(
    Output(INDEX, "figure"),
    Output(INDEX_STATS, "children"),
    Input(INTERVAL, "data"),
    Input(LOG_SCALE, "value"),
    State(ids.THEME_STORE, "data"),
)
def render_index(interval, log_scale, theme):
    frame = _sp500()
    stats = interval_stats(frame["date"], frame["close"], interval["start"], interval["end"]) if interval else None
    figure = figs.index_figure(frame, stats, "log" in (log_scale or []))
    return themed(figure, theme), _interval_caption(stats)


def _interval_caption(stats: dict | None):
    if not stats:
        return "Drag across the chart, or slide the window, to choose an interval."
    return html.Span(
        [
            html.Strong(f"{stats['start']:%Y-%m-%d} → {stats['end']:%Y-%m-%d}"),
            f" ({stats['days']:,} trading days): total return ",
            html.Strong(f"{stats['total_return']:+.1%}", id=P + "total-return"),
            f", annualised volatility {stats['volatility']:.1%}, trend {np.expm1(stats['slope']):+.1%} a year "
            f"(t = {stats['t']:.1f}).",
        ]
    )


follow_theme(*GRAPHS)
