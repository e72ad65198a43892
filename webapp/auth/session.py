"""The sign-in session: Flask's signed cookie, HttpOnly, SameSite=Lax, Secure over HTTPS, expiring.

The cookie holds the user's name, how they signed in and when; each request the gate reads the user's role from
the users table, so a removed user or a changed role takes effect at once. A form's CSRF token lives here too.
"""

from __future__ import annotations

import hmac
import secrets
import time
from datetime import timedelta

import flask
from flask.sessions import SecureCookieSessionInterface

COOKIE_NAME = "glassbox_session"
_USER, _MODE, _AT, _CSRF = "user", "mode", "at", "csrf"


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, Secure whenever the request came over HTTPS (directly or, with
    ``GLASSBOX_PROXY_HOPS``, through a proxy that says so), so a plain-HTTP loopback server still works."""

    def get_cookie_secure(self, app: flask.Flask) -> bool:
        secure = super().get_cookie_secure(app)
        return secure or (flask.has_request_context() and flask.request.is_secure)


def configure(server: flask.Flask) -> None:
    server.session_interface = _SessionInterface()
    server.config.update(
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=int(server.config["SESSION_HOURS"])),
        # Write the cookie only when the session changes: a page's parallel requests each writing back the
        # session they read would drop a value another one had just added (the CSRF token).
        SESSION_REFRESH_EACH_REQUEST=False,
    )


def lifetime_s() -> float:
    return flask.current_app.permanent_session_lifetime.total_seconds()


def sign_in(name: str, mode: str) -> None:
    """Start a fresh session for ``name`` (a new cookie: nothing from before sign-in carries over)."""
    flask.session.clear()
    flask.session.permanent = True
    flask.session.update({_USER: name, _MODE: mode, _AT: int(time.time()), _CSRF: secrets.token_urlsafe(24)})


def sign_out() -> str | None:
    """End the session; returns who was signed in."""
    name = flask.session.get(_USER)
    flask.session.clear()
    return name


def signed_in_name(mode: str) -> str | None:
    """The session's user name, if signed in by ``mode`` and not expired."""
    session = flask.session
    name, at = session.get(_USER), session.get(_AT)
    if not isinstance(name, str) or not isinstance(at, int) or session.get(_MODE) != mode:
        return None
    if time.time() - at > lifetime_s():
        return None
    return name


def csrf_token() -> str:
    """This session's token for forms (made on first use)."""
    token = flask.session.get(_CSRF)
    if not token:
        token = flask.session[_CSRF] = secrets.token_urlsafe(24)
    return token


def csrf_ok(value) -> bool:
    token = flask.session.get(_CSRF)
    return bool(token) and isinstance(value, str) and hmac.compare_digest(token, value)
