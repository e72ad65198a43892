"""Sentiment callbacks called as plain functions (no browser), their outputs read by name."""

from __future__ import annotations

import base64
from contextvars import copy_context

import numpy as np
import pandas as pd
import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate

from webapp.shown import Shown


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from webapp import create_app

    return create_app({"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("data")), "SECRET_KEY": "test"})


@pytest.fixture(scope="module")
def views(app):
    """The page's callbacks, imported the way the app imports them (register_page needs an app first)."""
    from webapp.views import sentiment

    return sentiment


@pytest.fixture
def ctx(app):
    with app.server.test_request_context():
        yield


@pytest.fixture(scope="module")
def run_info(app, views):
    """A model of 900 of the tweets (a few seconds to train), as the page's RUN store holds it."""
    from models.sentiment.data import load_tweets
    from webapp import services

    with app.server.test_request_context():
        workspace = services.sentiment()
        tweets = load_tweets(app.server.config["DATA_DIR"], app.server.config.get("DATA_MIRROR"))
        train, test = tweets[tweets["split"] == "train"].head(600), tweets[tweets["split"] == "test"].head(300)
        sample = pd.concat([train, test])
        dataset = workspace.save_dataset(sample.reset_index(drop=True), name="sample")
        assert views.overview.choose_dataset(dataset)["first"] == {"dataset": dataset}  # no training in a request
        workspace.latest_run_id(dataset)  # what the background job does
        return views.overview.choose_dataset(dataset)["run"]


def _array(value):
    """A figure array as numpy, decoding Plotly's base64 typed arrays."""
    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return data.reshape([int(n) for n in str(value["shape"]).split(",")]) if "shape" in value else data
    return np.asarray(value)


def _find(component, component_id):
    """The component with ``component_id`` inside a layout tree (or list of trees)."""
    stack = list(component) if isinstance(component, list) else [component]
    while stack:
        node = stack.pop()
        if getattr(node, "id", None) == component_id:
            return node
        children = getattr(node, "children", None)
        stack.extend(children if isinstance(children, list) else [children] if children is not None else [])
    raise LookupError(component_id)


def triggered(prop_id: str, fn, *args, **kwargs):
    """Call a callback as Dash would after ``prop_id`` changed (``ctx.triggered_id`` answers it)."""
    return call(fn, *args, prop_id=prop_id, **kwargs)[0]


def call(fn, *args, prop_id: str = "sentiment-run.data", **kwargs):
    """``(outputs or PreventUpdate, props set on other components)`` of one callback call; a callback that showed
    its message and changed nothing else (``webapp.shown.Shown``) reads as PreventUpdate here."""

    def run():
        context = AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": 1}], updated_props={})
        context_value.set(context)
        try:
            return fn(*args, **kwargs), context.updated_props
        except (PreventUpdate, Shown):
            return PreventUpdate, context.updated_props

    return copy_context().run(run)


def _message(side: dict) -> str:
    return side["sentiment-message"]["children"].children


def test_overview_names_its_outputs(views, run_info, ctx):
    out = views.overview.render_overview(run_info, "test", 0, {"split": "test", "cell": [0, 1]}, "dark")
    assert set(out) == {"confusion", "metrics", "changes"}
    assert _array(out["confusion"]["data"][0]["z"]).shape == (3, 3)
    assert 0.4 < float(_find(out["metrics"], views.ids.ACCURACY).children) <= 1
    assert _find(out["changes"], views.ids.RUN_INFO).children.startswith(f"Model run #{run_info['run']}")


def test_table_lists_the_cell_and_counts_it(views, run_info, ctx):
    out = triggered(
        views.ids.CELL + ".data", views.selection.render_table, {"split": "test", "cell": [0, 1]}, None, run_info, 0
    )
    assert {(r["actual"], r["predicted"]) for r in out["rows"]} == {("negative", "neutral")}
    assert out["count"].startswith(f"{len(out['rows']):,} tweets: actual negative, predicted neutral")


def test_upload_guesses_the_columns_by_name(views, ctx):
    csv = "id,Tweet,Sentiment,Set\n" + "".join(f"{i},stocks up {i},positive,train\n" for i in range(5))
    contents = "data:text/csv;base64," + base64.b64encode(csv.encode()).decode()
    out = views.upload.read_upload(contents, "mine.csv")
    assert (out["hidden"], out["text"], out["label"], out["split"]) == (False, "Tweet", "Sentiment", "Set")
    assert "5 rows, columns id, Tweet, Sentiment, Set" in out["message"].children


def test_relabel_with_nothing_checked_asks_for_rows(views, run_info, ctx):
    out = triggered(
        views.ids.RELABEL_ROWS + ".n_clicks", views.relabel.relabel, 1, None, "neutral", [], [], None, run_info, 0
    )
    assert "Check some rows on this table page first" in out["message"].children


BAD_RUNS = [999999, "1 OR 1=1", -1, 1e9, None, "", [1], {"$gt": 0}]


@pytest.mark.parametrize("run", BAD_RUNS)
def test_crafted_runs_get_a_message_not_a_500(views, run_info, ctx, run):
    crafted = {**run_info, "run": run}
    cell = {"split": "test", "cell": None}
    for fn, args in [
        (views.overview.render_overview, (crafted, "test", 0, cell, "dark")),
        (views.selection.render_table, (cell, None, crafted, 0)),
        (views.selection.render_triangle, (cell, crafted, 0, None, "dark")),
        (views.explain.render_tweet, ({"row": 0, "label": "neutral"}, crafted, "dark")),
        (views.relabel.export, (1, crafted)),
        (views.relabel.undo, (1, crafted, 0)),
    ]:
        out, side = call(fn, *args)
        assert out is PreventUpdate, fn.__name__
        assert "model run" in _message(side) or "lost track" in _message(side), fn.__name__


@pytest.mark.parametrize(
    "row, message",
    [
        (1e9, "Row 1000000000 is not in this dataset"),
        (-1, "Row -1 is not in this dataset"),
        ("1 OR 1=1", "A row must be a whole number"),
        (900, "Row 900 is not in this dataset"),
    ],
)
def test_crafted_rows_get_a_message_and_never_index_from_the_end(views, run_info, ctx, row, message):
    from webapp import services

    workspace = services.sentiment()
    before = workspace.corrections.history(run_info["dataset"])
    out, side = call(views.explain.render_tweet, {"row": row, "label": "neutral"}, run_info, "dark")
    assert out is PreventUpdate and message in _message(side)
    out, side = call(
        views.explain.pick_tweet, {"rowId": row}, None, None, None, run_info, prop_id=views.ids.TABLE + ".cellClicked"
    )
    assert out is PreventUpdate and message in _message(side)
    out = triggered(
        views.ids.CONFIRM_YES + ".n_clicks",
        views.relabel.answer_confirmation,
        1,
        None,
        {"rows": [row], "label": "positive"},
        run_info,
        0,
    )
    assert message in out["message"].children and out["revision"] is no_update
    assert len(workspace.corrections.history(run_info["dataset"])) == len(before)  # the last tweet kept its label


@pytest.mark.parametrize(
    "cell", [{"split": "test", "cell": [5, 0]}, {"split": "nope"}, {"split": "test", "cell": "x"}, 7]
)
def test_crafted_cells_get_a_message(views, run_info, ctx, cell):
    out, side = call(views.selection.render_table, cell, None, run_info, 0)
    assert out is PreventUpdate and _message(side)


def test_a_crafted_label_gets_a_message(views, run_info, ctx):
    out = triggered(
        views.ids.CONFIRM_YES + ".n_clicks",
        views.relabel.answer_confirmation,
        1,
        None,
        {"rows": [0], "label": "bogus"},
        run_info,
        0,
    )
    assert "'bogus' is not one of negative, neutral, positive" in out["message"].children
