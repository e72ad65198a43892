"""Server files open only when GLASSBOX_LOG_PATHS names them; anything else is refused."""

import os

import pytest

from models.logs.sources import UnknownSourceError, allowed_path, load_path, path_source_id, server_paths, source_label
from webapp.config import load_config

LINE = '10.0.0.1 - - [01/May/2023:10:00:{s:02d} +0000] "GET /product/P1 HTTP/1.1" 200 100 "-" "Mozilla/5.0"\n'


@pytest.fixture
def logs(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    for name in ("access.log", "access.log.1", "error.log"):
        (folder / name).write_text("".join(LINE.format(s=s) for s in range(10)))
    (tmp_path / "secret.txt").write_text("not for you\n")
    return folder


def test_paths_and_globs_name_existing_files_once(logs):
    patterns = (str(logs / "access.log*"), str(logs / "access.log"), str(logs / "missing.log"), str(logs))
    assert [p.name for p in server_paths(patterns)] == ["access.log", "access.log.1"]


def test_a_configured_file_opens(logs):
    patterns = (str(logs / "access.log*"),)
    source = path_source_id(logs / "access.log.1")
    assert allowed_path(source, patterns) == logs / "access.log.1"
    assert len(load_path(source, patterns).events) == 10
    assert source_label(source).endswith("access.log.1")


@pytest.mark.parametrize(
    "requested",
    [
        "{logs}/error.log",  # exists, not configured
        "{logs}/../secret.txt",  # traversal
        "{logs}/./access.log/../../secret.txt",
        "/etc/passwd",
        "{logs}/access.log*",  # a pattern is not a file
        "access.log",  # relative
    ],
)
def test_anything_else_is_refused_with_a_clear_message(logs, requested):
    with pytest.raises(UnknownSourceError, match="GLASSBOX_LOG_PATHS"):
        load_path("path:" + requested.format(logs=logs), (str(logs / "access.log*"),))


def test_nothing_is_allowed_by_default(logs):
    assert load_config(environ={})["LOG_PATHS"] == ()
    with pytest.raises(UnknownSourceError):
        allowed_path(path_source_id(logs / "access.log"), ())


def test_the_setting_splits_on_pathsep(logs):
    value = os.pathsep.join([str(logs / "access.log"), " ", str(logs / "error.*")])
    config = load_config(environ={"GLASSBOX_LOG_PATHS": value})
    assert config["LOG_PATHS"] == (str(logs / "access.log"), str(logs / "error.*"))
    assert load_config({"LOG_PATHS": str(logs / "x.log")}, environ={})["LOG_PATHS"] == (str(logs / "x.log"),)


def test_an_upload_is_stored_once_by_content_and_loads_back(tmp_path):
    from models.logs.parse import parse_bytes
    from models.logs.sources import load_events, save_upload

    line = '10.0.0.{i} - - [01/May/2023:10:{i:02d}:00 +0000] "GET /product/P{i} HTTP/1.1" 200 100 "-" "curl/8"\n'
    result = parse_bytes("".join(line.format(i=i) for i in range(12)).encode(), name="a.log")
    first = save_upload(result, tmp_path)
    assert save_upload(result, tmp_path) == first
    assert [p.name for p in (tmp_path / "logs").iterdir()] == [f"{first}.parquet"]  # no temporary file left
    assert len(load_events(first, tmp_path)) == 12
