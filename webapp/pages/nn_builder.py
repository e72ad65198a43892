"""NN Builder: design a Keras network, train it live and look inside it."""

from __future__ import annotations

import uuid
from pathlib import Path

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import flask
from dash import ALL, Input, Output, Patch, State, callback, clientside_callback, ctx, dcc, html, no_update

from models.nn import spec as nnspec
from models.nn.data import DataError
from models.nn.workspace import BLACK_SCHOLES_ROWS, BUILTIN, Workspace, dataset_id
from webapp import ids, services
from webapp.components import nn_figures as figs
from webapp.components.confusion import confusion_figure
from webapp.components.theme import follow_theme, themed
from webapp.components.uploads import decode_upload, rejected_message, upload_zone
from webapp.nn_jobs import train_in_fresh_process

dash.register_page(__name__, path="/nn-builder", name="NN Builder", order=3, title="NN Builder · Glassbox")

P = "nn-builder-"
TABS, DATASET, DATA_INFO, EPOCHS, BATCH, LOSS, OPTIMIZER, OPT_PARAMS, SCALE = (
    P + n
    for n in ("tabs", "dataset", "data-info", "epochs", "batch-size", "loss", "optimizer", "optimizer-params", "scale")
)
ADD, REMOVE, LAYER_ROWS, INPUTS_CELL, OUTPUTS_CELL, NETWORK = (
    P + n for n in ("add-layer", "remove-layer", "layer-rows", "inputs", "outputs", "network")
)
TRAIN, STOP, MESSAGE, PROGRESS, CURVES, EPOCH, HISTOGRAMS, WARNINGS = (
    P + n for n in ("train", "stop", "message", "progress", "curves", "epoch", "histograms", "warnings")
)
DIAG_A, DIAG_B, DIAG_NOTE, RUNS_GRID, OVERLAY, DL_MODEL, DL_SPEC, DL_CODE, DOWNLOAD, CODE, RUNS_MESSAGE = (
    P + n
    for n in (
        "diagnostics-a",
        "diagnostics-b",
        "diagnostics-note",
        "runs",
        "overlay",
        "download-model",
        "download-spec",
        "export-code",
        "download",
        "code",
        "runs-message",
    )
)
DATA, REQUEST, LIVE, DRAWN, RESULT = (P + n for n in ("data", "request", "live", "drawn", "result"))
BS_FORM, ROWS, SEED, VALIDATION, DATA_MESSAGE = (
    P + n for n in ("black-scholes-form", "rows", "seed", "validation", "data-message")
)
UPLOAD, UPLOAD_FORM, TARGET, TASK, USE, UPLOADED, REJECTED = (
    P + n for n in ("upload", "upload-form", "target", "task", "use-upload", "uploaded", "rejected")
)
# Pattern-matching ids: one per optimizer parameter ({"name": ...}) and per layer cell ({"index": ...}).
OPT_PARAM, UNITS, ACTIVATION, BATCH_NORM, DROPOUT = (
    P + n for n in ("optimizer-param", "units", "activation", "batch-norm", "dropout")
)
GRAPHS = (NETWORK, CURVES, HISTOGRAMS, DIAG_A, DIAG_B, OVERLAY)
# Graphs start with an (invisible) figure so the theme follower has something to patch.
BLANK = {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}}}
DEFAULT_DATASET = "black-scholes"
# A CSV's column with one of these names is offered as the target first (else the last column).
TARGET_NAMES = ("target", "label", "y", "class", "price")

RUN_COLUMNS = [
    {"field": "id", "headerName": "run", "maxWidth": 90, "checkboxSelection": False},
    {"field": "created_at", "headerName": "when", "minWidth": 150},
    {"field": "dataset", "minWidth": 200},
    {"field": "status", "maxWidth": 110},
    {"field": "network", "minWidth": 200, "flex": 2},
    {"field": "epochs", "maxWidth": 100},
    {
        "field": "val_loss",
        "headerName": "val loss",
        "maxWidth": 120,
        "valueFormatter": {"function": "d3.format('.4g')(params.value)"},
    },
    {"field": "metric", "maxWidth": 100},
    {
        "field": "val_metric",
        "headerName": "val metric",
        "maxWidth": 120,
        "valueFormatter": {"function": "d3.format('.4f')(params.value)"},
    },
    {"field": "seconds", "maxWidth": 100, "valueFormatter": {"function": "d3.format('.1f')(params.value)"}},
]


def _workspace() -> Workspace:
    return services.nn()


def _stop_flag(request_id: str) -> Path:
    """A file whose existence asks the run of ``request_id`` to stop (any worker process can see it)."""
    return Path(flask.current_app.config["DATA_DIR"]) / "nn" / "stop" / f"{Path(request_id).name}"


