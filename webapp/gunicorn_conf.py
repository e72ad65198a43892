"""gunicorn settings the Procfile loads (``--config python:webapp.gunicorn_conf``): the secret-key and sign-in rules.

The master knows every address gunicorn binds. With ``GLASSBOX_SECRET_KEY`` missing or public it refuses to
start unless every bind is loopback; then it makes one random key before any worker forks, so all workers
share it (Dash's signed background-job handles must verify on whichever worker the next poll reaches).
Without this file, ``webapp.wsgi`` refuses a missing or public key whatever the bind.

Likewise an unset ``GLASSBOX_AUTH`` is refused unless every bind is loopback (then sign-in is off). It also migrates an empty database to the newest schema once, before the workers fork (they would otherwise race
to do it; ``models.migrations`` locks anyway), and refuses to start on a database whose schema is behind.
"""

from __future__ import annotations

import os

import sqlalchemy as sa

from models import migrations
from models.db import make_engine
from webapp import auth, security
from webapp.config import ConfigError, load_config


def on_starting(server) -> None:
    _secret_key(server)
    _auth(server)
    _schema(server)


def _auth(server) -> None:
    """An unset GLASSBOX_AUTH is ``none`` on loopback-only binds, and refused on any other."""
    if os.environ.get(auth.AUTH_ENV):
        if os.environ[auth.AUTH_ENV].strip().lower() == "none":
            server.log.warning(auth.OPEN_WARNING)
        return
    binds = list(server.cfg.bind)
    if not security.is_loopback_bind(binds):
        raise RuntimeError(auth.refusal(f" (gunicorn binds {', '.join(binds)})"))
    os.environ[auth.AUTH_ENV] = "none"
    server.log.warning("%s is not set: gunicorn binds %s only, so sign-in is off.", auth.AUTH_ENV, ", ".join(binds))


def _schema(server) -> None:
    """Migrate an empty database once, in the master, before any worker starts; refuse one that is behind."""
    try:
        engine = make_engine(load_config()["DATABASE_URL"])
    except ConfigError:
        return  # each worker's create_app says what is wrong with the setting
    try:
        migrations.ensure_current(engine)
    except migrations.SchemaBehindError as exc:
        raise RuntimeError(str(exc)) from None
    except sa.exc.DatabaseError as exc:  # a database that is down: the workers start and /healthz says so
        server.log.warning("The database did not answer at start (%s).", exc.__class__.__name__)
    finally:
        engine.dispose()


def _secret_key(server) -> None:
    problem = security.secret_key_problem(os.environ.get(security.SECRET_KEY_ENV))
    if not problem:
        return
    binds = list(server.cfg.bind)
    if not security.is_loopback_bind(binds):
        # gunicorn prints a RuntimeError from the arbiter as "Error: ..." and exits with status 1.
        raise RuntimeError(security.refusal(problem) + f" (gunicorn binds {', '.join(binds)})")
    os.environ[security.SECRET_KEY_ENV] = security.random_secret_key()
    server.log.warning("%s: gunicorn binds %s only, so the workers share a random key.", problem, ", ".join(binds))
