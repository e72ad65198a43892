"""Sharing: the shown upload's visibility for the user who uploaded it (team or private)."""

from __future__ import annotations

from dash import Input, Output, State, callback, no_update

from models.access import PRIVATE, TEAM
from models.files import is_upload_id
from models.ownership import OwnershipError
from webapp import services
from webapp.roles import acting_user, note, writes
from webapp.views.logs import ids


def sharing_state(source) -> dict:
    """The note and button for the shown source: only the user's own upload can be shared or made private."""
    if not is_upload_id(source):
        return {"note": "", "button": "Share with the team", "disabled": True}
    user = acting_user()
    entries = services.owners().entries("logs", source)
    own = next((e for e in entries if e["owner"] == user.name), None)
    if own is None:
        owners = ", ".join(f"{e['owner']} ({e['visibility']})" for e in entries) or "legacy (team)"
        return {"note": f"Uploaded by {owners}.", "button": "Share with the team", "disabled": True}
    button = "Make private" if own["visibility"] == TEAM else "Share with the team"
    return {"note": f"Your upload, {own['visibility']}.", "button": button, "disabled": False}


def show_sharing(view):
    """Who sees the shown upload, and the button that changes it for the user's own."""
    return sharing_state(view.get("source") if isinstance(view, dict) else None)


def toggle_sharing(_clicks, view):
    """Toggle the user's own entry of the shown upload between private and team."""
    source = view.get("source") if isinstance(view, dict) else None
    user = acting_user()
    own = next((e for e in services.owners().entries("logs", source) if e["owner"] == user.name), None)
    if not is_upload_id(source) or own is None:
        return {"note": "Only the user who uploaded this log can share it.", "button": no_update, "disabled": True}
    visibility = PRIVATE if own["visibility"] == TEAM else TEAM
    try:
        services.owners().set_visibility(user, "logs", source, visibility)
    except OwnershipError as exc:
        return {"note": str(exc), "button": no_update, "disabled": no_update}
    note("logs.visibility", f"source:{source}", visibility=visibility)
    return sharing_state(source)


# The callbacks, registered whenever this module runs (see ``webapp.views.register_views``).
callback(
    output={
        "note": Output(ids.SHARE_NOTE, "children"),
        "button": Output(ids.SHARE, "children"),
        "disabled": Output(ids.SHARE, "disabled"),
    },
    inputs={"view": Input(ids.VIEW, "data")},
    prevent_initial_call=True,
)(show_sharing)
callback(
    output={
        "note": Output(ids.SHARE_NOTE, "children", allow_duplicate=True),
        "button": Output(ids.SHARE, "children", allow_duplicate=True),
        "disabled": Output(ids.SHARE, "disabled", allow_duplicate=True),
    },
    inputs={"_clicks": Input(ids.SHARE, "n_clicks"), "view": State(ids.VIEW, "data")},
    prevent_initial_call=True,
)(writes()(toggle_sharing))