def _alert(message, color: str = "danger", **kwargs):
    return dbc.Alert(message, color=color, className="py-2 small mb-0", **kwargs)


# ---------------------------------------------------------------------------------------------- layout
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
    return dbc.Col([dbc.Label(param["name"], className="small mb-0"), control], md=4)


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


def _layer_row(index: int, layer: dict, activations: list[str]):
    return html.Tr(
        [
            html.Td(f"dense_{index + 1}", className="small align-middle"),
            html.Td(
                dbc.Input(id={"type": UNITS, "index": index}, type="number", value=layer["units"], step=1, size="sm")
            ),
            html.Td(
                dbc.Select(
                    id={"type": ACTIVATION, "index": index}, options=activations, value=layer["activation"], size="sm"
                )
            ),
            html.Td(
                dbc.Checkbox(id={"type": BATCH_NORM, "index": index}, value=bool(layer["batch_norm"])),
                className="align-middle",
            ),
            html.Td(
                dbc.Input(
                    id={"type": DROPOUT, "index": index}, type="number", value=layer["dropout"], step=0.05, size="sm"
                )
            ),
        ]
    )


def layer_rows(layers: list[dict]) -> list:
    activations = nnspec.choices()["activations"]
    return [_layer_row(k, layer, activations) for k, layer in enumerate(layers)]


