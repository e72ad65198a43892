"""Uploads: the browser sends a file in acknowledged chunks (assets/logs.js), the last one is parsed."""

from __future__ import annotations

import base64
import binascii

import dash_bootstrap_components as dbc
import flask
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, html, no_update, set_props

from models.logs import view as views
from models.logs.aggregate import Filters
from models.logs.parse import LogFormatError, parse_bytes
from models.logs.sources import save_upload
from models.logs.uploads import UploadError, receive_chunk, take_upload
from models.ownership import label
from webapp import services
from webapp.roles import acting_user, note, writes
from webapp.views.logs import ids
from webapp.views.logs.layout import chunk_bytes
from webapp.views.logs.view_state import url_hash

NOTHING = {"view": no_update, "hash": no_update, "options": no_update, "source": no_update, "message": no_update}


def _failure(message: str) -> dict:
    return {**NOTHING, "message": dbc.Alert(message, color="danger", dismissable=True, id=ids.UPLOAD_ERROR)}


def upload_chunk(chunk, view, options):
    """Store one chunk of an upload; after the last one, parse the whole file.

    The acknowledgement (bytes received) makes the browser send the next chunk and move the
    progress bar; on any problem the message says why and the current data stays loaded. It is
    set with ``set_props``: as an output it would close a loop of callbacks (chunk → ack →
    chunk), which Dash refuses to run.
    """
    config = flask.current_app.config
    name = str(chunk.get("name") or "upload")
    upload_id = str(chunk.get("id", ""))

    def fail(message):
        set_props(ids.UPLOAD_ACK, {"data": {"id": upload_id, "error": True}})
        return _failure(message)

    try:
        total, offset = int(chunk["total"]), int(chunk["offset"])
        data = base64.b64decode(chunk.get("data") or "", validate=True)
        received = receive_chunk(config["DATA_DIR"], upload_id, offset, data, total, config["MAX_UPLOAD_BYTES"])
        if received < total:
            ack = {"id": upload_id, "received": received, "total": total, "chunk": str(chunk_bytes())}
            set_props(ids.UPLOAD_ACK, {"data": ack})
            return NOTHING
        content = take_upload(config["DATA_DIR"], upload_id)
    except UploadError as exc:
        return fail(f"{name}: {exc}")
    except (KeyError, TypeError, ValueError, binascii.Error):
        return fail(f"{name}: the upload could not be read.")
    out = accept_upload(content, name, view, options)
    # "done" only once the log is loaded: the bar then says "uploaded, parsed"; a refused file hides it.
    if out["view"] is no_update:
        ack = {"id": upload_id, "error": True}
    else:
        ack = {"id": upload_id, "received": received, "total": total, "done": True}
    set_props(ids.UPLOAD_ACK, {"data": ack})
    return out


def accept_upload(content: bytes, filename: str, view: dict | None, options: list) -> dict:
    """Parse a whole uploaded log: the new view, its hash, source options and source, and a message."""
    try:
        result = parse_bytes(content, name=filename or "upload")
    except LogFormatError as exc:
        return _failure(f"{exc} The previous data is still loaded.")
    if result.parsed == 0:
        examples = "; ".join(f"line {r.line}: {r.text[:80]!r}" for r in result.rejected_lines[:3])
        return _failure(
            f"{filename}: none of its {result.lines} lines is an access-log line ({examples}). "
            "The previous data is still loaded."
        )
    user = acting_user()
    source_id = save_upload(result, flask.current_app.config["DATA_DIR"], services.owners(), user, name=filename)
    note("logs.upload", f"source:{source_id}", name=filename, events=result.parsed)
    view = {**(view or views.DEFAULT_VIEW), "source": source_id, "filters": Filters().to_dict(), "page": 0}
    entry = services.owners().entry_for(user, "logs", source_id)
    shown = {"label": f"Upload: {filename} ({label(entry['owner'], entry['visibility'])})", "value": source_id}
    options = [o for o in options if o["value"] != source_id] + [shown]
    notes = [html.Strong(f"{filename}: "), f"{result.parsed:,} events parsed from {result.lines:,} lines."]
    color = "success"
    if not result.table["product"].null_count < result.parsed:
        notes.append(" No product ids were found in its URLs, so the product view is empty.")
        color = "warning"
    if result.rejected:
        color = "warning"
        notes.append(f" {result.rejected:,} lines were not access-log lines and were skipped, e.g. ")
        notes.append(html.Ul([html.Li(f"line {r.line}: {r.text[:160]}") for r in result.rejected_lines[:5]]))
    return {
        "view": view,
        "hash": url_hash(view),
        "options": options,
        "source": source_id,
        "message": dbc.Alert(notes, color=color, dismissable=True, id=ids.UPLOAD_OK),
    }


# The callbacks, registered whenever this module runs (see ``webapp.views.register_views``).
clientside_callback(
    ClientsideFunction(namespace="logs", function_name="upload"),
    Output(ids.UPLOAD_CHUNK, "data"),
    Output(ids.UPLOAD_PROGRESS, "value"),
    Output(ids.UPLOAD_PROGRESS, "label"),
    Output(ids.UPLOAD_PROGRESS, "class_name"),
    Input(ids.UPLOAD_START, "data"),
    Input(ids.UPLOAD_ACK, "data"),
    State(ids.CLIENT, "data"),
    prevent_initial_call=True,
)
callback(
    output={
        "view": Output(ids.VIEW, "data", allow_duplicate=True),
        "hash": Output(ids.URL, "hash", allow_duplicate=True),
        "options": Output(ids.SOURCE, "options"),
        "source": Output(ids.SOURCE, "value", allow_duplicate=True),
        "message": Output(ids.UPLOAD_MSG, "children"),
    },
    inputs={
        "chunk": Input(ids.UPLOAD_CHUNK, "data"),
        "view": State(ids.VIEW, "data"),
        "options": State(ids.SOURCE, "options"),
    },
    prevent_initial_call=True,
)(writes()(upload_chunk))
