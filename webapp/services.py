"""One door to each shared service, as flaskr's ``get_db``: the database engine and the two workspaces.

``init_app`` builds them once per process in ``create_app`` (creating the tables there, so no request races
another to do it); pages, callbacks and the API ask for them with ``engine()``, ``sentiment()`` and ``nn()``.
The workspaces hold no per-user state: what they cache is read-only data loaded from immutable files.
"""

from __future__ import annotations

import logging
import threading

import flask
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models import migrations
from models.db import make_engine
from models.nn.workspace import Workspace as NNWorkspace
from models.ownership import Ownership
from models.sentiment.workspace import Workspace as SentimentWorkspace
from webapp.config import ConfigError

_ENGINE = "glassbox.db"
_SENTIMENT = "glassbox.sentiment-workspace"
_NN = "glassbox.nn-workspace"
_OWNERS = "glassbox.ownership"
_KINDS = {_SENTIMENT: SentimentWorkspace, _NN: NNWorkspace, _OWNERS: Ownership}
_lock = threading.Lock()
log = logging.getLogger(__name__)


def init_app(server: flask.Flask) -> None:
    """Create the engine and both workspaces for ``server``; an empty database is migrated to the newest schema.

    A database that is down at start does not stop the app: /healthz reports it, and the workspaces are
    built on first use once it answers.

    Raises:
        ConfigError: the database's schema is behind this code's (the message says to run ``glassbox db upgrade``).
    """
    server.extensions[_ENGINE] = engine = make_engine(server.config["DATABASE_URL"])
    try:
        migrations.ensure_current(engine)  # an empty database is migrated; one behind is refused (below)
        for key in _KINDS:
            _build(server, key)
    except migrations.SchemaBehindError as exc:
        raise ConfigError(str(exc)) from None
    except sa.exc.DatabaseError as exc:
        log.error("The database did not answer at start (%s); tables are created when it does.", exc.__class__.__name__)


def _build(server: flask.Flask, key: str):
    config = server.config
    if key == _OWNERS:
        workspace = Ownership(server.extensions[_ENGINE])
    else:
        workspace = _KINDS[key](server.extensions[_ENGINE], config["DATA_DIR"], config.get("DATA_MIRROR"))
    server.extensions[key] = workspace
    return workspace


def _workspace(key: str):
    app = flask.current_app
    workspace = app.extensions.get(key)
    if workspace is None:
        with _lock:  # only after a database outage at start
            workspace = app.extensions.get(key) or _build(app, key)
    return workspace


def engine() -> Engine:
    """The app's database engine."""
    return flask.current_app.extensions[_ENGINE]


def sentiment() -> SentimentWorkspace:
    """The app's sentiment workspace: datasets, corrections and runs."""
    return _workspace(_SENTIMENT)


def nn() -> NNWorkspace:
    """The app's NN workspace: datasets, training and stored runs."""
    return _workspace(_NN)


def owners() -> Ownership:
    """The owner entries of uploads (the logs page's; the workspaces hold their own on the same database)."""
    return _workspace(_OWNERS)