def layout(**_query):
    spec = nnspec.default_spec("regression")
    choices = nnspec.choices()
    params_tab = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Dataset", html_for=DATASET),
                    dbc.Select(
                        id=DATASET,
                        options=[{"label": text, "value": key} for key, text in BUILTIN.items()],
                        value=DEFAULT_DATASET,
                    ),
                    html.Div(
                        id=BS_FORM,
                        children=dbc.Row(
                            [
                                dbc.Col(
                                    [
                                        dbc.Label("Rows", html_for=ROWS, className="small mb-0"),
                                        dbc.Input(
                                            id=ROWS,
                                            type="number",
                                            value=BLACK_SCHOLES_ROWS,
                                            step=1,
                                            size="sm",
                                            debounce=True,
                                        ),
                                    ],
                                    width=6,
                                ),
                                dbc.Col(
                                    [
                                        dbc.Label("Data seed", html_for=SEED, className="small mb-0"),
                                        dbc.Input(id=SEED, type="number", value=0, step=1, size="sm", debounce=True),
                                    ],
                                    width=6,
                                ),
                            ],
                            className="g-2 mt-1",
                        ),
                    ),
                    html.Div(id=DATA_INFO, className="small text-body-secondary mt-1"),
                    dbc.Checkbox(id=SCALE, value=spec["scale"], label="standardise the features", className="mt-2"),
                    dbc.Label("Validation share", html_for=VALIDATION, className="small mb-0 mt-2"),
                    dbc.Input(id=VALIDATION, type="number", value=spec["validation"], step=0.05, size="sm"),
                    upload_zone(UPLOAD, REJECTED, "Drop a CSV file here", "mt-3"),
                    html.Div(
                        id=UPLOAD_FORM,
                        hidden=True,
                        children=[
                            dbc.Row(
                                [
                                    dbc.Col(
                                        [
                                            dbc.Label("Column to predict", html_for=TARGET, className="small mb-0"),
                                            dbc.Select(id=TARGET, options=[], size="sm"),
                                        ],
                                        md=6,
                                    ),
                                    dbc.Col(
                                        [
                                            dbc.Label("Task", className="small mb-0"),
                                            dbc.RadioItems(
                                                id=TASK,
                                                options=[
                                                    {"label": t, "value": t} for t in ("regression", "classification")
                                                ],
                                                value="regression",
                                                className="small",
                                            ),
                                        ],
                                        md=6,
                                    ),
                                ],
                                className="g-2 mt-1",
                            ),
                            dbc.Button("Use this data", id=USE, size="sm", className="mt-1"),
                        ],
                    ),
                    html.Div(id=DATA_MESSAGE, className="mt-2", role="status"),
                ],
                lg=4,
            ),
            dbc.Col(
                [
                    dbc.Row(
                        [
                            dbc.Col(
                                [
                                    dbc.Label("Epochs", html_for=EPOCHS, className="small mb-0"),
                                    dbc.Input(id=EPOCHS, type="number", value=spec["epochs"], min=1, step=1, size="sm"),
                                ],
                                md=3,
                            ),
                            dbc.Col(
                                [
                                    dbc.Label("Batch size", html_for=BATCH, className="small mb-0"),
                                    dbc.Input(
                                        id=BATCH, type="number", value=spec["batch_size"], min=1, step=1, size="sm"
                                    ),
                                ],
                                md=3,
                            ),
                            dbc.Col(
                                [
                                    dbc.Label("Loss", html_for=LOSS, className="small mb-0"),
                                    dbc.Select(id=LOSS, options=choices["losses"], value=spec["loss"], size="sm"),
                                ],
                                md=6,
                            ),
                        ],
                        className="g-2",
                    ),
                    dbc.Label("Optimizer", html_for=OPTIMIZER, className="small mb-0 mt-2"),
                    dbc.Select(id=OPTIMIZER, options=choices["optimizers"], value=spec["optimizer"], size="sm"),
                    html.Div(optimizer_inputs(spec["optimizer"]), id=OPT_PARAMS, className="mt-2"),
                ],
                lg=8,
            ),
        ],
        className="g-3 pt-3",
    )
    head = html.Thead(html.Tr([html.Th(h) for h in ("layer", "units", "activation", "batch norm", "dropout")]))
    architecture_tab = dbc.Row(
        [
            dbc.Col(
                [
                    html.Div(
                        [
                            dbc.Button("+ layer", id=ADD, size="sm", className="me-2"),
                            dbc.Button("− layer", id=REMOVE, size="sm", outline=True),
                        ],
                        className="mb-2",
                    ),
                    dbc.Table(
                        [
                            head,
                            html.Tbody(
                                html.Tr(
                                    [
                                        html.Td("inputs", className="small"),
                                        html.Td(id=INPUTS_CELL, colSpan=4, className="small"),
                                    ]
                                )
                            ),
                            html.Tbody(layer_rows(spec["layers"]), id=LAYER_ROWS),
                            html.Tbody(
                                html.Tr(
                                    [
                                        html.Td("output", className="small"),
                                        html.Td(id=OUTPUTS_CELL, colSpan=4, className="small"),
                                    ]
                                )
                            ),
                        ],
                        size="sm",
                        className="align-middle",
                    ),
                ],
                lg=6,
            ),
            dbc.Col(
                dcc.Graph(id=NETWORK, figure=BLANK, config={"displayModeBar": False}, style={"height": "380px"}), lg=6
            ),
        ],
        className="g-3 pt-3",
    )
    training_tab = html.Div(
        [
            html.Div(
                [
                    dbc.Button("Train", id=TRAIN, color="primary", className="me-2"),
                    dbc.Button("Stop", id=STOP, color="secondary", outline=True, disabled=True),
                ]
            ),
            dbc.Progress(id=PROGRESS, value=0, label="", className="mt-2", style={"height": "1.2rem"}),
            html.Div(id=MESSAGE, className="mt-2", role="status"),
            dbc.Row(
                [
                    dbc.Col(dcc.Graph(id=CURVES, figure=BLANK, style={"height": "460px"}), lg=5),
                    dbc.Col(
                        [
                            html.Div(
                                dcc.Slider(
                                    id=EPOCH,
                                    min=1,
                                    max=1,
                                    step=1,
                                    value=1,
                                    marks=None,
                                    tooltip={"placement": "bottom", "always_visible": False},
                                ),
                                className="mt-2",
                            ),
                            html.Div(id=WARNINGS, className="small"),
                            dcc.Graph(id=HISTOGRAMS, figure=BLANK, config={"displayModeBar": False}),
                        ],
                        lg=7,
                    ),
                ],
                className="g-3 mt-1",
            ),
        ],
        className="pt-3",
    )
    diagnostics_tab = html.Div(
        [
            html.Div(
                id=DIAG_NOTE, className="small text-body-secondary", children="Train a network to see its diagnostics."
            ),
            dbc.Row(
                [
                    dbc.Col(dcc.Graph(id=DIAG_A, figure=BLANK, style={"height": "420px"}), lg=6),
                    dbc.Col(dcc.Graph(id=DIAG_B, figure=BLANK, style={"height": "420px"}), lg=6),
                ],
                className="g-3",
            ),
        ],
        className="pt-3",
    )
    runs_tab = html.Div(
        [
            dag.AgGrid(
                id=RUNS_GRID,
                columnDefs=RUN_COLUMNS,
                rowData=[],
                defaultColDef={"sortable": True, "filter": True, "resizable": True, "flex": 1},
                dashGridOptions={
                    "rowSelection": {
                        "mode": "multiRow",
                        "checkboxes": True,
                        "headerCheckbox": False,
                        "enableClickSelection": True,
                    },
                    "animateRows": False,
                },
                getRowId="params.data.id",
                style={"height": "260px"},
            ),
            html.Div(
                [
                    dbc.Button("Download model (.keras)", id=DL_MODEL, size="sm", outline=True, className="me-2"),
                    dbc.Button("Download spec (JSON)", id=DL_SPEC, size="sm", outline=True, className="me-2"),
                    dbc.Button("Export Keras code", id=DL_CODE, size="sm", outline=True),
                    html.Span(" for the first checked run (or the newest)", className="small text-body-secondary ms-2"),
                ],
                className="mt-2",
            ),
            html.Div(id=RUNS_MESSAGE, className="mt-2"),
            dcc.Graph(id=OVERLAY, figure=BLANK, style={"height": "360px"}),
            html.Pre(id=CODE, className="small mt-2"),
            dcc.Download(id=DOWNLOAD),
        ],
        className="pt-3",
    )
    return html.Div(
        [
            html.H1("NN Builder", id="nn-builder-title", className="h3"),
            html.P(
                "Design a Keras network, train it live and look inside it: loss curves grow epoch by epoch, and the "
                "weight, bias and activation histograms show saturated or dead layers.",
                className="text-body-secondary",
            ),
            dbc.Tabs(
                [
                    dbc.Tab(params_tab, label="Network Parameters", tab_id="params"),
                    dbc.Tab(architecture_tab, label="Architecture", tab_id="architecture"),
                    dbc.Tab(training_tab, label="Training", tab_id="training"),
                    dbc.Tab(diagnostics_tab, label="Diagnostics", tab_id="diagnostics"),
                    dbc.Tab(runs_tab, label="Runs", tab_id="runs"),
                ],
                id=TABS,
                active_tab="params",
            ),
            dcc.Store(id=DATA),
            dcc.Store(id=REQUEST),
            dcc.Store(id=LIVE),
            dcc.Store(id=DRAWN),
            dcc.Store(id=RESULT),
            dcc.Store(id=UPLOADED),
            dcc.Store(id=REJECTED),
        ]
    )


