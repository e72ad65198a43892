"""Issue 11 item 3: filling the disk with partial uploads, against a running gunicorn server.

The Logs page's chunked upload (assets/glassbox.js) parks each upload's chunks under
``<DATA_DIR>/logs/incoming/`` until its last chunk. The attack opens upload after upload, each
declared just under the upload limit and never finished. Before the fix each one was accepted
(a client could park any number of them for 24 h), and an id ending in a newline passed the check.
"""

from __future__ import annotations

import base64
import json
import os
import time

import pytest

from models.logs.uploads import client_key
from tests.security.gunicorn_app import MIB, Server, start, stop_process

LIMIT_MB, CLIENT_MB, TOTAL_MB = 1, 2, 3
DECLARED = 900 * 1024  # each upload announces 0.9 MiB, under the 1 MiB upload limit


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start(
        tmp_path_factory.mktemp("quota"),
        env={
            "GLASSBOX_MAX_UPLOAD_MB": str(LIMIT_MB),
            "GLASSBOX_UPLOAD_CLIENT_MB": str(CLIENT_MB),
            "GLASSBOX_UPLOAD_TOTAL_MB": str(TOTAL_MB),
            "GLASSBOX_UPLOAD_STALE_MINUTES": "30",
        },
    )
    yield server
    stop_process(server.process)


@pytest.fixture
def incoming(server):
    folder = server.data_dir / "logs" / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        path.unlink()
    return folder


def send_chunk(server: Server, upload_id: str, offset: int, data: bytes, total: int) -> tuple[str, dict]:
    """One chunk as the page's browser code sends it: the message shown, and the acknowledgement."""
    chunk = {
        "id": upload_id,
        "name": "big.log",
        "total": total,
        "offset": offset,
        "data": base64.b64encode(data).decode(),
    }
    status, body = server.callback(
        "logs-upload-msg.children",
        [{"id": "logs-upload-chunk", "property": "data", "value": chunk}],
        [
            {"id": "logs-view", "property": "data", "value": None},
            {"id": "logs-source", "property": "options", "value": []},
        ],
    )
    assert status == 200, body
    message = json.dumps(body.get("response", {}).get("logs-upload-msg", {}))
    ack = body.get("sideUpdate", {}).get("logs-upload-ack", {}).get("data", {})
    return message, ack


def parked(folder) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.part"))


def test_one_client_cannot_park_more_than_its_quota(server, incoming):
    accepted, refused = [], []
    for n in range(10):
        upload_id = f"{n:016x}"
        message, ack = send_chunk(server, upload_id, 0, b"", DECLARED)
        if ack.get("error"):
            refused.append(message)
            continue
        send_chunk(server, upload_id, 0, b"\0" * (DECLARED - 1000), DECLARED)  # parked, never finished
        accepted.append(upload_id)
    print(f"\nquota attack: {len(accepted)} uploads parked ({parked(incoming) / MIB:.2f} MiB), {len(refused)} refused")
    assert len(accepted) == 2  # 2 × 0.9 MiB fits the 2 MiB per-client quota, a third would not
    assert parked(incoming) <= CLIENT_MB * MIB
    assert "GLASSBOX_UPLOAD_CLIENT_MB" in refused[0] and "most one client may park" in refused[0]
    # Finishing one frees its share: the client may start another.
    upload_id = accepted[0]
    message, ack = send_chunk(server, upload_id, DECLARED - 1000, b"\n" * 1000, DECLARED)
    # Whole: it was taken and parsed. Zeros are "a binary file", a refused log, so the ack ends the upload with
    # an error (the page hides its progress bar) rather than "done".
    assert "is a binary file" in message, message
    assert ack.get("error") is True and not (incoming / f"{upload_id}.part").exists(), (message, ack)
    message, ack = send_chunk(server, "f" * 16, 0, b"", DECLARED)
    assert not ack.get("error"), message


def test_all_clients_together_cannot_pass_the_total(server, incoming):
    # Another client (another address) already parked 2.5 MiB of the 3 MiB total.
    other = "e" * 16
    (incoming / f"{other}.part").write_bytes(b"\0" * 1000)
    (incoming / f"{other}.json").write_text(json.dumps({"client": client_key("192.0.2.9"), "total": 2560 * 1024}))
    message, ack = send_chunk(server, "1" * 16, 0, b"", DECLARED)
    assert ack.get("error")
    assert "other unfinished uploads" in message and "GLASSBOX_UPLOAD_TOTAL_MB" in message, message
    assert not (incoming / ("1" * 16 + ".part")).exists()


def test_stale_partial_uploads_are_removed(server, incoming):
    stale = "d" * 16
    (incoming / f"{stale}.part").write_bytes(b"\0" * 1000)
    (incoming / f"{stale}.json").write_text(json.dumps({"client": client_key("192.0.2.9"), "total": 1000}))
    old = time.time() - 31 * 60
    for path in incoming.iterdir():
        os.utime(path, (old, old))
    message, ack = send_chunk(server, "2" * 16, 0, b"", 10)
    assert not ack.get("error"), message
    assert not (incoming / f"{stale}.part").exists() and not (incoming / f"{stale}.json").exists()


@pytest.mark.parametrize("upload_id", ["0123456789abcdef\n", "0123456789abcdef\nx", "../../etc/passwd"])
def test_an_upload_id_ending_in_a_newline_names_no_file(server, incoming, upload_id):
    message, ack = send_chunk(server, upload_id, 0, b"data\n", 5)
    assert ack.get("error") and "bad upload id" in message, message
    assert list(incoming.iterdir()) == []
