"""REST endpoints served by Flask beside the Dash app: health, and the trained sentiment model."""

from __future__ import annotations

from datetime import UTC

import flask
import sqlalchemy.exc

from models.db import ping
from models.sentiment.labels import LABELS
from models.sentiment.workspace import DEFAULT_DATASET, UnknownDatasetError
from webapp import services

blueprint = flask.Blueprint("api", __name__)


@blueprint.get("/healthz")
def healthz():
    """Liveness for the PaaS router: 200 when the app and its database answer, else 503."""
    body = {"status": "ok", "version": flask.current_app.config["GLASSBOX_VERSION"]}
    try:
        ping(services.engine())
    except sqlalchemy.exc.SQLAlchemyError as exc:
        flask.current_app.logger.error("healthz: database unreachable: %s", exc)
        body.update(status="error", database="unreachable")
        return flask.jsonify(body), 503
    return flask.jsonify(body)


def _bad(reason: str, status: int = 400):
    return flask.jsonify({"error": reason}), status


@blueprint.get("/api/sentiment/predict")
def sentiment_predict_get():
    """Dash's catch-all page route would answer a GET with HTML; say how to call the endpoint instead."""
    response = flask.jsonify({"error": 'Use POST with a JSON body such as {"texts": ["Stocks soar"]}.'})
    response.headers["Allow"] = "POST"
    return response, 405


@blueprint.post("/api/sentiment/predict")
def sentiment_predict():
    """Label texts with the newest model of a dataset (the tweets by default).

    Body: ``{"texts": ["...", ...], "dataset": "tweets"}`` (``dataset`` optional).
    Answer: ``{"model": {...}, "predictions": [{"label": ..., "probabilities": {...}}, ...]}``
    in the order of ``texts``; 400 with ``{"error": reason}`` for a bad body.
    """
    config = flask.current_app.config
    body = flask.request.get_json(silent=True)
    if body is None:
        return _bad('The body must be JSON (Content-Type: application/json), e.g. {"texts": ["Stocks soar"]}.')
    if not isinstance(body, dict) or "texts" not in body:
        return _bad('The body must be a JSON object with a "texts" list.')
    texts = body["texts"]
    if not isinstance(texts, list) or not texts:
        return _bad('"texts" must be a non-empty list of strings.')
    if len(texts) > config["API_MAX_TEXTS"]:
        return _bad(f"At most {config['API_MAX_TEXTS']} texts per request; this one has {len(texts)}.")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            return _bad(f"texts[{i}] is {type(text).__name__}, not a string.")
        if len(text) > config["API_MAX_TEXT_CHARS"]:
            return _bad(f"texts[{i}] has {len(text)} characters; the limit is {config['API_MAX_TEXT_CHARS']}.")
    dataset = body.get("dataset", DEFAULT_DATASET)
    if not isinstance(dataset, str):
        return _bad('"dataset" must be a string.')
    workspace = services.sentiment()
    try:
        run_id = workspace.latest_run_id(dataset)
    except UnknownDatasetError as exc:
        return _bad(str(exc), 404)
    run = workspace.run(run_id)
    record = workspace.runs.get(run_id)
    trained_at = record["created_at"]
    if trained_at.tzinfo is None:  # SQLite returns naive datetimes; they were stored in UTC
        trained_at = trained_at.replace(tzinfo=UTC)
    proba = run.model.predict_proba(texts)
    return flask.jsonify(
        {
            "model": {
                "run": run_id,
                "dataset": dataset,
                "trained_at": trained_at.isoformat(),
                "test_accuracy": record["metrics"]["accuracy"],
                "test_macro_f1": record["metrics"]["macro_f1"],
            },
            "predictions": [
                {
                    "label": LABELS[int(p.argmax())],
                    "probabilities": {label: round(float(v), 6) for label, v in zip(LABELS, p)},
                }
                for p in proba
            ],
        }
    )
