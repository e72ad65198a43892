"""A dataset's first sentiment model, trained outside any request.

Training the first model takes 20 s to minutes; a PaaS router cuts a request at ~30 s and a worker thread
held that long is a denial of service. So a request that finds no model calls ``start``, which returns at
once (a few milliseconds) after launching ``python -m webapp.first_model`` as a detached process, and answers
503 with Retry-After.

One training per dataset across every worker and process: ``start`` takes an exclusive ``flock`` on
``<DATA_DIR>/sentiment/first-model/<dataset>.lock`` without waiting and hands that open file to the child,
which holds the lock until it exits (the kernel drops it even if the child is killed). A request that finds
the lock taken knows training is under way. A failure (dataset unavailable, database down) is written to
``<dataset>.json`` and reported for ``FAILED_RETRY_S`` before another attempt is made.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.access import LOCAL_USER, User

RETRY_AFTER_S = 10  # what a client is told to wait while the first model trains
FAILED_RETRY_S = 60  # a failed attempt is reported this long before the next one starts


@dataclass(frozen=True)
class Pending:
    """Why there is no model yet: ``training`` (started or under way) or ``failed`` with the reason."""

    state: str
    retry_after: int
    reason: str = ""


def _folder(data_dir: str | Path) -> Path:
    return Path(data_dir) / "sentiment" / "first-model"


def start(config: Mapping[str, Any], dataset_id: str, user: User = LOCAL_USER) -> Pending:
    """Make sure the first model of ``dataset_id`` is being trained outside this process; return at once.

    Args:
        config: The app's settings (``DATA_DIR``, ``DATABASE_URL``, ``DATA_MIRROR``).
        dataset_id: A dataset id known to the workspace (checked by the caller).
        user: Who asked: the model is theirs, as visible as the dataset is to them
            (``Workspace.first_model_visibility``).
    """
    folder = _folder(config["DATA_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    failed = _recent_failure(folder / f"{dataset_id}.json")
    if failed:
        return failed
    fd = os.open(folder / f"{dataset_id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return Pending("training", RETRY_AFTER_S)
        env = dict(os.environ)
        env.update(GLASSBOX_DATA_DIR=str(config["DATA_DIR"]), GLASSBOX_DATABASE_URL=str(config["DATABASE_URL"]))
        if config.get("DATA_MIRROR"):
            env["GLASSBOX_DATA_MIRROR"] = str(config["DATA_MIRROR"])
        with open(folder / f"{dataset_id}.log", "ab") as log:
            child = subprocess.Popen(
                [sys.executable, "-m", "webapp.first_model", dataset_id, str(fd), user.name, user.role],
                env=env,
                pass_fds=(fd,),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a worker restart or a Ctrl-C on the server does not stop it
            )
        threading.Thread(target=child.wait, name=f"reap-first-model-{child.pid}", daemon=True).start()
        return Pending("training", RETRY_AFTER_S)
    finally:
        os.close(fd)  # the child's copy keeps the lock


def _recent_failure(status_path: Path) -> Pending | None:
    try:
        status = json.loads(status_path.read_text())
        age = time.time() - float(status["at"])
        reason = str(status["error"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if 0 <= age < FAILED_RETRY_S:
        return Pending("failed", max(1, int(FAILED_RETRY_S - age)), reason)
    return None


def _train(dataset_id: str, user: User = LOCAL_USER) -> None:
    """The child: train the first model unless another process did meanwhile; record a failure's reason."""
    from models.datasets import DatasetError
    from models.db import make_engine
    from models.sentiment.workspace import Workspace

    data_dir = os.environ["GLASSBOX_DATA_DIR"]
    status_path = _folder(data_dir) / f"{dataset_id}.json"
    try:
        engine = make_engine(os.environ["GLASSBOX_DATABASE_URL"])
        workspace = Workspace(engine, data_dir, os.environ.get("GLASSBOX_DATA_MIRROR") or None)
        workspace.latest_run_id(dataset_id, user=user)  # trains when there is still no run they may see
    except DatasetError as exc:
        _write_failure(status_path, str(exc))
        raise
    except Exception as exc:
        _write_failure(status_path, f"Training the first model failed ({exc.__class__.__name__}); see the server log.")
        raise
    status_path.unlink(missing_ok=True)


def _write_failure(path: Path, reason: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"error": reason, "at": time.time()}))
    tmp.replace(path)


if __name__ == "__main__":
    # sys.argv[2], the inherited lock's fd, stays open until this process exits
    _train(sys.argv[1], User(sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else LOCAL_USER)
