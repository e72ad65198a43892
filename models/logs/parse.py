"""Parse Apache/Nginx access logs into Arrow columns, vectorised.

The hot path never loops over lines in Python. The dominant line layout is sniffed from the
first lines; Arrow's C++ CSV reader (space-delimited, double-quoted, backslash-escaped) then
tokenises whole blocks, and every conversion runs on Arrow/NumPy arrays, mostly on the
*distinct* values of a column (timestamps to the second, agents, paths repeat heavily). Only
lines that do not fit the dominant layout, rare by nature, go through a per-line regex, and
those that match nothing are counted and kept as rejected: ``parsed + rejected == lines``.
"""

from __future__ import annotations

import io
import re
import time
import zlib
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from models.limits import CappedGzipReader, LimitError, Limits, check_lines, current_limits, release_memory
from models.logs.arrowstr import as_string_array, buffers, dictionary_map, first_params, split_parts

# One line, every supported variant: optional vhost, optional offset, optional referrer+agent,
# any trailing fields. Used to sniff the layout and for the rare lines that do not fit it.
LINE_RE = re.compile(
    r"^(?:(?P<host>\S+) )?(?P<ip>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<ts>[^\]\s]+)(?: (?P<tz>[^\]]+))?\] "
    r'"(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{3}) (?P<bytes>\d+|-)'
    r'(?: "(?P<referrer>(?:[^"\\]|\\.)*)" "(?P<agent>(?:[^"\\]|\\.)*)")?(?P<rest>(?: \S+)*)\s*$'
)
_UNESCAPE_RE = re.compile(r"\\(.)")
BOT_RE = (
    r"bot|crawl|spider|slurp|curl|wget|python-requests|python-urllib|httpclient|go-http|okhttp|java/|libwww|"
    r"scrapy|headless|phantomjs|facebookexternalhit|monitor|uptime|pingdom|feedfetcher|preview"
)
MONTHS = {
    m: i + 1 for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
}
CHUNK_BYTES = 16 << 20  # what one worker thread parses at a time
CSV_BLOCK_BYTES = 1 << 20  # Arrow's tokeniser is ~2x faster on blocks that stay in the CPU caches
SCAN_BYTES = 1 << 20
INT64_MIN = np.iinfo(np.int64).min
SNIFF_LINES = 2000

_STRING_TOKENS = ("ts", "request", "bytes")  # nearly unique per line: encoding them costs more than it saves

EVENT_SCHEMA = pa.schema(
    [
        ("ts", pa.timestamp("s", tz="UTC")),
        ("host", pa.dictionary(pa.int32(), pa.string())),
        ("ip", pa.dictionary(pa.int32(), pa.string())),
        ("method", pa.dictionary(pa.int32(), pa.string())),
        ("path", pa.dictionary(pa.int32(), pa.string())),
        ("query", pa.string()),
        ("protocol", pa.dictionary(pa.int32(), pa.string())),
        ("status", pa.int16()),
        ("bytes", pa.int64()),
        ("referrer", pa.dictionary(pa.int32(), pa.string())),
        ("agent", pa.dictionary(pa.int32(), pa.string())),
        ("agent_class", pa.dictionary(pa.int32(), pa.string())),
        ("product", pa.dictionary(pa.int32(), pa.string())),
        ("category", pa.dictionary(pa.int32(), pa.string())),
        ("request_time", pa.float64()),
        ("source", pa.dictionary(pa.int32(), pa.string())),
        ("line", pa.int64()),
    ]
)


@dataclass(frozen=True)
class ParserConfig:
    """How to read times and where product and category ids live in URLs.

    Attributes:
        timezone: Zone of timestamps written without an offset.
        product_params / category_params: Query keys, in priority order.
        product_patterns / category_patterns: Regexes on the URL path with one group, the id.
        keep_rejected: How many rejected lines to keep, with their line numbers.
    """

    timezone: str = "UTC"
    product_params: tuple[str, ...] = ("productId", "product_id", "pid", "itemId")
    category_params: tuple[str, ...] = ("categoryId", "category_id", "cat")
    product_patterns: tuple[str, ...] = (r"/products?/([^/?#;]+)",)
    category_patterns: tuple[str, ...] = (r"/categor(?:y|ies)/([^/?#;]+)",)
    keep_rejected: int = 50


@dataclass(frozen=True)
class RejectedLine:
    source: str
    line: int
    text: str
    reason: str


@dataclass
class ParseResult:
    """Parsed events and the accounting a user needs to trust them.

    ``table`` follows ``EVENT_SCHEMA``; ``parsed + rejected == lines`` always.
    """

    table: pa.Table
    lines: int = 0
    parsed: int = 0
    rejected: int = 0
    rejected_lines: list[RejectedLine] = field(default_factory=list)
    seconds: float = 0.0
    sources: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "lines": self.lines,
            "parsed": self.parsed,
            "rejected": self.rejected,
            "seconds": round(self.seconds, 4),
            "lines_per_second": round(self.lines / self.seconds) if self.seconds else None,
            "sources": self.sources,
            "rejected_examples": [r.__dict__ for r in self.rejected_lines[:10]],
        }


class LogFormatError(ValueError):
    """The input is not an access log at all (binary, empty, CSV...)."""


