"""REST endpoints served by Flask beside the Dash app."""

from __future__ import annotations

import flask
import sqlalchemy.exc

from models.db import ping

blueprint = flask.Blueprint("api", __name__)


@blueprint.get("/healthz")
def healthz():
    """Liveness for the PaaS router: 200 when the app and its database answer, else 503."""
    body = {"status": "ok", "version": flask.current_app.config["GLASSBOX_VERSION"]}
    try:
        ping(flask.current_app.extensions["glassbox.db"])
    except sqlalchemy.exc.SQLAlchemyError as exc:
        flask.current_app.logger.error("healthz: database unreachable: %s", exc)
        body.update(status="error", database="unreachable")
        return flask.jsonify(body), 503
    return flask.jsonify(body)
