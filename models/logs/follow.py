"""Follow a growing access log: parse only the lines appended since the last read.

A reader's ``Position`` (the file's device and inode, and how many bytes and lines of it were
read, whole lines only) travels with the reader: the logs page keeps it in the browser. Parsed
snapshots are read-only and cached per process by position, so any worker can go on from any
position; one that lacks the snapshot parses the file's first ``offset`` bytes again. A file
that was truncated or replaced (rotated) since a position is read again from its start.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from models.cache import LRU
from models.limits import current_limits
from models.logs import columnar
from models.logs.aggregate import Events
from models.logs.parse import EVENT_SCHEMA, iter_parse, parse_bytes, parse_files

GZIP_MAGIC = b"\x1f\x8b"
_cache = LRU(3)  # (path, Position) → Events: a position's events never change, so any worker may keep them


@dataclass(frozen=True)
class Position:
    """How far one file has been read: ``offset`` bytes holding ``lines`` complete lines."""

    device: int
    inode: int
    offset: int
    lines: int

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Position | None:
        try:
            return cls(**{key: int(data[key]) for key in ("device", "inode", "offset", "lines")})
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Snapshot:
    """A file's events up to ``position``.

    Attributes:
        restarted: The file was truncated or replaced since the position asked for, so the
            events start over from its beginning.
        added: Events parsed by this read (all of them after a restart).
        earliest: Epoch seconds of the oldest event this read appended (None when none was).
    """

    events: Events
    position: Position
    restarted: bool = False
    added: int = 0
    earliest: int | None = None


def _read(path: Path, offset: int, size: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read(size)


def _whole_lines(data: bytes) -> bytes:
    """A writer may be halfway through a line: keep up to the last newline."""
    return data[: data.rfind(b"\n") + 1]


def _parse_file(path: Path, offset: int | None = None) -> tuple[pa.Table, int, int]:
    """The events of a file up to ``offset`` (None: up to its last whole line) with their line count and the
    bytes they cover. A gzip file is inflated as it is parsed, never whole in memory: a bomb meets the ratio cap."""
    if _is_gzip(path):
        result = parse_files([path])
        return result.table, result.lines, path.stat().st_size
    data = _read(path, 0, offset) if offset is not None else _whole_lines(_read(path, 0, path.stat().st_size))
    table, lines = _parse(data, path.name, 0)
    return table, lines, len(data)


def _parse(data: bytes, name: str, lines_before: int) -> tuple[pa.Table, int]:
    """Events of ``data`` (whole lines), numbered after the ``lines_before`` already read."""
    if not data:
        return EVENT_SCHEMA.empty_table(), 0
    result = parse_bytes(data, name=name, limits=current_limits().for_server_files())
    table = result.table
    if lines_before:
        index = table.schema.get_field_index("line")
        table = table.set_column(index, "line", pc.add(table["line"], lines_before))
    return table, result.lines


def _is_gzip(path: Path) -> bool:
    return _read(path, 0, 2) == GZIP_MAGIC


def snapshot(path: str | Path, position: Position | None = None) -> Snapshot:
    """The file's events up to ``position``, or up to its last whole line when None.

    Raises:
        OSError: the file cannot be read.
        LogFormatError: it is binary, not a text log, or damaged gzip.
        LogTooLargeError: a gzip file inflates past the ratio cap (a decompression bomb).
    """
    path = Path(path)
    stat = os.stat(path)
    same = (
        position is not None
        and (stat.st_dev, stat.st_ino) == (position.device, position.inode)
        and stat.st_size >= position.offset
    )
    if same:
        # A worker that lacks this position's events parses the file up to ``offset`` again.
        events = _cache.get((str(path), position), lambda: Events.from_table(_parse_file(path, position.offset)[0]))
        return Snapshot(events, position)
    table, lines, size = _parse_file(path)
    found = Position(stat.st_dev, stat.st_ino, size, lines)
    events = _cache.get((str(path), found), lambda: Events.from_table(table))
    return Snapshot(events, found, restarted=position is not None and not same, added=len(events) if not same else 0)


def follow(path: str | Path, position: Position) -> Snapshot:
    """The events up to ``position`` and those of the whole lines appended since.

    Only the new bytes are parsed. A gzip file cannot be read from an offset: when it changes,
    it is read again whole (``restarted``).
    """
    path = Path(path)
    base = snapshot(path, position)
    if base.restarted:
        return base
    stat = os.stat(path)
    if stat.st_size == position.offset:
        return base
    if _is_gzip(path):
        fresh = snapshot(path)
        return Snapshot(fresh.events, fresh.position, restarted=True, added=len(fresh.events))
    data = _whole_lines(_read(path, position.offset, stat.st_size - position.offset))
    if not data:
        return base
    table, lines = _parse(data, path.name, position.lines)
    found = Position(position.device, position.inode, position.offset + len(data), position.lines + lines)
    events = _cache.get((str(path), found), lambda: base.events.extend(table))
    earliest = int(pc.min(table["ts"]).cast(pa.int64()).as_py()) if table.num_rows else None
    return Snapshot(events, found, added=table.num_rows, earliest=earliest)


# ---------------------------------------------------------------------------------------------
# A followed file kept in a store (``models.logs.columnar``), shared by every worker
# ---------------------------------------------------------------------------------------------

FIRST_LINE_BYTES = 64 * 1024
TAIL_BYTES = 32 << 20  # without ``parse``, a stored file that grew by more than this is left to the background job


def _file_key(path: Path, stat: os.stat_result) -> str:
    """A followed file's store key: the file (path, device, inode) and its first line, which
    appends never change; a file truncated and written again starts with another line (another
    timestamp), so it gets another store. A gzip file cannot grow by appends: its size and
    modification time are part of the key."""
    head = _read(path, 0, FIRST_LINE_BYTES)
    first = head[: head.find(b"\n") + 1] if b"\n" in head else b""
    extra = (stat.st_size, stat.st_mtime_ns) if head[:2] == GZIP_MAGIC else ()
    digest = hashlib.sha256(first).hexdigest()
    return columnar.store_key("path", os.path.realpath(path), stat.st_dev, stat.st_ino, digest, *extra)


class _Progress(io.RawIOBase):
    """A file read from its start up to ``end`` bytes, telling ``progress(done, end)`` as it goes."""

    def __init__(self, handle, end: int, progress):
        super().__init__()
        self.handle, self.end, self.done, self.progress = handle, end, 0, progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        view = memoryview(buffer)[: max(self.end - self.done, 0)]
        got = self.handle.readinto(view) if len(view) else 0
        self.done += got
        if self.progress is not None and got:
            self.progress(self.done, self.end)
        return got


def _whole_lines_end(path: Path, size: int) -> int:
    """The offset just past the file's last newline (a writer may be halfway through a line)."""
    end, block = size, 1 << 16
    with open(path, "rb") as handle:
        while end > 0:
            start = max(end - block, 0)
            handle.seek(start)
            cut = handle.read(end - start).rfind(b"\n")
            if cut >= 0:
                return start + cut + 1
            end = start
    return 0


