"""What keeps a client from hurting the server: the secret key rule, JSON limits and security headers.

``create_app`` calls ``init_app``; ``secret_key_problem`` is also used by ``glassbox`` and the gunicorn hook
(``webapp/gunicorn_conf.py``), which are the only places that know whether the server listens on loopback only.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
import secrets
import socket
from collections.abc import Iterable

import dash
import dash.exceptions
import flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

from webapp.config import DEV_SECRET_KEY

SECRET_KEY_ENV = "GLASSBOX_SECRET_KEY"
# Keys anyone can read: the former built-in default and the placeholders of tutorials and docs.
PUBLIC_SECRET_KEYS = frozenset(
    {DEV_SECRET_KEY, "dev", "development", "secret", "secret-key", "secret_key", "changeme", "change-me"}
)
SHORT_SECRET_KEY = 16  # characters; shorter keys are accepted with a warning (every page shows a signed token)


def secret_key_problem(key: str | None) -> str | None:
    """Why ``key`` must not sign anything a client sends back, or ``None`` when it may.

    Dash signs background-job handles (which name a process to kill on Cancel/Retrain) with the Flask secret
    key; anyone who knows the key can forge a handle. So a missing key and every public one are refused.
    """
    if not key:
        return f"{SECRET_KEY_ENV} is not set"
    if key.strip().lower() in PUBLIC_SECRET_KEYS:
        return f"{SECRET_KEY_ENV} is a publicly known value"
    return None


def refusal(problem: str) -> str:
    """The message a server that must not start prints."""
    return (
        f"{problem}: anyone could forge the signed background-job handles (and make the server kill a process). "
        f"Set {SECRET_KEY_ENV} to a long random value shared by every worker, e.g. "
        "`python -c 'import secrets; print(secrets.token_hex(32))'`. "
        "Only a server that listens on loopback only (`glassbox --host 127.0.0.1`) may run without it."
    )


def random_secret_key() -> str:
    return secrets.token_hex(32)


def is_loopback_host(host: str) -> bool:
    """True when every address ``host`` names is a loopback address (``127.0.0.1``, ``::1``, ``localhost``)."""
    host = host.strip().strip("[]")
    if not host:
        return False  # "" binds every interface
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in infos)


def is_loopback_bind(binds: Iterable[str]) -> bool:
    """True when every gunicorn bind (``HOST:PORT``, ``[::1]:PORT``, ``unix:PATH``, ``fd://N``) is loopback.

    A unix socket or an inherited fd counts as public: a proxy in front of it usually serves the internet.
    """
    binds = list(binds)
    if not binds:
        return False
    for bind in binds:
        if bind.startswith(("unix:", "fd://")):
            return False
        if bind.startswith("["):
            host = bind[1 : bind.index("]")]
        elif bind.count(":") == 1:
            host = bind.split(":", 1)[0]
        else:  # a bare host (gunicorn adds its port) or a bare IPv6 address
            host = bind
        if not is_loopback_host(host):
            return False
    return True


# JSON bodies ---------------------------------------------------------------------------------------------------


class JSONTooDeepError(ValueError):
    """A JSON document nested deeper than the parser may go."""


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, but a document nested too deep for the parser is a 400, not a RecursionError (500).

    ``request.get_json()`` turns a ``ValueError`` from ``loads`` into a 400 Bad Request with the reason; the C
    parser raises ``RecursionError`` past about a thousand levels, which nothing turned into a 4xx.
    """

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise JSONTooDeepError("the JSON document is nested too deeply to parse") from None


def json_depth(value, limit: int) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0, ``[1]`` is 1), counting no further than ``limit + 1``."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        depth += 1
        deepest = max(deepest, depth)
        if depth > limit:
            return depth
        stack.extend((child, depth) for child in item)
    return deepest


# Dash's callback endpoint ----------------------------------------------------------------------------------------

CALLBACK_PATH = "/_dash-update-component"
# Deepest JSON a callback request may carry. The renderer's bodies are ~5 levels plus the deepest value sent
# (a figure: ~8); a component tree as Input/State would add 3 per level, and no callback here takes one.
DASH_MAX_JSON_DEPTH = 100


