"""``GLASSBOX_AUTH=oidc``: sign-in through any OpenID Connect provider with Authlib's Flask client.

Authorization code flow with PKCE (S256); Authlib keeps the state, nonce and code verifier in the signed session
and checks them on the way back: an unknown state, or an ID token whose nonce is not the one this browser's
sign-in asked for, is refused with HTTP 400 and the reason, and no session is made. The provider's endpoints and
keys come from discovery (``<issuer>/.well-known/openid-configuration``). The user's role is the highest that
``GLASSBOX_OIDC_ROLES`` maps any value of the ``GLASSBOX_OIDC_ROLES_CLAIM`` claim to, else
``GLASSBOX_OIDC_DEFAULT_ROLE``; it is recorded in the users table at each sign-in (so API tokens know it).
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import flask
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from joserfc.errors import JoseError
from requests import RequestException

from models import accounts, audit
from webapp import services
from webapp.auth import pages, roles, session
from webapp.auth.routes import safe_next
from webapp.config import ConfigError

log = logging.getLogger(__name__)
CLIENT = "glassbox"
_NEXT = "oidc_next"


def _client(server: flask.Flask):
    config = server.config
    missing = [key for key in ("OIDC_ISSUER", "OIDC_CLIENT_ID") if not config.get(key)]
    if missing:
        raise ConfigError(
            "GLASSBOX_AUTH=oidc needs " + " and ".join(f"GLASSBOX_{key}" for key in missing) + " (README, Sign-in)."
        )
    oauth = OAuth(server)
    issuer = config["OIDC_ISSUER"].rstrip("/")
    return oauth.register(
        CLIENT,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config.get("OIDC_CLIENT_SECRET"),
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": config["OIDC_SCOPES"], "code_challenge_method": "S256"},
    )


def _refused(reason: str, status: int = 400):
    """The refusal page; the attempt goes to the audit log (no user is known: the actor is ``anonymous``)."""
    try:
        audit.record(services.engine(), "anonymous", "auth.sign_in_failed", None, mode="oidc", reason=reason)
    except Exception:  # the audit log is down too: the refusal still stands
        log.exception("could not record a refused OIDC sign-in")
    return pages.page(
        "Sign-in refused", pages.link("login-again", "/login", "Sign in again"), status=status, error=reason
    )


def add_routes(blueprint: flask.Blueprint, server: flask.Flask) -> None:
    client = _client(server)

    def login():
        next_path = safe_next(flask.request.args.get("next"))
        if session.signed_in_name("oidc"):
            return flask.redirect(next_path, 303)
        start = "/auth/oidc/start?" + urlencode({"next": next_path})
        return pages.page("Sign in", pages.link("login-oidc", start, "Sign in with single sign-on"))

    def start():
        flask.session[_NEXT] = safe_next(flask.request.args.get("next"))
        redirect_uri = flask.url_for(f"{blueprint.name}.oidc_callback", _external=True)
        try:
            return client.authorize_redirect(redirect_uri)
        except (RequestException, ValueError) as exc:
            log.error("OIDC discovery at %s failed: %s", flask.current_app.config["OIDC_ISSUER"], exc)
            return _refused("The sign-in provider cannot be reached; try again later.", 503)

    def callback():
        config = flask.current_app.config
        next_path = safe_next(flask.session.get(_NEXT))
        args = flask.request.args
        if args.get("error"):
            reason = f"The sign-in provider refused: {args.get('error')[:100]}"
            if args.get("error_description"):
                reason += f" ({args.get('error_description')[:200]})"
            return _refused(reason + ".", 401)
        if not args.get("code") or not args.get("state"):
            return _refused("The sign-in answer has no code or state: start again from the sign-in page.")
        try:
            token = client.authorize_access_token()
        except AuthlibBaseError as exc:
            error = getattr(exc, "error", "") or exc.__class__.__name__
            if error == "mismatching_state":
                reason = "The sign-in answer's state does not match this browser's sign-in (expired or forged)."
            else:
                reason = f"The sign-in answer was not accepted: {error} ({str(getattr(exc, 'description', ''))[:200]})."
            return _refused(reason)
        except JoseError as exc:
            return _refused(f"The provider's ID token was not accepted: {str(exc)[:200]}.")
        except RequestException as exc:
            log.error("OIDC token request failed: %s", exc)
            return _refused("The sign-in provider cannot be reached; try again later.", 503)
        claims = token.get("userinfo") or {}
        if not claims.get("nonce"):
            return _refused("The provider's ID token carries no nonce, so it cannot be tied to this sign-in.")
        name = claims.get(config["OIDC_NAME_CLAIM"]) or claims.get("sub")
        try:
            accounts.check_name(name)
        except accounts.AccountError as exc:
            return _refused(f"The provider's user name cannot be used: {exc}")
        groups = roles.groups_of(claims.get(config["OIDC_ROLES_CLAIM"]))
        role = roles.role_for(groups, config["OIDC_ROLES"], config["OIDC_DEFAULT_ROLE"])
        engine = services.engine()
        accounts.remember_external(engine, name, role, "oidc")
        session.sign_in(name, "oidc")
        audit.record(engine, name, "auth.sign_in", f"user:{name}", mode="oidc", role=role, groups=groups[:20])
        return flask.redirect(next_path, 303)

    blueprint.add_url_rule("/login", "login", login)
    blueprint.add_url_rule("/auth/oidc/start", "oidc_start", start)
    blueprint.add_url_rule("/auth/oidc/callback", "oidc_callback", callback)
