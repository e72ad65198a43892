"""Opening a source that is not stored yet: parse it once, in a background job, with a progress bar.

The render callback never parses: it draws nothing new for a source that is not stored. As the view
changes, ``request`` asks for this job (``ids.PREPARE``) when the source is not stored; the job parses it
into its store (``models.logs.columnar``), which every worker then maps, and says it is done
(``ids.PREPARED``), which draws the page. A server file of a few MB is parsed by ``request`` itself: a job's
start-up would cost more than the parse. A larger one starts parsing when ``request`` answers, in a process
of its own (``start_early``, ``models.logs.early``), since the browser asks for the job only once it has
mounted the page's graphs (~1.4 s later on a cold open); the job then waits for that build, its bar
following the build's progress, and maps the store (``columnar.open_or_build``: one build per store). A
Parquet dataset (``GLASSBOX_LOG_DATASETS``) is not parsed: the job builds its cube on Dask
(``models.logs.dataset.build_dataset``: the scheduler at ``GLASSBOX_DASK_SCHEDULER``, else a LocalCluster
sized by ``GLASSBOX_DASK_*``) and stores it.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, callback, no_update

from models.datasets import DatasetError
from models.files import is_upload_id
from models.logs import dataset, early
from models.logs.columnar import StoreError, store_root
from models.logs.follow import store_folder
from models.logs.parse import LogFormatError
from models.logs.sources import (
    BUILTIN,
    UnknownSourceError,
    allowed_path,
    check_may_open,
    is_path_source,
    is_stored,
    load_events,
    load_path,
    source_label,
)
from webapp import services
from webapp.components.job_watch import register_job_watch, running_outputs
from webapp.roles import acting_user
from webapp.views.logs import ids

SMALL_BYTES = 4 << 20  # a server file this small parses in well under a second
POLL_MS = 250  # how often the page asks the job for progress: its result is drawn at most this long after it ends


def _megabytes(n: int) -> str:
    if n >= 1e6:
        return f"{n / 1e6:,.{0 if n >= 1e7 else 1}f} MB"
    return f"{n / 1e3:,.0f} kB"


def parse_source(source: str, config, progress) -> None:
    """Parse ``source`` into its store (nothing to do when it is stored already).

    Args:
        progress: ``progress(percent, label)`` as the source is read.
    """

    def reading(done: int, total: int) -> None:
        progress(round(100 * done / max(total, 1)), f"{_megabytes(done)} of {_megabytes(total)}")

    if dataset.is_dataset_source(source):
        dataset.build_dataset(
            source,
            config["LOG_DATASETS"],
            config["DATA_DIR"],
            scheduler=config.get("DASK_SCHEDULER"),
            cluster=dataset.cluster_options(config),
            progress=lambda done, total: progress(
                round(100 * done / max(total, 1)), f"cube: {done}/{total} parts read on Dask"
            ),
            timeout=config["DASK_TIMEOUT_S"],
        )
    elif is_path_source(source):
        load_path(source, config["LOG_PATHS"], data_dir=config["DATA_DIR"], progress=reading)
    else:
        check_may_open(source, acting_user(), services.owners())  # another user's private upload (crafted id)
        progress(5, "Parsing…")
        load_events(source, config["DATA_DIR"], config.get("DATA_MIRROR"))
    progress(100, "Drawing…")


def needs_parse(source: str, config) -> bool:
    """Whether opening ``source`` would parse it (it is not stored yet; for a Parquet dataset: its cube is not
    built); errors are render's to say."""
    if dataset.is_dataset_source(source):
        return dataset.needs_cube(source, config["LOG_DATASETS"], config["DATA_DIR"])
    if not (is_path_source(source) or source in BUILTIN or is_upload_id(source)):
        return False  # render says it is unknown
    try:
        return not is_stored(source, config["DATA_DIR"], config["LOG_PATHS"])
    except UnknownSourceError:
        return False


def is_small(source: str, config) -> bool:
    """A server file small enough to parse at once (``SMALL_BYTES``): a background job would only add its start-up."""
    if not is_path_source(source):
        return False
    try:
        return allowed_path(source, config["LOG_PATHS"]).stat().st_size <= SMALL_BYTES
    except (UnknownSourceError, OSError):
        return False


