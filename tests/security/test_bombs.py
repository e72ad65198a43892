"""Issue 11 item 2: decompression bombs, performed against a running gunicorn server.

Each attack prints the worker's peak resident size (``VmHWM``) before and after, and asserts the
bound this app guarantees: a bomb costs a worker less than ``BOUND`` of extra peak memory and is
refused with a message within ``SECONDS``. (Before the fix, the 4 GiB bomb took a worker from 1 GB
to 9 GB; the newline bomb cost 21 s of CPU and 1.3 GB; the Parquet bomb became 20M rows, +1 GB.)
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import subprocess
import sys
import textwrap
import time
import zlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.security.gunicorn_app import MIB, ROOT, Server, start, stop_process

BOUND = 256 * MIB  # extra peak RSS a bomb may cost one worker
SECONDS = 30
CHUNK = 4 << 20  # what the Logs page's browser code sends per request (UPLOAD_CHUNK_BYTES)


def gzip_zeros_bomb(inflated: int = 4 << 30) -> bytes:
    """A ~4 MB gzip file that inflates to ``inflated`` bytes of zeros: one 1 MiB member, repeated (cheap to make)."""
    member = gzip.compress(bytes(MIB), compresslevel=9)
    return member * (inflated // MIB)


def gzip_newlines_bomb() -> bytes:
    """~16 KB of gzip that inflates to 16 MiB of newlines (16.7M empty lines)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(b"\n" * (16 * MIB)) + compressor.flush()


