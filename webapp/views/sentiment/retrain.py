"""Retrain with the corrections in a background job; the page shows progress and stays usable."""

from __future__ import annotations

import flask
import numpy as np
from dash import Input, Output, State, callback, no_update

from models.sentiment.model import WEIGHTINGS
from models.sentiment.selection import SelectionError
from models.sentiment.train import TooFewLabelsError
from webapp import services
from webapp.components.job_watch import register_job_watch, running_outputs
from webapp.roles import acting_user, note, writes
from webapp.views.sentiment.common import alert, checked_run
from webapp.views.sentiment.ids import (
    C_VALUE,
    CANCEL,
    MESSAGE,
    NGRAMS,
    PROGRESS,
    QUEUE_RETRAIN,
    RETRAIN,
    RETRAIN_WATCH,
    RUN,
    WEIGHTING,
)


@callback(
    output={
        "run": Output(RUN, "data", allow_duplicate=True),
        "message": Output(MESSAGE, "children", allow_duplicate=True),
        "done": Output(RETRAIN_WATCH.done, "data"),
    },
    inputs=[Input(RETRAIN, "n_clicks"), Input(RETRAIN_WATCH.retry, "n_clicks"), Input(QUEUE_RETRAIN, "data")],
    state=[State(RUN, "data"), State(C_VALUE, "value"), State(WEIGHTING, "value"), State(NGRAMS, "value")],
    background=True,
    running=[
        (Output(RETRAIN, "disabled"), True, False),
        (Output(CANCEL, "disabled"), False, True),
        *running_outputs(RETRAIN_WATCH),
    ],
    progress=[Output(PROGRESS, "value"), Output(PROGRESS, "label")],
    cancel=[Input(CANCEL, "n_clicks")],
    prevent_initial_call=True,
)
@writes()
def retrain(set_progress, _clicks, _retries, _queue, run_info, c_value, weighting, ngrams):
    """Refit with the corrections on a background worker; the page shows progress and stays usable.

    The labelling queue starts it too, every ``SENTIMENT_RETRAIN_EVERY`` answers (``QUEUE_RETRAIN``).

    Every answer carries ``done``, so the page can tell it from a job whose process ended without one.
    """
    return {"done": True, **_retrain(set_progress, run_info, c_value, weighting, ngrams)}


def _retrain(set_progress, run_info, c_value, weighting, ngrams) -> dict:
    try:
        c_value = float(c_value)
        if not c_value > 0 or not np.isfinite(c_value):
            raise ValueError
    except (TypeError, ValueError):
        return {"run": no_update, "message": alert("C must be a positive number.", "warning")}
    if weighting not in WEIGHTINGS or str(ngrams) not in ("1", "2", "3"):
        return {"run": no_update, "message": alert("Choose a weighting and n-grams from the menus.", "warning")}
    params = {"C": c_value, "weighting": weighting, "ngram_max": int(ngrams)}
    workspace = services.sentiment()
    try:
        dataset, current = checked_run(workspace, run_info)
    except SelectionError as exc:
        return {"run": no_update, "message": alert(str(exc), "warning")}
    try:
        run_id = workspace.train(
            dataset,
            params,
            progress=lambda step, total, message: set_progress((round(100 * step / total), message)),
            user=acting_user(),
            min_per_class=flask.current_app.config["SENTIMENT_MIN_PER_CLASS"],
        )
    except TooFewLabelsError as exc:
        return {"run": no_update, "message": alert(str(exc), "warning")}
    note("sentiment.retrain", f"dataset:{dataset}", run=run_id, **params)
    return {
        "run": {"dataset": dataset, "run": run_id, "previous": current},
        "message": alert(f"Retrained: model run #{run_id}.", "success"),
    }


register_job_watch(RETRAIN_WATCH, cancel=(CANCEL, "n_clicks"), progress=PROGRESS)
