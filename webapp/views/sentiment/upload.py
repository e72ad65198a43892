"""A user's own CSV or Parquet: read it once to offer its columns, then store it as a dataset."""

from __future__ import annotations

from dash import Input, Output, State, callback, no_update

from models.sentiment.data import DataError, guess_columns, labelled, read_table
from models.sentiment.labels import LabelError, parse_label_map
from webapp import services
from webapp.components.uploads import decode_upload, rejected_message
from webapp.roles import acting_user, note, writes
from webapp.views.sentiment.common import alert
from webapp.views.sentiment.ids import (
    DATASET,
    ID_COL,
    LABEL_COL,
    LABEL_MAP,
    MESSAGE,
    REJECTED,
    SPLIT_COL,
    TEXT_COL,
    TIME_COL,
    UPLOAD,
    UPLOAD_FORM,
    USE,
)


@callback(
    output={
        "hidden": Output(UPLOAD_FORM, "hidden"),
        "text_options": Output(TEXT_COL, "options"),
        "label_options": Output(LABEL_COL, "options"),
        "split_options": Output(SPLIT_COL, "options"),
        "id_options": Output(ID_COL, "options"),
        "time_options": Output(TIME_COL, "options"),
        "text": Output(TEXT_COL, "value"),
        "label": Output(LABEL_COL, "value"),
        "split": Output(SPLIT_COL, "value"),
        "id": Output(ID_COL, "value"),
        "time": Output(TIME_COL, "value"),
        "message": Output(MESSAGE, "children", allow_duplicate=True),
    },
    inputs={"contents": Input(UPLOAD, "contents"), "filename": State(UPLOAD, "filename")},
    prevent_initial_call=True,
)
@writes()
def read_upload(contents, filename):
    """Read the file once to offer its columns, with the likely text/label/split/id/time columns preselected."""
    try:
        table_ = read_table(decode_upload(contents, DataError), filename or "upload")
    except DataError as exc:
        keep = dict.fromkeys(
            ("text_options", "label_options", "split_options", "id_options", "time_options")
            + ("text", "label", "split", "id", "time"),
            no_update,
        )
        return {"hidden": True, **keep, "message": alert(str(exc))}
    columns = list(table_.frame.columns)
    guess = guess_columns(columns)
    notes = [
        f"{filename}: {len(table_.frame):,} rows, columns {', '.join(columns)}. Choose the text and label columns "
        "(and an id and a time column if it has them), then Use this file."
    ]
    return {
        "hidden": False,
        "text_options": columns,
        "label_options": columns,
        "split_options": columns,
        "id_options": columns,
        "time_options": columns,
        **guess,
        "message": alert(" ".join(notes + list(table_.notes)), "info"),
    }


@callback(Output(MESSAGE, "children", allow_duplicate=True), Input(REJECTED, "data"), prevent_initial_call=True)
def reject_upload(rejected):
    """A file over the upload limit, stopped in the browser before it was sent."""
    return alert(rejected_message(rejected) + " The current data stays loaded.")


@callback(
    output={
        "options": Output(DATASET, "options"),
        "dataset": Output(DATASET, "value"),
        "message": Output(MESSAGE, "children", allow_duplicate=True),
    },
    inputs={
        "_clicks": Input(USE, "n_clicks"),
        "contents": State(UPLOAD, "contents"),
        "filename": State(UPLOAD, "filename"),
        "text_col": State(TEXT_COL, "value"),
        "label_col": State(LABEL_COL, "value"),
        "split_col": State(SPLIT_COL, "value"),
        "label_map": State(LABEL_MAP, "value"),
        "id_col": State(ID_COL, "value"),
        "time_col": State(TIME_COL, "value"),
    },
    prevent_initial_call=True,
)
@writes()
def use_upload(_clicks, contents, filename, text_col, label_col, split_col, label_map, id_col=None, time_col=None):
    """Turn the upload into a stored dataset with the chosen columns and label mapping."""
    try:
        table_ = read_table(decode_upload(contents, DataError), filename or "upload")
        if not text_col or not label_col:
            raise DataError("Choose the text column and the label column.")
        dataset, notes = labelled(
            table_.frame,
            text_col,
            label_col,
            parse_label_map(label_map),
            split_col or None,
            id_column=id_col or None,
            time_column=time_col or None,
        )
    except LabelError as exc:
        example = ",".join(f"{u}=…" for u in exc.unknown[:3])
        message = alert(f"{exc} Write a mapping in the box, e.g. {example}", "warning")
        return {"options": no_update, "dataset": no_update, "message": message}
    except DataError as exc:
        return {"options": no_update, "dataset": no_update, "message": alert(str(exc))}
    workspace, user = services.sentiment(), acting_user()
    dataset_id = workspace.save_dataset(dataset, name=filename or "upload", owner=user)
    note("sentiment.upload", f"dataset:{dataset_id}", name=filename, rows=len(dataset))
    options = [{"label": name, "value": key} for key, name in workspace.datasets(user).items()]
    counts = dataset["split"].value_counts()
    message = (
        [f"Loaded {len(dataset):,} tweets ({counts.get('train', 0):,} train, {counts.get('test', 0):,} test)."]
        + notes
        + list(table_.notes)
    )
    return {"options": options, "dataset": dataset_id, "message": alert(" ".join(message), "success")}
