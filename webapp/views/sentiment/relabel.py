"""Corrections: relabel checked rows or the whole selection (one undo step each), undo, export a corrected CSV."""

from __future__ import annotations

from dash import Input, Output, State, callback, ctx, dcc, no_update

from webapp import services
from webapp.views.sentiment.common import alert
from webapp.views.sentiment.ids import (
    DOWNLOAD,
    EXPORT,
    MESSAGE,
    RELABEL_ALL,
    RELABEL_ROWS,
    RELABEL_TO,
    REVISION,
    RUN,
    TABLE,
    UNDO,
)


@callback(
    output={"revision": Output(REVISION, "data"), "message": Output(MESSAGE, "children", allow_duplicate=True)},
    inputs={
        "_rows_clicks": Input(RELABEL_ROWS, "n_clicks"),
        "_all_clicks": Input(RELABEL_ALL, "n_clicks"),
        "new_label": State(RELABEL_TO, "value"),
        "checked": State(TABLE, "selectedRows"),
        "shown": State(TABLE, "rowData"),
        "run_info": State(RUN, "data"),
        "revision": State(REVISION, "data"),
    },
    prevent_initial_call=True,
)
def relabel(_rows_clicks, _all_clicks, new_label, checked, shown, run_info, revision):
    """Store corrections for the checked rows, or for every row the table shows; one undo step."""
    chosen = shown if ctx.triggered_id == RELABEL_ALL else checked
    if not chosen:
        return {
            "revision": no_update,
            "message": alert("Check some rows in the table first (or use “whole selection”).", "warning"),
        }
    changed = services.sentiment().relabel(run_info["dataset"], [r["row"] for r in chosen], new_label)
    return {
        "revision": (revision or 0) + 1,
        "message": alert(f"Relabelled {changed} tweet(s) as {new_label}. Retrain to update the model.", "success"),
    }


@callback(
    output={
        "revision": Output(REVISION, "data", allow_duplicate=True),
        "message": Output(MESSAGE, "children", allow_duplicate=True),
    },
    inputs={"_clicks": Input(UNDO, "n_clicks"), "run_info": State(RUN, "data"), "revision": State(REVISION, "data")},
    prevent_initial_call=True,
)
def undo(_clicks, run_info, revision):
    undone = services.sentiment().corrections.undo(run_info["dataset"])
    if not undone:
        return {"revision": no_update, "message": alert("Nothing to undo.", "info")}
    return {
        "revision": (revision or 0) + 1,
        "message": alert(f"Undid the last correction ({undone} tweet(s)); the history keeps it.", "info"),
    }


@callback(Output(DOWNLOAD, "data"), Input(EXPORT, "n_clicks"), State(RUN, "data"), prevent_initial_call=True)
def export(_clicks, run_info):
    dataset = run_info["dataset"]
    return dcc.send_string(services.sentiment().corrected_csv(dataset), f"{dataset}-corrected.csv")
