"""Attack 1 of issue 11: forge a background-job handle that names a process, and make the server kill it.

Dash 4 HMAC-signs the ``job`` handles it gives the browser with the Flask secret key, bound to a signed
per-page-load ``endId``; on a new call of the same background callback it kills the process a valid
``oldJob`` handle names (and its children). Whoever knows the key can sign any pid. The old default key was
public, so these tests sign with it, as an anonymous attacker would.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.parse

import psutil
import pytest
from dash import _callback_signing as signing

from tests.security.conftest import SECRET, start_gunicorn, stop
from webapp import security
from webapp.config import DEV_SECRET_KEY


def _retrain_request(server) -> dict:
    """A valid call of the Sentiment page's Retrain background callback, built from /_dash-dependencies.

    C is "not a number", so the job returns at once with a message instead of training.
    """
    status, _, body = server.get("/_dash-dependencies")
    assert status == 200
    callbacks = [
        cb
        for cb in json.loads(body)
        if cb.get("background")
        and any(i["id"].endswith("retrain") and i["property"] == "n_clicks" for i in cb["inputs"])
    ]
    assert len(callbacks) == 1, "the Retrain background callback was not found"
    cb = callbacks[0]
    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in cb["output"].strip(".").split("...")
    ]
    state_values = {"data": {"dataset": "tweets", "run": 1}, "value": "not a number"}
    return {
        "output": cb["output"],
        "outputs": outputs,
        "inputs": [{**i, "value": 1} for i in cb["inputs"]],
        "state": [{**s, "value": state_values.get(s["property"])} for s in cb["state"]],
        "changedPropIds": [f"{cb['inputs'][0]['id']}.n_clicks"],
    }


def _forged_query(key: str, pids: list[int]) -> str:
    """``endId`` and ``oldJob`` handles signed with ``key``, naming ``pids`` (what an attacker can make)."""
    secret = key.encode()
    end_id = "attacker-page-load-000000"
    params = [("endId", signing.sign(secret, signing.END_SCOPE, end_id))]
    params += [("oldJob", signing.sign(secret, signing.job_scope(end_id), str(pid))) for pid in pids]
    return urllib.parse.urlencode(params)


def _attack(server, key: str, pids: list[int]):
    path = "/_dash-update-component?" + _forged_query(key, pids)
    return server.post_json(path, _retrain_request(server))


def _gone(process: subprocess.Popen, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return True
        time.sleep(0.1)
    return process.poll() is not None


@pytest.fixture
def victim():
    """An unrelated process: what the attacker wants killed."""
    process = subprocess.Popen(["sleep", "600"])
    yield process
    process.kill()
    process.wait()


def _assert_forge_refused(server, victim):
    workers = server.worker_pids()
    assert len(workers) == 2
    status, _, body = _attack(server, DEV_SECRET_KEY, [victim.pid, *workers])
    assert status == 200, body  # the call itself is valid: a new job starts, the forged handles are ignored
    assert {"cacheKey", "job"} <= set(json.loads(body))
    assert not _gone(victim, within=3), "the forged handle killed the unrelated process"
    assert all(psutil.pid_exists(pid) for pid in workers), "the forged handle killed a gunicorn worker"
    assert server.get("/healthz")[0] == 200


def test_forged_handle_kills_nothing_on_the_procfile_server_with_a_real_key(procfile_server, victim):
    _assert_forge_refused(procfile_server, victim)
    # Control: the same request signed with the server's real key does kill the process it names, so the
    # request above was a working attack that the signature check alone stopped.
    second = subprocess.Popen(["sleep", "600"])
    try:
        assert _attack(procfile_server, SECRET, [second.pid])[0] == 200
        assert _gone(second, within=10), "control failed: a correctly signed handle should have been honoured"
    finally:
        second.kill()
        second.wait()


def test_loopback_server_without_a_key_uses_a_random_one_that_the_public_key_cannot_forge(tmp_path, victim):
    server = start_gunicorn(tmp_path, {"GLASSBOX_SECRET_KEY": None}, host="127.0.0.1")
    try:
        assert "workers share a random key" in server.log
        _assert_forge_refused(server, victim)
    finally:
        stop(server)


@pytest.mark.parametrize("key", [None, "", DEV_SECRET_KEY, "changeme"])
def test_procfile_server_refuses_to_start_without_a_private_key(tmp_path, key):
    server = start_gunicorn(tmp_path, {"GLASSBOX_SECRET_KEY": key}, wait=False)
    try:
        assert server.process.wait(timeout=60) != 0
    finally:
        stop(server)
    assert "GLASSBOX_SECRET_KEY" in server.log
    assert "0.0.0.0" in server.log  # says which bind made the key necessary


def test_wsgi_module_alone_refuses_a_public_key(tmp_path):
    """Run without the Procfile's gunicorn hook, ``webapp.wsgi`` cannot know the bind, so it always refuses."""
    import os
    import sys

    env = {**os.environ, "GLASSBOX_DATA_DIR": str(tmp_path), "GLASSBOX_SECRET_KEY": DEV_SECRET_KEY}
    done = subprocess.run(
        [sys.executable, "-c", "import webapp.wsgi"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "GLASSBOX_SECRET_KEY is a publicly known value" in done.stderr


@pytest.mark.parametrize(
    "host, refused", [("127.0.0.1", False), ("localhost", False), ("::1", False), ("0.0.0.0", True), ("", True)]
)
def test_glassbox_command_needs_a_key_only_off_loopback(monkeypatch, capsys, tmp_path, host, refused):
    from webapp import __main__ as cli

    monkeypatch.delenv("GLASSBOX_SECRET_KEY", raising=False)
    monkeypatch.setenv("GLASSBOX_DATA_DIR", str(tmp_path))
    ran = {}
    monkeypatch.setattr("dash.Dash.run", lambda app, **kwargs: ran.update(app=app, **kwargs))
    if refused:
        with pytest.raises(SystemExit) as exc:
            cli.main(["--host", host])
        assert exc.value.code == 2
        assert ran == {}
        assert "GLASSBOX_SECRET_KEY is not set" in capsys.readouterr().err
    else:
        cli.main(["--host", host])
        key = ran["app"].server.secret_key
        assert security.secret_key_problem(key) is None and len(key) == 64


def test_gunicorn_binds_are_loopback_only_when_every_one_is():
    assert security.is_loopback_bind(["127.0.0.1:8000", "[::1]:8000", "localhost:1"])
    assert not security.is_loopback_bind(["127.0.0.1:8000", "0.0.0.0:8000"])
    assert not security.is_loopback_bind(["unix:/run/glassbox.sock"])
    assert not security.is_loopback_bind([])
