"""Corrections: relabel the checked rows on screen or the whole selection (one undo step each), undo, export.

Only rows the user can see change: "checked rows" counts the checked rows of the table page on screen (its
button says how many before the click), "whole selection" every row the table holds after its filter. A batch
larger than ``SENTIMENT_CONFIRM_ROWS`` asks first, naming the count.
"""

from __future__ import annotations

import flask
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, no_update

from models.sentiment.selection import SelectionError, check_label, page_of, shown_rows, visible_checked
from models.sentiment.workspace import UnknownDatasetError
from webapp import services
from webapp.roles import acting_user, note, writes
from webapp.views.sentiment.common import alert, checked_run, guarded
from webapp.views.sentiment.ids import (
    CONFIRM,
    CONFIRM_NO,
    CONFIRM_TEXT,
    CONFIRM_YES,
    DOWNLOAD,
    EXPORT,
    MESSAGE,
    PENDING,
    RELABEL_ALL,
    RELABEL_ROWS,
    RELABEL_TO,
    REVISION,
    RUN,
    TABLE,
    UNDO,
)

UNCHANGED = {"revision": no_update, "pending": no_update, "confirm": no_update, "confirm_text": no_update}


def _commit(run_info: dict, rows: list, new_label: str, revision) -> dict:
    workspace = services.sentiment()
    try:
        dataset, _ = checked_run(workspace, run_info)
        changed = workspace.relabel(dataset, rows, new_label, acting_user())
    except (SelectionError, UnknownDatasetError) as exc:
        return {**UNCHANGED, "message": alert(f"Nothing relabelled: {exc}", "warning")}
    note("sentiment.relabel", f"dataset:{dataset}", rows=changed, label=new_label)
    return {
        **UNCHANGED,
        "revision": (revision or 0) + 1,
        "message": alert(f"Relabelled {changed} tweet(s) as {new_label}. Retrain to update the model.", "success"),
    }


@callback(
    output={
        "revision": Output(REVISION, "data"),
        "message": Output(MESSAGE, "children", allow_duplicate=True),
        "pending": Output(PENDING, "data"),
        "confirm": Output(CONFIRM, "is_open"),
        "confirm_text": Output(CONFIRM_TEXT, "children"),
    },
    inputs={
        "_rows_clicks": Input(RELABEL_ROWS, "n_clicks"),
        "_all_clicks": Input(RELABEL_ALL, "n_clicks"),
        "new_label": State(RELABEL_TO, "value"),
        "checked": State(TABLE, "selectedRows"),
        "shown": State(TABLE, "virtualRowData"),
        "pages": State(TABLE, "paginationInfo"),
        "run_info": State(RUN, "data"),
        "revision": State(REVISION, "data"),
    },
    prevent_initial_call=True,
)
@writes()
def relabel(_rows_clicks, _all_clicks, new_label, checked, shown, pages, run_info, revision):
    """Relabel what the user sees: the checked rows on screen, or every row of the table; ask first when many."""
    if ctx.triggered_id == RELABEL_ALL:
        rows = shown_rows(shown)
    else:
        rows = visible_checked(checked, page_of(shown, pages))
    if not rows:
        message = "Check some rows on this table page first (or use “whole selection”)."
        return {**UNCHANGED, "message": alert(message, "warning")}
    try:
        check_label(new_label)
    except SelectionError as exc:
        return {**UNCHANGED, "message": alert(str(exc), "warning")}
    if len(rows) > flask.current_app.config["SENTIMENT_CONFIRM_ROWS"]:
        return {
            **UNCHANGED,
            "message": no_update,
            "pending": {"rows": rows, "label": new_label},
            "confirm": True,
            "confirm_text": f"Relabel {len(rows):,} tweets as {new_label}? This is one undo step.",
        }
    return _commit(run_info, rows, new_label, revision)


@callback(
    output={
        "revision": Output(REVISION, "data", allow_duplicate=True),
        "message": Output(MESSAGE, "children", allow_duplicate=True),
        "pending": Output(PENDING, "data", allow_duplicate=True),
        "confirm": Output(CONFIRM, "is_open", allow_duplicate=True),
        "confirm_text": Output(CONFIRM_TEXT, "children", allow_duplicate=True),
    },
    inputs={
        "_yes": Input(CONFIRM_YES, "n_clicks"),
        "_no": Input(CONFIRM_NO, "n_clicks"),
        "pending": State(PENDING, "data"),
        "run_info": State(RUN, "data"),
        "revision": State(REVISION, "data"),
    },
    prevent_initial_call=True,
)
@writes()
def answer_confirmation(_yes, _no, pending, run_info, revision):
    """The user's answer to "Relabel N tweets?": commit the pending batch, or drop it."""
    if ctx.triggered_id != CONFIRM_YES or not isinstance(pending, dict):
        return {**UNCHANGED, "pending": None, "confirm": False, "message": alert("Nothing relabelled.", "info")}
    out = _commit(run_info, list(pending.get("rows") or []), pending.get("label"), revision)
    return {**out, "pending": None, "confirm": False}


clientside_callback(
    ClientsideFunction("sentiment", "relabelCounts"),
    Output(RELABEL_ROWS, "children"),
    Output(RELABEL_ALL, "children"),
    Input(TABLE, "selectedRows"),
    Input(TABLE, "virtualRowData"),
    Input(TABLE, "paginationInfo"),
)


@callback(
    output={
        "revision": Output(REVISION, "data", allow_duplicate=True),
        "message": Output(MESSAGE, "children", allow_duplicate=True),
    },
    inputs={"_clicks": Input(UNDO, "n_clicks"), "run_info": State(RUN, "data"), "revision": State(REVISION, "data")},
    prevent_initial_call=True,
)
@writes()
@guarded
def undo(_clicks, run_info, revision):
    """Undo the user's own newest correction batch of the dataset (an admin's: anyone's newest)."""
    workspace, user = services.sentiment(), acting_user()
    dataset = checked_run(workspace, run_info)[0]
    undone, author = workspace.undo(dataset, user)
    if not undone:
        return {"revision": no_update, "message": alert("You have no correction to undo here.", "info")}
    note("sentiment.undo", f"dataset:{dataset}", rows=undone, author=author)
    whose = "your last correction" if author == user.name else f"{author}'s last correction"
    return {
        "revision": (revision or 0) + 1,
        "message": alert(f"Undid {whose} ({undone} tweet(s)); the history keeps it.", "info"),
    }


@callback(Output(DOWNLOAD, "data"), Input(EXPORT, "n_clicks"), State(RUN, "data"), prevent_initial_call=True)
@guarded
def export(_clicks, run_info):
    workspace = services.sentiment()
    dataset, _ = checked_run(workspace, run_info)
    return dcc.send_string(workspace.corrected_csv(dataset, acting_user()), f"{dataset}-corrected.csv")
