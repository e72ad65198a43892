"""REST endpoints served by Flask beside the Dash app: health, and the trained sentiment model.

Everything under ``/api/`` answers JSON, errors included (``{"error": reason}``), reads at most
``GLASSBOX_API_MAX_BODY_KB`` of body and ``GLASSBOX_API_MAX_JSON_DEPTH`` levels of JSON, and never trains,
parses or fetches a large thing inside the request: a dataset without a model gets 503 with Retry-After while
``webapp.first_model`` trains one in another process.
"""

from __future__ import annotations

import logging
from datetime import UTC

import flask
import sqlalchemy.exc
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from models.datasets import DatasetError
from models.db import ping
from models.sentiment.labels import LABELS
from models.sentiment.tickers import normalise_freq, score_series, unavailable
from models.sentiment.workspace import DEFAULT_DATASET
from webapp import first_model, security, services
from webapp.openapi import openapi_document
from webapp.roles import acting_user

blueprint = flask.Blueprint("api", __name__)
PREFIX = "/api/"
DATABASE_RETRY_AFTER_S = 30
log = logging.getLogger(__name__)
# The database did not answer: a connection refused, timed out or dropped (not a bug in a query).
DATABASE_DOWN = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError)


def _is_api() -> bool:
    return flask.request.path.startswith(PREFIX)


def _error(reason: str, code: int, retry_after: int | None = None, **extra):
    response = flask.jsonify({"error": reason, **extra})
    response.status_code = code
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


@blueprint.before_app_request
def _api_limits():
    """Under /api/: no page HTML for unknown paths, and a body limit of its own (checked before reading)."""
    if not _is_api():
        return None
    request = flask.request
    if request.blueprint != "api" or request.method == "OPTIONS":
        # Dash's catch-all page route would answer GET with the app's HTML, and Werkzeug would count its GET
        # in Allow: only this blueprint's routes decide what /api/ paths allow.
        allowed = _api_methods(request.path)
        if not allowed:
            flask.abort(404)
        if request.method == "OPTIONS":
            return flask.Response(status=204, headers={"Allow": ", ".join([*allowed, "OPTIONS"])})
        if request.method not in allowed:
            raise MethodNotAllowed(allowed, f"{request.method} is not allowed here; use {' or '.join(allowed)}.")
    limit = flask.current_app.config["API_MAX_BODY_BYTES"]
    # A chunked body has no length: Werkzeug stops reading it at this many bytes, silently, so one byte more
    # is allowed through and ``_json_body`` refuses a body that reached it.
    request.max_content_length = limit + 1
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"The body has {request.content_length:,} bytes; the API accepts {limit:,}.")
    return None


def _api_methods(path: str) -> list[str]:
    """The methods this blueprint's routes accept on ``path`` (HEAD with GET)."""
    adapter = flask.current_app.url_map.bind("localhost")
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:  # not found, not allowed, or a redirect
            continue
        if endpoint.startswith(blueprint.name + "."):
            allowed.append(method)
    return [*allowed, "HEAD"] if "GET" in allowed else allowed


@blueprint.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    """Any HTTP error under /api/ (404, 405, 413, 415 ...) as JSON with the reason; elsewhere Flask's page."""
    if not _is_api():
        return exc
    response = _error(exc.description or exc.name, exc.code or 500)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":  # e.g. Allow on a 405
            response.headers[name] = value
    return response


@blueprint.errorhandler(Exception)
def _unexpected(exc: Exception):
    """An API view failed: 503 when a dataset or the database is unavailable, else 500; JSON either way."""
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    if isinstance(exc, DatasetError):
        return _error(str(exc), 503, first_model.FAILED_RETRY_S)
    if isinstance(exc, DATABASE_DOWN):
        log.error("%s %s: database unreachable: %s", flask.request.method, flask.request.path, exc)
        return _error("The database is unreachable; try again later.", 503, DATABASE_RETRY_AFTER_S)
    log.exception("%s %s failed", flask.request.method, flask.request.path)
    return _error("Internal error; it is in the server log.", 500)


def _json_body(example: str):
    """The request's JSON body, or an error response saying what is wrong with it."""
    request = flask.request
    if not request.is_json:
        return None, _error(f"The body must be JSON (Content-Type: application/json), e.g. {example}.", 415)
    data = request.get_data(cache=False)
    limit = flask.current_app.config["API_MAX_BODY_BYTES"]
    if len(data) > limit:
        raise RequestEntityTooLarge(f"The body has more than {limit:,} bytes; the API accepts {limit:,}.")
    try:
        body = flask.json.loads(data)
    except ValueError as exc:  # includes security.JSONTooDeepError and bad UTF-8
        return None, _error(f"The body is not valid JSON: {exc}.", 400)
    depth_limit = flask.current_app.config["API_MAX_JSON_DEPTH"]
    if security.json_depth(body, depth_limit) > depth_limit:
        return None, _error(f"The JSON is nested deeper than {depth_limit} levels.", 400)
    return body, None


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
    return _error(reason, status)


