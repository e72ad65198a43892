"""Training tab: Train checks the settings and starts a background run (``live`` draws it as it goes); Stop ends
it after the current batch; how the run ended is said in words."""

from __future__ import annotations

import uuid
from pathlib import Path

import dash_bootstrap_components as dbc
import flask
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from models.nn import form
from models.nn import spec as nnspec
from webapp import nn_jobs
from webapp.components.job_watch import job_watch_layout, register_job_watch, running_outputs
from webapp.roles import acting_user, note, writes
from webapp.views.nn_builder.architecture import LAYER_STATES
from webapp.views.nn_builder.common import BLANK, alert
from webapp.views.nn_builder.ids import (
    BATCH,
    CURVES,
    DATA,
    DATASET,
    EPOCH,
    EPOCHS,
    ERRORS,
    HISTOGRAMS,
    LIVE,
    LOSS,
    MESSAGE,
    OPT_PARAM,
    OPTIMIZER,
    PROGRESS,
    REQUEST,
    RESULT,
    SCALE,
    STATUS,
    STOP,
    TABS,
    TRAIN,
    TRAIN_WATCH,
    VALIDATION,
    WARNINGS,
)


def tab(viewer: bool = False):
    """The tab's content: buttons, progress, message, the curves and the histograms with their epoch slider.
    A viewer gets a note instead of the buttons (the server refuses them a training anyway)."""
    slider = dcc.Slider(
        id=EPOCH, min=1, max=1, step=1, value=1, marks=None, tooltip={"placement": "bottom", "always_visible": False}
    )
    histograms = dbc.Col(
        [
            html.Div(slider, className="mt-2"),
            html.Div(id=WARNINGS, className="small"),
            dcc.Graph(id=HISTOGRAMS, figure=BLANK, config={"displayModeBar": False}),
        ],
        lg=7,
    )
    return html.Div(
        [
            html.Div(
                [
                    dbc.Button("Train", id=TRAIN, color="primary", className="me-2"),
                    dbc.Button("Stop", id=STOP, color="secondary", outline=True, disabled=True),
                ],
                hidden=viewer,
            ),
            html.P("Training needs the editor role.", className="small text-body-secondary", hidden=not viewer),
            dbc.Progress(
                id=PROGRESS, value=0, label="", className="mt-2 nn-builder-progress", style={"height": "1.2rem"}
            ),
            html.Div(id=MESSAGE, className="mt-2", role="status"),
            job_watch_layout(TRAIN_WATCH, "training"),
            dbc.Row(
                [dbc.Col(dcc.Graph(id=CURVES, figure=BLANK, style={"height": "460px"}), lg=5), histograms],
                className="g-3 mt-1",
            ),
        ],
        className="pt-3",
    )


def _stop_flag(request_id: str) -> Path:
    """A file whose existence asks the run of ``request_id`` to stop (any worker process can see it)."""
    return Path(flask.current_app.config["DATA_DIR"]) / "nn" / "stop" / f"{Path(request_id).name}"


@callback(
    output={
        "request": Output(REQUEST, "data"),
        "message": Output(MESSAGE, "children"),
        "tab": Output(TABS, "active_tab"),
    },
    inputs={
        "clicks": Input(TRAIN, "n_clicks"),
        "info": State(DATA, "data"),
        "choice": State(DATASET, "value"),
        "epochs": State(EPOCHS, "value"),
        "batch_size": State(BATCH, "value"),
        "loss": State(LOSS, "value"),
        "optimizer": State(OPTIMIZER, "value"),
        "scale": State(SCALE, "value"),
        "validation": State(VALIDATION, "value"),
        "param_ids": State({"type": OPT_PARAM, "name": ALL}, "id"),
        "param_values": State({"type": OPT_PARAM, "name": ALL}, "value"),
        "layers": LAYER_STATES,
    },
    prevent_initial_call=True,
)
@writes()
def request_training(
    clicks, info, choice, epochs, batch_size, loss, optimizer, scale, validation, param_ids, param_values, layers
):
    """Check every setting before anything trains; only a valid spec becomes a training request.

    ``layers`` is the layer table's four columns (units, activations, batch norms, dropouts).
    """
    if not info or not form.same_dataset(info["id"], form.chosen_id(choice, None, None)):
        return {"request": no_update, "message": alert("Choose a dataset that loads first."), "tab": "training"}
    values = {pid["name"]: value for pid, value in zip(param_ids, param_values, strict=False)}
    spec = form.spec_from_form(
        epochs, batch_size, loss, optimizer, scale, values, form.layers_from_columns(*layers), validation
    )
    messages = nnspec.validate(spec, info["rows"], info["task"])
    if messages:
        text = [html.Div("Not trained — fix these settings first:")] + [html.Div(m) for m in messages]
        return {"request": no_update, "message": alert(text, id=ERRORS), "tab": "training"}
    return {
        "request": {"id": uuid.uuid4().hex, "dataset": info["id"], "task": info["task"], "spec": spec},
        "message": alert(f"Training {int(spec['epochs'])} epoch(s) on {info['name']} …", "info"),
        "tab": "training",
    }


def _live(request: dict, attempt: str, epochs: list[dict], total: int, layers: list | None = None) -> dict:
    return {"run": attempt, "task": request.get("task"), "epochs": epochs, "total": total, "layers": layers}


