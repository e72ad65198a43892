"""/audit: admins list and filter the audit log; everyone else is refused by the server."""

from __future__ import annotations

import pytest

from models import audit
from tests.auth.helpers import post_login, sign_in
from webapp import services


@pytest.fixture
def logged(password_app):
    with password_app.server.app_context():
        engine = services.engine()
        audit.record(engine, "ana", "sentiment.relabel", "dataset:tweets", rows=3)
        audit.record(engine, "bo", "nn.train", "run:4")
        audit.record(engine, "bo", "sentiment.undo", "dataset:tweets", rows=3)
    return password_app


def test_an_admin_lists_and_filters_the_log(logged):
    client = sign_in(logged, "root", role="admin")
    post_login(logged.server.test_client(), "root", "a-wrong-password")  # a failure is logged too
    everything = client.get("/audit")
    assert everything.status_code == 200
    for text in ("sentiment.relabel", "nn.train", "sentiment.undo", "auth.sign_in_failed", "rows=3"):
        assert text in everything.text
    by_actor = client.get("/audit?actor=bo")
    assert "nn.train" in by_actor.text and "sentiment.relabel" not in by_actor.text
    assert "2 events" in by_actor.text
    by_action = client.get("/audit?action=sentiment.")
    assert "sentiment.relabel" in by_action.text and "sentiment.undo" in by_action.text
    assert "nn.train" not in by_action.text
    both = client.get("/audit?actor=bo&action=sentiment.")
    assert "1 event," in both.text
    assert "Audit" in client.get("/_dash-layout").text  # the navbar links it for admins


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_anyone_below_admin_is_refused_by_the_server(logged, role):
    client = sign_in(logged, f"user-{role}", role=role)
    refused = client.get("/audit")
    assert refused.status_code == 403
    assert f"This needs the admin role; user-{role} is a {role}." in refused.text
    assert "sentiment.relabel" not in refused.text
    assert "/audit" not in client.get("/_dash-layout").text


def test_signed_out_visitors_are_sent_to_sign_in(logged):
    answer = logged.server.test_client().get("/audit")
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    "query, reason",
    [
        ("limit=abc", "whole number from 1 to 1000"),
        ("limit=0", "whole number from 1 to 1000"),
        ("limit=100000", "whole number from 1 to 1000"),
        ("actor=" + "a" * 300, "at most 200 characters"),
        ("action=" + "b" * 100, "at most 200 characters and the action 64"),
    ],
)
def test_bad_filters_get_a_reason_never_a_500(logged, query, reason):
    client = sign_in(logged, "root", role="admin")
    answer = client.get(f"/audit?{query}")
    assert answer.status_code == 400 and reason in answer.text
