"""Choosing tweets: a confusion cell or the whole split, a lasso in the triangle, and the table of the selection."""

from __future__ import annotations

import numpy as np
from dash import Input, Output, State, callback, ctx, no_update

from models.sentiment.labels import LABELS
from models.sentiment.views import selected_rows, table
from webapp import ids as shell_ids
from webapp.components import sentiment_figures as figs
from webapp.components.theme import themed
from webapp.views.sentiment.common import custom, state
from webapp.views.sentiment.ids import CELL, CONFUSION, COUNT, LASSO, REVISION, RUN, SHOW_ALL, SPLIT, TABLE, TRIANGLE


@callback(
    output={"cell": Output(CELL, "data"), "lasso": Output(LASSO, "data")},
    inputs={
        "click": Input(CONFUSION, "clickData"),
        "_all": Input(SHOW_ALL, "n_clicks"),
        "split": Input(SPLIT, "value"),
        "_run": Input(RUN, "data"),
    },
    prevent_initial_call=True,
)
def select_cell(click, _all, split, _run):
    """A confusion cell becomes the selection; the split, a new run or "whole split" reset it."""
    if ctx.triggered_id == CONFUSION and click:
        point = click["points"][0]
        return {"cell": {"split": split, "cell": [LABELS.index(point["y"]), LABELS.index(point["x"])]}, "lasso": None}
    return {"cell": {"split": split, "cell": None}, "lasso": None}


@callback(Output(LASSO, "data", allow_duplicate=True), Input(TRIANGLE, "selectedData"), prevent_initial_call=True)
def lasso(selected):
    """Lasso or box selection narrows the table to those points; clearing it widens it again."""
    if not selected or not selected.get("points"):
        return None
    return sorted({int(custom(p)[0]) for p in selected["points"] if p.get("customdata") is not None})


@callback(
    Output(TRIANGLE, "figure"),
    inputs={
        "cell": Input(CELL, "data"),
        "run_info": Input(RUN, "data"),
        "_revision": Input(REVISION, "data"),
        "theme": State(shell_ids.THEME_STORE, "data"),
    },
    prevent_initial_call=True,
)
def render_triangle(cell, run_info, _revision, theme):
    if not run_info or not cell:
        return no_update
    _, run, labels, _, mask = state(run_info, cell["split"])
    rows = selected_rows(labels, run.scores["predicted"].to_numpy(), mask, cell.get("cell"))
    title = selection_title(cell, len(rows)) + " — lasso to narrow"
    return themed(figs.triangle_figure(run.scores.iloc[rows], labels[rows], title), theme)


def selection_title(cell: dict, n: int) -> str:
    if cell.get("cell"):
        actual, predicted = cell["cell"]
        return f"{n:,} tweets: actual {LABELS[actual]}, predicted {LABELS[predicted]}"
    return f"{n:,} tweets in the {cell['split']} split"


@callback(
    output={"rows": Output(TABLE, "rowData"), "count": Output(COUNT, "children")},
    inputs={
        "cell": Input(CELL, "data"),
        "lassoed": Input(LASSO, "data"),
        "run_info": Input(RUN, "data"),
        "_revision": Input(REVISION, "data"),
    },
    prevent_initial_call=True,
)
def render_table(cell, lassoed, run_info, _revision):
    """The selection's tweets, most suspicious label first."""
    if not run_info or not cell:
        return {"rows": no_update, "count": no_update}
    _, run, labels, corrected, mask = state(run_info, cell["split"])
    rows = selected_rows(labels, run.scores["predicted"].to_numpy(), mask, cell.get("cell"))
    if lassoed is not None:
        rows = np.intersect1d(rows, np.asarray(lassoed, dtype=np.int64))
    count = selection_title(cell, len(rows)) + (" (lasso)" if lassoed is not None else "")
    return {"rows": table(run.scores, labels, corrected, rows).to_dict("records"), "count": count}
