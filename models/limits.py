"""Caps on what a client's file may cost the server: decompressed bytes, lines, compression ratio, table cells.

A gzip file is never decompressed whole: ``CappedGzipReader`` inflates it a block at a time, as a
binary stream, and checks the caps as the bytes come out, so a decompression bomb is refused after
a few MiB of output, in bounded memory and time, while a legitimate large log streams through.
Parquet files are checked from their footer (rows × columns, uncompressed size) before any data
page is read.

The values come from the app's configuration (``GLASSBOX_MAX_*``, see ``webapp/config.py``); a
caller that passes none gets the running Flask app's, or these defaults outside an app.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

MIB = 1 << 20
DEFAULT_MAX_INFLATED_MB = 1024
DEFAULT_MAX_LOG_LINES = 5_000_000
DEFAULT_MAX_GZIP_RATIO = 200
DEFAULT_MAX_TABLE_CELLS = 10_000_000
# Below this much output the ratio is not judged: a small, very repetitive log may compress well.
RATIO_FLOOR_BYTES = 8 * MIB
_READ_BYTES = 64 * 1024  # compressed bytes taken from the file per step


class LimitError(ValueError):
    """A file that would cost more than a configured cap; the message says which cap and its setting."""


@dataclass(frozen=True)
class Limits:
    """Caps for one kind of input; ``None`` means no cap of that kind.

    Attributes:
        max_bytes: Most bytes a compressed file may inflate to.
        max_lines: Most lines a log may hold.
        max_ratio: Most output bytes per compressed input byte (judged past ``ratio_floor`` bytes out).
        max_cells: Most rows × columns a table may hold.
    """

    max_bytes: int | None = DEFAULT_MAX_INFLATED_MB * MIB
    max_lines: int | None = DEFAULT_MAX_LOG_LINES
    max_ratio: float | None = DEFAULT_MAX_GZIP_RATIO
    max_cells: int | None = DEFAULT_MAX_TABLE_CELLS
    ratio_floor: int = RATIO_FLOOR_BYTES

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        """The caps for a client's upload, from an app config (missing keys: the defaults)."""
        return cls(
            max_bytes=int(config.get("MAX_INFLATED_MB", DEFAULT_MAX_INFLATED_MB)) * MIB,
            max_lines=int(config.get("MAX_LOG_LINES", DEFAULT_MAX_LOG_LINES)),
            max_ratio=float(config.get("MAX_GZIP_RATIO", DEFAULT_MAX_GZIP_RATIO)),
            max_cells=int(config.get("MAX_TABLE_CELLS", DEFAULT_MAX_TABLE_CELLS)),
        )

    def for_server_files(self) -> Limits:
        """Files the configuration names on the server may be any size (a 10 GB ``.gz`` log): only the ratio holds."""
        return replace(self, max_bytes=None, max_lines=None, max_cells=None)


def current_limits() -> Limits:
    """The running Flask app's caps for uploads, or the defaults outside an app (scripts, the CLI)."""
    try:
        import flask
    except ImportError:  # pragma: no cover - flask is a dependency of the app
        return Limits()
    return Limits.from_config(flask.current_app.config) if flask.has_app_context() else Limits()


