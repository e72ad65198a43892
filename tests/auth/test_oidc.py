"""GLASSBOX_AUTH=oidc against a real OpenID Connect provider (oidc-provider-mock, started here on loopback):
PKCE, state and nonce, roles from the groups claim, a browser signing in and out."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

import pytest
import requests

from models import audit
from tests.conftest import free_port
from webapp import create_app, ids, services
from webapp.config import ConfigError

USERS = [
    {"sub": "ana-sub", "preferred_username": "ana", "groups": ["staff", "glassbox-admins"]},
    {"sub": "bo-sub", "preferred_username": "bo", "groups": ["staff"]},
    {"sub": "cy-sub", "preferred_username": "cy", "groups": "analysts"},
]
ROLE_MAP = {"glassbox-admins": "admin", "analysts": "editor"}


@pytest.fixture(scope="module")
def provider():
    """oidc-provider-mock (a real OIDC server: discovery, JWKS, signed ID tokens) on a free loopback port;
    it refuses authorization requests without a nonce."""
    port = free_port()
    command = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce", "true"]
    for user in USERS:
        command += ["--user-claims", json.dumps(user)]
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, text=True)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail("oidc-provider-mock exited: " + log.read())
            try:
                if requests.get(base + "/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("oidc-provider-mock did not start")
            time.sleep(0.2)
        yield base
        process.terminate()
        process.wait(10)


@pytest.fixture
def oidc_app(app_config, provider):
    return create_app(
        {
            **app_config,
            "AUTH": "oidc",
            "OIDC_ISSUER": provider,
            "OIDC_CLIENT_ID": "glassbox-tests",
            "OIDC_CLIENT_SECRET": "client-secret",
            "OIDC_ROLES": ROLE_MAP,
        }
    )


def authorize_url(client, next_path="/logs") -> str:
    started = client.get(f"/auth/oidc/start?next={next_path}")
    assert started.status_code == 302
    return started.headers["Location"]


def provider_answer(url: str, sub: str) -> str:
    """Pick ``sub`` on the provider's form, as its page does; returns our callback's path and query."""
    answer = requests.post(url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    location = urlsplit(answer.headers["Location"])
    return f"{location.path}?{location.query}"


def test_the_authorization_request_uses_pkce_state_and_nonce(oidc_app, provider):
    url = authorize_url(oidc_app.server.test_client())
    assert url.startswith(provider + "/oauth2/authorize?")
    for part in ("response_type=code", "code_challenge=", "code_challenge_method=S256", "state=", "nonce="):
        assert part in url


@pytest.mark.parametrize("sub, name, role", [("ana-sub", "ana", "admin"), ("bo-sub", "bo", "viewer"),
                                             ("cy-sub", "cy", "editor")])  # fmt: skip
def test_signing_in_gives_the_role_the_claim_maps_to(oidc_app, sub, name, role):
    client = oidc_app.server.test_client()
    assert client.get("/logs").headers["Location"] == "/login?next=/logs"
    back = client.get(provider_answer(authorize_url(client), sub))
    assert back.status_code == 303 and back.headers["Location"] == "/logs"
    assert client.get("/logs").status_code == 200
    layout = client.get("/_dash-layout").text
    assert f'"{name}"' in layout and f"({role})" in layout
    with oidc_app.server.app_context():
        [event] = audit.query(services.engine(), action="auth.sign_in")
    assert event["actor"] == name and event["detail"]["role"] == role and event["detail"]["mode"] == "oidc"


def test_a_tampered_state_is_refused_and_makes_no_session(oidc_app):
    client = oidc_app.server.test_client()
    callback = provider_answer(authorize_url(client), "ana-sub")
    forged = re.sub(r"state=[^&]+", "state=forged-state", callback)
    answer = client.get(forged)
    assert answer.status_code == 400
    assert "state does not match" in answer.text
    assert client.get("/logs").status_code == 303  # not signed in
    with oidc_app.server.app_context():
        assert audit.query(services.engine(), action="auth.sign_in_failed")[0]["actor"] == "anonymous"


def test_a_tampered_nonce_is_refused_and_makes_no_session(oidc_app):
    """The provider is asked with another nonce than this browser's sign-in made, so the ID token it signs carries
    that nonce (as a replayed or injected token would): refused."""
    client = oidc_app.server.test_client()
    url = re.sub(r"nonce=[^&]+", "nonce=forged-nonce", authorize_url(client))
    answer = client.get(provider_answer(url, "ana-sub"))
    assert answer.status_code == 400
    assert "nonce" in answer.text
    assert client.get("/logs").status_code == 303


@pytest.mark.parametrize(
    "query, status, reason",
    [
        ("error=access_denied&error_description=user+said+no", 401, "provider refused: access_denied"),
        ("", 400, "has no code or state"),
        ("code=abc", 400, "has no code or state"),
        ("code=abc&state=never-issued", 400, "state does not match"),
    ],
)
def test_bad_callbacks_get_a_reason_never_a_500(oidc_app, query, status, reason):
    client = oidc_app.server.test_client()
    answer = client.get(f"/auth/oidc/callback?{query}")
    assert answer.status_code == status and reason in answer.text


def test_oidc_without_an_issuer_refuses_to_start(app_config):
    with pytest.raises(ConfigError, match="GLASSBOX_AUTH=oidc needs GLASSBOX_OIDC_ISSUER"):
        create_app({**app_config, "AUTH": "oidc", "OIDC_CLIENT_ID": "x"})


@pytest.mark.browser
def test_a_browser_signs_in_through_the_provider_sees_its_name_and_role_and_signs_out(dash_duo, oidc_app):
    from selenium.webdriver.common.by import By

    dash_duo.start_server(oidc_app, navigate=False)  # "/" is the sign-in page now, not a Dash page to wait for
    base = dash_duo.server.url.rstrip("/")
    driver = dash_duo.driver
    driver.get(base + "/logs")
    dash_duo.wait_for_element("#login-oidc", timeout=60).click()
    # The provider's own page: its button for the predefined user.
    dash_duo.wait_for_element("button[name='sub'][value='ana-sub']", timeout=60).click()
    dash_duo.wait_for_contains_text(f"#{ids.NAV_USER}", "ana", timeout=90)
    assert "(admin)" in dash_duo.find_element(f"#{ids.NAV_USER}").text
    assert urlsplit(driver.current_url).path == "/logs"

    driver.find_element(By.ID, ids.NAV_SIGN_OUT).click()
    dash_duo.wait_for_contains_text("#auth-note", "You are signed out", timeout=60)
    driver.get(base + "/logs")
    dash_duo.wait_for_element("#login-oidc", timeout=60)
    assert urlsplit(driver.current_url).path == "/login"
