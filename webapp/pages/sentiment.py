"""Sentiment: Where the tweet sentiment model errs and why; find and fix mislabeled tweets, then retrain."""

import dash
from dash import html

dash.register_page(__name__, path="/sentiment", name="Sentiment", order=2, title="Sentiment · Glassbox")

layout = html.Div(
    [
        html.H1("Sentiment", id="sentiment-title"),
        html.P("Where the tweet sentiment model errs and why; find and fix mislabeled tweets, then retrain.", className="lead"),
    ]
)
