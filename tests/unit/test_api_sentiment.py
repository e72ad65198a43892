"""POST /api/sentiment/predict: labels and probabilities from the current model, 400 with a reason otherwise."""

import time

import pytest


@pytest.fixture
def small_limits(app_config):
    app_config.update(API_MAX_TEXTS=3, API_MAX_TEXT_CHARS=50)
    return app_config


def _until_trained(client, payload, timeout=300):
    """The first request finds no model: 503 with Retry-After at once, while another process trains one."""
    started = time.monotonic()
    response = client.post("/api/sentiment/predict", json=payload)
    assert time.monotonic() - started < 5  # answered, not trained, inside the request
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    assert response.get_json()["status"] == "training"
    while response.status_code == 503 and time.monotonic() - started < timeout:
        assert response.get_json().get("status") == "training", response.get_json()
        time.sleep(1)
        response = client.post("/api/sentiment/predict", json=payload)
    return response


def test_predicts_labels_and_probabilities_from_the_newest_run(client):
    response = _until_trained(client, {"texts": ["Shares soar after record profit", "Stock plunges on weak guidance"]})
    assert response.status_code == 200
    body = response.get_json()
    assert [p["label"] for p in body["predictions"]] == ["positive", "negative"]
    for prediction in body["predictions"]:
        assert set(prediction["probabilities"]) == {"negative", "neutral", "positive"}
        assert sum(prediction["probabilities"].values()) == pytest.approx(1, abs=1e-5)
    assert body["model"]["run"] == 1 and body["model"]["test_accuracy"] > 0.8
    assert body["model"]["trained_at"].endswith("+00:00")
    # The next request reuses that run instead of training again.
    assert client.post("/api/sentiment/predict", json={"texts": [""]}).get_json()["model"]["run"] == 1


@pytest.mark.parametrize(
    "kwargs, reason",
    [
        ({"json": ["Stocks soar"]}, 'JSON object with a "texts" list'),
        ({"json": {"text": ["Stocks soar"]}}, 'JSON object with a "texts" list'),
        ({"json": {"texts": "Stocks soar"}}, "non-empty list of strings"),
        ({"json": {"texts": []}}, "non-empty list of strings"),
        ({"json": {"texts": ["ok", 3]}}, "texts[1] is int"),
        ({"json": {"texts": ["ok", None]}}, "texts[1] is NoneType"),
        ({"json": {"texts": ["a", "b", "c", "d"]}}, "At most 3 texts"),
        ({"json": {"texts": ["x" * 51]}}, "51 characters; the limit is 50"),
        ({"json": {"texts": ["ok"], "dataset": 5}}, '"dataset" must be a string'),
    ],
)
def test_bad_bodies_get_400_with_a_reason(small_limits, client, kwargs, reason):
    response = client.post("/api/sentiment/predict", **kwargs)
    assert response.status_code == 400
    assert reason in response.get_json()["error"]


def test_a_body_that_is_not_json_is_415(client):
    response = client.post("/api/sentiment/predict", data="texts=hello")
    assert response.status_code == 415
    assert "must be JSON" in response.get_json()["error"]


def test_unknown_dataset_is_404(client):
    response = client.post("/api/sentiment/predict", json={"texts": ["ok"], "dataset": "upload-0000000000000000"})
    assert response.status_code == 404 and "No dataset" in response.get_json()["error"]


def test_get_is_not_allowed(client):
    assert client.get("/api/sentiment/predict").status_code == 405
