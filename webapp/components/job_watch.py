"""Notice a background job whose process died, say so on the page and offer a Retry.

Dash (4.4) ends a background callback whose job process is gone with no update at all: the page stops
waiting (the ``running`` outputs go back to their "off" values) but nothing tells the user that the job failed,
and the progress bar keeps its last label. The watch tells a finished job from a dead one in the browser,
so it works the same whichever manager runs the job (diskcache or Celery):

- a ``running`` output sets ``state`` to ``"running"`` when the job starts and to ``"ended"`` when Dash stops
  waiting for it, whatever the reason;
- when it starts, the browser clears ``done`` and notes the Stop button's clicks; the callback's own result
  sets ``done`` (every return path of the job does);
- shortly after it ends (Dash applies a result just after the "off" values, so the check waits ``CHECK_MS``)
  the browser looks: no result and no Stop click means the job's process ended without answering, and the
  ``dead`` alert with its Retry button shows. The callback takes the Retry button as a second trigger.

The browser side is ``window.dash_clientside.jobs`` in ``assets/jobs.js``.
"""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, clientside_callback, dcc, html

CHECK_MS = 1500  # how long after Dash stops waiting the page looks for the job's result


@dataclass(frozen=True)
class JobWatchIds:
    """The component ids of one job's watch, all starting with the page's prefix."""

    state: str
    done: str
    watch: str
    check: str
    dead: str
    retry: str


def job_watch_ids(prefix: str) -> JobWatchIds:
    """The ids of the watch of the job named ``prefix`` (e.g. ``"sentiment-retrain-"``)."""
    return JobWatchIds(*(prefix + name for name in ("state", "done", "watch", "check", "dead", "retry")))


def job_watch_layout(ids: JobWatchIds, what: str) -> html.Div:
    """The hidden stores and the (hidden until needed) "stopped unexpectedly" alert with its Retry button."""
    return html.Div(
        [
            dcc.Store(id=ids.state),
            dcc.Store(id=ids.done),
            dcc.Store(id=ids.watch),
            dcc.Interval(id=ids.check, interval=CHECK_MS, disabled=True),
            html.Div(
                dbc.Alert(
                    [
                        html.Span(f"The {what} stopped unexpectedly (its process ended). "),
                        dbc.Button("Retry", id=ids.retry, color="danger", size="sm", className="ms-2"),
                    ],
                    color="danger",
                    className="d-flex align-items-center py-2 mb-0",
                ),
                id=ids.dead,
                role="alert",
                hidden=True,
                className="mt-2",
            ),
        ]
    )


def running_outputs(ids: JobWatchIds) -> list[tuple]:
    """The ``running`` entries to add to the background callback: the job's state and the Retry button."""
    return [(Output(ids.state, "data"), "running", "ended"), (Output(ids.retry, "disabled"), True, False)]


def register_job_watch(
    ids: JobWatchIds, cancel: tuple[str, str] | None, progress: str | None, message: str | None = None
) -> None:
    """Register the browser-side watch of one job.

    Args:
        ids: The watch's ids (its layout must be on the page).
        cancel: ``(id, prop)`` of the user's Stop control, whose clicks end a job on purpose; None if none.
        progress: The id of a dbc.Progress whose value and label are cleared when the job died; None if none.
        message: The id of an element whose children (a "training …" line the job's start wrote) are cleared
            when the job died; None if none.
    """
    cancel_state = [State(*cancel)] if cancel else []
    clientside_callback(
        ClientsideFunction("jobs", "watch"),
        Output(ids.watch, "data"),
        Output(ids.done, "data", allow_duplicate=True),
        Output(ids.check, "disabled"),
        Output(ids.dead, "hidden"),
        Input(ids.state, "data"),
        *cancel_state,
        prevent_initial_call=True,
    )
    outputs = [Output(ids.dead, "hidden", allow_duplicate=True), Output(ids.check, "disabled", allow_duplicate=True)]
    if progress:
        outputs += [
            Output(progress, "value", allow_duplicate=True),
            Output(progress, "label", allow_duplicate=True),
        ]
    if message:
        outputs.append(Output(message, "children", allow_duplicate=True))
    clientside_callback(
        ClientsideFunction("jobs", "check"),
        *outputs,
        Input(ids.check, "n_intervals"),
        State(ids.watch, "data"),
        State(ids.done, "data"),
        *cancel_state,
        prevent_initial_call=True,
    )
