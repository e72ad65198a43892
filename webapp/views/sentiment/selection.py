"""Choosing tweets: a confusion cell or the whole split, a lasso in the triangle, and the table of the selection."""

from __future__ import annotations

import numpy as np
from dash import Input, Output, State, callback, ctx, no_update

from models.sentiment.labels import LABELS
from models.sentiment.selection import SelectionError, check_rows
from models.sentiment.tickers import normalise_freq, period_rows, period_start
from models.sentiment.views import selected_rows, table
from webapp import ids as shell_ids
from webapp.components import sentiment_figures as figs
from webapp.components.theme import themed
from webapp.views.sentiment.common import checked_cell, checked_run, custom, guarded, state
from webapp.views.sentiment.ids import (
    CELL,
    CONFUSION,
    COUNT,
    FREQ,
    LASSO,
    REVISION,
    RUN,
    SHOW_ALL,
    SHOW_UNLABELLED,
    SPLIT,
    TABLE,
    TIMES,
    TRIANGLE,
)


@callback(
    output={"cell": Output(CELL, "data"), "lasso": Output(LASSO, "data")},
    inputs={
        "click": Input(CONFUSION, "clickData"),
        "_all": Input(SHOW_ALL, "n_clicks"),
        "split": Input(SPLIT, "value"),
        "run_info": Input(RUN, "data"),
        "day_click": Input(TIMES, "clickData"),
        "current": State(CELL, "data"),
        "freq": State(FREQ, "value"),
    },
    prevent_initial_call=True,
)
@guarded
def select_cell(click, _all, split, run_info, current, day_click=None, freq="D"):
    """A confusion cell, or a ticker's day in the time view, becomes the selection; the split, another dataset or
    "whole split" reset it.

    A new run of the same dataset (a retrain) keeps the cell and the lasso: the user keeps their place.
    """
    dataset = (run_info or {}).get("dataset")
    if ctx.triggered_id == RUN and current and current.get("dataset") == dataset:
        return {"cell": no_update, "lasso": no_update}
    if ctx.triggered_id == TIMES and day_click:
        ticker, period = clicked_day(day_click)
        day = {"ticker": ticker, "period": period, "freq": normalise_freq(freq or "D")}
        return {"cell": {"dataset": dataset, "split": split, "cell": None, "day": day}, "lasso": None}
    if ctx.triggered_id == CONFUSION and click:
        point = click["points"][0]
        cell = [LABELS.index(point["y"]), LABELS.index(point["x"])]
        return {"cell": {"dataset": dataset, "split": split, "cell": cell}, "lasso": None}
    return {"cell": {"dataset": dataset, "split": split, "cell": None}, "lasso": None}


@callback(Output(LASSO, "data", allow_duplicate=True), Input(TRIANGLE, "selectedData"), prevent_initial_call=True)
def lasso(selected):
    """Lasso or box selection narrows the table to those points; clearing it widens it again.

    A redrawn triangle (after a retrain or a relabel) makes Plotly send an empty selection with no lasso or box
    drawn: that is not the user's, and the lasso is kept (the figure draws it with ``selectedpoints``).
    """
    if (
        selected is not None
        and not selected.get("points")
        and not (selected.get("lassoPoints") or selected.get("range"))
    ):
        return no_update
    if not selected or not selected.get("points"):
        return None
    return sorted({int(custom(p)[0]) for p in selected["points"] if p.get("customdata") is not None})


@callback(
    Output(TRIANGLE, "figure"),
    inputs={
        "cell": Input(CELL, "data"),
        "run_info": Input(RUN, "data"),
        "_revision": Input(REVISION, "data"),
        "lassoed": State(LASSO, "data"),
        "theme": State(shell_ids.THEME_STORE, "data"),
        "show_unlabelled": Input(SHOW_UNLABELLED, "value"),
    },
    prevent_initial_call=True,
)
@guarded
def render_triangle(cell, run_info, _revision, lassoed, theme, show_unlabelled=True):
    """The selection's triangle; a retrain or a relabel redraws it with the lassoed tweets still selected.

    Unlabelled rows are drawn as open circles, unless the "show unlabelled" switch is off.
    """
    if run_info is None:  # a dataset without a model yet (too few labels); the RUN store starts empty otherwise
        return themed(figs.empty_figure("No model yet: label some rows in the Label tab"), theme)
    if not run_info or not cell:
        return no_update
    _, run, labels, _, rows, title = chosen(cell, run_info)
    title = title(len(rows)) + " — lasso to narrow"
    kept = None
    if lassoed is not None and ctx.triggered_id in (RUN, REVISION, SHOW_UNLABELLED):
        kept = check_rows(lassoed if isinstance(lassoed, list) else [lassoed], len(labels)).tolist()
    figure = figs.triangle_figure(run.scores.iloc[rows], labels[rows], title, kept, show_unlabelled is not False)
    return themed(figure, theme)


