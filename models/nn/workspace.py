"""Datasets, training and stored runs, tied together for the page and the CLI.

Uploaded CSVs are saved under ``<data_dir>/nn/datasets`` named by a hash of their content, runs as a
folder (``model.keras``, ``spec.json``, ``run.json``) under ``<data_dir>/nn/runs``; the database lists
the runs. Files are immutable once written, so each worker process may cache what it loaded.
"""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

from models.nn.data import DataError, Dataset, black_scholes, load_bls_prices, load_csv, load_digits
from models.nn.monitor import Progress
from models.nn.store import RunStore
from models.nn.train import Result, train

BUILTIN = {
    "black-scholes": "Black-Scholes call prices (generated from the formula, 10,000 rows)",
    "bls-prices": "Black-Scholes reference file (the talk's data, 10,000 rows, r = 0)",
    "digits": "Handwritten digits 8×8 (scikit-learn, 1,797 rows, 10 classes)",
}
_UPLOAD_ID = re.compile(r"^upload-[0-9a-f]{16}$")


class UnknownDatasetError(DataError, LookupError):
    """A dataset id that is neither built in nor a stored upload."""


class _LRU:
    """A small per-process cache of immutable objects, safe across threads."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key, build):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = build()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


_datasets = _LRU(4)
_results = _LRU(4)


class Workspace:
    """The NN Builder's state in one app: its data folder and database.

    Args:
        engine: SQLAlchemy engine of the app's database.
        data_dir: The app's data folder.
        mirror: Dataset mirror folder (tests, offline installs).
    """

    def __init__(self, engine: Engine, data_dir: str | Path, mirror: str | Path | None = None):
        self.data_dir = Path(data_dir)
        self.mirror = mirror
        self.runs = RunStore(engine)

    @property
    def root(self) -> Path:
        return self.data_dir / "nn"

    def save_upload(self, content: bytes, filename: str) -> str:
        """Keep an uploaded CSV; returns its id (the same content always gets the same id)."""
        upload_id = "upload-" + hashlib.sha256(content).hexdigest()[:16]
        path = self.root / "datasets" / f"{upload_id}.csv"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
            tmp.write_bytes(content)
            tmp.replace(path)
            (path.with_suffix(".name")).write_text(filename)
        return upload_id

    def dataset(self, dataset_id: str, target: str | None = None, task: str | None = None) -> Dataset:
        """A built-in dataset, or an upload with its ``target`` column (cached per process; do not modify).

        Raises:
            UnknownDatasetError: no such dataset.
            DataError: the upload cannot be trained on with that target (the message says why).
        """
        key = (dataset_id, target, task, str(self.data_dir))
        if dataset_id == "black-scholes":
            return _datasets.get(key, lambda: black_scholes(10_000, seed=0))
        if dataset_id == "bls-prices":
            return _datasets.get(key, lambda: load_bls_prices(self.data_dir, self.mirror))
        if dataset_id == "digits":
            return _datasets.get(key, load_digits)
        path = self.root / "datasets" / f"{dataset_id}.csv"
        if not _UPLOAD_ID.match(dataset_id or "") or not path.exists():
            raise UnknownDatasetError(f"No dataset named {dataset_id!r}.")
        if not target:
            raise DataError("Choose the column to predict.")
        name_file = path.with_suffix(".name")
        name = name_file.read_text() if name_file.exists() else dataset_id
        return _datasets.get(key, lambda: load_csv(path, target, task, name=name))

    def train(self, dataset: Dataset, spec: dict, progress: Progress | None = None,
              should_stop: Callable[[], bool] | None = None) -> tuple[int, Result]:
        """Train, save the run's folder and record it; returns ``(run_id, result)``.

        Raises:
            SpecError, DataError: before anything is trained (see ``models.nn.train.train``).
        """
        result = train(dataset, spec, progress=progress, should_stop=should_stop)
        folder = result.save(self.root / "runs" / uuid.uuid4().hex)
        return self.runs.add_result(result, str(folder)), result

    def result(self, run_id: int, with_model: bool = True) -> Result:
        """A stored run's full result (records with histograms, diagnostics, model), loaded once per process."""
        record = self.runs.get(run_id)
        if record is None:
            raise LookupError(f"No NN run {run_id}.")
        return _results.get((str(self.data_dir), int(run_id), with_model),
                            lambda: Result.load(record["path"], with_model=with_model))
