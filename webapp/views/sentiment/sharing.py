"""Sharing: the chosen upload's visibility for its owner (team or private), shown and changed from the Data card,
and the shown model run's, from the Model card (``webapp.components.sharing`` does the rest)."""

from __future__ import annotations

from models.access import User, may_change
from models.ownership import set_run_visibility
from models.sentiment.selection import SelectionError
from models.sentiment.store import runs as run_table
from models.sentiment.workspace import BUILTIN
from webapp import services
from webapp.components.sharing import (
    Refused,
    Sharing,
    flipped,
    own_entry,
    register_sharing,
    shown,
    toggle_own,
)
from webapp.roles import acting_user
from webapp.views.sentiment.common import alert
from webapp.views.sentiment.ids import DATASET, MESSAGE, RUN, RUN_SHARE, RUN_SHARE_NOTE, SHARE, SHARE_NOTE


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


RUN_WORDS = ("Share this run", "Make this run private")


def _run_record(run_info, user: User) -> dict:
    """The record of the run the page shows, checked (a run ``user`` may see, of the dataset shown)."""
    if not isinstance(run_info, dict):
        raise SelectionError("Show a model run first.")
    dataset = run_info.get("dataset")
    return services.sentiment().run_record(run_info.get("run"), dataset if isinstance(dataset, str) else "", user)


def run_sharing(run_info, user: User) -> dict:
    """Who sees the model run shown: its owner (or an admin) may share it with the team or make it private."""
    try:
        record = _run_record(run_info, user)
    except SelectionError:
        return shown("", words=RUN_WORDS)
    owner, visibility = record["owner"], record["visibility"]
    whose = "yours" if owner == user.name else f"trained by {owner}"
    return shown(f"Run #{record['id']}: {whose}, {visibility}.", visibility, may_change(user, owner), RUN_WORDS)


def toggle_run(run_info, user: User) -> tuple[str, str]:
    """Make the shown run team-visible, or private again (``models.ownership.set_run_visibility`` checks who)."""
    try:
        record = _run_record(run_info, user)
    except SelectionError as exc:
        raise Refused(str(exc)) from exc
    visibility = flipped(record["visibility"])
    changed = set_run_visibility(services.sentiment().engine, run_table, user, record["id"], visibility)
    return changed["owner"], visibility


register_sharing(
    Sharing(
        page="sentiment_run",
        button=RUN_SHARE,
        note=RUN_SHARE_NOTE,
        item=(RUN, "data"),
        state=run_sharing,
        toggle=toggle_run,
        audit=lambda run_info, _owner, visibility: (
            "sentiment.visibility",
            f"run:{run_info['run']}",
            {"visibility": visibility},
        ),
        # No message: the note beside the button says the run's visibility as it is now.
    )
)
