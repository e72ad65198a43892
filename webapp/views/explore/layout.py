"""The Explore page's layout: three cards, one per explainer."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from models.explore import kernel as kernel_model
from models.explore.interval import window_options
from models.explore.kernel import sample_points
from webapp.components import explore_figures as figs
from webapp.components.theme import follow_theme, themed
from webapp.views.explore import ids
from webapp.views.explore.index import sp500

# Graphs start with an (invisible) figure so the theme follower has something to patch.
BLANK = {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}}}


def layout(**_query):
    years = sp500()["date"].dt.year
    first, last = int(years.min()), int(years.max())
    normal = dbc.Card(
        dbc.CardBody(
            [
                html.H2("1. The normal distribution", className="h6"),
                dcc.Graph(
                    id=ids.NORMAL,
                    figure=themed(figs.normal_figure(0, 1), "dark"),
                    style={"height": "300px"},
                    config={"displayModeBar": False},
                ),
                dbc.Label("mu", html_for=ids.MU, className="small mb-0"),
                dcc.Slider(
                    id=ids.MU,
                    min=-5,
                    max=5,
                    step=0.1,
                    value=0,
                    marks={v: str(v) for v in range(-5, 6)},
                    updatemode="drag",
                ),
                dbc.Label("sigma", html_for=ids.SIGMA, className="small mb-0"),
                dcc.Slider(
                    id=ids.SIGMA,
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
                dcc.Graph(id=ids.KERNEL, figure=BLANK, style={"height": "380px"}, config={"displayModeBar": False}),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label("bandwidth", html_for=ids.BANDWIDTH, className="small mb-0"),
                                # The slider moves on a log scale; the box beside it shows (and takes) the
                                # bandwidth itself, the number the caption reports.
                                html.Div(
                                    [
                                        dcc.Slider(
                                            id=ids.BANDWIDTH,
                                            min=-1.3,
                                            max=3,
                                            step=0.05,
                                            value=0,
                                            marks={-1: "0.1", 0: "1", 1: "10", 2: "100", 3: "1000"},
                                            allow_direct_input=False,
                                            className="flex-grow-1",
                                        ),
                                        dbc.Label(
                                            "bandwidth value", html_for=ids.BANDWIDTH_BOX, class_name="visually-hidden"
                                        ),
                                        dbc.Input(
                                            id=ids.BANDWIDTH_BOX,
                                            type="number",
                                            min=round(kernel_model.BANDWIDTH_RANGE[0], 3),
                                            max=kernel_model.BANDWIDTH_RANGE[1],
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
                                dbc.Label("polynomial order", html_for=ids.ORDER, className="small mb-0"),
                                dcc.Slider(
                                    id=ids.ORDER, min=0, max=4, step=1, value=1, marks={i: str(i) for i in range(5)}
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
                                dbc.Label(
                                    "test point (its kernel is drawn)", html_for=ids.TEST_X, className="small mb-0"
                                ),
                                dcc.Slider(
                                    id=ids.TEST_X,
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
                                    id=ids.BANDS,
                                    options=[{"label": "±1 standard deviation", "value": "sd"}],
                                    value=["sd"],
                                    switch=True,
                                ),
                                dbc.Button(
                                    "Reset points",
                                    id=ids.RESET_POINTS,
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
                html.P(id=ids.KERNEL_INFO, className="small text-body-secondary mb-0"),
                dcc.Store(id=ids.POINTS, data=sample_points()),
                dcc.Store(id=ids.SELECTED),
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
                                id=ids.LOG_SCALE,
                                options=[{"label": "log scale", "value": "log"}],
                                value=["log"],
                                switch=True,
                            ),
                            md="auto",
                        ),
                        dbc.Col(
                            dbc.InputGroup(
                                [
                                    dbc.Label("window", html_for=ids.WINDOW_YEARS, class_name="input-group-text mb-0"),
                                    dbc.Select(
                                        id=ids.WINDOW_YEARS,
                                        options=window_options(),
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
                dbc.Label("window start year", html_for=ids.WINDOW_START, class_name="visually-hidden"),
                dcc.Slider(
                    id=ids.WINDOW_START,
                    min=first,
                    max=last - 1,
                    step=1,
                    value=2007,
                    marks={yr: str(yr) for yr in range(1930, last + 1, 10)},
                    className="mt-2",
                ),
                dcc.Graph(
                    id=ids.INDEX,
                    figure=BLANK,
                    style={"height": "420px"},
                    config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d"]},
                ),
                html.Div(id=ids.INDEX_STATS, className="small"),
                dcc.Store(id=ids.INTERVAL),
            ]
        )
    )
    return html.Div(
        [
            html.H1("Explore", className="h3", id=ids.TITLE),
            html.P(
                "Three small explainers from the seed talk: move a control, and the figure follows.",
                className="text-body-secondary",
            ),
            dbc.Row([dbc.Col(normal, lg=5), dbc.Col(kernel, lg=7)], className="g-3"),
            dbc.Row([dbc.Col(index)], className="g-3 mt-1 mb-4"),
        ]
    )


follow_theme(*ids.GRAPHS)  # every figure of the page follows the theme switch
