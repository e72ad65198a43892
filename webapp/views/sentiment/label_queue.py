"""The Label tab: one text at a time, the most informative first; keys 1/2/3 answer, space skips, backspace undoes.

Each answer is stored at once as a correction (``Workspace.answer``: refused if someone else labelled the row
meanwhile); every ``SENTIMENT_RETRAIN_EVERY`` answers the Retrain job runs (or, before the first model, the first
training) and the queue re-ranks with the new model. The keys are a listener in ``assets/label_queue.js`` that
clicks the buttons, so mouse, keyboard and screen reader all go through the same callbacks.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import flask
from dash import ALL, Input, Output, State, callback, ctx, html, no_update
from dash.exceptions import PreventUpdate

from models.sentiment.labels import LABELS
from models.sentiment.queue import (
    MODES,
    after_answer,
    after_skip,
    after_undo,
    checked_session,
    learning_curve,
    queue_item,
)
from models.sentiment.selection import SelectionError
from models.sentiment.train import TooFewLabelsError, check_enough_labels
from models.sentiment.views import label_counts
from webapp import ids as shell_ids
from webapp import services
from webapp.components import sentiment_figures as figs
from webapp.components.theme import themed
from webapp.roles import acting_user, note, writes
from webapp.views.sentiment.common import alert, guarded
from webapp.views.sentiment.ids import (
    DATASET,
    FIRST,
    LABEL_COUNTS,
    LEARNING_CURVE,
    MESSAGE,
    QUEUE_ANSWER,
    QUEUE_ANSWERED,
    QUEUE_ITEM,
    QUEUE_MODE,
    QUEUE_PROBA,
    QUEUE_RETRAIN,
    QUEUE_SESSION,
    QUEUE_SKIP,
    QUEUE_STATUS,
    QUEUE_TEXT,
    QUEUE_TOKENS,
    QUEUE_UNDO,
    REVISION,
    RUN,
)

REASONS = {
    "uncertain": "the model is least sure about it",
    "diverse": "no model yet: one text per cluster of the data, so the first labels cover it",
    "random": "no model yet: a random text",
    "test sample": "a random test row, so the metrics stay measured on an unbiased sample",
    "review": "its given label looks most wrong to the model",
}


def _run_of(run_info, dataset_id) -> int | None:
    """The RUN store's run when it is this dataset's (the store may still hold the previous dataset's)."""
    if isinstance(run_info, dict) and run_info.get("dataset") == dataset_id and run_info.get("run") is not None:
        return services.sentiment().run_record(run_info["run"], dataset_id, acting_user())["id"]
    return None


def _checked_dataset(dataset_id) -> str:
    if not isinstance(dataset_id, str) or dataset_id not in services.sentiment().datasets(acting_user()):
        raise SelectionError(f"No dataset named {str(dataset_id)[:80]!r}.")
    return dataset_id


@callback(
    Output(LABEL_COUNTS, "children"),
    inputs={"dataset_id": Input(DATASET, "value"), "_revision": Input(REVISION, "data"), "_run": Input(RUN, "data")},
)
@guarded
def render_counts(dataset_id, _revision, _run):
    """Labelled rows per class and unlabelled rows, per split, under the current corrections."""
    workspace = services.sentiment()
    dataset_id = _checked_dataset(dataset_id)
    user = acting_user()
    labels, _ = workspace.labels(dataset_id, user)
    counts = label_counts(labels, workspace.dataset(dataset_id, user)["split"].to_numpy())
    head = html.Thead(html.Tr([html.Th("rows"), html.Th("train"), html.Th("test"), html.Th("total")]))
    body = html.Tbody(
        [
            html.Tr([html.Td(name), *(html.Td(f"{int(n):,}") for n in row)], id=f"{LABEL_COUNTS}-{name}")
            for name, row in counts.iterrows()
        ]
    )
    return dbc.Table([head, body], size="sm", className="mb-0 small w-auto")


@callback(
    output={
        "item": Output(QUEUE_ITEM, "data"),
        "text": Output(QUEUE_TEXT, "children"),
        "status": Output(QUEUE_STATUS, "children"),
        "proba": Output(QUEUE_PROBA, "children"),
        "tokens": Output(QUEUE_TOKENS, "figure"),
    },
    inputs={
        "session": Input(QUEUE_SESSION, "data"),
        "run_info": Input(RUN, "data"),
        "mode": Input(QUEUE_MODE, "value"),
        "dataset_id": Input(DATASET, "value"),
        "_revision": Input(REVISION, "data"),
        "theme": State(shell_ids.THEME_STORE, "data"),
    },
)
@guarded
def render_queue(session, run_info, mode, dataset_id, _revision, theme):
    """The queue's next row under the current labels and model, with why it comes next and what the model says."""
    dataset_id = _checked_dataset(dataset_id)
    if mode not in MODES:
        raise SelectionError(f"Unknown queue mode {str(mode)[:20]!r}.")
    session = checked_session(session, dataset_id)
    item = queue_item(
        services.sentiment(), dataset_id, _run_of(run_info, dataset_id), mode, session["skip"], user=acting_user()
    )
    if item is None:
        done = "Nothing left to label." if mode == "label" else "Nothing left to review."
        return {
            "item": None,
            "text": done,
            "status": "",
            "proba": "",
            "tokens": themed(figs.empty_figure(done), theme),
        }
    pick = item.pick
    status = f"Row {pick.row}: {REASONS[pick.reason]}. {item.remaining:,} left" + (
        f"; labelled {item.expected} now." if item.expected else "."
    )
    if item.proba is None:
        proba, tokens = "No model yet.", figs.empty_figure("Token contributions appear with the first model")
    else:
        proba = " · ".join(f"p({label}) {p:.2f}" for label, p in zip(LABELS, item.proba, strict=True))
        tokens = figs.explanation_figure(item.explanation, max_tokens=10)
    return {
        "item": {"dataset": dataset_id, "row": pick.row, "expected": item.expected, "turn": session["turn"]},
        "text": item.text,
        "status": status,
        "proba": proba,
        "tokens": themed(tokens, theme),
    }


def _shown(item, session_data) -> tuple[dict, dict]:
    """The row on screen and the session, checked; a stale row (its turn passed) stops the callback."""
    if not isinstance(item, dict) or not isinstance(item.get("dataset"), str):
        raise SelectionError("There is no text on screen to answer.")
    session = checked_session(session_data, _checked_dataset(item["dataset"]))
    if item.get("turn") != session["turn"]:
        raise PreventUpdate  # a key pressed again before the next text arrived
    return item, session


ANSWER_OUTPUTS = {
    "session": Output(QUEUE_SESSION, "data", allow_duplicate=True),
    "revision": Output(REVISION, "data", allow_duplicate=True),
    "message": Output(MESSAGE, "children", allow_duplicate=True),
    "answered": Output(QUEUE_ANSWERED, "children", allow_duplicate=True),
    "retrain": Output(QUEUE_RETRAIN, "data", allow_duplicate=True),
    "first": Output(FIRST, "data", allow_duplicate=True),
}
UNCHANGED = dict.fromkeys(ANSWER_OUTPUTS, no_update)


@callback(
    output=ANSWER_OUTPUTS,
    inputs={
        "_clicks": Input({"type": QUEUE_ANSWER, "label": ALL}, "n_clicks"),
        "item": State(QUEUE_ITEM, "data"),
        "session_data": State(QUEUE_SESSION, "data"),
        "revision": State(REVISION, "data"),
        "run_info": State(RUN, "data"),
        "retrains": State(QUEUE_RETRAIN, "data"),
    },
    prevent_initial_call=True,
)
@writes()
@guarded
def answer(_clicks, item, session_data, revision, run_info, retrains):
    """Store the answer as a correction at once; every K answers start a retrain (or the first model)."""
    if not isinstance(ctx.triggered_id, dict) or not any(_clicks or []):
        raise PreventUpdate
    label = ctx.triggered_id.get("label")
    item, session = _shown(item, session_data)
    workspace, dataset_id = services.sentiment(), item["dataset"]
    try:
        batch = workspace.answer(dataset_id, item.get("row"), label, item.get("expected"), acting_user())
    except SelectionError as exc:
        # Nothing stored; the next turn shows the queue's next row (the conflicting one is labelled now).
        return {
            **UNCHANGED,
            "session": {**session, "turn": session["turn"] + 1},
            "message": alert(f"Not stored: {exc}", "warning"),
        }
    every = flask.current_app.config["SENTIMENT_RETRAIN_EVERY"]
    session, due = after_answer(session, int(item["row"]), batch, every)
    note("sentiment.label", f"dataset:{dataset_id}", row=int(item["row"]), label=label)
    out = {
        **UNCHANGED,
        "session": session,
        "revision": (revision or 0) + 1,
        "answered": _answered_line(session, every),
    }
    if due:
        out.update(_retrain_request(workspace, dataset_id, run_info, retrains))
    return out


def _retrain_request(workspace, dataset_id: str, run_info, retrains) -> dict:
    """What starts the next model: the Retrain job, or before the first model the first training."""
    user = acting_user()
    labels, _ = workspace.labels(dataset_id, user)
    train_rows = (workspace.dataset(dataset_id, user)["split"] == "train").to_numpy()
    try:
        check_enough_labels(labels[train_rows], flask.current_app.config["SENTIMENT_MIN_PER_CLASS"])
    except TooFewLabelsError as exc:
        return {"message": alert(f"Not retraining yet. {exc}", "info")}
    if _run_of(run_info, dataset_id) is None:
        return {"first": {"dataset": dataset_id}}
    return {"retrain": int(retrains or 0) + 1 if isinstance(retrains, int) else 1}


def _answered_line(session: dict, every: int) -> str:
    n = len(session["answers"])
    return (
        f"{n} answer(s) stored in this session; the model retrains every {every} answers "
        f"(next after {every - session['since']} more)."
    )


@callback(
    output={"session": Output(QUEUE_SESSION, "data", allow_duplicate=True)},
    inputs={
        "_clicks": Input(QUEUE_SKIP, "n_clicks"),
        "item": State(QUEUE_ITEM, "data"),
        "session_data": State(QUEUE_SESSION, "data"),
    },
    prevent_initial_call=True,
)
@guarded
def skip(_clicks, item, session_data):
    """Leave the row on screen for later (this session): the queue shows its next one."""
    item, session = _shown(item, session_data)
    return {"session": after_skip(session, int(item["row"]))}


@callback(
    output={
        "session": Output(QUEUE_SESSION, "data", allow_duplicate=True),
        "revision": Output(REVISION, "data", allow_duplicate=True),
        "message": Output(MESSAGE, "children", allow_duplicate=True),
        "answered": Output(QUEUE_ANSWERED, "children", allow_duplicate=True),
    },
    inputs={
        "_clicks": Input(QUEUE_UNDO, "n_clicks"),
        "dataset_id": State(DATASET, "value"),
        "session_data": State(QUEUE_SESSION, "data"),
        "revision": State(REVISION, "data"),
    },
    prevent_initial_call=True,
)
@writes()
@guarded
def undo_answer(_clicks, dataset_id, session_data, revision):
    """Take back this session's last answer (its correction is stamped undone; the history keeps it)."""
    dataset_id = _checked_dataset(dataset_id)
    session, last = after_undo(checked_session(session_data, dataset_id))
    if last is None:
        return {
            "session": no_update,
            "revision": no_update,
            "message": alert("No answer of this session to undo.", "info"),
            "answered": no_update,
        }
    if last["batch"] is not None:
        services.sentiment().undo_answer(dataset_id, last["batch"], acting_user())
        note("sentiment.undo", f"dataset:{dataset_id}", row=last["row"])
    every = flask.current_app.config["SENTIMENT_RETRAIN_EVERY"]
    return {
        "session": session,
        "revision": (revision or 0) + 1,
        "message": alert(f"Undid your answer for row {last['row']}.", "info"),
        "answered": _answered_line(session, every),
    }


@callback(
    Output(LEARNING_CURVE, "figure"),
    inputs={
        "run_info": Input(RUN, "data"),
        "dataset_id": Input(DATASET, "value"),
        "theme": State(shell_ids.THEME_STORE, "data"),
    },
)
@guarded
def render_learning_curve(run_info, dataset_id, theme):
    """Labelled test macro-F1 of every run of the dataset against the labels it had."""
    dataset_id = _checked_dataset(dataset_id)
    points = learning_curve(services.sentiment().runs.history(dataset_id, acting_user()))
    return themed(figs.learning_curve_figure(points), theme)
