"""GLASSBOX_AUTH=password: the gate, the sign-in form, its rate limit, the session cookie, sign-out and expiry."""

from __future__ import annotations

import time

import pytest

from models import audit
from tests.auth.helpers import PASSWORD, add_user, csrf_of, post_login, sign_in
from webapp import create_app, ids, services


@pytest.fixture
def make_app(app_config):
    def make(**config):
        return create_app({**app_config, "AUTH": "password", **config})

    return make


def events(app, action: str) -> list[dict]:
    with app.server.app_context():
        return audit.query(services.engine(), action=action)


def test_without_a_session_pages_redirect_to_sign_in_and_endpoints_answer_401(password_app):
    client = password_app.server.test_client()
    page = client.get("/sentiment?dataset=tweets")
    assert page.status_code == 303
    assert page.headers["Location"] == "/login?next=/sentiment?dataset=tweets"
    for method, path in [("GET", "/_dash-layout"), ("GET", "/_dash-dependencies"), ("POST", "/_dash-update-component")]:
        answer = client.open(path, method=method, json={})
        assert answer.status_code == 401, path
        assert "Sign in" in answer.get_json()["error"]
    api = client.post("/api/sentiment/predict", json={"texts": ["up"]})
    assert api.status_code == 401 and "Bearer" in api.get_json()["error"]
    assert client.get("/healthz").status_code == 200  # the PaaS health check stays open
    with client.get("/assets/bootstrap.min.css") as asset:
        assert asset.status_code == 200


def test_signing_in_sets_a_safe_cookie_goes_back_and_shows_the_user_in_the_navbar(password_app):
    add_user(password_app, "ana", "editor")
    client = password_app.server.test_client()
    form = client.get("/login?next=/logs")
    assert form.status_code == 200 and 'id="login-form"' in form.text
    assert form.headers["Content-Security-Policy"]  # the app's CSP covers the page; it has no script at all
    assert "<script" not in form.text

    response = post_login(client, "ana", PASSWORD, next_path="/logs")

    assert response.status_code == 303 and response.headers["Location"] == "/logs"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # plain HTTP (loopback): a Secure cookie would never come back
    assert client.get("/logs").status_code == 200
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    assert ids.NAV_USER in layout.text and "ana" in layout.text and "(editor)" in layout.text
    assert ids.NAV_SIGN_OUT in layout.text
    [event] = events(password_app, "auth.sign_in")
    assert event["actor"] == "ana" and event["detail"]["mode"] == "password"


def test_the_cookie_is_secure_over_https_and_behind_a_proxy_that_says_https(make_app):
    app = make_app(PROXY_HOPS=1)
    add_user(app, "ana")
    direct = app.server.test_client()
    page = direct.get("/login", base_url="https://glassbox.example")
    assert "Secure" in page.headers["Set-Cookie"]
    proxied = app.server.test_client()
    page = proxied.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9"})
    assert "Secure" in page.headers["Set-Cookie"]


def test_a_wrong_password_is_refused_and_audited(password_app):
    add_user(password_app, "ana")
    client = password_app.server.test_client()
    response = post_login(client, "ana", "not-the-password")
    assert response.status_code == 401 and "Wrong user name or password" in response.text
    unknown = post_login(client, "nobody", "whatever-else")
    assert unknown.status_code == 401 and "Wrong user name or password" in unknown.text  # no hint who exists
    assert client.get("/sentiment").status_code == 303
    assert [e["actor"] for e in events(password_app, "auth.sign_in_failed")] == ["nobody", "ana"]


