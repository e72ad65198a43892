"""What the pages' file uploads share: a size-guarded drop zone and decoding dcc.Upload's data URL.

Two mechanisms, on purpose. Sentiment and NN uploads are tables a person made (capped by
GLASSBOX_MAX_TABLE_CELLS) that pandas reads whole anyway: dcc.Upload's one request, decoded here, is enough.
Logs are different: an access log is often hundreds of MiB, gzip included, and is parsed as it arrives. One
base64 JSON body would hold 4/3 of the file in the browser and again in a worker before parsing could start,
with no progress to show; so the Logs page sends 4 MiB chunks (``assets/glassbox.js``,
``models/logs/uploads.py``), each acknowledged, behind a real progress bar, under per-client quotas.
"""

from __future__ import annotations

import base64
import binascii

import flask
from dash import dcc, html

MIB = 1024 * 1024


def upload_zone(upload_id: str, reject_store: str, prompt: str, class_name: str = "") -> html.Div:
    """A dcc.Upload inside a div that assets/upload_limit.js watches: a file over the app's upload limit is
    stopped in the browser, before it is encoded and sent, and ``reject_store`` gets its name and size."""
    return html.Div(
        dcc.Upload(
            id=upload_id,
            children=html.Div([prompt, " or ", html.A("choose one")]),
            className=f"border border-secondary-subtle rounded text-center py-2 small {class_name}".strip(),
            multiple=False,
        ),
        **{"data-max-bytes": str(flask.current_app.config["MAX_UPLOAD_BYTES"]), "data-reject-store": reject_store},
    )


def rejected_message(rejected: dict) -> str:
    """The message for a file ``upload_limit.js`` stopped."""
    return (
        f"{rejected['name']} is {rejected['size'] / MIB:,.1f} MiB; the upload limit is "
        f"{rejected['limit'] / MIB:,.0f} MiB (GLASSBOX_MAX_UPLOAD_MB)."
    )


def decode_upload(contents: str | None, error: type[Exception] = ValueError) -> bytes:
    """An upload's bytes from dcc.Upload's data URL, within the app's upload limit.

    Raises:
        error: (the page's own data error) the upload is empty, damaged or over the limit.
    """
    if not contents or "," not in contents:
        raise error("The upload arrived empty.")
    try:
        content = base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        raise error("The upload arrived damaged; please try again.") from None
    limit = flask.current_app.config["MAX_UPLOAD_BYTES"]
    if len(content) > limit:
        raise error(f"The file is {len(content) / MIB:,.1f} MiB; the upload limit is {limit / MIB:,.0f} MiB.")
    return content
