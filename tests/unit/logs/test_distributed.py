"""The Dask path over a Parquet dataset gives exactly what the in-process dashboard gives."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")

import models.logs.parse as parse_module
from models.logs.aggregate import Events, Filters, dashboard
from models.logs.distributed import DaskEvents, connect
from models.logs.distributed import dashboard as dask_dashboard
from models.logs.generate import write_log
from models.logs.parse import parse_files
from models.logs.store import write_dataset

MAY_6 = int(pd.Timestamp("2023-05-06", tz="UTC").timestamp())


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask")
    log = write_log(folder / "shop.log", 40_000, seed=11, days=14)
    in_memory = Events.from_table(parse_files([log]).table)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parse_module, "CHUNK_BYTES", 2 << 20)  # several row groups and files
        write_dataset([log], folder / "events", rows_per_file=15_000)
    with connect(n_workers=1, threads_per_worker=2, processes=False) as client:
        lazy = DaskEvents.from_parquet(folder / "events", row_groups_per_partition=2)
        yield in_memory, lazy, client


FILTERS = [
    (Filters(), "hour"),
    (Filters(statuses=(503, 500)), "day"),
    (Filters(start=MAY_6 + 1234, end=MAY_6 + 2 * 86_400 - 77, hours=(20, 21)), "hour"),
    (Filters(start=MAY_6 + 5 * 3600 + 17, end=MAY_6 + 9 * 3600, categories=("NULL", "(none)")), "minute"),
    (Filters(days=("2023-05-07", "2023-05-09"), products=("WC-SH-G04", "DB-SG-G01")), "hour"),
    (Filters(end=MAY_6 + 3 * 86_400 + 5, products=("(none)",), hours=(3,)), "minute"),
    (Filters(start=MAY_6, statuses=(200,)), "day"),
]


@pytest.mark.parametrize("filters, granularity", FILTERS)
def test_dask_dashboard_equals_the_in_process_one(both, filters, granularity):
    in_memory, lazy, _ = both
    assert lazy.frame.npartitions > 1 and len(lazy) == len(in_memory) == 40_000
    assert lazy.span == in_memory.span
    want = dashboard(in_memory, filters, granularity, top=5)
    got = dask_dashboard(lazy, filters, granularity, top=5)
    assert got.keys() == want.keys()
    for key, value in want.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(got[key], value, obj=key)
        elif isinstance(value, np.ndarray):
            np.testing.assert_array_equal(got[key], value, err_msg=key)
        else:
            assert got[key] == value, key
    assert want["stats"]["events"] > 0 and want["products"]["events"].sum() > 0


def test_it_ran_on_the_cluster(both):
    _, lazy, client = both
    dask_dashboard(lazy, Filters())
    assert client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.transition_log)) > 0
