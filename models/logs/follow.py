"""Follow a growing access log: parse only the lines appended since the last read.

A reader's ``Position`` (the file's device and inode, and how many bytes and lines of it were
read, whole lines only) travels with the reader: the logs page keeps it in the browser. Parsed
snapshots are read-only and cached per process by position, so any worker can go on from any
position; one that lacks the snapshot parses the file's first ``offset`` bytes again. A file
that was truncated or replaced (rotated) since a position is read again from its start.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from models.cache import LRU
from models.limits import current_limits
from models.logs.aggregate import Events
from models.logs.parse import EVENT_SCHEMA, parse_bytes, parse_files

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
