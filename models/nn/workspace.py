"""Datasets, training and stored runs, tied together for the page and the CLI.

A dataset id names a built-in set or a stored upload and may carry the set's parameters as a query,
so one string says everything a worker process needs to load it: ``black-scholes?rows=2000&seed=3``,
``upload-0123456789abcdef?target=price&task=regression`` (see ``dataset_id``).

Uploaded CSVs are saved under ``<data_dir>/nn/datasets`` named by a hash of their content, runs as a
folder (``model.keras``, ``spec.json``, ``run.json``) under ``<data_dir>/nn/runs``; the database lists
the runs. Files are immutable once written, so each worker process may cache what it loaded.
"""

from __future__ import annotations

import csv
import math
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from sqlalchemy.engine import Engine

from models.access import LOCAL_USER, PRIVATE, TEAM, User
from models.cache import LRU
from models.datasets import DatasetError
from models.files import content_id, is_upload_id, store_by_content
from models.nn.data import (
    TASKS,
    DataError,
    Dataset,
    black_scholes,
    guess_task,
    load_bls_prices,
    load_csv,
    load_digits,
    read_frame,
)
from models.nn.monitor import Progress
from models.nn.store import RunStore
from models.nn.train import Result, train
from models.ownership import Ownership, OwnershipError, label

BUILTIN = {
    "black-scholes": "Black-Scholes call prices (generated from the formula, 10,000 rows)",
    "bls-prices": "Black-Scholes reference file (the talk's data, 10,000 rows, r = 0)",
    "digits": "Handwritten digits 8×8 (scikit-learn, 1,797 rows, 10 classes)",
}
# Generated Black-Scholes sets: default size and the most rows the page may ask for.
BLACK_SCHOLES_ROWS = 10_000
MAX_GENERATED_ROWS = 1_000_000


def dataset_id(base: str, **params) -> str:
    """``base`` with its parameters as a query (``None`` values left out), e.g.
    ``dataset_id("black-scholes", rows=2000, seed=3) == "black-scholes?rows=2000&seed=3"``."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base}?{query}" if query else base


def _parse_id(value: str | None) -> tuple[str, dict]:
    base, _, query = (value or "").partition("?")
    return base, dict(parse_qsl(query, keep_blank_values=True))


def _whole(value, what: str, low: int, high: int | None = None) -> int:
    """A whole number from a query or an input, in ``[low, high]``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not math.isfinite(number) or number != round(number):
        raise DataError(f"The {what} must be a whole number, not {value!r}.")
    if number < low or (high is not None and number > high):
        bound = f"between {low:,} and {high:,}" if high is not None else f"at least {low:,}"
        raise DataError(f"The {what} must be {bound}, not {value!r}.")
    return int(number)


class UnknownDatasetError(DataError, LookupError):
    """A dataset id that is neither built in nor a stored upload."""


_datasets = LRU(4)
_results = LRU(4)


