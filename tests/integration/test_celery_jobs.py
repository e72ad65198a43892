"""Background callbacks on Celery + Redis: a real Redis server, a real `celery worker` process, the app in Chromium."""

import os
import subprocess
import sys

import pytest

from tests.integration.test_sentiment_page import _click, _matrix, _open

pytestmark = pytest.mark.browser


@pytest.fixture
def celery_config(app_config, redis_url):
    app_config["REDIS_URL"] = redis_url
    return app_config


@pytest.fixture(params=["solo", "prefork"])
def worker(request, celery_config):
    """`celery -A webapp.worker worker` with the same settings as the app under test, in both pool kinds
    (prefork's children are daemonic: the NN trainer must still start from them)."""
    env = dict(
        os.environ,
        GLASSBOX_DATA_DIR=celery_config["DATA_DIR"],
        GLASSBOX_REDIS_URL=celery_config["REDIS_URL"],
        GLASSBOX_SECRET_KEY=celery_config["SECRET_KEY"],
        GLASSBOX_LOG_LEVEL="WARNING",
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "webapp.worker",
            "worker",
            f"--pool={request.param}",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stdout.close()


def test_retrain_runs_on_a_celery_worker(celery_config, worker, dash_duo, app):
    import redis

    assert type(app._background_manager).__name__ == "CeleryManager"
    _open(dash_duo, app)
    before = _matrix(dash_duo)
    _click(dash_duo, "#sentiment-retrain")
    dash_duo.wait_for_contains_text("#sentiment-run-info", "Model run #2", timeout=180)
    assert sum(map(sum, _matrix(dash_duo))) == sum(map(sum, before))
    results = redis.Redis.from_url(celery_config["REDIS_URL"]).keys("celery-task-meta-*")
    assert results, "the retrain did not go through Celery"
    assert worker.poll() is None, worker.stdout.read()
    assert dash_duo.get_logs() == []


def test_nn_training_runs_on_a_celery_worker(celery_config, worker, dash_duo, app):
    from tests.integration.test_nn_builder_page import _click as nn_click
    from tests.integration.test_nn_builder_page import _open as nn_open
    from tests.integration.test_nn_builder_page import _tab, _type

    nn_open(dash_duo, app)
    _type(dash_duo, "#nn-builder-epochs", 2)
    _type(dash_duo, "#nn-builder-batch-size", 512)
    _tab(dash_duo, "Training")
    nn_click(dash_duo, "#nn-builder-train")
    dash_duo.wait_for_contains_text("#nn-builder-progress", "epoch 2 of 2", timeout=180)
    dash_duo.wait_for_contains_text("#nn-builder-status", "Run #1: 2 epoch(s)", timeout=60)
    assert worker.poll() is None
    assert dash_duo.get_logs() == []


def test_worker_module_refuses_to_start_without_redis(tmp_path):
    env = dict(os.environ, GLASSBOX_DATA_DIR=str(tmp_path))
    env.pop("GLASSBOX_REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", "import webapp.worker"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0 and "GLASSBOX_REDIS_URL is not set" in done.stderr
