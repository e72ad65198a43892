"""Small pieces every NN Builder tab uses: the blank figure, the alert style."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import plotly.graph_objects as go

from webapp.components.theme import themed

# Graphs start with an (invisible) figure so the theme follower has something to patch.
BLANK = {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}}}


def alert(message, color: str = "danger", **kwargs) -> dbc.Alert:
    """A compact alert for the page's status lines."""
    return dbc.Alert(message, color=color, className="py-2 small mb-0", **kwargs)


def themed_blank(theme: str | None) -> dict:
    """An empty figure in the theme's colours (a bare one is white in the dark theme)."""
    return {"data": [], "layout": {**BLANK["layout"], "template": themed(go.Figure(), theme)["layout"]["template"]}}
