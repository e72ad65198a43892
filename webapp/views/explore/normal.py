"""1. The normal distribution: pure UI, so the density and its title are redrawn in the browser
(``assets/explore.js``), with no server round trip."""

from dash import ClientsideFunction, Input, Output, State, clientside_callback

from webapp.views.explore import ids

clientside_callback(
    ClientsideFunction(namespace="explore", function_name="normal"),
    Output(ids.NORMAL, "figure"),
    Input(ids.MU, "value"),
    Input(ids.SIGMA, "value"),
    State(ids.NORMAL, "figure"),
    prevent_initial_call=True,
)
