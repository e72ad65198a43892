"""Architecture tab: the hidden layers as a table with + and −, and a drawing of the network."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from models.nn import form
from models.nn import spec as nnspec
from webapp import ids as shell
from webapp.components import nn_figures as figs
from webapp.components.theme import themed
from webapp.views.nn_builder.common import BLANK
from webapp.views.nn_builder.ids import (
    ACTIVATION,
    ADD,
    BATCH_NORM,
    DATA,
    DROPOUT,
    INPUTS_CELL,
    LAYER_ROWS,
    NETWORK,
    OUTPUTS_CELL,
    REMOVE,
    UNITS,
)

# The layer table's columns, one list per kind (units, activation, batch norm, dropout), in row order.
LAYER_STATES = [State({"type": t, "index": ALL}, "value") for t in (UNITS, ACTIVATION, BATCH_NORM, DROPOUT)]
LAYER_INPUTS = [Input({"type": t, "index": ALL}, "value") for t in (UNITS, ACTIVATION, BATCH_NORM, DROPOUT)]


def _layer_row(index: int, layer: dict, activations: list[str]):
    def cell(kind, **props):
        return html.Td(dbc.Input(id={"type": kind, "index": index}, type="number", size="sm", **props))

    return html.Tr(
        [
            html.Td(f"dense_{index + 1}", className="small align-middle"),
            cell(UNITS, value=layer["units"], step=1),
            html.Td(
                dbc.Select(
                    id={"type": ACTIVATION, "index": index}, options=activations, value=layer["activation"], size="sm"
                )
            ),
            html.Td(
                dbc.Checkbox(id={"type": BATCH_NORM, "index": index}, value=bool(layer["batch_norm"])),
                className="align-middle",
            ),
            cell(DROPOUT, value=layer["dropout"], step=0.05),
        ]
    )


def layer_rows(layers: list[dict]) -> list:
    """One table row of inputs per hidden layer."""
    activations = nnspec.choices()["activations"]
    return [_layer_row(k, layer, activations) for k, layer in enumerate(layers)]


def _fixed_row(label: str, cell_id: str):
    return html.Tbody(html.Tr([html.Td(label, className="small"), html.Td(id=cell_id, colSpan=4, className="small")]))


def tab(spec: dict):
    """The tab's content for a starting spec."""
    head = html.Thead(html.Tr([html.Th(h) for h in ("layer", "units", "activation", "batch norm", "dropout")]))
    table = dbc.Table(
        [
            head,
            _fixed_row("inputs", INPUTS_CELL),
            html.Tbody(layer_rows(spec["layers"]), id=LAYER_ROWS),
            _fixed_row("output", OUTPUTS_CELL),
        ],
        size="sm",
        className="align-middle",
    )
    buttons = html.Div(
        [
            dbc.Button("+ layer", id=ADD, size="sm", className="me-2"),
            dbc.Button("− layer", id=REMOVE, size="sm", color="secondary", outline=True),
        ],
        className="mb-2",
    )
    drawing = dcc.Graph(id=NETWORK, figure=BLANK, config={"displayModeBar": False}, style={"height": "380px"})
    return dbc.Row([dbc.Col([buttons, table], lg=6), dbc.Col(drawing, lg=6)], className="g-3 pt-3")


@callback(
    Output(LAYER_ROWS, "children"),
    Input(ADD, "n_clicks"),
    Input(REMOVE, "n_clicks"),
    *LAYER_STATES,
    prevent_initial_call=True,
)
def edit_layers(_add, _remove, units, activations, batch_norms, dropouts):
    """+ appends a copy of the last layer (or a default one); − drops the last layer."""
    layers = form.layers_from_columns(units, activations, batch_norms, dropouts)
    if ctx.triggered_id == ADD:
        layers.append(dict(layers[-1]) if layers else dict(nnspec.LAYER_DEFAULTS))
    elif layers:
        layers.pop()
    return layer_rows(layers)


@callback(Output(NETWORK, "figure"), Input(DATA, "data"), *LAYER_INPUTS, State(shell.THEME_STORE, "data"))
def draw_network(info, units, activations, batch_norms, dropouts, theme):
    """The network as columns of units, from the data's inputs through the hidden layers to the outputs."""
    if not info:
        return no_update
    classification = info["task"] == "classification"
    figure = figs.network_figure(
        len(info["features"]),
        form.layers_from_columns(units, activations, batch_norms, dropouts),
        len(info["classes"]) if classification else 1,
        "softmax" if classification else "linear",
    )
    return themed(figure, theme)
