"""Parsed events on disk: a Parquet dataset written chunk by chunk, for logs larger than memory.

``parse_files`` holds every event in one Arrow table, which is what the dashboard wants and what
a log larger than the machine's memory cannot have. ``write_dataset`` parses the same way, two
chunks at a time, and writes each chunk's events straight to ``part-NNNNN.parquet`` files in a
folder, so memory stays at a few chunks whatever the size of the log. The folder is what
``pyarrow.dataset``, ``pandas.read_parquet`` and ``dask.dataframe.read_parquet`` read (see
``models.logs.distributed``).

Rows keep the order of the files and of their lines: a single log, written in time order, stays
in time order; several logs are not merged by time (that would take the whole table).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from models.logs.parse import EVENT_SCHEMA, ParserConfig, ParseResult, _display_name, _open, iter_parse

PART = "part-{:05d}.parquet"
ROWS_PER_FILE = 4_000_000  # ~60 chunks: files big enough for Dask partitions, small enough to read one at a time


@dataclass
class DatasetResult(ParseResult):
    """What ``write_dataset`` wrote: the accounting of a ``ParseResult`` (its ``table`` is empty).

    Attributes:
        path: The dataset folder.
        files: The Parquet files written in it, in order.
    """

    path: Path | None = None
    files: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return super().summary() | {"out": str(self.path), "files": self.files}


def write_dataset(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    config: ParserConfig | None = None,
    rows_per_file: int = ROWS_PER_FILE,
    compression: str = "zstd",
) -> DatasetResult:
    """Parse plain or gzip log files into a Parquet dataset folder, never holding more than a few chunks.

    Earlier ``part-*.parquet`` files in ``out_dir`` are replaced; nothing else there is touched.
    Files are written under a hidden name and renamed when complete, so a reader never sees a
    half-written one. Each chunk becomes one row group.

    Args:
        paths: Log files, read in this order.
        out_dir: The dataset folder (created when missing).
        config: How to parse (see ``ParserConfig``).
        rows_per_file: Start a new file once one holds this many rows.
        compression: Parquet codec.

    Returns:
        The counts, rejected examples and files written; ``parsed + rejected == lines``.

    Raises:
        LogFormatError: a file is binary or empty (files already written stay).
    """
    started = time.perf_counter()
    config = config or ParserConfig()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.parquet"):
        old.unlink()
    paths = [Path(p) for p in paths]
    handles = [(_display_name(p, paths), _open(p)) for p in paths]
    result = DatasetResult(table=EVENT_SCHEMA.empty_table(), path=out, sources=[name for name, _ in handles])
    writer, rows_in_file = None, 0

    def close() -> None:
        if writer is not None:
            writer.close()
            (out / f".{result.files[-1]}.tmp").replace(out / result.files[-1])

    def open_next() -> pq.ParquetWriter:
        result.files.append(PART.format(len(result.files)))
        return pq.ParquetWriter(out / f".{result.files[-1]}.tmp", EVENT_SCHEMA, compression=compression)

    try:
        for chunk in iter_parse(handles, config):
            result.lines += chunk.lines
            result.parsed += chunk.table.num_rows
            result.rejected += chunk.rejected
            result.rejected_lines.extend(
                chunk.rejected_lines[: max(config.keep_rejected - len(result.rejected_lines), 0)]
            )
            if not chunk.table.num_rows:
                continue
            if writer is None or rows_in_file >= rows_per_file:
                close()
                writer, rows_in_file = open_next(), 0
            writer.write_table(chunk.table, row_group_size=chunk.table.num_rows)
            rows_in_file += chunk.table.num_rows
        if writer is None:  # no event at all: still a dataset, with the schema
            writer = open_next()
        close()
        writer = None
    finally:
        if writer is not None:  # an error half-way: drop the file being written
            writer.close()
            (out / f".{result.files[-1]}.tmp").unlink(missing_ok=True)
        for _, handle in handles:
            handle.close()
    result.seconds = time.perf_counter() - started
    return result
