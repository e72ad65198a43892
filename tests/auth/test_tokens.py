"""Personal API tokens: the account page (created, shown once, revoked) and the API's bearer check with roles."""

from __future__ import annotations

import re
import time

import pytest

from models import accounts, audit
from tests.auth.helpers import add_user, csrf_of, sign_in
from webapp import services

PREDICT = "/api/sentiment/predict"
BODY = {"texts": ["Shares soar after record profit"]}


def token_for(app, name: str, role: str) -> str:
    add_user(app, name, role)
    with app.server.app_context():
        return accounts.create_token(services.engine(), name, "test")[1]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_no_token_is_401_in_json(password_app):
    answer = password_app.server.test_client().post(PREDICT, json=BODY)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in answer.get_json()["error"]


@pytest.mark.parametrize(
    "header, reason",
    [
        ("Basic YW5hOnB3", "must be 'Bearer <token>'"),
        ("Bearer", "must be 'Bearer <token>'"),
        ("Bearer    ", "must be 'Bearer <token>'"),
        ("Bearer gbx_not-a-real-token", "unknown or revoked"),
        ("Bearer " + "x" * 5000, "unknown or revoked"),
        ("Bearer gbx_\u00e9\u00e8", "unknown or revoked"),
    ],
)
def test_bad_authorization_headers_are_401_with_a_reason(password_app, header, reason):
    answer = password_app.server.test_client().post(PREDICT, json=BODY, headers={"Authorization": header})
    assert answer.status_code == 401 and reason in answer.get_json()["error"]


def test_a_revoked_token_is_401(password_app):
    token = token_for(password_app, "ed", "editor")
    with password_app.server.app_context():
        [row] = accounts.list_tokens(services.engine(), "ed")
        accounts.revoke_token(services.engine(), row["id"])
    answer = password_app.server.test_client().post(PREDICT, json=BODY, headers=bearer(token))
    assert answer.status_code == 401 and "revoked" in answer.get_json()["error"]


def test_a_viewer_token_may_read_but_not_write(password_app):
    token = token_for(password_app, "vi", "viewer")
    client = password_app.server.test_client()
    write = client.post(PREDICT, json=BODY, headers=bearer(token))
    assert write.status_code == 403
    assert write.get_json()["error"] == "This needs the editor role; vi is a viewer."
    read = client.get(PREDICT, headers=bearer(token))  # past the gate: the route itself says GET is not allowed
    assert read.status_code == 405


def test_an_editor_token_gets_200(password_app):
    token = token_for(password_app, "ed", "editor")
    client = password_app.server.test_client()
    deadline = time.monotonic() + 300
    answer = client.post(PREDICT, json=BODY, headers=bearer(token))
    while answer.status_code == 503 and time.monotonic() < deadline:  # the first model trains in the background
        time.sleep(1)
        answer = client.post(PREDICT, json=BODY, headers=bearer(token))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["predictions"][0]["label"] == "positive"


def test_a_session_cookie_does_not_open_the_api(password_app):
    client = sign_in(password_app, "ed", role="editor")
    assert client.post(PREDICT, json=BODY).status_code == 401


def test_the_account_page_creates_a_token_shown_once_and_revokes_it(password_app):
    client = sign_in(password_app, "ed", role="editor")
    page = client.get("/account")
    assert page.status_code == 200 and "Signed in as" in page.text and "No tokens yet" in page.text
    created = client.post("/account/tokens", data={"csrf": csrf_of(page.text), "name": "laptop"})
    assert created.status_code == 200
    token = re.search(r'id="new-token-value"[^>]*>([^<]+)<', created.text).group(1)
    assert token.startswith("gbx_")
    again = client.get("/account")
    assert token not in again.text and "laptop" in again.text  # shown once
    api = password_app.server.test_client()
    assert api.post(PREDICT, json={"texts": 5}, headers=bearer(token)).status_code == 400  # past the gate

    token_id = re.search(r'action="/account/tokens/(\d+)/revoke"', again.text).group(1)
    revoked = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf": csrf_of(again.text)})
    assert revoked.status_code == 303
    assert api.post(PREDICT, json=BODY, headers=bearer(token)).status_code == 401
    assert "revoked" in client.get("/account").text
    with password_app.server.app_context():
        actions = [e["action"] for e in audit.query(services.engine(), actor="ed", action="token.")]
    assert actions == ["token.revoke", "token.create"]


def test_bad_account_forms_get_a_reason_never_a_500(password_app):
    other = token_for(password_app, "someone", "editor")
    assert other
    client = sign_in(password_app, "ed", role="editor")
    csrf = csrf_of(client.get("/account").text)
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 400  # no CSRF token
    with password_app.server.app_context():
        [theirs] = accounts.list_tokens(services.engine(), "someone")
    refused = client.post(f"/account/tokens/{theirs['id']}/revoke", data={"csrf": csrf})
    assert refused.status_code == 404 and "There is no token" in refused.text  # not another user's
    assert client.post("/account/tokens/99999999999999999999999/revoke", data={"csrf": csrf}).status_code == 404
    assert client.post("/account/tokens/abc/revoke", data={"csrf": csrf}).status_code in (404, 405)
    long_name = client.post("/account/tokens", data={"csrf": csrf, "name": "n" * 10_000})
    assert long_name.status_code == 200 and "n" * 100 in long_name.text


def test_the_openapi_document_names_the_bearer_scheme(password_app, app):
    signed = password_app.server.test_client().get("/api/openapi.json").get_json()
    assert signed["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    predict = signed["paths"][PREDICT]["post"]
    assert predict["security"] == [{"bearerAuth": []}] and {"401", "403"} <= set(predict["responses"])
    open_doc = app.server.test_client().get("/api/openapi.json").get_json()
    assert {} in open_doc["paths"][PREDICT]["post"]["security"]  # sign-in off: the token is optional
