"""Parse Apache/Nginx access logs into Arrow columns, vectorised.

The hot path never loops over lines in Python. The dominant line layout is sniffed from the
first lines; Arrow's C++ CSV reader (space-delimited, double-quoted, backslash-escaped) then
tokenises whole blocks, and every conversion runs on Arrow/NumPy arrays, mostly on the
*distinct* values of a column (timestamps to the second, agents, paths repeat heavily). Only
lines that do not fit the dominant layout, rare by nature, go through a per-line regex, and
those that match nothing are counted and kept as rejected: ``parsed + rejected == lines``.
"""

from __future__ import annotations

import gzip
import io
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from models.logs.arrowstr import as_string_array, buffers, dictionary_map, query_params, split_parts

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
MONTHS = {m: i + 1 for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])}
CHUNK_BYTES = 32 << 20
SNIFF_LINES = 2000

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


def parse_clf_time(values: pa.StringArray) -> np.ndarray:
    """``dd/Mon/YYYY:HH:MM:SS`` strings to epoch seconds (int64); unparseable → ``INT64_MIN``."""
    values = as_string_array(values)
    n = len(values)
    out = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    if n == 0:
        return out
    lengths = pc.fill_null(pc.binary_length(values), 0).to_numpy(zero_copy_only=False)
    fixed = lengths == 20
    if not fixed.any():
        return out
    rows = pc.filter(values, pa.array(fixed))
    offsets, data = buffers(rows)
    chars = data[offsets[0] : offsets[0] + 20 * len(rows)].reshape(len(rows), 20).astype(np.int64)
    digit = chars - 48

    def num(*cols):
        value = np.zeros(len(rows), np.int64)
        for c in cols:
            value = value * 10 + digit[:, c]
        return value

    month_key = chars[:, 3] * 65536 + chars[:, 4] * 256 + chars[:, 5]
    keys = np.array([ord(m[0]) * 65536 + ord(m[1]) * 256 + ord(m[2]) for m in MONTHS])
    order = np.argsort(keys)
    pos = np.clip(np.searchsorted(keys[order], month_key), 0, 11)
    month = np.where(keys[order][pos] == month_key, order[pos] + 1, 0)
    day, year = num(0, 1), num(7, 8, 9, 10)
    hour, minute, second = num(12, 13), num(15, 16), num(18, 19)
    digits_ok = ((digit[:, [0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19]] >= 0) & (digit[:, [0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19]] <= 9)).all(axis=1)
    seps_ok = (chars[:, 2] == 47) & (chars[:, 6] == 47) & (chars[:, 11] == 58) & (chars[:, 14] == 58) & (chars[:, 17] == 58)
    ok = digits_ok & seps_ok & (month > 0) & (day >= 1) & (day <= 31) & (hour < 24) & (minute < 60) & (second < 61)
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    out[np.flatnonzero(fixed)] = np.where(ok, seconds, np.iinfo(np.int64).min)
    return out


def parse_offset(values: pa.StringArray) -> np.ndarray:
    """``+hhmm`` / ``-hhmm`` to seconds east of UTC; anything else → ``INT64_MIN``; null → 0 marker handled by caller."""
    values = as_string_array(values)
    out = np.full(len(values), np.iinfo(np.int64).min, dtype=np.int64)
    ok5 = pc.fill_null(pc.equal(pc.binary_length(values), 5), False).to_numpy(zero_copy_only=False)
    if ok5.any():
        rows = pc.filter(values, pa.array(ok5))
        offsets, data = buffers(rows)
        chars = data[offsets[0] : offsets[0] + 5 * len(rows)].reshape(len(rows), 5).astype(np.int64)
        digit = chars[:, 1:] - 48
        good = ((digit >= 0) & (digit <= 9)).all(axis=1) & ((chars[:, 0] == 43) | (chars[:, 0] == 45))
        sign = np.where(chars[:, 0] == 45, -1, 1)
        secs = sign * ((digit[:, 0] * 10 + digit[:, 1]) * 3600 + (digit[:, 2] * 10 + digit[:, 3]) * 60)
        out[np.flatnonzero(ok5)] = np.where(good, secs, np.iinfo(np.int64).min)
    return out


