"""/login and /logout for every mode; the password form itself is in ``password.py``, OIDC in ``oidc.py``."""

from __future__ import annotations

import flask

from models import audit
from webapp import services
from webapp.auth import pages, session

blueprint_name = "glassbox_auth"


def safe_next(value) -> str:
    """A local path to go back to after sign-in; anything else (another site, ``//host``, junk) is ``/``."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith(("//", "/\\")) or len(value) > 2000:
        return "/"
    if any(ord(c) < 32 for c in value):
        return "/"
    return value


def register(server: flask.Flask) -> None:
    mode = server.config["AUTH_MODE"]
    blueprint = flask.Blueprint(blueprint_name, __name__)
    if mode == "password":
        from webapp.auth import password

        password.add_routes(blueprint, server)
    elif mode == "oidc":
        from webapp.auth import oidc

        oidc.add_routes(blueprint, server)
    elif mode == "proxy":
        from webapp.auth import proxy

        proxy.add_routes(blueprint, server)
    else:
        blueprint.add_url_rule("/login", "login", _no_sign_in)
    from webapp.auth import audit_page

    audit_page.add_routes(blueprint)
    if mode != "none":
        from webapp.auth import account

        account.add_routes(blueprint)
    if mode in ("password", "oidc"):
        blueprint.add_url_rule("/logout", "logout_page", _logout_page, methods=["GET"])
        blueprint.add_url_rule("/logout", "logout", _logout, methods=["POST"])
    server.register_blueprint(blueprint)


def _no_sign_in():
    return flask.redirect("/", 303)


def _logout_page():
    """A GET cannot sign out (a link on another site could): it shows the button that does."""
    if session.signed_in_name(flask.current_app.config["AUTH_MODE"]) is None:
        return flask.redirect("/login", 303)
    return pages.page("Sign out", pages.sign_out_form(session.csrf_token()))


def _logout():
    form = flask.request.form
    if not session.csrf_ok(form.get("csrf")):
        return pages.page(
            "Sign out",
            pages.sign_out_form(session.csrf_token()),
            status=400,
            error="The sign-out form expired or came from another site; press Sign out again.",
        )
    name = session.sign_out()
    if name:
        audit.record(services.engine(), name, "auth.sign_out", f"user:{name}")
    return pages.page("Signed out", pages.link("login-again", "/login", "Sign in again"), note="You are signed out.")
