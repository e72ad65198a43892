"""NN training in a fresh interpreter, with per-epoch progress streamed back as JSON lines.

Dash's background workers (diskcache, and Celery's prefork pool) are forked from the web process. Once
TensorFlow has run anything in a process (the page probes Keras for its losses and activations, and
validating a spec builds an optimizer), a forked child's TensorFlow waits forever on thread pools that did
not survive the fork. So the background callback starts a clean ``python -m webapp.nn_jobs`` for the training
itself and relays its progress; the web process never trains. A subprocess rather than a multiprocessing
child, because Celery's prefork workers are daemonic and may not have multiprocessing children.

Protocol: the request is one JSON object on the child's stdin; the child writes lines starting with
``MARK`` followed by ``["epoch", epoch, epochs, record]``, ``["done", result]`` or ``["error", message]``.
Anything else on its stdout (a library's chatter) is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

MARK = "@@glassbox-nn "


def _send(stream, *message) -> None:
    stream.write(MARK + json.dumps(message, default=lambda o: o.item() if hasattr(o, "item") else str(o)) + "\n")
    stream.flush()


def _child(request: dict, out) -> None:
    """The trainer: train, record the run, and report every epoch and the outcome."""
    try:
        from models.access import LOCAL_USER, User
        from models.db import make_engine
        from models.nn.data import DataError
        from models.nn.spec import SpecError
        from models.nn.workspace import Workspace

        workspace = Workspace(make_engine(request["database_url"]), request["data_dir"], request["mirror"])
        user = User(**request["user"]) if request.get("user") else LOCAL_USER  # who trains: the run's owner
        try:
            dataset = workspace.dataset(request["dataset_id"], user=user)
            run_id, result = workspace.train(
                dataset,
                request["spec"],
                progress=lambda epoch, epochs, record: _send(out, "epoch", epoch, epochs, record),
                should_stop=Path(request["stop_path"]).exists,
                owner=user.name,
            )
        except (SpecError, DataError) as exc:
            _send(out, "error", str(exc))
            return
        _send(
            out,
            "done",
            {
                "run_id": run_id,
                "status": result.status,
                "reason": result.reason,
                "epochs": result.epochs(),
                "final": result.final,
                "task": result.data["task"],
            },
        )
    except Exception as exc:
        _send(out, "error", f"Training failed: {type(exc).__name__}: {exc}")


def train_in_fresh_process(
    database_url: str,
    data_dir: str,
    mirror: str | None,
    dataset_id: str,
    spec: dict,
    stop_path: str,
    progress: Callable[[int, int, dict], None] | None = None,
    user: dict | None = None,
) -> dict:
    """Train ``spec`` on a dataset in a new interpreter and wait for it.

    Args:
        stop_path: A file whose appearance stops training after the current batch.
        progress: Called here with ``(epoch, epochs, record)`` for every epoch the trainer reports.
        user: ``{"name", "role"}`` of who trains: the dataset must be one they may see, the run is theirs.

    Returns:
        ``{"run_id", "status", "reason", "epochs", "final", "task"}``, or ``{"error": message}`` when the
        spec or data was refused or the trainer died.
    """
    request = {
        "database_url": database_url,
        "data_dir": data_dir,
        "mirror": mirror,
        "dataset_id": dataset_id,
        "spec": spec,
        "stop_path": stop_path,
        "user": user,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "webapp.nn_jobs"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        process.stdin.write(json.dumps(request))
        process.stdin.close()
        outcome = _relay(process.stdout, progress)  # ends when the child exits, however it exits
    finally:
        process.stdout.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if outcome is None:
        return {"error": f"The training process ended unexpectedly (exit code {process.returncode})."}
    return outcome


def _relay(lines, progress) -> dict | None:
    """Pass the trainer's epochs to ``progress``; its outcome, or None when it ended without one."""
    outcome = None
    for line in lines:
        if not line.startswith(MARK):
            continue
        kind, *rest = json.loads(line[len(MARK) :])
        if kind == "epoch":
            if progress is not None:
                progress(*rest)
        elif kind == "done":
            outcome = rest[0]
        else:
            outcome = {"error": rest[0]}
    return outcome


def train_in_spare(connection, request: dict, progress: Callable[[int, int, dict], None] | None = None) -> dict:
    """Hand ``request`` to a claimed spare (a connected socket, see :mod:`webapp.nn_warm`) and relay its run."""
    with connection, connection.makefile("rw", encoding="utf-8", newline="\n") as stream:
        stream.write(json.dumps(request) + "\n")
        stream.flush()
        outcome = _relay(stream, progress)
    if outcome is None:
        return {"error": "The training process ended unexpectedly (the warm trainer closed its connection)."}
    return outcome


def train(
    database_url: str,
    data_dir: str,
    mirror: str | None,
    dataset_id: str,
    spec: dict,
    stop_path: str,
    progress: Callable[[int, int, dict], None] | None = None,
    *,
    warm: bool = True,
    owner: int | None = None,
    idle: float = 900.0,
    user: dict | None = None,
) -> dict:
    """Train like :func:`train_in_fresh_process`, on a warm spare trainer when one is ready (``warm``).

    Without a ready spare (the first run, or two runs at once) the run takes a fresh process. Either way a
    replacement spare is started once this run's first epoch is in (or when it ends), so it does not compete
    with this run's start for the CPU; it lives until ``owner`` (a process id, default this process's parent)
    exits or ``idle`` seconds pass without a run.
    """
    if not warm:
        return train_in_fresh_process(database_url, data_dir, mirror, dataset_id, spec, stop_path, progress, user)
    from webapp import nn_warm

    owner = os.getppid() if owner is None else owner
    replaced = []

    def replace() -> None:
        if not replaced:
            replaced.append(True)
            # Without a spare the next run starts cold, as without warm trainers.
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                nn_warm.ensure_spare(data_dir, owner, idle)

    def relay(*args) -> None:
        replace()
        if progress is not None:
            progress(*args)

    connection = nn_warm.claim(data_dir)
    try:
        if connection is None:
            return train_in_fresh_process(database_url, data_dir, mirror, dataset_id, spec, stop_path, relay, user)
        request = {
            "database_url": database_url,
            "data_dir": data_dir,
            "mirror": mirror,
            "dataset_id": dataset_id,
            "spec": spec,
            "stop_path": stop_path,
            "user": user,
        }
        return train_in_spare(connection, request, relay)
    finally:
        replace()


def _main(argv: list[str]) -> None:
    if argv[:1] == ["--spare"]:
        from webapp.nn_warm import serve

        folder, spare_id, owner, idle = argv[1:5]
        serve(Path(folder), spare_id, int(owner), float(idle), _child)
    else:
        _child(json.loads(sys.stdin.read()), sys.stdout)


if __name__ == "__main__":
    _main(sys.argv[1:])
