"""Datasets, corrections and runs, tied together for the page, the API and the CLI.

Uploaded datasets are saved as Parquet named by a hash of their content, runs as a folder with
the fitted model and its scores, both under ``<data_dir>/sentiment``; the database records
corrections and runs. Everything on disk is immutable once written, so each worker process may
cache what it loaded (read-only) and every worker sees the same state through the database.
"""

from __future__ import annotations

import io
import json
import threading
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from models.cache import LRU
from models.files import is_upload_id, store_by_content
from models.sentiment.data import load_tweets
from models.sentiment.export import safe_csv
from models.sentiment.labels import LABELS
from models.sentiment.selection import SelectionError, check_label, check_rows, whole_number
from models.sentiment.store import CorrectionStore, RunStore
from models.sentiment.tickers import dataset_mentions
from models.sentiment.train import Progress, Run, train

DEFAULT_DATASET = "tweets"
BUILTIN = {DEFAULT_DATASET: "Financial news tweets (public, 11,931)"}


class UnknownDatasetError(LookupError):
    """A dataset id that is neither built in nor a stored upload."""


_datasets = LRU(4)
_runs = LRU(6)
_mentions = LRU(6)
_train_lock = threading.Lock()


class Workspace:
    """The sentiment state of one app: its data folder and database.

    Args:
        engine: SQLAlchemy engine of the app's database.
        data_dir: The app's data folder.
        mirror: Dataset mirror folder (tests, offline installs).
    """

    def __init__(self, engine: Engine, data_dir: str | Path, mirror: str | Path | None = None):
        self.engine = engine
        self.data_dir = Path(data_dir)
        self.mirror = mirror
        self.corrections = CorrectionStore(engine)
        self.runs = RunStore(engine)

    @property
    def root(self) -> Path:
        return self.data_dir / "sentiment"

    # datasets -------------------------------------------------------------------------
    def save_dataset(self, dataset: pd.DataFrame, name: str = "upload") -> str:
        """Store a labelled dataset (see ``models.sentiment.data.labelled``) and return its id."""
        buffer = io.BytesIO()
        extra = [c for c in ("id", "time") if c in dataset.columns]  # an upload's own ids and times, when chosen
        dataset[["text", "label", "split", *extra]].to_parquet(buffer, index=False)
        payload = buffer.getvalue()
        dataset_id, path, created = store_by_content(self.root / "datasets", payload, ".parquet")
        if created:
            meta = {"name": str(name)[:120], "rows": int(len(dataset))}
            path.with_suffix(".json").write_text(json.dumps(meta))
        return dataset_id

    def datasets(self) -> dict[str, str]:
        """Dataset id → display name: the built-in ones, then stored uploads, newest first."""
        found = dict(BUILTIN)
        folder = self.root / "datasets"
        metas = (
            sorted(folder.glob("upload-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
            if folder.is_dir()
            else []
        )
        for meta_path in metas:
            try:
                meta = json.loads(meta_path.read_text())
            except (OSError, ValueError):
                continue
            found[meta_path.stem] = f"{meta.get('name', 'upload')} ({meta.get('rows', '?'):,} rows)"
        return found

    def dataset(self, dataset_id: str) -> pd.DataFrame:
        """The dataset's rows (``text``, ``label``, ``split``; ``id``, ``time`` when the upload had them), without
        corrections. Do not modify it."""
        if dataset_id == DEFAULT_DATASET:
            return _datasets.get((dataset_id, str(self.data_dir)), lambda: load_tweets(self.data_dir, self.mirror))
        path = self.root / "datasets" / f"{dataset_id}.parquet"
        if not is_upload_id(dataset_id) or not path.exists():
            raise UnknownDatasetError(f"No dataset named {dataset_id!r}.")
        return _datasets.get((dataset_id, str(self.data_dir)), lambda: pd.read_parquet(path))

    def labels(self, dataset_id: str) -> tuple[np.ndarray, np.ndarray]:
        """Current labels (corrections applied) and the mask of corrected rows."""
        return self.corrections.apply(dataset_id, self.dataset(dataset_id)["label"].to_numpy())

    def relabel(self, dataset_id: str, rows, new_label: str) -> int:
        """Give ``rows`` the label ``new_label`` as one correction batch (one undo step).

        Returns:
            How many of the rows changed label (rows that already had it are not recorded).

        Raises:
            SelectionError: a row outside the dataset, or a label that is not a class.
        """
        check_label(new_label)
        dataset = self.dataset(dataset_id)
        rows = check_rows(rows, len(dataset))
        labels, _ = self.labels(dataset_id)
        names = np.asarray(LABELS, dtype=object)
        self.corrections.relabel(dataset_id, rows, dataset["text"].to_numpy()[rows], names[labels[rows]], new_label)
        return int(np.sum(labels[rows] != LABELS.index(new_label)))

    def corrected_csv(self, dataset_id: str) -> str:
        """The dataset with corrections applied, as CSV text (text, label, split, corrected), formulas neutralised."""
        labels, mask = self.labels(dataset_id)
        frame = self.dataset(dataset_id)
        out = pd.DataFrame(
            {"text": frame["text"], "label": np.asarray(LABELS)[labels], "split": frame["split"], "corrected": mask}
        )
        return safe_csv(out)  # tweets starting with "=", "+", "-", "@" must not run as spreadsheet formulas

    # runs -----------------------------------------------------------------------------
    def train(self, dataset_id: str, params: dict | None = None, progress: Progress | None = None) -> int:
        """Train on the current labels, store the run and return its id."""
        dataset = self.dataset(dataset_id)
        labels, mask = self.labels(dataset_id)
        run = train(dataset, labels, params, progress=progress)
        folder = self.root / "runs" / uuid.uuid4().hex
        run.save(folder)
        run_id = self.runs.add(
            dataset_id, run.model.get_params(), run.metrics, int(mask.sum()), run.seconds, str(folder)
        )
        return int(run_id)

    def latest_run_id(
        self, dataset_id: str, train_if_missing: bool = True, progress: Progress | None = None
    ) -> int | None:
        """The dataset's newest run; trains one first when there is none (once per process at a time).

        The web page never calls this with ``train_if_missing`` inside a request: it asks with False, and
        a background job trains the first model (``progress`` reports its steps).
        """
        record = self.runs.latest(dataset_id)
        if record is None and train_if_missing:
            with _train_lock:
                record = self.runs.latest(dataset_id)
                if record is None:
                    return self.train(dataset_id, progress=progress)
        return None if record is None else int(record["id"])

    def run_record(self, run_id, dataset_id: str | None = None) -> dict:
        """The stored record of a run a client named, checked: a whole number naming a run (of ``dataset_id``).

        Raises:
            SelectionError: not a whole number, no such run, or a run of another dataset.
        """
        record = self.runs.get(whole_number(run_id, "A model run")) if _fits_int32(run_id) else None
        if record is None or (dataset_id is not None and record["dataset"] != dataset_id):
            raise SelectionError(f"There is no model run {str(run_id)[:40]!r} for this dataset.")
        return record

    def run(self, run_id: int) -> Run:
        """A stored run, loaded once per process."""
        record = self.runs.get(run_id)
        if record is None:
            raise LookupError(f"No model run {run_id}.")
        return _runs.get(
            ("run", str(self.data_dir), int(run_id)),
            lambda: Run.load(record["path"], record["metrics"], record["seconds"]),
        )

    def mentions(self, dataset_id: str, run_id: int) -> pd.DataFrame:
        """Cashtag mentions with a time and the run's score (``models.sentiment.tickers.mentions``), once per
        process per run: a run's scores and a dataset never change once written."""
        return _mentions.get(
            ("mentions", str(self.data_dir), dataset_id, int(run_id)),
            lambda: dataset_mentions(self.dataset(dataset_id), self.run(run_id).scores),
        )


def _fits_int32(value) -> bool:
    """Whole numbers the database can compare with an id column (PostgreSQL's integer is 32-bit)."""
    return abs(whole_number(value, "A model run")) < 2**31
