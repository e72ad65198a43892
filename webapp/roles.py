"""Roles in the pages: who is acting in a callback, the one place write callbacks are refused, and the audit note.

Every callback that changes something (upload, relabel, undo, retrain, train, visibility) is marked with
``@writes()`` (editor and above) where it is defined. Marking only sets an attribute, which Dash's own wrapper
copies (``functools.wraps``); ``init_app`` adds one ``before_request`` hook that looks up the callback a
``/_dash-update-component`` POST names in Dash's callback map and answers 403 with the reason when the user's
role is below the mark. So a crafted request from a viewer is refused before any callback code runs, and a
background callback's start and polls are refused the same way. Pages hide the controls too (``can``), but the
server never relies on that.

A background callback runs in another process (diskcache) or on a Celery worker, where no request and no
signed-in user exist. The acting user therefore travels in Dash's callback context (``hooks.custom_data``),
which Dash hands to the background job with the callback's arguments: ``acting_user`` reads it there first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import dash
import flask
import sqlalchemy as sa

from models import audit
from models.access import User
from webapp.identity import current_user

NEEDS = "_glassbox_needs_role"
CONTEXT_KEY = "glassbox_user"
log = logging.getLogger(__name__)


def writes(role: str = "editor") -> Callable:
    """Mark a callback function as a write that needs ``role`` (put it under ``@callback``)."""

    def mark(fn):
        setattr(fn, NEEDS, role)
        return fn

    return mark


def needed_role(fn) -> str | None:
    """The role a (Dash-wrapped) callback function needs, or None for a read-only one."""
    return getattr(fn, NEEDS, None)


@dash.hooks.custom_data(CONTEXT_KEY)
def _user_for_context(_context) -> dict | None:
    """The request's user, carried in the callback context (to background jobs too)."""
    try:
        user = current_user()
    except Exception:  # not signed in: the callback's own current_user() call says so
        return None
    return {"name": user.name, "role": user.role}


def acting_user() -> User:
    """The user a callback acts for: from the callback context (background jobs), else the request's."""
    try:
        carried = dash.ctx.custom_data.get(CONTEXT_KEY)
    except Exception:  # not inside a callback
        carried = None
    if isinstance(carried, dict) and carried.get("name"):
        return User(carried["name"], carried["role"])
    return current_user()


def can(role: str) -> bool:
    """Whether the request's user has ``role`` (layouts hide what they cannot do); False when nobody is signed in."""
    try:
        return current_user().can(role)
    except Exception:
        return False


def note(action: str, target: str | None = None, **detail) -> None:
    """Record an audit event by the acting user; an audit outage is logged, never undoes or fails the action."""
    engine = flask.current_app.extensions.get("glassbox.db")
    if engine is None:
        return
    try:
        audit.record(engine, acting_user().name, action, target, **detail)
    except sa.exc.DatabaseError as exc:
        log.error("Could not write the audit event %s on %s (%s).", action, target, exc.__class__.__name__)


def write_callbacks(app: dash.Dash) -> dict[str, str]:
    """Output key → needed role, for every marked callback of ``app`` (what the hook refuses)."""
    return {
        key: role for key, entry in app.callback_map.items() if (role := needed_role(entry.get("callback"))) is not None
    }


def init_app(app: dash.Dash) -> None:
    """Refuse marked callbacks to users below their role: one ``before_request`` hook for every page."""
    update_path = app.config.routes_pathname_prefix + "_dash-update-component"

    @app.server.before_request
    def _refuse_writes():
        request = flask.request
        if request.method != "POST" or request.path != update_path:
            return None
        body = request.get_json(silent=True)
        output = body.get("output") if isinstance(body, dict) else None
        entry = app.callback_map.get(output) if isinstance(output, str) else None
        role = needed_role(entry.get("callback")) if entry else None
        if role is None:
            return None
        user = current_user()
        if user.can(role):
            return None
        log.warning("Refused a %s callback to %s (%s): %s", role, user.name, user.role, output[:120])
        response = flask.jsonify({"error": f"This needs the {role} role; {user.name} is a {user.role}."})
        response.status_code = 403
        return response
