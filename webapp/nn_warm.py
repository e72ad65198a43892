"""Warm trainers: spare interpreters that have already imported TensorFlow, waiting for one training run.

A fresh trainer pays the interpreter's and TensorFlow's start-up (4–5 s on a small machine) before epoch 1.
A spare pays it ahead of time. Spares are shared by every app process on the host (gunicorn workers, Celery
workers) through a folder per data directory, ``<DATA_DIR>/nn/spares``:

- ``<id>.starting``: a launcher started spare ``<id>`` and it is still importing (counts towards the limit).
- ``<id>.ready``: JSON ``{"pid", "socket"}``; the spare listens on that UNIX socket (in a private 0700
  temporary folder: short path, only this user can connect).
- A run claims a spare by renaming ``<id>.ready`` to ``<id>.claimed``. A rename is atomic, so of several
  processes claiming at once exactly one gets it; the others try the next spare or fall back to a fresh one.
- An idle spare retires by renaming its own ``.ready`` to ``.retired``; if that rename fails, a run has just
  claimed it, and it waits for that run's connection instead. So a claimed spare never quits under a run.

A spare serves one run (the request line and then the same ``MARK`` lines as the fresh trainer) and exits,
removing its files. It also exits when its owner (the app process that started it) is gone or after
``idle`` seconds without a run. Spares are started by a short-lived launcher that detaches them, so no app
process is left with zombie children.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

STARTING_STALE_S = 180
"""A ``.starting`` file older than this belongs to a spare that died while importing."""

CLAIMED_WAIT_S = 30
"""How long an idle spare that lost its retirement to a claim waits for the claimer to connect."""

_DETACH = (
    "import subprocess, sys; subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,"
    " stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)"
)


def spares_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "nn" / "spares"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def ready_spares(data_dir: str | Path) -> list[dict]:
    """The spares waiting for a run, each ``{"id", "pid", "socket"}`` (files of dead spares are removed)."""
    found = []
    for path in sorted(spares_dir(data_dir).glob("*.ready")):
        info = _read(path)
        if info is None:
            continue
        if not _alive(int(info["pid"])):
            path.unlink(missing_ok=True)
            continue
        found.append({"id": path.stem, **info})
    return found


def _starting(folder: Path) -> int:
    count = 0
    for path in folder.glob("*.starting"):
        try:
            age = time.time() - path.stat().st_mtime
        except FileNotFoundError:
            continue
        pid = (_read(path) or {}).get("pid")
        if age > STARTING_STALE_S or (pid is not None and not _alive(int(pid))):
            path.unlink(missing_ok=True)
        else:
            count += 1
    return count


def start_spare(data_dir: str | Path, owner: int, idle: float = 900.0) -> str:
    """Start one spare for ``data_dir`` that exits when process ``owner`` is gone or after ``idle`` seconds.

    Returns:
        The spare's id; ``<id>.ready`` appears in :func:`spares_dir` once it is warm.
    """
    folder = spares_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    spare_id = uuid.uuid4().hex
    (folder / f"{spare_id}.starting").touch()
    command = [sys.executable, "-m", "webapp.nn_jobs", "--spare", str(folder), spare_id, str(owner), str(idle)]
    subprocess.run([sys.executable, "-c", _DETACH, *command], check=True, timeout=60)
    return spare_id


def ensure_spare(data_dir: str | Path, owner: int, idle: float = 900.0, limit: int = 1) -> str | None:
    """Start a spare unless ``limit`` spares are already ready or starting; returns the new id or None."""
    folder = spares_dir(data_dir)
    if folder.is_dir() and len(ready_spares(data_dir)) + _starting(folder) >= limit:
        return None
    return start_spare(data_dir, owner, idle)


def claim(data_dir: str | Path) -> socket.socket | None:
    """Claim a ready spare and connect to it; None when there is none (the caller trains in a fresh process)."""
    folder = spares_dir(data_dir)
    for path in sorted(folder.glob("*.ready")) if folder.is_dir() else []:
        claimed = path.with_suffix(".claimed")
        try:
            os.rename(path, claimed)
        except FileNotFoundError:
            continue  # another process claimed it, or it retired
        info = _read(claimed)
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            if info is None:
                raise OSError("unreadable spare file")
            connection.connect(info["socket"])
        except OSError:
            connection.close()
            claimed.unlink(missing_ok=True)  # the spare died; its files would otherwise stay
            continue
        return connection
    return None


def stop_spares(data_dir: str | Path, timeout: float = 30.0) -> None:
    """End every spare of ``data_dir`` that is not serving a run, and wait for them to exit (tests, shutdown).

    A ready spare is retired (renamed, so no run can claim it) and notices within half a second; a starting one
    is retired the same way and terminated, as its import could take many seconds more.
    """
    import signal

    folder = spares_dir(data_dir)
    pids = []
    for path in sorted(folder.glob("*.ready")) + sorted(folder.glob("*.starting")) if folder.is_dir() else []:
        info = _read(path)
        try:
            os.rename(path, path.with_suffix(".retired"))
        except FileNotFoundError:
            continue
        if info is not None:
            pids.append(int(info["pid"]))
            if path.suffix == ".starting":
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pids[-1], signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids:  # a terminated starting spare cannot tidy up after itself
        if not _alive(pid):
            for path in folder.glob("*.retired"):
                if (_read(path) or {}).get("pid") == pid:
                    path.unlink(missing_ok=True)


def _warm_up() -> None:
    """Import everything a run needs and train a tiny network once the way a run does (TensorFlow and Keras
    load kernels and modules lazily, on first use). Runs seed Keras themselves, so this leaves no trace."""
    import keras

    import models.nn.workspace  # noqa: F401
    from models.db import make_engine  # noqa: F401
    from models.nn.data import black_scholes
    from models.nn.spec import default_spec
    from models.nn.train import train

    train(black_scholes(200), {**default_spec("regression"), "epochs": 2, "batch_size": 64})
    keras.backend.clear_session()


def serve(folder: Path, spare_id: str, owner: int, idle: float, handle) -> None:
    """The spare's life: warm up, announce itself, wait for one claim, run ``handle(request, stream)``, exit."""
    starting = folder / f"{spare_id}.starting"
    try:
        with open(starting, "r+") as file:  # never re-creates a file stop_spares has retired
            file.write(json.dumps({"pid": os.getpid()}))
    except FileNotFoundError:
        return
    _warm_up()
    announcing = folder / f"{spare_id}.announcing"
    try:
        os.rename(starting, announcing)
    except FileNotFoundError:
        (folder / f"{spare_id}.retired").unlink(missing_ok=True)
        return  # retired by stop_spares (or its folder is gone) while it warmed up
    private = tempfile.mkdtemp(prefix="gbnn-")
    address = os.path.join(private, "s")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ready = folder / f"{spare_id}.ready"
    try:
        listener.bind(address)
        listener.listen(1)
        listener.settimeout(0.5)
        draft = folder / f"{spare_id}.draft"
        draft.write_text(json.dumps({"pid": os.getpid(), "socket": address}))
        os.replace(draft, ready)
        deadline = time.monotonic() + idle
        claimed_deadline = None
        while True:
            try:
                connection, _ = listener.accept()
                break
            except TimeoutError:
                pass
            if (folder / f"{spare_id}.retired").exists():
                return  # retired by stop_spares
            if time.monotonic() > deadline or not _alive(owner) or not folder.is_dir():
                try:
                    os.rename(ready, ready.with_suffix(".retired"))
                    return
                except FileNotFoundError:
                    if not folder.is_dir():
                        return
                    # Claimed just now: wait a little for the claimer to connect.
                    claimed_deadline = claimed_deadline or time.monotonic() + CLAIMED_WAIT_S
                    if time.monotonic() > claimed_deadline:
                        return
        listener.close()
        connection.settimeout(None)
        with connection, connection.makefile("rw", encoding="utf-8", newline="\n") as stream:
            line = stream.readline()
            if line:
                handle(json.loads(line), stream)
    finally:
        listener.close()
        shutil.rmtree(private, ignore_errors=True)
        for path in folder.glob(f"{spare_id}.*"):
            path.unlink(missing_ok=True)
