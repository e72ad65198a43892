"""A large server file's parse starts when ``prepare.request`` answers, in a process of its own; the background
job then follows that build (its progress on the bar) instead of parsing again."""

import contextlib
import os
import socket
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from dash import no_update

from models.logs import columnar, early, follow
from models.logs.aggregate import Filters
from models.logs.generate import generate_log_lines


def _view(source):
    return {"source": source, "granularity": "hour", "page": 0, "filters": Filters().to_dict()}


@pytest.fixture
def big(tmp_path):
    path = tmp_path / "logs" / "access.log"
    path.parent.mkdir()
    with open(path, "wb") as out:
        for chunk in generate_log_lines(12_000, seed=4, days=2):
            out.write(chunk)
    return path


@pytest.fixture
def page(app_config, big, tmp_path, monkeypatch):
    """The app serving ``big``, every parse counted (by process id) in a file; the early build's process is
    forked from this one, so it counts there too, and reads the file slowly (64 kB a read, 30 ms each)."""
    from webapp import create_app

    counter = tmp_path / "parses"
    real_parse, real_read = follow._parse_stored, follow._Progress.readinto

    def counted(*args, **kwargs):
        with open(counter, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        return real_parse(*args, **kwargs)

    def slow(self, buffer):
        time.sleep(0.03)
        return real_read(self, memoryview(buffer)[: 64 * 1024])

    monkeypatch.setattr(follow, "_parse_stored", counted)
    monkeypatch.setattr(follow._Progress, "readinto", slow)
    started = []
    real_start = early.start

    def start(*args, **kwargs):
        started.append(real_start(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(early, "start", start)

    def make(**config):
        app = create_app({**app_config, "LOG_PATHS": str(big), **config})
        from webapp.views.logs import prepare  # (the app loads its pages afresh)

        monkeypatch.setattr(prepare, "SMALL_BYTES", 1 << 20)  # the file (~3 MB) is a large one
        context = app.server.app_context()
        context.push()
        contexts.append(context)
        return app

    contexts = []
    yield SimpleNamespace(
        make=make,
        started=started,
        parses=lambda: [int(p) for p in counter.read_text().split()] if counter.exists() else [],
        root=columnar.store_root(app_config["DATA_DIR"]),
    )
    for context in reversed(contexts):
        context.pop()


def _gone(pid: int) -> bool:
    """The process ended and was reaped (no zombie left)."""
    return not Path(f"/proc/{pid}").exists()


def _sockets(pid: int) -> list[str]:
    """The sockets a process holds."""
    names = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(FileNotFoundError):
            names.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
    return [name for name in names if name.startswith("socket:")]


def _until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_request_for_a_large_unstored_file_starts_one_build_that_the_job_follows(page, big):
    from webapp.views.logs import prepare, render

    page.make()
    source = f"path:{big}"
    with socket.socket() as listener:  # the web server's socket, open when the request forks
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        asked = prepare.request(_view(source))
        assert asked["request"] == {"source": source} and asked["label"] == "Starting…"
        assert len(page.started) == 1 and isinstance(page.started[0], int)  # a build started at once
        child = page.started[0]
        _until(lambda: not _sockets(child), timeout=10)  # the child let go of it (at once: it still parses)
        assert columnar.is_building(follow.store_folder(big, page.root))
    folder = follow.store_folder(big, page.root)
    assert columnar.is_building(folder)
    assert prepare.request(_view(source))["request"] == {"source": source}  # a second request meanwhile...
    assert page.started[1] is None  # ...starts none

    steps = []
    out = prepare.prepare(lambda step: steps.append(step), {"source": source}, None)  # the job
    assert out == {"prepared": {"source": source}, "message": None, "done": True}
    assert page.parses() == [child]  # parsed once, by the early build; the job followed it
    reading = [value for value, label in steps if " of " in label and label.endswith("MB")]
    assert len(reading) >= 3 and reading == sorted(reading) and reading[-1] > reading[0], steps  # the bar moved
    assert steps[-1] == (100, "Drawing…")
    _until(lambda: _gone(child), timeout=30)
    assert not columnar.is_building(folder)
    drawn = render.render(_view(source), None, None, {"source": source})
    assert "12,000 matching" in drawn["pager"]
    assert prepare.request(_view(source))["request"] is no_update and len(page.started) == 2  # stored: nothing


@pytest.mark.parametrize(
    "source",
    [
        "path:/etc/passwd",
        "path:{dir}/../../etc/passwd",
        "path:{dir}/other.log",  # beside the allowed file, not named by the configuration
        "path:{dir}",
        "path:",
        "path:\x00",
    ],
)
def test_a_refused_or_crafted_source_starts_nothing_and_says_why(page, big, monkeypatch, source):
    from webapp.views.logs import prepare, render

    (big.parent / "other.log").write_bytes(big.read_bytes())
    monkeypatch.setattr(early.os, "fork", lambda: pytest.fail("a process was started"))
    page.make()
    source = source.format(dir=big.parent)
    assert prepare.start_early(source, page.make().server.config) is None
    prepare.request(_view(source))
    assert all(pid is None for pid in page.started)
    out = render.render(_view(source), None, None, None)
    assert "GLASSBOX_LOG_PATHS" in str(out["error"].children) or "cannot" in str(out["error"].children)
    assert page.parses() == []


def test_past_the_configured_number_of_builds_the_job_parses_itself(page, big, monkeypatch):
    from webapp.views.logs import prepare

    monkeypatch.setattr(early.os, "fork", lambda: pytest.fail("a process was started"))
    page.make(LOG_EARLY_BUILDS=1)
    page.root.mkdir(parents=True)
    other = open(page.root / ".0123.build", "a")  # noqa: SIM115 - another store is being built
    import fcntl

    fcntl.flock(other.fileno(), fcntl.LOCK_EX)
    try:
        source = f"path:{big}"
        assert prepare.request(_view(source))["request"] == {"source": source}
        assert page.started == [None]
        out = prepare.prepare(lambda step: None, {"source": source}, None)
        assert out["prepared"] == {"source": source}
        assert page.parses() == [os.getpid()]  # the job parsed it
    finally:
        other.close()


def test_no_early_build_when_the_configuration_says_none(page, big, monkeypatch):
    from webapp.views.logs import prepare

    monkeypatch.setattr(early.os, "fork", lambda: pytest.fail("a process was started"))
    page.make(LOG_EARLY_BUILDS=0)
    assert prepare.request(_view(f"path:{big}"))["request"] == {"source": f"path:{big}"}
    assert page.started == [None]


def test_an_early_build_that_fails_is_said_by_the_job(page, big):
    from webapp.views.logs import prepare

    big.write_bytes(b"\x1f\x8b" + os.urandom(3 << 20))  # damaged gzip: not a log
    page.make()
    source = f"path:{big}"
    prepare.request(_view(source))
    child = page.started[0]
    assert isinstance(child, int)
    _until(lambda: _gone(child), timeout=30)  # it failed (logged), and was reaped
    out = prepare.prepare(lambda step: None, {"source": source}, None)
    assert out["prepared"] is no_update and "cannot be read" in str(out["message"].children)
    assert not columnar.is_building(follow.store_folder(big, page.root))