# ---------------------------------------------------------------------------------------------- parameters
def _data_info(dataset, data_id: str) -> dict:
    return {
        "id": data_id,
        "task": dataset.task,
        "features": list(dataset.features),
        "classes": list(dataset.classes),
        "rows": len(dataset.y),
        "target": dataset.target,
        "name": dataset.name,
    }


def chosen_id(choice: str | None, rows, seed) -> str:
    """The dataset id for the picker's choice: Black-Scholes carries the rows and seed typed in (when set)."""
    choice = choice or DEFAULT_DATASET
    if choice != "black-scholes":
        return choice
    blank = lambda v: v is None or v == ""  # noqa: E731
    return dataset_id(choice, rows=None if blank(rows) else rows, seed=None if blank(seed) else seed)


@callback(
    Output(DATA, "data"),
    Output(DATA_INFO, "children"),
    Output(LOSS, "options"),
    Output(LOSS, "value"),
    Output(INPUTS_CELL, "children"),
    Output(OUTPUTS_CELL, "children"),
    Output(BS_FORM, "hidden"),
    Output(DATA_MESSAGE, "children"),
    Input(DATASET, "value"),
    Input(ROWS, "value"),
    Input(SEED, "value"),
    State(LOSS, "value"),
    State(DATA, "data"),
)
def choose_dataset(choice, rows, seed, loss, current):
    """The dataset fixes the task: inputs, outputs and the losses that fit. One that does not load leaves the
    previous one selected and says why."""
    data_id = chosen_id(choice, rows, seed)
    hide_form = (choice or DEFAULT_DATASET) != "black-scholes"
    try:
        info = _data_info(_workspace().dataset(data_id), data_id)
    except DataError as exc:
        kept = f" {current['name']} stays selected." if current else ""
        return no_update, no_update, no_update, no_update, no_update, no_update, hide_form, _alert(f"{exc}{kept}")
    losses = nnspec.choices(info["task"])["losses"]
    if loss not in losses or not current or current.get("task") != info["task"]:  # a new task starts at its own loss
        loss = nnspec.DEFAULT_LOSS[info["task"]]
    text = f"{info['rows']:,} rows, {len(info['features'])} features → {info['target']} ({info['task']})"
    outputs = "1 linear (regression)" if info["task"] == "regression" else f"{len(info['classes'])} softmax (classes)"
    # An upload's success is said here: "Use this data" only picks it, and this is where it loads.
    message = (
        _alert(
            f"Using {info['name']} → {info['target']} ({info['task']}), {len(info['features'])} features.", "success"
        )
        if data_id.startswith("upload-")
        else None
    )
    return (
        info,
        text,
        losses,
        loss,
        f"{len(info['features'])}: {', '.join(info['features'][:8])}" + (" …" if len(info["features"]) > 8 else ""),
        outputs,
        hide_form,
        message,
    )


def _guess_target(columns: list[str]) -> str:
    lowered = {c.lower(): c for c in columns}
    return next((lowered[n] for n in TARGET_NAMES if n in lowered), columns[-1])


