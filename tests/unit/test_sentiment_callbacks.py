"""Sentiment callbacks called as plain functions (no browser), their outputs read by name."""

from __future__ import annotations

import base64
from contextvars import copy_context

import numpy as np
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict


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
    with app.server.test_request_context():
        return views.overview.choose_dataset("tweets")["run"]


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

    def call():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": 1}]))
        return fn(*args, **kwargs)

    return copy_context().run(call)


def test_overview_names_its_outputs(views, run_info, ctx):
    out = views.overview.render_overview(run_info, "test", 0, {"split": "test", "cell": [0, 1]}, "dark")
    assert set(out) == {"confusion", "metrics", "changes"}
    assert _array(out["confusion"]["data"][0]["z"]).shape == (3, 3)
    assert float(_find(out["metrics"], views.ids.ACCURACY).children) > 0.83
    assert _find(out["changes"], views.ids.RUN_INFO).children.startswith(f"Model run #{run_info['run']}")


def test_table_lists_the_cell_and_counts_it(views, run_info, ctx):
    out = views.selection.render_table({"split": "test", "cell": [0, 1]}, None, run_info, 0)
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
        views.ids.RELABEL_ROWS + ".n_clicks", views.relabel.relabel, 1, None, "neutral", [], [], run_info, 0
    )
    assert "Check some rows in the table first" in out["message"].children
