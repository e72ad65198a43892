"""Where the logs page's events come from: the generated sample, a public dataset, an upload, or a
file on the server that the configuration allows (``GLASSBOX_LOG_PATHS``).

Parsed uploads are saved as Parquet under the data directory, named by the hash of what is stored,
so every worker process can load the same upload by id, and a link to a view keeps working.
Every source is parsed once into a store under the data directory (``models.logs.columnar``):
memory-mapped columns and cube that every worker opens in milliseconds and shares through the
page cache. Opened ``Events`` are read-only and cached per process.

A server file's source id is ``path:`` and its absolute path. It opens only when that exact
string is one of the files the configured paths and glob patterns name at that moment, so a
crafted id (``path:/etc/passwd``, ``path:/var/log/../../etc/passwd``) opens nothing, and neither
does a symbolic link in an allowed folder that leads outside what the patterns name.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from models.access import LOCAL_USER, PRIVATE, User
from models.cache import LRU
from models.datasets import fetch_dataset
from models.files import content_id, is_upload_id, store_by_content
from models.logs import columnar
from models.logs.aggregate import Events
from models.logs.columnar import NotStoredError
from models.logs.follow import Position, Snapshot, is_file_stored, snapshot, stored_snapshot
from models.logs.parse import ParseResult, parse_bytes, parse_files
from models.ownership import Ownership

SAMPLE_LINES = 200_000
SAMPLE_SEED = 7
BUILTIN = {
    "sample": "Sample web shop (generated, 200k lines)",
    "buttercup": "Buttercup Games (Splunk tutorial logs)",
}
PATH_PREFIX = "path:"
_cache = LRU(4)  # (source id, data dir) → Events: read-only, so one copy per process is fine


class UnknownSourceError(LookupError):
    """A source id that is neither built in, nor a stored upload, nor an allowed server file."""


def _real_pattern(pattern: str) -> tuple[str, ...]:
    """A pattern's components with its literal leading folders resolved (``/var/log`` may itself be a link)."""
    parts = Path(os.path.abspath(pattern)).parts
    first_magic = next((i for i, part in enumerate(parts) if glob.has_magic(part)), len(parts) - 1)
    first_magic = max(min(first_magic, len(parts) - 1), 1)  # the file's own name is never resolved here
    return Path(os.path.realpath(os.path.join(*parts[:first_magic]))).parts + parts[first_magic:]


def _matches(real: str, pattern: tuple[str, ...]) -> bool:
    """Whether a resolved path is one a pattern names, component by component (``*`` never crosses a ``/``)."""
    parts = Path(real).parts
    return len(parts) == len(pattern) and all(fnmatch.fnmatchcase(a, b) for a, b in zip(parts, pattern))


def server_paths(patterns: tuple[str, ...] | list[str]) -> list[Path]:
    """The files that configured paths and glob patterns name now: absolute, normalised, in order.

    A symbolic link (or a linked folder matched by a wildcard) counts only when the file it
    resolves to is itself one the patterns name: ``access.log -> access.log.1`` is allowed under
    ``access.log*``; a link to ``/etc/passwd`` placed in an allowed folder is not.
    """
    real_patterns = [_real_pattern(pattern) for pattern in patterns]
    found: dict[str, Path] = {}
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        for match in matches:
            path = Path(os.path.abspath(match))
            if not path.is_file():
                continue
            real = os.path.realpath(path)
            if any(_matches(real, allowed) for allowed in real_patterns):
                found.setdefault(str(path), path)
    return list(found.values())


def path_source_id(path: Path) -> str:
    return PATH_PREFIX + str(path)


def is_path_source(source_id: str | None) -> bool:
    return (source_id or "").startswith(PATH_PREFIX)


def allowed_path(source_id: str, patterns: tuple[str, ...] | list[str]) -> Path:
    """The server file a ``path:`` source id names, if the configuration allows it.

    Raises:
        UnknownSourceError: the file is not one of those ``patterns`` name (or no longer exists).
    """
    requested = source_id[len(PATH_PREFIX) :] if is_path_source(source_id) else source_id
    for path in server_paths(patterns):
        if str(path) == requested:
            return path
    raise UnknownSourceError(
        f"{requested!r} is not a log file this server may open: only the files named by GLASSBOX_LOG_PATHS can be."
    )


def load_path(
    source_id: str,
    patterns: tuple[str, ...] | list[str],
    position: Position | None = None,
    data_dir: str | Path | None = None,
    parse: bool = True,
    progress=None,
) -> Snapshot:
    """An allowed server file's events up to ``position`` (all its whole lines when None).

    Args:
        data_dir: Keep the parsed file in a store there (``follow.stored_snapshot``), shared by
            every worker; None parses it in this process.
        parse: With a store: when the file is not stored yet, raise ``NotStoredError`` instead
            of parsing it here (the page parses it in a background job).
        progress: ``progress(done_bytes, total_bytes)`` while a file is parsed into a store.

    Raises:
        UnknownSourceError: the file is not allowed, or cannot be read.
        LogFormatError: it is not a text log.
        NotStoredError: ``parse`` is False and the file is not stored yet.
    """
    path = allowed_path(source_id, patterns)
    try:
        if data_dir is not None:
            return stored_snapshot(path, columnar.store_root(data_dir), position, parse=parse, progress=progress)
        return snapshot(path, position)
    except OSError as exc:
        raise UnknownSourceError(f"{path} cannot be read: {exc.strerror or exc}.") from None


