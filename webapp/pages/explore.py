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
INDEX, LOG_SCALE, WINDOW_YEARS, WINDOW_START, INTERVAL, INDEX_STATS = (
    P + n for n in ("index", "log-scale", "window-years", "window-start", "interval", "index-stats")
)
GRAPHS = (NORMAL, KERNEL, INDEX)
# Graphs start with an (invisible) figure so the theme follower has something to patch.
BLANK = {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}}}


def _sp500() -> pd.DataFrame:
    config = flask.current_app.config
    return load_sp500(config["DATA_DIR"], config.get("DATA_MIRROR"))


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
                                dbc.Label("bandwidth (log scale)", className="small mb-0"),
                                dcc.Slider(
                                    id=BANDWIDTH,
                                    min=-1.3,
                                    max=3,
                                    step=0.05,
                                    value=0,
                                    marks={-1: "0.1", 0: "1", 1: "10", 2: "100", 3: "1000"},
                                ),
                            ],
                            md=6,
                        ),
                        dbc.Col(
                            [
                                dbc.Label("polynomial order", className="small mb-0"),
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
                                dbc.Label("test point (its kernel is drawn)", className="small mb-0"),
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
                                    dbc.InputGroupText("window"),
                                    dbc.Select(
                                        id=WINDOW_YEARS,
                                        options=[{"label": f"{n} years", "value": str(n)} for n in (1, 2, 5, 10, 20)],
                                        value="2",
                                    ),
                                ],
                                size="sm",
                            ),
                            md="auto",
                        ),
                    ],
                    className="g-2 align-items-center",
                ),
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
        f"{len(x)} points, bandwidth {bandwidth:.3g}, order {order}. Click a point to pick it up, then click "
        "where it should go; click empty space to add one."
    )
    return themed(figure, theme), info


@callback(
    Output(INTERVAL, "data"),
    Input(INDEX, "selectedData"),
    Input(WINDOW_START, "value"),
    Input(WINDOW_YEARS, "value"),
)
def choose_interval(selected, start_year, years):
    """A dragged selection sets the interval; the window slider and width set a fixed-width one."""
    if ctx.triggered_id == INDEX:
        if selected and selected.get("range", {}).get("x"):
            start, end = selected["range"]["x"]
            return {"start": str(start)[:10], "end": str(end)[:10]}
        return no_update
    start = pd.Timestamp(year=int(start_year), month=1, day=1)
    end = start + pd.DateOffset(years=int(years)) - pd.Timedelta(days=1)
    return {"start": str(start.date()), "end": str(end.date())}


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
