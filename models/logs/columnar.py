"""Parse a log source once, keep it on disk, and let every worker process map the same files.

A stored source is a folder under ``<data dir>/logstore/`` named by a key that identifies the
source's content (an upload's hash, the sample's seed, a server file's identity):

``manifest.json``
    ``version`` (``STORE_VERSION``), ``key``, ``source``, ``rows``, the product and category
    ``labels``, the ``segments`` (one Arrow IPC file of raw rows each, with the file offset and line
    count it covers for a followed server file), the ``cube`` file, the byte size of every file,
    and ``parses`` (how many times events were parsed into this store: 1, plus one per append).
``ts.bin``, ``status.bin``, ``bytes.bin``, ``product.bin``, ``category.bin``
    The columns a click reads (``Events``' int64 / int16 / int64 / int32 / int32 arrays), raw and
    contiguous, mapped with ``numpy.memmap``. Appends write past the end; the manifest's ``rows``
    says how many are valid, so a reader holding an older manifest never sees a half-written row.
``rows-NNNNN.arrow``
    The raw rows (``EVENT_SCHEMA``) as uncompressed Arrow IPC (Feather v2), memory-mapped for the
    events grid.
``cube-NNNNN.arrow`` and ``fine-<seconds>-NNNNN.arrow``
    ``Events.cube`` and, once some worker has built one, a fine (sub-hour) cube (``save_cube``).

Memory-mapped files are shared through the OS page cache: ten workers opening a 10M-event store
hold one copy of it, and opening one is a few ``mmap`` calls, not a parse.

A store is written into a hidden folder beside its final name while its log is still being parsed
(``StoreBuilder``: the columns and the hour cube grow chunk by chunk), fsynced, then renamed into place.
Every generation of a store (the first write, an append, a rewrite) ends the same way
(``_write_generation``): a rows segment, a cube, then the manifest, last.
One process builds a store at a time (``open_or_build``): it holds an exclusive ``flock`` on a build lock
beside the store (``.<key>.build``, hidden, so listings and ``sweep`` leave it alone while it is held) and
shares how far its parse got in ``.<key>.progress`` (``share_progress``). Another process opening the same
source meanwhile waits for that lock, passing the builder's progress on to its own ``progress`` callback
(so a second user's bar moves too), then maps the finished store instead of parsing; when the builder
died (the lock is free, no store is there) it builds the store itself. Two processes writing the same
store by other means (``write_store``) both finish; the one whose rename loses discards its folder and
opens the winner's. A folder whose manifest is unreadable, from a newer version, or
whose files are missing or shorter than the manifest says is never served: it is moved aside and
built again. Appends (``append``) hold an exclusive lock on the folder, write past the end of the
column files and a new rows segment and cube, then replace the manifest in one rename.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import struct
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from models.cache import LRU
from models.limits import release_memory
from models.logs.aggregate import HOUR, Events, _Cells, _codes_onto, _FineCube, build_cube, grow_codes

STORE_VERSION = 1
_opened = LRU(8)  # opened stores by manifest and file signature: read-only, so one per process is fine
MANIFEST = "manifest.json"
LOCK = ".lock"
BUILD_LOCK = ".{key}.build"  # beside the store: held by the one process building it (``open_or_build``)
BUILD_PROGRESS = ".{key}.progress"  # beside it: how far that build got (``share_progress``)
WAIT_POLL_S = 0.1  # a process waiting for another's build looks at its lock and progress this often
SHARE_EVERY_S = 0.1  # a build shares its progress at most this often
_PROGRESS = struct.Struct("<qqq")  # done, total, and a check (done ^ total ^ _CHECK): a torn read is ignored
_CHECK = 0x5EED_0F_B11D
ROWS_FILE = "rows-{generation:05d}.arrow"  # a generation's segment of raw rows
STALE_S = 3600  # a hidden build folder unchanged this long, its lock free, was left by a killed worker
SWEEP_EVERY_S = 600  # opening stores looks for such folders at most this often (per root and process)
_swept: dict[str, float] = {}  # store root → when this process last swept it (time.monotonic)
_adopted: dict = {}  # store folder → its build lock, held for a process started to build it (``adopt_build``)
COLUMNS = {"ts": np.int64, "status": np.int16, "bytes": np.int64, "product": np.int32, "category": np.int32}
CUBE_FIELDS = {
    "hour": pa.int64(),
    "product": pa.int32(),
    "category": pa.int32(),
    "status": pa.int16(),
    "count": pa.int64(),
    "bytes": pa.int64(),
}
FINE_FIELDS = ("product", "category", "status", "offsets", "bucket", "count", "totals_events", "totals_errors")


class StoreError(ValueError):
    """A store folder that cannot be served: missing, partial, corrupted or from a newer version."""


class NotStoredError(LookupError):
    """A source that is not stored yet, asked for where parsing it is not allowed (a render callback)."""


def store_root(data_dir: str | Path) -> Path:
    """Where stored sources live under a data directory."""
    return Path(data_dir) / "logstore"


def store_key(*parts: object) -> str:
    """A folder name for a source identified by ``parts`` (hashed, so any string is safe)."""
    digest = hashlib.sha256(json.dumps([STORE_VERSION, *map(str, parts)]).encode()).hexdigest()
    return digest[:32]


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_ipc(table: pa.Table, path: Path) -> int:
    """Write ``table`` as one uncompressed Arrow IPC file (fsynced); its size in bytes."""
    with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())
    return path.stat().st_size


def _read_ipc(path: Path) -> pa.Table:
    """A memory-mapped Arrow IPC file as a table: no byte of it is copied."""
    try:
        return ipc.open_file(pa.memory_map(str(path), "r")).read_all()
    except (OSError, pa.ArrowInvalid) as exc:
        raise StoreError(f"{path.name} cannot be read ({exc}).") from None


def _single_chunk(column: pa.ChunkedArray) -> pa.Array:
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _numpy(column: pa.ChunkedArray) -> np.ndarray:
    """A memory-mapped primitive column as a NumPy view (a copy only when it spans chunks)."""
    array = _single_chunk(column)
    return array.to_numpy(zero_copy_only=len(array) > 0)


def save_cube(cells: _Cells, folder: str | Path, name: str = "cube") -> Path:
    """Write a cube (``Events.cube``: a ``_Cells`` of events and bytes per hour, product, category
    and status) to ``folder/<name>.arrow``, atomically (written beside, fsynced, renamed).

    Any code that builds a cube (in process, on a Dask cluster) stores it with this and every
    worker maps it with ``load_cube``. The file is an uncompressed Arrow IPC file with int64
    ``hour``, int32 ``product`` and ``category`` (-1 = none), int16 ``status``, int64 ``count``
    and ``bytes``; a cube of single rows (``count`` None) is stored with a null-free count of 1.

    Args:
        cells: Cells sorted by hour (as ``build_cube`` returns them).
        folder: An existing folder (a store folder, or any other).
        name: The file's stem.

    Returns:
        The file written.
    """
    folder = Path(folder)
    count = cells.count if cells.count is not None else np.ones(len(cells), np.int64)
    arrays = [cells.hour, cells.product, cells.category, cells.status, count, cells.bytes]
    table = pa.table(
        {
            field: pa.array(np.ascontiguousarray(values, dtype=kind.to_pandas_dtype()), kind)
            for (field, kind), values in zip(CUBE_FIELDS.items(), arrays)
        }
    )
    path = folder / f"{name}.arrow"
    tmp = folder / f".{name}.{uuid.uuid4().hex}.tmp"
    try:
        _write_ipc(table, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_cube(folder: str | Path, name: str = "cube") -> _Cells:
    """The cube ``save_cube`` wrote to ``folder/<name>.arrow``, memory-mapped (NumPy views of the file).

    Raises:
        StoreError: the file is missing, truncated or lacks a cube's columns.
    """
    table = _read_ipc(Path(folder) / f"{name}.arrow")
    if table.schema.names != list(CUBE_FIELDS):
        raise StoreError(f"{name}.arrow is not a cube (columns {table.schema.names}).")
    columns = {field: _numpy(table[field]) for field in CUBE_FIELDS}
    return _Cells(**columns)


def save_fine_cube(cube: _FineCube, folder: str | Path, name: str) -> Path:
    """Write a fine (sub-hour) cube to ``folder/<name>.arrow`` atomically; ``load_fine_cube`` maps it."""
    folder = Path(folder)
    arrays = [cube.product, cube.category, cube.status, cube.offsets, cube.bucket, cube.count, *cube.totals]
    longest = max(len(a) for a in arrays)
    # Columns of unequal lengths: each is padded to the longest and its length kept in the metadata.
    table = pa.table(
        {f: np.pad(np.asarray(a), (0, longest - len(a))) for f, a in zip(FINE_FIELDS, arrays)},
    ).replace_schema_metadata({"lengths": json.dumps([len(a) for a in arrays])})
    path = folder / f"{name}.arrow"
    tmp = folder / f".{name}.{uuid.uuid4().hex}.tmp"
    try:
        _write_ipc(table, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_fine_cube(folder: str | Path, name: str) -> _FineCube:
    table = _read_ipc(Path(folder) / f"{name}.arrow")
    try:
        lengths = json.loads(table.schema.metadata[b"lengths"])
        arrays = [_numpy(table[f])[:n] for f, n in zip(FINE_FIELDS, lengths, strict=True)]
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"{name}.arrow is not a fine cube ({exc}).") from None
    return _FineCube(*arrays[:6], totals=(arrays[6], arrays[7]))


# ---------------------------------------------------------------------------------------------
# Stores
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """An opened store: its folder, the manifest it was opened at, and its events (memory-mapped)."""

    folder: Path
    manifest: dict
    events: Events

    @property
    def segments(self) -> list[dict]:
        return self.manifest["segments"]


def read_manifest(folder: str | Path) -> dict:
    """A store's manifest (see the module's docstring).

    Raises:
        StoreError: missing, unreadable, or from another store version.
    """
    return _read_manifest(Path(folder))


def _read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise StoreError(f"{folder.name} has no manifest (a partial store).") from None
    except (OSError, ValueError) as exc:
        raise StoreError(f"{folder.name}'s manifest cannot be read ({exc}).") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("version"), int):
        raise StoreError(f"{folder.name}'s manifest has no version.")
    if manifest["version"] != STORE_VERSION:
        raise StoreError(
            f"{folder.name} was written by store version {manifest['version']}; this app reads version {STORE_VERSION}."
        )
    return manifest


def _check_sizes(folder: Path, manifest: dict) -> tuple:
    """Every file the manifest names is there and at least as long as it says (appends may run past).

    Returns:
        The files' sizes and modification times: what an opened store is cached by.
    """
    signature = []
    try:
        for name, size in manifest["sizes"].items():
            stat = (folder / name).stat()
            actual = stat.st_size
            exact = not name.endswith(".bin")
            if actual < size or (exact and actual != size):
                raise StoreError(f"{name} holds {actual} bytes; the manifest says {size}.")
            signature.append((name, stat.st_ino, stat.st_mtime_ns))
    except FileNotFoundError as exc:
        raise StoreError(f"{Path(exc.filename).name} is missing.") from None
    except (KeyError, AttributeError, TypeError) as exc:
        raise StoreError(f"{folder.name}'s manifest is incomplete ({exc}).") from None
    return tuple(signature)


def _column_file(name: str, manifest: dict) -> str:
    """A column's file: renamed per rewrite (``colgen``) so a worker mapping the old one keeps consistent rows."""
    return f"{name}-{int(manifest.get('colgen', 0)):05d}.bin"


