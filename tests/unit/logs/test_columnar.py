"""The logs store: a source is parsed once, every process maps the same files, bad stores are rebuilt."""

import fcntl
import json
import multiprocessing
import os
import time
import uuid

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

from models.logs import columnar, sources
from models.logs import follow as follow_module
from models.logs.aggregate import Events, Filters, dashboard, matching_rows
from models.logs.follow import stored_follow, stored_snapshot
from models.logs.generate import generate_log_lines
from models.logs.parse import parse_bytes

FILTERS = [
    Filters(),
    Filters(products=("other",), statuses=(404, 500)),
    Filters(start=1682935200, end=1683050000, hours=(9, 10, 11)),
]


def _table(lines: int = 4000, seed: int = 3) -> pa.Table:
    return parse_bytes(b"".join(generate_log_lines(lines, seed=seed, days=3)), name="t.log").table


def _summary(events: Events) -> list:
    """What the page shows, as plain data: every view for a few filter states × granularities, and a row page."""
    out = []
    for filters in FILTERS:
        for granularity in ("minute", "hour", "day"):
            data = dashboard(events, filters, granularity)
            out.append(
                {
                    k: v.to_dict("list") if isinstance(v, pd.DataFrame) else np.asarray(v).tolist()
                    for k, v in data.items()
                }
            )
        out.append(matching_rows(events, filters, 0, 25).to_pylist())
    return out


@pytest.fixture(autouse=True)
def fresh_caches():
    sources._cache.clear()
    follow_module._cache.clear()
    yield
    sources._cache.clear()


def _open_in_child(folder, parquet, barrier, queue):
    """One worker process: parse and write the store and report what it sees."""
    parses = []

    def parse():
        parses.append(os.getpid())
        barrier.wait(timeout=60)  # both processes are parsing at the same moment
        return pq.read_table(parquet), {"source": "race"}

    barrier.wait(timeout=60)
    # Written directly: ``open_or_build`` would let one process parse while the other waits (test_build_lock.py).
    stored = columnar.write_store(folder, *parse())
    queue.put((len(parses), _summary(stored.events)))


