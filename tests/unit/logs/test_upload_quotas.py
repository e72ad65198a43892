"""Partial uploads are rationed: per client, in total, stale ones removed; ids are checked whole."""

import os
import threading
import time

import flask
import pytest

from models.logs.generate import generate_log_lines
from models.logs.parse import parse_bytes
from models.logs.sources import load_events, save_upload
from models.logs.uploads import Quota, UploadError, receive_chunk, take_upload

QUOTA = Quota(per_client=100, total=150, stale_s=3600, parts_per_client=3)
LIMIT = 1000


def start(tmp_path, upload_id, total, client="10.0.0.1", quota=QUOTA):
    return receive_chunk(tmp_path, upload_id, 0, b"", total, LIMIT, client=client, quota=quota)


def incoming(tmp_path):
    folder = tmp_path / "logs" / "incoming"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_one_client_may_not_park_more_than_its_quota(tmp_path):
    start(tmp_path, "a" * 16, 60)
    with pytest.raises(UploadError, match="GLASSBOX_UPLOAD_CLIENT_MB"):
        start(tmp_path, "b" * 16, 60)
    assert incoming(tmp_path) == ["a" * 16 + ".json", "a" * 16 + ".part"]
    start(tmp_path, "c" * 16, 60, client="10.0.0.2")  # another client is not held back


def test_all_clients_together_may_not_park_more_than_the_total(tmp_path):
    start(tmp_path, "a" * 16, 80, client="10.0.0.1")
    with pytest.raises(UploadError, match="other unfinished uploads.*GLASSBOX_UPLOAD_TOTAL_MB"):
        start(tmp_path, "b" * 16, 80, client="10.0.0.2")


def test_a_finished_upload_frees_its_reservation(tmp_path):
    start(tmp_path, "a" * 16, 60)
    assert receive_chunk(tmp_path, "a" * 16, 0, b"x" * 60, 60, LIMIT, client="10.0.0.1", quota=QUOTA) == 60
    assert take_upload(tmp_path, "a" * 16) == b"x" * 60
    assert incoming(tmp_path) == []
    start(tmp_path, "b" * 16, 90)


def test_one_client_may_have_only_a_few_uploads_open(tmp_path):
    for upload_id in ("a" * 16, "b" * 16, "c" * 16):
        start(tmp_path, upload_id, 1)
    with pytest.raises(UploadError, match="3 of your uploads are still unfinished"):
        start(tmp_path, "d" * 16, 1)


def test_a_chunk_past_the_announced_size_drops_the_upload(tmp_path):
    start(tmp_path, "a" * 16, 10)
    receive_chunk(tmp_path, "a" * 16, 0, b"x" * 5, 10, LIMIT, client="10.0.0.1", quota=QUOTA)
    with pytest.raises(UploadError, match="more than the 10 bytes it announced"):
        receive_chunk(tmp_path, "a" * 16, 5, b"x" * 50, 10, LIMIT, client="10.0.0.1", quota=QUOTA)
    assert incoming(tmp_path) == []


def test_stale_partial_uploads_are_removed_and_free_their_quota(tmp_path):
    start(tmp_path, "a" * 16, 90)
    old = time.time() - 2 * 3600
    for name in incoming(tmp_path):
        os.utime(tmp_path / "logs" / "incoming" / name, (old, old))
    start(tmp_path, "b" * 16, 90)  # would pass the per-client quota if the stale one still counted
    assert incoming(tmp_path) == ["b" * 16 + ".json", "b" * 16 + ".part"]


@pytest.mark.parametrize("upload_id", ["0123456789abcdef\n", "0123456789abcdef\n../x", " 0123456789abcdef", "g" * 16])
def test_an_id_must_be_the_whole_string(tmp_path, upload_id):
    with pytest.raises(UploadError, match="bad upload id"):
        receive_chunk(tmp_path, upload_id, 0, b"x", 1, LIMIT, client="10.0.0.1", quota=QUOTA)
    with pytest.raises(UploadError, match="bad upload id"):
        take_upload(tmp_path, upload_id)
    assert incoming(tmp_path) == []


def test_quota_and_client_come_from_the_app_and_the_request(tmp_path):
    app = flask.Flask(__name__)
    app.config.update(UPLOAD_CLIENT_MB=1, UPLOAD_TOTAL_MB=10, UPLOAD_STALE_MINUTES=60)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.1"}):
        receive_chunk(tmp_path, "a" * 16, 0, b"", 700_000, 2 << 20)
        with pytest.raises(UploadError, match="1 MiB, the most one client may park"):
            receive_chunk(tmp_path, "b" * 16, 0, b"", 700_000, 2 << 20)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.2"}):
        receive_chunk(tmp_path, "c" * 16, 0, b"", 700_000, 2 << 20)


def test_two_workers_saving_the_same_upload_do_not_collide(tmp_path):
    content = b"".join(generate_log_lines(3000, seed=4))
    result = parse_bytes(content, name="same.log")
    ids, errors = [], []

    def save():
        try:
            ids.append(save_upload(result, tmp_path))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=save) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(ids)) == 1
    assert [p.name for p in (tmp_path / "logs").iterdir()] == [f"{ids[0]}.parquet"]
    assert load_events(ids[0], tmp_path).table.num_rows == 3000
