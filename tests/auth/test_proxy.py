"""GLASSBOX_AUTH=proxy: the identity header of an authenticating proxy, believed only from the proxy's address."""

from __future__ import annotations

import pytest

from models import audit
from webapp import create_app, services

ROLES = {"glassbox-admins": "admin", "analysts": "editor"}


@pytest.fixture
def make_app(app_config):
    def make(**config):
        return create_app({**app_config, "AUTH": "proxy", "PROXY_ROLES": ROLES, **config})

    return make


def get(app, path, peer="127.0.0.1", **headers):
    client = app.server.test_client()
    return client.get(path, headers=headers, environ_base={"REMOTE_ADDR": peer})


def test_the_proxys_user_and_groups_make_the_user_and_role(make_app):
    app = make_app()
    page = get(app, "/logs", **{"X-Forwarded-User": "ana", "X-Forwarded-Groups": "staff,glassbox-admins"})
    assert page.status_code == 200
    layout = get(app, "/_dash-layout", **{"X-Forwarded-User": "ana", "X-Forwarded-Groups": "staff,glassbox-admins"})
    assert '"ana"' in layout.text and "(admin)" in layout.text
    viewer = get(app, "/_dash-layout", **{"X-Forwarded-User": "bo"})
    assert '"bo"' in viewer.text and "(viewer)" in viewer.text  # no group: GLASSBOX_PROXY_DEFAULT_ROLE
    with app.server.app_context():
        signed_in = audit.query(services.engine(), action="auth.sign_in")
    assert sorted(e["actor"] for e in signed_in) == ["ana", "bo"]  # once each, not once per request


def test_the_header_from_any_other_address_is_refused(make_app):
    app = make_app()
    answer = get(app, "/logs", peer="10.1.2.3", **{"X-Forwarded-User": "ana", "X-Forwarded-Groups": "glassbox-admins"})
    assert answer.status_code == 403
    assert "GLASSBOX_PROXY_ADDRESSES" in answer.get_json()["error"] and "10.1.2.3" in answer.get_json()["error"]
    client = app.server.test_client()
    callback = client.post(
        "/_dash-update-component",
        json={},
        headers={"X-Forwarded-User": "ana"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert callback.status_code == 403


def test_a_forwarded_for_header_cannot_pretend_to_be_the_proxy(make_app):
    app = make_app(PROXY_HOPS=1)
    answer = get(app, "/logs", peer="10.1.2.3", **{"X-Forwarded-For": "127.0.0.1", "X-Forwarded-User": "ana"})
    assert answer.status_code == 403


def test_a_network_of_proxies_may_be_trusted(make_app):
    app = make_app(PROXY_ADDRESSES="10.0.0.0/8, not-an-address")
    assert get(app, "/logs", peer="10.1.2.3", **{"X-Forwarded-User": "ana"}).status_code == 200
    assert get(app, "/logs", peer="127.0.0.1", **{"X-Forwarded-User": "ana"}).status_code == 403


@pytest.mark.parametrize(
    "headers, status, reason",
    [
        ({}, 401, "sent no X-Forwarded-User header"),
        ({"X-Forwarded-User": "  "}, 401, "sent no X-Forwarded-User header"),
        ({"X-Forwarded-User": "ana smith!"}, 400, "is not a user name"),
        ({"X-Forwarded-User": "a" * 500}, 400, "is not a user name"),
        ({"X-Forwarded-User": "ana", "X-Forwarded-Groups": "," * 1000}, 200, None),
    ],
)
def test_bad_headers_get_a_reason_never_a_500(make_app, headers, status, reason):
    answer = get(make_app(), "/logs", **headers)
    assert answer.status_code == status
    if reason:
        assert reason in answer.get_json()["error"]


def test_custom_header_names(make_app):
    app = make_app(PROXY_USER_HEADER="X-Auth-Request-User", PROXY_GROUPS_HEADER="X-Auth-Request-Groups")
    layout = get(app, "/_dash-layout", **{"X-Auth-Request-User": "cy", "X-Auth-Request-Groups": "analysts"})
    assert '"cy"' in layout.text and "(editor)" in layout.text


def test_sign_out_goes_to_the_proxys_sign_out(make_app):
    answer = make_app().server.test_client().get("/logout")
    assert answer.status_code == 303 and answer.headers["Location"] == "/oauth2/sign_out"
