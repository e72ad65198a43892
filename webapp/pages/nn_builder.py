"""NN Builder: Design a Keras network, train it live and look inside it."""

import dash
from dash import html

dash.register_page(__name__, path="/nn-builder", name="NN Builder", order=3, title="NN Builder · Glassbox")

layout = html.Div(
    [
        html.H1("NN Builder", id="nn-builder-title"),
        html.P("Design a Keras network, train it live and look inside it.", className="lead"),
    ]
)
