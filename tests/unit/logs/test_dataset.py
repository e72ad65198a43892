"""The Parquet-dataset source: a cube built on Dask answers every view as the in-memory path does, and rows
are read from the few row groups that hold them."""

import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("distributed")

from models.logs import dataset as ds
from models.logs.aggregate import Events, Filters, dashboard, matching_rows
from models.logs.distributed import SchedulerError, connect
from models.logs.generate import generate_events, write_parquet

EVENTS, SEED, DAYS = 60_000, 11, 14
MAY_6 = int(pd.Timestamp("2023-05-06", tz="UTC").timestamp())


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dataset")
    write_parquet(folder / "events", EVENTS, seed=SEED, days=DAYS, rows_per_file=25_000, row_group_rows=4_096)
    location = str(folder / "events")
    seen = []
    with connect(n_workers=1, threads_per_worker=2, processes=False) as client:
        cube = ds.build_cube(
            location, client, progress=lambda done, total: seen.append((done, total)), groups_per_task=3
        )
    stored = ds.load_cube(ds.save_cube(cube, folder / "data"))
    in_memory = Events.from_table(pa.concat_tables(generate_events(EVENTS, seed=SEED, days=DAYS)))
    return in_memory, ds.DatasetEvents(stored), seen, location


FILTERS = [
    Filters(),
    Filters(statuses=(503, 500)),
    Filters(start=MAY_6 + 1234, end=MAY_6 + 2 * 86_400 - 77, hours=(20, 21)),
    Filters(start=MAY_6 + 5 * 3600 + 17, end=MAY_6 + 9 * 3600, categories=("NULL", "(none)")),
    Filters(days=("2023-05-07", "2023-05-09"), products=("WC-SH-G04", "DB-SG-G01")),
    Filters(end=MAY_6 + 3 * 86_400 + 5, products=("(none)",), hours=(3,)),
    Filters(start=MAY_6 + 3 * 86_400 + 59, products=("other",)),
]


def _plain(table: pa.Table) -> pa.Table:
    return table.cast(
        pa.schema([(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type) for f in table.schema])
    )


def test_the_cube_is_built_in_parts_with_progress(both):
    in_memory, events, seen, _ = both
    assert len(events) == len(in_memory) == EVENTS and events.span == in_memory.span
    total = seen[0][1]
    assert total > 3 and seen[0] == (0, total) and seen[-1] == (total, total)
    assert [done for done, _ in seen] == list(range(total + 1))


@pytest.mark.parametrize("granularity", ["minute", "hour", "day"])
@pytest.mark.parametrize("filters", FILTERS, ids=range(len(FILTERS)))
def test_dashboard_rows_and_previous_period_equal_the_in_memory_path(both, filters, granularity):
    in_memory, events, _, _ = both
    want = dashboard(in_memory, filters, granularity, top=5)
    got = dashboard(events, filters, granularity, top=5)
    assert got.keys() == want.keys()
    for key, value in want.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(got[key], value, obj=key)
        elif isinstance(value, np.ndarray):
            np.testing.assert_array_equal(got[key], value, err_msg=key)
        else:
            assert got[key] == value, key
    if filters.start is not None:
        assert want["previous"] is not None and want["previous"]["events"] > 0
    for page in (0, 3):
        assert _plain(matching_rows(events, filters, page * 100, 100)).equals(
            _plain(matching_rows(in_memory, filters, page * 100, 100))
        )
    assert want["stats"]["events"] > 0


def test_a_page_and_a_range_read_a_few_row_groups_never_the_dataset(both, monkeypatch):
    _, events, _, location = both
    read = []
    real = ds.read_groups

    def counting(location, path, groups, columns):
        read.extend((path, g) for g in groups)
        return real(location, path, groups, columns)

    monkeypatch.setattr(ds, "read_groups", counting)
    fresh = ds.DatasetEvents(ds.Cube(events.index, events.products, events.categories, events.cube, events._minutes))
    total = len(fresh.index.rows)
    filters = Filters(start=MAY_6 + 5 * 3600 + 17, end=MAY_6 + 2 * 86_400 + 600, statuses=(200,))
    page = matching_rows(fresh, filters, 300, 100)
    assert page.num_rows == 100
    assert 1 <= len(set(read)) <= 3, read  # the page's hour lies in one or two row groups
    read.clear()
    data = dashboard(fresh, filters, "hour")
    assert data["stats"]["events"] > 0
    assert 1 <= len(set(read)) <= 4, read  # the range's two edge hours, nothing between them
    assert total > 10


