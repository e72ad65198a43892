"""Shared fixtures: an app built on a temporary data folder, its test client, and Chromium options for dash_duo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"

# Tests never download: datasets come from the shared mirror beside the checkout.
if SHARED_DATA.is_dir():
    os.environ.setdefault("GLASSBOX_DATA_MIRROR", str(SHARED_DATA))
CHROMIUM = os.environ.get("GLASSBOX_TEST_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def app_config(tmp_path):
    return {"TESTING": True, "DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "test"}


@pytest.fixture
def app(app_config):
    from webapp import create_app
    from webapp.nn_warm import stop_spares

    yield create_app(app_config)
    stop_spares(app_config["DATA_DIR"])  # NN runs leave a warm trainer waiting; it must not outlive the test


@pytest.fixture
def client(app):
    return app.server.test_client()


@pytest.fixture
def password_app(app_config):
    """An app with sign-in on (``GLASSBOX_AUTH=password``); sign users in with the ``sign_in`` fixture."""
    from webapp import create_app
    from webapp.nn_warm import stop_spares

    yield create_app({**app_config, "AUTH": "password"})
    stop_spares(app_config["DATA_DIR"])


@pytest.fixture
def sign_in():
    """``sign_in(app, name, role="editor")``: a test client signed in through the real form (tests/auth/helpers.py)."""
    from tests.auth.helpers import sign_in as signed_in_client

    return signed_in_client


def free_port() -> int:
    """A TCP port free on loopback now (the OS picks it), so test servers never collide with another run's."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _dash_duo_on_a_free_port(monkeypatch):
    """dash_duo serves on 8050, 8051 ... by default: two test runs on one machine would collide."""
    from dash.testing.composite import DashComposite

    start = DashComposite.start_server

    def start_server(self, app, navigate=True, **kwargs):
        kwargs.setdefault("port", free_port())
        return start(self, app, navigate=navigate, **kwargs)

    monkeypatch.setattr(DashComposite, "start_server", start_server)


def pytest_setup_options():
    """Chromium options for dash_duo: Debian's headless Chromium, no network chatter, fresh profile."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    return options


def _missing(reason: str) -> None:
    """Skip a test whose server is not installed; under CI a missing server fails it, so CI cannot pass without."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(reason)
    pytest.skip(reason)


def _pg_bin(name: str) -> str | None:
    import glob
    import shutil

    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server for the session: ``GLASSBOX_TEST_POSTGRES_URL``, else a throwaway cluster
    started here on loopback (as the ``postgres`` user when the tests run as root, which initdb refuses)."""
    import pwd
    import shutil
    import subprocess
    import tempfile

    url = os.environ.get("GLASSBOX_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        _missing("PostgreSQL is not installed (.ci/run installs it); set GLASSBOX_TEST_POSTGRES_URL to use a server")
    # Not under pytest's tmp folder: its parents are private to the user running the tests.
    folder = Path(tempfile.mkdtemp(prefix="glassbox-pg-"))
    prefix = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "glassbox", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://glassbox@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis server on loopback for the session (``redis-server`` from Debian; .ci/run installs it)."""
    import shutil
    import socket
    import subprocess
    import tempfile
    import time

    binary = shutil.which("redis-server")
    if binary is None:
        _missing("redis-server is not installed (.ci/run installs it)")
    port = free_port()
    folder = tempfile.mkdtemp(prefix="glassbox-redis-")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The same database code against SQLite (the default) and a PostgreSQL server (a fresh schema per test)."""
    import uuid

    import sqlalchemy as sa

    from models.db import make_engine

    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite'}"
    server = request.getfixturevalue("postgres_url")
    engine = make_engine(server)
    schema = f"t{uuid.uuid4().hex[:12]}"  # no state leaks between tests
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return f"{server}?options=-csearch_path%3D{schema}"


@pytest.fixture
def engine(database_url):
    """Makes engines on ``database_url`` (a new one per call, like a restarted process); closed after the test."""
    from models.db import make_engine

    made = []

    def make():
        made.append(make_engine(database_url))
        return made[-1]

    yield make
    for e in made:
        e.dispose()
