"""Diagnostics tab: predicted vs actual and residuals for regression, the confusion matrix for classes."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from webapp import ids as shell
from webapp import services
from webapp.components import nn_figures as figs
from webapp.components.confusion import confusion_figure
from webapp.components.theme import themed
from webapp.roles import acting_user
from webapp.views.nn_builder.common import BLANK, alert, themed_blank
from webapp.views.nn_builder.ids import CELL_COUNT, DIAG_A, DIAG_B, DIAG_NOTE, RESULT


def tab():
    """The tab's content: a note and two graphs."""
    return html.Div(
        [
            html.Div(
                id=DIAG_NOTE, className="small text-body-secondary", children="Train a network to see its diagnostics."
            ),
            dbc.Row(
                [
                    dbc.Col(dcc.Graph(id=DIAG_A, figure=BLANK, style={"height": "420px"}), lg=6),
                    dbc.Col(dcc.Graph(id=DIAG_B, figure=BLANK, style={"height": "420px"}), lg=6),
                ],
                className="g-3",
            ),
        ],
        className="pt-3",
    )


@callback(
    output={"a": Output(DIAG_A, "figure"), "b": Output(DIAG_B, "figure"), "note": Output(DIAG_NOTE, "children")},
    inputs=[Input(RESULT, "data")],
    state=[State(shell.THEME_STORE, "data")],
    prevent_initial_call=True,
)
def render_diagnostics(result, theme):
    """Regression: predicted vs actual and residuals; classification: the shared confusion matrix."""
    if not isinstance(result, dict) or not result.get("run_id"):
        return no_update
    try:
        run = services.nn().result(result["run_id"], with_model=False, user=acting_user())
    except LookupError as exc:
        return {"a": no_update, "b": no_update, "note": alert(f"{exc} Train a network or pick one in Runs.", "warning")}
    diagnostics = run.diagnostics
    if not diagnostics:
        note = alert("The network produced no finite predictions, so there is nothing to diagnose.", "warning")
        return {"a": themed_blank(theme), "b": themed_blank(theme), "note": note}
    note = f"Run #{result['run_id']} on {run.data['val_rows']:,} validation rows."
    if run.data["task"] == "regression":
        return {
            "a": themed(figs.predicted_actual_figure(diagnostics["actual"], diagnostics["predicted"]), theme),
            "b": themed(figs.residuals_figure(diagnostics["predicted"], diagnostics["residual"]), theme),
            "note": note,
        }
    accuracy = run.final.get("val_accuracy")
    return {
        "a": themed(confusion_figure(diagnostics["matrix"], diagnostics["labels"]), theme),
        "b": themed_blank(theme),  # a bare figure is a white rectangle in the dark theme
        "note": note + (f" Accuracy {accuracy:.3f}. Click a cell for its count." if accuracy is not None else ""),
    }


@callback(Output(DIAG_NOTE, "children", allow_duplicate=True), Input(DIAG_A, "clickData"), prevent_initial_call=True)
def confusion_cell(click):
    """A confusion cell's count in words (a regression scatter's points carry no cell, so they change nothing)."""
    point = (click or {}).get("points", [{}])[0]
    data = point.get("customdata")
    if isinstance(data, dict):  # Plotly hands typed-array rows over as {"0": .., "1": ..}
        data = [data[k] for k in sorted(data, key=int)]
    if not data or not isinstance(data, (list, tuple)) or len(data) < 3:
        return no_update
    return html.Span(
        f"{int(data[2]):,} validation rows of class {point['y']} were predicted as {point['x']}.", id=CELL_COUNT
    )
