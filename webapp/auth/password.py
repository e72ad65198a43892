"""``GLASSBOX_AUTH=password``: the sign-in form against the users table, failures rate-limited (Flask-Limiter).

Only failed attempts count (``deduct_when``): ``GLASSBOX_LOGIN_MAX_FAILURES`` per ``GLASSBOX_LOGIN_WINDOW_SECONDS``
from one address, then HTTP 429 until the window ends, whatever the password. The counts live in Redis when
``GLASSBOX_REDIS_URL`` is set (shared by every worker), else in each worker's memory.
"""

from __future__ import annotations

import flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from models import accounts, audit
from webapp import services
from webapp.auth import pages, session
from webapp.auth.routes import safe_next

FAILED = 401


def _form(status: int = 200, error: str | None = None, name: str = "", next_path: str = "/", note=None):
    body = pages.password_form(session.csrf_token(), next_path, name)
    return pages.page("Sign in", body, status=status, error=error, note=note)


def add_routes(blueprint: flask.Blueprint, server: flask.Flask) -> None:
    config = server.config
    limiter = Limiter(
        get_remote_address,
        app=server,
        storage_uri=config.get("REDIS_URL") or "memory://",
        strategy="fixed-window",
        key_prefix="glassbox-login",
    )
    server.extensions["glassbox.login_limiter"] = limiter
    window = int(config["LOGIN_WINDOW_SECONDS"])
    limit = f"{int(config['LOGIN_MAX_FAILURES'])} per {window} seconds"

    def login_page():
        if session.signed_in_name("password"):
            return flask.redirect(safe_next(flask.request.args.get("next")), 303)
        return _form(next_path=safe_next(flask.request.args.get("next")))

    def login():
        form = flask.request.form
        name, password = form.get("name", ""), form.get("password", "")
        next_path = safe_next(form.get("next"))
        shown_name = name if isinstance(name, str) and len(name) <= 200 else ""
        if not session.csrf_ok(form.get("csrf")):
            return _form(400, "The sign-in form expired; please sign in again.", shown_name, next_path)
        if not name or not password:
            return _form(400, "Enter your user name and password.", shown_name, next_path)
        user = accounts.authenticate(services.engine(), name, password)
        if user is None:
            audit.record(services.engine(), name[:200], "auth.sign_in_failed", None, mode="password", ip=_ip())
            return _form(FAILED, "Wrong user name or password.", shown_name, next_path)
        session.sign_in(user.name, "password")
        audit.record(services.engine(), user.name, "auth.sign_in", f"user:{user.name}", mode="password", ip=_ip())
        return flask.redirect(next_path, 303)

    login = limiter.limit(limit, methods=["POST"], deduct_when=lambda response: response.status_code == FAILED)(login)
    blueprint.add_url_rule("/login", "login_page", login_page, methods=["GET"])
    blueprint.add_url_rule("/login", "login", login, methods=["POST"])

    @blueprint.errorhandler(429)
    def _too_many(exc):
        retry = exc.retry_after if hasattr(exc, "retry_after") else None
        response = _form(
            429,
            f"Too many failed sign-ins from your address: try again in {window // 60 or 1} minute(s) at most.",
            next_path=safe_next(flask.request.form.get("next")),
        )
        if retry:
            response.headers["Retry-After"] = str(retry)
        return response


def _ip() -> str:
    return flask.request.remote_addr or "?"
