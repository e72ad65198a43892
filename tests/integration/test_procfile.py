"""The Procfile's command, run as a PaaS would run it, serves every page."""

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PATHS = ["/", "/logs", "/sentiment", "/nn-builder"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def procfile_server(tmp_path):
    line = (ROOT / "Procfile").read_text().strip()
    assert line.startswith("web: ")
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "GLASSBOX_DATA_DIR": str(tmp_path / "data"),
        "GLASSBOX_SECRET_KEY": "procfile-test",
        "GLASSBOX_AUTH": "none",  # the Procfile binds 0.0.0.0, where an unset GLASSBOX_AUTH refuses to start
        # The venv's gunicorn first on PATH, as on a PaaS where the app's environment is active.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            ["bash", "-c", "exec " + line.removeprefix("web: ")],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("gunicorn exited:\n" + log_path.read_text(errors="replace"))
        try:
            if _get(base + "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        pytest.fail("gunicorn did not answer /healthz within 60 s")
    yield base
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_procfile_binds_port_from_environment():
    line = (ROOT / "Procfile").read_text().strip()
    assert "--bind 0.0.0.0:$PORT" in line
    assert shlex.split(line)[1] == "gunicorn"


def test_gunicorn_serves_every_page_and_healthz(procfile_server):
    status, body = _get(procfile_server + "/healthz")
    assert status == 200 and b'"status":"ok"' in body
    for path in PATHS:
        status, body = _get(procfile_server + path)
        assert status == 200, path
        assert b"<title>Glassbox</title>" in body or b"Glassbox" in body
    assert _get(procfile_server + "/nope")[0] == 404
    status, layout = _get(procfile_server + "/_dash-layout")
    assert status == 200 and b"shell-navbar" in layout
