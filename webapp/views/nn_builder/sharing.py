"""Sharing: the chosen upload's visibility for its owner (team or private), shown and changed under the dataset menu."""

from __future__ import annotations

from dash import Input, Output, State, callback, no_update

from models.access import TEAM
from models.nn.data import DataError
from models.ownership import OwnershipError
from webapp import services
from webapp.roles import acting_user, note, writes
from webapp.views.nn_builder.common import alert
from webapp.views.nn_builder.ids import DATA_MESSAGE, DATASET, SHARE_NOTE, SHARE_UPLOAD
from webapp.views.nn_builder.parameters import menu


def _state(dataset_id) -> dict:
    state = services.nn().sharing(dataset_id if isinstance(dataset_id, str) else None, acting_user())
    return {"note": state["note"], "button": state["button"], "disabled": not state["enabled"]}


@callback(
    output={
        "note": Output(SHARE_NOTE, "children"),
        "button": Output(SHARE_UPLOAD, "children"),
        "disabled": Output(SHARE_UPLOAD, "disabled"),
    },
    inputs={"dataset_id": Input(DATASET, "value")},
)
def show_sharing(dataset_id):
    """Who sees the chosen dataset, and the button that changes it for the user's own upload."""
    return _state(dataset_id)


@callback(
    output={
        "note": Output(SHARE_NOTE, "children", allow_duplicate=True),
        "button": Output(SHARE_UPLOAD, "children", allow_duplicate=True),
        "disabled": Output(SHARE_UPLOAD, "disabled", allow_duplicate=True),
        "options": Output(DATASET, "options", allow_duplicate=True),
        "message": Output(DATA_MESSAGE, "children", allow_duplicate=True),
    },
    inputs={"_clicks": Input(SHARE_UPLOAD, "n_clicks"), "dataset_id": State(DATASET, "value")},
    prevent_initial_call=True,
)
@writes()
def toggle_sharing(_clicks, dataset_id):
    """Make the chosen upload team-visible, or private again (its owner, or an admin)."""
    keep = {"note": no_update, "button": no_update, "disabled": no_update, "options": no_update}
    try:
        chosen = dataset_id if isinstance(dataset_id, str) else None
        owner, visibility = services.nn().toggle_visibility(chosen, acting_user())
    except (DataError, OwnershipError) as exc:
        return {**keep, "message": alert(str(exc), "warning")}
    note("nn.visibility", f"dataset:{dataset_id.partition('?')[0]}", owner=owner, visibility=visibility)
    said = "The team sees it now." if visibility == TEAM else f"Only {owner} (and admins) see it now."
    return {**_state(dataset_id), "options": menu(dataset_id), "message": alert(said, "success")}
