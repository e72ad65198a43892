"""The chunked Parquet dataset holds exactly what the in-memory parse does."""

import gzip

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import models.logs.parse as parse_module
from models.logs.generate import generate_log_lines
from models.logs.parse import LogFormatError, parse_files
from models.logs.store import write_dataset

KEY = ["ts", "source", "line"]


def _frame(table: pa.Table):
    """Rows in (time, file, line) order, dictionary columns decoded, times in seconds."""
    table = table.set_column(0, "ts", table["ts"].cast(pa.timestamp("s", tz="UTC")))
    frame = table.to_pandas()
    for column in frame.columns:
        if str(frame[column].dtype) == "category":
            frame[column] = frame[column].astype(object)
    return frame.sort_values(KEY, ignore_index=True)


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logs")
    shop = b"".join(generate_log_lines(30_000, seed=5))
    (folder / "shop.log").write_bytes(shop + b"not a log line\n")
    (folder / "other.log.gz").write_bytes(
        gzip.compress(b"".join(generate_log_lines(8_000, seed=6, host=True, tz_offset=None)))
    )
    return [folder / "shop.log", folder / "other.log.gz"]


def test_dataset_equals_the_in_memory_parse(logs, tmp_path, monkeypatch):
    monkeypatch.setattr(parse_module, "CHUNK_BYTES", 1 << 20)  # several chunks per file
    result = write_dataset(logs, tmp_path / "events", rows_per_file=10_000)
    memory = parse_files(logs)
    assert (
        (result.lines, result.parsed, result.rejected)
        == (memory.lines, memory.parsed, memory.rejected)
        == (38_001, 38_000, 1)
    )
    assert [(r.source, r.line, r.text) for r in result.rejected_lines] == [
        (r.source, r.line, r.text) for r in memory.rejected_lines
    ]
    assert len(result.files) == 4 and sorted(p.name for p in (tmp_path / "events").iterdir()) == result.files
    stored = pq.read_table(tmp_path / "events")
    assert stored.schema.field("product").type == pa.dictionary(pa.int32(), pa.string())
    assert _frame(stored).equals(_frame(memory.table))


def test_rewriting_replaces_old_parts_and_keeps_other_files(logs, tmp_path):
    out = tmp_path / "events"
    write_dataset(logs, out, rows_per_file=5_000)
    (out / "notes.txt").write_text("mine")
    result = write_dataset(logs[:1], out)
    assert result.files == ["part-00000.parquet"]
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "part-00000.parquet"]
    assert pq.read_table(out / "part-00000.parquet").num_rows == 30_000


def test_a_log_with_no_event_is_an_empty_dataset_with_the_schema(tmp_path):
    (tmp_path / "junk.log").write_bytes(b"date,value\n2023-01-01,3\n")
    result = write_dataset([tmp_path / "junk.log"], tmp_path / "events")
    assert (result.lines, result.parsed, result.rejected) == (2, 0, 2)
    assert pq.read_table(tmp_path / "events").schema.names == parse_module.EVENT_SCHEMA.names


def test_a_bad_file_leaves_no_half_written_part(logs, tmp_path):
    (tmp_path / "bin.log").write_bytes(b"\x00\x01" * 50)
    with pytest.raises(LogFormatError, match="binary"):
        write_dataset([logs[0], tmp_path / "bin.log"], tmp_path / "events")
    assert not [p for p in (tmp_path / "events").iterdir() if p.name.startswith(".")]