@blueprint.post("/api/sentiment/predict")
def sentiment_predict():
    """Label texts with the newest model of a dataset (the tweets by default).

    Body: ``{"texts": ["...", ...], "dataset": "tweets"}`` (``dataset`` optional).
    Answer: ``{"model": {...}, "predictions": [{"label": ..., "probabilities": {...}}, ...]}``
    in the order of ``texts``; 400 with ``{"error": reason}`` for a bad body, 404 for an unknown dataset,
    503 with Retry-After while the dataset's first model trains or when it cannot be loaded.
    """
    config = flask.current_app.config
    body, error = _json_body('{"texts": ["Stocks soar"]}')
    if error is not None:
        return error
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
    workspace, run_id, error = _newest_run(dataset)
    if error is not None:
        return error
    user = acting_user()
    run = workspace.run(run_id, user)
    record = workspace.runs.get(run_id, user)
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


def _newest_run(dataset: str):
    """``(workspace, run id, None)`` for a dataset's newest model the caller may see, or ``(workspace, None, error
    response)``: 404 for an unknown dataset or another user's private one, 503 with Retry-After while its first model
    trains (started here, in another process)."""
    workspace, user = services.sentiment(), acting_user()
    if not workspace.may_see(dataset, user) or dataset not in workspace.datasets(user):  # another's private: 404
        return workspace, None, _bad(f"No dataset named {dataset[:200]!r}.", 404)
    run_id = workspace.latest_run_id(dataset, train_if_missing=False, user=user)
    if run_id is None:
        pending = first_model.start(flask.current_app.config, dataset, user)
        if pending.state == "failed":
            return workspace, None, _error(pending.reason, 503, pending.retry_after)
        return (
            workspace,
            None,
            _error(
                f"No model for {dataset!r} yet: the first one is training; retry in {pending.retry_after} s.",
                503,
                pending.retry_after,
                status="training",
            ),
        )
    return workspace, run_id, None


@blueprint.get("/api/sentiment/scores")
def sentiment_scores():
    """A ticker's sentiment over time under a dataset's newest model.

    Query: ``ticker`` (e.g. ``AAPL``, any case, with or without ``$``), ``freq`` (``D`` daily, the default, or
    ``H`` hourly), ``dataset`` (default the tweets).
    Answer: ``{"dataset", "run", "ticker", "freq", "series": [{"period", "score", "n", "sd", "low", "high"}]}``,
    periods as ISO 8601 UTC; 400 for a missing ticker or a bad freq, 404 for an unknown dataset, a dataset without
    times or cashtags, or a ticker no timed tweet mentions (the reason says which), 503 while the first model trains.
    """
    args = flask.request.args
    ticker = args.get("ticker", "").strip().lstrip("$").upper()
    if not ticker:
        return _bad("Name a ticker, e.g. ?ticker=AAPL.")
    if args.get("freq", "D") not in ("D", "H"):
        return _bad(f"freq must be D (daily) or H (hourly), not {args.get('freq', '')[:20]!r}.")
    freq = normalise_freq(args.get("freq", "D"))
    dataset = args.get("dataset", DEFAULT_DATASET)
    workspace, run_id, error = _newest_run(dataset)
    if error is not None:
        return error
    found = workspace.mentions(dataset, run_id)
    reason = unavailable(workspace.dataset(dataset), found)
    if reason:
        return _bad(reason, 404)
    series = score_series(found, freq, [ticker])
    if series.empty:
        return _bad(f"No tweet with a time in {dataset[:200]!r} mentions the ticker {ticker[:20]!r}.", 404)
    return flask.jsonify(
        {
            "dataset": dataset,
            "run": run_id,
            "ticker": ticker,
            "freq": "D" if freq == "D" else "H",
            "series": [
                {
                    "period": row.period.isoformat(),
                    "score": round(float(row.score), 6),
                    "n": int(row.n),
                    "sd": None if row.sd != row.sd else round(float(row.sd), 6),
                    "low": round(float(row.low), 6),
                    "high": round(float(row.high), 6),
                }
                for row in series.itertuples(index=False)
            ],
        }
    )


@blueprint.get("/api/openapi.json")
def openapi():
    """The OpenAPI 3 document of this API (limits as configured on this server)."""
    return flask.jsonify(openapi_document(flask.current_app.config))