def _parse_stored(path: Path, progress=None) -> tuple:
    """The events of a file's whole lines, streamed with progress (chunks in file order, parsed as they are
    taken), and the ``offset`` and ``lines`` they cover (a callable: known once every chunk was taken)."""
    limits = current_limits().for_server_files()
    if _is_gzip(path):
        result = parse_files([path], limits=limits)
        return result.table, {"offset": path.stat().st_size, "lines": result.lines, "source": str(path)}
    end = _whole_lines_end(path, path.stat().st_size)
    if end == 0:
        return EVENT_SCHEMA.empty_table(), {"offset": 0, "lines": 0, "source": str(path)}
    lines = [0]

    def chunks():  # the store is written as they come (``columnar.StoreBuilder``)
        with open(path, "rb") as handle:
            for chunk in iter_parse([(path.name, _Progress(handle, end, progress))], limits=limits):
                lines[0] += chunk.lines
                yield chunk.table

    return chunks(), lambda: {"offset": end, "lines": lines[0], "source": str(path)}


def _open_or_build(path: Path, folder: Path, progress) -> columnar.Stored:
    """The file's store, parsed here when no other process is building it; when one is, its progress is
    passed on to ``progress`` until its store is there (``columnar.open_or_build``)."""
    share = columnar.share_progress(folder)

    def report(done: int, total: int) -> None:
        share(done, total)  # for the processes waiting for this build
        if progress is not None:
            progress(done, total)

    return columnar.open_or_build(folder, lambda: _parse_stored(path, report), progress=progress)


