"""Sharing: the shown upload's visibility for the user who uploaded it (team or private)
(``webapp.components.sharing`` does the rest)."""

from __future__ import annotations

from models.access import User
from models.files import is_upload_id
from webapp import services
from webapp.components.sharing import Refused, Sharing, own_entry, register_sharing, shown, toggle_own
from webapp.views.logs import ids


def _source(view) -> str | None:
    return view.get("source") if isinstance(view, dict) else None


def log_sharing(view, user: User) -> dict:
    """The note and button for the shown source: only the user's own upload can be shared or made private."""
    source = _source(view)
    if not is_upload_id(source):
        return shown("")
    entries = services.owners().entries("logs", source)
    own = own_entry(entries, user)
    if own is None:
        owners = ", ".join(f"{e['owner']} ({e['visibility']})" for e in entries) or "legacy (team)"
        return shown(f"Uploaded by {owners}.")
    return shown(f"Your upload, {own['visibility']}.", own["visibility"], enabled=True)


def toggle_log(view, user: User) -> tuple[str, str]:
    """Toggle the user's own entry of the shown upload between private and team."""
    source = _source(view)
    not_yours = Refused("Only the user who uploaded this log can share it.", disable=True)
    if not is_upload_id(source):
        raise not_yours
    return toggle_own(services.owners(), user, "logs", source, not_yours)


# The callbacks, registered whenever this module runs (see ``webapp.views.register_views``).
register_sharing(
    Sharing(
        page="logs",
        button=ids.SHARE,
        note=ids.SHARE_NOTE,
        item=(ids.VIEW_SOURCE, "data"),  # {"source"}: the note follows the source, not every click
        state=log_sharing,
        toggle=toggle_log,
        audit=lambda view, _owner, visibility: (
            "logs.visibility",
            f"source:{_source(view)}",
            {"visibility": visibility},
        ),
        initial=False,
    )
)
