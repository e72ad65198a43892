"""The signed-in user of the current request: one function every callback and API view asks.

Sign-in (``webapp.auth``) puts the user on ``flask.g`` before the request reaches Dash or the API. Without
sign-in (``AUTH_MODE`` ``none``) everyone is the single local admin. When sign-in is on and nobody is signed in,
asking is an error, never a silent default.
"""

from __future__ import annotations

import flask
from werkzeug.exceptions import Forbidden, Unauthorized

from models.access import LOCAL_USER, User

_G_KEY = "glassbox_user"


def set_current_user(user: User | None) -> None:
    """Called by sign-in for each request."""
    setattr(flask.g, _G_KEY, user)


def current_user() -> User:
    """The request's user.

    Raises:
        Unauthorized: sign-in is on and the request carries no signed-in user.
    """
    user = getattr(flask.g, _G_KEY, None) if flask.has_app_context() else None
    if user is not None:
        return user
    if flask.current_app.config.get("AUTH_MODE", "none") == "none":
        return LOCAL_USER
    raise Unauthorized("Sign in first.")


def require_role(role: str) -> User:
    """The request's user, if their role is ``role`` or above.

    Raises:
        Forbidden: their role is below ``role`` (the message names both).
    """
    user = current_user()
    if not user.can(role):
        raise Forbidden(f"This needs the {role} role; {user.name} is a {user.role}.")
    return user