def _position(stat: os.stat_result, segment: dict) -> Position:
    return Position(stat.st_dev, stat.st_ino, int(segment["offset"]), int(segment["lines"]))


def store_folder(path: str | Path, root: str | Path) -> Path:
    """Where the store of the server file at ``path`` is (or will be) under ``root``.

    Raises:
        OSError: the file cannot be read.
    """
    path = Path(path)
    return Path(root) / _file_key(path, os.stat(path))


def stored_snapshot(
    path: str | Path, root: str | Path, position: Position | None = None, parse: bool = True, progress=None
) -> Snapshot:
    """``snapshot`` from the file's store under ``root``: parsed once (by whichever process comes
    first; the others wait for it, seeing its progress), then mapped by every worker.

    The store grows by the lines appended to the file (``stored_follow``); a ``position`` the store
    passed is opened as the prefix of rows it covered. Without a position the store is brought up
    to the file's end first; with one the store does not know (another file, a rotated or
    rewritten one) too, and the snapshot says ``restarted``.

    Args:
        parse: False raises ``NotStoredError`` when the file is not stored yet (no parse here).
        progress: ``progress(done_bytes, total_bytes)`` while the file is parsed into the store, here or
            by another process this one waits for.
    """
    path = Path(path)
    stat = os.stat(path)
    folder = Path(root) / _file_key(path, stat)
    if not parse and not is_file_stored(path, root):
        raise columnar.NotStoredError(f"{path} is not stored yet.")
    stored = _open_or_build(path, folder, progress)
    if int(stored.segments[-1]["offset"]) > stat.st_size:  # truncated, yet it starts with the same line
        columnar.discard(folder)
        stored = _open_or_build(path, folder, progress)
    if position is not None and (stat.st_dev, stat.st_ino) == (position.device, position.inode):
        rows = 0
        for segment in stored.segments:
            rows += segment["rows"]
            if segment["offset"] == position.offset:
                if rows != len(stored.events):
                    stored = columnar.open_store(folder, rows)
                return Snapshot(stored.events, _position(stat, segment))
    latest = _grow(path, folder, Snapshot(stored.events, _position(stat, stored.segments[-1])))
    if position is None:
        return latest
    return replace(latest, restarted=True, added=len(latest.events), earliest=None)


def is_file_stored(path: str | Path, root: str | Path) -> bool:
    """Whether the file opens from its store with little to parse: stored, and grown by less than ``TAIL_BYTES``."""
    path = Path(path)
    stat = os.stat(path)
    folder = Path(root) / _file_key(path, stat)
    try:
        offset = int(columnar.read_manifest(folder)["segments"][-1]["offset"])
    except (columnar.StoreError, KeyError, IndexError, TypeError, ValueError):
        return False
    return columnar.is_stored(folder) and offset <= stat.st_size <= offset + TAIL_BYTES


def stored_follow(path: str | Path, root: str | Path, position: Position) -> Snapshot:
    """``follow`` on the file's store: the new whole lines are parsed once and appended to the
    store by whichever worker comes first; the others map what it wrote."""
    path = Path(path)
    base = stored_snapshot(path, root, position)
    if base.restarted or base.position != position:
        return base
    return _grow(path, Path(root) / _file_key(path, os.stat(path)), base)


def _grow(path: Path, folder: Path, base: Snapshot) -> Snapshot:
    """``base`` (a prefix of the store) and the whole lines written to the file after it."""
    stat = os.stat(path)
    position = base.position
    if _is_gzip(path) or stat.st_size <= position.offset:
        return base
    data = _whole_lines(_read(path, position.offset, stat.st_size - position.offset))
    if not data:
        return base
    table, lines = _parse(data, path.name, position.lines)
    grown = columnar.append(folder, table, position.offset + len(data), position.lines + lines, position.offset)
    before = len(base.events)
    added = len(grown.events) - before
    earliest = None
    if added > 0:
        earliest = int(grown.events.ts[before:].min())
        if table.num_rows:
            earliest = min(earliest, int(pc.min(table["ts"]).cast(pa.int64()).as_py()))
    return Snapshot(grown.events, _position(stat, grown.segments[-1]), added=max(added, 0), earliest=earliest)
