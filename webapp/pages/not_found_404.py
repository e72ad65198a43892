"""Shown for any path no page claims (the server also answers it with HTTP 404)."""

import dash
import dash_bootstrap_components as dbc
from dash import html

dash.register_page(__name__, path="/404", name="Not found", title="Not found · Glassbox")

layout = html.Div(
    [
        html.H1("Page not found", id="not-found-title"),
        html.P("There is no page at this address."),
        dbc.Button("Back to Glassbox", href="/", color="primary", id="not-found-home"),
    ]
)