def _header(path: Path) -> list[str]:
    """A stored CSV's column names (stripped, as ``read_frame`` reads them); none when it cannot be read."""
    try:
        with path.open(newline="", encoding="utf-8", errors="replace") as file:
            return [column.strip() for column in next(csv.reader(file), [])]
    except (OSError, csv.Error):
        return []


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
        self.engine = engine
        self.runs = RunStore(engine)
        self.owners = Ownership(engine)

    @property
    def root(self) -> Path:
        return self.data_dir / "nn"

    def save_upload(self, content: bytes, filename: str, owner: User = LOCAL_USER, visibility: str = PRIVATE) -> str:
        """Keep an uploaded CSV for ``owner``; returns its id (the same content always gets the same id)."""
        self.owners.claim("nn", content_id(content), owner.name, visibility, name=filename)
        upload_id, path, created = store_by_content(self.root / "datasets", content, ".csv")
        if created:
            path.with_suffix(".name").write_text(filename)
        return upload_id

    def _stored(self, upload_id: str) -> bool:
        """Whether ``upload_id`` names a stored upload (whoever may see it)."""
        return is_upload_id(upload_id) and (self.root / "datasets" / f"{upload_id}.csv").exists()

    def datasets(self, user: User = LOCAL_USER, chosen: str | None = None) -> dict[str, str]:
        """Dataset id → menu label for ``user``: the built-in sets, then the uploads they may see, newest first.

        An upload is offered with its likeliest target column (``form.guess_target``), or with the target of
        ``chosen`` when that names it ("Use this data" picks any); its label says the owner and visibility,
        e.g. ``"prices.csv → y (ana, private)"``.
        """
        from models.nn.form import guess_target  # form builds on this module

        found = dict(BUILTIN)
        folder = self.root / "datasets"
        paths = (
            sorted(folder.glob("upload-*.csv"), key=lambda p: p.stat().st_mtime, reverse=True)
            if folder.is_dir()
            else []
        )
        visible, owned = self.owners.visible(user, "nn"), self.owners.owned_items("nn")
        chosen_base, params = _parse_id(chosen)
        for path in paths:
            if path.stem in owned and path.stem not in visible:
                continue
            target = params.get("target") if chosen_base == path.stem else None
            target = target or guess_target(_header(path))
            if target is None:
                continue
            entry = visible.get(path.stem, {})
            name_file = path.with_suffix(".name")
            name = entry.get("name") or (name_file.read_text() if name_file.exists() else path.stem)
            key = chosen if chosen_base == path.stem and params.get("target") else dataset_id(path.stem, target=target)
            task = params.get("task") if key == chosen else None
            found[key] = self.upload_label(path.stem, user, name, f"{target} ({task})" if task else target)
        return found

    def upload_label(self, upload_id: str, user: User, name: str, target: str) -> str:
        """How the menu names an upload with its target for ``user``, e.g. ``"prices.csv → y (ana, private)"``."""
        try:
            entry = self.owners.entry_for(user, "nn", upload_id)
        except LookupError:
            raise UnknownDatasetError(f"No dataset named {str(upload_id)[:120]!r}.") from None
        return f"{name} → {target} ({label(entry['owner'], entry['visibility'])})"

    def sharing(self, dataset_id: str | None, user: User) -> dict:
        """Who sees the chosen dataset, for its sharing control: ``{"note", "button", "enabled"}`` (and, when
        enabled, the ``owner`` and ``visibility`` of the entry the button changes).

        The button flips the visibility of ``user``'s own upload of it; an admin's flips the first owner's.
        """
        base, _ = _parse_id(dataset_id)
        share = "Share with the team"
        if base in BUILTIN:
            return {"note": "Built-in data: everyone sees it.", "button": share, "enabled": False}
        if not self._stored(base) or not self.owners.may_see(user, "nn", base):
            return {"note": "", "button": share, "enabled": False}
        entries = self.owners.entries("nn", base)
        if not entries:
            return {"note": "Legacy data: the whole team sees it.", "button": share, "enabled": False}
        own = next((e for e in entries if e["owner"] == user.name), None)
        changed = own or (entries[0] if user.is_admin else None)
        others = ", ".join(f"{e['owner']} ({e['visibility']})" for e in entries if e is not changed)
        if changed is None:
            return {"note": f"Uploaded by {others}.", "button": share, "enabled": False}
        whose = "Your upload" if changed is own else f"{changed['owner']}'s upload"
        note = f"{whose}, {changed['visibility']}." + (f" Also uploaded by {others}." if others else "")
        button = "Make private" if changed["visibility"] == TEAM else share
        return {
            "note": note,
            "button": button,
            "enabled": True,
            "owner": changed["owner"],
            "visibility": changed["visibility"],
        }

    def toggle_visibility(self, dataset_id: str | None, user: User) -> tuple[str, str]:
        """Make ``user``'s upload of the chosen dataset team-visible, or private again (an admin: its first
        owner's); returns ``(owner, visibility)`` as now.

        Raises:
            UnknownDatasetError: no upload ``user`` may see by that id.
            OwnershipError: built-in or legacy data, or an upload ``user`` may not change.
        """
        base, _ = _parse_id(dataset_id)
        if base in BUILTIN:
            raise OwnershipError("Built-in data is everyone's; it cannot be made private.")
        if not self._stored(base) or not self.owners.may_see(user, "nn", base):
            raise UnknownDatasetError(f"No dataset named {str(dataset_id)[:120]!r}.")
        state = self.sharing(dataset_id, user)
        if not state["enabled"]:
            owners = state["note"] or "Legacy data"
            raise OwnershipError(f"{user.name} may not change who sees this upload. {owners}")
        visibility = PRIVATE if state["visibility"] == TEAM else TEAM
        owner = self.owners.set_visibility(user, "nn", base, visibility, owner=state["owner"])
        return owner, visibility

    def dataset(
        self, dataset_id: str, target: str | None = None, task: str | None = None, user: User = LOCAL_USER
    ) -> Dataset:
        """A built-in dataset, or an upload with its ``target`` column (cached per process; do not modify).

        Args:
            dataset_id: A built-in name or an upload id, optionally with parameters (``dataset_id()``):
                ``rows`` and ``seed`` for ``black-scholes``; ``target`` and ``task`` for an upload.
            target, task: An upload's target column and task (override the id's; the task is guessed when
                neither gives one).
            user: Who asks: another user's private upload is no dataset to them.

        Raises:
            UnknownDatasetError: no such dataset (or one ``user`` may not see).
            DataError: the upload cannot be trained on with that target (the message says why).
        """
        base, params = _parse_id(dataset_id)
        if base == "black-scholes":
            rows = _whole(params.get("rows", BLACK_SCHOLES_ROWS), "number of rows", 10, MAX_GENERATED_ROWS)
            seed = _whole(params.get("seed", 0), "seed", 0, 2**32 - 1)
            return _datasets.get((base, rows, seed), lambda: black_scholes(rows, seed=seed))
        if base == "bls-prices":
            try:
                return _datasets.get((base, str(self.data_dir)), lambda: load_bls_prices(self.data_dir, self.mirror))
            except DatasetError as exc:  # not fetched: no network, no mirror (the message names the setting)
                raise DataError(str(exc)) from None
        if base == "digits":
            return _datasets.get((base,), load_digits)
        path = self.root / "datasets" / f"{base}.csv"
        if not is_upload_id(base) or not path.exists() or not self.owners.may_see(user, "nn", base):
            raise UnknownDatasetError(f"No dataset named {str(dataset_id)[:120]!r}.")
        target = target or params.get("target")
        task = task or params.get("task") or None
        if not target:
            raise DataError("Choose the column to predict.")
        if task is not None and task not in TASKS:
            raise DataError(f"The task must be one of {', '.join(TASKS)}, not {task!r}.")
        name_file = path.with_suffix(".name")
        name = name_file.read_text() if name_file.exists() else base
        return _datasets.get((base, target, task, str(self.data_dir)), lambda: load_csv(path, target, task, name=name))

    def describe_upload(self, content: bytes, filename: str, owner: User = LOCAL_USER) -> dict:
        """Check that an upload is a readable CSV table, keep it, and say what it holds.

        Returns:
            ``{"id", "name", "rows", "columns", "tasks"}``: the upload's id for ``dataset``, its file name, row
            count, column names, and the task guessed for each column were it the target.

        Raises:
            DataError: empty, binary or unreadable file (nothing is kept then).
        """
        frame = read_frame(content, filename)
        return {
            "id": self.save_upload(content, filename, owner),
            "name": filename,
            "rows": len(frame),
            "columns": list(frame.columns),
            "tasks": {c: guess_task(frame[c]) for c in frame.columns},
        }

    def train(
        self,
        dataset: Dataset,
        spec: dict,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
        owner: str = LOCAL_USER.name,
        visibility: str = PRIVATE,
    ) -> tuple[int, Result]:
        """Train, save the run's folder and record it (trained by ``owner``); returns ``(run_id, result)``.

        Raises:
            SpecError, DataError: before anything is trained (see ``models.nn.train.train``).
        """
        result = train(dataset, spec, progress=progress, should_stop=should_stop)
        folder = result.save(self.root / "runs" / uuid.uuid4().hex)
        return self.runs.add_result(result, str(folder), owner, visibility), result

    def result(self, run_id: int, with_model: bool = True, user: User = LOCAL_USER) -> Result:
        """A stored run's full result (records with histograms, diagnostics, model), loaded once per process.

        Raises:
            LookupError: no run by that id that ``user`` may see.
        """
        record = self.runs.get(run_id, user)
        if record is None:
            raise LookupError(f"There is no run {run_id!r}.")
        return _results.get(
            (str(self.data_dir), int(record["id"]), with_model),
            lambda: Result.load(record["path"], with_model=with_model),
        )
