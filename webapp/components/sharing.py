"""One sharing control for every page: a line saying who sees the chosen item and a button that shares it with
the team or makes it private again.

Each page configures it in its ``views/<page>/sharing.py`` with its ids and the calls into ``models/`` that read
and change the item's visibility; the component owns the rest, the same on every page: the callbacks (the line
and button follow the chosen item; a click toggles, writes the audit entry and says what changed), the button's
words, and how a refusal is said. A refusal is :class:`Refused` (or the models' ``OwnershipError``): nothing
changes and its reason is shown.

The two callbacks are registered as ``show_<page>_sharing`` and ``toggle_<page>_sharing`` (the toggle marked as
a write with ``webapp.roles.writes``), so each page's control is one named write callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dash import Input, Output, State, callback, no_update

from models.access import PRIVATE, TEAM, User
from models.ownership import OwnershipError
from webapp.roles import acting_user, note, writes

SHARE = "Share with the team"
MAKE_PRIVATE = "Make private"


class Refused(Exception):
    """A toggle that changed nothing, with the reason the user reads.

    ``disable``: the button is disabled too (the user may not change this item at all).
    """

    def __init__(self, reason: str, disable: bool = False):
        super().__init__(reason)
        self.disable = disable


def button_text(visibility: str | None, words: tuple[str, str] = (SHARE, MAKE_PRIVATE)) -> str:
    """What the button offers for an item now ``visibility``: to make a team item private, else to share it."""
    return words[1] if visibility == TEAM else words[0]


def shown(
    note_text: str, visibility: str | None = None, enabled: bool = False, words: tuple[str, str] = (SHARE, MAKE_PRIVATE)
) -> dict:
    """The control's state: ``{"note", "button", "disabled"}``.

    Args:
        visibility: Of the entry the button changes (when ``enabled``).
        words: The button's ``(share, make private)`` words, where a page has two controls to tell apart.
    """
    return {"note": note_text, "button": button_text(visibility if enabled else None, words), "disabled": not enabled}


def own_entry(entries: list[dict], user: User) -> dict | None:
    """``user``'s own owner entry among an item's ``entries`` (``Ownership.entries``), or None."""
    return next((e for e in entries if e["owner"] == user.name), None)


def flipped(visibility: str) -> str:
    """The visibility a click asks for: private for a team item, team for a private one."""
    return PRIVATE if visibility == TEAM else TEAM


def toggle_own(owners, user: User, kind: str, item: str, not_yours: Refused) -> tuple[str, str]:
    """Flip ``user``'s own entry of an upload (``models.ownership.Ownership``); returns ``(owner, visibility)``.

    Raises:
        Refused: ``not_yours`` when ``user`` has no entry of it; the models' reason when the change is refused.
    """
    own = own_entry(owners.entries(kind, item), user)
    if own is None:
        raise not_yours
    visibility = flipped(own["visibility"])
    try:
        return owners.set_visibility(user, kind, item, visibility), visibility
    except OwnershipError as exc:
        raise Refused(str(exc)) from exc


def said_private_to_you(owner: str, visibility: str, user: User) -> str:
    """What a click did, in words, for items only their owner changes."""
    return "The team sees it now." if visibility == TEAM else "Only you (and admins) see it now."


def said_private_to_owner(owner: str, visibility: str, user: User) -> str:
    """What a click did, in words, naming the owner (an admin may change another user's item)."""
    return "The team sees it now." if visibility == TEAM else f"Only {owner} (and admins) see it now."


@dataclass(frozen=True)
class Sharing:
    """One page's sharing control.

    Attributes:
        page: Names the callbacks (``show_<page>_sharing``, ``toggle_<page>_sharing``).
        button, note: Ids of the Share / Make private button and of the line saying who sees the item.
        item: ``(id, prop)`` naming the chosen item (a dataset menu's value, a view store's data).
        state: ``(item value, user) -> shown(...)``: the line and button as ``user`` sees them.
        toggle: ``(item value, user) -> (owner, visibility)`` after flipping it; raises :class:`Refused` or
            ``OwnershipError`` (nothing changed, the reason is shown).
        audit: ``(item value, owner, visibility) -> (action, target, details)`` for ``webapp.roles.note``.
        said: ``(owner, visibility, user) -> str``: what a click did, in words (with ``message`` only).
        message: Id of the element where the outcome is said, through ``alert``; None: refusals go to the note.
        alert: ``(text, colour) -> component`` (the page's alert).
        options: ``(id, item value -> options)``: a menu whose labels name the visibility; None if none.
        initial: Whether the line is filled when the page loads (else only when the item changes).
    """

    page: str
    button: str
    note: str
    item: tuple[str, str]
    state: Callable[[Any, User], dict]
    toggle: Callable[[Any, User], tuple[str, str]]
    audit: Callable[[Any, str, str], tuple[str, str, dict]]
    said: Callable[[str, str, User], str] = said_private_to_you
    message: str | None = None
    alert: Callable[[str, str], Any] | None = None
    options: tuple[str, Callable[[Any], list]] | None = None
    initial: bool = True


def register_sharing(sharing: Sharing) -> None:
    """Register the control's two callbacks (call it at the top of the page's ``sharing`` callback module)."""
    outputs = {"note": Output(sharing.note, "children"), "button": Output(sharing.button, "children")}
    outputs["disabled"] = Output(sharing.button, "disabled")

    def show(item):
        """Who sees the chosen item, and the button that changes it for the user's own."""
        return sharing.state(item, acting_user())

    def toggle(_clicks, item):
        """Share the chosen item with the team, or make it private again; say what changed or why not."""
        return _toggle(sharing, item)

    for fn, verb in ((show, "show"), (toggle, "toggle")):
        fn.__name__ = fn.__qualname__ = f"{verb}_{sharing.page}_sharing"

    callback(output=outputs, inputs={"item": Input(*sharing.item)}, prevent_initial_call=not sharing.initial)(show)
    changed = {name: Output(o.component_id, o.component_property, allow_duplicate=True) for name, o in outputs.items()}
    if sharing.options:
        changed["options"] = Output(sharing.options[0], "options", allow_duplicate=True)
    if sharing.message:
        changed["message"] = Output(sharing.message, "children", allow_duplicate=True)
    callback(
        output=changed,
        inputs={"_clicks": Input(sharing.button, "n_clicks"), "item": State(*sharing.item)},
        prevent_initial_call=True,
    )(writes()(toggle))


def _toggle(sharing: Sharing, item) -> dict:
    user = acting_user()
    try:
        owner, visibility = sharing.toggle(item, user)
    except (Refused, OwnershipError) as exc:
        return _refused(sharing, str(exc), getattr(exc, "disable", False))
    action, target, details = sharing.audit(item, owner, visibility)
    note(action, target, **details)
    out = sharing.state(item, user)
    if sharing.options:
        out["options"] = sharing.options[1](item)
    if sharing.message:
        out["message"] = sharing.alert(sharing.said(owner, visibility, user), "success")
    return out


def _refused(sharing: Sharing, reason: str, disable: bool) -> dict:
    out = {"note": no_update, "button": no_update, "disabled": True if disable else no_update}
    if sharing.options:
        out["options"] = no_update
    if sharing.message:
        return {**out, "message": sharing.alert(reason, "warning")}
    return {**out, "note": reason}
