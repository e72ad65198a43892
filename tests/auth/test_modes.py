"""Which sign-in mode a server runs: an unset GLASSBOX_AUTH is `none` only on loopback, refused elsewhere (the
Procfile), and an explicit `none` off loopback warns in the log and on every page."""

from __future__ import annotations

import logging

import pytest

from tests.security.conftest import start_gunicorn, stop
from webapp import create_app, ids
from webapp.config import ConfigError

KEY = "a-private-key-for-these-tests-0123456789"


@pytest.fixture
def glassbox(monkeypatch, tmp_path):
    """Run ``glassbox ARGS`` in-process with ``Dash.run`` stubbed; returns (the app it would serve, or the exit)."""
    from webapp import __main__ as cli

    monkeypatch.setenv("GLASSBOX_SECRET_KEY", KEY)
    monkeypatch.setenv("GLASSBOX_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GLASSBOX_AUTH", raising=False)
    ran = {}
    monkeypatch.setattr("dash.Dash.run", lambda app, **kwargs: ran.update(app=app, **kwargs))

    def run(*args):
        cli.main(list(args))
        return ran["app"]

    return run


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_glassbox_on_loopback_runs_without_sign_in_and_without_a_banner(glassbox, host):
    app = glassbox("--host", host)
    assert app.server.config["AUTH_MODE"] == "none"
    client = app.server.test_client()
    assert client.get("/logs").status_code == 200
    layout = client.get("/_dash-layout").text
    assert ids.AUTH_OFF_BANNER not in layout and ids.NAV_USER not in layout


@pytest.mark.parametrize("host", ["0.0.0.0", ""])
def test_glassbox_off_loopback_without_glassbox_auth_refuses_and_says_what_to_set(glassbox, capsys, host):
    with pytest.raises(SystemExit) as exc:
        glassbox("--host", host)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "GLASSBOX_AUTH is not set" in err and "password, oidc or proxy" in err and "none" in err


def test_an_explicit_none_off_loopback_warns_in_the_log_and_on_every_page(glassbox, monkeypatch, caplog):
    monkeypatch.setenv("GLASSBOX_AUTH", "none")
    with caplog.at_level(logging.WARNING, logger="webapp"):
        app = glassbox("--host", "0.0.0.0")
    assert any("Sign-in is off" in r.getMessage() for r in caplog.records)
    layout = app.server.test_client().get("/_dash-layout").text
    assert ids.AUTH_OFF_BANNER in layout and "Sign-in is off" in layout


def test_a_bad_glassbox_auth_value_is_refused_naming_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSBOX_AUTH", "passwd")
    with pytest.raises(ConfigError, match=r"GLASSBOX_AUTH='passwd' is not valid: must be one of none, password"):
        create_app({"DATA_DIR": str(tmp_path), "SECRET_KEY": KEY})


def test_the_wsgi_module_without_glassbox_auth_refuses(tmp_path, monkeypatch):
    monkeypatch.delenv("GLASSBOX_AUTH", raising=False)
    with pytest.raises(ConfigError, match="GLASSBOX_AUTH is not set"):
        create_app({"DATA_DIR": str(tmp_path), "SECRET_KEY": KEY})


def test_test_apps_default_to_none(app):
    assert app.server.config["AUTH_MODE"] == "none"


def test_the_procfile_server_refuses_to_start_without_glassbox_auth(tmp_path):
    server = start_gunicorn(tmp_path, {"GLASSBOX_SECRET_KEY": KEY, "GLASSBOX_AUTH": None}, wait=False)
    try:
        assert server.process.wait(timeout=90) != 0
    finally:
        stop(server)
    assert "GLASSBOX_AUTH is not set" in server.log
    assert "0.0.0.0" in server.log  # says which bind made it necessary


def test_the_procfile_server_with_password_sign_in_starts_and_turns_strangers_away(tmp_path):
    server = start_gunicorn(tmp_path, {"GLASSBOX_SECRET_KEY": KEY, "GLASSBOX_AUTH": "password"})
    try:
        status, _, body = server.get("/sentiment")  # urllib follows the redirect, as a browser would
        assert status == 200 and b'id="login-form"' in body
        status, _, body = server.post_json("/_dash-update-component", {})
        assert status == 401 and b"Sign in first" in body
    finally:
        stop(server)
