"""The "Parquet dataset" log source: events larger than memory, in ts-sorted Parquet files, cubed on Dask.

A dataset is a folder or an fsspec URL (``/data/shop-events``, ``s3://bucket/shop-events``) of
Parquet files with ``models.logs.parse.EVENT_SCHEMA``'s columns, sorted by ``ts`` across files in
name order (``python -m models.logs generate-parquet`` and ``parse --out`` of one time-ordered log
write such folders). Only datasets named by the configuration (``GLASSBOX_LOG_DATASETS``) open.

Opening one never reads its rows into the web process:

- ``build_cube`` reads it once on a Dask cluster (``models.logs.distributed.connect``): one task per
  run of row groups counts events and bytes per (minute, product, category, status), the client adds
  the partial counts up, reporting progress as tasks finish. The result — the hourly cube and the
  per-minute cube ``models.logs.aggregate`` reads, the labels, and an index of the row groups (file,
  rows, first and last ``ts`` from the Parquet statistics) — is saved under the data directory,
  keyed by the dataset's file listing (names, sizes, modification times), and loaded by every worker.
- ``DatasetEvents`` answers ``models.logs.aggregate.dashboard`` like in-memory ``Events``: every view
  from the cubes, and the few raw rows it needs (the partial hours at a range's two edges, a page of
  the events table) from the row groups that hold them, found in the index — never the whole dataset.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from models.cache import LRU
from models.logs import columnar
from models.logs.aggregate import HOUR, _Cells, _FineCube
from models.logs.columnar import store_root
from models.logs.parse import EVENT_SCHEMA

PART = "part-{:05d}.parquet"
ROW_GROUP_ROWS = 1 << 15  # a table page or a range edge reads one or two of these (~33k rows)
ROWS_PER_FILE = 1 << 23  # 128 row groups per file
GROUPS_PER_TASK = 32  # row groups one Dask task reads (~1M events)
PREFIX = "dataset:"
CUBE_COLUMNS = ["ts", "product", "category", "status", "bytes"]
MINUTE = 60
CUBE_VERSION = 1
_opened = LRU(2)  # stored cube path → DatasetEvents: read-only, so one per process serves every user


class ParquetDatasetError(ValueError):
    """A Parquet dataset that cannot be opened: not configured, unreadable, or without the event schema."""


class SchedulerError(ConnectionError):
    """The Dask scheduler cannot be reached (or Dask is not installed); the message says which and why.

    (Defined here, not in ``models.logs.distributed``, so the app catches it without importing Dask.)
    """


# --------------------------------------------------------------------------- writing


@dataclass
class WriteResult:
    """What ``write_tables`` wrote."""

    path: Path
    files: list[str] = field(default_factory=list)
    rows: int = 0
    row_groups: int = 0
    seconds: float = 0.0

    def summary(self) -> dict:
        return {
            "out": str(self.path),
            "files": self.files,
            "rows": self.rows,
            "row_groups": self.row_groups,
            "seconds": round(self.seconds, 3),
        }


def write_tables(
    tables: Iterable[pa.Table],
    out_dir: str | os.PathLike,
    rows_per_file: int = ROWS_PER_FILE,
    row_group_rows: int = ROW_GROUP_ROWS,
    compression: str = "zstd",
) -> WriteResult:
    """Write ts-ascending tables of ``EVENT_SCHEMA`` to ``part-NNNNN.parquet`` files, a table at a time.

    Row groups hold ``row_group_rows`` rows (with min/max statistics, which ``DatasetEvents`` finds
    rows by); a file is closed once it holds ``rows_per_file``. Each file is written under a hidden
    name and renamed when complete; earlier ``part-*.parquet`` files in ``out_dir`` are replaced.

    Raises:
        ValueError: a table's rows go back in time (the dataset must be sorted by ``ts``).
    """
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.parquet"):
        old.unlink()
    result = WriteResult(path=out)
    writer, in_file, last_ts = None, 0, None

    def close() -> None:
        writer.close()
        (out / f".{result.files[-1]}.tmp").replace(out / result.files[-1])

    try:
        for table in tables:
            ts = epoch_seconds(table["ts"])
            if len(ts) and ((last_ts is not None and ts[0] < last_ts) or np.any(np.diff(ts) < 0)):
                raise ValueError("events must come in time order: a Parquet dataset source is sorted by ts")
            last_ts = ts[-1] if len(ts) else last_ts
            done = 0
            while done < table.num_rows:
                if writer is None:
                    result.files.append(PART.format(len(result.files)))
                    writer = pq.ParquetWriter(out / f".{result.files[-1]}.tmp", EVENT_SCHEMA, compression=compression)
                piece = table.slice(done, rows_per_file - in_file)
                writer.write_table(piece, row_group_size=row_group_rows)
                result.row_groups += -(-piece.num_rows // row_group_rows)
                done += piece.num_rows
                in_file += piece.num_rows
                if in_file >= rows_per_file:
                    close()
                    writer, in_file = None, 0
        if writer is None and not result.files:
            result.files.append(PART.format(0))
            writer = pq.ParquetWriter(out / f".{result.files[-1]}.tmp", EVENT_SCHEMA, compression=compression)
        if writer is not None:
            close()
            writer = None
        result.rows = last_ts is not None and sum(pq.ParquetFile(out / f).metadata.num_rows for f in result.files)
    finally:
        if writer is not None:
            writer.close()
            (out / f".{result.files[-1]}.tmp").unlink(missing_ok=True)
    result.rows = int(result.rows or 0)
    result.seconds = time.perf_counter() - started
    return result


# --------------------------------------------------------------------------- which datasets may open


def source_id(location: str) -> str:
    return PREFIX + location


def is_dataset_source(source: str | None) -> bool:
    return (source or "").startswith(PREFIX)


def normalise(location: str) -> str:
    """A configured location as source ids name it: local paths absolute, URLs as written."""
    location = location.strip()
    return location if "://" in location else os.path.abspath(os.path.expanduser(location))


def allowed_location(source: str, configured: Iterable[str]) -> str:
    """The dataset a ``dataset:`` source id names, if the configuration lists it (exactly).

    Raises:
        ParquetDatasetError: it is not one of ``GLASSBOX_LOG_DATASETS``.
    """
    requested = source[len(PREFIX) :] if is_dataset_source(source) else source
    if requested in {normalise(c) for c in configured}:
        return requested
    raise ParquetDatasetError(
        f"{requested!r} is not a Parquet dataset this server may open: only those named by GLASSBOX_LOG_DATASETS can be."
    )


def dataset_label(source: str) -> str:
    return f"Parquet dataset {source[len(PREFIX) :]}"


# --------------------------------------------------------------------------- the row-group index


def _filesystem(location: str):
    try:
        import fsspec

        return fsspec.core.url_to_fs(location)
    except ImportError as exc:
        raise ParquetDatasetError(
            f'{location}: cannot be read ({exc}); Parquet datasets need pip install -e ".[dask]".'
        ) from None
    except ValueError as exc:
        raise ParquetDatasetError(f"{location}: cannot be read ({exc}).") from None


@dataclass(frozen=True)
class Index:
    """Every row group of a dataset, in ts order, from the files' footers (no row is read).

    ``start[i]`` is the global number of group ``i``'s first row; ``ts_min``/``ts_max`` its first
    and last second.
    """

    location: str
    files: tuple[str, ...]
    file: np.ndarray  # int32, index into files
    group: np.ndarray  # int32, row group within its file
    rows: np.ndarray  # int64
    ts_min: np.ndarray  # int64 epoch seconds
    ts_max: np.ndarray
    fingerprint: str  # changes when any file is added, removed or rewritten

    @cached_property
    def start(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.rows)]).astype(np.int64)

    def __len__(self) -> int:
        return int(self.start[-1])


def epoch_seconds(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A ts column as int64 epoch seconds (Parquet brings seconds back as milliseconds)."""
    return column.cast(pa.timestamp("s", tz="UTC")).cast(pa.int64()).to_numpy()


