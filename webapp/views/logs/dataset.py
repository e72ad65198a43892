"""Parquet datasets: the first open builds the dataset's cube on Dask in a background job, behind a progress bar.

``render`` asks for a build (``ids.DATASET_BUILD``) when a configured dataset has no stored cube; the job runs on
the scheduler at ``GLASSBOX_DASK_SCHEDULER`` or a LocalCluster it starts (``GLASSBOX_DASK_*``), stores the cube,
and hands the view back, so ``render`` draws it from the stored cube. It hands it back with ``set_props``: as an
output, ``ids.VIEW`` would close a loop of callbacks (render → build → render), which Dash refuses to run.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, State, callback, set_props
from dash.exceptions import PreventUpdate

from models.logs.dataset import ParquetDatasetError, build_dataset, dataset_label
from models.logs.distributed import SchedulerError
from webapp.views.logs import ids


def cluster_options(config) -> dict:
    """The LocalCluster a build starts when no scheduler is configured."""
    return {
        "n_workers": int(config["DASK_WORKERS"]),
        "threads_per_worker": int(config["DASK_THREADS"]),
        "memory_limit": config["DASK_MEMORY_LIMIT"],
        "processes": True,
        "dashboard_address": None,
    }


def build_cube(set_progress, request, view):
    """Build the requested dataset's cube on Dask; then hand the view back so the page draws it."""
    if not request or not view or request.get("source") != view.get("source"):
        raise PreventUpdate
    config = flask.current_app.config

    def progress(done: int, total: int) -> None:
        set_progress((round(100 * done / max(total, 1)), f"cube: {done}/{total} parts read on Dask"))

    try:
        cube = build_dataset(
            request["source"],
            config["LOG_DATASETS"],
            config["DATA_DIR"],
            scheduler=config.get("DASK_SCHEDULER"),
            cluster=cluster_options(config),
            progress=progress,
            timeout=config["DASK_TIMEOUT_S"],
        )
    except (ParquetDatasetError, SchedulerError) as exc:
        return dbc.Alert(str(exc), color="danger", id=ids.DATASET_ERROR)
    note = (
        f"{dataset_label(request['source'])}: cube built on Dask in {cube.seconds:.1f} s "
        f"({len(cube.index):,} events, {cube.cells:,} cells)."
    )
    set_props(ids.VIEW, {"data": {**view, "cube": cube.index.fingerprint}})  # render runs again, finds the cube
    return dbc.Alert(note, color="success", dismissable=True, id=ids.DATASET_OK)


# The callbacks, registered whenever this module runs (see ``webapp.views.register_views``).
callback(
    output=Output(ids.DATASET_MSG, "children"),
    inputs={"request": Input(ids.DATASET_BUILD, "data"), "view": State(ids.VIEW, "data")},
    background=True,
    running=[(Output(ids.DATASET_PROGRESS, "class_name"), "mb-2", "mb-2 d-none")],
    progress=[Output(ids.DATASET_PROGRESS, "value"), Output(ids.DATASET_PROGRESS, "label")],
    prevent_initial_call=True,
)(build_cube)
