"""A time column as users bring it: ISO 8601 with or without an offset, Twitter's ``created_at``, epoch seconds (or
milliseconds), and what dateutil reads ("11/30/2026 05:29").

Every value becomes a UTC timestamp. A value without an offset is read as UTC (and counted, so the page can say
so); a value that is none of these is NaT (and counted: those rows stay out of the time view).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Twitter's API v1.1 ``created_at``: "Mon Nov 30 05:29:50 +0000 2026".
TWITTER_FORMAT = "%a %b %d %H:%M:%S %z %Y"
_TWITTER = r"^[A-Za-z]{3} [A-Za-z]{3} \d{1,2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}$"
# Epoch seconds (9 to 11 digits: 1973 to 5138), optionally with a fraction; milliseconds (12 or 13 digits).
_EPOCH = r"^\d{9,11}(?:\.\d+)?$"
_EPOCH_MS = r"^\d{12,13}$"
# Values neither ISO 8601 nor the above go to dateutil one by one (~20 µs each); past this many, only when a sample
# of them parses, so a column of junk in a large upload costs a sample, not minutes.
_MIXED_SAMPLE = 1000
# An explicit offset or zone after the clock time at the end of a value ("2026-11-30" ends in "-30", no offset).
_OFFSET = r"\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"


@dataclass(frozen=True)
class ParsedTimes:
    """A time column read as UTC.

    Attributes:
        times: ``datetime64[ns, UTC]`` in the input's order and index; NaT for an empty or unreadable value.
        empty: How many values were empty.
        unparseable: How many non-empty values could not be read (``examples`` shows up to three).
        naive: How many values carried no offset and were read as UTC.
        examples: Up to three of the unreadable values, as written.
    """

    times: pd.Series
    empty: int
    unparseable: int
    naive: int
    examples: tuple[str, ...]

    def notes(self, column: str) -> list[str]:
        """What the user should know about the column, as sentences for the page."""
        notes = []
        if self.unparseable or self.empty:
            shown = ", ".join(repr(e) for e in self.examples)
            parts = [f"{self.unparseable:,} unreadable (e.g. {shown})" if self.unparseable else "", ""]
            parts[1] = f"{self.empty:,} empty" if self.empty else ""
            notes.append(
                f"Time column {column!r}: {' and '.join(p for p in parts if p)} value(s); "
                f"those {self.unparseable + self.empty:,} row(s) are kept but left out of the time view."
            )
        if self.naive:
            notes.append(f"Time column {column!r}: {self.naive:,} value(s) had no timezone and were read as UTC.")
        return notes


def _worth_trying(values: pd.Series) -> bool:
    """Whether dateutil should read ``values``: always when few, else when half a sample of them parses."""
    if len(values) <= _MIXED_SAMPLE:
        return True
    sample = pd.to_datetime(values.head(_MIXED_SAMPLE), format="mixed", utc=True, errors="coerce")
    return bool(sample.notna().mean() >= 0.5)


def parse_times(values: pd.Series) -> ParsedTimes:
    """Read a column of times written in any of the supported ways (they may be mixed, row by row)."""
    text = values.astype("string").str.strip().fillna("")
    times = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    empty = text.eq("")
    epoch = text.str.fullmatch(_EPOCH)
    epoch_ms = text.str.fullmatch(_EPOCH_MS)
    twitter = text.str.fullmatch(_TWITTER)
    rest = ~(empty | epoch | epoch_ms | twitter)
    if epoch.any():
        times[epoch] = pd.to_datetime(text[epoch].astype(float), unit="s", utc=True, errors="coerce")
    if epoch_ms.any():
        times[epoch_ms] = pd.to_datetime(text[epoch_ms].astype("int64"), unit="ms", utc=True, errors="coerce")
    if twitter.any():
        times[twitter] = pd.to_datetime(text[twitter], format=TWITTER_FORMAT, utc=True, errors="coerce")
    if rest.any():
        iso = pd.to_datetime(text[rest], format="ISO8601", utc=True, errors="coerce")
        left = iso.isna()
        if left.any() and _worth_trying(text[rest][left]):  # "11/30/2026 05:29", "30 Nov 2026" ...: dateutil
            iso[left] = pd.to_datetime(text[rest][left], format="mixed", utc=True, errors="coerce")
        times[rest] = iso
    bad = times.isna() & ~empty
    naive = rest & times.notna() & ~text.str.contains(_OFFSET, regex=True)
    return ParsedTimes(
        times=times,
        empty=int(empty.sum()),
        unparseable=int(bad.sum()),
        naive=int(naive.sum()),
        examples=tuple(text[bad].str.slice(0, 40).head(3)),
    )
