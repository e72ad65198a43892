"""Chunked uploads: chunks land in order in a part file any worker can append to."""

import pytest

from models.logs.uploads import UploadError, receive_chunk, take_upload

ID = "0123456789abcdef"


def test_chunks_in_order_make_the_whole_file(tmp_path):
    assert receive_chunk(tmp_path, ID, 0, b"hello ", 11, limit=100) == 6
    assert receive_chunk(tmp_path, ID, 6, b"world", 11, limit=100) == 11
    assert take_upload(tmp_path, ID) == b"hello world"
    assert not list((tmp_path / "logs" / "incoming").iterdir())


def test_a_chunk_out_of_order_drops_the_upload(tmp_path):
    receive_chunk(tmp_path, ID, 0, b"abc", 9, limit=100)
    with pytest.raises(UploadError, match="went missing"):
        receive_chunk(tmp_path, ID, 6, b"ghi", 9, limit=100)
    with pytest.raises(UploadError, match="went missing"):
        take_upload(tmp_path, ID)


def test_an_upload_over_the_limit_is_refused_at_its_first_chunk(tmp_path):
    with pytest.raises(UploadError, match="upload limit is 1 MiB"):
        receive_chunk(tmp_path, ID, 0, b"x", 2 * 2**20, limit=2**20)


@pytest.mark.parametrize("upload_id", ["../../etc/passwd", "ABCDEF0123456789", "", "0123"])
def test_upload_ids_cannot_name_other_files(tmp_path, upload_id):
    with pytest.raises(UploadError, match="bad upload id"):
        receive_chunk(tmp_path, upload_id, 0, b"x", 1, limit=10)