@callback(
    Output(UPLOADED, "data"),
    Output(UPLOAD_FORM, "hidden"),
    Output(TARGET, "options"),
    Output(TARGET, "value"),
    Output(DATA_MESSAGE, "children", allow_duplicate=True),
    Input(UPLOAD, "contents"),
    State(UPLOAD, "filename"),
    prevent_initial_call=True,
)
def read_upload(contents, filename):
    """Keep a readable CSV and offer its columns as the target; the current dataset stays until "Use this data"."""
    try:
        upload = _workspace().describe_upload(decode_upload(contents, DataError), filename or "upload.csv")
    except DataError as exc:
        return None, True, no_update, no_update, _alert(f"{exc} The current data stays selected.")
    columns = upload["columns"]
    text = (
        f"{upload['name']}: {upload['rows']:,} rows, columns {', '.join(columns[:12])}"
        + (" …" if len(columns) > 12 else "")
        + ". Choose the column to predict and the task, then “Use this data”."
    )
    return upload, False, columns, _guess_target(columns), _alert(text, "info")


# The task guessed for the chosen target (text or few whole numbers: classes); the user may change it after.
clientside_callback(
    """function (target, upload) {
        const guess = upload && upload.tasks && upload.tasks[target];
        return guess || window.dash_clientside.no_update;
    }""",
    Output(TASK, "value"),
    Input(TARGET, "value"),
    State(UPLOADED, "data"),
    prevent_initial_call=True,
)


@callback(Output(DATA_MESSAGE, "children", allow_duplicate=True), Input(REJECTED, "data"), prevent_initial_call=True)
def reject_upload(rejected):
    """A file over the upload limit, stopped in the browser before it was sent."""
    return _alert(rejected_message(rejected) + " The current data stays selected.")


@callback(
    Output(DATASET, "options"),
    Output(DATASET, "value"),
    Output(DATA_MESSAGE, "children", allow_duplicate=True),
    Input(USE, "n_clicks"),
    State(UPLOADED, "data"),
    State(TARGET, "value"),
    State(TASK, "value"),
    State(DATASET, "options"),
    prevent_initial_call=True,
)
def use_upload(_clicks, upload, target, task, options):
    """Check the upload with its target and task; only data a network can train on replaces the current dataset."""
    if not upload:
        return no_update, no_update, _alert("Upload a CSV file first.")
    data_id = dataset_id(upload["id"], target=target or None, task=task or None)
    try:
        dataset = _workspace().dataset(data_id)
    except DataError as exc:
        return no_update, no_update, _alert(f"{upload['name']}: {exc} The current data stays selected.")
    label = f"{upload['name']} → {target} ({dataset.task})"
    options = [o for o in options if o["value"] != data_id] + [{"label": label, "value": data_id}]
    return options, data_id, no_update


@callback(Output(OPT_PARAMS, "children"), Input(OPTIMIZER, "value"), prevent_initial_call=True)
def show_optimizer_params(name):
    """The chosen optimizer's own parameters, asked of its constructor."""
    try:
        return optimizer_inputs(name)
    except KeyError as exc:
        return _alert(str(exc))


# ---------------------------------------------------------------------------------------------- architecture
def _layers(units, activations, batch_norms, dropouts) -> list[dict]:
    return [
        {"units": u, "activation": a, "batch_norm": bool(b), "dropout": d}
        for u, a, b, d in zip(units, activations, batch_norms, dropouts)
    ]


LAYER_STATES = [State({"type": t, "index": ALL}, "value") for t in (UNITS, ACTIVATION, BATCH_NORM, DROPOUT)]
LAYER_INPUTS = [Input({"type": t, "index": ALL}, "value") for t in (UNITS, ACTIVATION, BATCH_NORM, DROPOUT)]


@callback(
    Output(LAYER_ROWS, "children"),
    Input(ADD, "n_clicks"),
    Input(REMOVE, "n_clicks"),
    *LAYER_STATES,
    prevent_initial_call=True,
)
def edit_layers(_add, _remove, units, activations, batch_norms, dropouts):
    """+ appends a copy of the last layer (or a default one); − drops the last layer."""
    layers = _layers(units, activations, batch_norms, dropouts)
    if ctx.triggered_id == ADD:
        layers.append(dict(layers[-1]) if layers else dict(nnspec.LAYER_DEFAULTS))
    elif layers:
        layers.pop()
    return layer_rows(layers)


