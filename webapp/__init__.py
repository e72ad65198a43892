"""Glassbox web app: a Flask server hosting a multi-page Dash app.

``create_app`` is the only way to build it (gunicorn imports ``webapp.wsgi:server``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import dash
import flask

from webapp import api, auth, forksafe, jobs, layout, roles, scripts, security, services, shown
from webapp.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = ROOT / "assets"

try:
    __version__ = metadata.version("glassbox")
except metadata.PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> dash.Dash:
    """Build the Flask server and the Dash app on it.

    Args:
        config: Overrides applied last, after defaults and ``GLASSBOX_*`` environment
            variables (tests pass ``{"DATA_DIR": tmp_path, "TESTING": True}``).

    Returns:
        The Dash app; its Flask server is ``app.server``.

    Raises:
        ConfigError: a setting cannot be used, e.g. ``GLASSBOX_SECRET_KEY`` is missing or public (``glassbox``
            and the gunicorn hook give a loopback-only server a random key before calling this), or
            ``GLASSBOX_AUTH`` is unset on a server that is not loopback-only (``webapp.auth.resolve_mode``).
    """
    forksafe.install()  # before any SQLite connection: background jobs are forked from this process
    settings = load_config(config)
    _configure_logging(settings["LOG_LEVEL"])
    problem = security.secret_key_problem(settings["SECRET_KEY"])
    if problem and settings.get("TESTING"):
        settings["SECRET_KEY"] = security.random_secret_key()
    elif problem:
        raise ConfigError(security.refusal(problem))
    elif len(settings["SECRET_KEY"]) < security.SHORT_SECRET_KEY:
        log.warning("GLASSBOX_SECRET_KEY is shorter than %d characters: use a long random value.", 16)
    settings["AUTH_MODE"], settings["AUTH_BANNER"] = auth.resolve_mode(settings)
    server = flask.Flask(__name__)
    server.config.update(settings)
    server.config["GLASSBOX_VERSION"] = __version__

    Path(settings["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    services.init_app(server)
    server.register_blueprint(api.blueprint)

    scripts.drop_babel_polyfill()  # before Dash lists its scripts (see webapp.scripts)
    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder="pages",
        assets_folder=str(ASSETS_DIR),
        title="Glassbox",
        update_title=None,
        suppress_callback_exceptions=True,
        background_callback_manager=(manager := jobs.make_background_manager(settings)),
        on_error=shown.on_error,  # a callback that showed its message (webapp.shown) changes nothing else
    )
    if isinstance(manager, dash.CeleryManager):
        server.extensions["glassbox.celery"] = manager.handle  # what webapp.worker hands to `celery worker`
    app.index_string = layout.INDEX_STRING
    app.layout = layout.shell
    layout.register_callbacks(app)
    server.after_request(_unknown_page_is_404)
    _set_up_dash_now(app)
    auth.init_app(app)  # after Dash's set-up: its gate would turn that set-up request away
    roles.init_app(app)  # after the gate (it puts the user on the request): refuses writes below their role
    security.init_app(app)  # last: its CSP hashes every inline script Dash registered
    return app


def _set_up_dash_now(app: dash.Dash) -> None:
    """Do now what Dash does on a process's first request: register the component bundles and callbacks.

    Dash does it in a ``before_request`` hook guarded by a flag it sets *before* the work, so under gunicorn's
    threads a worker's first burst of requests could find a bundle not yet registered and answer 500 ("dash is
    not a registered library"), a blank page. Running the ``before_request`` hooks here, before the worker
    accepts connections, does it once (without dispatching a request, so routes may still be added, e.g. by
    Dash's dev tools under ``--debug``).
    """
    with app.server.test_request_context("/_dash-dependencies"):
        app.server.preprocess_request()


def _configure_logging(level: str) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("webapp", "models"):
        logging.getLogger(name).setLevel(level)


def _page_paths() -> set[str]:
    return {page["path"].rstrip("/") or "/" for page in dash.page_registry.values() if page["path"] != "/404"}


def _unknown_page_is_404(response: flask.Response) -> flask.Response:
    """Dash answers every path with its index page; give unknown pages a real 404 status."""
    request = flask.request
    if (
        request.method == "GET"
        and response.status_code == 200
        and response.mimetype == "text/html"
        and (request.path.rstrip("/") or "/") not in _page_paths()
        and not request.path.startswith(("/_dash", "/assets/"))
        and request.blueprint is None  # the sign-in pages (webapp.auth) are Flask routes of their own
    ):
        response.status_code = 404
    return response