def _memmap(path: Path, dtype, rows: int) -> np.ndarray:
    if rows == 0:
        return np.zeros(0, dtype)
    return np.memmap(path, dtype=dtype, mode="r", shape=(rows,))


def open_store(folder: str | Path, rows: int | None = None) -> Stored:
    """Map a store's files; ``rows`` (default: all) opens a prefix, as a followed file was at an earlier position.

    Raises:
        StoreError: the folder is not a complete store of this version.
    """
    folder = Path(folder)
    manifest = _read_manifest(folder)
    signature = _check_sizes(folder, manifest)
    total = int(manifest["rows"])
    rows = total if rows is None else rows
    key = (str(folder), json.dumps(manifest, sort_keys=True), signature, rows)
    return _opened.get(key, lambda: _open(folder, manifest, rows))


def _open(folder: Path, manifest: dict, rows: int) -> Stored:
    total = int(manifest["rows"])
    try:
        columns = {name: _memmap(folder / _column_file(name, manifest), dtype, rows) for name, dtype in COLUMNS.items()}
        tables, kept = [], 0
        for segment in manifest["segments"]:
            if kept >= rows:
                break
            table = _read_ipc(folder / segment["file"])
            if table.num_rows != segment["rows"]:
                raise StoreError(f"{segment['file']} holds {table.num_rows} rows; the manifest says {segment['rows']}.")
            tables.append(table.slice(0, rows - kept))
            kept += table.num_rows
        table = pa.concat_tables(tables) if tables else _empty_table()
        labels = manifest["labels"]
        events = Events(
            ts=columns["ts"],
            status=columns["status"],
            bytes=columns["bytes"],
            product=columns["product"],
            products=np.asarray(labels["products"], dtype=object),
            category=columns["category"],
            categories=np.asarray(labels["categories"], dtype=object),
            table=table,
        )
        cube = load_cube(folder, manifest["cube"])
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, StoreError):
            raise
        raise StoreError(f"{folder.name} cannot be opened ({exc}).") from None
    if rows == total:
        events.__dict__["cube"] = cube
    else:
        events.__dict__["cube"] = _prefix_cube(events, cube)
    events.__dict__["_store"] = folder  # where fine cubes are kept (see ``fine_cube``)
    events.__dict__["_fine_cubes"] = _FineCubes(folder, manifest, rows == total)
    return Stored(folder, manifest, events)


