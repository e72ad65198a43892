"""Sign-in: who the request's user is, chosen by ``GLASSBOX_AUTH`` (``none``, ``password``, ``oidc``, ``proxy``).

``init_app`` installs, on the Flask server:

- the gate (``gate.py``): before every request, the user from the session (``password``, ``oidc``), the proxy's
  header (``proxy``) or, under ``/api/``, a bearer token, put on the request with ``webapp.identity``; a request
  without one is sent to the sign-in page (pages) or answered 401 in JSON (API, Dash callbacks);
- the session cookie (``session.py``): signed, HttpOnly, SameSite=Lax, Secure over HTTPS, expiring;
- the sign-in and sign-out routes of the mode (``password.py``, ``oidc.py``, ``routes.py``).

The mode is settled by ``resolve_mode``: unset, it is ``none`` only where nobody else can connect (a loopback-only
server, which ``glassbox`` and the gunicorn hook know, or a test app); anywhere else an unset mode refuses to start.
"""

from __future__ import annotations

import logging

import dash
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.config import AUTH_MODES, ConfigError

AUTH_ENV = "GLASSBOX_AUTH"
OPEN_WARNING = "Sign-in is off (GLASSBOX_AUTH=none): anyone who can reach this server can see and change everything."
log = logging.getLogger(__name__)


def refusal(where: str = "") -> str:
    """What a server that must not start open says."""
    return (
        f"{AUTH_ENV} is not set{where}: anyone who reaches the server could see and change everything. "
        f"Set {AUTH_ENV} to password, oidc or proxy (README, Sign-in), e.g. `{AUTH_ENV}=password` and create the "
        "first admin with `glassbox users add NAME --role admin`; or set it to none to run open on purpose. "
        "Only a server that listens on loopback only (`glassbox --host 127.0.0.1`) may run without it."
    )


def resolve_mode(settings: dict) -> tuple[str, bool]:
    """(the sign-in mode, whether pages show the "sign-in is off" banner).

    Raises:
        ConfigError: ``GLASSBOX_AUTH`` is unset on a server that may be reachable from elsewhere.
    """
    mode = settings.get("AUTH")
    loopback = bool(settings.get("AUTH_LOOPBACK"))
    if mode is None:
        if loopback or settings.get("TESTING"):
            return "none", False
        raise ConfigError(refusal())
    if mode not in AUTH_MODES:
        raise ConfigError(f"{AUTH_ENV}={mode!r} is not valid: must be one of {', '.join(AUTH_MODES)}.")
    if mode == "none" and not loopback and not settings.get("TESTING"):
        log.warning(OPEN_WARNING)
        return mode, True
    return mode, False


def init_app(app: dash.Dash) -> None:
    """Install sign-in on ``app``'s server per ``AUTH_MODE`` (set by ``create_app`` from ``resolve_mode``)."""
    from webapp.auth import gate, routes, session

    server = app.server
    hops = int(server.config.get("PROXY_HOPS") or 0)
    if hops:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    session.configure(server)
    routes.register(server)
    server.before_request(gate.gate)