def start_early(source: str, config) -> int | None:
    """Start parsing a large server file now, in a process of its own (``models.logs.early``), rather than when
    the browser gets round to asking for the job: the job then waits for that build, passing on its progress.

    Only for a file the configuration allows (checked first: a crafted or refused source starts nothing), at
    most one build per file and ``LOG_EARLY_BUILDS`` builds in all. The child parses with this app's
    configuration (data directory, ``LOG_PATHS``, limits), as the job would.

    Returns:
        The child's process id, or None when none was started.
    """
    if not is_path_source(source):
        return None
    try:
        path = allowed_path(source, config["LOG_PATHS"])
        folder = store_folder(path, store_root(config["DATA_DIR"]))
    except (UnknownSourceError, OSError):
        return None  # render says why
    app = flask.current_app._get_current_object()
    patterns, data_dir = config["LOG_PATHS"], config["DATA_DIR"]

    def build() -> None:
        with app.app_context():
            load_path(source, patterns, data_dir=data_dir)

    return early.start(folder, build, max_builds=int(config.get("LOG_EARLY_BUILDS", 0)))


@callback(
    output={
        "request": Output(ids.PREPARE, "data"),
        "prepared": Output(ids.PREPARED, "data", allow_duplicate=True),
        "value": Output(ids.PREPARE_PROGRESS, "value", allow_duplicate=True),
        "label": Output(ids.PREPARE_PROGRESS, "label", allow_duplicate=True),
    },
    inputs={"view": Input(ids.VIEW_SOURCE, "data")},  # {"source"}: only when the view's source changes
    prevent_initial_call=True,
)
def request(view):
    """When the view's source is not stored yet: parse a small server file at once, else ask for the
    background job (its bar starting from empty), a large server file's parse started at once (``start_early``)."""
    nothing = {"request": no_update, "prepared": no_update, "value": no_update, "label": no_update}
    config = flask.current_app.config
    source = (view or {}).get("source")
    if not isinstance(source, str) or not needs_parse(source, config):
        return nothing
    if is_small(source, config):
        try:
            parse_source(source, config, lambda *_: None)
            return {**nothing, "prepared": {"source": source}}
        except (UnknownSourceError, LogFormatError, StoreError, OSError):
            pass  # the job says why
    else:
        start_early(source, config)
    return {**nothing, "request": {"source": source}, "value": 0, "label": "Starting…"}


@callback(
    output={
        "prepared": Output(ids.PREPARED, "data"),
        "message": Output(ids.PREPARE_MSG, "children"),
        "done": Output(ids.PREPARE_WATCH.done, "data"),
    },
    inputs=[Input(ids.PREPARE, "data"), Input(ids.PREPARE_WATCH.retry, "n_clicks")],
    background=True,
    interval=POLL_MS,
    running=[(Output(ids.PREPARE_BOX, "hidden"), False, True), *running_outputs(ids.PREPARE_WATCH)],
    progress=[Output(ids.PREPARE_PROGRESS, "value"), Output(ids.PREPARE_PROGRESS, "label")],
    prevent_initial_call=True,
)
def prepare(set_progress, request, _retries):
    """Parse the requested source into its store; the page draws it when this returns."""
    source = (request or {}).get("source")
    if not isinstance(source, str):
        return {"prepared": no_update, "message": None, "done": True}
    try:
        parse_source(source, flask.current_app.config, lambda value, label: set_progress((value, label)))
    except (
        UnknownSourceError,
        DatasetError,
        LogFormatError,
        StoreError,
        OSError,
        dataset.ParquetDatasetError,
        dataset.SchedulerError,
    ) as exc:
        message = dbc.Alert(f"{source_label(source)} cannot be read: {exc}", color="danger", id=ids.SOURCE_ERROR)
        return {"prepared": no_update, "message": message, "done": True}
    return {"prepared": {"source": source}, "message": None, "done": True}


register_job_watch(ids.PREPARE_WATCH, cancel=None, progress=ids.PREPARE_PROGRESS)