def _seconds(value) -> int:
    if isinstance(value, pd.Timestamp | np.datetime64) or hasattr(value, "timestamp"):
        return int(pd.Timestamp(value).timestamp())
    return int(value)


@dataclass(frozen=True)
class Listing:
    """A dataset's Parquet files now, and a fingerprint that changes when one is added, removed or rewritten."""

    location: str
    files: tuple[str, ...]
    fingerprint: str


def list_files(location: str) -> Listing:
    """The ``.parquet`` files of a folder or URL (recursively, in name order), or the one file it names.

    Raises:
        ParquetDatasetError: nothing there, or it cannot be read.
    """
    fs, root = _filesystem(location)
    try:
        if fs.isdir(root):
            found = sorted(p for p in fs.find(root) if p.endswith(".parquet") and not Path(p).name.startswith("."))
        elif fs.isfile(root):
            found = [root]
        else:
            raise ParquetDatasetError(f"{location}: no such folder or file.")
        infos = [fs.info(p) for p in found]
    except OSError as exc:
        raise ParquetDatasetError(f"{location}: cannot be read ({exc}).") from None
    if not found:
        raise ParquetDatasetError(f"{location}: holds no .parquet file.")
    stamps = [
        (p, i.get("size"), str(i.get("mtime") or i.get("LastModified") or i.get("ETag"))) for p, i in zip(found, infos)
    ]
    fingerprint = hashlib.sha256(json.dumps([location, stamps]).encode()).hexdigest()[:32]
    return Listing(location, tuple(found), fingerprint)