def _local_to_utc(local_seconds: np.ndarray, timezone: str) -> np.ndarray:
    if timezone.upper() in ("UTC", "Z", "ETC/UTC"):
        return local_seconds
    missing = local_seconds == np.iinfo(np.int64).min
    stamps = pd.DatetimeIndex(np.where(missing, 0, local_seconds).astype("datetime64[s]"))
    utc = stamps.tz_localize(timezone, ambiguous="NaT", nonexistent="shift_forward").tz_convert("UTC")
    seconds = utc.as_unit("s").asi8.copy()
    seconds[missing | utc.isna()] = np.iinfo(np.int64).min
    return seconds


def _timestamps(ts: pa.Array, tz: pa.Array | None, timezone: str) -> np.ndarray:
    """Epoch seconds (UTC) per row, from bracket-trimmed time strings and optional offsets."""
    local = dictionary_map(ts, lambda d: pa.array(parse_clf_time(d))).to_numpy(zero_copy_only=False)
    if tz is None:
        return _local_to_utc(local, timezone)
    offset = dictionary_map(tz, lambda d: pa.array(parse_offset(d))).to_numpy(zero_copy_only=False)
    bad = (local == np.iinfo(np.int64).min) | (offset == np.iinfo(np.int64).min)
    return np.where(bad, np.iinfo(np.int64).min, local - offset)


def _coalesce_ids(params: dict[str, pa.Array], paths: pa.Array, names: Sequence[str], patterns: Sequence[str]) -> pa.Array:
    candidates = [params[name] for name in names]
    for pattern in patterns:
        regex = pattern if "(?P<" in pattern else re.sub(r"(?<!\\)\((?!\?)", "(?P<id>", pattern, count=1)
        candidates.append(
            dictionary_map(paths, lambda d, r=regex: pc.struct_field(pc.extract_regex(d, r), [0]))
        )
    if not candidates:
        return pa.nulls(len(paths), pa.string())
    values = pc.coalesce(*[as_string_array(c) for c in candidates])
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _agent_class(agents: pa.Array) -> pa.Array:
    def classify(distinct: pa.Array) -> pa.Array:
        bot = pc.match_substring_regex(distinct, BOT_RE, ignore_case=True)
        browser = pc.match_substring_regex(distinct, r"^(?:Mozilla|Opera)/", ignore_case=True)
        labels = pc.if_else(pc.fill_null(bot, False), "bot", pc.if_else(pc.fill_null(browser, False), "browser", "other"))
        return labels

    return dictionary_map(agents, classify)


def _dict(values: pa.Array) -> pa.Array:
    values = as_string_array(values)
    return pc.dictionary_encode(values).cast(pa.dictionary(pa.int32(), pa.string()))


def _convert(columns: dict[str, pa.Array], lines: np.ndarray, source: str, config: ParserConfig) -> tuple[pa.Table, np.ndarray]:
    """Raw text columns → typed event columns. Returns the table of good rows and the bad rows' mask."""
    n = len(lines)
    ts = _timestamps(columns["ts"], columns.get("tz"), config.timezone)
    status_text = as_string_array(columns["status"])
    status = dictionary_map(status_text, lambda d: pc.cast(pc.if_else(pc.match_substring_regex(d, r"^[1-5]\d\d$"), d, "0"), pa.int16()))
    status = status.to_numpy(zero_copy_only=False)
    size_text = as_string_array(columns["bytes"])
    size = dictionary_map(
        size_text, lambda d: pc.cast(pc.if_else(pc.match_substring_regex(d, r"^\d{1,18}$"), d, pc.if_else(pc.equal(d, "-"), "0", "-1")), pa.int64())
    ).to_numpy(zero_copy_only=False)
    bad = (ts == np.iinfo(np.int64).min) | (status == 0) | (size < 0)

    method, target, protocol = split_parts(columns["request"], " ", 3)
    bad |= pc.is_null(target).to_numpy(zero_copy_only=False)
    path, query = split_parts(pc.fill_null(target, ""), "?", 2)
    protocol = pc.replace_substring_regex(pc.fill_null(protocol, "-"), r"^HTTP (\d)", r"HTTP/\1")

    params = query_params(query, config.product_params + config.category_params)
    product = _coalesce_ids(params, path, config.product_params, config.product_patterns)
    category = _coalesce_ids(params, path, config.category_params, config.category_patterns)
    if "agent" in columns:
        agent, referrer = as_string_array(columns["agent"]), as_string_array(columns["referrer"])
    else:
        agent, referrer = pa.nulls(n, pa.string()), pa.nulls(n, pa.string())
    rest = columns.get("rest0")
    request_time = (
        pc.cast(pc.if_else(pc.match_substring_regex(as_string_array(rest), r"^\d+(\.\d+)?$"), as_string_array(rest), None), pa.float64())
        if rest is not None
        else pa.nulls(n, pa.float64())
    )
    table = pa.table(
        {
            "ts": pa.array(np.where(bad, 0, ts).astype("datetime64[s]")).cast(pa.timestamp("s", tz="UTC")),
            "host": _dict(columns["host"]) if "host" in columns else _dict(pa.nulls(n, pa.string())),
            "ip": _dict(columns["ip"]),
            "method": _dict(method),
            "path": _dict(path),
            "query": as_string_array(query),
            "protocol": _dict(protocol),
            "status": pa.array(status, pa.int16()),
            "bytes": pa.array(size, pa.int64()),
            "referrer": _dict(referrer),
            "agent": _dict(agent),
            "agent_class": _dict(_agent_class(agent)) if "agent" in columns else _dict(pa.array(["other"] * n)),
            "product": _dict(product),
            "category": _dict(category),
            "request_time": request_time,
            "source": _dict(pa.array(np.full(n, source, dtype=object), pa.string())),
            "line": pa.array(lines, pa.int64()),
        },
        schema=EVENT_SCHEMA,
    )
    return table.filter(pa.array(~bad)), bad


