"""Small pieces the Sentiment callbacks share: the message alert, reading a plotted point, the current state."""

from __future__ import annotations

import dash_bootstrap_components as dbc

from models.sentiment.views import split_mask
from webapp import services


def alert(message: str, color: str = "danger"):
    """A dismissable message for the page's status line."""
    return dbc.Alert(message, color=color, className="py-2 small mb-0", dismissable=True)


def custom(point: dict) -> list:
    """A point's customdata as a list: Plotly hands typed-array rows over as ``{"0": .., "1": ..}``."""
    data = point.get("customdata")
    if isinstance(data, dict):
        return [data[k] for k in sorted(data, key=int)]
    return list(data) if isinstance(data, list | tuple) else [data]


def state(run_info: dict, split: str | None):
    """The workspace, the run, the current labels, the corrected-rows mask and the split's mask."""
    workspace = services.sentiment()
    run = workspace.run(run_info["run"])
    labels, corrected = workspace.labels(run_info["dataset"])
    return workspace, run, labels, corrected, split_mask(run.scores, split or "test")