def _upload_path(data_dir: str | Path, source_id: str) -> Path:
    return Path(data_dir) / "logs" / f"{source_id}.parquet"


def save_upload(
    result: ParseResult,
    data_dir: str | Path,
    owners: Ownership | None = None,
    owner: User = LOCAL_USER,
    name: str | None = None,
    visibility: str = PRIVATE,
) -> str:
    """Persist a parsed upload as Parquet and return its source id.

    Stored with ``models.files.store_by_content`` (named by the hash of what is stored, written
    beside and renamed), so two workers saving the same upload at once never collide. With ``owners``,
    ``owner`` is recorded as an owner of it first (see ``models.ownership``).
    """
    buffer = pa.BufferOutputStream()
    pq.write_table(result.table, buffer, compression="zstd")
    payload = buffer.getvalue().to_pybytes()
    if owners is not None:
        owners.claim("logs", content_id(payload), owner.name, visibility, name=name)
    source_id, _, _ = store_by_content(Path(data_dir) / "logs", payload, ".parquet")
    folder = store_folder(source_id, data_dir)
    if not columnar.is_stored(folder):  # the rows are in hand: store them now, not on first open
        columnar.open_or_build(folder, lambda: (result.table, {"source": source_id}))
    return source_id


def check_may_open(source_id: str, user: User, owners: Ownership) -> None:
    """Refuse another user's private upload in the words used for a missing one (its existence is not told).

    Raises:
        UnknownSourceError: ``source_id`` is an upload ``user`` may not see.
    """
    if is_upload_id(source_id) and not owners.may_see(user, "logs", source_id):
        raise UnknownSourceError(f"No log data named {source_id!r}: it may have been uploaded to another server.")


def uploaded_sources(user: User, owners: Ownership, data_dir: str | Path) -> dict[str, dict]:
    """Upload source id → the owner entry shown to ``user`` (``name``, ``owner``, ``visibility``), for the uploads
    they may see that are still stored, newest first (the source menu lists them)."""
    return {
        item: entry
        for item, entry in owners.visible(user, "logs").items()
        if is_upload_id(item) and _upload_path(data_dir, item).exists()
    }


def store_folder(source_id: str, data_dir: str | Path) -> Path:
    """The store folder of a built-in source or an upload (see ``models.logs.columnar``)."""
    if source_id == "sample":
        key = columnar.store_key("sample", SAMPLE_LINES, SAMPLE_SEED)
    else:
        key = columnar.store_key("source", source_id)
    return columnar.store_root(data_dir) / key


def _parse(source_id: str, data_dir: str, mirror: str | None) -> tuple[pa.Table, dict]:
    """Parse a built-in source or an upload: its rows and the store's manifest fields."""
    if source_id == "sample":
        from models.logs.generate import generate_log_lines

        data = b"".join(generate_log_lines(SAMPLE_LINES, seed=SAMPLE_SEED))
        return parse_bytes(data, name="sample.log").table, {"source": source_id}
    if source_id == "buttercup":
        folder = fetch_dataset("buttercup_games_access_logs", data_home=data_dir, mirror=mirror)
        return parse_files(sorted(folder.glob("www*/access.log"))).table, {"source": source_id}
    if is_upload_id(source_id):
        path = _upload_path(data_dir, source_id)
        if path.exists():
            return pq.read_table(path), {"source": source_id}
    raise UnknownSourceError(f"No log data named {source_id!r}: it may have been uploaded to another server.")


def _known(source_id: str) -> bool:
    return source_id in BUILTIN or is_upload_id(source_id)


def is_stored(source_id: str, data_dir: str | Path, patterns: tuple[str, ...] | list[str] = ()) -> bool:
    """Whether a source opens without parsing (its store is complete; a server file's is nearly up to date).

    Raises:
        UnknownSourceError: a server file that ``patterns`` do not allow.
    """
    if is_path_source(source_id):
        try:
            return is_file_stored(allowed_path(source_id, patterns), columnar.store_root(data_dir))
        except OSError:
            return False
    return _known(source_id) and columnar.is_stored(store_folder(source_id, data_dir))


def load_events(source_id: str, data_dir: str | Path, mirror: str | None = None, parse: bool = True) -> Events:
    """The events of a source, from its store (parsed into one first when there is none).

    Opened once per process and kept in a small LRU cache; the columns are memory-mapped, so
    every worker shares the one copy in the page cache.

    Raises:
        UnknownSourceError: no such source.
        NotStoredError: ``parse`` is False and the source is not stored yet.
    """

    def build() -> Events:  # (what raises here is not cached)
        if not _known(source_id):
            raise UnknownSourceError(f"No log data named {source_id!r}: it may have been uploaded to another server.")
        folder = store_folder(source_id, data_dir)
        if not parse and not columnar.is_stored(folder):
            raise NotStoredError(f"{source_label(source_id)} is not stored yet.")
        return columnar.open_or_build(folder, lambda: _parse(source_id, str(data_dir), mirror)).events

    return _cache.get((source_id, str(data_dir)), build)


def source_label(source_id: str) -> str:
    if source_id.startswith("dataset:"):  # models.logs.dataset.PREFIX
        return f"Parquet dataset {source_id[len('dataset:') :]}"
    if is_path_source(source_id):
        return f"Server file {source_id[len(PATH_PREFIX) :]}"
    return BUILTIN.get(source_id, "Uploaded log" if is_upload_id(source_id) else source_id)