# --------------------------------------------------------------------------- chunks


def _valid_utf8(data: bytes) -> bytes:
    if data.isascii():
        return data
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace").encode("utf-8")


def _line_starts(data: bytes) -> np.ndarray:
    newlines = np.flatnonzero(np.frombuffer(data, np.uint8) == 10)
    return np.concatenate([[0], newlines + 1])


def _line_text(data: bytes, starts: np.ndarray, index: int) -> str:
    end = starts[index + 1] if index + 1 < len(starts) else len(data)
    return data[starts[index] : end].decode("utf-8", "replace").rstrip("\r\n")[:2000]


@dataclass
class _ChunkResult:
    table: pa.Table
    lines: int
    rejected: int
    rejected_lines: list[RejectedLine]


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


def parse_chunk(
    data: bytes, first_line: int, source: str, layout: _Layout | None, config: ParserConfig, n_lines: int | None = None
) -> _ChunkResult:
    """Parse complete lines; ``first_line`` is the 1-based number of the chunk's first line."""
    data = _valid_utf8(data)
    if n_lines is None:
        n_lines = data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)
    if n_lines == 0:
        return _ChunkResult(EVENT_SCHEMA.empty_table(), 0, 0, [])
    odd_rows: list[int] = []  # 1-based row numbers within the chunk that the CSV reader refused
    tables, rejected_numbers, reasons = [], [], []

    if layout is not None:
        names = layout.columns

        def refuse(row):
            odd_rows.append(row.number)
            return "skip"

        raw = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False, block_size=1 << 26),
            parse_options=pacsv.ParseOptions(
                delimiter=" ", quote_char='"', escape_char="\\", ignore_empty_lines=False, invalid_row_handler=refuse
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: (pa.string() if c in ("request",) else pa.dictionary(pa.int32(), pa.string())) for c in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,
            ),
        )
        odd = np.array(sorted(odd_rows), dtype=np.int64)
        keep = np.ones(n_lines, dtype=bool)
        keep[odd[(odd >= 1) & (odd <= n_lines)] - 1] = False
        good_rows = (np.flatnonzero(keep) + 1)[: raw.num_rows]
        cols = {c: raw[c] for c in names}
        # "[11/May/2023:18:22:17" (+ "+0000]") or "[11/May/2023:18:22:17]": strip the brackets.
        cols["ts"] = dictionary_map(cols["ts"], lambda d: pc.utf8_slice_codeunits(d, 1, 21))
        if layout.tz:
            cols["tz"] = dictionary_map(cols["tz"], lambda d: pc.utf8_slice_codeunits(d, 0, 5))
        table, bad = _convert(cols, good_rows + first_line - 1, source, config)
        tables.append(table)
        fallback_rows = np.concatenate([odd, good_rows[bad]])
    else:
        fallback_rows = np.arange(1, n_lines + 1, dtype=np.int64)

    if len(fallback_rows):
        starts = _line_starts(data)
        fallback_rows = np.sort(fallback_rows)
        texts = [_line_text(data, starts, int(r) - 1) for r in fallback_rows]
        columns, matched = _regex_columns(texts)
        matched = np.array(matched, dtype=bool)
        if matched.any():
            table, bad = _convert(columns, fallback_rows[matched] + first_line - 1, source, config)
            tables.append(table)
            still_bad = np.flatnonzero(matched)[bad]
            matched[still_bad] = False
        for i in np.flatnonzero(~matched):
            rejected_numbers.append(int(fallback_rows[i]) + first_line - 1)
            reasons.append(texts[i])
    rejected = [
        RejectedLine(source, line, text, "empty line" if not text.strip() else "not an access-log line")
        for line, text in zip(rejected_numbers[: config.keep_rejected], reasons[: config.keep_rejected])
    ]
    table = pa.concat_tables(tables) if tables else EVENT_SCHEMA.empty_table()
    return _ChunkResult(table, n_lines, len(rejected_numbers), rejected)


