"""Uploads that arrive in chunks, so the browser can show how much has reached the server.

Each chunk is appended to ``<data_dir>/logs/incoming/<upload id>.part`` at the offset the
browser says it starts at; the file, not a worker's memory, holds the upload, so any worker
may receive any chunk. The last chunk's caller takes the whole content and the part file goes.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

UPLOAD_ID = re.compile(r"^[0-9a-f]{16,32}$")
STALE_S = 24 * 3600  # part files of uploads abandoned this long ago are removed


class UploadError(ValueError):
    """A chunk that cannot be accepted; the message tells the user why."""


def _part(data_dir: str | Path, upload_id: str) -> Path:
    if not UPLOAD_ID.match(upload_id or ""):
        raise UploadError("The upload could not be read (bad upload id).")
    return Path(data_dir) / "logs" / "incoming" / f"{upload_id}.part"


def _remove_stale(folder: Path) -> None:
    cutoff = time.time() - STALE_S
    for part in folder.glob("*.part"):
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
        except OSError:  # another worker got there first
            pass


def receive_chunk(data_dir: str | Path, upload_id: str, offset: int, data: bytes, total: int, limit: int) -> int:
    """Store one chunk of an upload of ``total`` bytes and return how many bytes have arrived.

    Raises:
        UploadError: the upload is over ``limit`` bytes, or the chunk does not start where the
            previous one ended (the part file is removed then).
    """
    part = _part(data_dir, upload_id)
    if total > limit or offset + len(data) > limit:
        part.unlink(missing_ok=True)
        raise UploadError(f"it is {total / 2**20:.1f} MiB; the upload limit is {limit / 2**20:.0f} MiB.")
    part.parent.mkdir(parents=True, exist_ok=True)
    if offset == 0:
        _remove_stale(part.parent)
        part.write_bytes(data)
        return len(data)
    size = part.stat().st_size if part.exists() else -1
    if size != offset:
        part.unlink(missing_ok=True)
        raise UploadError("a part of the upload went missing; please upload it again.")
    with open(part, "ab") as out:
        out.write(data)
    return offset + len(data)


def take_upload(data_dir: str | Path, upload_id: str) -> bytes:
    """The whole content of a finished upload; its part file is removed."""
    part = _part(data_dir, upload_id)
    try:
        return part.read_bytes()
    except FileNotFoundError:
        raise UploadError("the upload went missing on the server; please upload it again.") from None
    finally:
        part.unlink(missing_ok=True)