@callback(Output(NETWORK, "figure"), Input(DATA, "data"), *LAYER_INPUTS, State(ids.THEME_STORE, "data"))
def draw_network(info, units, activations, batch_norms, dropouts, theme):
    if not info:
        return no_update
    classification = info["task"] == "classification"
    figure = figs.network_figure(
        len(info["features"]),
        _layers(units, activations, batch_norms, dropouts),
        len(info["classes"]) if classification else 1,
        "softmax" if classification else "linear",
    )
    return themed(figure, theme)


# ---------------------------------------------------------------------------------------------- training
def _optimizer_params(name: str, param_ids: list[dict], values: list) -> dict:
    """Parameters the user changed from the optimizer's defaults (empty boxes mean "none")."""
    defaults = {p["name"]: p["default"] for p in nnspec.optimizer_params(name)}
    out = {}
    for pid, value in zip(param_ids, values):
        key = pid["name"]
        if value == "":
            value = None
        if key in defaults and value != defaults[key]:
            out[key] = value
    return out


def build_spec(epochs, batch_size, loss, optimizer, scale, param_ids, param_values, layers, validation=None) -> dict:
    """A spec from the page's inputs (not validated; an empty validation box stays ``None`` and is refused)."""
    spec = nnspec.default_spec()
    spec.update(
        epochs=epochs,
        batch_size=batch_size,
        loss=loss,
        optimizer=optimizer,
        scale=bool(scale),
        layers=layers,
        validation=None if validation == "" else validation,
    )
    try:
        spec["optimizer_params"] = _optimizer_params(optimizer, param_ids, param_values)
    except KeyError:
        spec["optimizer_params"] = {}
    return spec


@callback(
    Output(REQUEST, "data"),
    Output(MESSAGE, "children"),
    Output(TABS, "active_tab"),
    Input(TRAIN, "n_clicks"),
    State(DATA, "data"),
    State(EPOCHS, "value"),
    State(BATCH, "value"),
    State(LOSS, "value"),
    State(OPTIMIZER, "value"),
    State(SCALE, "value"),
    State(VALIDATION, "value"),
    State({"type": OPT_PARAM, "name": ALL}, "id"),
    State({"type": OPT_PARAM, "name": ALL}, "value"),
    *LAYER_STATES,
    prevent_initial_call=True,
)
def request_training(
    _clicks,
    info,
    epochs,
    batch_size,
    loss,
    optimizer,
    scale,
    validation,
    param_ids,
    param_values,
    units,
    activations,
    batch_norms,
    dropouts,
):
    """Check every setting before anything trains; only a valid spec becomes a training request."""
    if not info:
        return no_update, _alert("Choose a dataset that loads first."), "training"
    spec = build_spec(
        epochs,
        batch_size,
        loss,
        optimizer,
        scale,
        param_ids,
        param_values,
        _layers(units, activations, batch_norms, dropouts),
        validation,
    )
    messages = nnspec.validate(spec, info["rows"], info["task"])
    if messages:
        return (
            no_update,
            _alert(
                [html.Div("Not trained — fix these settings first:")] + [html.Div(m) for m in messages], id=P + "errors"
            ),
            "training",
        )
    return (
        {"id": uuid.uuid4().hex, "dataset": info["id"], "task": info["task"], "spec": spec},
        _alert(f"Training {int(spec['epochs'])} epoch(s) on {info['name']} …", "info"),
        "training",
    )


def _live(request: dict, epochs: list[dict], total: int, layers: list | None = None) -> dict:
    return {"run": request["id"], "task": request.get("task"), "epochs": epochs, "total": total, "layers": layers}


@callback(
    Output(RESULT, "data"),
    Input(REQUEST, "data"),
    background=True,
    running=[(Output(TRAIN, "disabled"), True, False), (Output(STOP, "disabled"), False, True)],
    progress=[Output(LIVE, "data"), Output(PROGRESS, "value"), Output(PROGRESS, "label")],
    prevent_initial_call=True,
)
def train(set_progress, request):
    """Train on a background worker; after every epoch the epochs so far go to the page, which appends them."""
    total = int(request["spec"]["epochs"])
    done: list[dict] = []
    set_progress((_live(request, [], total), 0, f"epoch 0 of {total}"))

    def progress(epoch, epochs, record):
        done.append({k: v for k, v in record.items() if k != "layers"})
        set_progress(
            (
                _live(request, list(done), epochs, record["layers"]),
                round(100 * epoch / epochs),
                f"epoch {epoch} of {epochs}",
            )
        )

    flag = _stop_flag(request["id"])
    config = flask.current_app.config
    try:
        result = train_in_fresh_process(
            config["DATABASE_URL"],
            str(config["DATA_DIR"]),
            config.get("DATA_MIRROR"),
            request["dataset"],
            request["spec"],
            str(flag),
            progress,
        )
    finally:
        flag.unlink(missing_ok=True)
    return {"run": request["id"], "total": total, "epochs": done, **result}