def test_two_processes_writing_one_store_at_once_end_with_one_valid_store(tmp_path):
    parquet = tmp_path / "events.parquet"
    pq.write_table(_table(), parquet)
    folder = tmp_path / "store" / "race"
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    workers = [ctx.Process(target=_open_in_child, args=(folder, parquet, barrier, queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert [parses for parses, _ in results] == [1, 1]  # both parsed, at once
    assert results[0][1] == results[1][1] == _summary(Events.from_table(pq.read_table(parquet)))
    assert [p.name for p in folder.parent.iterdir()] == ["race"]  # the loser's folder is gone
    assert columnar.is_stored(folder)
    assert json.loads((folder / "manifest.json").read_text())["parses"] == 1


def test_a_second_open_maps_the_store_without_parsing(tmp_path, monkeypatch):
    first = sources.load_events("sample", tmp_path)
    expected = _summary(first)
    sources._cache.clear()  # another worker process

    def no_parse(*args):
        raise AssertionError("parsed again")

    monkeypatch.setattr(sources, "_parse", no_parse)
    second = sources.load_events("sample", tmp_path)
    assert isinstance(second.ts, np.memmap) and isinstance(second.product, np.memmap)
    assert _summary(second) == expected


def test_not_stored_yet_is_said_instead_of_parsing(tmp_path):
    with pytest.raises(columnar.NotStoredError, match="not stored yet"):
        sources.load_events("sample", tmp_path, parse=False)
    assert not sources.is_stored("sample", tmp_path)


def test_a_stored_source_answers_like_the_parsed_one(tmp_path):
    table = _table()
    stored = columnar.write_store(tmp_path / "s", table, {"source": "t"})
    assert _summary(stored.events) == _summary(Events.from_table(table))
    # A fine cube built by one worker is stored; another worker maps it instead of building it.
    assert any(p.name.startswith("fine-60-") for p in (tmp_path / "s").iterdir())
    again = columnar.open_store(tmp_path / "s").events
    assert 60 in again.__dict__["_fine_cubes"] and isinstance(again.fine_cube(60).count, np.ndarray)


def test_the_cube_api_round_trips_through_a_memory_mapped_file(tmp_path):
    events = Events.from_table(_table())
    path = columnar.save_cube(events.cube, tmp_path)
    assert path == tmp_path / "cube.arrow"
    cube = columnar.load_cube(tmp_path)
    for name in ("hour", "product", "category", "status", "count", "bytes"):
        np.testing.assert_array_equal(getattr(cube, name), getattr(events.cube, name))
    assert not cube.hour.flags.owndata  # a view of the mapped file, not a copy


def _damage_rows(folder):
    rows = folder / "rows-00000.arrow"
    rows.write_bytes(rows.read_bytes()[: rows.stat().st_size // 2])


def _drop_manifest(folder):
    (folder / "manifest.json").unlink()


def _newer_version(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "version": columnar.STORE_VERSION + 1}))


def _garbage_manifest(folder):
    (folder / "manifest.json").write_text("{not json")


def _damage_column(folder):
    os.truncate(folder / "ts-00000.bin", 8)


def _damage_cube_inside(folder):
    cube = folder / "cube-00000.arrow"
    data = bytearray(cube.read_bytes())
    data[-6:] = b"NOTARR"  # same size, its footer is not Arrow's
    cube.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage", [_damage_rows, _drop_manifest, _newer_version, _garbage_manifest, _damage_column, _damage_cube_inside]
)
def test_a_damaged_store_is_never_served_and_is_built_again(tmp_path, damage):
    table = _table()
    expected = _summary(Events.from_table(table))
    folder = tmp_path / "s"
    columnar.write_store(folder, table)
    damage(folder)
    assert not columnar.is_stored(folder) or damage is _damage_cube_inside
    with pytest.raises(columnar.StoreError):
        columnar.open_store(folder)
    parses = []
    stored = columnar.open_or_build(folder, lambda: parses.append(1) or (table, {}))
    assert parses == [1]
    assert _summary(stored.events) == expected
    assert columnar.is_stored(folder) and sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_a_damaged_cube_file_is_a_clear_error(tmp_path):
    columnar.save_cube(Events.from_table(_table(200)).cube, tmp_path)
    (tmp_path / "cube.arrow").write_bytes((tmp_path / "cube.arrow").read_bytes()[:100])
    with pytest.raises(columnar.StoreError, match="cube.arrow cannot be read"):
        columnar.load_cube(tmp_path)
    feather.write_feather(pa.table({"x": [1]}), tmp_path / "other.arrow", compression="uncompressed")
    with pytest.raises(columnar.StoreError, match="not a cube"):
        columnar.load_cube(tmp_path, "other")


def test_a_damaged_upload_store_is_rebuilt_from_the_upload(tmp_path):
    result = parse_bytes(b"".join(generate_log_lines(500, seed=5)), name="u.log")
    upload = sources.save_upload(result, tmp_path)
    folder = sources.store_folder(upload, tmp_path)
    assert sources.is_stored(upload, tmp_path)  # stored when uploaded, not on first open
    _damage_rows(folder)
    assert not sources.is_stored(upload, tmp_path)
    events = sources.load_events(upload, tmp_path)
    assert len(events) == 500 and sources.is_stored(upload, tmp_path)


LINE = '10.0.0.{i} - - [01/May/2023:10:{m:02d}:{s:02d} +0000] "GET /product.screen?productId=P{p} HTTP/1.1" {code} 100 "-" "Mozilla/5.0"\n'


def lines(first: int, count: int, minute: int = 0) -> str:
    return "".join(
        LINE.format(i=i % 250, m=minute + i // 60 % 50, s=i % 60, p=i % 3, code=200 if i % 4 else 503)
        for i in range(first, first + count)
    )


def test_a_followed_file_grows_its_store_and_old_positions_still_open(tmp_path):
    path, root = tmp_path / "access.log", tmp_path / "store"
    path.write_text(lines(0, 120))
    first = stored_snapshot(path, root)
    assert len(first.events) == 120 and first.position.offset == path.stat().st_size
    with open(path, "a") as out:
        out.write(lines(120, 60) + '10.0.0.9 - - [01/May/2023:11:00:00 +0000] "GET / HT')  # half a line
    grown = stored_follow(path, root, first.position)
    assert grown.added == 60 and len(grown.events) == 180 and grown.earliest == int(grown.events.ts[120])
    (folder,) = root.iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["parses"] == 2 and len(manifest["segments"]) == 2
    assert _summary(grown.events) == _summary(
        Events.from_table(parse_bytes(lines(0, 180).encode(), name="access.log").table)
    )

    # Another worker, with the first position: the prefix the store had then, without a parse.
    sources._cache.clear()
    again = stored_snapshot(path, root, first.position)
    assert len(again.events) == 120 and again.position == first.position and not again.restarted
    assert _summary(again.events) == _summary(first.events)
    # ... and following from it maps what the other worker appended instead of appending again.
    caught_up = stored_follow(path, root, first.position)
    assert caught_up.added == 60 and caught_up.position == grown.position
    assert json.loads((folder / "manifest.json").read_text())["parses"] == 2


def test_older_appended_rows_rebuild_the_store_in_time_order(tmp_path):
    path, root = tmp_path / "access.log", tmp_path / "store"
    path.write_text(lines(0, 100, minute=30))
    first = stored_snapshot(path, root)
    with open(path, "a") as out:
        out.write(lines(0, 20, minute=0))  # earlier than every stored event
    grown = stored_follow(path, root, first.position)
    assert grown.added == 20 and len(grown.events) == 120
    assert np.all(np.diff(grown.events.ts) >= 0)
    expected = Events.from_table(
        parse_bytes((lines(0, 100, minute=30) + lines(0, 20)).encode(), name="access.log").table
    )
    assert _summary(grown.events) == _summary(expected)


def test_a_rewritten_file_starts_a_new_store(tmp_path):
    path, root = tmp_path / "access.log", tmp_path / "store"
    path.write_text(lines(0, 50))
    first = stored_snapshot(path, root)
    path.write_text(lines(500, 10, minute=5))  # truncated and written again, same inode
    again = stored_snapshot(path, root, first.position)
    assert again.restarted and len(again.events) == 10


def test_the_stored_path_source_opens_without_parsing_in_the_render(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "access.log").write_text(lines(0, 30))
    source, patterns = "path:" + str(logs / "access.log"), (str(logs / "*.log"),)
    with pytest.raises(columnar.NotStoredError):
        sources.load_path(source, patterns, data_dir=tmp_path, parse=False)
    progress = []
    built = sources.load_path(source, patterns, data_dir=tmp_path, progress=lambda done, total: progress.append(done))
    assert len(built.events) == 30 and progress[-1] == (logs / "access.log").stat().st_size
    assert len(sources.load_path(source, patterns, data_dir=tmp_path, parse=False).events) == 30
    assert sources.is_stored(source, tmp_path, patterns)


def test_a_stored_file_that_grew_a_lot_is_left_to_the_background_job(tmp_path, monkeypatch):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "access.log").write_text(lines(0, 30))
    source, patterns = "path:" + str(logs / "access.log"), (str(logs / "*.log"),)
    sources.load_path(source, patterns, data_dir=tmp_path)
    monkeypatch.setattr(follow_module, "TAIL_BYTES", 1000)
    with open(logs / "access.log", "a") as out:
        out.write(lines(30, 5))  # a little: opened without the job, the new lines appended
    assert len(sources.load_path(source, patterns, data_dir=tmp_path, parse=False).events) == 35
    with open(logs / "access.log", "a") as out:
        out.write(lines(35, 100))  # a lot: the render callback would parse it, so it says so instead
    assert not sources.is_stored(source, tmp_path, patterns)
    with pytest.raises(columnar.NotStoredError):
        sources.load_path(source, patterns, data_dir=tmp_path, parse=False)
    assert len(sources.load_path(source, patterns, data_dir=tmp_path).events) == 135  # the job catches up
    assert sources.is_stored(source, tmp_path, patterns)


def _cells(events: Events) -> list[tuple]:
    """The hour cube as labelled cells (codes depend on the order labels were met)."""
    cube, products, categories = events.cube, list(events.products), list(events.categories)

    def label(labels, code):
        return labels[code] if code >= 0 else ""

    return sorted(
        (int(h), label(products, int(p)), label(categories, int(c)), int(s), int(n), int(b))
        for h, p, c, s, n, b in zip(cube.hour, cube.product, cube.category, cube.status, cube.count, cube.bytes)
    )


def _as_written(table: pa.Table, seed: int = 1) -> pa.Table:
    """Lines in the order a server writes them (when each request ends): up to a few seconds out of time order."""
    ts = table["ts"].cast(pa.int64()).to_numpy()
    order = np.argsort(ts + np.random.default_rng(seed).integers(0, 6, len(ts)), kind="stable")
    return table.take(pa.array(order))


@pytest.mark.parametrize("chunk", [1, 97, 1000, 10_000])
def test_a_store_written_chunk_by_chunk_is_the_store_of_the_whole(tmp_path, chunk):
    table = _as_written(_table(4000, seed=8))
    whole = Events.from_table(table)
    chunks = (table.slice(i, chunk) for i in range(0, table.num_rows, chunk))
    stored = columnar.write_store(tmp_path / "s", chunks, lambda: {"source": "t", "lines": 4000})
    assert stored.manifest["rows"] == 4000 and stored.manifest["lines"] == 4000
    assert _summary(stored.events) == _summary(whole)
    assert _cells(stored.events) == _cells(whole)
    # Rows of one second keep their file order, as the whole table's stable sort keeps them.
    assert stored.events.table["line"].to_pylist() == whole.table["line"].to_pylist()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_a_chunk_older_than_the_rows_written_sorts_the_whole_store(tmp_path):
    table = _table(3000, seed=9)
    chunks = [table.slice(1000, 1000), table.slice(2000), table.slice(0, 1000)]  # the file's first third comes last
    stored = columnar.write_store(tmp_path / "s", iter(chunks))
    expected = Events.from_table(pa.concat_tables(chunks))
    assert np.all(np.diff(stored.events.ts) >= 0)
    assert _summary(stored.events) == _summary(expected) and _cells(stored.events) == _cells(expected)
    assert stored.events.table["line"].to_pylist() == expected.table["line"].to_pylist()


def test_a_parse_that_fails_midway_leaves_no_store_and_no_hidden_folder(tmp_path):
    table = _table(2000)

    def chunks():
        yield table.slice(0, 1000)
        raise OSError("the disk went away")

    with pytest.raises(OSError, match="went away"):
        columnar.write_store(tmp_path / "s", chunks())
    assert list(tmp_path.iterdir()) == []
    assert columnar.open_or_build(tmp_path / "s", lambda: (table, {})).manifest["rows"] == 2000


def _aged(folder, seconds):
    then = time.time() - seconds
    for path in [*folder.rglob("*"), folder]:
        os.utime(path, (then, then))


def test_folders_left_by_killed_builds_are_removed_when_a_store_is_opened_or_built(tmp_path, monkeypatch):
    root = tmp_path / "logstore"
    table = _table(300)
    columnar.write_store(root / "a", table)

    def leftover(name: str, age: float):
        folder = root / f".{name}.{uuid.uuid4().hex}.tmp"
        folder.mkdir()
        (folder / "ts-00000.bin").write_bytes(b"x" * 80)
        _aged(folder, age)
        return folder

    killed = leftover("b", 2 * 3600)  # a worker killed mid-build two hours ago
    recent = leftover("c", 60)  # a build a minute old: maybe still going
    held = leftover("d", 2 * 3600)  # unchanged for two hours, but its builder holds the lock (a very long parse)
    lock = open(held / ".lock", "a")  # noqa: SIM115
    fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
    _aged(held, 2 * 3600)
    trash = root / ".trash-x.0123"  # a discard cut short
    (trash / "rows-00000.arrow").parent.mkdir()
    (trash / "rows-00000.arrow").write_bytes(b"x")

    monkeypatch.setattr(columnar, "_swept", {}, raising=False)  # this process has not looked at the root yet
    columnar.open_or_build(root / "a", lambda: pytest.fail("parsed again"))  # opening a store looks
    assert not killed.exists() and not trash.exists()
    assert sorted(p.name for p in root.iterdir()) == sorted(["a", recent.name, held.name])

    lock.close()  # the long build's process died
    columnar.write_store(root / "e", table)  # building a store looks too
    assert sorted(p.name for p in root.iterdir()) == sorted(["a", "e", recent.name])
    assert columnar.open_store(root / "a").manifest["rows"] == 300


@pytest.mark.parametrize("order", ["in file order", "first part last"])
def test_a_rows_file_written_as_chunks_come_holds_what_one_unified_write_holds(tmp_path, monkeypatch, order):
    """Chunks parsed apart (each with its own dictionaries) are written to the rows file as they come, re-coded
    onto one growing dictionary per column: reading it back gives the rows, dictionaries and batches of the whole
    table unified and written at once (the file as it was before), also when a late chunk stops the streaming."""
    monkeypatch.setattr(columnar._RowsWriter, "SYNC_BYTES", 1 << 10)  # flushed in the background as it grows
    lines = b"".join(generate_log_lines(3000, seed=5, days=1)).splitlines(keepends=True)
    parts = [parse_bytes(b"".join(lines[i : i + 700]), name=f"part{i}.log").table for i in range(0, 3000, 700)]
    assert len({p["ip"].chunk(0).dictionary.to_pylist()[0] for p in parts}) > 1  # dictionaries differ
    if order == "first part last":
        parts = parts[1:] + parts[:1]
    stored = columnar.write_store(tmp_path / "s", iter(parts), {"source": "t"})
    expected = columnar._unified(Events.from_table(pa.concat_tables(parts)).table)
    got = stored.events.table
    assert got.num_rows == 3000 and got.equals(expected)
    for name in got.column_names:
        if pa.types.is_dictionary(got.schema.field(name).type):
            assert all(c.dictionary.equals(expected[name].chunk(0).dictionary) for c in got[name].chunks), name
    assert [b.num_rows for b in got.to_batches()] == [b.num_rows for b in expected.to_batches()]
    assert got["host"].null_count == 3000  # a column with an empty dictionary
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]