def _prefix_cube(events: Events, cube: _Cells) -> _Cells:
    """The cube of ``events`` (a prefix of the store's rows) from the full store's cube: whole hours
    before the prefix's last hour are kept, the last hour is counted from its rows."""
    if len(events) == 0:
        return build_cube(events.ts, events.product, events.category, events.status, events.bytes, 0, 0)
    last_hour = int(events.ts[-1] // HOUR)
    kept = cube.slice(0, int(np.searchsorted(cube.hour, last_hour)))
    row = int(np.searchsorted(events.ts, last_hour * HOUR))
    rest = build_cube(
        events.ts[row:],
        events.product[row:],
        events.category[row:],
        events.status[row:],
        events.bytes[row:],
        len(events.products),
        len(events.categories),
    )
    return _Cells.concat([kept, rest]) if rest.count is not None else rest


class _FineCubes(dict):
    """``Events``' per-width fine cubes, read from the store when a worker stored one, saved when built here."""

    def __init__(self, folder: Path, manifest: dict, complete: bool):
        super().__init__()
        self.folder, self.manifest, self.complete = folder, manifest, complete

    def _name(self, width: int) -> str:
        return f"fine-{int(width)}-{self.manifest['generation']:05d}-{int(self.manifest['rows'])}"

    def __contains__(self, width) -> bool:
        if super().__contains__(width):
            return True
        if not self.complete:
            return False
        try:
            self[width] = load_fine_cube(self.folder, self._name(width))
        except StoreError:
            return False
        return True

    def __setitem__(self, width, cube) -> None:
        if self.complete and not (self.folder / f"{self._name(width)}.arrow").exists():
            with contextlib.suppress(OSError):
                save_fine_cube(cube, self.folder, self._name(width))
                cube = load_fine_cube(self.folder, self._name(width))
                release_memory()  # the build's temporaries: a worker keeps the mapped copy only
        super().__setitem__(width, cube)


def _empty_table() -> pa.Table:
    from models.logs.parse import EVENT_SCHEMA

    return EVENT_SCHEMA.empty_table()


def _unified(table: pa.Table) -> pa.Table:
    """Every chunk of a column with the same dictionary: what one IPC file can hold (chunks stay batches)."""
    return table.unify_dictionaries()


def _labels(values: np.ndarray) -> list[str]:
    return [str(v) for v in values]


def _write_columns(folder: Path, events: Events, mode: str, manifest: dict) -> None:
    for name, dtype in COLUMNS.items():
        with open(folder / _column_file(name, manifest), mode) as handle:
            handle.write(np.ascontiguousarray(getattr(events, name), dtype=dtype).tobytes())
            handle.flush()
            os.fsync(handle.fileno())


def _columns_of(
    table: pa.Table, ts: np.ndarray, products: np.ndarray, categories: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The column files' values for ``table``'s rows (``ts``: their epoch seconds), coded onto the store's
    product and category labels, and those labels grown by the ones met first here."""
    product, products = _codes_onto(products, table["product"])
    category, categories = _codes_onto(categories, table["category"])
    columns = {
        "ts": ts,
        "status": table["status"].to_numpy().astype(np.int16),
        "bytes": table["bytes"].to_numpy().astype(np.int64),
        "product": product,
        "category": category,
    }
    return columns, products, categories


def _write_generation(
    folder: Path,
    manifest: dict,
    generation: int,
    table: pa.Table | None,
    cube: Callable[[], _Cells],
    *,
    rows: int,
    labels: tuple[np.ndarray, np.ndarray],
    segments: Callable[[str], list[dict]],
    parses: int,
) -> None:
    """Write one generation of a store into ``folder`` (the first one, an append or a rewrite), the manifest last.

    The rows segment ``rows-<generation>.arrow`` holds ``table`` (none is written when it is None); the cube
    ``cube-<generation>.arrow`` is ``cube()``, counted while the rows file is written (Arrow writes without the
    GIL); then the manifest replaces the old one in one rename, so no reader sees a half-written generation.
    The column files must be complete and fsynced when ``cube()`` returns.

    Args:
        manifest: The fields kept from the current manifest (or the first one's: version, key, source, colgen...).
        rows: How many rows the store holds now.
        labels: The product and category labels the column codes index.
        segments: The manifest's segments, given the name of the new rows file.
        parses: How many times events were parsed into the store, now.
    """
    rows_file, cube_name = ROWS_FILE.format(generation=generation), f"cube-{generation:05d}"
    with ThreadPoolExecutor(1) as pool:
        written = None if table is None else pool.submit(lambda: _write_ipc(_unified(table), folder / rows_file))
        save_cube(cube(), folder, cube_name)
        if written is not None:
            written.result()
    _write_manifest(
        folder,
        {
            **manifest,
            "rows": rows,
            "labels": {"products": _labels(labels[0]), "categories": _labels(labels[1])},
            "segments": segments(rows_file),
            "cube": cube_name,
            "generation": generation,
            "parses": parses,
        },
    )


def _write_manifest(folder: Path, manifest: dict) -> None:
    manifest = {**manifest, "sizes": _sizes(folder, manifest)}
    tmp = folder / f".{MANIFEST}.{uuid.uuid4().hex}.tmp"
    with open(tmp, "w") as handle:
        json.dump(manifest, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / MANIFEST)
    _fsync_dir(folder)


def _sizes(folder: Path, manifest: dict) -> dict:
    rows = int(manifest["rows"])
    sizes = {_column_file(name, manifest): rows * np.dtype(dtype).itemsize for name, dtype in COLUMNS.items()}
    for segment in manifest["segments"]:
        sizes[segment["file"]] = (folder / segment["file"]).stat().st_size
    sizes[f"{manifest['cube']}.arrow"] = (folder / f"{manifest['cube']}.arrow").stat().st_size
    return sizes


def write_store(
    folder: str | Path, table: pa.Table | Iterable[pa.Table], meta: dict | Callable[[], dict] | None = None
) -> Stored:
    """Store parsed events (``EVENT_SCHEMA`` rows) at ``folder``, atomically, and open it.

    Built in a hidden folder beside ``folder`` (``StoreBuilder``), fsynced and renamed into place. When
    another process renamed its own store there first, this one is discarded and the winner's opened.

    Args:
        table: The rows, or an iterable of them in file order (a parse's chunks): written as they come.
        meta: Kept in the manifest: ``source`` (a label), and for a followed server file the
            ``offset`` and ``lines`` the rows cover; a callable is asked once every chunk was read.
    """
    builder = StoreBuilder(folder)
    try:
        for chunk in [table] if isinstance(table, pa.Table) else table:
            builder.add(chunk)
        return builder.finish(meta() if callable(meta) else meta)
    finally:
        builder.close()
        if hasattr(table, "close"):  # a parse's generator, stopped early: its file and threads end now
            table.close()


class _RowsWriter:
    """The first rows file of a store, written batch by batch as the builder's sorted rows come.

    An IPC file holds one dictionary per column, so each dictionary column is re-coded onto one that
    only grows (the values in the order unifying every batch's dictionaries gives, as ``_unified``
    would): the file holds its additions as dictionary deltas, and a reader sees every batch with the
    final dictionary, as if the whole table had been unified and written at once. ``finish`` then has
    only the last rows to write instead of the whole file, and the written part reaches the disk in
    the background (``SYNC_BYTES`` at a time) before the closing fsync.
    """

    SYNC_BYTES = 128 << 20

    def __init__(self, path: Path, schema: pa.Schema):
        self.path = path
        self.sink = pa.OSFile(str(path), "wb")
        self.writer = ipc.new_file(self.sink, schema, options=ipc.IpcWriteOptions(emit_dictionary_deltas=True))
        self.codes: dict[int, dict] = {}  # per dictionary column: value -> code in the growing dictionary
        self.values: dict[int, pa.Array] = {}
        self.last: dict[int, tuple[pa.Array, np.ndarray]] = {}  # per column: the last dictionary met, its codes
        self.flusher = ThreadPoolExecutor(1)
        self.flushing = None
        self.unsynced = 0

    def write(self, table: pa.Table) -> None:
        for batch in table.to_batches():
            self.writer.write_batch(pa.RecordBatch.from_arrays(self._recoded(batch), schema=batch.schema))
            self.unsynced += batch.nbytes
        if self.unsynced >= self.SYNC_BYTES and (self.flushing is None or self.flushing.done()):
            self.unsynced = 0
            self.flushing = self.flusher.submit(os.fdatasync, self.sink.fileno())

    def _recoded(self, batch: pa.RecordBatch) -> list[pa.Array]:
        columns = list(batch.columns)
        for i, column in enumerate(columns):
            if not pa.types.is_dictionary(column.type):
                continue
            last = self.last.get(i)
            if last is not None and last[0].equals(column.dictionary):  # a chunk's rows kept back: same dictionary
                mapping = last[1]
            else:
                mapping = self._mapping(i, column)
                self.last[i] = (column.dictionary, mapping)
            dictionary = self.values[i]
            indices = column.indices
            if len(mapping) and not np.array_equal(mapping, np.arange(len(mapping))):
                # Mapped in NumPy under the same validity bitmap (and offset); what lies under a null is any code.
                validity, data = indices.buffers()
                codes = np.frombuffer(data, np.int32)[: indices.offset + len(indices)]
                indices = pa.Array.from_buffers(
                    pa.int32(),
                    len(indices),
                    [validity, pa.py_buffer(mapping[np.clip(codes, 0, len(mapping) - 1)])],
                    indices.null_count,
                    indices.offset,
                )
            columns[i] = pa.DictionaryArray.from_arrays(indices, dictionary)
        return columns

    def _mapping(self, i: int, column: pa.DictionaryArray) -> np.ndarray:
        """Codes of ``column``'s dictionary in column ``i``'s growing dictionary, its new values appended."""
        codes = self.codes.setdefault(i, {})
        added: list = []
        mapping = grow_codes(codes, column.dictionary.to_pylist(), added)
        dictionary = self.values.get(i, pa.array([], column.type.value_type))
        if added:
            dictionary = pa.concat_arrays([dictionary, pa.array(added, column.type.value_type)])
        self.values[i] = dictionary
        return mapping

    def close(self, sync: bool = True) -> None:
        """Finish the file (its footer) and fsync it; ``sync=False``: drop it unfinished (never raising: it
        runs while a failed build is cleaned up)."""
        try:
            if self.flushing is not None:
                self.flushing.result()
        except OSError:
            if sync:
                raise
        self.flusher.shutdown()
        if sync:
            self.writer.close()
            self.sink.close()
            with open(self.path, "rb+") as handle:
                os.fsync(handle.fileno())
        else:
            self.sink.close()
            self.path.unlink(missing_ok=True)


class StoreBuilder:
    """Write a store while its rows still arrive, chunk by chunk in file order (a parse in progress).

    The columns a click reads, the rows file (``_RowsWriter``) and the hour cube are written as the
    chunks come, so that once the last one is parsed only the last rows and the cube's last hour
    remain: the first dashboard waits for little more than the parse. The store's rows are sorted by
    time, stably (rows of one second keep their file order). A log's lines are nearly in time order
    (a line is written when its request ends): a chunk is sorted and merged with the rows kept back
    from the one before it, and rows older than what a later chunk may still hold are written. A
    chunk older than rows already written (lines out of order by more than a chunk) stops the
    streaming: the rest is kept in memory and everything is sorted and written at ``finish``.

    Nothing is visible under the store's name before ``finish``: files go to a hidden folder beside
    it, renamed into place after the manifest (written last) and every file were fsynced. ``close``
    removes the hidden folder when ``finish`` was not reached.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        sweep(self.folder.parent)
        self.tmp = self.folder.parent / f".{self.folder.name}.{uuid.uuid4().hex}.tmp"
        self.tmp.mkdir()
        # Held while building (and by appends once renamed into place): ``sweep`` leaves a held folder alone.
        self.lock = open(self.tmp / LOCK, "a")  # noqa: SIM115 - released in ``close``
        fcntl.flock(self.lock.fileno(), fcntl.LOCK_EX)
        self.written: list[pa.Table] = []  # sorted pieces, in the order their columns were written
        self.kept: pa.Table | None = None  # sorted rows a later chunk may still precede
        self.kept_ts = np.zeros(0, np.int64)
        self.last_ts: int | None = None  # the newest row written
        self.streaming = True
        self.rest: list[pa.Table] = []  # chunks after the streaming stopped
        self.labels = {"product": np.empty(0, object), "category": np.empty(0, object)}
        self.files = {name: open(self.tmp / _column_file(name, {}), "wb") for name in COLUMNS}  # noqa: SIM115
        self.rows = 0
        self.cubes: list[_Cells] = []
        self.hour_rows: list[dict] = []  # columns of the rows of the newest hour, not in a cube yet
        self.rows_writer: _RowsWriter | None = None

    def add(self, table: pa.Table) -> None:
        """Take the next chunk of rows (``EVENT_SCHEMA``), in file order."""
        if table.num_rows == 0:
            return
        if not self.streaming:
            self.rest.append(table)
            return
        ts = _seconds(table)
        oldest = int(ts.min())
        if self.last_ts is not None and oldest < self.last_ts:
            self._stop_streaming(table)
            return
        if self.kept is not None:
            table = table.cast(self.kept.schema) if table.schema != self.kept.schema else table
            table, ts = pa.concat_tables([self.kept, table]), np.concatenate([self.kept_ts, ts])
        if len(ts) > 1 and bool((ts[1:] < ts[:-1]).any()):
            order = np.argsort(ts, kind="stable")
            table, ts = table.take(pa.array(order)), ts[order]
        # Rows older than this chunk's oldest are final; the others wait for the next chunk.
        cut = int(np.searchsorted(ts, oldest, "left"))
        self._write(table.slice(0, cut), ts[:cut])
        self.kept, self.kept_ts = table.slice(cut), ts[cut:]

    def _write(self, table: pa.Table, ts: np.ndarray) -> None:
        """Append sorted rows to the column files and the cube."""
        if table.num_rows == 0:
            return
        columns, self.labels["product"], self.labels["category"] = _columns_of(
            table, ts, self.labels["product"], self.labels["category"]
        )
        for name, dtype in COLUMNS.items():
            self.files[name].write(memoryview(np.ascontiguousarray(columns[name], dtype=dtype)))
        if self.rows_writer is None:
            self.rows_writer = _RowsWriter(self.tmp / ROWS_FILE.format(generation=0), table.schema)
        self.rows_writer.write(table)
        self.written.append(table)
        self.rows += table.num_rows
        self.last_ts = int(ts[-1])
        self._cube(columns)

    def _cube(self, columns: dict) -> None:
        """Count the hours that are complete (rows come in time order): all but the newest one."""
        ts = columns["ts"]
        last_hour = int(ts[-1]) // HOUR
        if self.hour_rows and int(self.hour_rows[0]["ts"][0]) // HOUR < last_hour:
            # The rows kept of an older hour, with this piece's rows of that hour: that hour is complete.
            ends = int(np.searchsorted(ts, (int(self.hour_rows[0]["ts"][0]) // HOUR + 1) * HOUR))
            held = [*self.hour_rows, {name: values[:ends] for name, values in columns.items()}]
            merged = {name: np.concatenate([part[name] for part in held]) for name in COLUMNS}
            self.cubes.append(self._cells(merged, 0, len(merged["ts"])))
            self.hour_rows, columns = [], {name: values[ends:] for name, values in columns.items()}
            ts = columns["ts"]
        cut = int(np.searchsorted(ts, last_hour * HOUR)) if not self.hour_rows else 0
        if cut:
            self.cubes.append(self._cells(columns, 0, cut))
        self.hour_rows.append({name: values[cut:] for name, values in columns.items()})

    def _cells(self, columns: dict, lo: int, hi: int) -> _Cells:
        return build_cube(
            columns["ts"][lo:hi],
            columns["product"][lo:hi],
            columns["category"][lo:hi],
            columns["status"][lo:hi],
            columns["bytes"][lo:hi],
            len(self.labels["product"]),
            len(self.labels["category"]),
        )

    def _stop_streaming(self, table: pa.Table) -> None:
        """Rows older than those written came: keep everything in memory, sorted and written at ``finish``."""
        self.rest = [*self.written, *([self.kept] if self.kept is not None else []), table]
        self.streaming, self.written, self.kept, self.cubes, self.hour_rows = False, [], None, [], []
        self.labels = {"product": np.empty(0, object), "category": np.empty(0, object)}
        self.rows, self.last_ts = 0, None
        for handle in self.files.values():
            handle.seek(0)
            handle.truncate()
        if self.rows_writer is not None:
            self.rows_writer.close(sync=False)
            self.rows_writer = None

    def finish(self, meta: dict | None = None) -> Stored:
        """Write what is left, then the manifest, and rename the folder into place; the store, opened."""
        if not self.streaming:  # sorted whole (stably: rows of one second keep their file order)
            events = Events.from_table(pa.concat_tables(self.rest) if self.rest else _empty_table())
            self.rest = []
            self.streaming = True
            self._write(events.table, events.ts)
        elif self.kept is not None:
            self._write(self.kept, self.kept_ts)
            self.kept = None
        if self.rows_writer is not None:  # written as the rows came: only its end and fsync are left
            self.rows_writer.close()
            self.rows_writer, table = None, None
        else:
            table = _empty_table()
        self.written = []
        meta = dict(meta or {})
        base = {"version": STORE_VERSION, "key": self.folder.name, "source": meta.pop("source", ""), "colgen": 0}
        _write_generation(
            self.tmp,
            {**base, **meta},
            0,
            table,
            self._last_cube,
            rows=self.rows,
            labels=(self.labels["product"], self.labels["category"]),
            segments=lambda file: [
                {"file": file, "rows": self.rows, "offset": meta.get("offset"), "lines": meta.get("lines")}
            ],
            parses=1,
        )
        try:
            os.rename(self.tmp, self.folder)
        except OSError:  # another process's store is there already: use it
            shutil.rmtree(self.tmp, ignore_errors=True)
            return open_store(self.folder)
        _fsync_dir(self.folder.parent)
        return open_store(self.folder)

    def _last_cube(self) -> _Cells:
        """The cube, once its last hour is counted; the column files are fsynced by then."""
        for handle in self.files.values():
            handle.flush()
        cubes = self.cubes
        if self.hour_rows:
            merged = {name: np.concatenate([p[name] for p in self.hour_rows]) for name in COLUMNS}
            cubes = [*cubes, self._cells(merged, 0, len(merged["ts"]))]
        if not cubes or any(c.count is None for c in cubes):  # no rows, or keys past 63 bits: one pass
            cube = self._whole_cube()
        else:
            cube = _Cells.concat(cubes) if len(cubes) > 1 else cubes[0]
        for handle in self.files.values():
            os.fsync(handle.fileno())
            handle.close()
        return cube

    def _whole_cube(self) -> _Cells:
        columns = {name: np.fromfile(self.tmp / _column_file(name, {}), dtype) for name, dtype in COLUMNS.items()}
        return self._cells(columns, 0, self.rows)

    def close(self) -> None:
        """Drop the hidden folder of a build that did not finish (nothing when it did)."""
        if self.rows_writer is not None:
            self.rows_writer.close(sync=False)
            self.rows_writer = None
        for handle in self.files.values():
            handle.close()
        if self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.lock.close()  # (the lock goes with it)


LABELS = {"products": "product", "categories": "category"}


def _seconds(table: pa.Table) -> np.ndarray:
    """A table's ``ts`` as int64 epoch seconds."""
    return table["ts"].cast(pa.timestamp("s", tz="UTC")).cast(pa.int64()).to_numpy()


def discard(folder: str | Path) -> None:
    """Move a bad store folder aside (one rename, so no reader sees it half-deleted), then delete it."""
    folder = Path(folder)
    trash = folder.parent / f".trash-{folder.name}.{uuid.uuid4().hex}"
    try:
        os.rename(folder, trash)
    except FileNotFoundError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def _held(folder: Path) -> bool:
    """Whether a process holds the lock of a (build) folder: it is building there still."""
    return _is_held(folder / LOCK)


def _newest_change(folder: Path) -> float:
    """The latest modification time of a folder and of the files in it (a build writes into them as it goes)."""
    newest = folder.stat().st_mtime
    for entry in os.scandir(folder):
        with contextlib.suppress(OSError):
            newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
    return newest


def _stale_build_lock(path: Path, max_age: float) -> bool:
    """Remove a build lock (and its progress file) a killed builder left ``max_age`` ago; never a held one.

    Removed while this process holds it, so a process that opened it meanwhile sees it was replaced."""
    try:
        if time.time() - path.stat().st_mtime < max_age:
            return False
        handle = _try_lock(path)
    except OSError:
        return False
    if handle is None:  # held: a build in progress
        return False
    with handle:
        (path.parent / (path.name.removesuffix(".build") + ".progress")).unlink(missing_ok=True)
        path.unlink(missing_ok=True)
    return True


def sweep(root: str | Path, max_age: float = STALE_S) -> list[Path]:
    """Remove what killed workers left under a store root: hidden build folders (``.<key>.<id>.tmp``) that
    nothing changed for ``max_age`` seconds and whose lock no process holds, and ``.trash-*`` folders (a
    ``discard`` cut short), and build locks (``.<key>.build``, with their progress files) that no process
    holds, left that long ago. A build in progress holds its folder's lock and its build lock, so neither
    is ever removed.

    Called when a store is built, and when one is opened (at most every ``SWEEP_EVERY_S`` per root and process).

    Returns:
        The folders removed.
    """
    root = Path(root)
    _swept[str(root)] = time.monotonic()
    try:
        entries = [entry for entry in os.scandir(root) if entry.name.startswith(".")]
    except FileNotFoundError:
        return []
    removed = []
    for entry in entries:
        path = Path(entry.path)
        if entry.name.endswith(".build") and _stale_build_lock(path, max_age):
            removed.append(path)
        if not entry.is_dir(follow_symlinks=False):
            continue
        try:
            stale = entry.name.startswith(".trash-") or (
                entry.name.endswith(".tmp") and time.time() - _newest_change(path) >= max_age and not _held(path)
            )
        except FileNotFoundError:  # finished (renamed) or removed meanwhile
            continue
        if stale:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _build_lock_path(folder: Path) -> Path:
    return folder.parent / BUILD_LOCK.format(key=folder.name)


def _progress_path(folder: Path) -> Path:
    return folder.parent / BUILD_PROGRESS.format(key=folder.name)


def share_progress(folder: str | Path) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` for the parse that builds ``folder``: processes waiting for this build
    (``open_or_build``) read what it says and pass it on to their own progress callbacks.

    Written to ``.<key>.progress`` beside the store, at most every ``SHARE_EVERY_S`` (and always at the end),
    as one fixed-size ``pwrite`` with a check a torn read fails. Only the process holding the build lock
    calls it (the parse runs under that lock); the file goes when the lock is given up.
    """
    path = _progress_path(Path(folder))
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < SHARE_EVERY_S and done < total:
            return
        last[0] = now
        with contextlib.suppress(OSError):  # sharing is a courtesy: the build goes on without it
            fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
            try:
                os.pwrite(fd, _PROGRESS.pack(int(done), int(total), int(done) ^ int(total) ^ _CHECK), 0)
            finally:
                os.close(fd)

    return report


def read_progress(folder: str | Path) -> tuple[int, int] | None:
    """What the build of ``folder`` in progress last shared (``share_progress``): ``(done, total)``, or None."""
    try:
        with open(_progress_path(Path(folder)), "rb") as handle:
            done, total, check = _PROGRESS.unpack(handle.read(_PROGRESS.size))
    except (OSError, struct.error):
        return None
    return (done, total) if check == done ^ total ^ _CHECK else None


def _is_held(path: Path) -> bool:
    """Whether some process holds the ``flock`` of the file at ``path``."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False  # (closing the file releases the lock)


def is_building(folder: str | Path) -> bool:
    """Whether a process is building the store at ``folder`` now (it holds the build lock)."""
    return _is_held(_build_lock_path(Path(folder)))


def builds_running(root: str | Path) -> int:
    """How many stores under ``root`` are being built now, by any process (their build locks are held)."""
    try:
        names = [e.name for e in os.scandir(root) if e.name.startswith(".") and e.name.endswith(".build")]
    except FileNotFoundError:
        return 0
    return sum(_is_held(Path(root) / name) for name in names)


def _try_lock(path: Path):
    """The open lock file at ``path``, locked, when this process got the lock on the file that is there now
    (a builder removes its lock file when it is done: a lock on the removed file guards nothing); else None."""
    handle = open(path, "a")  # noqa: SIM115 - returned, or closed below
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino:
            return handle
    except (BlockingIOError, FileNotFoundError):
        pass
    handle.close()
    return None


def claim_build(folder: str | Path):
    """Take the build lock of ``folder`` for a process about to be started to build it (``models.logs.early``):
    the open lock file, or None when a build of it runs already. The started process calls ``adopt_build``."""
    path = _build_lock_path(Path(folder))
    path.parent.mkdir(parents=True, exist_ok=True)
    return _try_lock(path)


def adopt_build(folder: str | Path, handle) -> None:
    """In a process started with a ``claim_build`` lock: its ``open_or_build`` of ``folder`` holds that lock
    already (one build per process that is started for it; nothing else in it builds that store)."""
    _adopted[str(Path(folder))] = handle


@contextlib.contextmanager
def _build_lock(folder: Path, progress: Callable[[int, int], None] | None):
    """Hold the build lock of ``folder``; while another process holds it, wait (polling every ``WAIT_POLL_S``,
    no busy loop) and pass what that build shares on to ``progress``. Given up with its files removed."""
    path = _build_lock_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    seen = None
    handle = _adopted.pop(str(folder), None)
    while handle is None and (handle := _try_lock(path)) is None:
        if progress is not None and (shared := read_progress(folder)) is not None and shared != seen:
            seen = shared
            progress(*shared)
        time.sleep(WAIT_POLL_S)
    try:
        yield
    finally:
        # Removed while held: a process that opened this file meanwhile sees the inode gone and looks again.
        _progress_path(folder).unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        handle.close()


def open_or_build(
    folder: str | Path,
    parse: Callable[[], tuple],
    rows: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Stored:
    """The store at ``folder``; when it is missing or cannot be served, ``parse()`` builds it, in one process
    at a time (the build lock: see the module's docstring).

    Args:
        parse: Returns the events (``EVENT_SCHEMA`` rows, or an iterable of them in file order, written
            as they come) and the manifest's ``meta`` (see ``write_store``). It may tell processes waiting
            for it how far it got with ``share_progress(folder)``.
        rows: Open a prefix of the stored rows (see ``open_store``).
        progress: ``progress(done, total)``, called with what another process's build of this store shares,
            while this one waits for it.
    """
    folder = Path(folder)
    if time.monotonic() - _swept.get(str(folder.parent), -SWEEP_EVERY_S) >= SWEEP_EVERY_S:
        sweep(folder.parent)
    if folder.exists():
        try:
            return open_store(folder, rows)
        except StoreError:
            pass  # being replaced, or bad: looked at again under the build lock
    with _build_lock(folder, progress):
        if folder.exists():  # built while this process waited, or there already
            try:
                return open_store(folder, rows)
            except StoreError:
                try:  # an append may have replaced the manifest while it was read: look once more
                    return open_store(folder, rows)
                except StoreError:
                    discard(folder)
        table, meta = parse()
        return write_store(folder, table, meta)


def is_stored(folder: str | Path) -> bool:
    """Whether ``folder`` holds a store this version can serve (a cheap check: manifest and file sizes)."""
    try:
        _check_sizes(Path(folder), _read_manifest(Path(folder)))
    except StoreError:
        return False
    return True


@contextlib.contextmanager
def locked(folder: Path):
    """An exclusive lock on a store folder (appends take it; readers never need it)."""
    with open(folder / LOCK, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def append(folder: str | Path, table: pa.Table, offset: int, lines: int, after_offset: int) -> Stored:
    """Append the rows of a followed file's new lines to its store: the events from ``after_offset``
    to ``offset`` (``lines`` lines in all by then).

    Under the folder's lock: when another worker appended these lines already (the store reaches
    ``offset`` or further), nothing is written. The columns grow in place past the rows the
    manifest counts, the rows become a new segment file, the cube a new file (the hours before the
    new rows are kept, the rest counted again), and the manifest is replaced last, in one rename.
    Rows older than the stored ones are appended in time order by rebuilding the whole store.
    """
    folder = Path(folder)
    with locked(folder):
        current = open_store(folder)
        manifest = current.manifest
        last = manifest["segments"][-1]
        if last.get("offset") != after_offset:  # another worker appended first: serve what it wrote
            return current
        old = current.events
        if table.num_rows == 0:
            grown = old
        else:
            table = table.cast(old.table.schema) if table.schema != old.table.schema else table
            ts = table["ts"].cast(pa.timestamp("s", tz="UTC")).cast(pa.int64()).to_numpy()
            if len(old) and (ts[0] < old.ts[-1] or np.any(np.diff(ts) < 0)):
                return _rewrite(folder, manifest, pa.concat_tables([old.table, table]), offset, lines)
            columns, products, categories = _columns_of(table, ts, old.products, old.categories)
            new = Events(**columns, products=products, categories=categories, table=table)
            for name, dtype in COLUMNS.items():  # drop what a crashed append left past the valid rows
                os.truncate(folder / _column_file(name, manifest), len(old) * np.dtype(dtype).itemsize)
            _write_columns(folder, new, "ab", manifest)
            grown = open_store_columns(folder, manifest, len(old) + len(new), products, categories, old.table, table)

        def segments(file: str) -> list[dict]:
            if not table.num_rows:  # no event in the new lines: the last segment covers them
                return [*manifest["segments"][:-1], {**manifest["segments"][-1], "offset": offset, "lines": lines}]
            return [*manifest["segments"], {"file": file, "rows": table.num_rows, "offset": offset, "lines": lines}]

        _write_generation(
            folder,
            manifest,
            manifest["generation"] + 1,
            table if table.num_rows else None,
            lambda: _extended_cube(old, grown, table),
            rows=len(grown),
            labels=(grown.products, grown.categories),
            segments=segments,
            parses=manifest["parses"] + 1,
        )
        (folder / f"{manifest['cube']}.arrow").unlink(missing_ok=True)  # mapped copies stay readable
        for stale in folder.glob(f"fine-*-{manifest['generation']:05d}-*.arrow"):
            stale.unlink(missing_ok=True)
        return open_store(folder)


def open_store_columns(folder, manifest, rows, products, categories, old_table, table) -> Events:
    """Events over the first ``rows`` stored rows, before the manifest says so (for building the next cube)."""
    columns = {name: _memmap(folder / _column_file(name, manifest), dtype, rows) for name, dtype in COLUMNS.items()}
    return Events(
        ts=columns["ts"],
        status=columns["status"],
        bytes=columns["bytes"],
        product=columns["product"],
        products=products,
        category=columns["category"],
        categories=categories,
        table=pa.concat_tables([old_table, table.cast(old_table.schema)]),
    )


def _extended_cube(old: Events, grown: Events, table: pa.Table) -> _Cells:
    """The cube of ``grown``: the old cube's hours before the first new row, the rest counted again."""
    if table.num_rows == 0 or old.cube.count is None:
        return grown.cube
    first_hour = int(grown.ts[len(old)] // HOUR)
    kept = old.cube.slice(0, int(np.searchsorted(old.cube.hour, first_hour)))
    row = int(np.searchsorted(grown.ts, first_hour * HOUR))
    rest = build_cube(
        grown.ts[row:],
        grown.product[row:],
        grown.category[row:],
        grown.status[row:],
        grown.bytes[row:],
        len(grown.products),
        len(grown.categories),
    )
    return _Cells.concat([kept, rest]) if rest.count is not None else grown.cube


def _rewrite(folder: Path, manifest: dict, table: pa.Table, offset: int, lines: int) -> Stored:
    """Replace a store by one built from ``table`` (rows out of time order were appended); under the lock.

    Every file gets a new name, and the manifest is replaced last: a worker that opened the old
    manifest keeps mapping the old files (deleted only from the folder).
    """
    events = Events.from_table(table)
    new_manifest = {**manifest, "colgen": int(manifest.get("colgen", 0)) + 1}
    _write_columns(folder, events, "wb", new_manifest)
    old_files = [s["file"] for s in manifest["segments"]] + [f"{manifest['cube']}.arrow"]
    old_files += [_column_file(name, manifest) for name in COLUMNS]
    _write_generation(
        folder,
        new_manifest,
        manifest["generation"] + 1,
        events.table,
        lambda: events.cube,
        rows=len(events),
        labels=(events.products, events.categories),
        segments=lambda file: [{"file": file, "rows": len(events), "offset": offset, "lines": lines}],
        parses=manifest["parses"] + 1,
    )
    for name in old_files:
        (folder / name).unlink(missing_ok=True)
    return open_store(folder)
