"""Files named by their content: an upload kept once, under an id every worker can find it by."""

from __future__ import annotations

import csv
import hashlib
import re
import uuid
from pathlib import Path

UPLOAD_ID = re.compile(r"upload-[0-9a-f]{16}")


def is_upload_id(value: object) -> bool:
    """Whether ``value`` is exactly an id ``store_by_content`` makes (nothing before or after, no newline)."""
    return isinstance(value, str) and UPLOAD_ID.fullmatch(value) is not None


def guess_column(columns: list[str], *names: str) -> str | None:
    """The first of ``names`` that is a column, compared without case; None when none is.

    Uploads on every page offer their columns and preselect the likely one (``"text"``, ``"label"`` ...).
    """
    lowered = {str(c).lower(): c for c in columns}
    return next((lowered[n] for n in names if n in lowered), None)


def sniff_delimiter(text: str) -> str:
    """A CSV's delimiter among the usual ones (comma when the sample does not say)."""
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def content_id(payload: bytes) -> str:
    """The id ``store_by_content`` gives ``payload`` (known before storing it, so its owner is recorded first)."""
    return "upload-" + hashlib.sha256(payload).hexdigest()[:16]


def store_by_content(folder: Path, payload: bytes, suffix: str) -> tuple[str, Path, bool]:
    """Write ``payload`` to ``folder/upload-<sha256[:16]><suffix>`` unless it is already there.

    The file appears whole or not at all (written beside it, then renamed), so a worker that
    reads it never sees half a file.

    Returns:
        ``(upload_id, path, created)``: ``created`` is False when the same content was stored before.
    """
    upload_id = content_id(payload)
    path = Path(folder) / f"{upload_id}{suffix}"
    if path.exists():
        return upload_id, path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(payload)
    tmp.replace(path)
    return upload_id, path, True
