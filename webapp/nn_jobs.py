"""NN training in a fresh ("spawned") process, with per-epoch progress sent back over a queue.

Dash's background workers (diskcache, and Celery's prefork pool) are forked from the web process. Once
TensorFlow has run anything in a process (the page probes Keras for its losses and activations, and
validating a spec builds an optimizer), a forked child's TensorFlow waits forever on thread pools that did
not survive the fork. So the background callback starts a clean interpreter for the training itself and
relays its progress; the web process never trains.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
from collections.abc import Callable
from pathlib import Path

# Seconds to wait for a message before checking that the trainer is still alive.
POLL_S = 1.0


def _child(messages, database_url: str, data_dir: str, mirror: str | None, dataset_id: str, spec: dict, stop_path: str):
    """The trainer process: train, record the run, and report every epoch and the outcome."""
    try:
        from models.db import make_engine
        from models.nn.data import DataError
        from models.nn.spec import SpecError
        from models.nn.workspace import Workspace

        workspace = Workspace(make_engine(database_url), data_dir, mirror)
        try:
            dataset = workspace.dataset(dataset_id)
            run_id, result = workspace.train(
                dataset, spec, progress=lambda epoch, epochs, record: messages.put(("epoch", epoch, epochs, record)),
                should_stop=Path(stop_path).exists)
        except (SpecError, DataError) as exc:
            messages.put(("error", str(exc)))
            return
        messages.put(("done", {"run_id": run_id, "status": result.status, "reason": result.reason,
                               "epochs": result.epochs(), "final": result.final, "task": result.data["task"]}))
    except Exception as exc:  # noqa: BLE001 - whatever breaks is reported on the page, never a silent hang
        messages.put(("error", f"Training failed: {type(exc).__name__}: {exc}"))


def train_in_fresh_process(database_url: str, data_dir: str, mirror: str | None, dataset_id: str, spec: dict,
                           stop_path: str, progress: Callable[[int, int, dict], None] | None = None) -> dict:
    """Train ``spec`` on a dataset in a spawned process and wait for it.

    Args:
        stop_path: A file whose appearance stops training after the current batch.
        progress: Called here with ``(epoch, epochs, record)`` for every epoch the trainer reports.

    Returns:
        ``{"run_id", "status", "reason", "epochs", "final", "task"}``, or ``{"error": message}`` when the
        spec or data was refused or the trainer died.
    """
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    process = context.Process(target=_child, args=(messages, database_url, data_dir, mirror, dataset_id, spec, stop_path),
                              daemon=True)
    process.start()
    try:
        while True:
            try:
                message = messages.get(timeout=POLL_S)
            except queue_module.Empty:
                if not process.is_alive():
                    return {"error": f"The training process ended unexpectedly (exit code {process.exitcode})."}
                continue
            if message[0] == "epoch":
                if progress is not None:
                    progress(*message[1:])
            elif message[0] == "done":
                return message[1]
            else:
                return {"error": message[1]}
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
