"""The Label tab's callbacks as plain functions: answers, skip, undo, retrain every K, and crafted requests."""

from __future__ import annotations

import json
from contextvars import copy_context

import numpy as np
import pandas as pd
import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate

from models.sentiment.labels import UNLABELLED
from webapp.shown import Shown


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from webapp import create_app

    config = {"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("data")), "SECRET_KEY": "test"}
    return create_app({**config, "SENTIMENT_RETRAIN_EVERY": 2, "SENTIMENT_MIN_PER_CLASS": 3})


@pytest.fixture(scope="module")
def views(app):
    from webapp.views import sentiment

    return sentiment


@pytest.fixture
def workspace(app):
    from webapp import services

    with app.server.test_request_context():
        yield services.sentiment()


def _dataset(workspace, labelled_per_class: int, tag: str) -> str:
    words = {0: "sink loss", 1: "meeting agenda", 2: "soar profit"}
    rows = [(f"{tag} shares {w} {i}", k, i) for k, w in words.items() for i in range(12)]
    frame = pd.DataFrame(rows, columns=["text", "label", "i"])
    frame["split"] = np.where(np.arange(len(frame)) % 4 == 3, "test", "train")
    # Test rows keep their labels (the queue would offer them first otherwise, as its random test sample).
    frame.loc[(frame["i"] >= labelled_per_class) & (frame["split"] == "train"), "label"] = UNLABELLED
    return workspace.save_dataset(frame, name=tag)


def call(fn, *args, prop_id: str, **kwargs):
    """``(outputs or PreventUpdate, props set on other components)`` of a callback after ``prop_id`` changed."""

    def run():
        context = AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": 1}], updated_props={})
        context_value.set(context)
        try:
            return fn(*args, **kwargs), context.updated_props
        except (PreventUpdate, Shown):  # Shown: the message is on the page, nothing else changed
            return PreventUpdate, context.updated_props

    return copy_context().run(run)


def _key(label: str) -> str:
    return json.dumps({"label": label, "type": "sentiment-queue-answer"}, separators=(",", ":")) + ".n_clicks"


def _answer(views, label, item, session, run_info=None, revision=0, retrains=0):
    return call(views.label_queue.answer, [1, 0, 0], item, session, revision, run_info, retrains, prop_id=_key(label))


def _show(views, dataset_id, session=None, run_info=None, mode="label"):
    out, _ = call(
        views.label_queue.render_queue,
        session,
        run_info,
        mode,
        dataset_id,
        0,
        "dark",
        prop_id="sentiment-dataset.value",
    )
    return out


def test_cold_start_answers_until_the_first_model_is_due(views, workspace):
    dataset_id = _dataset(workspace, 2, "cold")  # 2 labelled per class, the page needs 3
    shown = _show(views, dataset_id)
    assert shown["item"]["expected"] == "" and "no model yet" in shown["status"]
    counts = views.label_queue.render_counts(dataset_id, 0, None)
    text = str(counts)
    assert "unlabelled" in text and "'21'" in text  # 21 of 36 rows have no label (27 training rows, 6 labelled)

    out, _ = _answer(views, "negative", shown["item"], None)
    assert out["revision"] == 1 and out["session"]["answers"][0]["row"] == shown["item"]["row"]
    assert out["first"] is out["retrain"]  # one answer, K = 2: nothing due yet
    labels, _ = workspace.labels(dataset_id)
    assert labels[shown["item"]["row"]] == 0

    # The second answer is due, but some class still has too few labels: the page says so, no training starts.
    shown = _show(views, dataset_id, out["session"])
    out, _ = _answer(views, "negative", shown["item"], out["session"])
    assert "Not retraining yet" in out["message"].children and "needs at least 3" in out["message"].children
    # Enough labels now (three more training rows of each class labelled by hand) → the next due answer asks for
    # the first model.
    labels, _ = workspace.labels(dataset_id)
    train = (workspace.dataset(dataset_id)["split"] == "train").to_numpy()
    free = np.flatnonzero((labels < 0) & train)
    for k, label in enumerate(("negative", "neutral", "positive")):
        workspace.relabel(dataset_id, free[3 * k : 3 * k + 3], label)
    session = out["session"]
    for label in ("positive", "positive"):
        shown = _show(views, dataset_id, session)
        out, _ = _answer(views, label, shown["item"], session)
        session = out["session"]
    assert out["first"] == {"dataset": dataset_id}


def test_skip_and_undo_of_the_last_answer(views, workspace):
    dataset_id = _dataset(workspace, 4, "undo")
    first = _show(views, dataset_id)
    out, _ = call(views.label_queue.skip, 1, first["item"], None, prop_id="sentiment-queue-skip.n_clicks")
    session = out["session"]
    second = _show(views, dataset_id, session)
    assert second["item"]["row"] != first["item"]["row"]
    out, _ = _answer(views, "positive", second["item"], session)
    # The same key again before the next row arrived: the row's turn has passed, nothing is stored twice.
    again, _ = _answer(views, "negative", second["item"], out["session"])
    assert again is PreventUpdate
    undone, _ = call(
        views.label_queue.undo_answer, 1, dataset_id, out["session"], 1, prop_id="sentiment-queue-undo.n_clicks"
    )
    assert "Undid your answer for row" in undone["message"].children and undone["revision"] == 2
    assert workspace.labels(dataset_id)[0][second["item"]["row"]] == UNLABELLED
    assert undone["session"]["answers"] == []
    nothing, _ = call(
        views.label_queue.undo_answer, 1, dataset_id, undone["session"], 2, prop_id="sentiment-queue-undo.n_clicks"
    )
    assert "No answer of this session to undo" in nothing["message"].children


@pytest.mark.parametrize(
    "change, message",
    [
        ({"row": 10**6}, "Row 1000000 is not in this dataset"),
        ({"row": -1}, "Row -1 is not in this dataset"),
        ({"row": "1 OR 1=1"}, "A row must be a whole number"),
        ({"expected": "bullish"}, "is neither a class nor unlabelled"),
        ({"dataset": "../../etc"}, "No dataset named"),
    ],
)
def test_crafted_answers_get_a_message_and_store_nothing(views, workspace, change, message):
    dataset_id = _dataset(workspace, 4, "crafted")
    before = len(workspace.corrections.history(dataset_id))
    item = {**_show(views, dataset_id)["item"], **change}
    out, side = _answer(views, "neutral", item, None)
    shown = out["message"].children if out is not PreventUpdate else side["sentiment-message"]["children"].children
    assert message in shown
    assert len(workspace.corrections.history(dataset_id)) == before


def test_unknown_label_and_a_row_answered_meanwhile_are_refused(views, workspace):
    dataset_id = _dataset(workspace, 4, "race")
    item = _show(views, dataset_id)["item"]
    out, _ = _answer(views, "great", item, None)
    assert "'great' is not one of negative, neutral, positive" in out["message"].children
    assert workspace.corrections.history(dataset_id).empty
    # Two people were shown the same unlabelled row; the first answer wins, the second is refused, not stored.
    mine, _ = _answer(views, "positive", item, None)
    theirs, _ = _answer(views, "negative", item, None)
    assert f"Row {item['row']} is positive now" in theirs["message"].children
    assert mine["revision"] == 1 and theirs["revision"] is no_update
    history = workspace.corrections.history(dataset_id)
    assert history[["row", "new_label"]].values.tolist() == [[item["row"], "positive"]]
    assert workspace.labels(dataset_id)[0][item["row"]] == 2


def test_learning_curve_and_review_mode_with_a_model(views, workspace):
    dataset_id = _dataset(workspace, 6, "curve")
    run_id = workspace.train(dataset_id)
    run_info = {"dataset": dataset_id, "run": run_id, "previous": None}
    shown = _show(views, dataset_id, run_info=run_info)
    assert "least sure" in shown["status"] and shown["proba"].startswith("p(negative)")
    review = _show(views, dataset_id, run_info=run_info, mode="review")
    assert "looks most wrong" in review["status"] and review["item"]["expected"] in ("negative", "neutral", "positive")
    figure, _ = call(
        views.label_queue.render_learning_curve, run_info, dataset_id, "dark", prop_id="sentiment-run.data"
    )
    assert list(figure["data"][0]["x"]) == [int((workspace.labels(dataset_id)[0] >= 0).sum())]  # every label given
