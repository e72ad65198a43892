"""API fuzzing (issue 11): schemathesis against the Procfile's gunicorn, driven by /api/openapi.json.

Checks: no 5xx, every status, content type, header and body as documented, invalid bodies refused with a
documented 4xx, undocumented methods answered 405. ``positive_data_acceptance`` is left out: a valid body may
name a dataset that does not exist (404) or one whose first model is still training (503), both documented.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

PREDICT = "/api/sentiment/predict"


def test_openapi_document_describes_every_api_route(app):
    document = app.server.test_client().get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    routes = {rule.rule for rule in app.server.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert routes <= set(document["paths"])
    limits = document["components"]["schemas"]["PredictRequest"]["properties"]["texts"]
    assert limits["maxItems"] == app.server.config["API_MAX_TEXTS"]


def _wait_for_a_model(server, timeout=600) -> None:
    """Fuzzing should reach the 200 path too: wait until the tweets' first model (trained in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _, body = server.post_json(PREDICT, {"texts": ["Stocks soar"]})
        if status == 200:
            return
        assert status == 503 and json.loads(body)["status"] == "training", body
        time.sleep(2)
    raise AssertionError("the first model was not trained in time")


def test_schemathesis_finds_no_5xx_and_no_undocumented_response(procfile_server, tmp_path):
    _wait_for_a_model(procfile_server)
    schemathesis = Path(sys.executable).parent / "schemathesis"
    done = subprocess.run(
        [
            str(schemathesis),
            "run",
            procfile_server.base + "/api/openapi.json",
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            "60",
            "--seed",
            "1",
            "--request-timeout",
            "30",
            "--generation-database",
            "none",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=540,
    )
    print(done.stdout[-4000:])
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    assert "No issues found" in done.stdout or "passed" in done.stdout.lower()
