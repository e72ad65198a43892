"""The parser against each format variant and quirk, and against a plain-pandas reading of the real logs."""

import gzip
import re

import numpy as np
import pandas as pd
import pytest

from models.datasets import fetch_dataset
from models.logs.parse import LogFormatError, ParserConfig, parse_bytes, parse_files

COMBINED = (
    b'203.0.113.7 - - [01/May/2023:10:00:03 +0000] "GET /product.screen?productId=WC-SH-G04&JSESSIONID=X HTTP/1.1" '
    b'200 2550 "http://shop/category.screen?categoryId=SHOOTER" "Mozilla/5.0 (X11)"\n'
)


def one(line: bytes, **config):
    result = parse_bytes(line, config=ParserConfig(**config))
    assert result.lines == 1 and result.parsed == 1, result.rejected_lines
    return result.table.to_pylist()[0]


@pytest.mark.parametrize(
    "line, expected",
    [
        (
            COMBINED,
            {
                "ip": "203.0.113.7",
                "method": "GET",
                "path": "/product.screen",
                "protocol": "HTTP/1.1",
                "status": 200,
                "bytes": 2550,
                "product": "WC-SH-G04",
                "agent_class": "browser",
                "referrer": "http://shop/category.screen?categoryId=SHOOTER",
            },
        ),
        # Common Log Format: no referrer, no agent.
        (
            b'10.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326\n',
            {"ip": "10.0.0.1", "path": "/apache_pb.gif", "protocol": "HTTP/1.0", "bytes": 2326, "agent": None},
        ),
        # vhost prefix.
        (
            b'shop.example.com:443 10.0.0.2 - - [01/May/2023:10:00:03 +0000] "GET / HTTP/2.0" 304 - "-" "curl/8.0"\n',
            {
                "host": "shop.example.com:443",
                "ip": "10.0.0.2",
                "status": 304,
                "bytes": 0,
                "agent_class": "bot",
                "referrer": None,
            },
        ),  # "-" means no referrer: a null, not the string
        (
            b'10.0.0.3 - - [01/May/2023:10:00:03 +0000] "GET / HTTP/1.1" 200 5 "http://a/" "-"\n',
            {"referrer": "http://a/", "agent": None, "agent_class": "other"},
        ),
        # Splunk's quirks: no offset, "HTTP 1.1" without slash, trailing request time.
        (
            b'1.2.3.4 - - [11/May/2023:18:22:17] "GET /cart.do?action=view&itemId=EST-6&productId=MB-AG-T01 HTTP 1.1" '
            b'200 1803 "-" "Googlebot/2.1" 422\n',
            {"protocol": "HTTP/1.1", "product": "MB-AG-T01", "request_time": 422.0, "agent_class": "bot"},
        ),
        # Escaped quotes inside the request and the agent.
        (
            b'1.2.3.4 - - [01/May/2023:10:00:03 +0000] "GET /search?q=\\"boots\\" HTTP/1.1" 200 10 "-" "Weird \\"agent\\""\n',
            {"path": "/search", "query": 'q="boots"', "agent": 'Weird "agent"', "agent_class": "other"},
        ),
        # Path-style ids and the literal NULL category.
        (
            b'1.2.3.4 - - [01/May/2023:10:00:03 +0000] "GET /category/NULL HTTP/1.1" 503 0 "-" "Mozilla/5.0"\n',
            {"category": "NULL", "status": 503},
        ),
        (
            b'1.2.3.4 - - [01/May/2023:10:00:03 +0000] "GET /product/123?ref=x HTTP/1.1" 200 5 "-" "Mozilla/5.0"\n',
            {"product": "123", "path": "/product/123", "query": "ref=x"},
        ),
    ],
)
def test_variants(line, expected):
    row = one(line)
    for key, value in expected.items():
        assert row[key] == value, key