def read_index(location: str, listing: Listing | None = None) -> Index:
    """Read the footers of a dataset's Parquet files (see ``list_files``): no row is read.

    Raises:
        ParquetDatasetError: nothing there, a file is not Parquet, lacks the event schema's columns, has no
            ts statistics, or the files are not sorted by ts in name order.
    """
    listing = listing or list_files(location)
    fs, _ = _filesystem(location)
    found = listing.files
    rows = {k: [] for k in ("file", "group", "rows", "ts_min", "ts_max")}
    for i, path in enumerate(found):
        try:
            with fs.open(path, "rb") as handle:
                meta = pq.ParquetFile(handle).metadata
        except (OSError, pa.ArrowInvalid) as exc:
            raise ParquetDatasetError(f"{path}: is not a Parquet file ({exc}).") from None
        names = set(meta.schema.names)
        missing = [f.name for f in EVENT_SCHEMA if f.name not in names]
        if missing:
            raise ParquetDatasetError(
                f"{path}: lacks the event columns {', '.join(missing)}: a Parquet dataset source needs every column of "
                "the event schema (as `python -m models.logs parse ... --out DIR` writes)."
            )
        column = meta.schema.names.index("ts")
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            if group.num_rows == 0:
                continue
            stats = group.column(column).statistics
            if stats is None or not stats.has_min_max:
                raise ParquetDatasetError(
                    f"{path}: row group {g} has no ts statistics, so its rows cannot be found by time."
                )
            rows["file"].append(i)
            rows["group"].append(g)
            rows["rows"].append(group.num_rows)
            rows["ts_min"].append(_seconds(stats.min))
            rows["ts_max"].append(_seconds(stats.max))
    ts_min, ts_max = np.array(rows["ts_min"], np.int64), np.array(rows["ts_max"], np.int64)
    if len(ts_min) > 1 and np.any(ts_min[1:] < ts_max[:-1]):
        bad = int(np.flatnonzero(ts_min[1:] < ts_max[:-1])[0]) + 1
        raise ParquetDatasetError(
            f"{location}: rows are not sorted by ts (row group {rows['group'][bad]} of {found[rows['file'][bad]]} "
            "starts before the previous one ends); write it sorted, e.g. with `python -m models.logs generate-parquet`."
        )
    return Index(
        location=location,
        files=tuple(found),
        file=np.array(rows["file"], np.int32),
        group=np.array(rows["group"], np.int32),
        rows=np.array(rows["rows"], np.int64),
        ts_min=ts_min,
        ts_max=ts_max,
        fingerprint=listing.fingerprint,
    )


