"""Events generated straight to Parquet are the events parsing the generated text log gives."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from models.logs.__main__ import main
from models.logs.dataset import read_index
from models.logs.generate import generate_events, generate_log_lines, write_parquet
from models.logs.parse import EVENT_SCHEMA, parse_bytes


def _plain(table: pa.Table) -> pa.Table:
    """Dictionary columns as strings: two encodings of the same values compare equal."""
    return table.cast(
        pa.schema([(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type) for f in table.schema])
    )


@pytest.mark.parametrize("options", [{}, {"host": True, "tz_offset": "-0530", "days": 3}])
def test_events_equal_the_parsed_text_log_row_for_row(options):
    text = b"".join(generate_log_lines(25_000, seed=3, **options))
    parsed = parse_bytes(text, name="shop.log").table
    events = pa.concat_tables(generate_events(25_000, seed=3, source="shop.log", chunk_lines=6_000, **options))
    assert events.schema == EVENT_SCHEMA
    assert events.num_rows == parsed.num_rows == 25_000
    assert _plain(events).equals(_plain(parsed))
    # what a user would look at differs between seeds
    other = pa.concat_tables(generate_events(25_000, seed=4, source="shop.log", **options))
    assert not _plain(other).equals(_plain(parsed))


def test_parquet_dataset_is_ts_sorted_in_row_groups_with_statistics(tmp_path):
    result = write_parquet(tmp_path / "events", 50_000, seed=1, rows_per_file=20_000, row_group_rows=4_096)
    assert result.rows == 50_000 and result.files == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    files = sorted((tmp_path / "events").glob("*.parquet"))
    assert [f.name for f in files] == result.files  # no hidden half-written file left
    groups = [pq.ParquetFile(f).metadata.row_group(g) for f in files for g in range(pq.ParquetFile(f).num_row_groups)]
    assert max(g.num_rows for g in groups) == 4_096 and len(groups) == result.row_groups
    index = read_index(str(tmp_path / "events"))
    assert (index.ts_min[1:] >= index.ts_max[:-1]).all() and (index.ts_min <= index.ts_max).all()
    back = pq.read_table(tmp_path / "events")
    want = pa.concat_tables(generate_events(50_000, seed=1))
    assert _plain(back.cast(EVENT_SCHEMA)).equals(_plain(want))


def test_cli_writes_a_dataset_and_refuses_a_bad_count(tmp_path, capsys):
    assert main(["generate-parquet", "--events", "3000", "--seed", "2", "--out", str(tmp_path / "ds")]) == 0
    assert "3,000 events in 1 files" in capsys.readouterr().out
    assert pq.read_metadata(tmp_path / "ds" / "part-00000.parquet").num_rows == 3000
    with pytest.raises(SystemExit):
        main(["generate-parquet", "--events", "0", "--out", str(tmp_path / "none")])
    assert "--events must be positive" in capsys.readouterr().err


def test_events_out_of_time_order_are_refused(tmp_path):
    from models.logs.dataset import write_tables

    table = pa.concat_tables(generate_events(2_000, seed=1))
    with pytest.raises(ValueError, match="time order"):
        write_tables([table.slice(1000), table.slice(0, 1000)], tmp_path / "bad")
    assert not list((tmp_path / "bad").glob("*.parquet")) and not list((tmp_path / "bad").glob(".*"))
