"""The NN Builder's layout: five wizard tabs and the stores that link them."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from models.nn import spec as nnspec
from webapp.components.theme import follow_theme
from webapp.roles import can
from webapp.views.nn_builder import architecture, diagnostics, parameters, runs, training
from webapp.views.nn_builder.ids import DATA, DRAWN, GRAPHS, LIVE, REJECTED, REQUEST, RESULT, TABS, TITLE, UPLOADED


def layout(**_query):
    spec = nnspec.default_spec("regression")
    viewer = not can("editor")  # a viewer's page shows no upload, Train, Stop or share control
    return html.Div(
        [
            html.H1("NN Builder", id=TITLE, className="h3"),
            html.P(
                "Design a Keras network, train it live and look inside it: loss curves grow epoch by epoch, and the "
                "weight, bias and activation histograms show saturated or dead layers.",
                className="text-body-secondary",
            ),
            dbc.Tabs(
                [
                    dbc.Tab(
                        parameters.tab(spec, nnspec.choices(), viewer), label="Network Parameters", tab_id="params"
                    ),
                    dbc.Tab(architecture.tab(spec), label="Architecture", tab_id="architecture"),
                    dbc.Tab(training.tab(viewer), label="Training", tab_id="training"),
                    dbc.Tab(diagnostics.tab(), label="Diagnostics", tab_id="diagnostics"),
                    dbc.Tab(runs.tab(), label="Runs", tab_id="runs"),
                ],
                id=TABS,
                active_tab="params",
            ),
            *(dcc.Store(id=store) for store in (DATA, REQUEST, LIVE, DRAWN, RESULT, UPLOADED, REJECTED)),
        ]
    )


follow_theme(*GRAPHS)  # every figure of the page follows the theme switch