class LogTooLargeError(LogFormatError, LimitError):
    """The input would cost more than a configured cap (a decompression bomb, too many lines)."""


GZIP_MAGIC = b"\x1f\x8b"
TRIM_AFTER_BYTES = 32 << 20  # hand memory back to the OS after parses at least this large (a trim costs ms)


# --------------------------------------------------------------------------- layout sniffing


@dataclass(frozen=True)
class _Layout:
    host: bool
    tz: bool
    ref_agent: bool
    rest: int

    @property
    def columns(self) -> list[str]:
        cols = (["host"] if self.host else []) + ["ip", "ident", "user", "ts"] + (["tz"] if self.tz else [])
        cols += ["request", "status", "bytes"] + (["referrer", "agent"] if self.ref_agent else [])
        return cols + [f"rest{i}" for i in range(self.rest)]


def _layout_of(match: re.Match) -> _Layout:
    return _Layout(
        host=match["host"] is not None,
        tz=match["tz"] is not None,
        ref_agent=match["agent"] is not None,
        rest=len(match["rest"].split()),
    )


def sniff_layout(sample: bytes) -> _Layout | None:
    """The most common layout among the first lines, or None when no line is an access log."""
    votes: Counter = Counter()
    for raw in sample.split(b"\n", SNIFF_LINES)[:SNIFF_LINES]:
        match = LINE_RE.match(raw.decode("utf-8", "replace").rstrip("\r"))
        if match:
            votes[_layout_of(match)] += 1
    return votes.most_common(1)[0][0] if votes else None


