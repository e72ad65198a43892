"""Celery worker for background callbacks when ``GLASSBOX_REDIS_URL`` is set.

    GLASSBOX_REDIS_URL=redis://127.0.0.1:6379/0 celery -A webapp.worker worker --concurrency 2

Building the app imports every page, which registers each background callback as a Celery task
(Dash names them by a hash of the function's source, the same in the web and worker processes).
Give the worker the same ``GLASSBOX_*`` settings as the web process: it writes to the same data
folder and database.
"""

from __future__ import annotations

from celery import signals

from webapp import create_app
from webapp.config import ConfigError, load_config

# Said first: without a broker there is nothing for a worker to do, whatever else is set.
if not load_config().get("REDIS_URL"):
    raise ConfigError("GLASSBOX_REDIS_URL is not set: background jobs run on diskcache, no Celery worker is needed.")
# The worker serves no HTTP: an unset GLASSBOX_AUTH is no reason to refuse (the web process refuses it).
_app = create_app({"AUTH_LOOPBACK": True})
celery_app = app = _app.server.extensions["glassbox.celery"]

_contexts = {}


@signals.task_prerun.connect
def _push_app_context(task_id=None, **_):
    """Callbacks read settings and the database engine from ``flask.current_app``, as in the web process."""
    context = _app.server.app_context()
    context.push()
    _contexts[task_id] = context


@signals.task_postrun.connect
def _pop_app_context(task_id=None, **_):
    context = _contexts.pop(task_id, None)
    if context is not None:
        context.pop()