def _callback_body_problem(body, callback_map) -> str | None:
    """Why a ``/_dash-update-component`` body is not one the renderer sends, or ``None``."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str):
        return '"output" must be a string'
    if output not in callback_map:
        return f"no callback has the output {output[:200]!r}"
    if "outputs" in body and not isinstance(body["outputs"], dict | list):
        return '"outputs" must be an object or a list'
    for key in ("inputs", "state", "changedPropIds"):
        if key in body and not isinstance(body[key], list):
            return f'"{key}" must be a list'
    if not all(isinstance(prop, str) for prop in body.get("changedPropIds", [])):
        return '"changedPropIds" must be a list of strings'
    callback = callback_map[output]
    for key in ("inputs", "state"):
        expected = len(callback.get(key) or [])
        if len(body.get(key, [])) != expected:
            return f'the callback takes {expected} "{key}", not {len(body.get(key, []))}'

    def bad_item(item) -> bool:
        if isinstance(item, list):  # pattern-matching inputs (ALL/ALLSMALLER) arrive as lists
            return any(bad_item(i) for i in item)
        return not (isinstance(item, dict) and "id" in item and isinstance(item.get("property"), str))

    for key in ("inputs", "state"):
        if any(bad_item(item) for item in body.get(key, [])):
            return f'every item of "{key}" must be an object with "id" and "property"'
    return None


def _check_callback_body(app: dash.Dash):
    """Refuse a callback body the renderer would never send with a 400 and the reason, before Dash trips on it.

    Dash indexes the body without checks (a missing key or an unknown output was a 500) and recurses through
    values; the JSON is parsed here once (Flask caches it for Dash) and its depth capped at
    ``DASH_MAX_JSON_DEPTH``.
    """
    request = flask.request
    if request.path != CALLBACK_PATH or request.method != "POST":
        return None
    if not request.is_json:
        return _refuse("the body must be JSON (Content-Type: application/json)", 415)
    try:
        body = request.get_json()
    except BadRequest as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, BadRequest) else exc
        return _refuse(f"the body is not valid JSON ({cause.description})")
    if json_depth(body, DASH_MAX_JSON_DEPTH) > DASH_MAX_JSON_DEPTH:
        return _refuse(f"the JSON is nested deeper than {DASH_MAX_JSON_DEPTH} levels")
    problem = _callback_body_problem(body, app.callback_map)
    if problem:
        return _refuse(problem)
    return None


def _refuse(reason: str, status: int = 400):
    return flask.jsonify({"error": f"Not a Dash callback request: {reason}."}), status


def _callback_mismatch(exc: dash.exceptions.CallbackException):
    """Dash's own checks of a request against the callback (output spec, input grouping): the client's fault.

    A callback returning the wrong shape (``InvalidCallbackReturnValue``) is the server's fault and stays a 500.
    """
    if flask.request.path != CALLBACK_PATH or isinstance(exc, dash.exceptions.InvalidCallbackReturnValue):
        raise exc
    return _refuse(f"it does not match the callback ({str(exc)[:200]})")


# Headers ---------------------------------------------------------------------------------------------------------


def _script_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def content_security_policy(app: dash.Dash) -> str:
    """A CSP under which Dash runs with no inline script but its own (hashed), and no framing by other sites.

    Scripts: this origin plus the hashes of Dash's inline scripts (clientside callbacks, the renderer start)
    and of the index template's theme script; no other inline script runs, so markup injected from data cannot
    run code. ``'unsafe-eval'`` stays because plotly.min.js (bundled by plotly.py) compiles its WebGL traces
    with ``Function`` (regl), which the Logs page draws; the ``plotly.js-strict`` build would drop it. Styles
    keep ``'unsafe-inline'``: React, Plotly and AG Grid set style attributes at run time, which hashes cannot
    cover; styles cannot run code.
    """
    template_scripts = [_script_hash(s) for s in _INLINE_SCRIPT.findall(app.index_string)]
    scripts = " ".join(["'self'", "'unsafe-eval'", *app.csp_hashes(), *template_scripts])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


def _security_headers(csp: str):
    def add(response: flask.Response) -> flask.Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

    return add


# Versions ---------------------------------------------------------------------------------------------------------

# Keys of Dash's page config the renderer only shows in dev tools; they tell an attacker what to exploit.
_HIDDEN_CONFIG = ("python_version", "plotly_version", "ddk_version")


def _hide_versions(app: dash.Dash) -> None:
    config = app._config

    def _config():
        return {key: value for key, value in config().items() if key not in _HIDDEN_CONFIG}

    app._config = _config


def init_app(app: dash.Dash) -> None:
    """Install the JSON limits, the callback-body check, the security headers and the version hiding on ``app``.

    Call it last in ``create_app``: the CSP hashes every inline script registered so far.
    """
    server = app.server
    server.json = SafeJSONProvider(server)
    server.before_request(lambda: _check_callback_body(app))
    server.register_error_handler(dash.exceptions.CallbackException, _callback_mismatch)
    _hide_versions(app)
    server.after_request(_security_headers(content_security_policy(app)))
