"""Choosing a dataset shows its newest model; the confusion matrix, metrics and the before/after of a retrain."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import flask
import numpy as np
import sqlalchemy as sa
from dash import Input, Output, State, callback, html, no_update

from models.sentiment.compare import compare_runs
from models.sentiment.labels import LABELS
from models.sentiment.train import TooFewLabelsError
from models.sentiment.views import confusion, metrics
from models.sentiment.workspace import DEFAULT_DATASET, UnknownDatasetError, Workspace
from webapp import ids as shell_ids
from webapp import services
from webapp.components import sentiment_figures as figs
from webapp.components.confusion import confusion_figure
from webapp.components.theme import follow_theme, themed
from webapp.roles import acting_user
from webapp.views.sentiment.common import UNAVAILABLE, alert, checked_previous, guarded, problem, state
from webapp.views.sentiment.ids import (
    ACCURACY,
    BEFORE_AFTER,
    CELL,
    CHANGES,
    CONFUSION,
    DATASET,
    FIRST,
    FIRST_PANEL,
    FIRST_PROGRESS,
    FIRST_STATUS,
    GRAPHS,
    MACRO_F1,
    MESSAGE,
    METRICS,
    REVISION,
    RUN,
    RUN_INFO,
    SPLIT,
)


def run_info(workspace: Workspace, run_id: int, dataset_id: str) -> dict:
    """The RUN store's content: the run shown and the one before it (for the before/after line)."""
    previous = workspace.runs.latest(dataset_id, before=run_id, user=acting_user())
    return {"dataset": dataset_id, "run": int(run_id), "previous": previous and previous["id"]}


@callback(
    output={
        "run": Output(RUN, "data"),
        "first": Output(FIRST, "data"),
        "message": Output(MESSAGE, "children", allow_duplicate=True),
    },
    inputs={"dataset_id": Input(DATASET, "value")},
    prevent_initial_call="initial_duplicate",
)
def choose_dataset(dataset_id):
    """Show the dataset's newest model; a dataset without one asks the background job to train it."""
    dataset_id = dataset_id or DEFAULT_DATASET
    try:
        workspace, user = services.sentiment(), acting_user()
        if dataset_id not in workspace.datasets(user):
            raise UnknownDatasetError(f"No dataset named {str(dataset_id)[:80]!r}.")
        run_id = workspace.latest_run_id(dataset_id, train_if_missing=False, user=user)
        if run_id is None:
            return {"run": no_update, "first": {"dataset": dataset_id}, "message": no_update}
        return {"run": run_info(workspace, run_id, dataset_id), "first": no_update, "message": no_update}
    except (*UNAVAILABLE, sa.exc.DatabaseError) as exc:
        return {"run": no_update, "first": no_update, "message": problem(exc)}


@callback(
    output={
        "run": Output(RUN, "data", allow_duplicate=True),
        "message": Output(MESSAGE, "children", allow_duplicate=True),
    },
    inputs=[Input(FIRST, "data")],
    background=True,
    running=[(Output(FIRST_PANEL, "hidden"), False, True)],
    progress=[Output(FIRST_PROGRESS, "value"), Output(FIRST_STATUS, "children")],
    prevent_initial_call=True,
)
def first_training(set_progress, request):
    """Train a dataset's first model in a background job, telling the page what it is doing.

    A missing dataset (no network and no GLASSBOX_DATA_MIRROR) or a database outage ends it with the reason.
    """
    if not isinstance(request, dict) or not isinstance(request.get("dataset"), str):
        return {"run": no_update, "message": no_update}
    dataset_id = request["dataset"]
    try:
        workspace, user = services.sentiment(), acting_user()
        if dataset_id not in workspace.datasets(user):
            raise UnknownDatasetError(f"No dataset named {dataset_id[:80]!r}.")
        n = len(workspace.dataset(dataset_id, user))
        set_progress((5, f"Training the first model on {n:,} tweets …"))
        run_id = workspace.latest_run_id(
            dataset_id,
            progress=lambda step, total, message: set_progress(
                (max(5, round(100 * step / total)), f"Training the first model on {n:,} tweets … {message}")
            ),
            user=user,
            min_per_class=flask.current_app.config["SENTIMENT_MIN_PER_CLASS"],
        )
    except TooFewLabelsError as exc:  # cold start: no model, the views say so and the Label tab takes over
        return {"run": None, "message": alert(str(exc), "info")}
    except (*UNAVAILABLE, sa.exc.DatabaseError) as exc:
        return {"run": no_update, "message": problem(exc)}
    return {"run": run_info(workspace, run_id, dataset_id), "message": no_update}