def clicked_day(click) -> tuple[str, str]:
    """``(ticker, period)`` from a click on the time view (a point's customdata), checked to be two strings."""
    try:
        ticker, period = custom(click["points"][0])[:2]
    except (TypeError, KeyError, IndexError, ValueError, AttributeError):
        raise SelectionError("That click names no ticker and day; click a point of a line.") from None
    if not isinstance(ticker, str) or not isinstance(period, str):
        raise SelectionError("That click names no ticker and day; click a point of a line.")
    return ticker[:20], period[:40]


def chosen(cell, run_info):
    """The selection's rows and title, all checked: a confusion cell (or the whole split) of the split, or one
    ticker's tweets of one day or hour (all splits).

    Returns:
        ``(workspace, run, labels, corrected, rows, title)``; ``title(n)`` names the selection with n tweets.
    """
    split, pair = checked_cell(cell)
    workspace, run, labels, corrected, mask = state(run_info, split)
    day = cell.get("day")
    if day is None:
        rows = selected_rows(labels, run.scores["predicted"].to_numpy(), mask, pair)
        return workspace, run, labels, corrected, rows, lambda n: selection_title(split, pair, n)
    if not isinstance(day, dict):
        raise SelectionError("Unknown selection; click a point of the time view again.")
    dataset_id, run_id = checked_run(workspace, run_info)
    freq = normalise_freq(day.get("freq"))
    rows = period_rows(workspace.mentions(dataset_id, run_id), day.get("ticker"), day.get("period"), freq)
    start = period_start(day["period"], freq)
    when = f"{start:%Y-%m-%d}" if freq == "D" else f"{start:%Y-%m-%d %H:00} UTC"
    return workspace, run, labels, corrected, rows, lambda n: f"{n:,} tweets mentioning ${day['ticker']} on {when}"


def selection_title(split: str, pair: list[int] | None, n: int) -> str:
    if pair:
        actual, predicted = pair
        return f"{n:,} tweets: actual {LABELS[actual]}, predicted {LABELS[predicted]}"
    return f"{n:,} tweets in the {split} split"


@callback(
    output={
        "rows": Output(TABLE, "rowData"),
        "count": Output(COUNT, "children"),
        "page": Output(TABLE, "paginationGoTo"),
    },
    inputs={
        "cell": Input(CELL, "data"),
        "lassoed": Input(LASSO, "data"),
        "run_info": Input(RUN, "data"),
        "_revision": Input(REVISION, "data"),
        "pages": State(TABLE, "paginationInfo"),
    },
    prevent_initial_call=True,
)
@guarded
def render_table(cell, lassoed, run_info, _revision, pages=None):
    """The selection's tweets, most suspicious label first; a retrain or a relabel stays on the same table page."""
    if run_info is None:  # a dataset without a model yet: nothing scored to list
        return {"rows": [], "count": "No model yet", "page": no_update}
    if not run_info or not cell:
        return {"rows": no_update, "count": no_update, "page": no_update}
    workspace, run, labels, corrected, rows, title = chosen(cell, run_info)
    if lassoed is not None:
        rows = np.intersect1d(rows, check_rows(lassoed if isinstance(lassoed, list) else [lassoed], len(labels)))
    count = title(len(rows)) + (" (lasso)" if lassoed is not None else "")
    dataset = workspace.dataset(run_info["dataset"])
    ids = dataset["id"].to_numpy(object) if "id" in dataset.columns else None
    same_selection = ctx.triggered_id in (RUN, REVISION)
    page = (pages or {}).get("currentPage") if same_selection else None
    return {
        "rows": table(run.scores, labels, corrected, rows, ids).to_dict("records"),
        "count": count,
        "page": page if isinstance(page, int) and page > 0 else no_update,
    }