class CappedGzipReader(io.RawIOBase):
    """A gzip stream (one or several members) inflated a block at a time, within ``limits``.

    Raises (from ``read``/``readinto``):
        LimitError: the output passed ``max_bytes`` or ``max_lines``, or its ratio to the input
            read so far passed ``max_ratio``.
        EOFError / zlib.error: the data is not valid gzip or ends early.
    """

    def __init__(self, raw: io.BufferedIOBase, limits: Limits, name: str = "the file"):
        super().__init__()
        self._raw, self._limits, self._name = raw, limits, name
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._pending = b""  # compressed bytes read but not yet fed
        self._out = b""  # inflated bytes not yet handed out
        self._finished = False
        self.bytes_in = 0
        self.bytes_out = 0
        self.lines = 0

    def readable(self) -> bool:
        return True

    def _check(self, block: bytes) -> None:
        limits, name = self._limits, self._name
        self.bytes_out += len(block)
        self.lines += block.count(b"\n")
        if limits.max_bytes is not None and self.bytes_out > limits.max_bytes:
            raise LimitError(
                f"{name} inflates to more than {limits.max_bytes / MIB:,.0f} MiB, the most a compressed upload may "
                "hold (GLASSBOX_MAX_INFLATED_MB)."
            )
        if limits.max_lines is not None and self.lines > limits.max_lines:
            raise LimitError(
                f"{name} has more than {limits.max_lines:,} lines, the most allowed (GLASSBOX_MAX_LOG_LINES)."
            )
        if (
            limits.max_ratio is not None
            and self.bytes_out > limits.ratio_floor
            and self.bytes_out > limits.max_ratio * max(self.bytes_in, 1)
        ):
            raise LimitError(
                f"{name} looks like a decompression bomb: {self.bytes_in:,} compressed bytes already inflated to "
                f"{self.bytes_out:,} (more than {limits.max_ratio:g}×, GLASSBOX_MAX_GZIP_RATIO)."
            )

    def _fill(self) -> None:
        """Inflate the next block into ``_out`` (at most ``_READ_BYTES`` × a little at a time)."""
        while not self._out and not self._finished:
            if self._inflate.eof:  # a member ended: another may follow (concatenated gzip files)
                # The bytes after the member (zlib also leaves them in unconsumed_tail: not both).
                rest = self._inflate.unused_data
                self._inflate, self._pending = zlib.decompressobj(16 + zlib.MAX_WBITS), rest
                if not rest:
                    more = self._raw.read(_READ_BYTES)
                    if not more:
                        self._finished = True
                        return
                    self.bytes_in += len(more)
                    self._pending = more
                continue
            if not self._pending:
                if self._inflate.unconsumed_tail:
                    self._pending = self._inflate.unconsumed_tail
                else:
                    more = self._raw.read(_READ_BYTES)
                    if not more:
                        raise EOFError(f"{self._name} ends in the middle of its gzip data.")
                    self.bytes_in += len(more)
                    self._pending = more
            # max_length keeps one step's output small however well the input compresses.
            block = self._inflate.decompress(self._pending, 4 * _READ_BYTES)
            self._pending = self._inflate.unconsumed_tail
            if block:
                self._check(block)
                self._out = block

    def readinto(self, buffer) -> int:
        self._fill()
        if not self._out:
            return 0
        view = memoryview(buffer).cast("B")
        n = min(len(view), len(self._out))
        view[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def check_lines(lines: int, limits: Limits, name: str) -> None:
    """Raise ``LimitError`` when ``lines`` passes ``limits.max_lines``."""
    if limits.max_lines is not None and lines > limits.max_lines:
        raise LimitError(f"{name} has more than {limits.max_lines:,} lines, the most allowed (GLASSBOX_MAX_LOG_LINES).")


def check_cells(rows: int, columns: int, limits: Limits, name: str) -> None:
    """Raise ``LimitError`` when a table of ``rows`` × ``columns`` passes ``limits.max_cells``."""
    if limits.max_cells is not None and rows * columns > limits.max_cells:
        raise LimitError(
            f"{name} has {rows:,} rows × {columns:,} columns = {rows * columns:,} cells; the most a table may hold is "
            f"{limits.max_cells:,} (GLASSBOX_MAX_TABLE_CELLS)."
        )


def check_parquet(metadata, limits: Limits, name: str) -> None:
    """Check a Parquet footer (``pyarrow.parquet.FileMetaData``) before any data page is read.

    Raises:
        LimitError: too many rows × columns, or more uncompressed bytes than ``max_bytes``.
    """
    check_cells(metadata.num_rows, metadata.num_columns, limits, name)
    if limits.max_bytes is None:
        return
    size = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if size > limits.max_bytes:
        raise LimitError(
            f"{name} holds {size / MIB:,.0f} MiB of uncompressed data; the most an upload may hold is "
            f"{limits.max_bytes / MIB:,.0f} MiB (GLASSBOX_MAX_INFLATED_MB)."
        )


_libc = None


def release_memory() -> bool:
    """Hand freed heap pages back to the OS (glibc ``malloc_trim``); after a large parse or read.

    CPython and Arrow free their buffers, but glibc keeps the freed arenas mapped, so a worker's
    resident size stays at its peak. Returns whether trimming was available (glibc only).
    """
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _libc.malloc_trim  # noqa: B018 - raises AttributeError off glibc
        except (OSError, AttributeError):
            _libc = False
    if not _libc:
        return False
    try:  # Arrow's own pool (jemalloc/mimalloc) keeps freed memory too
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except Exception:
        pass
    _libc.malloc_trim(0)
    return True
