"""One build per store: processes opening one unstored server file at once parse it once, the others wait
for that build (seeing its progress) and map its store; a killed builder leaves the build to a waiter."""

import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from models.logs import columnar
from models.logs.aggregate import Events
from models.logs.generate import generate_log_lines
from models.logs.parse import parse_bytes

LINES = 150_000

# One process opening the file's store (``follow.stored_snapshot``) as a worker does. Every parse it starts
# is counted in a file; with SLOW, the file is read 1 MB at a time, SLOW seconds each (a long parse).
CHILD = r"""
import hashlib, json, os, sys, time
from models.logs import follow
path, root, counter, slow = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
parse = follow._parse_stored

def counted(*args, **kwargs):
    with open(counter, "a") as handle:
        handle.write(f"{os.getpid()}\n")
    return parse(*args, **kwargs)

follow._parse_stored = counted
if slow:
    readinto = follow._Progress.readinto
    def slow_readinto(self, buffer):
        time.sleep(slow)
        return readinto(self, memoryview(buffer)[: 1 << 20])
    follow._Progress.readinto = slow_readinto

def progress(done, total):
    print(json.dumps(["progress", done, total]), flush=True)

events = follow.stored_snapshot(path, root, progress=progress).events
digest = hashlib.sha256(b"".join(getattr(events, c).tobytes() for c in ("ts", "status", "bytes"))).hexdigest()
print(json.dumps(["done", len(events), digest]), flush=True)
"""


def _digest(events: Events) -> str:
    return hashlib.sha256(
        b"".join(np.asarray(getattr(events, c)).tobytes() for c in ("ts", "status", "bytes"))
    ).hexdigest()


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    path = tmp_path_factory.mktemp("build") / "access.log"
    with open(path, "wb") as handle:
        for chunk in generate_log_lines(LINES, seed=11, days=3):
            handle.write(chunk)
    events = Events.from_table(parse_bytes(path.read_bytes(), name=path.name).table)
    return path, len(events), _digest(events)


class Child:
    """A worker process opening the log's store, its output lines read as they come."""

    started: list["Child"] = []

    def __init__(self, path, root, counter, slow: float = 0.0):
        Child.started.append(self)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(root), str(counter), str(slow)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.progress: list[tuple[int, int]] = []

    def next_line(self, timeout: float = 120) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError(f"the child ended (rc {self.process.wait()}) without a result")
            message = json.loads(line)
            if message[0] == "progress":
                self.progress.append((message[1], message[2]))
            return message
        raise AssertionError("no output in time")

    def until_progress(self) -> None:
        while self.next_line()[0] != "progress":
            pass

    def result(self) -> list:
        while (message := self.next_line())[0] != "done":
            pass
        assert self.process.wait(timeout=60) == 0
        return message

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture(autouse=True)
def children():
    yield
    for child in Child.started:
        if child.process.poll() is None:
            child.kill()
        child.process.stdout.close()
    Child.started.clear()


def _parses(counter) -> int:
    return len(counter.read_text().split()) if counter.exists() else 0


def _store(root):
    folders = [p for p in root.iterdir() if not p.name.startswith(".")]
    assert len(folders) == 1
    return columnar.open_store(folders[0])


def test_two_processes_opening_one_unstored_file_at_once_parse_it_once(log, tmp_path):
    path, rows, digest = log
    root, counter = tmp_path / "logstore", tmp_path / "parses"
    children = [Child(path, root, counter, slow=0.02) for _ in range(2)]
    results = [child.result() for child in children]
    assert _parses(counter) == 1
    assert results == [["done", rows, digest]] * 2  # identical events, the whole file
    assert _store(root).manifest["parses"] == 1
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".")) == []  # no lock left behind


