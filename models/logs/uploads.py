"""Uploads that arrive in chunks, so the browser can show how much has reached the server.

Each chunk is appended to ``<data_dir>/logs/incoming/<upload id>.part`` at the offset the
browser says it starts at; the file, not a worker's memory, holds the upload, so any worker
may receive any chunk. The last chunk's caller takes the whole content and the part file goes.

Partial uploads are disk a client can fill, so they are rationed: an upload's first chunk
declares its size, and that size is reserved for it (``<upload id>.json`` beside the part file
says whose it is and how large it will be) within a per-client and a total quota. A chunk past
the declared size is refused, uploads nobody added to for ``stale_s`` are removed, and the
reservations are counted under a file lock (``logs/incoming.lock``), so the workers of one server share them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

UPLOAD_ID = re.compile(r"[0-9a-f]{16,32}")  # whole string (fullmatch): no path, no trailing newline
MIB = 1 << 20
DEFAULT_CLIENT_MB = 400
DEFAULT_TOTAL_MB = 2048
DEFAULT_STALE_MINUTES = 60
MAX_PARTS_PER_CLIENT = 8  # partial uploads one client may have open at once
STALE_S = DEFAULT_STALE_MINUTES * 60


class UploadError(ValueError):
    """A chunk that cannot be accepted; the message tells the user why."""


@dataclass(frozen=True)
class Quota:
    """How much disk partial uploads may take: per client, in total, and for how long unattended."""

    per_client: int = DEFAULT_CLIENT_MB * MIB
    total: int = DEFAULT_TOTAL_MB * MIB
    stale_s: float = STALE_S
    parts_per_client: int = MAX_PARTS_PER_CLIENT

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Quota:
        return cls(
            per_client=int(config.get("UPLOAD_CLIENT_MB", DEFAULT_CLIENT_MB)) * MIB,
            total=int(config.get("UPLOAD_TOTAL_MB", DEFAULT_TOTAL_MB)) * MIB,
            stale_s=float(config.get("UPLOAD_STALE_MINUTES", DEFAULT_STALE_MINUTES)) * 60,
        )


def _request_context() -> tuple[Quota, str]:
    """The running app's quota and the requesting client's address (defaults outside a request)."""
    try:
        import flask
    except ImportError:  # pragma: no cover - flask is a dependency of the app
        return Quota(), "local"
    quota = Quota.from_config(flask.current_app.config) if flask.has_app_context() else Quota()
    client = (flask.request.remote_addr or "unknown") if flask.has_request_context() else "local"
    return quota, client


def client_key(client: str) -> str:
    """A client's address as a short opaque key (the address itself is not written to disk)."""
    return hashlib.sha256(client.encode()).hexdigest()[:16]


def _folder(data_dir: str | Path) -> Path:
    return Path(data_dir) / "logs" / "incoming"


def _part(data_dir: str | Path, upload_id: str) -> Path:
    if not isinstance(upload_id, str) or UPLOAD_ID.fullmatch(upload_id) is None:
        raise UploadError("The upload could not be read (bad upload id).")
    return _folder(data_dir) / f"{upload_id}.part"


def _meta(part: Path) -> Path:
    return part.with_suffix(".json")


def _remove(part: Path) -> None:
    part.unlink(missing_ok=True)
    _meta(part).unlink(missing_ok=True)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One worker at a time counts and reserves (an advisory lock on ``logs/incoming.lock``)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / "incoming.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _reservations(folder: Path, stale_s: float) -> list[tuple[Path, str, int]]:
    """``(part, client key, declared size)`` of every live partial upload; stale ones (and strays) are removed."""
    cutoff = time.time() - stale_s
    live = []
    for meta in folder.glob("*.json"):
        part = meta.with_suffix(".part")
        try:
            info = json.loads(meta.read_text())
            touched = max(meta.stat().st_mtime, part.stat().st_mtime if part.exists() else 0)
            if touched < cutoff:
                _remove(part)
                continue
            live.append((part, str(info["client"]), int(info["total"])))
        except (OSError, ValueError, KeyError, TypeError):  # half-written by a worker that died: drop it
            _remove(part)
    for part in folder.glob("*.part"):  # a part without its reservation (older versions, a crash)
        try:
            if not _meta(part).exists() and part.stat().st_mtime < cutoff:
                part.unlink()
        except OSError:
            pass
    return live


