"""A symbolic link inside an allowed GLASSBOX_LOG_PATHS glob opens only when its target is itself allowed."""

import os

import pytest

from models.logs.sources import UnknownSourceError, allowed_path, load_path, path_source_id, server_paths

LINE = '10.0.0.1 - - [01/May/2023:10:00:{s:02d} +0000] "GET /product/P1 HTTP/1.1" 200 100 "-" "Mozilla/5.0"\n'
SECRET = '10.9.9.9 - - [01/May/2023:10:00:00 +0000] "GET /secret-token-42 HTTP/1.1" 200 1 "-" "x"\n'


@pytest.fixture
def logs(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "access.log.1").write_text("".join(LINE.format(s=s) for s in range(10)))
    (folder / "access.log").symlink_to(folder / "access.log.1")  # the usual "current" link: allowed
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.log").write_text(SECRET)  # looks like a log, so following the link would show it
    (folder / "access.log.evil").symlink_to(outside / "secret.log")
    (folder / "error.log").write_text(LINE.format(s=1))
    (folder / "access.log.2").symlink_to(folder / "error.log")  # inside the folder, but not a file the glob names
    return folder


def test_a_link_to_a_file_outside_the_glob_is_not_offered(logs):
    names = [p.name for p in server_paths((str(logs / "access.log*"),))]
    assert names == ["access.log", "access.log.1"]


@pytest.mark.parametrize("name", ["access.log.evil", "access.log.2"])
def test_a_link_to_a_file_outside_the_glob_is_refused(logs, name):
    with pytest.raises(UnknownSourceError, match="GLASSBOX_LOG_PATHS"):
        load_path(path_source_id(logs / name), (str(logs / "access.log*"),))


def test_a_link_to_an_allowed_file_opens(logs):
    snap = load_path(path_source_id(logs / "access.log"), (str(logs / "access.log*"),))
    assert len(snap.events) == 10


def test_a_linked_folder_matched_by_a_wildcard_is_refused(tmp_path, logs):
    (logs / "site").mkdir()
    (logs / "site" / "access.log").write_text(LINE.format(s=2))
    (logs / "escape").symlink_to(tmp_path / "private")
    (tmp_path / "private" / "access.log").write_text(SECRET)
    pattern = str(logs / "*" / "access.log")
    assert [p.parent.name for p in server_paths((pattern,))] == ["site"]
    with pytest.raises(UnknownSourceError):
        allowed_path(path_source_id(logs / "escape" / "access.log"), (pattern,))


def test_a_linked_folder_the_configuration_names_is_fine(tmp_path, logs):
    """``/var/log`` may itself be a link (``/private/var/log``): the configured folders are resolved too."""
    (tmp_path / "varlog").symlink_to(logs)
    pattern = str(tmp_path / "varlog" / "access.log*")
    assert [p.name for p in server_paths((pattern,))] == ["access.log", "access.log.1"]
    assert len(load_path(path_source_id(tmp_path / "varlog" / "access.log.1"), (pattern,)).events) == 10


def test_a_literal_path_that_is_a_link_elsewhere_is_refused(logs):
    literal = str(logs / "access.log.evil")
    assert server_paths((literal,)) == []
    assert os.path.isfile(literal)  # it exists and is readable; it is refused for where it leads
