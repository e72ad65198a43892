"""The OpenAPI 3.1 document of the REST API (``webapp.api``), built from the server's configuration so that the
limits it states (body size, number and length of texts) are the ones this server enforces."""

from __future__ import annotations

from models.sentiment.labels import LABELS
from models.sentiment.workspace import DEFAULT_DATASET


def openapi_document(config) -> dict:
    """The OpenAPI 3.1 description of these endpoints, with the limits of this server's configuration.

    ``webapp.api`` serves it at ``/api/openapi.json``; ``tests/security/test_api_fuzz.py`` runs schemathesis
    against it and checks that it describes every API route.
    """
    error = {"$ref": "#/components/schemas/Error"}

    def answer(description: str, schema=error, headers: dict | None = None) -> dict:
        body = {"description": description, "content": {"application/json": {"schema": schema}}}
        if headers:
            body["headers"] = headers
        return body

    signed_in = config.get("AUTH_MODE", "none") != "none"
    # With sign-in off the API is open; ``{}`` says a request without the token is accepted too.
    security = [{"bearerAuth": []}] if signed_in else [{}, {"bearerAuth": []}]
    auth_answers = (
        {
            "401": answer("No token, a malformed Authorization header, or a token unknown or revoked."),
            "403": answer("The token's user has too low a role (writes need editor)."),
        }
        if signed_in
        else {}
    )
    retry_after = {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Glassbox API",
            "version": str(config.get("GLASSBOX_VERSION", "0")),
            "description": 'Health and the sentiment model. Every error is JSON: {"error": reason}.',
        },
        "paths": {
            "/healthz": {
                "get": {
                    "operationId": "healthz",
                    "summary": "Liveness: the app and its database answer.",
                    "responses": {
                        "200": answer("The app and its database answer.", {"$ref": "#/components/schemas/Health"}),
                        "503": answer("The database does not answer.", {"$ref": "#/components/schemas/Health"}),
                    },
                }
            },
            "/api/sentiment/predict": {
                "post": {
                    "operationId": "sentimentPredict",
                    "summary": "Label texts with the newest model of a dataset (the tweets by default).",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PredictRequest"}}},
                    },
                    "security": security,
                    "responses": {
                        **auth_answers,
                        "200": answer(
                            "Labels and probabilities, in the order of texts.",
                            {"$ref": "#/components/schemas/Prediction"},
                        ),
                        "400": answer(
                            "The body is not valid JSON, too deep, or not a valid request; the reason says which."
                        ),
                        "404": answer("No dataset has that id."),
                        "413": answer(f"The body is larger than {config['API_MAX_BODY_BYTES']:,} bytes."),
                        "415": answer("The body is not JSON (Content-Type: application/json)."),
                        "503": answer(
                            "No model yet (the first one is training), the dataset cannot be loaded, or the database "
                            "does not answer.",
                            {"$ref": "#/components/schemas/Unavailable"},
                            retry_after,
                        ),
                    },
                }
            },
            "/api/sentiment/scores": {
                "get": {
                    "operationId": "sentimentScores",
                    "summary": "A ticker's sentiment over time: per day or hour, mean P(positive) − P(negative) of the "
                    "tweets mentioning its cashtag under the dataset's newest model, with count and 95% band.",
                    "parameters": [
                        {
                            "name": "ticker",
                            "in": "query",
                            "required": True,
                            "description": "A cashtag, any case, with or without $: AAPL, brk.b.",
                            "schema": {"type": "string", "examples": ["AAPL"]},
                        },
                        {
                            "name": "freq",
                            "in": "query",
                            "required": False,
                            "description": "D (per UTC day, the default) or H (per hour).",
                            "schema": {"type": "string", "enum": ["D", "H"], "default": "D"},
                        },
                        {
                            "name": "dataset",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "default": DEFAULT_DATASET},
                        },
                    ],
                    "responses": {
                        "200": answer("The series, oldest period first.", {"$ref": "#/components/schemas/Scores"}),
                        "400": answer("No ticker, or a freq other than D or H."),
                        "404": answer(
                            "No dataset has that id, the dataset has no times or no cashtags, or no tweet with a "
                            "time mentions the ticker; the reason says which."
                        ),
                        "503": answer(
                            "No model yet (the first one is training), the dataset cannot be loaded, or the database "
                            "does not answer.",
                            {"$ref": "#/components/schemas/Unavailable"},
                            retry_after,
                        ),
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "responses": {"200": answer("The OpenAPI document.", {"type": "object"})},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (`gbx_...`) from the account page (/account) or "
                    "`glassbox tokens create USER`. Required whenever sign-in is on (GLASSBOX_AUTH is not none): "
                    "reads need the viewer role, writes (POST) the editor role.",
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string", "minLength": 1}},
                },
                "Unavailable": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}, "status": {"const": "training"}},
                },
                "Health": {
                    "type": "object",
                    "required": ["status", "version"],
                    "properties": {
                        "status": {"enum": ["ok", "error"]},
                        "version": {"type": "string"},
                        "database": {"const": "unreachable"},
                    },
                },
                "PredictRequest": {
                    "type": "object",
                    "required": ["texts"],
                    "properties": {
                        "texts": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": config["API_MAX_TEXTS"],
                            "items": {"type": "string", "maxLength": config["API_MAX_TEXT_CHARS"]},
                        },
                        "dataset": {"type": "string", "default": DEFAULT_DATASET, "examples": [DEFAULT_DATASET]},
                    },
                    "example": {"texts": ["Shares soar after record profit"], "dataset": DEFAULT_DATASET},
                },
                "Scores": {
                    "type": "object",
                    "required": ["dataset", "run", "ticker", "freq", "series"],
                    "properties": {
                        "dataset": {"type": "string"},
                        "run": {"type": "integer"},
                        "ticker": {"type": "string"},
                        "freq": {"enum": ["D", "H"]},
                        "series": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["period", "score", "n", "sd", "low", "high"],
                                "properties": {
                                    "period": {"type": "string", "format": "date-time"},
                                    "score": {"type": "number", "minimum": -1, "maximum": 1},
                                    "n": {"type": "integer", "minimum": 1},
                                    "sd": {"type": ["number", "null"], "minimum": 0},
                                    "low": {"type": "number"},
                                    "high": {"type": "number"},
                                },
                            },
                        },
                    },
                },
                "Prediction": {
                    "type": "object",
                    "required": ["model", "predictions"],
                    "properties": {
                        "model": {
                            "type": "object",
                            "required": ["run", "dataset", "trained_at", "test_accuracy", "test_macro_f1"],
                            "properties": {
                                "run": {"type": "integer"},
                                "dataset": {"type": "string"},
                                "trained_at": {"type": "string", "format": "date-time"},
                                "test_accuracy": {"type": "number", "minimum": 0, "maximum": 1},
                                "test_macro_f1": {"type": "number", "minimum": 0, "maximum": 1},
                            },
                        },
                        "predictions": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["label", "probabilities"],
                                "properties": {
                                    "label": {"enum": list(LABELS)},
                                    "probabilities": {
                                        "type": "object",
                                        "required": list(LABELS),
                                        "additionalProperties": False,
                                        "properties": {
                                            label: {"type": "number", "minimum": 0, "maximum": 1} for label in LABELS
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    }