def read_groups(location: str, path: str, groups: list[int], columns: list[str] | None) -> pa.Table:
    """Some row groups of one file (every read of rows goes through here; tests count the groups)."""
    fs, _ = _filesystem(location)
    with fs.open(path, "rb") as handle:
        return pq.ParquetFile(handle).read_row_groups(groups, columns=columns)


# --------------------------------------------------------------------------- the cube, on Dask


def _labels(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """A label column as (codes, labels): one dictionary for all chunks, -1 for none."""
    column = column.unify_dictionaries() if pa.types.is_dictionary(column.type) else column.dictionary_encode()
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode()
    codes = pc.fill_null(array.indices, -1).to_numpy().astype(np.int64)
    return codes, array.dictionary.cast(pa.string()).to_numpy(zero_copy_only=False).astype(object)


def _partial_cube(location: str, path: str, groups: list[int]) -> dict:
    """Events and bytes per (minute, product, category, status) in some row groups (a Dask task).

    Grouped on integer keys (dictionary codes, minute offsets), never on strings.
    """
    table = read_groups(location, path, groups, CUBE_COLUMNS)
    minute = epoch_seconds(table["ts"]) // MINUTE
    product, products = _labels(table["product"])
    category, categories = _labels(table["category"])
    status = table["status"].to_numpy().astype(np.int64)
    size = table["bytes"].to_numpy().astype(np.int64)
    first = int(minute.min()) if len(minute) else 0
    n_p, n_c = len(products) + 1, len(categories) + 1
    key = (((minute - first) * n_p + product + 1) * n_c + category + 1) * 1000 + status
    cells, inverse = np.unique(key, return_inverse=True)
    count = np.bincount(inverse, minlength=len(cells)).astype(np.int64)
    total = np.bincount(inverse, weights=size, minlength=len(cells))
    rest = cells // 1000
    return {
        "products": np.array(list(products) + ["\0"], dtype=object),  # code -1 → the last label, the "none" marker
        "categories": np.array(list(categories) + ["\0"], dtype=object),
        "minute": rest // n_c // n_p + first,
        "product": (rest // n_c % n_p - 1).astype(np.int32),
        "category": (rest % n_c - 1).astype(np.int32),
        "status": (cells % 1000).astype(np.int16),
        "count": count,
        "bytes": np.rint(total).astype(np.int64),
    }


def _tasks(index: Index, groups_per_task: int) -> list[tuple[str, str, list[int]]]:
    tasks = []
    for f, path in enumerate(index.files):
        groups = index.group[index.file == f].tolist()
        tasks += [
            (index.location, path, groups[i : i + groups_per_task]) for i in range(0, len(groups), groups_per_task)
        ]
    return tasks


def _global_codes(labels: np.ndarray, local: np.ndarray, known: dict[str, int]) -> np.ndarray:
    """Local label codes → codes into the growing list ``known`` (-1 for the missing-value marker)."""
    table = np.array([-1 if label == "\0" else known.setdefault(label, len(known)) for label in labels], np.int32)
    return table[local] if len(local) else np.zeros(0, np.int32)


@dataclass(frozen=True)
class Cube:
    """What ``build_cube`` stores: the hourly cube and the per-minute cube ``models.logs.aggregate`` reads,
    their labels (sorted, as ``Events`` holds them) and the row-group index."""

    index: Index
    products: np.ndarray
    categories: np.ndarray
    hourly: _Cells  # events and bytes per (hour, product, category, status)
    minutes: _FineCube  # events per (combination of product, category and status, minute)
    seconds: float = 0.0

    @property
    def cells(self) -> int:
        return len(self.hourly) + len(self.minutes.bucket)


def _hourly(minute, product, category, status, count, size, n_p: int, n_c: int) -> _Cells:
    key = ((minute // 60 * n_p + product + 1) * n_c + category + 1) * 1000 + status
    cells, inverse = np.unique(key, return_inverse=True)
    counts = np.bincount(inverse, weights=count, minlength=len(cells))
    sums = np.bincount(inverse, weights=size, minlength=len(cells))
    rest = cells // 1000
    return _Cells(
        rest // n_c // n_p,
        (rest // n_c % n_p - 1).astype(np.int32),
        (rest % n_c - 1).astype(np.int32),
        (cells % 1000).astype(np.int16),
        np.rint(counts).astype(np.int64),
        np.rint(sums).astype(np.int64),
    )


def _minutes(index: Index, minute, product, category, status, count, n_c: int) -> _FineCube:
    """The per-minute cube as ``Events.fine_cube(60)`` lays it out: cells grouped by combination."""
    origin = int(index.ts_min[0]) // MINUTE if len(index.rows) else 0
    n_buckets = int(index.ts_max[-1]) // MINUTE - origin + 1 if len(index.rows) else 0
    bucket = (minute - origin).astype(np.int64)
    statuses, status_code = np.unique(status.astype(np.int64), return_inverse=True)
    n_s = max(len(statuses), 1)
    combo = ((product.astype(np.int64) + 1) * n_c + category + 1) * n_s + status_code
    combos, combo_of = np.unique(combo, return_inverse=True)
    order = np.lexsort((bucket, combo_of))  # cells are unique per (combination, minute) already
    failed = status >= 400
    return _FineCube(
        product=(combos // n_s // n_c - 1).astype(np.int32),
        category=(combos // n_s % n_c - 1).astype(np.int32),
        status=statuses[combos % n_s].astype(np.int16) if len(statuses) else np.zeros(0, np.int16),
        offsets=np.searchsorted(combo_of[order], np.arange(len(combos) + 1)),
        bucket=bucket[order].astype(np.int32),
        count=count[order].astype(np.int32),
        totals=(
            np.bincount(bucket, weights=count, minlength=n_buckets).astype(np.int64),
            np.bincount(bucket[failed], weights=count[failed], minlength=n_buckets).astype(np.int64),
        ),
    )


def build_cube(
    location: str,
    client,
    progress: Callable[[int, int], None] | None = None,
    groups_per_task: int = GROUPS_PER_TASK,
    index: Index | None = None,
) -> Cube:
    """Read a dataset once on a Dask cluster and count its events per (minute, product, category, status).

    Args:
        location: The dataset folder or URL (readable by the workers).
        client: A ``distributed.Client`` (see ``models.logs.distributed.connect``).
        progress: Called with (tasks done, tasks) as partial counts arrive.

    Raises:
        ParquetDatasetError: see ``read_index``.
    """
    from distributed import as_completed

    started = time.perf_counter()
    index = index or read_index(location)
    tasks = _tasks(index, groups_per_task)
    futures = client.map(_partial_cube, *zip(*tasks), pure=False) if tasks else []
    products: dict[str, int] = {}
    categories: dict[str, int] = {}
    parts = []
    if progress:
        progress(0, len(tasks))
    for done, future in enumerate(as_completed(futures), start=1):
        part = future.result()
        future.release()
        parts.append(
            (
                part["minute"],
                _global_codes(part["products"], part["product"], products),
                _global_codes(part["categories"], part["category"], categories),
                part["status"],
                part["count"],
                part["bytes"],
            )
        )
        if progress:
            progress(done, len(tasks))
    dtypes = (np.int64, np.int32, np.int32, np.int16, np.int64, np.int64)
    columns = [
        np.concatenate([p[i] for p in parts]).astype(t) if parts else np.zeros(0, t) for i, t in enumerate(dtypes)
    ]
    parts.clear()
    minute, product, category, status, count, size = columns
    # Tasks' minutes overlap only where two tasks share a minute: add those cells up.
    n_p, n_c = len(products) + 1, len(categories) + 1
    key = ((minute * n_p + product + 1) * n_c + category + 1) * 1000 + status
    cells, inverse = np.unique(key, return_inverse=True)
    count = np.rint(np.bincount(inverse, weights=count, minlength=len(cells))).astype(np.int64)
    size = np.rint(np.bincount(inverse, weights=size, minlength=len(cells))).astype(np.int64)
    del key, inverse
    status, rest = (cells % 1000).astype(np.int16), cells // 1000
    category, rest = (rest % n_c - 1).astype(np.int32), rest // n_c
    product, minute = (rest % n_p - 1).astype(np.int32), rest // n_p

    def ordered(labels: dict[str, int], codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Labels sorted (as ``Events`` holds them) and the codes renumbered to match."""
        names = np.array(list(labels), dtype=object)
        order = np.argsort(names, kind="stable")
        rank = np.empty(len(order), np.int32)
        rank[order] = np.arange(len(order))
        return names[order], np.where(codes < 0, -1, rank[np.maximum(codes, 0)] if len(rank) else -1).astype(np.int32)

    product_labels, product = ordered(products, product)
    category_labels, category = ordered(categories, category)
    return Cube(
        index=index,
        products=product_labels,
        categories=category_labels,
        hourly=_hourly(minute, product, category, status, count, size, n_p, n_c),
        minutes=_minutes(index, minute, product, category, status, count, n_c),
        seconds=time.perf_counter() - started,
    )


# --------------------------------------------------------------------------- storing the cube


def cube_path(data_dir: str | os.PathLike, fingerprint: str) -> Path:
    """The folder a dataset's cube is stored in, beside the parse-once stores (``models.logs.columnar``)."""
    return store_root(data_dir) / f"dataset-{fingerprint}-v{CUBE_VERSION}"


def save_cube(cube: Cube, data_dir: str | os.PathLike) -> Path:
    """Store a cube with the logs store's format (``models.logs.columnar.save_cube`` and ``save_fine_cube``:
    uncompressed Arrow IPC that every worker memory-maps), its labels and row-group index in ``dataset.json``.

    Written into a hidden folder and renamed into place: two builds of one dataset at once end with one
    valid folder (the loser's is discarded).
    """
    path = cube_path(data_dir, cube.index.fingerprint)
    path.parent.mkdir(parents=True, exist_ok=True)
    unfinished = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    unfinished.mkdir()
    try:
        columnar.save_cube(cube.hourly, unfinished)
        columnar.save_fine_cube(cube.minutes, unfinished, f"fine-{MINUTE}")
        index = cube.index
        meta = {
            "location": index.location,
            "fingerprint": index.fingerprint,
            "files": list(index.files),
            **{k: getattr(index, k).tolist() for k in ("file", "group", "rows", "ts_min", "ts_max")},
            "products": [str(p) for p in cube.products],
            "categories": [str(c) for c in cube.categories],
        }
        (unfinished / "dataset.json").write_text(json.dumps(meta))
        try:
            os.rename(unfinished, path)
        except OSError:  # another build stored it first: theirs is as good
            if not (path / "dataset.json").exists():
                raise
    finally:
        shutil.rmtree(unfinished, ignore_errors=True)
    return path


def load_cube(path: str | os.PathLike) -> Cube:
    """A stored cube, its arrays memory-mapped (shared by every process through the page cache)."""
    path = Path(path)
    meta = json.loads((path / "dataset.json").read_text())
    dtypes = {"file": np.int32, "group": np.int32, "rows": np.int64, "ts_min": np.int64, "ts_max": np.int64}
    index = Index(
        location=meta["location"],
        files=tuple(meta["files"]),
        **{k: np.array(meta[k], dtype=t) for k, t in dtypes.items()},
        fingerprint=meta["fingerprint"],
    )
    return Cube(
        index=index,
        products=np.array(meta["products"], dtype=object),
        categories=np.array(meta["categories"], dtype=object),
        hourly=columnar.load_cube(path),
        minutes=columnar.load_fine_cube(path, f"fine-{MINUTE}"),
    )


class CubeNotBuilt(LookupError):
    """The dataset's cube (for its files as they are now) has not been built yet: run ``build_dataset``."""


def open_dataset(source: str, configured: Iterable[str], data_dir: str | os.PathLike) -> DatasetEvents:
    """The events of a configured dataset whose cube is stored, kept per process (read-only).

    Raises:
        ParquetDatasetError: not configured, or unreadable.
        CubeNotBuilt: its cube is not stored yet (a build job makes it).
    """
    location = allowed_location(source, configured)
    path = cube_path(data_dir, list_files(location).fingerprint)
    if not (path / "dataset.json").exists():
        raise CubeNotBuilt(f"{location}: its cube is being built.")
    return _opened.get(str(path), lambda: DatasetEvents(load_cube(path)))


def needs_cube(source: str, configured: Iterable[str], data_dir: str | os.PathLike) -> bool:
    """Whether a configured dataset's cube must be built before it opens (False for anything unopenable:
    opening it says why)."""
    try:
        location = allowed_location(source, configured)
        return not (cube_path(data_dir, list_files(location).fingerprint) / "dataset.json").exists()
    except ParquetDatasetError:
        return False


def cluster_options(config) -> dict:
    """The LocalCluster a build starts when no scheduler is configured (``GLASSBOX_DASK_WORKERS`` ...)."""
    return {
        "n_workers": int(config["DASK_WORKERS"]),
        "threads_per_worker": int(config["DASK_THREADS"]),
        "memory_limit": config["DASK_MEMORY_LIMIT"],
        "processes": True,
        "dashboard_address": None,
    }


def build_dataset(
    source: str,
    configured: Iterable[str],
    data_dir: str | os.PathLike,
    scheduler: str | None = None,
    cluster: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
    timeout: float = 10,
) -> Cube:
    """Build a configured dataset's cube on Dask and store it (see ``build_cube`` and ``save_cube``).

    Args:
        scheduler: A ``dask.distributed`` scheduler address (``GLASSBOX_DASK_SCHEDULER``); None starts
            a LocalCluster with ``cluster``'s options for the build.
        timeout: Seconds to wait for the scheduler.

    Raises:
        ParquetDatasetError: not configured, unreadable, or without the event schema.
        SchedulerError: the scheduler cannot be reached, or Dask is not installed.
    """
    location = allowed_location(source, configured)
    try:
        from models.logs.distributed import connect
    except ImportError:
        raise SchedulerError('Dask is not installed on this server: pip install -e ".[dask]".') from None
    index = read_index(location)  # a bad dataset is refused before a cluster starts
    with connect(scheduler, timeout=timeout, **(cluster or {})) as client:
        cube = build_cube(location, client, progress, index=index)
    save_cube(cube, data_dir)
    return cube


# --------------------------------------------------------------------------- answering from the cube


class DatasetEvents:
    """A Parquet dataset as ``models.logs.aggregate`` reads ``Events``: cubes in memory, rows on demand.

    Read-only once built, so one per process serves every user. Raw rows are read a row group at
    a time through ``read_groups`` and kept in a small LRU.
    """

    def __init__(self, cube: Cube, group_cache: int = 32, full_cache: int = 4):
        self.index = cube.index
        self.products, self.categories = cube.products, cube.categories
        self.cube = cube.hourly  # events and bytes per (hour, product, category, status), as ``Events.cube``
        self._minutes = cube.minutes
        self._light = LRU(group_cache)  # the five cube columns of a row group (~1 MB each)
        self._full = LRU(full_cache)  # every column, for table pages

    def __len__(self) -> int:
        return len(self.index)

    @property
    def span(self) -> tuple[int, int]:
        index = self.index
        return (int(index.ts_min[0]), int(index.ts_max[-1]) + 1) if len(self) else (0, 1)

    def fine_cube(self, width: int) -> _FineCube:
        """Counts per minute for each combination of product, category and status, as ``Events.fine_cube(60)``."""
        if width != MINUTE:
            raise ValueError(f"a Parquet dataset's cube holds minutes: no {width}-second buckets")
        return self._minutes

    # raw rows, by global row number (rows are in ts order across the files)

    def _group(self, i: int, columns: tuple[str, ...] | None) -> pa.Table:
        """Row group ``i``: its cube columns (``CUBE_COLUMNS``, which finding rows needs), or every column (None)."""
        index = self.index
        path = index.files[int(index.file[i])]
        wanted = None if columns is None else list(CUBE_COLUMNS)
        return (self._full if columns is None else self._light).get(
            i, lambda: read_groups(index.location, path, [int(index.group[i])], wanted)
        )

    def _ts(self, i: int) -> np.ndarray:
        return epoch_seconds(self._group(i, ("ts",))["ts"])

    def _first_row_at(self, t: int) -> int:
        index = self.index
        i = int(np.searchsorted(index.ts_max, t, side="left"))  # the first group with a row at or after t
        if i == len(index.rows):
            return len(self)
        if index.ts_min[i] >= t:
            return int(index.start[i])
        return int(index.start[i]) + int(np.searchsorted(self._ts(i), t, side="left"))

    def row_range(self, start: int | None, end: int | None) -> tuple[int, int]:
        """Rows with ``start <= ts < end``: the index finds the row groups, at most two are read (ts only)."""
        lo = 0 if start is None else self._first_row_at(int(start))
        hi = len(self) if end is None else self._first_row_at(int(end))
        return lo, max(lo, hi)

    def _rows(self, lo: int, hi: int, columns: tuple[str, ...] | None) -> Iterator[tuple[int, pa.Table]]:
        """``(first row number, table)`` for each row group holding rows ``lo:hi``, sliced to them."""
        start = self.index.start
        for i in range(int(np.searchsorted(start, lo, side="right")) - 1, int(np.searchsorted(start, hi, side="left"))):
            a, b = max(lo, int(start[i])), min(hi, int(start[i + 1]))
            if a < b:
                yield a, self._group(i, columns).slice(a - int(start[i]), b - a)

    def _codes(self, column: pa.ChunkedArray, labels: np.ndarray) -> np.ndarray:
        """A label column as codes into ``labels`` (-1 for none): mapped on each chunk's dictionary when it has one."""
        known = pd.Index(labels)
        parts = []
        for chunk in column.chunks:
            if pa.types.is_dictionary(chunk.type):
                table = known.get_indexer(chunk.dictionary.cast(pa.string()).to_numpy(zero_copy_only=False))
                indices = pc.fill_null(chunk.indices, -1).to_numpy().astype(np.int64)
                parts.append(np.where(indices < 0, -1, table[np.maximum(indices, 0)] if len(table) else -1))
            else:
                values = chunk.cast(pa.string()).to_numpy(zero_copy_only=False)
                codes = known.get_indexer(values)
                codes[pd.isna(values)] = -1
                parts.append(codes)
        return np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, np.int32)

    def rows(self, lo: int, hi: int) -> _Cells:
        """Rows ``lo:hi`` as cells of one event each, as ``Events.rows``."""
        parts = []
        for _, table in self._rows(lo, hi, tuple(CUBE_COLUMNS)):
            parts.append(
                _Cells(
                    epoch_seconds(table["ts"]) // HOUR,
                    self._codes(table["product"], self.products),
                    self._codes(table["category"], self.categories),
                    table["status"].to_numpy().astype(np.int16),
                    None,
                    table["bytes"].to_numpy().astype(np.int64),
                )
            )
        if not parts:
            empty = np.zeros(0, np.int64)
            return _Cells(empty, empty.astype(np.int32), empty.astype(np.int32), empty.astype(np.int16), None, empty)
        if len(parts) == 1:
            return parts[0]
        return _Cells(
            *(np.concatenate([getattr(p, k) for p in parts]) for k in ("hour", "product", "category", "status")),
            None,
            np.concatenate([p.bytes for p in parts]),
        )

    def take(self, rows: np.ndarray) -> pa.Table:
        """The raw events of these row numbers, in this order: only the row groups holding them are read."""
        rows = np.asarray(rows, np.int64)
        if len(rows) == 0:
            return EVENT_SCHEMA.empty_table()
        start = self.index.start
        group_of = np.searchsorted(start, rows, side="right") - 1
        pieces, order = [], []
        for i in np.unique(group_of):
            mine = np.flatnonzero(group_of == i)
            table = self._group(int(i), None).select(EVENT_SCHEMA.names)
            pieces.append(table.take(pa.array(rows[mine] - start[i])))
            order.append(mine)
        table = pa.concat_tables([p.cast(EVENT_SCHEMA) if p.schema != EVENT_SCHEMA else p for p in pieces])
        return table.take(pa.array(np.argsort(np.concatenate(order), kind="stable")))