def test_not_configured_dataset_is_refused_by_name(both, tmp_path):
    _, _, _, location = both
    assert ds.allowed_location(ds.source_id(location), [location]) == location
    for crafted in (f"{location}/..", f"{location}/../events", "/etc", "s3://someone-else/events"):
        with pytest.raises(ds.ParquetDatasetError, match="only those named by GLASSBOX_LOG_DATASETS"):
            ds.open_dataset(ds.source_id(crafted), [location], tmp_path)


def test_open_needs_a_built_cube_and_a_changed_dataset_needs_a_new_one(tmp_path):
    folder = tmp_path / "events"
    write_parquet(folder, 3_000, seed=2, days=1, row_group_rows=1_000)
    source = ds.source_id(str(folder))
    with pytest.raises(ds.CubeNotBuilt):
        ds.open_dataset(source, [str(folder)], tmp_path / "data")
    cube = ds.build_dataset(source, [str(folder)], tmp_path / "data", cluster={"processes": False, "n_workers": 1})
    assert len(cube.index) == 3_000
    opened = ds.open_dataset(source, [str(folder)], tmp_path / "data")
    assert dashboard(opened, Filters())["stats"]["events"] == 3_000
    write_parquet(folder, 4_000, seed=2, days=1, row_group_rows=1_000)  # rewritten: the old cube no longer fits
    with pytest.raises(ds.CubeNotBuilt):
        ds.open_dataset(source, [str(folder)], tmp_path / "data")


def test_files_without_the_event_columns_are_refused_with_a_message(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    pq.write_table(pa.table({"ts": pa.array([1, 2], pa.timestamp("s")), "price": [3.0, 4.0]}), folder / "a.parquet")
    with pytest.raises(ds.ParquetDatasetError, match=r"lacks the event columns host, ip, .*status"):
        ds.read_index(str(folder))
    (folder / "a.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(ds.ParquetDatasetError, match="is not a Parquet file"):
        ds.read_index(str(folder))
    (folder / "a.parquet").unlink()
    with pytest.raises(ds.ParquetDatasetError, match="holds no .parquet file"):
        ds.read_index(str(folder))
    with pytest.raises(ds.ParquetDatasetError, match="no such folder"):
        ds.read_index(str(tmp_path / "missing"))


def test_files_out_of_time_order_are_refused(tmp_path):
    table = pa.concat_tables(generate_events(4_000, seed=1, days=1))
    folder = tmp_path / "unsorted"
    folder.mkdir()
    pq.write_table(table.slice(2_000), folder / "a.parquet")
    pq.write_table(table.slice(0, 2_000), folder / "b.parquet")
    with pytest.raises(ds.ParquetDatasetError, match="not sorted by ts"):
        ds.read_index(str(folder))


def test_an_unreachable_scheduler_is_named_within_the_timeout(tmp_path):
    folder = tmp_path / "events"
    write_parquet(folder, 1_000, seed=2, days=1)
    started = time.perf_counter()
    with pytest.raises(SchedulerError, match=r"tcp://127.0.0.1:9 \(GLASSBOX_DASK_SCHEDULER\) cannot be reached"):
        ds.build_dataset(ds.source_id(str(folder)), [str(folder)], tmp_path, scheduler="tcp://127.0.0.1:9", timeout=2)
    assert time.perf_counter() - started < 20
    assert not (tmp_path / "logs").exists()  # nothing stored


def test_the_page_asks_for_a_build_once_and_the_job_builds_with_progress(tmp_path, monkeypatch):
    from webapp.views.logs import prepare

    folder = tmp_path / "events"
    write_parquet(folder, 5_000, seed=3, days=1, row_group_rows=500)
    monkeypatch.setattr(ds, "cluster_options", lambda config: {"n_workers": 1, "processes": False})
    config = {
        "LOG_DATASETS": (str(folder),),
        "DATA_DIR": str(tmp_path / "data"),
        "DASK_SCHEDULER": None,
        "DASK_TIMEOUT_S": 5,
        "LOG_PATHS": (),
    }
    source = ds.source_id(str(folder))
    assert prepare.needs_parse(source, config)
    assert not prepare.needs_parse(ds.source_id(str(tmp_path)), config)  # not configured: render says why
    seen = []
    prepare.parse_source(source, config, lambda value, label: seen.append((value, label)))
    assert seen[0] == (0, "cube: 0/1 parts read on Dask") and (100, "cube: 1/1 parts read on Dask") in seen
    assert not prepare.needs_parse(source, config)
    assert ds.open_dataset(source, config["LOG_DATASETS"], config["DATA_DIR"]).span[1] > 0
