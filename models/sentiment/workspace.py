"""Datasets, corrections and runs, tied together for the page, the API and the CLI.

Uploaded datasets are saved as Parquet named by a hash of their content, runs as a folder with
the fitted model and its scores, both under ``<data_dir>/sentiment``; the database records
corrections and runs. Everything on disk is immutable once written, so each worker process may
cache what it loaded (read-only) and every worker sees the same state through the database.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models import audit
from models.access import LOCAL_USER, PRIVATE, TEAM, User
from models.cache import LRU
from models.files import content_id, is_upload_id, store_by_content
from models.ownership import Ownership, label
from models.sentiment.data import load_tweets
from models.sentiment.export import safe_csv
from models.sentiment.labels import LABELS, label_names
from models.sentiment.selection import SelectionError, check_label, check_rows, whole_number
from models.sentiment.store import CorrectionStore, RunStore
from models.sentiment.tickers import dataset_mentions
from models.sentiment.train import MIN_PER_CLASS, Progress, Run, train

DEFAULT_DATASET = "tweets"
BUILTIN = {DEFAULT_DATASET: "Financial news tweets (public, 11,931)"}


class UnknownDatasetError(LookupError):
    """A dataset id that is neither built in nor a stored upload."""


log = logging.getLogger(__name__)
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
        self.owners = Ownership(engine)

    @property
    def root(self) -> Path:
        return self.data_dir / "sentiment"

    # datasets -------------------------------------------------------------------------
    def save_dataset(
        self, dataset: pd.DataFrame, name: str = "upload", owner: User = LOCAL_USER, visibility: str = PRIVATE
    ) -> str:
        """Store a labelled dataset (see ``models.sentiment.data.labelled``) for ``owner`` and return its id.

        The same content uploaded by another user is the same file, with an owner entry for each of them.
        """
        buffer = io.BytesIO()
        extra = [c for c in ("id", "time") if c in dataset.columns]  # an upload's own ids and times, when chosen
        dataset[["text", "label", "split", *extra]].to_parquet(buffer, index=False)
        payload = buffer.getvalue()
        self.owners.claim("sentiment", content_id(payload), owner.name, visibility, name=str(name)[:120])
        dataset_id, path, created = store_by_content(self.root / "datasets", payload, ".parquet")
        if created:
            meta = {"name": str(name)[:120], "rows": int(len(dataset))}
            path.with_suffix(".json").write_text(json.dumps(meta))
        return dataset_id

    def datasets(self, user: User = LOCAL_USER) -> dict[str, str]:
        """Dataset id → display name for ``user``: the built-in ones, then the uploads they may see, newest first.

        An upload's name says its owner and visibility, e.g. ``"trades.csv (500 rows; ana, private)"``.
        """
        found = dict(BUILTIN)
        folder = self.root / "datasets"
        metas = (
            sorted(folder.glob("upload-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
            if folder.is_dir()
            else []
        )
        visible, owned = self.owners.visible(user, "sentiment"), self.owners.owned_items("sentiment")
        for meta_path in metas:
            dataset_id = meta_path.stem
            if dataset_id in owned and dataset_id not in visible:
                continue
            try:
                meta = json.loads(meta_path.read_text())
            except (OSError, ValueError):
                continue
            entry = visible.get(dataset_id, {})
            name = entry.get("name") or meta.get("name", "upload")
            who = label(entry.get("owner"), entry.get("visibility"))
            found[dataset_id] = f"{name} ({meta.get('rows', '?'):,} rows; {who})"
        return found

    def may_see(self, dataset_id: str, user: User) -> bool:
        """Whether ``user`` may open the dataset (built in, legacy, or an upload with an entry they may see)."""
        return dataset_id in BUILTIN or self.owners.may_see(user, "sentiment", dataset_id)

    def dataset(self, dataset_id: str, user: User = LOCAL_USER) -> pd.DataFrame:
        """The dataset's rows (``text``, ``label``, ``split``; ``id``, ``time`` when the upload had them), without
        corrections. Do not modify it.

        Raises:
            UnknownDatasetError: no such dataset, or one ``user`` may not see (the same words: a private
                upload's existence is not told).
        """
        if dataset_id == DEFAULT_DATASET:
            return _datasets.get((dataset_id, str(self.data_dir)), lambda: load_tweets(self.data_dir, self.mirror))
        path = self.root / "datasets" / f"{dataset_id}.parquet"
        if not is_upload_id(dataset_id) or not path.exists() or not self.may_see(dataset_id, user):
            raise UnknownDatasetError(f"No dataset named {str(dataset_id)[:80]!r}.")
        return _datasets.get((dataset_id, str(self.data_dir)), lambda: pd.read_parquet(path))

    def labels(self, dataset_id: str, user: User = LOCAL_USER) -> tuple[np.ndarray, np.ndarray]:
        """Current labels (corrections applied) and the mask of corrected rows."""
        return self.corrections.apply(dataset_id, self.dataset(dataset_id, user)["label"].to_numpy())

    def relabel(self, dataset_id: str, rows, new_label: str, user: User = LOCAL_USER) -> int:
        """Give ``rows`` the label ``new_label`` as one correction batch (one undo step) by ``user``.

        Returns:
            How many of the rows changed label (rows that already had it are not recorded).

        Raises:
            SelectionError: a row outside the dataset, or a label that is not a class.
        """
        check_label(new_label)
        dataset = self.dataset(dataset_id, user)
        rows = check_rows(rows, len(dataset))
        labels, _ = self.labels(dataset_id, user)
        texts = dataset["text"].to_numpy()[rows]
        self.corrections.relabel(dataset_id, rows, texts, label_names(labels[rows]), new_label, author=user.name)
        return int(np.sum(labels[rows] != LABELS.index(new_label)))

    def undo(self, dataset_id: str, user: User = LOCAL_USER) -> tuple[int, str | None]:
        """Undo ``user``'s newest correction batch of the dataset (an admin: anyone's); ``(rows, its author)``."""
        self.dataset(dataset_id, user)  # one they may see
        return self.corrections.undo_batch(dataset_id, user)

    def answer(self, dataset_id: str, row, new_label: str, expected: str, user: User = LOCAL_USER) -> str | None:
        """The labelling queue's answer by ``user``: give one row ``new_label``, as a correction batch of its own.

        Args:
            expected: The row's label when the queue showed it (``""``: unlabelled). If another user changed it
                since, nothing is stored: labelling a row twice at once must not silently overwrite an answer.

        Returns:
            The batch id (for the queue's undo), or None when the row already had ``new_label``.

        Raises:
            SelectionError: a row outside the dataset, a label that is not a class, or a row whose label is no
                longer ``expected``.
        """
        check_label(new_label)
        if expected not in ("", *LABELS):
            raise SelectionError(f"{str(expected)[:40]!r} is neither a class nor unlabelled.")
        dataset = self.dataset(dataset_id, user)
        (row,) = check_rows([row], len(dataset))
        labels, _ = self.labels(dataset_id, user)
        current = label_names(labels[[row]])[0]
        if current != expected:
            now = current or "unlabelled"
            raise SelectionError(
                f"Row {row} is {now} now (someone else answered it meanwhile); your answer was not stored."
            )
        if current == new_label:
            return None
        return self.corrections.relabel(
            dataset_id, [row], [dataset["text"].iat[row]], [current], new_label, author=user.name
        )

    def undo_answer(self, dataset_id: str, batch, user: User = LOCAL_USER) -> int:
        """Undo one answer of the labelling queue (its batch, if ``user``'s); returns 1, or 0 when it was undone
        already."""
        if not (isinstance(batch, str) and len(batch) == 32 and all(c in "0123456789abcdef" for c in batch)):
            raise SelectionError("The queue lost track of its last answer; nothing was undone.")
        self.dataset(dataset_id, user)
        return self.corrections.undo_batch(dataset_id, user, batch)[0]

    def corrected_csv(self, dataset_id: str, user: User = LOCAL_USER) -> str:
        """The dataset with corrections applied, as CSV text (text, label, split, corrected, author), formulas
        neutralised; ``author`` names who made a corrected row's label (empty for rows never corrected)."""
        labels, mask = self.labels(dataset_id, user)
        frame = self.dataset(dataset_id, user)
        authors = np.full(len(frame), "", dtype=object)
        for row, author in self.corrections.authors(dataset_id).items():
            if row < len(authors):
                authors[row] = author
        out = pd.DataFrame(
            {
                "text": frame["text"],
                "label": label_names(labels),
                "split": frame["split"],
                "corrected": mask,
                "author": authors,
            }
        )
        return safe_csv(out)  # tweets starting with "=", "+", "-", "@" must not run as spreadsheet formulas

    # runs -----------------------------------------------------------------------------
    def train(
        self,
        dataset_id: str,
        params: dict | None = None,
        progress: Progress | None = None,
        user: User = LOCAL_USER,
        visibility: str = PRIVATE,
        min_per_class: int = MIN_PER_CLASS,
    ) -> int:
        """Train on the current labels, store the run (owned by ``user``) and return its id.

        Raises:
            TooFewLabelsError: fewer than ``min_per_class`` labelled training rows of some class.
        """
        dataset = self.dataset(dataset_id, user)
        labels, mask = self.labels(dataset_id, user)
        run = train(dataset, labels, params, progress=progress, min_per_class=min_per_class)
        folder = self.root / "runs" / uuid.uuid4().hex
        run.save(folder)
        run_id = self.runs.add(
            dataset_id,
            run.model.get_params(),
            run.metrics,
            int(mask.sum()),
            run.seconds,
            str(folder),
            owner=user.name,
            visibility=visibility,
        )
        return int(run_id)

    def first_model_visibility(self, dataset_id: str, user: User) -> str:
        """A first model is seen by whoever sees its data: team on built-in and legacy or team-visible uploads."""
        if dataset_id in BUILTIN:
            return TEAM
        return self.owners.entry_for(user, "sentiment", dataset_id)["visibility"]

    def latest_run_id(
        self,
        dataset_id: str,
        train_if_missing: bool = True,
        progress: Progress | None = None,
        user: User = LOCAL_USER,
        min_per_class: int = MIN_PER_CLASS,
    ) -> int | None:
        """The dataset's newest run that ``user`` may see; trains one first when there is none (once per process
        at a time), owned by ``user`` and visible as ``first_model_visibility`` says.

        The web page never calls this with ``train_if_missing`` inside a request: it asks with False, and
        a background job trains the first model (``progress`` reports its steps).
        """
        self.dataset(dataset_id, user)  # one they may see
        record = self.runs.latest(dataset_id, user=user)
        if record is None and train_if_missing:
            with _train_lock:
                record = self.runs.latest(dataset_id, user=user)
                if record is None:
                    visibility = self.first_model_visibility(dataset_id, user)
                    run_id = self.train(
                        dataset_id, progress=progress, user=user, visibility=visibility, min_per_class=min_per_class
                    )
                    self._audit(
                        user, "sentiment.first_model", f"dataset:{dataset_id}", run=run_id, visibility=visibility
                    )
                    return run_id
        return None if record is None else int(record["id"])

    def _audit(self, user: User, action: str, target: str, **detail) -> None:
        """Record an audit event by ``user`` (trainings outside a request: the page's background job, the API's
        first-model process); an audit outage is logged and never fails the training."""
        try:
            audit.record(self.engine, user.name, action, target, **detail)
        except sa.exc.DatabaseError as exc:
            log.error("Could not write the audit event %s on %s (%s).", action, target, exc.__class__.__name__)

    def run_record(self, run_id, dataset_id: str | None = None, user: User = LOCAL_USER) -> dict:
        """The stored record of a run a client named, checked: a whole number naming a run (of ``dataset_id``)
        that ``user`` may see, of a dataset they may see.

        Raises:
            SelectionError: not a whole number, no such run, a run of another dataset, or one ``user`` may not
                see (in the same words as a missing one).
        """
        record = self.runs.get(whole_number(run_id, "A model run"), user) if _fits_int32(run_id) else None
        if record is not None and not self.may_see(record["dataset"], user):
            record = None
        if record is None or (dataset_id is not None and record["dataset"] != dataset_id):
            raise SelectionError(f"There is no model run {str(run_id)[:40]!r} for this dataset.")
        return record

    def run(self, run_id: int, user: User = LOCAL_USER) -> Run:
        """A stored run ``user`` may see, loaded once per process."""
        record = self.runs.get(run_id, user)
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