def _reserve(part: Path, total: int, quota: Quota, client: str) -> None:
    """Reserve ``total`` bytes for a new upload within the quotas, or say which one it would pass."""
    key = client_key(client)
    with _locked(part.parent):
        live = [r for r in _reservations(part.parent, quota.stale_s) if r[0] != part]
        mine = [size for _, owner, size in live if owner == key]
        if len(mine) >= quota.parts_per_client:
            raise UploadError(
                f"{len(mine)} of your uploads are still unfinished, the most one client may have; "
                "finish or abandon one (unfinished uploads are removed after GLASSBOX_UPLOAD_STALE_MINUTES)."
            )
        if sum(mine) + total > quota.per_client:
            raise UploadError(
                f"your unfinished uploads already hold {sum(mine) / MIB:,.1f} MiB; with this one they would pass "
                f"{quota.per_client / MIB:,.0f} MiB, the most one client may park (GLASSBOX_UPLOAD_CLIENT_MB)."
            )
        held = sum(size for _, _, size in live)
        if held + total > quota.total:
            raise UploadError(
                f"the server is holding {held / MIB:,.1f} MiB of other unfinished uploads; this one would pass its "
                f"{quota.total / MIB:,.0f} MiB for all of them (GLASSBOX_UPLOAD_TOTAL_MB). Please try again later."
            )
        _meta(part).write_text(json.dumps({"client": key, "total": total}))
        part.write_bytes(b"")


def receive_chunk(
    data_dir: str | Path,
    upload_id: str,
    offset: int,
    data: bytes,
    total: int,
    limit: int,
    *,
    client: str | None = None,
    quota: Quota | None = None,
) -> int:
    """Store one chunk of an upload of ``total`` bytes and return how many bytes have arrived.

    Args:
        client: Who sends it (an address); default: the current Flask request's remote address.
        quota: Default: the running app's (``GLASSBOX_UPLOAD_CLIENT_MB`` ...).

    Raises:
        UploadError: a bad upload id; the upload is over ``limit`` bytes or would pass a quota; or
            the chunk does not start where the previous one ended, or runs past the declared size
            (the part file is removed then).
    """
    part = _part(data_dir, upload_id)
    default_quota, default_client = _request_context()
    quota, client = quota or default_quota, client or default_client
    if total < 0 or offset < 0:
        raise UploadError("The upload could not be read (negative size or offset).")
    if total > limit or offset + len(data) > limit:
        _remove(part)
        raise UploadError(f"it is {total / 2**20:.1f} MiB; the upload limit is {limit / 2**20:.0f} MiB.")
    if offset == 0:
        _reserve(part, total, quota, client)
        part.write_bytes(data)
        return len(data)
    try:
        declared = int(json.loads(_meta(part).read_text())["total"])
        size = part.stat().st_size
    except (OSError, ValueError, KeyError, TypeError):
        declared, size = -1, -1
    if size != offset:
        _remove(part)
        raise UploadError("a part of the upload went missing; please upload it again.")
    if offset + len(data) > declared:
        _remove(part)
        raise UploadError(f"it sent more than the {declared:,} bytes it announced; please upload it again.")
    with open(part, "ab") as out:
        out.write(data)
    return offset + len(data)


def take_upload(data_dir: str | Path, upload_id: str) -> bytes:
    """The whole content of a finished upload; its part file and reservation are removed."""
    part = _part(data_dir, upload_id)
    try:
        return part.read_bytes()
    except FileNotFoundError:
        raise UploadError("the upload went missing on the server; please upload it again.") from None
    finally:
        _remove(part)
