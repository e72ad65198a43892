"""Watching a run: the curves grow and the histograms follow each epoch; after the run the epoch slider replays them."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, Patch, State, callback, html, no_update

from models.nn.monitor import layer_warnings
from webapp import ids as shell
from webapp import services
from webapp.components import nn_figures as figs
from webapp.components.theme import themed
from webapp.roles import acting_user
from webapp.views.nn_builder.common import alert, themed_blank
from webapp.views.nn_builder.ids import CURVES, DRAWN, EPOCH, HISTOGRAMS, LIVE, RESULT, WARNINGS


# Live drawing reads only the progress store, what it drew itself and the theme. Dash holds back a callback
# while any of its inputs or states is an output still to come from a running callback (or from the callbacks
# that output triggers), so anything fed by the run's result (the result store, the epoch slider, the
# curves' and histograms' final redraws) here would freeze the page until the run ended.
@callback(
    output={
        "curves": Output(CURVES, "figure", allow_duplicate=True),
        "drawn": Output(DRAWN, "data"),
        "histograms": Output(HISTOGRAMS, "figure", allow_duplicate=True),
        "warnings": Output(WARNINGS, "children", allow_duplicate=True),
    },
    inputs=[Input(LIVE, "data")],
    state=[State(DRAWN, "data"), State(shell.THEME_STORE, "data")],
    prevent_initial_call=True,
)
def draw_live(live, drawn, theme):
    """Each epoch as it ends: the curves grow and the histograms show it; a new run starts from blank charts."""
    out = curve_update(live, drawn, theme)
    if not live:
        return {**out, "histograms": no_update, "warnings": no_update}
    if not live.get("layers"):  # a run that has not finished an epoch yet: nothing of the last run stays
        fresh = not drawn or drawn["run"] != live["run"]
        return {
            **out,
            "histograms": themed_blank(theme) if fresh else no_update,
            "warnings": [] if fresh else no_update,
        }
    return {
        **out,
        "histograms": themed(figs.histograms_figure(live["layers"], len(live["epochs"])), theme),
        "warnings": warnings_children(live["layers"]),
    }


@callback(
    Output(CURVES, "figure", allow_duplicate=True),
    Input(RESULT, "data"),
    State(shell.THEME_STORE, "data"),
    prevent_initial_call=True,
)
def draw_result(result, theme):
    """The finished run's curves in full (the last epoch may end after the last progress the page saw)."""
    if not result or not result.get("epochs"):
        return no_update
    return themed(figs.curves_figure(result["epochs"], _metric(result.get("task"))), theme)


def _metric(task: str | None) -> str:
    return "R²" if (task or "regression") == "regression" else "accuracy"


def curve_update(payload: dict | None, drawn: dict | None, theme: str | None) -> dict:
    """``{"curves": figure or Patch, "drawn": ...}`` for a progress payload, given what the graph already shows."""
    if not payload:
        return {"curves": no_update, "drawn": no_update}
    epochs = payload["epochs"]
    if not drawn or drawn["run"] != payload["run"]:
        return {
            "curves": themed(figs.curves_figure(epochs, _metric(payload.get("task"))), theme),
            "drawn": {"run": payload["run"], "n": len(epochs)},
        }
    new = epochs[drawn["n"] :]
    if not new:
        return {"curves": no_update, "drawn": no_update}
    x, ys = figs.curve_points(new)
    patch = Patch()
    for trace, y in enumerate(ys):
        patch["data"][trace]["x"].extend(x)
        patch["data"][trace]["y"].extend(y)
    return {"curves": patch, "drawn": {"run": payload["run"], "n": len(epochs)}}


def warnings_children(layers: list[dict]) -> list:
    """The layer warnings as alerts, or a line saying there are none."""
    notes = layer_warnings(layers)
    if not notes:
        return [html.Span("No saturated or dead layers.", className="text-success")]
    return [dbc.Alert(note, color="warning", className="py-1 mb-1 small") for note in notes]


@callback(
    output={"figure": Output(HISTOGRAMS, "figure"), "warnings": Output(WARNINGS, "children")},
    inputs=[Input(EPOCH, "value")],
    state=[State(RESULT, "data"), State(shell.THEME_STORE, "data")],
    prevent_initial_call=True,
)
def replay_histograms(epoch, result, theme):
    """After a run: the distributions at the epoch the slider picks."""
    if not isinstance(result, dict) or not result.get("run_id"):
        return no_update
    try:
        records = services.nn().result(result["run_id"], with_model=False, user=acting_user()).records
    except LookupError as exc:
        return {"figure": no_update, "warnings": alert(str(exc), "warning")}
    if not records:
        return no_update
    shown = min(max(int(epoch) if isinstance(epoch, (int, float)) and epoch == epoch else 1, 1), len(records))
    layers = records[shown - 1]["layers"]
    return {"figure": themed(figs.histograms_figure(layers, shown), theme), "warnings": warnings_children(layers)}
