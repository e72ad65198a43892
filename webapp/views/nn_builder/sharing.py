"""Sharing: the chosen upload's visibility for its owner (team or private), shown and changed under the dataset menu
(``webapp.components.sharing`` does the rest; ``models.nn.workspace`` decides who may change what)."""

from __future__ import annotations

from models.access import User
from models.nn.data import DataError
from webapp import services
from webapp.components.sharing import Refused, Sharing, register_sharing, said_private_to_owner, shown
from webapp.views.nn_builder.common import alert
from webapp.views.nn_builder.ids import DATA_MESSAGE, DATASET, SHARE_NOTE, SHARE_UPLOAD
from webapp.views.nn_builder.parameters import menu


def _chosen(dataset_id) -> str | None:
    return dataset_id if isinstance(dataset_id, str) else None


def upload_sharing(dataset_id, user: User) -> dict:
    state = services.nn().sharing(_chosen(dataset_id), user)
    return shown(state["note"], state.get("visibility"), enabled=state["enabled"])


def toggle_upload(dataset_id, user: User) -> tuple[str, str]:
    """Make the chosen upload team-visible, or private again (its owner, or an admin)."""
    try:
        return services.nn().toggle_visibility(_chosen(dataset_id), user)
    except DataError as exc:  # among them an unknown (or another user's private) dataset
        raise Refused(str(exc)) from exc


register_sharing(
    Sharing(
        page="nn_builder",
        button=SHARE_UPLOAD,
        note=SHARE_NOTE,
        item=(DATASET, "value"),
        state=upload_sharing,
        toggle=toggle_upload,
        audit=lambda dataset_id, owner, visibility: (
            "nn.visibility",
            f"dataset:{dataset_id.partition('?')[0]}",
            {"owner": owner, "visibility": visibility},
        ),
        said=said_private_to_owner,
        message=DATA_MESSAGE,
        alert=alert,
        options=(DATASET, menu),
    )
)