def test_offsets_and_configured_zone_give_utc():
    with_offset = one(b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1\n')
    assert with_offset["ts"] == pd.Timestamp("2000-10-10 20:55:36", tz="UTC")
    naive = b'1.2.3.4 - - [10/Oct/2000:13:55:36] "GET / HTTP/1.0" 200 1\n'
    assert one(naive)["ts"] == pd.Timestamp("2000-10-10 13:55:36", tz="UTC")
    assert one(naive, timezone="Europe/Paris")["ts"] == pd.Timestamp("2000-10-10 11:55:36", tz="UTC")


def test_non_utf8_bytes_are_kept_readable():
    row = one(b'1.2.3.4 - - [01/May/2023:10:00:03 +0000] "GET /caf\xe9 HTTP/1.1" 200 1 "-" "Mozilla/5.0 \xff"\n')
    assert row["path"] == "/caf\ufffd"


def test_configurable_parameters_and_patterns():
    line = b'1.2.3.4 - - [01/May/2023:10:00:03 +0000] "GET /shop/sku-77/view?section=toys HTTP/1.1" 200 1\n'
    row = one(line, product_patterns=(r"/shop/sku-(\d+)",), category_params=("section",))
    assert (row["product"], row["category"]) == ("77", "toys")


def test_malformed_lines_are_counted_kept_and_numbered():
    good = COMBINED
    data = (
        good
        + b"this is not a log line\n"
        + b"\n"
        + good
        + b'1.2.3.4 - - [99/Foo/2023:10:00:03 +0000] "GET / HTTP/1.1" 200 1\n'
        + good
    )
    result = parse_bytes(data, name="mixed.log")
    assert (result.lines, result.parsed, result.rejected) == (6, 3, 3)
    assert [r.line for r in result.rejected_lines] == [2, 3, 5]
    assert result.rejected_lines[0].text == "this is not a log line"
    assert result.table["line"].to_pylist() == [1, 4, 6]


def test_a_line_in_another_layout_is_parsed_not_rejected():
    clf = b'10.0.0.1 - - [01/May/2023:10:00:04 +0000] "GET /other HTTP/1.0" 200 7\n'
    result = parse_bytes(COMBINED * 5 + clf)
    assert (result.parsed, result.rejected) == (6, 0)
    assert "/other" in result.table["path"].to_pylist()


def test_last_line_without_newline_counts():
    result = parse_bytes(COMBINED + COMBINED.rstrip(b"\n"))
    assert (result.lines, result.parsed) == (2, 2)


@pytest.mark.parametrize(
    "data, message",
    [(b"", "empty"), (b"\x00\x01\x02binary\x00", "binary"), (b"\x1f\x8bnot really gzip", "gzip")],
)
def test_not_a_log_is_a_clear_error(data, message):
    with pytest.raises(LogFormatError, match=message):
        parse_bytes(data)


def test_csv_is_all_rejected_with_examples():
    result = parse_bytes(b"date,value\n2023-01-01,3\n2023-01-02,4\n", name="numbers.csv")
    assert (result.lines, result.parsed, result.rejected) == (3, 0, 3)
    assert result.rejected_lines[0].text == "date,value"


def test_gzip_and_multi_file_merge_by_time(tmp_path):
    late = COMBINED.replace(b"10:00:03", b"12:00:00")
    early = COMBINED.replace(b"10:00:03", b"09:00:00")
    (tmp_path / "a.log.gz").write_bytes(gzip.compress(late + COMBINED))
    (tmp_path / "b.log").write_bytes(early)
    result = parse_files([tmp_path / "a.log.gz", tmp_path / "b.log"])
    assert result.lines == 3
    hours = [ts.hour for ts in result.table["ts"].to_pylist()]
    assert hours == [9, 10, 12]
    assert result.table["source"].to_pylist() == ["b.log", "a.log.gz", "a.log.gz"]
    assert result.table["line"].to_pylist() == [1, 2, 1]


def test_chunk_boundaries_do_not_lose_lines(tmp_path, monkeypatch):
    import models.logs.parse as parse_module

    monkeypatch.setattr(parse_module, "CHUNK_BYTES", 1000)
    lines = [COMBINED.replace(b"10:00:03", f"10:{i // 60:02d}:{i % 60:02d}".encode()) for i in range(500)]
    (tmp_path / "x.log").write_bytes(b"".join(lines))
    result = parse_files([tmp_path / "x.log"])
    assert (result.lines, result.parsed) == (500, 500)
    assert result.table["line"].to_pylist() == list(range(1, 501))


REFERENCE_RE = re.compile(
    r'^(\S+) (\S+) (\S+) \[([^\]]+)\] "(\S+) (\S+) ([^"]*)" (\d{3}) (\S+) "([^"]*)" "([^"]*)" (\d+)$'
)


@pytest.fixture(scope="module")
def real_logs():
    folder = fetch_dataset("buttercup_games_access_logs")
    return sorted(folder.glob("www*/access.log"))


def test_real_logs_match_a_plain_pandas_reading(real_logs):
    result = parse_files(real_logs)
    frames = []
    for path in real_logs:
        rows = [REFERENCE_RE.match(line).groups() for line in path.read_text().splitlines()]
        frames.append(
            pd.DataFrame(
                rows,
                columns=["ip", "i", "u", "ts", "method", "target", "proto", "status", "bytes", "ref", "agent", "rt"],
            )
        )
    ref = pd.concat(frames, ignore_index=True)
    ref["ts"] = pd.to_datetime(ref["ts"], format="%d/%b/%Y:%H:%M:%S").dt.tz_localize("UTC")
    ref["product"] = (
        ref["target"]
        .str.extract(r"[?&]productId=([^&]+)")[0]
        .fillna(ref["target"].str.extract(r"[?&]itemId=([^&]+)")[0])
    )
    ref["category"] = ref["target"].str.extract(r"[?&]categoryId=([^&]+)")[0]
    got = result.table.to_pandas()

    assert (result.lines, result.parsed, result.rejected) == (39532, 39532, 0)
    assert got["status"].value_counts().to_dict() == ref["status"].astype(int).value_counts().to_dict()
    assert got["bytes"].sum() == ref["bytes"].astype(int).sum()
    assert got["product"].value_counts().to_dict() == ref["product"].value_counts().to_dict()
    assert got["category"].value_counts().to_dict() == ref["category"].value_counts().to_dict()
    assert got["category"].value_counts()["NULL"] == 1055
    daily = got.groupby(got["ts"].dt.date).size()
    assert daily.to_dict() == ref.groupby(ref["ts"].dt.date).size().to_dict()
    assert got["ts"].is_monotonic_increasing
    assert (got["agent_class"] == "bot").sum() == ref["agent"].str.contains("bot", case=False).sum()
    np.testing.assert_array_equal(np.sort(got["ts"].to_numpy()), np.sort(ref["ts"].to_numpy()))


def _numbered(n: int) -> list[bytes]:
    return [COMBINED.replace(b"10:00:03", f"10:{i // 60 % 60:02d}:{i % 60:02d}".encode()) for i in range(n)]


def test_bad_lines_in_later_blocks_keep_their_numbers(monkeypatch):
    import models.logs.parse as parse_module

    monkeypatch.setattr(parse_module, "CSV_BLOCK_BYTES", 4096)  # many reader blocks in one chunk
    lines = _numbered(400)
    for i in (57, 201, 399):
        lines[i] = f"junk {i}\n".encode()
    result = parse_bytes(b"".join(lines))
    assert (result.lines, result.parsed, result.rejected) == (400, 397, 3)
    assert [r.line for r in result.rejected_lines] == [58, 202, 400]
    assert [r.text for r in result.rejected_lines] == ["junk 57", "junk 201", "junk 399"]
    assert result.table["line"].to_pylist() == [i + 1 for i in range(400) if i not in (57, 201, 399)]


def test_a_quote_that_swallows_the_next_line_loses_no_line():
    # An escaped quote just before the newline leaves the agent open: the reader merges two lines.
    open_quote = COMBINED.replace(b'(X11)"\n', b'(X11)\\"\n')
    result = parse_bytes(COMBINED * 3 + open_quote + COMBINED * 3 + b"junk\n" + COMBINED)
    assert result.lines == 9 and result.parsed + result.rejected == 9
    assert [r.line for r in result.rejected_lines] == [8]
    assert sorted(result.table["line"].to_pylist()) == [1, 2, 3, 4, 5, 6, 7, 9]
    assert result.table["line"].to_pylist() == sorted(result.table["line"].to_pylist())


def test_keep_rejected_is_the_callers():
    result = parse_bytes(COMBINED + b"junk\n" * 8, config=ParserConfig(keep_rejected=3))
    assert result.rejected == 8 and [r.line for r in result.rejected_lines] == [2, 3, 4]


def test_a_line_without_offset_among_lines_with_one_uses_the_configured_zone():
    naive = b'1.2.3.4 - - [01/May/2023:10:00:03] "GET / HTTP/1.1" 200 1 "-" "ua"\n'
    result = parse_bytes(COMBINED * 5 + naive, config=ParserConfig(timezone="Europe/Paris"))
    assert (result.parsed, result.rejected) == (6, 0)
    assert result.table.to_pylist()[0]["ts"] == pd.Timestamp("2023-05-01 08:00:03", tz="UTC")


@pytest.mark.parametrize("as_file", [False, True])
def test_small_chunks_from_bytes_and_files_agree(tmp_path, monkeypatch, as_file):
    import models.logs.parse as parse_module

    monkeypatch.setattr(parse_module, "CHUNK_BYTES", 700)  # less than one long line: chunks must grow to fit it
    lines = _numbered(50)
    lines[10] = lines[10].replace(b"Mozilla/5.0 (X11)", b"M" * 1500)
    data = b"".join(lines) + b"junk without newline"
    if as_file:
        (tmp_path / "x.log").write_bytes(data)
        result = parse_files([tmp_path / "x.log"])
    else:
        result = parse_bytes(data)
    assert (result.lines, result.parsed, result.rejected) == (51, 50, 1)
    assert result.rejected_lines[0].line == 51
    assert result.table["line"].to_pylist() == list(range(1, 51))
    assert result.table["agent"].to_pylist()[10] == "M" * 1500


def test_parse_clf_time_and_offset_reject_what_is_not_a_time():
    import pyarrow as pa

    from models.logs.parse import INT64_MIN, parse_clf_time, parse_offset

    times = pa.array(
        ["10/Oct/2000:13:55:36", "10/Foo/2000:13:55:36", "10/Oct/2000:25:55:36", None, "1/Oct/2000:13:55:36"]
    )
    assert parse_clf_time(times).tolist() == [971186136, INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN]
    offsets = pa.array(["-0700", "+0530", "0700", "+07:0", None])
    assert parse_offset(offsets).tolist() == [-25200, 19800, INT64_MIN, INT64_MIN, INT64_MIN]


def test_repeated_requests_are_split_once_each_with_the_rows_own_values(monkeypatch):
    """A chunk whose requests repeat is split per distinct request; every row gets what splitting it alone gives."""
    from models.logs import parse

    requests = [
        "GET /product.screen?productId=WC-SH-G04&categoryId=SHOOTER HTTP/1.1",
        "POST /cart.do?action=add&productId=DB-SG-G01 HTTP/1.0",
        "GET /category.screen?categoryId=TEE HTTP 2",
        "GET /oldlink",
        "GET /product/WC-SH-T02 HTTP/1.1",
    ]
    data = "".join(
        f'10.0.0.{i % 7} - - [01/May/2023:10:{i // 60 % 60:02d}:{i % 60:02d} +0000] "{requests[i % 5]}" 200 {i} "-" "-"\n'
        for i in range(3000)
    ).encode()
    config = ParserConfig(product_patterns=(r"^/product/([^/]+)$",))
    split = []
    real = parse._distinct_requests
    monkeypatch.setattr(parse, "_distinct_requests", lambda r: split.append(real(r)) or split[-1])
    by_distinct = parse_bytes(data, config=config).table
    assert split and split[0][1] is not None and len(split[0][0]) == 5  # five distinct requests split, not 3,000
    monkeypatch.setattr(parse, "_distinct_requests", lambda r: (parse.as_string_array(r), None))  # row by row
    by_row = parse_bytes(data, config=config).table
    assert by_distinct.to_pylist() == by_row.to_pylist()
    rows = by_distinct.to_pylist()
    assert [(r["method"], r["path"], r["protocol"], r["product"], r["category"]) for r in rows[:5]] == [
        ("GET", "/product.screen", "HTTP/1.1", "WC-SH-G04", "SHOOTER"),
        ("POST", "/cart.do", "HTTP/1.0", "DB-SG-G01", None),
        ("GET", "/category.screen", "HTTP/2", None, "TEE"),
        ("GET", "/oldlink", "-", None, None),
        ("GET", "/product/WC-SH-T02", "HTTP/1.1", "WC-SH-T02", None),
    ]
    assert rows[2]["query"] == "categoryId=TEE" and rows[3]["query"] is None


def test_reused_chunk_buffers_give_what_fresh_ones_give(tmp_path, monkeypatch):
    """A file read into a few recycled buffers (a partial line carried over each boundary) parses exactly as the
    same bytes sliced in memory; no buffer is read into again while its chunk is still being parsed."""
    import models.logs.parse as parse_module

    monkeypatch.setattr(parse_module, "CHUNK_BYTES", 2000)  # ~10 lines a chunk, cut mid-line: a carry each time
    lines = _numbered(600)
    for i in (5, 333):
        lines[i] = f"junk {i}\n".encode()
    lines[100] = lines[100].replace(b"Mozilla/5.0 (X11)", b"M" * 2500)  # longer than a chunk: read on
    data = b"".join(lines)
    (tmp_path / "x.log").write_bytes(data)

    taken = []
    real_take = parse_module._Buffers.take
    monkeypatch.setattr(
        parse_module._Buffers, "take", lambda self, size: taken.append(real_take(self, size)) or taken[-1]
    )
    from_file = parse_files([tmp_path / "x.log"])
    assert len(taken) > 40 and len({id(b) for b in taken}) <= 6  # recycled, not one buffer per chunk

    in_memory = parse_bytes(data, name="x.log")  # slices of one bytes object: nothing is reused
    assert (from_file.lines, from_file.parsed, from_file.rejected) == (600, 598, 2)
    assert [r.line for r in from_file.rejected_lines] == [6, 334]
    assert from_file.table.to_pylist() == in_memory.table.to_pylist()


def test_iter_chunks_with_buffers_yields_the_stream_in_whole_lines():
    import io

    from models.logs.parse import _Buffers, iter_chunks

    data = b"".join(f"line {i} {'x' * (i % 37)}\n".encode() for i in range(2000)) + b"tail"
    buffers, pieces, seen = _Buffers(keep=1), [], set()
    for chunk in iter_chunks(io.BytesIO(data), chunk_bytes=500, buffers=buffers):
        pieces.append(bytes(chunk))
        seen.add(id(chunk.obj))
        buffers.give(chunk)  # done with it: the next chunk is read into the same buffer
    assert b"".join(pieces) == data
    assert all(p.endswith(b"\n") for p in pieces[:-1]) and pieces[-1].endswith(b"tail")
    assert len(pieces) > 50 and len(seen) == 1


def test_sizes_and_request_times_read_as_the_regexes_say():
    """The byte-level checks of sizes and request times accept exactly what the regexes ``^\\d{1,18}$`` and
    ``^\\d+(\\.\\d+)?$`` accept, on random short strings of digits, dots, signs and letters (nulls too)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from models.logs.parse import _byte_sizes, _request_time

    rng = np.random.default_rng(7)
    alphabet = np.array(list("0123456789.-+e x\r"))
    texts = [
        "".join(rng.choice(alphabet, rng.integers(0, 6), p=[0.07] * 10 + [0.12] + [0.03] * 6)) for _ in range(4000)
    ]
    texts += ["-", "", "1" * 18, "1" * 19, "0012", "1.", ".5", "1.2.3", "12.50", "\u00e9", None]
    values = pa.array(texts, pa.string())
    size_ok = pc.fill_null(pc.match_substring_regex(values, r"^\d{1,18}$"), False).to_numpy(zero_copy_only=False)
    want = [int(t) if ok else (0 if t == "-" else -1) for t, ok in zip(texts, size_ok)]
    assert _byte_sizes(values).tolist() == want
    time_ok = pc.fill_null(pc.match_substring_regex(values, r"^\d+(\.\d+)?$"), False).to_numpy(zero_copy_only=False)
    want = [float(t) if ok else None for t, ok in zip(texts, time_ok)]
    assert _request_time(values, len(texts)).to_pylist() == want
    assert sum(time_ok) > 300 and sum(size_ok) > 300 and sum(~time_ok) > 300  # both sides well covered
    all_digits = pa.array(["5", "123", "0"])  # the common case: every row is a number
    assert _byte_sizes(all_digits).tolist() == [5, 123, 0]
    assert _request_time(all_digits, 3).to_pylist() == [5.0, 123.0, 0.0]
