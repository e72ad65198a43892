"""Small pieces the Sentiment callbacks share: the message alert, reading a plotted point, the checked state.

Everything a callback reads from the browser (the RUN store, a cell, a row id) may be crafted. ``state`` and
``checked_*`` turn a bad one into ``SelectionError``, and ``guarded`` turns that into a message on the page,
never a 500.
"""

from __future__ import annotations

import functools

import dash_bootstrap_components as dbc
import sqlalchemy as sa
from dash import set_props

from models.datasets import DatasetError
from models.sentiment.data import DataError
from models.sentiment.labels import LABELS
from models.sentiment.selection import SelectionError, check_rows, whole_number
from models.sentiment.views import SPLIT_NAMES, split_mask
from models.sentiment.workspace import UnknownDatasetError, Workspace
from webapp import services
from webapp.roles import acting_user
from webapp.shown import Shown
from webapp.views.sentiment.ids import MESSAGE


def alert(message: str, color: str = "danger"):
    """A dismissable message for the page's status line."""
    return dbc.Alert(message, color=color, className="py-2 small mb-0", dismissable=True)


DATABASE_DOWN = (
    "The database does not answer (GLASSBOX_DATABASE_URL), so models and corrections cannot be shown; "
    "reload the page once it is back."
)
UNAVAILABLE = (SelectionError, UnknownDatasetError, DataError, DatasetError)


def problem(exc: Exception):
    """The page's message for a bad id, a missing dataset or a database that does not answer."""
    if isinstance(exc, sa.exc.DatabaseError):
        return alert(DATABASE_DOWN)
    return alert(str(exc).strip("'\""), "warning" if isinstance(exc, SelectionError) else "danger")


def guarded(callback_fn):
    """Show a client's bad id (``SelectionError``), a missing dataset or a database outage in the page's message
    line and change nothing else, instead of failing the request."""

    @functools.wraps(callback_fn)
    def wrapper(*args, **kwargs):
        try:
            return callback_fn(*args, **kwargs)
        except (*UNAVAILABLE, sa.exc.DatabaseError) as exc:
            set_props(MESSAGE, {"children": problem(exc)})
            raise Shown from None  # PreventUpdate would drop the message (webapp.shown)

    return wrapper


def custom(point: dict) -> list:
    """A point's customdata as a list: Plotly hands typed-array rows over as ``{"0": .., "1": ..}``."""
    data = point.get("customdata")
    if isinstance(data, dict):
        return [data[k] for k in sorted(data, key=int)]
    return list(data) if isinstance(data, list | tuple) else [data]


def checked_run(workspace: Workspace, run_info) -> tuple[str, int]:
    """``(dataset id, run id)`` from the RUN store, the run checked to exist, to belong to the dataset and to be
    one the acting user may see (of a dataset they may see): a crafted id of another user's private run or
    dataset reads as a missing one."""
    if not isinstance(run_info, dict) or not isinstance(run_info.get("dataset"), str):
        raise SelectionError("The page lost track of its model; choose the dataset again.")
    record = workspace.run_record(run_info.get("run"), run_info["dataset"], acting_user())
    return run_info["dataset"], int(record["id"])


def checked_previous(workspace: Workspace, run_info: dict) -> dict | None:
    """The record of the run before (for the before/after line), checked like the current one."""
    previous = run_info.get("previous")
    return None if previous is None else workspace.run_record(previous, run_info["dataset"], acting_user())


def checked_cell(cell) -> tuple[str, list[int] | None]:
    """``(split, [actual, predicted] or None)`` from the CELL store."""
    if not isinstance(cell, dict) or cell.get("split", "test") not in SPLIT_NAMES:
        raise SelectionError("Unknown selection; click a confusion cell or “Whole split”.")
    pair = cell.get("cell")
    if pair is None:
        return cell.get("split", "test"), None
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        raise SelectionError("A confusion cell is a pair (actual, predicted).")
    pair = [whole_number(v, "A confusion cell") for v in pair]
    if not all(0 <= v < len(LABELS) for v in pair):
        raise SelectionError(f"A confusion cell {pair} is outside the {len(LABELS)}×{len(LABELS)} matrix.")
    return cell.get("split", "test"), pair


def checked_row(value, n_rows: int) -> int:
    """One row id a client named, within the dataset."""
    return int(check_rows([value], n_rows)[0])


def state(run_info, split):
    """The workspace, the run, the current labels, the corrected-rows mask and the split's mask, all checked."""
    workspace = services.sentiment()
    dataset, run_id = checked_run(workspace, run_info)
    if (split or "test") not in SPLIT_NAMES:
        raise SelectionError(f"Unknown split {str(split)[:20]!r}.")
    user = acting_user()
    run = workspace.run(run_id, user)
    labels, corrected = workspace.labels(dataset, user)
    return workspace, run, labels, corrected, split_mask(run.scores, split or "test")
