"""A real server for the attacks: gunicorn started from the Procfile's own line on a free loopback port."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
PROCFILE_BIND = "0.0.0.0:$PORT"


def procfile_command() -> str:
    line = (ROOT / "Procfile").read_text().strip()
    assert line.startswith("web: ")
    return line.removeprefix("web: ")


@dataclass
class Server:
    """A running gunicorn: its base URL, master process and log."""

    base: str
    process: subprocess.Popen
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None, timeout=30):
        """(status, headers, body) of one request; an HTTP error status is an answer, not an exception."""
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_json(self, path: str, payload, **kwargs):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return self.request("POST", path, body, {"Content-Type": "application/json"}, **kwargs)

    def worker_pids(self) -> list[int]:
        import psutil

        return [child.pid for child in psutil.Process(self.process.pid).children()]


def start_gunicorn(
    tmp_path: Path, env: dict[str, str], host: str | None = None, wait: bool = True, options: dict | None = None
) -> Server:
    """Run the Procfile's command as a PaaS would (``$PORT`` set, the venv first on PATH).

    Args:
        env: ``GLASSBOX_*`` settings to add; a ``None`` value removes the variable.
        host: Bind this host instead of the Procfile's ``0.0.0.0``.
        wait: Wait for /healthz to answer 200; else only until the port accepts connections (no request made).
        options: Procfile options to give another value, e.g. ``{"--max-requests": "40"}``.
    """
    command = procfile_command()
    for option, value in (options or {}).items():
        command, count = re.subn(rf"{re.escape(option)} \S+", f"{option} {value}", command)
        assert count == 1, f"{option} is not in the Procfile line"
    port = free_port()
    if host is not None:
        assert PROCFILE_BIND in command
        command = command.replace(PROCFILE_BIND, f"{host}:$PORT")
    full_env = {
        **os.environ,
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "GLASSBOX_DATA_DIR": str(tmp_path / "data"),
        "GLASSBOX_LOG_LEVEL": "WARNING",
        "GLASSBOX_AUTH": "none",  # these tests attack an open server; tests/auth cover sign-in
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    full_env.pop("GLASSBOX_SECRET_KEY", None)
    for key, value in env.items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    log_path = tmp_path / f"gunicorn-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            ["bash", "-c", "exec " + command],
            cwd=ROOT,
            env=full_env,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    if not wait:
        return server
    return wait_until_healthy(server)


def wait_until_listening(server: Server, timeout: float = 60) -> None:
    """Wait until gunicorn's master listens, without sending a request."""
    import socket

    port = int(server.base.rsplit(":", 1)[1])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail("gunicorn exited:\n" + server.log)
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail("gunicorn did not listen:\n" + server.log)


def wait_until_healthy(server: Server) -> Server:
    process = server.process
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("gunicorn exited:\n" + server.log)
        try:
            if server.get("/healthz", timeout=5)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop(server)
    pytest.fail("gunicorn did not answer /healthz within 120 s:\n" + server.log)


def stop(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)


SECRET = "s3cr3t-for-the-security-tests-0123456789abcdef"


@pytest.fixture(scope="session")
def procfile_server(tmp_path_factory):
    """The Procfile's gunicorn (2 workers, 8 threads) with a real secret key, shared by the security tests."""
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    server = start_gunicorn(tmp_path, {"GLASSBOX_SECRET_KEY": SECRET})
    yield server
    stop(server)