def _open(path: Path) -> io.BufferedIOBase:
    with open(path, "rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def iter_chunks(stream: io.BufferedIOBase, chunk_bytes: int = CHUNK_BYTES) -> Iterator[tuple[bytes, int, int]]:
    """Yield ``(complete_lines, first_line_number, line_count)`` blocks of about ``chunk_bytes``."""
    carry, line_no = b"", 1
    while True:
        block = stream.read(chunk_bytes)
        if not block:
            if carry:
                yield carry, line_no, 1
            return
        block = carry + block
        cut = block.rfind(b"\n")
        if cut < 0:
            carry = block
            continue
        carry = block[cut + 1 :]
        complete = block[: cut + 1]
        count = complete.count(b"\n")
        yield complete, line_no, count
        line_no += count


def _looks_binary(sample: bytes) -> bool:
    return b"\x00" in sample[:8192]


def iter_parse(sources: Iterable[tuple[str, io.BufferedIOBase]], config: ParserConfig | None = None, workers: int = 2) -> Iterator[_ChunkResult]:
    """Parse sources chunk by chunk (bounded memory), two chunks at a time on two cores.

    Raises:
        LogFormatError: a source is binary, or empty.
    """
    config = config or ParserConfig()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for name, stream in sources:
            chunks = iter_chunks(stream)
            first = next(chunks, None)
            if first is None:
                raise LogFormatError(f"{name} is empty.")
            if _looks_binary(first[0]):
                raise LogFormatError(f"{name} is a binary file, not a text access log.")
            layout = sniff_layout(first[0][: 1 << 20])
            pending = [pool.submit(parse_chunk, first[0], first[1], name, layout, config, first[2])]
            for data, line_no, count in chunks:
                pending.append(pool.submit(parse_chunk, data, line_no, name, layout, config, count))
                if len(pending) > workers:
                    yield pending.pop(0).result()
            for future in pending:
                yield future.result()


def _collect(results: Iterable[_ChunkResult], names: list[str], started: float, sort: bool = True) -> ParseResult:
    tables, lines, rejected, examples = [], 0, 0, []
    for chunk in results:
        tables.append(chunk.table)
        lines += chunk.lines
        rejected += chunk.rejected
        examples.extend(chunk.rejected_lines)
    table = pa.concat_tables(tables) if tables else EVENT_SCHEMA.empty_table()
    if sort and table.num_rows:
        order = np.argsort(table["ts"].cast(pa.int64()).to_numpy(), kind="stable")
        table = table.take(pa.array(order))
    return ParseResult(
        table=table,
        lines=lines,
        parsed=table.num_rows,
        rejected=rejected,
        rejected_lines=examples[: ParserConfig().keep_rejected],
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


def parse_files(paths: Sequence[str | Path], config: ParserConfig | None = None) -> ParseResult:
    """Parse plain or gzip log files and merge them by time."""
    started = time.perf_counter()
    paths = [Path(p) for p in paths]
    handles = [(_display_name(p, paths), _open(p)) for p in paths]
    try:
        return _collect(iter_parse(handles, config), [h[0] for h in handles], started)
    finally:
        for _, handle in handles:
            handle.close()


def parse_bytes(data: bytes, name: str = "upload", config: ParserConfig | None = None) -> ParseResult:
    """Parse an uploaded log (plain or gzip bytes)."""
    started = time.perf_counter()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise LogFormatError(f"{name} looks gzip-compressed but cannot be decompressed ({exc}).") from None
    return _collect(iter_parse([(name, io.BytesIO(data))], config), [name], started)