def parquet_rows_bomb(rows: int = 20_000_000) -> bytes:
    """A small Parquet file (a constant text and label, dictionary- and run-length-encoded) of ``rows`` rows."""
    block = 1_000_000
    table = pa.table(
        {
            "text": pa.DictionaryArray.from_arrays(pa.array([0] * block, pa.int32()), pa.array(["stocks up"])),
            "label": pa.array([1] * block, pa.int8()),
        }
    )
    sink = io.BytesIO()
    with pq.ParquetWriter(sink, table.schema, compression="zstd") as writer:
        for _ in range(rows // block):
            writer.write_table(table, row_group_size=block)
    return sink.getvalue()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start(tmp_path_factory.mktemp("bombs"))
    yield server
    stop_process(server.process)


def _peak(server: Server) -> dict[int, int]:
    return {pid: hwm for pid, (_rss, hwm) in server.worker_memory().items()}


def _report(label: str, before: dict[int, int], after: dict[int, int], seconds: float) -> int:
    grown = max(after[pid] - before.get(pid, after[pid]) for pid in after)
    peaks = ", ".join(f"pid {pid}: {before.get(pid, 0) / MIB:,.0f} → {after[pid] / MIB:,.0f} MiB" for pid in after)
    print(f"\n{label}: {seconds:.1f} s; worker peak RSS (VmHWM) {peaks}; largest growth {grown / MIB:,.0f} MiB")
    return grown


def upload_log(server: Server, content: bytes, name: str) -> str:
    """Send a log through the Logs page's chunked upload, as assets/glassbox.js does; the page's message."""
    upload_id = "a1" * 8
    state = [
        {"id": "logs-view", "property": "data", "value": None},
        {"id": "logs-source", "property": "options", "value": []},
    ]

    def send(offset, data):
        chunk = {"id": upload_id, "name": name, "total": len(content), "offset": offset}
        chunk["data"] = base64.b64encode(data).decode()
        status, body = server.callback(
            "logs-upload-msg.children", [{"id": "logs-upload-chunk", "property": "data", "value": chunk}], state
        )
        assert status == 200, body
        return body

    body = send(0, b"")
    for offset in range(0, len(content), CHUNK):
        body = send(offset, content[offset : offset + CHUNK])
    return json.dumps(body.get("response", {}).get("logs-upload-msg", {}))


def _warm(server: Server) -> None:
    """Load the pages once, so the memory measured is the attack's, not the first import's."""
    for path in ("/logs", "/sentiment"):
        assert server.callback  # the server is up
        from tests.security.gunicorn_app import get

        assert get(server.base + path)[0] == 200
    # One harmless upload warms the parser in the worker that takes it.
    upload_log(server, b"", "empty.log")


def test_gzip_bomb_upload_is_refused_in_bounded_memory(server):
    """A 4 MB .gz upload that inflates to 4 GiB of zeros."""
    bomb = gzip_zeros_bomb()
    assert len(bomb) < 5 * MIB
    _warm(server)
    before, started = _peak(server), time.monotonic()
    message = upload_log(server, bomb, "bomb.log.gz")
    seconds = time.monotonic() - started
    grown = _report(f"gzip bomb ({len(bomb) / MIB:.1f} MiB → 4 GiB)", before, _peak(server), seconds)
    assert "decompression bomb" in message and "GLASSBOX_MAX_GZIP_RATIO" in message, message
    assert "previous data is still loaded" in message
    assert grown < BOUND
    assert seconds < SECONDS


def test_gzip_newline_bomb_is_refused_quickly(server):
    """16 KB of gzipped newlines (16.7M empty lines)."""
    bomb = gzip_newlines_bomb()
    assert len(bomb) < 20_000
    _warm(server)
    before, started = _peak(server), time.monotonic()
    message = upload_log(server, bomb, "newlines.log.gz")
    seconds = time.monotonic() - started
    grown = _report(f"newline bomb ({len(bomb):,} bytes)", before, _peak(server), seconds)
    # 16.7M lines: the line cap (5M) stops it after ~5 MiB of output, before the ratio is judged (8 MiB).
    assert "more than 5,000,000 lines" in message and "GLASSBOX_MAX_LOG_LINES" in message, message
    assert grown < BOUND
    assert seconds < SECONDS


def test_a_legitimate_gzip_log_upload_still_parses(server):
    """The control: a real log, gzip-compressed (~9×, past the 8 MiB the ratio is judged from), is accepted."""
    from models.logs.generate import generate_log_lines

    raw = b"".join(generate_log_lines(40_000, seed=3))
    assert len(raw) > 8 * MIB
    message = upload_log(server, gzip.compress(raw), "real.log.gz")
    assert "40,000 events parsed from 40,000 lines" in message, message


def test_parquet_row_bomb_on_sentiment_is_refused_from_its_footer(server):
    """A ~142 KB Parquet upload on /sentiment that would become 20M rows."""
    bomb = parquet_rows_bomb()
    assert len(bomb) < 400_000
    print(f"\nParquet bomb: {len(bomb):,} bytes, {pq.ParquetFile(io.BytesIO(bomb)).metadata.num_rows:,} rows")
    contents = "data:application/octet-stream;base64," + base64.b64encode(bomb).decode()
    before, started = _peak(server), time.monotonic()
    status, body = server.callback(
        "sentiment-upload-form.hidden",
        [{"id": "sentiment-upload", "property": "contents", "value": contents}],
        [{"id": "sentiment-upload", "property": "filename", "value": "bomb.parquet"}],
    )
    seconds = time.monotonic() - started
    grown = _report("Parquet bomb (20M rows)", before, _peak(server), seconds)
    assert status == 200, body
    message = json.dumps(body["response"]["sentiment-message"])
    assert "20,000,000 rows" in message and "GLASSBOX_MAX_TABLE_CELLS" in message, message
    assert grown < BOUND
    assert seconds < SECONDS


SERVER_FILE_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from models.logs.parse import LogFormatError
    from models.logs.sources import load_path
    path = sys.argv[1]
    started = time.monotonic()
    try:
        snap = load_path("path:" + path, (path,))
        outcome = f"parsed {snap.position.lines} lines"
    except LogFormatError as exc:
        outcome = str(exc)
    # VmHWM, not ru_maxrss: the latter keeps the high-water mark of the pytest process this one was forked from.
    status = open("/proc/self/status").read().split("VmHWM:")[1]
    peak = int(status.split()[0]) * 1024
    print(json.dumps({"outcome": outcome, "peak": peak, "seconds": time.monotonic() - started}))
    """
)


def _load_server_file(path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SERVER_FILE_SCRIPT, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "make_bomb",
    # 4 GiB of zeros; and 16 KB of gzipped newlines, which server files (no line cap: a real log may have
    # billions of lines) meet only with the ratio cap.
    [gzip_zeros_bomb, gzip_newlines_bomb],
    ids=["zeros", "newlines"],
)
def test_a_bomb_among_the_server_files_is_refused_in_bounded_memory(tmp_path, make_bomb):
    """A GLASSBOX_LOG_PATHS file that is a gzip bomb: the page's source loader refuses it."""
    bomb = tmp_path / "access.log.gz"
    bomb.write_bytes(make_bomb())
    result = _load_server_file(bomb)
    print(f"\nserver-file bomb: {result['seconds']:.1f} s, process peak RSS {result['peak'] / MIB:,.0f} MiB")
    assert "decompression bomb" in result["outcome"]
    assert result["peak"] < 600 * MIB  # the whole process: Python, pandas, pyarrow and the parser
    assert result["seconds"] < SECONDS


def test_a_large_gzip_server_log_streams_through(tmp_path):
    """A legitimate .gz server log larger than the upload caps parses, inflated as it is read."""
    from models.logs.generate import generate_log_lines

    path = tmp_path / "big.log.gz"
    lines = 300_000  # ~80 MiB of text, ~9 MiB of gzip
    with gzip.open(path, "wb", compresslevel=1) as out:
        for start in range(0, lines, 50_000):
            out.write(b"".join(generate_log_lines(50_000, seed=start)))
    result = _load_server_file(path)
    print(f"\nlarge gzip server log: {result['seconds']:.1f} s, process peak RSS {result['peak'] / MIB:,.0f} MiB")
    assert result["outcome"] == f"parsed {lines} lines"
