"""Sharing: the chosen upload's visibility for its owner (team or private), shown and changed from the Data card
(``webapp.components.sharing`` does the rest)."""

from __future__ import annotations

from models.access import User
from models.sentiment.workspace import BUILTIN
from webapp import services
from webapp.components.sharing import Refused, Sharing, own_entry, register_sharing, shown, toggle_own
from webapp.roles import acting_user
from webapp.views.sentiment.common import alert
from webapp.views.sentiment.ids import DATASET, MESSAGE, SHARE, SHARE_NOTE


def dataset_sharing(dataset_id, user: User) -> dict:
    """The note and button for ``dataset_id`` as ``user`` sees it."""
    if not isinstance(dataset_id, str) or dataset_id in BUILTIN:
        return shown("Built-in data: everyone sees it.")
    workspace = services.sentiment()
    if not workspace.may_see(dataset_id, user):
        return shown("")
    entries = workspace.owners.entries("sentiment", dataset_id)
    own = own_entry(entries, user)
    others = ", ".join(f"{e['owner']} ({e['visibility']})" for e in entries if e is not own) or ""
    if own is None:
        return shown(f"Uploaded by {others or 'legacy (team)'}." if others else "Legacy data: the whole team sees it.")
    note = f"Your upload, {own['visibility']}." + (f" Also uploaded by {others}." if others else "")
    return shown(note, own["visibility"], enabled=True)


def toggle_dataset(dataset_id, user: User) -> tuple[str, str]:
    """Make the user's own upload of the chosen dataset team-visible, or private again."""
    workspace = services.sentiment()
    if not isinstance(dataset_id, str) or not workspace.may_see(dataset_id, user):
        raise Refused("Choose one of your uploads first.")
    not_yours = Refused("Only the user who uploaded a dataset can share it.")
    return toggle_own(workspace.owners, user, "sentiment", dataset_id, not_yours)


def _menu(_dataset_id) -> list[dict]:
    """The dataset menu, whose labels name each upload's owner and visibility."""
    return [{"label": name, "value": key} for key, name in services.sentiment().datasets(acting_user()).items()]


register_sharing(
    Sharing(
        page="sentiment",
        button=SHARE,
        note=SHARE_NOTE,
        item=(DATASET, "value"),
        state=dataset_sharing,
        toggle=toggle_dataset,
        audit=lambda dataset_id, _owner, visibility: (
            "sentiment.visibility",
            f"dataset:{dataset_id}",
            {"visibility": visibility},
        ),
        message=MESSAGE,
        alert=alert,
        options=(DATASET, _menu),
    )
)
