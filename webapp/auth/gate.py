"""Before every request: find the user (session, proxy header or API token) or turn the request away.

Pages without a user are redirected to the sign-in page; the API and Dash's own endpoints answer 401 in JSON
(a callback cannot follow a redirect to a form). Static files, the health check and the sign-in routes are open.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import flask
import sqlalchemy as sa

from models import accounts
from models.access import User
from webapp import services
from webapp.identity import set_current_user

log = logging.getLogger(__name__)

OPEN_PATHS = ("/assets/", "/_dash-component-suites/", "/login", "/logout", "/auth/", "/_favicon.ico")
OPEN_EXACT = ("/healthz", "/api/openapi.json")
API_PREFIX = "/api/"
READ_METHODS = ("GET", "HEAD", "OPTIONS")


class Refused(Exception):
    """The request names a user who may not be accepted; ``status`` and ``reason`` say why."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def is_open(path: str) -> bool:
    return path in OPEN_EXACT or path.startswith(OPEN_PATHS)


def refuse(status: int, reason: str, **headers):
    response = flask.jsonify({"error": reason})
    response.status_code = status
    response.headers.update(headers)
    return response


def session_user(mode: str) -> User | None:
    """The signed-in user of a session cookie, with their role now (a removed user is signed out)."""
    from webapp.auth import session

    name = session.signed_in_name(mode)
    if name is None:
        return None
    user = accounts.get_user(services.engine(), name)
    if user is None:
        session.sign_out()
    return user


def bearer_user() -> User | None:
    """The user of the request's ``Authorization: Bearer`` token.

    Raises:
        Refused: no token, a malformed header, or a token that is unknown or revoked (401).
    """
    header = flask.request.headers.get("Authorization", "")
    if not header:
        raise Refused(401, "This API needs a token: send Authorization: Bearer <token> (create one on /account).")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused(401, "The Authorization header must be 'Bearer <token>'.")
    user = accounts.token_user(services.engine(), token.strip())
    if user is None:
        raise Refused(401, "The token is unknown or revoked.")
    return user


def gate():
    app = flask.current_app
    mode = app.config["AUTH_MODE"]
    if mode == "none":
        return None
    request = flask.request
    path = request.path
    if is_open(path):
        return None
    try:
        if path.startswith(API_PREFIX):
            user = bearer_user()
            needed = "viewer" if request.method in READ_METHODS else "editor"
            if not user.can(needed):
                return refuse(403, f"This needs the {needed} role; {user.name} is a {user.role}.")
        elif mode == "proxy":
            from webapp.auth import proxy

            user = proxy.header_user()
        else:
            user = session_user(mode)
    except Refused as refused:
        return refuse(refused.status, refused.reason, **_challenge(path))
    except sa.exc.DatabaseError as exc:
        log.error("%s %s: database unreachable while checking sign-in: %s", request.method, path, exc)
        return refuse(503, "The database is unreachable; try again later.", **{"Retry-After": "5"})
    if user is not None:
        set_current_user(user)
        return None
    if request.method == "GET" and not path.startswith("/_dash"):
        return flask.redirect(f"/login?next={quote(request.full_path.rstrip('?'), safe='/?=&')}", 303)
    return refuse(401, "Sign in first (your session may have expired: reload the page).")


def _challenge(path: str) -> dict:
    return {"WWW-Authenticate": 'Bearer realm="glassbox"'} if path.startswith(API_PREFIX) else {}
