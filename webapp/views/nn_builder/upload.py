"""Uploading a CSV on the Network Parameters tab: read it, offer its columns, and use it once it can train."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, no_update

from models.nn import form
from models.nn.data import DataError
from models.nn.workspace import dataset_id
from webapp import services
from webapp.components.uploads import decode_upload, rejected_message
from webapp.roles import acting_user, note, writes
from webapp.views.nn_builder.common import alert
from webapp.views.nn_builder.ids import (
    DATA_MESSAGE,
    DATASET,
    REJECTED,
    TARGET,
    TASK,
    UPLOAD,
    UPLOAD_FORM,
    UPLOADED,
    USE,
)


@callback(
    output={
        "upload": Output(UPLOADED, "data"),
        "hide_form": Output(UPLOAD_FORM, "hidden"),
        "targets": Output(TARGET, "options"),
        "target": Output(TARGET, "value"),
        "message": Output(DATA_MESSAGE, "children", allow_duplicate=True),
    },
    inputs=[Input(UPLOAD, "contents")],
    state=[State(UPLOAD, "filename")],
    prevent_initial_call=True,
)
@writes()
def read_upload(contents, filename):
    """Keep a readable CSV and offer its columns as the target; the current dataset stays until "Use this data"."""
    try:
        content = decode_upload(contents, DataError)
        upload = services.nn().describe_upload(content, filename or "upload.csv", owner=acting_user())
    except DataError as exc:
        return {
            "upload": None,
            "hide_form": True,
            "targets": no_update,
            "target": no_update,
            "message": alert(f"{exc} The current data stays selected."),
        }
    note("nn.upload", f"dataset:{upload['id']}", name=upload["name"], rows=upload["rows"])
    columns = upload["columns"]
    text = (
        f"{upload['name']}: {upload['rows']:,} rows, columns {', '.join(columns[:12])}"
        + (" …" if len(columns) > 12 else "")
        + ". Choose the column to predict and the task, then “Use this data”."
    )
    return {
        "upload": upload,
        "hide_form": False,
        "targets": columns,
        "target": form.guess_target(columns),
        "message": alert(text, "info"),
    }


# The task guessed for the chosen target (text or few whole numbers: classes); the user may change it after.
clientside_callback(
    ClientsideFunction(namespace="nn_builder", function_name="guessTask"),
    Output(TASK, "value"),
    Input(TARGET, "value"),
    State(UPLOADED, "data"),
    prevent_initial_call=True,
)


@callback(Output(DATA_MESSAGE, "children", allow_duplicate=True), Input(REJECTED, "data"), prevent_initial_call=True)
def reject_upload(rejected):
    """A file over the upload limit, stopped in the browser before it was sent."""
    return alert(rejected_message(rejected) + " The current data stays selected.")


@callback(
    output={
        "options": Output(DATASET, "options"),
        "dataset": Output(DATASET, "value"),
        "message": Output(DATA_MESSAGE, "children", allow_duplicate=True),
    },
    inputs=[Input(USE, "n_clicks")],
    state=[State(UPLOADED, "data"), State(TARGET, "value"), State(TASK, "value"), State(DATASET, "options")],
    prevent_initial_call=True,
)
@writes()
def use_upload(_clicks, upload, target, task, options):
    """Check the upload with its target and task; only data a network can train on replaces the current dataset."""
    keep = {"options": no_update, "dataset": no_update}
    if not upload:
        return {**keep, "message": alert("Upload a CSV file first.")}
    data_id = dataset_id(upload["id"], target=target or None, task=task or None)
    try:
        dataset = services.nn().dataset(data_id, user=acting_user())
    except DataError as exc:
        return {**keep, "message": alert(f"{upload['name']}: {exc} The current data stays selected.")}
    label = services.nn().upload_label(upload["id"], acting_user(), upload["name"], f"{target} ({dataset.task})")
    options = [o for o in options if not form.same_dataset(o["value"], data_id)] + [{"label": label, "value": data_id}]
    return {"options": options, "dataset": data_id, "message": no_update}
