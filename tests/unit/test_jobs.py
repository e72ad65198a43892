import sys

import dash
import pytest

from webapp.config import ConfigError, load_config
from webapp.jobs import make_background_manager


def test_diskcache_is_the_default_backend(tmp_path):
    manager = make_background_manager(load_config({"DATA_DIR": str(tmp_path)}, environ={}))
    assert isinstance(manager, dash.DiskcacheManager)
    assert (tmp_path / "cache").is_dir()


def test_redis_url_without_celery_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "celery", None)
    settings = load_config({"DATA_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/0"}, environ={})
    with pytest.raises(ConfigError, match=r"GLASSBOX_REDIS_URL.*\[celery\]"):
        make_background_manager(settings)
