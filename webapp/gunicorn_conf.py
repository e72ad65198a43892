"""gunicorn settings the Procfile loads (``--config python:webapp.gunicorn_conf``): the secret-key rule.

The master knows every address gunicorn binds. With ``GLASSBOX_SECRET_KEY`` missing or public it refuses to
start unless every bind is loopback; then it makes one random key before any worker forks, so all workers
share it (Dash's signed background-job handles must verify on whichever worker the next poll reaches).
Without this file, ``webapp.wsgi`` refuses a missing or public key whatever the bind.
"""

from __future__ import annotations

import os

from webapp import security


def on_starting(server) -> None:
    problem = security.secret_key_problem(os.environ.get(security.SECRET_KEY_ENV))
    if not problem:
        return
    binds = list(server.cfg.bind)
    if not security.is_loopback_bind(binds):
        # gunicorn prints a RuntimeError from the arbiter as "Error: ..." and exits with status 1.
        raise RuntimeError(security.refusal(problem) + f" (gunicorn binds {', '.join(binds)})")
    os.environ[security.SECRET_KEY_ENV] = security.random_secret_key()
    server.log.warning("%s: gunicorn binds %s only, so the workers share a random key.", problem, ", ".join(binds))
