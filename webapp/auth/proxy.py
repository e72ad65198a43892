"""``GLASSBOX_AUTH=proxy``: the user named by a trusted header from an authenticating proxy (oauth2-proxy style).

The header is believed only from the addresses in ``GLASSBOX_PROXY_ADDRESSES`` (the peer that connected, before
any ``X-Forwarded-For`` rewriting): anyone else could send it. The role comes from the groups header through
``GLASSBOX_PROXY_ROLES``; each user is remembered in the users table (so they can hold API tokens).
"""

from __future__ import annotations

import ipaddress
import logging

import flask

from models import accounts, audit
from models.access import User
from webapp import services
from webapp.auth import pages, roles
from webapp.auth.gate import Refused

log = logging.getLogger(__name__)


def _networks(config) -> list:
    networks = []
    for entry in config["PROXY_ADDRESSES"]:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            log.error("GLASSBOX_PROXY_ADDRESSES: %r is not an address or network; ignored.", entry)
    return networks


def peer_address() -> str:
    """The address that connected to this server (ProxyFix keeps the original under ``werkzeug.proxy_fix.orig``)."""
    environ = flask.request.environ
    return environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR") or environ.get("REMOTE_ADDR") or ""


def trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def header_user() -> User:
    """The proxy's user for this request.

    Raises:
        Refused: 403 from an address that is not a trusted proxy; 401 without the header; 400 for a bad name.
    """
    config = flask.current_app.config
    networks = config["glassbox.proxy_networks"]
    peer = peer_address()
    if not trusted(peer, networks):
        raise Refused(
            403,
            f"Requests must come through the sign-in proxy: {peer or 'this address'} is not in GLASSBOX_PROXY_ADDRESSES.",
        )
    name = flask.request.headers.get(config["PROXY_USER_HEADER"], "").strip()
    if not name:
        raise Refused(401, f"The sign-in proxy sent no {config['PROXY_USER_HEADER']} header: sign in through it.")
    try:
        accounts.check_name(name)
    except accounts.AccountError as exc:
        raise Refused(400, f"{config['PROXY_USER_HEADER']}: {exc}") from None
    groups = roles.groups_of(flask.request.headers.get(config["PROXY_GROUPS_HEADER"], ""))
    role = roles.role_for(groups, config["PROXY_ROLES"], config["PROXY_DEFAULT_ROLE"])
    engine = services.engine()
    known = accounts.get_user(engine, name)
    if known is None or known.role != role:
        accounts.remember_external(engine, name, role, "proxy")
        audit.record(engine, name, "auth.sign_in", f"user:{name}", mode="proxy", role=role, ip=peer)
    return User(name, role)


def add_routes(blueprint: flask.Blueprint, server: flask.Flask) -> None:
    server.config["glassbox.proxy_networks"] = _networks(server.config)

    def login():
        return pages.page(
            "Sign in",
            pages.link("login-home", "/", "Open Glassbox"),
            note="Sign-in is done by the proxy in front of Glassbox.",
        )

    def logout():
        return flask.redirect(flask.current_app.config["PROXY_SIGN_OUT_URL"] or "/", 303)

    blueprint.add_url_rule("/login", "login", login)
    blueprint.add_url_rule("/logout", "logout", logout, methods=["GET", "POST"])
