"""Network Parameters tab: the dataset (built in or uploaded), epochs, batch size, loss and the optimizer's inputs."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import sqlalchemy as sa
from dash import Input, Output, State, callback, html, no_update

from models.nn import form
from models.nn import spec as nnspec
from models.nn.data import DataError
from models.nn.workspace import BLACK_SCHOLES_ROWS, BUILTIN
from webapp import services
from webapp.components.uploads import upload_zone
from webapp.roles import acting_user
from webapp.views.nn_builder.common import alert
from webapp.views.nn_builder.ids import (
    BATCH,
    BS_FORM,
    DATA,
    DATA_ERROR,
    DATA_INFO,
    DATA_MESSAGE,
    DATASET,
    EPOCHS,
    INPUTS_CELL,
    LOSS,
    OPT_PARAM,
    OPT_PARAMS,
    OPTIMIZER,
    OUTPUTS_CELL,
    REJECTED,
    ROWS,
    SCALE,
    SEED,
    SHARE_NOTE,
    SHARE_UPLOAD,
    TARGET,
    TASK,
    UPLOAD,
    UPLOAD_FORM,
    USE,
    VALIDATION,
)


# ---------------------------------------------------------------------------------------------- layout
def menu(chosen: str | None = None) -> list[dict]:
    """The dataset menu's options for the acting user: the built-in sets, then the uploads they may see with owner
    and visibility (``chosen`` keeps its target); only the built-in sets while the database is down."""
    try:
        found = services.nn().datasets(acting_user(), chosen)
    except sa.exc.DatabaseError:
        found = BUILTIN
    return [{"label": text, "value": key} for key, text in found.items()]


def _param_input(param: dict):
    """One optimizer parameter as an input of its type; ``None`` defaults show as an empty box."""
    pid = {"type": OPT_PARAM, "name": param["name"]}
    if param["type"] == "bool":
        control = dbc.Checkbox(id=pid, value=bool(param["default"]), label=param["name"])
        return dbc.Col(control, md=4, className="d-flex align-items-end")
    if param["type"] == "str":
        control = dbc.Input(id=pid, type="text", value=param["default"] or "", placeholder="default", size="sm")
    else:
        control = dbc.Input(
            id=pid,
            type="number",
            value=param["default"],
            step="any" if param["type"] == "float" else 1,
            placeholder="none" if param["optional"] else "",
            size="sm",
        )
    # The input inside its <label>: a pattern-matching id has no plain DOM id for ``html_for`` to name.
    return dbc.Col(dbc.Label([param["name"], control], className="small mb-0 d-block"), md=4)


def optimizer_inputs(name: str) -> list:
    """Inputs for an optimizer's parameters, the advanced ones in a collapsed group."""
    params = nnspec.optimizer_params(name)
    front = [_param_input(p) for p in params if not p["advanced"]]
    advanced = [_param_input(p) for p in params if p["advanced"]]
    return [
        dbc.Row(front, className="g-2"),
        html.Details(
            [
                html.Summary("Advanced (clipping, EMA, loss scaling ...)", className="small mt-2"),
                dbc.Row(advanced, className="g-2"),
            ]
        ),
    ]


def _labelled(label: str, control, for_id: str | None = None, **col):
    return dbc.Col([dbc.Label(label, html_for=for_id, className="small mb-0"), control], **col)


def _data_column(spec: dict, viewer: bool = False):
    generated = dbc.Row(
        [
            _labelled(
                "Rows",
                dbc.Input(id=ROWS, type="number", value=BLACK_SCHOLES_ROWS, step=1, size="sm", debounce=True),
                ROWS,
                width=6,
            ),
            _labelled(
                "Data seed", dbc.Input(id=SEED, type="number", value=0, step=1, size="sm", debounce=True), SEED, width=6
            ),
        ],
        className="g-2 mt-1",
    )
    task = dbc.RadioItems(
        id=TASK,
        options=[{"label": t, "value": t} for t in ("regression", "classification")],
        value="regression",
        className="small",
    )
    upload_form = html.Div(
        id=UPLOAD_FORM,
        hidden=True,
        children=[
            dbc.Row(
                [
                    _labelled(
                        "Column to predict",
                        dbc.Select(id=TARGET, options=[], size="sm", placeholder="Choose a column"),
                        TARGET,
                        md=6,
                    ),
                    _labelled("Task", task, md=6),
                ],
                className="g-2 mt-1",
            ),
            dbc.Button("Use this data", id=USE, size="sm", className="mt-1"),
        ],
    )
    return dbc.Col(
        [
            dbc.Label("Dataset", html_for=DATASET),
            dbc.Select(
                id=DATASET,
                options=menu(),
                value=form.DEFAULT_DATASET,
                placeholder="Choose a dataset",
            ),
            html.Div(id=BS_FORM, children=generated),
            html.Div(id=DATA_INFO, className="small text-body-secondary mt-1"),
            html.Div(
                [
                    html.Span(id=SHARE_NOTE, className="small text-body-secondary"),
                    dbc.Button("Share with the team", id=SHARE_UPLOAD, size="sm", outline=True, color="secondary"),
                ],
                className="mt-1 d-flex flex-wrap align-items-center gap-2",
                hidden=viewer,
            ),
            dbc.Checkbox(id=SCALE, value=spec["scale"], label="standardise the features", className="mt-2"),
            dbc.Label("Validation share", html_for=VALIDATION, className="small mb-0 mt-2"),
            dbc.Input(id=VALIDATION, type="number", value=spec["validation"], step=0.05, size="sm"),
            html.Div([upload_zone(UPLOAD, REJECTED, "Drop a CSV file here", "mt-3"), upload_form], hidden=viewer),
            html.Div(id=DATA_MESSAGE, className="mt-2", role="status"),
        ],
        lg=4,
    )


