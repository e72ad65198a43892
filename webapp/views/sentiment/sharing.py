"""Sharing: the chosen upload's visibility for its owner (team or private), shown and changed from the Data card."""

from __future__ import annotations

from dash import Input, Output, State, callback, no_update

from models.access import PRIVATE, TEAM
from models.ownership import OwnershipError
from models.sentiment.workspace import BUILTIN
from webapp import services
from webapp.roles import acting_user, note, writes
from webapp.views.sentiment.common import alert
from webapp.views.sentiment.ids import DATASET, MESSAGE, SHARE, SHARE_NOTE


def _state(dataset_id) -> dict:
    """The note and button for ``dataset_id`` as the acting user sees it."""
    if not isinstance(dataset_id, str) or dataset_id in BUILTIN:
        return {"note": "Built-in data: everyone sees it.", "button": "Share with the team", "disabled": True}
    user = acting_user()
    workspace = services.sentiment()
    if not workspace.may_see(dataset_id, user):
        return {"note": "", "button": "Share with the team", "disabled": True}
    entries = workspace.owners.entries("sentiment", dataset_id)
    own = next((e for e in entries if e["owner"] == user.name), None)
    others = ", ".join(f"{e['owner']} ({e['visibility']})" for e in entries if e is not own) or ""
    if own is None:
        note = f"Uploaded by {others or 'legacy (team)'}." if others else "Legacy data: the whole team sees it."
        return {"note": note, "button": "Share with the team", "disabled": True}
    note = f"Your upload, {own['visibility']}." + (f" Also uploaded by {others}." if others else "")
    button = "Make private" if own["visibility"] == TEAM else "Share with the team"
    return {"note": note, "button": button, "disabled": False}


@callback(
    output={
        "note": Output(SHARE_NOTE, "children"),
        "button": Output(SHARE, "children"),
        "disabled": Output(SHARE, "disabled"),
    },
    inputs={"dataset_id": Input(DATASET, "value")},
)
def show_sharing(dataset_id):
    """Who sees the chosen dataset, and the button that changes it for the user's own upload."""
    return _state(dataset_id)


@callback(
    output={
        "note": Output(SHARE_NOTE, "children", allow_duplicate=True),
        "button": Output(SHARE, "children", allow_duplicate=True),
        "disabled": Output(SHARE, "disabled", allow_duplicate=True),
        "options": Output(DATASET, "options", allow_duplicate=True),
        "message": Output(MESSAGE, "children", allow_duplicate=True),
    },
    inputs={"_clicks": Input(SHARE, "n_clicks"), "dataset_id": State(DATASET, "value")},
    prevent_initial_call=True,
)
@writes()
def toggle_sharing(_clicks, dataset_id):
    """Make the user's own upload of the chosen dataset team-visible, or private again."""
    user, workspace = acting_user(), services.sentiment()
    keep = {"note": no_update, "button": no_update, "disabled": no_update, "options": no_update}
    if not isinstance(dataset_id, str) or not workspace.may_see(dataset_id, user):
        return {**keep, "message": alert("Choose one of your uploads first.", "warning")}
    own = next((e for e in workspace.owners.entries("sentiment", dataset_id) if e["owner"] == user.name), None)
    if own is None:
        return {**keep, "message": alert("Only the user who uploaded a dataset can share it.", "warning")}
    visibility = PRIVATE if own["visibility"] == TEAM else TEAM
    try:
        workspace.owners.set_visibility(user, "sentiment", dataset_id, visibility)
    except OwnershipError as exc:
        return {**keep, "message": alert(str(exc), "warning")}
    note("sentiment.visibility", f"dataset:{dataset_id}", visibility=visibility)
    options = [{"label": name, "value": key} for key, name in workspace.datasets(user).items()]
    said = "The team sees it now." if visibility == TEAM else "Only you (and admins) see it now."
    return {**_state(dataset_id), "options": options, "message": alert(said, "success")}