def test_a_process_waiting_for_anothers_build_passes_its_progress_on(log, tmp_path):
    path, rows, digest = log
    root, counter = tmp_path / "logstore", tmp_path / "parses"
    builder = Child(path, root, counter, slow=0.25)
    builder.until_progress()
    waiter = Child(path, root, counter)
    assert waiter.result() == ["done", rows, digest]
    assert builder.result() == ["done", rows, digest]
    assert _parses(counter) == 1
    done = [d for d, _ in waiter.progress]
    assert len(done) >= 3, waiter.progress  # the bar moved while the other process parsed
    assert done == sorted(done) and len(set(done)) == len(done)
    assert {t for _, t in waiter.progress} == {path.stat().st_size}
    assert done[-1] > done[0]


def test_when_the_builder_is_killed_the_waiting_process_builds_the_store(log, tmp_path):
    path, rows, digest = log
    root, counter = tmp_path / "logstore", tmp_path / "parses"
    builder = Child(path, root, counter, slow=0.25)
    builder.until_progress()
    waiter = Child(path, root, counter)
    waiter.until_progress()  # it waits for the builder, showing its progress
    builder.kill()
    assert waiter.result() == ["done", rows, digest]
    assert _parses(counter) == 2  # the killed one's, then the waiter's
    assert _store(root).manifest["rows"] == rows
    assert columnar.is_stored(_store(root).folder)
    # A later open maps it: no parse.
    assert Child(path, root, counter).result() == ["done", rows, digest]
    assert _parses(counter) == 2


def test_a_later_open_builds_what_a_killed_builder_left(log, tmp_path):
    path, rows, digest = log
    root, counter = tmp_path / "logstore", tmp_path / "parses"
    builder = Child(path, root, counter, slow=0.25)
    builder.until_progress()
    builder.kill()
    assert any(p.name.endswith(".build") for p in root.iterdir())  # its (free) lock is left
    assert Child(path, root, counter).result() == ["done", rows, digest]
    assert _parses(counter) == 2


def test_a_held_build_lock_is_never_swept(tmp_path):
    root = tmp_path / "logstore"
    root.mkdir()
    held, left = root / ".aaaa.build", root / ".bbbb.build"
    for lock in (held, left):
        lock.touch()
        (root / lock.name.replace(".build", ".progress")).write_bytes(b"x" * 24)
        then = time.time() - 2 * columnar.STALE_S
        os.utime(lock, (then, then))
    handle = open(held, "a")  # noqa: SIM115 - a build in progress for two hours
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    assert columnar.builds_running(root) == 1
    columnar.sweep(root)
    assert sorted(p.name for p in root.iterdir()) == [".aaaa.build", ".aaaa.progress"]
    handle.close()  # its process died
    assert columnar.builds_running(root) == 0
    columnar.sweep(root)
    assert list(root.iterdir()) == []


def test_a_fresh_free_build_lock_is_kept_by_the_sweep(tmp_path):
    root = tmp_path / "logstore"
    root.mkdir()
    (root / ".cccc.build").touch()  # a build just starting: not old enough
    columnar.sweep(root)
    assert [p.name for p in root.iterdir()] == [".cccc.build"]


def test_progress_is_shared_and_a_torn_record_is_ignored(tmp_path):
    folder = tmp_path / "logstore" / "k"
    folder.parent.mkdir()
    assert columnar.read_progress(folder) is None
    share = columnar.share_progress(folder)
    share(10, 100)
    assert columnar.read_progress(folder) == (10, 100)
    share(100, 100)  # the end is always written
    assert columnar.read_progress(folder) == (100, 100)
    (folder.parent / ".k.progress").write_bytes(b"\x01" * 24)
    assert columnar.read_progress(folder) is None


def test_the_build_lock_is_given_up_when_the_parse_fails(tmp_path):
    folder = tmp_path / "logstore" / "k"

    def broken():
        assert columnar.is_building(folder)
        raise ValueError("bad log")

    with pytest.raises(ValueError, match="bad log"):
        columnar.open_or_build(folder, broken)
    assert not columnar.is_building(folder)
    assert [p.name for p in folder.parent.iterdir()] == []
    table = parse_bytes(b"".join(generate_log_lines(300, seed=1, days=1)), name="t.log").table
    assert columnar.open_or_build(folder, lambda: (table, {})).manifest["rows"] == table.num_rows