def tab(spec: dict, choices: dict, viewer: bool = False):
    """The tab's content for a starting spec and the installed Keras's choices (a viewer gets no upload)."""
    settings = dbc.Col(
        [
            dbc.Row(
                [
                    _labelled(
                        "Epochs",
                        dbc.Input(id=EPOCHS, type="number", value=spec["epochs"], min=1, step=1, size="sm"),
                        EPOCHS,
                        md=3,
                    ),
                    _labelled(
                        "Batch size",
                        dbc.Input(id=BATCH, type="number", value=spec["batch_size"], min=1, step=1, size="sm"),
                        BATCH,
                        md=3,
                    ),
                    _labelled(
                        "Loss",
                        dbc.Select(
                            id=LOSS,
                            options=choices["losses"],
                            value=spec["loss"],
                            size="sm",
                            placeholder="Choose a loss",
                        ),
                        LOSS,
                        md=6,
                    ),
                ],
                className="g-2",
            ),
            dbc.Label("Optimizer", html_for=OPTIMIZER, className="small mb-0 mt-2"),
            dbc.Select(
                id=OPTIMIZER,
                options=choices["optimizers"],
                value=spec["optimizer"],
                size="sm",
                placeholder="Choose one",
            ),
            html.Div(optimizer_inputs(spec["optimizer"]), id=OPT_PARAMS, className="mt-2"),
        ],
        lg=8,
    )
    return dbc.Row([_data_column(spec, viewer), settings], className="g-3 pt-3")


# ---------------------------------------------------------------------------------------------- callbacks
@callback(
    output={
        "data": Output(DATA, "data"),
        "info": Output(DATA_INFO, "children"),
        "losses": Output(LOSS, "options"),
        "loss": Output(LOSS, "value"),
        "inputs": Output(INPUTS_CELL, "children"),
        "outputs": Output(OUTPUTS_CELL, "children"),
        "hide_form": Output(BS_FORM, "hidden"),
        "message": Output(DATA_MESSAGE, "children"),
    },
    inputs=[Input(DATASET, "value"), Input(ROWS, "value"), Input(SEED, "value")],
    state=[State(LOSS, "value"), State(DATA, "data")],
)
def choose_dataset(choice, rows, seed, loss, current):
    """The dataset fixes the task: inputs, outputs and the losses that fit. One that does not load leaves the
    previous one selected and says why."""
    data_id = form.chosen_id(choice, rows, seed)
    hide_form = (choice or form.DEFAULT_DATASET) != "black-scholes"
    unchanged = dict.fromkeys(("data", "info", "losses", "loss", "inputs", "outputs"), no_update)
    try:
        info = form.dataset_info(services.nn().dataset(data_id, user=acting_user()), data_id)
    except DataError as exc:
        if current and form.same_dataset(current["id"], data_id):  # only its rows or seed failed: keep it
            return {**unchanged, "hide_form": hide_form, "message": alert(f"{exc} {current['name']} stays selected.")}
        # Another dataset was picked and did not load: nothing stays selected, so nothing can train on the old one.
        cleared = {**unchanged, "data": None, "info": "No dataset loaded.", "inputs": "", "outputs": ""}
        return {**cleared, "hide_form": hide_form, "message": alert(f"{exc} No dataset is selected.", id=DATA_ERROR)}
    losses = nnspec.choices(info["task"])["losses"]
    if loss not in losses or not current or current.get("task") != info["task"]:  # a new task starts at its own loss
        loss = nnspec.DEFAULT_LOSS[info["task"]]
    features = info["features"]
    # An upload's success is said here: "Use this data" only picks it, and this is where it loads.
    message = (
        alert(f"Using {info['name']} → {info['target']} ({info['task']}), {len(features)} features.", "success")
        if data_id.startswith("upload-")
        else None
    )
    return {
        "data": info,
        "info": f"{info['rows']:,} rows, {len(features)} features → {info['target']} ({info['task']})",
        "losses": losses,
        "loss": loss,
        "inputs": f"{len(features)}: {', '.join(features[:8])}" + (" …" if len(features) > 8 else ""),
        "outputs": (
            "1 linear (regression)" if info["task"] == "regression" else f"{len(info['classes'])} softmax (classes)"
        ),
        "hide_form": hide_form,
        "message": message,
    }


@callback(Output(OPT_PARAMS, "children"), Input(OPTIMIZER, "value"), prevent_initial_call=True)
def show_optimizer_params(name):
    """The chosen optimizer's own parameters, asked of its constructor."""
    try:
        return optimizer_inputs(name)
    except KeyError as exc:
        return alert(str(exc))