# --------------------------------------------------------------------------- conversions


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 for proleptic Gregorian dates (Howard Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _char_matrix(values: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The rows of a string array that are exactly ``width`` bytes long, as an ``(m, width)`` uint8 matrix.

    Returns:
        The matrix (a zero-copy view when every row fits) and the indices of its rows in
        ``values``, or None when that is every row.
    """
    values = as_string_array(values)
    offsets, data = buffers(values)
    fits = np.diff(offsets) == width
    if values.null_count:
        fits &= pc.is_valid(values).to_numpy(zero_copy_only=False)
    if fits.all():
        return data[offsets[0] : offsets[0] + width * len(values)].reshape(len(values), width), None
    rows = np.flatnonzero(fits)
    return data[offsets[rows][:, None] + np.arange(width)], rows


def _digits(chars: np.ndarray, columns: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """The decimal number written in ``columns`` of each row of a uint8 matrix, and whether each row's are all digits."""
    digits = chars[:, columns] - np.uint8(48)  # wraps around below "0", so one comparison checks both ends
    value = np.zeros(len(chars), np.int64)
    for j in range(len(columns)):
        value = value * 10 + digits[:, j]
    return value, (digits <= 9).all(axis=1)


def _fixed_width(values: pa.Array, width: int, convert) -> np.ndarray:
    """``convert`` (an ``(m, width)`` uint8 matrix → m int64) on the rows ``width`` bytes long; INT64_MIN elsewhere."""
    chars, rows = _char_matrix(values, width)
    converted = convert(chars)
    if rows is None:
        return converted
    out = np.full(len(values), INT64_MIN, dtype=np.int64)
    out[rows] = converted
    return out


_MONTH_KEYS = np.array([int.from_bytes(m.encode(), "big") for m in MONTHS])
_MONTH_ORDER = np.argsort(_MONTH_KEYS)


def _clf_seconds(chars: np.ndarray) -> np.ndarray:
    """Rows ``dd/Mon/YYYY:HH:MM:SS`` of a uint8 matrix to epoch seconds, INT64_MIN where malformed."""
    day, ok = _digits(chars, (0, 1))
    year, year_ok = _digits(chars, (7, 8, 9, 10))
    clock, clock_ok = _digits(chars, (12, 13, 15, 16, 18, 19))
    hour, minute, second = clock // 10000, clock // 100 % 100, clock % 100
    key = (chars[:, 3].astype(np.int64) << 16) | (chars[:, 4].astype(np.int64) << 8) | chars[:, 5]
    sorted_keys = _MONTH_KEYS[_MONTH_ORDER]
    pos = np.minimum(np.searchsorted(sorted_keys, key), 11)
    month = np.where(sorted_keys[pos] == key, _MONTH_ORDER[pos] + 1, 0)
    separators = (
        (chars[:, 2] == 47) & (chars[:, 6] == 47) & (chars[:, 11] == 58) & (chars[:, 14] == 58) & (chars[:, 17] == 58)
    )
    ok &= (
        year_ok
        & clock_ok
        & separators
        & (month > 0)
        & (day >= 1)
        & (day <= 31)
        & (hour < 24)
        & (minute < 60)
        & (second < 61)
    )
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    return np.where(ok, seconds, INT64_MIN)


def _offset_seconds(chars: np.ndarray) -> np.ndarray:
    """Rows ``+hhmm`` / ``-hhmm`` of a uint8 matrix to seconds east of UTC, INT64_MIN where malformed."""
    hhmm, ok = _digits(chars, (1, 2, 3, 4))
    sign = chars[:, 0]
    ok &= ((sign == 43) | (sign == 45)) & (hhmm % 100 < 60)
    seconds = (hhmm // 100 * 3600 + hhmm % 100 * 60) * np.where(sign == 45, -1, 1)
    return np.where(ok, seconds, INT64_MIN)


def parse_clf_time(values: pa.Array) -> np.ndarray:
    """``dd/Mon/YYYY:HH:MM:SS`` strings to epoch seconds (int64); unparseable or null → ``INT64_MIN``."""
    return _fixed_width(values, 20, _clf_seconds)


def parse_offset(values: pa.Array) -> np.ndarray:
    """``+hhmm`` / ``-hhmm`` strings to seconds east of UTC; anything else, null included → ``INT64_MIN``."""
    return _fixed_width(values, 5, _offset_seconds)


def _local_to_utc(local_seconds: np.ndarray, timezone: str) -> np.ndarray:
    if timezone.upper() in ("UTC", "Z", "ETC/UTC"):
        return local_seconds
    missing = local_seconds == INT64_MIN
    stamps = pd.DatetimeIndex(np.where(missing, 0, local_seconds).astype("datetime64[s]"))
    utc = stamps.tz_localize(timezone, ambiguous="NaT", nonexistent="shift_forward").tz_convert("UTC")
    seconds = utc.as_unit("s").asi8.copy()
    seconds[missing | utc.isna()] = INT64_MIN
    return seconds


def _with_offsets(local: np.ndarray, offset: np.ndarray | None, timezone: str) -> np.ndarray:
    """UTC epoch seconds from local times and their offsets; rows without one (None, or null) are in ``timezone``."""
    if offset is None:
        return _local_to_utc(local, timezone)
    utc = np.where((local == INT64_MIN) | (offset == INT64_MIN), INT64_MIN, local - offset)
    return utc


def _timestamps(ts: pa.Array, tz: pa.Array | None, timezone: str) -> np.ndarray:
    """Epoch seconds (UTC) from ``dd/Mon/YYYY:HH:MM:SS`` strings and ``+hhmm`` offsets (null: in ``timezone``)."""
    local = parse_clf_time(ts)
    if tz is None or tz.null_count == len(tz):
        return _local_to_utc(local, timezone)
    utc = _with_offsets(local, parse_offset(tz), timezone)
    naive = pc.is_null(tz).to_numpy(zero_copy_only=False)
    if naive.any():
        utc[naive] = _local_to_utc(local[naive], timezone)
    return utc


def _token_timestamps(ts: pa.Array, tz: pa.Array | None, timezone: str) -> np.ndarray:
    """Epoch seconds (UTC) from the reader's tokens: ``[dd/Mon/YYYY:HH:MM:SS`` and ``+hhmm]``, or ``[...]`` alone."""
    if tz is None:

        def bracketed(chars):
            return np.where((chars[:, 0] == 91) & (chars[:, 21] == 93), _clf_seconds(chars[:, 1:21]), INT64_MIN)

        return _local_to_utc(_fixed_width(ts, 22, bracketed), timezone)

    def opened(chars):
        return np.where(chars[:, 0] == 91, _clf_seconds(chars[:, 1:]), INT64_MIN)

    def closed(chars):
        return np.where(chars[:, 5] == 93, _offset_seconds(chars[:, :5]), INT64_MIN)

    # Offsets repeat (one per server, mostly): convert the distinct tokens only.
    offset = dictionary_map(tz, lambda d: pa.array(_fixed_width(d, 6, closed))).to_numpy(zero_copy_only=False)
    return _with_offsets(_fixed_width(ts, 21, opened), offset, timezone)


def _coalesce_ids(from_query: pa.Array, paths: pa.DictionaryArray, patterns: Sequence[str]) -> pa.Array:
    """The id from the query string, else from the first path pattern that matches (on distinct paths); "" → null."""
    candidates = [from_query]
    for pattern in patterns:
        regex = pattern if "(?P<" in pattern else re.sub(r"(?<!\\)\((?!\?)", "(?P<id>", pattern, count=1)
        candidates.append(dictionary_map(paths, lambda d, r=regex: pc.struct_field(pc.extract_regex(d, r), [0])))
    values = pc.coalesce(*[as_string_array(c) for c in candidates]) if len(candidates) > 1 else candidates[0]
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _recode(values: pa.Array, fn, null: str | None = None) -> pa.DictionaryArray:
    """``fn`` on the distinct values (``null`` standing for a missing one), kept dictionary-encoded."""
    values = _dict(values)
    labels, indices = fn(values.dictionary), values.indices
    if null is not None and values.null_count:
        labels = pa.concat_arrays([labels, pa.array([null], pa.string())])
        indices = pc.fill_null(indices, len(values.dictionary))
    encoded = pc.dictionary_encode(labels)
    return pa.DictionaryArray.from_arrays(encoded.indices.take(indices), encoded.dictionary)


def _agent_class(agents: pa.Array) -> pa.DictionaryArray:
    def classify(distinct: pa.Array) -> pa.Array:
        bot = pc.match_substring_regex(distinct, BOT_RE, ignore_case=True)
        browser = pc.match_substring_regex(distinct, r"^(?:Mozilla|Opera)/", ignore_case=True)
        return pc.if_else(pc.fill_null(bot, False), "bot", pc.if_else(pc.fill_null(browser, False), "browser", "other"))

    return _recode(agents, classify, null="other")


_DICT = pa.dictionary(pa.int32(), pa.string())


def _dict(values: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    """``values`` as one dictionary<int32, string> array (already-encoded input is kept as it is)."""
    if isinstance(values, pa.ChunkedArray):
        values = (
            values.unify_dictionaries().combine_chunks()
            if pa.types.is_dictionary(values.type)
            else values.combine_chunks()
        )
    if values.type == _DICT:
        return values
    return pc.dictionary_encode(as_string_array(values))


REPEAT_SAMPLE = 4096  # rows looked at to tell whether a chunk's requests repeat


def _distinct_requests(requests: pa.Array) -> tuple[pa.StringArray, pa.Array | None]:
    """The distinct requests and each row's index into them; or the rows themselves and None when a sample's
    requests are mostly distinct (encoding them would cost more than it saves) or some are missing."""
    requests = as_string_array(requests)
    sample = requests.slice(0, REPEAT_SAMPLE)
    if requests.null_count or pc.count_distinct(sample).as_py() * 2 > len(sample):
        return requests, None
    encoded = pc.dictionary_encode(requests)
    return encoded.dictionary, encoded.indices


def _spread(values: pa.Array, rows: pa.Array | None) -> pa.DictionaryArray:
    """Per-row values, dictionary-encoded, from ``values`` (one per distinct request) and each row's index into
    them (``_distinct_requests``; None: ``values`` are the rows')."""
    encoded = values if pa.types.is_dictionary(values.type) else pc.dictionary_encode(values)
    if rows is None:
        return encoded
    return pa.DictionaryArray.from_arrays(encoded.indices.take(rows), encoded.dictionary)


def _dash_null(values: pa.DictionaryArray) -> pa.DictionaryArray:
    """Apache writes ``-`` for "no referrer / no agent": make it a null, on the dictionary's codes only."""
    dashes = np.flatnonzero(np.asarray(values.dictionary.to_pylist(), dtype=object) == "-")
    if not len(dashes):
        return values
    missing = pc.is_in(values.indices, value_set=pa.array(dashes, values.indices.type))
    indices = pc.if_else(missing, pa.scalar(None, values.indices.type), values.indices)
    return pa.DictionaryArray.from_arrays(indices, values.dictionary)


def _constant(value: str | None, n: int) -> pa.DictionaryArray:
    """A dictionary column holding one value (or null) n times."""
    if value is None:
        return pa.DictionaryArray.from_arrays(pa.nulls(n, pa.int32()), pa.array([], pa.string()))
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([value], pa.string()))


def _byte_rows(values: pa.StringArray) -> tuple[np.ndarray, np.ndarray]:
    """A string array's bytes, exactly its rows' in order, and the offsets of its rows in them (n + 1)."""
    offsets, data = buffers(values)
    return data[offsets[0] : offsets[-1]], (offsets - offsets[0]).astype(np.int64)


def _rows_hit(flags: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per row, whether any of its bytes is flagged (``_byte_rows``' offsets)."""
    hit = np.zeros(len(offsets) - 1, dtype=bool)
    hit[np.searchsorted(offsets, np.flatnonzero(flags), "right") - 1] = True
    return hit


def _byte_sizes(values: pa.Array) -> np.ndarray:
    """The response size per row: the number when it is 1-18 digits, 0 for ``-``, -1 (bad) for anything else.

    Checked on the bytes in NumPy (a size is a few digits), then cast by Arrow; the same as matching
    ``^\\d{1,18}$`` row by row.
    """
    values = as_string_array(values)
    data, offsets = _byte_rows(values)
    lengths = np.diff(offsets)
    digits = (lengths >= 1) & (lengths <= 18) & ~_rows_hit((data - np.uint8(48)) > 9, offsets)
    if values.null_count:
        digits &= pc.is_valid(values).to_numpy(zero_copy_only=False)
    first = data[np.minimum(offsets[:-1], len(data) - 1)] if len(data) else np.zeros(len(lengths), np.uint8)
    dash = (lengths == 1) & (first == 45)
    if digits.all():
        return pc.cast(values, pa.int64()).to_numpy(zero_copy_only=False)
    sizes = pc.cast(pc.if_else(pa.array(digits), values, "0"), pa.int64()).to_numpy(zero_copy_only=False)
    return np.where(digits, sizes, np.where(dash, 0, -1))


def _request_time(rest: pa.Array | None, n: int) -> pa.Array:
    """The first trailing field (a request's duration) as a number: null unless it reads
    ``^\\d+(\\.\\d+)?$`` (checked on the bytes in NumPy, then cast by Arrow)."""
    if rest is None:
        return pa.nulls(n, pa.float64())
    rest = as_string_array(rest)
    data, offsets = _byte_rows(rest)
    lengths = np.diff(offsets)
    dot = data == 46
    ok = (lengths >= 1) & ~_rows_hit(((data - np.uint8(48)) > 9) & ~dot, offsets)
    if rest.null_count:
        ok &= pc.is_valid(rest).to_numpy(zero_copy_only=False)
    dots = np.flatnonzero(dot)
    if len(dots):  # one dot at most, with digits on both sides
        rows = np.searchsorted(offsets, dots, "right") - 1
        ok &= np.bincount(rows, minlength=len(rest)) <= 1
        edge = (dots == offsets[rows]) | (dots == offsets[rows + 1] - 1)
        ok[rows[edge]] = False
    if ok.all():
        return pc.cast(rest, pa.float64())
    return pc.cast(pc.if_else(pa.array(ok), rest, None), pa.float64())


def _convert(
    columns: dict[str, pa.Array], ts: np.ndarray, lines: np.ndarray, source: str, config: ParserConfig
) -> tuple[pa.Table, np.ndarray]:
    """Raw text columns → typed event columns.

    Args:
        columns: ``ip``, ``request``, ``status``, ``bytes`` and, when present, ``host``, ``referrer``,
            ``agent``, ``rest0`` (strings or dictionary-encoded strings).
        ts: Epoch seconds (UTC) per row, INT64_MIN where the time did not parse.
        lines: Line number of each row.

    Returns:
        The table of good rows and the bad rows' mask.
    """
    n = len(lines)
    status = dictionary_map(
        columns["status"],
        lambda d: pc.cast(pc.if_else(pc.match_substring_regex(d, r"^[1-5]\d\d$"), d, "0"), pa.int16()),
    )
    status = status.to_numpy(zero_copy_only=False)
    size = _byte_sizes(columns["bytes"])
    bad = (ts == INT64_MIN) | (status == 0) | (size < 0)

    # Requests often repeat (the same pages, few query strings): each distinct one is split once, then spread
    # to its rows. Where they rarely do (a session id in every URL), the rows are split as they are.
    distinct, rows = _distinct_requests(columns["request"])
    method, target, protocol = split_parts(distinct, " ", 3)
    missing = pc.is_null(target).to_numpy(zero_copy_only=False)
    bad |= missing if rows is None else missing[rows.to_numpy()]
    path, query = split_parts(pc.fill_null(target, ""), "?", 2)
    path = _dict(path)
    protocol = _recode(pc.fill_null(protocol, "-"), lambda d: pc.replace_substring_regex(d, r"^HTTP (\d)", r"HTTP/\1"))
    product_param, category_param = first_params(query, [config.product_params, config.category_params])
    product = _spread(_coalesce_ids(product_param, path, config.product_patterns), rows)
    category = _spread(_coalesce_ids(category_param, path, config.category_patterns), rows)
    method, path, protocol = _spread(method, rows), _spread(path, rows), _spread(protocol, rows)
    query = query if rows is None else query.take(rows)
    table = pa.table(
        {
            "ts": pa.array(np.where(bad, 0, ts).astype("datetime64[s]")).cast(pa.timestamp("s", tz="UTC")),
            "host": _dict(columns["host"]) if "host" in columns else _constant(None, n),
            "ip": _dict(columns["ip"]),
            "method": _dict(method),
            "path": path,
            "query": as_string_array(query),
            "protocol": protocol,
            "status": pa.array(status, pa.int16()),
            "bytes": pa.array(size, pa.int64()),
            "referrer": _dash_null(_dict(columns["referrer"])) if "referrer" in columns else _constant(None, n),
            "agent": _dash_null(_dict(columns["agent"])) if "agent" in columns else _constant(None, n),
            "agent_class": _agent_class(columns["agent"]) if "agent" in columns else _constant("other", n),
            "product": _dict(product),
            "category": _dict(category),
            "request_time": _request_time(columns.get("rest0"), n),
            "source": _constant(source, n),
            "line": pa.array(lines, pa.int64()),
        },
        schema=EVENT_SCHEMA,
    )
    return (table.filter(pa.array(~bad)) if bad.any() else table), bad


# --------------------------------------------------------------------------- chunks


def _scan(data) -> tuple[int, bool]:
    """Line count (a last line without newline counts) and whether the bytes are all ASCII, in cache-sized pieces."""
    array = np.frombuffer(data, np.uint8)
    newlines, ascii_only = 0, True
    for i in range(0, len(array), SCAN_BYTES):
        piece = array[i : i + SCAN_BYTES]
        newlines += int(np.count_nonzero(piece == 10))
        ascii_only = ascii_only and int(piece.max()) < 128
    return newlines + (1 if len(array) and array[-1] != 10 else 0), ascii_only


def _valid_utf8(data) -> bytes:
    raw = bytes(data)
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace").encode("utf-8")


def _line_text(data, starts: np.ndarray, index: int) -> str:
    end = starts[index + 1] if index + 1 < len(starts) else len(data)
    return bytes(data[starts[index] : end]).decode("utf-8", "replace").rstrip("\r\n")[:2000]


@dataclass
class _ChunkResult:
    table: pa.Table
    lines: int
    rejected: int
    rejected_lines: list[RejectedLine]

    def renumbered(self, first_line: int) -> _ChunkResult:
        """The same result with line numbers counted from ``first_line`` instead of 1."""
        if first_line == 1:
            return self
        index = self.table.schema.get_field_index("line")
        table = self.table.set_column(index, "line", pc.add(self.table["line"], first_line - 1))
        examples = [RejectedLine(r.source, r.line + first_line - 1, r.text, r.reason) for r in self.rejected_lines]
        return _ChunkResult(table, self.lines, self.rejected, examples)


def _regex_columns(texts: list[str]) -> tuple[dict[str, pa.Array], list[bool]]:
    """The rare path: one regex per line, for lines whose layout differs from the file's."""
    fields = ["host", "ip", "ts", "tz", "request", "status", "bytes", "referrer", "agent", "rest0"]
    rows: dict[str, list] = {f: [] for f in fields}
    matched = []
    for text in texts:
        match = LINE_RE.match(text)
        matched.append(match is not None)
        if match is None:
            continue
        groups = match.groupdict()
        groups["request"] = _UNESCAPE_RE.sub(r"\1", groups["request"])
        for key in ("referrer", "agent"):
            groups[key] = _UNESCAPE_RE.sub(r"\1", groups[key]) if groups[key] is not None else None
        rest = groups.pop("rest").split()
        groups["rest0"] = rest[0] if rest else None
        for f in fields:
            rows[f].append(groups.get(f))
    columns = {f: pa.array(v, pa.string()) for f, v in rows.items()}
    return columns, matched


def _tokenise(data, layout: _Layout, n_lines: int) -> tuple[pa.Table, np.ndarray, np.ndarray] | None:
    """Arrow's CSV reader on a chunk, its rows matched back to line numbers.

    Returns:
        The rows the reader took (dictionary-unified, one chunk per column), their line numbers
        (1-based within the chunk), and the numbers of the lines it refused; None when its rows
        cannot be matched to lines (a stray ``\\r``, a quote that swallowed a newline into a row
        it accepted), and the caller must take the per-line path.
    """
    refused: list[tuple[int, int]] = []  # (the reader's row number, newlines inside the row)

    def refuse(row):
        refused.append((row.number, row.text.count("\n")))
        return "skip"

    names = layout.columns
    wanted = [c for c in names if c not in ("ident", "user") and not (c.startswith("rest") and c != "rest0")]
    try:
        raw = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False, block_size=CSV_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(
                delimiter=" ", quote_char='"', escape_char="\\", ignore_empty_lines=False, invalid_row_handler=refuse
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted,
                column_types={c: pa.string() if c in _STRING_TOKENS or c.startswith("rest") else _DICT for c in wanted},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    numbers = np.array([r[0] for r in refused], dtype=np.int64)
    extra = np.array([r[1] for r in refused], dtype=np.int64)
    rows = raw.num_rows + len(numbers)
    if rows + int(extra.sum()) != n_lines or (len(numbers) and (numbers.min() < 1 or numbers.max() > rows)):
        return None
    order = np.argsort(numbers, kind="stable")
    numbers, extra = numbers[order], extra[order]
    shift = np.concatenate([[0], np.cumsum(extra)])  # lines swallowed by refused rows before each row
    keep = np.ones(rows, dtype=bool)
    keep[numbers - 1] = False
    taken = np.flatnonzero(keep) + 1
    taken_lines = taken + shift[np.searchsorted(numbers, taken)]
    spans = extra + 1  # a refused row covers its own line and those it swallowed
    refused_lines = np.repeat(numbers + shift[:-1] - (np.cumsum(spans) - spans), spans) + np.arange(int(spans.sum()))
    return raw.unify_dictionaries().combine_chunks(), taken_lines, refused_lines


def parse_chunk(data, source: str, layout: _Layout | None, config: ParserConfig) -> _ChunkResult:
    """Parse a block of complete lines (bytes-like); line numbers count from 1 at its first line."""
    n_lines, ascii_only = _scan(data)
    if not ascii_only:
        data = _valid_utf8(data)
    if n_lines == 0:
        return _ChunkResult(EVENT_SCHEMA.empty_table(), 0, 0, [])
    tables = []
    tokens = _tokenise(data, layout, n_lines) if layout is not None else None
    if tokens is not None:
        raw, taken_lines, fallback_lines = tokens
        if raw.num_rows:
            columns = {name: raw[name].chunk(0) for name in raw.column_names}
            ts = _token_timestamps(columns["ts"], columns.get("tz"), config.timezone)
            table, bad = _convert(columns, ts, taken_lines, source, config)
            tables.append(table)
            fallback_lines = np.sort(np.concatenate([fallback_lines, taken_lines[bad]]))
    else:
        fallback_lines = np.arange(1, n_lines + 1, dtype=np.int64)

    rejected_numbers = np.empty(0, dtype=np.int64)
    examples: list[str] = []
    if len(fallback_lines):
        array = np.frombuffer(data, np.uint8)
        starts = np.concatenate([[0], np.flatnonzero(array == 10) + 1])
        # Blank lines are rejected without the per-line regex: a file of newlines costs no Python loop.
        bounds = np.append(starts, len(array))
        first = bounds[fallback_lines - 1]
        length = bounds[fallback_lines] - first
        blank = (length <= 1) | ((length == 2) & (array[np.minimum(first, len(array) - 1)] == 13))
        candidates = fallback_lines[~blank]
        matched = np.zeros(len(candidates), dtype=bool)
        if len(candidates):
            columns, found = _regex_columns([_line_text(data, starts, int(line) - 1) for line in candidates])
            matched = np.array(found, dtype=bool)
            if matched.any():
                ts = _timestamps(columns["ts"], columns["tz"], config.timezone)
                table, bad = _convert(columns, ts, candidates[matched], source, config)
                tables.append(table)
                matched[np.flatnonzero(matched)[bad]] = False
        rejected_numbers = np.sort(np.concatenate([fallback_lines[blank], candidates[~matched]]))
        examples = [_line_text(data, starts, int(line) - 1) for line in rejected_numbers[: config.keep_rejected]]
    rejected = [
        RejectedLine(source, int(line), text, "empty line" if not text.strip() else "not an access-log line")
        for line, text in zip(rejected_numbers[: config.keep_rejected], examples)
    ]
    if len(tables) > 1:  # the per-line path's rows go back in between the others, in file order
        table = pa.concat_tables(tables)
        table = table.take(pc.sort_indices(table["line"]))
    else:
        table = tables[0] if tables else EVENT_SCHEMA.empty_table()
    return _ChunkResult(table, n_lines, len(rejected_numbers), rejected)


def _open(path: Path, limits: Limits | None = None, name: str | None = None) -> io.RawIOBase:
    """The file as a binary stream: a gzip file inflated as it is read, within ``limits`` (default: a server file's)."""
    limits = limits or current_limits().for_server_files()
    name = name or Path(path).name
    handle = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    if handle.read(2) == GZIP_MAGIC:
        handle.seek(0)
        return CappedGzipReader(handle, limits, name)
    handle.seek(0)
    return handle


class _Buffers:
    """Chunk buffers handed back once their chunk was parsed, to be read into again.

    A fresh 16 MB buffer per chunk costs its zeroing and a page fault per page, on the thread that
    reads the file. Nothing a parse returns keeps a view of its input (the reader copies what it
    keeps), so a buffer is free again as soon as ``parse_chunk`` returned.
    """

    SLACK = 64 << 10  # room for the partial line carried over from the chunk before

    def __init__(self, keep: int):
        self.keep, self.free = keep, []

    def take(self, size: int) -> bytearray:
        for i, buffer in enumerate(self.free):
            if len(buffer) >= size:
                return self.free.pop(i)
        return bytearray(size + self.SLACK)

    def give(self, view: memoryview) -> None:
        """Hand back the buffer under a chunk ``iter_chunks`` yielded (no view of it may be used after)."""
        buffer = view.obj
        if isinstance(buffer, bytearray) and len(self.free) < self.keep:
            self.free.append(buffer)


def iter_chunks(source, chunk_bytes: int | None = None, buffers: _Buffers | None = None) -> Iterator[memoryview]:
    """Blocks of complete lines of about ``chunk_bytes`` (the last may lack its newline).

    ``source`` is a binary stream, read into a buffer per block (taken from ``buffers``, to which the
    caller gives each block back once done with it; fresh ones without), or bytes already in memory,
    sliced without copying.
    """
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source) if isinstance(source, memoryview) else source
        view, start = memoryview(data), 0
        while start < len(data):
            end = start + chunk_bytes
            if end >= len(data):
                end = len(data)
            else:
                cut = data.rfind(b"\n", start, end)
                end = cut + 1 if cut >= 0 else (data.find(b"\n", end) + 1 or len(data))
            yield view[start:end]
            start = end
        return
    carry = b""
    while True:
        size = len(carry) + chunk_bytes
        buffer = buffers.take(size) if buffers is not None else bytearray(size)
        buffer[: len(carry)] = carry
        view, filled = memoryview(buffer)[:size], len(carry)
        while filled < size:
            got = source.readinto(view[filled:])
            if not got:
                break
            filled += got
        if filled < size:  # the end of the stream
            if filled:
                yield view[:filled]
            return
        cut = buffer.rfind(b"\n", 0, size)
        if cut < 0:  # one line longer than a block: read on
            carry = bytes(view)
            if buffers is not None:
                buffers.give(view)
            continue
        yield view[: cut + 1]
        carry = bytes(view[cut + 1 :])


def _looks_binary(sample: bytes) -> bool:
    return b"\x00" in sample[:8192]


def _newlines(data) -> int:
    return int(np.count_nonzero(np.frombuffer(data, np.uint8) == 10))


@contextmanager
def _reading(name: str) -> Iterator[None]:
    """A cap passed while reading is a ``LogTooLargeError``; damaged gzip a ``LogFormatError``, naming the file."""
    try:
        yield
    except LogFormatError:
        raise
    except LimitError as exc:
        raise LogTooLargeError(str(exc)) from None
    except (zlib.error, EOFError) as exc:
        raise LogFormatError(f"{name} looks gzip-compressed but cannot be decompressed ({exc}).") from None


def _next_done(pending: deque, buffers: _Buffers) -> _ChunkResult:
    """The oldest pending chunk's result; its buffer is handed back (parsed: it may be read into again)."""
    data, future = pending.popleft()
    result = future.result()
    buffers.give(data)
    return result


def iter_parse(
    sources: Iterable[tuple[str, object]],
    config: ParserConfig | None = None,
    workers: int = 2,
    limits: Limits | None = None,
) -> Iterator[_ChunkResult]:
    """Parse sources chunk by chunk, in order, ``workers`` chunks at a time (bounded memory).

    Args:
        sources: ``(name, binary stream or bytes)`` pairs.
        limits: ``max_lines`` is checked per source before a chunk is parsed (None: no cap).

    Raises:
        LogFormatError: a source is binary, or empty, or not valid gzip.
        LogTooLargeError: a source passed a cap of ``limits`` (or of its ``CappedGzipReader``).
    """
    config = config or ParserConfig()
    limits = limits or Limits(max_bytes=None, max_lines=None, max_ratio=None, max_cells=None)
    buffers = _Buffers(keep=workers + 1)  # the chunks being parsed, and the one being read
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for name, source in sources:
            with _reading(name):
                chunks = iter_chunks(source, buffers=buffers)
                first = next(chunks, None)
                if first is None:
                    raise LogFormatError(f"{name} is empty.")
                head = bytes(first[: 1 << 20])
                if _looks_binary(head):
                    raise LogFormatError(f"{name} is a binary file, not a text access log.")
                counting = limits.max_lines is not None  # a server file has no cap: the workers count its lines
                seen = _newlines(first) if counting else 0
                check_lines(seen, limits, name)
                layout = sniff_layout(head)
                pending: deque = deque([(first, pool.submit(parse_chunk, first, name, layout, config))])
                line = 1  # chunks count lines themselves, in parallel; number them here, in order
                for data in chunks:
                    if counting:
                        seen += _newlines(data)
                        check_lines(seen, limits, name)
                    pending.append((data, pool.submit(parse_chunk, data, name, layout, config)))
                    while len(pending) > workers:
                        result = _next_done(pending, buffers).renumbered(line)
                        yield result
                        line += result.lines
                while pending:
                    result = _next_done(pending, buffers).renumbered(line)
                    yield result
                    line += result.lines


def _collect(
    results: Iterable[_ChunkResult], names: list[str], started: float, config: ParserConfig | None, sort: bool = True
) -> ParseResult:
    keep = (config or ParserConfig()).keep_rejected
    tables, lines, rejected, examples = [], 0, 0, []
    for chunk in results:
        tables.append(chunk.table)
        lines += chunk.lines
        rejected += chunk.rejected
        examples.extend(chunk.rejected_lines[: max(keep - len(examples), 0)])
    table = pa.concat_tables(tables) if tables else EVENT_SCHEMA.empty_table()
    if sort and table.num_rows > 1:
        ts = table["ts"].cast(pa.int64()).to_numpy()
        if (ts[1:] < ts[:-1]).any():  # one file is usually in order already: skip the copy
            table = table.take(pa.array(np.argsort(ts, kind="stable")))
    return ParseResult(
        table=table,
        lines=lines,
        parsed=table.num_rows,
        rejected=rejected,
        rejected_lines=examples,
        seconds=time.perf_counter() - started,
        sources=names,
    )


def _display_name(path: Path, paths: Sequence[Path]) -> str:
    """The file name, with as many parent folders as it takes to tell it from the others."""
    for depth in range(1, len(path.parts) + 1):
        name = "/".join(path.parts[-depth:])
        if sum("/".join(q.parts[-depth:]) == name for q in paths) == 1:
            return name
    return str(path)


def parse_files(
    paths: Sequence[str | Path], config: ParserConfig | None = None, limits: Limits | None = None
) -> ParseResult:
    """Parse plain or gzip log files and merge them by time, streaming (a gzip file is inflated as it is parsed).

    Args:
        limits: Caps on each file; default: the app's ratio cap only (files on the server may be any size).

    Raises:
        LogFormatError: a file is binary, empty or damaged gzip.
        LogTooLargeError: a gzip file's output passed the ratio cap (a decompression bomb).
    """
    started = time.perf_counter()
    limits = limits or current_limits().for_server_files()
    paths = [Path(p) for p in paths]
    names = [_display_name(p, paths) for p in paths]
    handles = []
    try:
        for path, name in zip(paths, names):
            handles.append((name, _open(path, limits, name)))
        result = _collect(iter_parse(handles, config, limits=limits), names, started, config)
    finally:
        for _, handle in handles:
            handle.close()
    if sum(p.stat().st_size for p in paths) >= TRIM_AFTER_BYTES // 8:
        release_memory()
    return result


def parse_bytes(
    data: bytes, name: str = "upload", config: ParserConfig | None = None, limits: Limits | None = None
) -> ParseResult:
    """Parse an uploaded log (plain or gzip bytes); gzip is inflated as it is parsed, never whole.

    Args:
        limits: Caps on the output; default: the running app's upload caps (``GLASSBOX_MAX_*``).

    Raises:
        LogFormatError: binary, empty, or damaged gzip.
        LogTooLargeError (a LogFormatError): more lines, inflated bytes or compression ratio than the caps allow.
    """
    started = time.perf_counter()
    limits = limits or current_limits()
    source = CappedGzipReader(io.BytesIO(data), limits, name) if data[:2] == GZIP_MAGIC else data
    result = _collect(iter_parse([(name, source)], config, limits=limits), [name], started, config)
    if len(data) >= TRIM_AFTER_BYTES or getattr(source, "bytes_out", 0) >= TRIM_AFTER_BYTES:
        release_memory()
    return result