@callback(
    Output(MESSAGE, "children", allow_duplicate=True),
    Input(STOP, "n_clicks"),
    State(REQUEST, "data"),
    prevent_initial_call=True,
)
def stop(_clicks, request):
    """Ask the running training to end after its current batch; the partial run is kept."""
    if not request:
        return no_update
    flag = _stop_flag(request["id"])
    flag.parent.mkdir(parents=True, exist_ok=True)
    flag.touch()
    return _alert("Stopping after the current batch …", "warning")


@callback(
    Output(CURVES, "figure", allow_duplicate=True),
    Output(DRAWN, "data"),
    Input(LIVE, "data"),
    Input(RESULT, "data"),
    State(DRAWN, "data"),
    State(ids.THEME_STORE, "data"),
    prevent_initial_call=True,
)
def extend_curves(live, result, drawn, theme):
    """Append the epochs not drawn yet to the four curves; a new run starts a fresh figure."""
    return curve_update(result if ctx.triggered_id == RESULT else live, drawn, theme)


def curve_update(payload: dict | None, drawn: dict | None, theme: str | None):
    """(figure or Patch, drawn) for a progress or result payload, given what the graph already shows."""
    if not payload:
        return no_update, no_update
    epochs = payload["epochs"]
    if not drawn or drawn["run"] != payload["run"]:
        metric = "R²" if (payload.get("task") or "regression") == "regression" else "accuracy"
        return themed(figs.curves_figure(epochs, metric), theme), {"run": payload["run"], "n": len(epochs)}
    new = epochs[drawn["n"] :]
    if not new:
        return no_update, no_update
    x, ys = figs.curve_points(new)
    patch = Patch()
    for trace, y in enumerate(ys):
        patch["data"][trace]["x"].extend(x)
        patch["data"][trace]["y"].extend(y)
    return patch, {"run": payload["run"], "n": len(epochs)}


@callback(
    Output(MESSAGE, "children", allow_duplicate=True),
    Output(PROGRESS, "value", allow_duplicate=True),
    Output(PROGRESS, "label", allow_duplicate=True),
    Output(EPOCH, "max"),
    Output(EPOCH, "value"),
    Input(RESULT, "data"),
    prevent_initial_call=True,
)
def finish(result):
    """How the run ended, in words: finished, stopped, diverged (NaN loss) or failed."""
    if "error" in result:
        return _alert(result["error"]), no_update, no_update, no_update, no_update
    n, total = len(result["epochs"]), result["total"]
    final = result["final"]
    metric = final.get("val_metric")
    summary = f"Run #{result['run_id']}: {n} epoch(s), validation loss {final.get('val_loss') or float('nan'):.4g}" + (
        f", validation {final['metric']} {metric:.4f}." if metric is not None else "."
    )
    colour = {"finished": "success", "stopped": "warning"}.get(result["status"], "danger")
    text = [html.Div(summary)] + ([html.Div(result["reason"])] if result.get("reason") else [])
    return (
        _alert(text, colour, id=P + "status"),
        round(100 * n / total) if total else 0,
        f"epoch {n} of {total}",
        max(n, 1),
        max(n, 1),
    )


def _warnings(layers: list[dict]) -> list:
    notes = []
    for layer in layers:
        if layer.get("saturation") is not None and layer["saturation"] > 0.25:
            notes.append(
                f"{layer['name']} ({layer['activation']}): {layer['saturation']:.0%} of activations saturated — "
                "gradients vanish there; try relu, batch norm or a smaller learning rate."
            )
        if layer.get("dead") is not None and layer["dead"] > 0.25:
            notes.append(
                f"{layer['name']} ({layer['activation']}): {layer['dead']:.0%} of units dead (0 for every sampled row)."
            )
    if not notes:
        return [html.Span("No saturated or dead layers.", className="text-success")]
    return [dbc.Alert(note, color="warning", className="py-1 mb-1 small") for note in notes]


@callback(
    Output(HISTOGRAMS, "figure"),
    Output(WARNINGS, "children"),
    Input(LIVE, "data"),
    Input(EPOCH, "value"),
    State(RESULT, "data"),
    State(ids.THEME_STORE, "data"),
    prevent_initial_call=True,
)
def render_histograms(live, epoch, result, theme):
    """Live: the latest epoch's distributions; after a run: the epoch the slider picks."""
    if ctx.triggered_id == LIVE:
        if not live or not live.get("layers"):
            return no_update, no_update
        layers, shown = live["layers"], len(live["epochs"])
    else:
        if not result or not result.get("run_id"):
            return no_update, no_update
        records = _workspace().result(result["run_id"], with_model=False).records
        if not records:
            return no_update, no_update
        shown = min(max(int(epoch or 1), 1), len(records))
        layers = records[shown - 1]["layers"]
    return themed(figs.histograms_figure(layers, shown), theme), _warnings(layers)


