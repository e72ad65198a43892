"""Issue 11 item 9: a symbolic link inside an allowed GLASSBOX_LOG_PATHS glob, against a running gunicorn server.

The attacker (anyone who can write in the log folder, e.g. a web app that writes its own logs
there) places ``access.log.evil -> /somewhere/private.log``. Before the fix the Logs page offered
it and showed the private file's lines; now it is neither offered nor opened.
"""

from __future__ import annotations

import json

import pytest

from tests.security.gunicorn_app import start, stop_process

LINE = '10.0.0.1 - - [01/May/2023:10:00:{s:02d} +0000] "GET /product/P1 HTTP/1.1" 200 100 "-" "Mozilla/5.0"\n'
SECRET = '10.9.9.9 - - [01/May/2023:10:00:00 +0000] "GET /secret-token-42 HTTP/1.1" 200 1 "-" "x"\n'


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("symlinks")
    logs, private = root / "logs", root / "private"
    logs.mkdir()
    private.mkdir()
    (logs / "access.log.1").write_text("".join(LINE.format(s=s) for s in range(10)))
    (logs / "access.log").symlink_to(logs / "access.log.1")
    (private / "secret.log").write_text(SECRET)
    (logs / "access.log.evil").symlink_to(private / "secret.log")
    server = start(root, env={"GLASSBOX_LOG_PATHS": str(logs / "access.log*")})
    yield server, logs
    stop_process(server.process)


def _render(server, source: str) -> str:
    view = {"source": source, "granularity": "hour", "page": 0, "filters": {}}
    # Render never parses: as the page does, ask the prepare callback first (it parses a small server file at once).
    status, body = server.callback(
        "logs-prepare.data", [{"id": "logs-view-source", "property": "data", "value": {"source": source}}]
    )
    assert status in (200, 204), body
    assert "secret-token-42" not in json.dumps(body)
    status, body = server.callback("logs-error.children", [{"id": "logs-view", "property": "data", "value": view}])
    assert status == 200, body
    return json.dumps(body)


def test_the_page_does_not_offer_the_link(setup):
    server, logs = setup
    status, body = server.callback(
        "_pages_content.children", [{"id": "_pages_location", "property": "pathname", "value": "/logs"}]
    )
    assert status == 200, body
    page = json.dumps(body)
    assert f"path:{logs / 'access.log.1'}" in page and f"path:{logs / 'access.log'}" in page
    assert "access.log.evil" not in page


def test_the_page_refuses_to_open_the_link(setup):
    server, logs = setup
    answer = _render(server, f"path:{logs / 'access.log.evil'}")
    assert "is not a log file this server may open" in answer and "GLASSBOX_LOG_PATHS" in answer, answer
    assert "secret-token-42" not in answer


def test_a_link_to_an_allowed_file_still_opens(setup):
    server, logs = setup
    answer = _render(server, f"path:{logs / 'access.log'}")
    assert "is not a log file" not in answer
    assert "10 matching" in answer, answer[:2000]