@callback(
    output={"result": Output(RESULT, "data"), "done": Output(TRAIN_WATCH.done, "data")},
    inputs=[Input(REQUEST, "data"), Input(TRAIN_WATCH.retry, "n_clicks")],
    background=True,
    # The epoch slider replays a finished run; while one trains, the histograms follow it live instead.
    running=[
        (Output(TRAIN, "disabled"), True, False),
        (Output(STOP, "disabled"), False, True),
        (Output(EPOCH, "disabled"), True, False),
        *running_outputs(TRAIN_WATCH),
    ],
    progress=[Output(LIVE, "data"), Output(PROGRESS, "value"), Output(PROGRESS, "label")],
    # The page asks for progress this often (Dash's default is 1 s): a warm trainer's first epoch is in within
    # about a second, so the poll would otherwise be most of the wait for the first point.
    interval=250,
    prevent_initial_call=True,
)
@writes()
def train(set_progress, request, retries):
    """Train on a background worker; after every epoch the epochs so far go to the page, which appends them.

    The watch's Retry (shown when the job's process died without answering) trains the same request again.
    Every answer carries ``done``, so the page can tell it from a job whose process ended without one.
    """
    if not isinstance(request, dict) or not request.get("id"):
        return {"result": no_update, "done": True}
    retried = ctx.triggered_id == TRAIN_WATCH.retry
    if retried:  # a Stop asked of the dead job must not end the new one at once
        _stop_flag(request["id"]).unlink(missing_ok=True)
    # Each attempt is a new run for the live curves, which otherwise append to what the dead attempt drew.
    attempt = f"{request['id']}-{int(retries or 0)}" if retried else request["id"]
    return {"result": _train(set_progress, request, attempt), "done": True}


def _train(set_progress, request: dict, attempt: str) -> dict:
    total = int(request["spec"]["epochs"])
    done: list[dict] = []
    set_progress((_live(request, attempt, [], total), 0, f"epoch 0 of {total}"))

    def progress(epoch, epochs, record):
        done.append({k: v for k, v in record.items() if k != "layers"})
        set_progress(
            (
                _live(request, attempt, list(done), epochs, record["layers"]),
                round(100 * epoch / epochs),
                f"epoch {epoch} of {epochs}",
            )
        )

    flag = _stop_flag(request["id"])
    config = flask.current_app.config
    user = acting_user()
    try:
        result = nn_jobs.train(
            config["DATABASE_URL"],
            str(config["DATA_DIR"]),
            config.get("DATA_MIRROR"),
            request["dataset"],
            request["spec"],
            str(flag),
            progress,
            warm=bool(config.get("NN_WARM_TRAINER", True)),
            user={"name": user.name, "role": user.role},
        )
    finally:
        flag.unlink(missing_ok=True)
    if result.get("run_id"):
        note("nn.train", f"run:{result['run_id']}", dataset=request["dataset"], status=result.get("status"))
    return {"run": attempt, "total": total, "epochs": done, **result}


@callback(
    Output(MESSAGE, "children", allow_duplicate=True),
    Input(STOP, "n_clicks"),
    State(REQUEST, "data"),
    prevent_initial_call=True,
)
@writes()
def stop(_clicks, request):
    """Ask the running training to end after its current batch; the partial run is kept."""
    if not request:
        return no_update
    flag = _stop_flag(request["id"])
    flag.parent.mkdir(parents=True, exist_ok=True)
    flag.touch()
    return alert("Stopping after the current batch …", "warning")


@callback(
    output={
        "message": Output(MESSAGE, "children", allow_duplicate=True),
        "progress": Output(PROGRESS, "value", allow_duplicate=True),
        "label": Output(PROGRESS, "label", allow_duplicate=True),
        "epochs": Output(EPOCH, "max"),
        "epoch": Output(EPOCH, "value"),
    },
    inputs=[Input(RESULT, "data")],
    prevent_initial_call=True,
)
def finish(result):
    """How the run ended, in words: finished, stopped, diverged (NaN loss) or failed."""
    if "error" in result:
        return {"message": alert(result["error"]), **dict.fromkeys(("progress", "label", "epochs", "epoch"), no_update)}
    n, total = len(result["epochs"]), result["total"]
    final = result["final"]
    metric = final.get("val_metric")
    loss = final.get("val_loss")
    summary = f"Run #{result['run_id']}: {n} epoch(s), validation loss {_number(loss, '.4g')}" + (
        f", validation {final['metric']} {_number(metric, '.4f')}." if "metric" in final else "."
    )
    colour = {"finished": "success", "stopped": "warning"}.get(result["status"], "danger")
    text = [html.Div(summary)] + ([html.Div(result["reason"])] if result.get("reason") else [])
    return {
        "message": alert(text, colour, id=STATUS),
        "progress": round(100 * n / total) if total else 0,
        "label": f"epoch {n} of {total}",
        "epochs": max(n, 1),
        "epoch": max(n, 1),
    }


def _number(value, spec: str) -> str:
    """A metric in words: a diverged run's NaN or infinite loss says so instead of passing for a number."""
    if value is None or value != value:
        return "NaN (diverged)"
    if value in (float("inf"), float("-inf")):
        return "infinite (diverged)"
    return format(value, spec)


# Stop ends a run with an answer (the trainer sees the flag), so the watch needs no cancel control.
register_job_watch(TRAIN_WATCH, cancel=None, progress=PROGRESS, message=MESSAGE)