# ---------------------------------------------------------------------------------------------- diagnostics
@callback(
    Output(DIAG_A, "figure"),
    Output(DIAG_B, "figure"),
    Output(DIAG_NOTE, "children"),
    Input(RESULT, "data"),
    State(ids.THEME_STORE, "data"),
    prevent_initial_call=True,
)
def render_diagnostics(result, theme):
    """Regression: predicted vs actual and residuals; classification: the shared confusion matrix."""
    if not result or not result.get("run_id"):
        return no_update, no_update, no_update
    run = _workspace().result(result["run_id"], with_model=False)
    diagnostics = run.diagnostics
    if not diagnostics:
        return (
            BLANK,
            BLANK,
            _alert("The network produced no finite predictions, so there is nothing to diagnose.", "warning"),
        )
    note = f"Run #{result['run_id']} on {run.data['val_rows']:,} validation rows."
    if run.data["task"] == "regression":
        return (
            themed(figs.predicted_actual_figure(diagnostics["actual"], diagnostics["predicted"]), theme),
            themed(figs.residuals_figure(diagnostics["predicted"], diagnostics["residual"]), theme),
            note,
        )
    accuracy = run.final.get("val_accuracy")
    return (
        themed(confusion_figure(diagnostics["matrix"], diagnostics["labels"]), theme),
        BLANK,
        note + (f" Accuracy {accuracy:.3f}. Click a cell for its count." if accuracy is not None else ""),
    )


@callback(Output(DIAG_NOTE, "children", allow_duplicate=True), Input(DIAG_A, "clickData"), prevent_initial_call=True)
def confusion_cell(click):
    """A confusion cell's count in words (a regression scatter's points carry no cell, so they change nothing)."""
    point = (click or {}).get("points", [{}])[0]
    data = point.get("customdata")
    if isinstance(data, dict):  # Plotly hands typed-array rows over as {"0": .., "1": ..}
        data = [data[k] for k in sorted(data, key=int)]
    if not data or not isinstance(data, (list, tuple)) or len(data) < 3:
        return no_update
    return html.Span(
        f"{int(data[2]):,} validation rows of class {point['y']} were predicted as {point['x']}.", id=P + "cell-count"
    )


# ---------------------------------------------------------------------------------------------- runs
@callback(Output(RUNS_GRID, "rowData"), Input(RESULT, "data"), Input(TABS, "active_tab"))
def list_runs(_result, tab):
    """Past runs from the database, newest first."""
    if ctx.triggered_id == TABS and tab != "runs":
        return no_update
    frame = _workspace().runs.list()
    frame["created_at"] = frame["created_at"].astype(str).str.slice(0, 19)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


@callback(Output(OVERLAY, "figure"), Input(RUNS_GRID, "selectedRows"), State(ids.THEME_STORE, "data"))
def overlay(selected, theme):
    workspace = _workspace()
    runs = [workspace.runs.get(row["id"]) for row in (selected or [])]
    return themed(figs.overlay_figure([run for run in runs if run]), theme)


@callback(
    Output(DOWNLOAD, "data"),
    Output(CODE, "children"),
    Output(RUNS_MESSAGE, "children"),
    Input(DL_MODEL, "n_clicks"),
    Input(DL_SPEC, "n_clicks"),
    Input(DL_CODE, "n_clicks"),
    State(RUNS_GRID, "selectedRows"),
    State(RUNS_GRID, "rowData"),
    prevent_initial_call=True,
)
def download(_model, _spec, _code, selected, rows):
    """The first checked run's model file, its spec, or its network as Keras code."""
    chosen = (selected or rows or [None])[0]
    if not chosen:
        return no_update, no_update, _alert("No run yet: train a network first.", "info")
    workspace = _workspace()
    record = workspace.runs.get(chosen["id"])
    folder = Path(record["path"])
    name = f"nn-run-{record['id']}"
    if ctx.triggered_id == DL_MODEL:
        if not (folder / "model.keras").exists():
            return no_update, no_update, _alert(f"Run #{record['id']} has no saved model.", "warning")
        return dcc.send_file(str(folder / "model.keras"), f"{name}.keras"), no_update, None
    if ctx.triggered_id == DL_SPEC:
        return dcc.send_file(str(folder / "spec.json"), f"{name}.json"), no_update, None
    data = workspace.result(record["id"], with_model=False).data
    code = nnspec.to_python(record["spec"], len(data["features"]), data["task"], len(data["classes"]) or None)
    return dcc.send_string(code, f"{name}.py"), code, None


follow_theme(*GRAPHS)