@callback(
    output={
        "confusion": Output(CONFUSION, "figure"),
        "metrics": Output(METRICS, "children"),
        "changes": Output(CHANGES, "children"),
    },
    inputs={
        "run_info": Input(RUN, "data"),
        "split": Input(SPLIT, "value"),
        "_revision": Input(REVISION, "data"),
        "cell": Input(CELL, "data"),
        "theme": State(shell_ids.THEME_STORE, "data"),
    },
    prevent_initial_call=True,
)
@guarded
def render_overview(run_info, split, _revision, cell, theme):
    """Confusion matrix and metrics of the current labels against the run's predictions (labelled rows only)."""
    if run_info is None:  # a dataset without a model yet (too few labels): the message says why
        return {
            "confusion": themed(figs.empty_figure("No model yet"), theme),
            "metrics": html.Div("No model yet.", className="text-body-secondary"),
            "changes": [],
        }
    workspace, run, labels, corrected, mask = state(run_info, split)
    predicted = run.scores["predicted"].to_numpy()
    matrix = confusion(labels, predicted, mask)
    chosen = tuple(cell["cell"]) if cell and cell.get("cell") and cell.get("split") == split else None
    figure = confusion_figure(matrix, LABELS, selected=chosen)
    return {
        "confusion": themed(figure, theme),
        "metrics": metrics_panel(metrics(labels, predicted, mask)),
        "changes": changes(workspace, run_info, corrected),
    }


def metrics_panel(result: dict):
    rows = [
        html.Tr(
            [
                html.Td(label),
                html.Td(f"{v['precision']:.2f}"),
                html.Td(f"{v['recall']:.2f}"),
                html.Td(f"{v['support']:,}"),
            ]
        )
        for label, v in result["per_class"].items()
    ]
    return html.Div(
        [
            html.Div(
                [
                    html.Span("accuracy ", className="text-body-secondary"),
                    html.Strong(f"{result['accuracy']:.3f}", id=ACCURACY),
                    html.Span("  macro-F1 ", className="text-body-secondary ms-2"),
                    html.Strong(f"{result['macro_f1']:.3f}", id=MACRO_F1),
                ]
            ),
            dbc.Table(
                [
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(html.Span("class", className="visually-hidden")),  # a header cell has a name
                                html.Th("precision"),
                                html.Th("recall"),
                                html.Th("n"),
                            ]
                        )
                    ),
                    html.Tbody(rows),
                ],
                size="sm",
                className="mt-2 mb-0 small",
            ),
        ]
    )


def changes(workspace: Workspace, run_info: dict, corrected: np.ndarray):
    """The run's line, and against the previous run: metric deltas and the confusion cells that moved."""
    record = workspace.run_record(run_info["run"], run_info["dataset"], acting_user())
    lines = [
        html.Div(
            f"Model run #{record['id']}: trained in {record['seconds']:.1f} s with {record['corrections']} correction(s); "
            f"{int(corrected.sum())} row(s) corrected now.",
            id=RUN_INFO,
        )
    ]
    previous = checked_previous(workspace, run_info)
    if previous:
        diff = compare_runs(previous["metrics"], record["metrics"])
        (acc_before, acc_after), (f1_before, f1_after) = diff.accuracy, diff.macro_f1
        lines.append(
            html.Div(
                [
                    f"Against run #{previous['id']} (test split): accuracy {acc_before:.3f} → {acc_after:.3f}, "
                    f"macro-F1 {f1_before:.3f} → {f1_after:.3f}; confusion change: {diff.moved_text()}."
                ],
                id=BEFORE_AFTER,
            )
        )
    return lines


follow_theme(*GRAPHS)  # every figure of the page follows the theme switch