def test_too_many_failures_get_429_even_with_the_right_password_then_success_after_the_window(make_app):
    app = make_app(LOGIN_MAX_FAILURES=3, LOGIN_WINDOW_SECONDS=2)
    add_user(app, "ana")
    client = app.server.test_client()
    for _ in range(3):
        assert post_login(client, "ana", "wrong-password").status_code == 401
    blocked = post_login(client, "ana", PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.text
    assert client.get("/sentiment").status_code == 303  # not signed in
    deadline = time.monotonic() + 10
    while (response := post_login(client, "ana", PASSWORD)).status_code == 429 and time.monotonic() < deadline:
        time.sleep(0.25)
    assert response.status_code == 303
    assert client.get("/sentiment").status_code == 200


def test_successful_sign_ins_do_not_count_towards_the_limit(make_app):
    app = make_app(LOGIN_MAX_FAILURES=2, LOGIN_WINDOW_SECONDS=60)
    for _ in range(4):
        sign_in(app, "ana")


@pytest.mark.parametrize(
    "form, status, message",
    [
        ({"name": "ana", "password": PASSWORD}, 400, "form expired"),  # no CSRF token
        ({"csrf": "forged", "name": "ana", "password": PASSWORD}, 400, "form expired"),
        ({"name": "", "password": ""}, 400, "Enter your user name and password"),
        ({"name": "ana"}, 400, "Enter your user name and password"),
        ({"name": "ana", "password": "x" * 100_000}, 401, "Wrong user name or password"),
        ({"name": "a" * 50_000, "password": "whatever1"}, 401, "Wrong user name or password"),
        ({"name": "ana\x00", "password": PASSWORD}, 401, "Wrong user name or password"),
        ({"name": "ana", "password": PASSWORD, "next": "//evil.example/x"}, 303, None),
        ({"name": "ana", "password": PASSWORD, "next": "https://evil.example/"}, 303, None),
    ],
)
def test_bad_sign_in_forms_get_a_reason_never_a_500(password_app, form, status, message):
    add_user(password_app, "ana")
    client = password_app.server.test_client()
    token = csrf_of(client.get("/login").text)
    data = {"csrf": token, **form} if "csrf" not in form and message != "form expired" else form
    response = client.post("/login", data=data)
    assert response.status_code == status, response.text[:500]
    if message:
        assert message in response.text
    else:
        assert response.headers["Location"] == "/"  # never another site


def test_a_non_form_body_is_a_4xx(password_app):
    client = password_app.server.test_client()
    client.get("/login")
    assert client.post("/login", json={"name": "ana"}).status_code == 400
    assert client.post("/login", data=b"\xff\xfe", content_type="application/x-www-form-urlencoded").status_code == 400


def test_sign_out_needs_the_form_and_ends_the_session(password_app):
    client = sign_in(password_app, "ana")
    page = client.get("/logout")
    assert page.status_code == 200 and 'id="logout-form"' in page.text
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 400
    assert client.get("/sentiment").status_code == 200  # still signed in

    done = client.post("/logout", data={"csrf": csrf_of(page.text)})

    assert done.status_code == 200 and "You are signed out" in done.text
    assert client.get("/sentiment").status_code == 303
    assert [e["actor"] for e in events(password_app, "auth.sign_out")] == ["ana"]


def test_an_expired_session_is_signed_out(make_app):
    app = make_app(SESSION_HOURS=1)
    client = sign_in(app, "ana")
    assert client.get("/logs").status_code == 200
    with client.session_transaction() as session:
        session["at"] -= 3601
    assert client.get("/logs").status_code == 303
    assert client.post("/_dash-update-component", json={}).status_code == 401


def test_a_removed_user_is_signed_out_and_a_new_role_applies_at_once(password_app):
    from models import accounts

    client = sign_in(password_app, "ana", role="editor")
    with password_app.server.app_context():
        accounts.set_role(services.engine(), "ana", "viewer")
    assert "(viewer)" in client.get("/_dash-layout").text
    with password_app.server.app_context():
        accounts.remove_user(services.engine(), "ana")
    assert client.get("/logs").status_code == 303


def test_a_tampered_session_cookie_is_not_a_session(password_app):
    client = sign_in(password_app, "ana")
    cookie = client.get_cookie("glassbox_session")
    client.set_cookie("glassbox_session", cookie.value[:-3] + "abc")
    assert client.get("/logs").status_code == 303
