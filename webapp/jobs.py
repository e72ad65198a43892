"""The background-callback manager: diskcache by default, Celery when a Redis URL is configured.

Both keep job state outside the web process, so any gunicorn worker can answer a job's
progress poll and one user's long job never blocks another user's requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dash

from webapp.config import ConfigError

EXPIRE_S = 24 * 3600  # finished job results older than this are dropped


def make_background_manager(settings: Mapping[str, Any]):
    """Return a Dash background-callback manager for the configured backend.

    Raises:
        ConfigError: ``GLASSBOX_REDIS_URL`` is set but Celery is not installed.
    """
    redis_url = settings.get("REDIS_URL")
    if redis_url:
        try:
            from celery import Celery
        except ImportError:
            raise ConfigError(
                "GLASSBOX_REDIS_URL is set but Celery is not installed: pip install -e '.[celery]'."
            ) from None
        celery_app = Celery("glassbox", broker=redis_url, backend=redis_url)
        return dash.CeleryManager(celery_app, expire=EXPIRE_S)

    import diskcache

    cache_dir = Path(settings["CACHE_DIR"])
    cache_dir.mkdir(parents=True, exist_ok=True)
    return dash.DiskcacheManager(diskcache.Cache(str(cache_dir)), expire=EXPIRE_S)
