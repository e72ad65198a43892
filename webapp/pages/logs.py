"""Logs: Access logs as a cross-filtered dashboard: trends, seasonality, outliers, products, categories and status codes."""

import dash
from dash import html

dash.register_page(__name__, path="/logs", name="Logs", order=1, title="Logs · Glassbox")

layout = html.Div(
    [
        html.H1("Logs", id="logs-title"),
        html.P("Access logs as a cross-filtered dashboard: trends, seasonality, outliers, products, categories and status codes.", className="lead"),
    ]
)
