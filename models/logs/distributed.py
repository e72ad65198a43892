"""The logs dashboard's aggregates on a Dask dataframe, for logs that no single machine holds.

``models.logs.store.write_dataset`` turns logs into a Parquet dataset chunk by chunk; this module
computes what ``models.logs.aggregate.dashboard`` computes, with the same ``Filters`` semantics
(each view ignores its own dimension's filter; the time range applies to every view but the
time series), over that dataset with ``dask.dataframe`` on a ``dask.distributed`` cluster:
an existing scheduler by address (the app's ``GLASSBOX_DASK_SCHEDULER``), else a LocalCluster.

Every view is a filter and a group-by on the same prepared frame; ``dashboard`` hands them all
to one ``dask.compute``, so the dataset is read once per call. Results are small and finished
with pandas exactly as the in-process path finishes them (top N, z-scores, trend).

Dask is an optional dependency: ``pip install -e ".[dask]"``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from models.logs.aggregate import (
    GRANULARITY_S,
    NONE_LABEL,
    OTHER,
    Filters,
    expand_other,
    has_previous_period,
    range_trend,
    robust_z,
    stats_dict,
    top_n,
)
from models.logs.dataset import SchedulerError  # raised by connect (defined there so the app needs no Dask to catch it)

if TYPE_CHECKING:
    from distributed import Client

DAY, HOUR = 86_400, 3_600
COLUMNS = ["ts", "status", "bytes", "product", "category"]
_PREPARED = pd.DataFrame(
    {
        "t": pd.Series([], dtype="int64"),  # epoch seconds
        "status": pd.Series([], dtype="int64"),
        "bytes": pd.Series([], dtype="int64"),
        "product": pd.Series([], dtype="str"),  # NONE_LABEL where the event has none
        "category": pd.Series([], dtype="str"),
        "failed": pd.Series([], dtype="int64"),  # 1 for 4xx and 5xx
        "server_failed": pd.Series([], dtype="int64"),  # 1 for 5xx
    }
)


CONNECT_TIMEOUT_S = 10


@contextmanager
def connect(address: str | None = None, timeout: float = CONNECT_TIMEOUT_S, **cluster_options) -> Iterator[Client]:
    """A ``dask.distributed`` client, closed on exit.

    Args:
        address: A running scheduler, e.g. ``tcp://scheduler:8786`` (the app passes its
            ``GLASSBOX_DASK_SCHEDULER``). None starts a LocalCluster on this machine, closed on exit.
        timeout: Seconds to wait for the scheduler before giving up with ``SchedulerError``.
        **cluster_options: For the LocalCluster (``n_workers``, ``threads_per_worker``, ``memory_limit``,
            ``processes``...). In a daemonic process (a Celery worker), whose children are not
            allowed, workers run as threads.

    Raises:
        SchedulerError: no answer from ``address`` within ``timeout``, or Dask is not installed.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SchedulerError('Dask is not installed on this server: pip install -e ".[dask]".') from None

    if address:
        try:
            client = Client(address, timeout=timeout)
        except Exception as exc:  # refused, timed out, or something that is not a scheduler answered
            raise SchedulerError(
                f"The Dask scheduler {address} (GLASSBOX_DASK_SCHEDULER) cannot be reached (waited at most {timeout:g} s): "
                f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}."
            ) from None
        with client:
            yield client
        return
    import multiprocessing

    options = {"n_workers": 1, "threads_per_worker": 2, "processes": False, "dashboard_address": None} | cluster_options
    if multiprocessing.current_process().daemon:
        options["processes"] = False
    # (a cluster of our own is never unreachable, only slow to start on a busy machine)
    with LocalCluster(**options) as cluster, Client(cluster, timeout=max(timeout, 120)) as client:
        yield client


def _read_part(part: tuple[str, list[int]]) -> pd.DataFrame:
    """Some row groups of one Parquet file as the integer and label columns every view groups by."""
    path, groups = part
    table = pq.ParquetFile(path).read_row_groups(groups, columns=COLUMNS)
    status = table["status"].to_numpy().astype(np.int64)

    def labels(column: str) -> np.ndarray:
        return pc.fill_null(table[column].cast(pa.string()), NONE_LABEL).to_numpy(zero_copy_only=False)

    return pd.DataFrame(
        {
            "t": table["ts"].cast(pa.timestamp("s", tz="UTC")).cast(pa.int64()).to_numpy(),
            "status": status,
            "bytes": table["bytes"].to_numpy().astype(np.int64),
            "product": pd.Series(labels("product"), dtype="str"),
            "category": pd.Series(labels("category"), dtype="str"),
            "failed": (status >= 400).astype(np.int64),
            "server_failed": (status >= 500).astype(np.int64),
        }
    )


def _parts(path: str | Path, row_groups_per_partition: int) -> list[tuple[str, list[int]]]:
    path = Path(path)
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    parts = []
    for file in files:
        groups = list(range(pq.ParquetFile(file).num_row_groups))
        parts += [
            (str(file), groups[i : i + row_groups_per_partition])
            for i in range(0, len(groups), row_groups_per_partition)
        ]
    return parts


@dataclass(frozen=True)
class DaskEvents:
    """Parsed events as a lazy Dask dataframe (the prepared columns) and their time span.

    Build with ``DaskEvents.from_parquet``; the span (first and last second) is computed once
    there, as ``Events.span`` is known once the arrays are.
    """

    frame: dd.DataFrame
    span: tuple[int, int]  # [first second, last second + 1), as Events.span
    rows: int

    @classmethod
    def from_parquet(cls, path: str | Path, row_groups_per_partition: int = 8) -> DaskEvents:
        """Lazily read a dataset folder written by ``models.logs.store.write_dataset`` (or a Parquet file of ``EVENT_SCHEMA``).

        Partitions are runs of row groups (one row group per parsed chunk, ~60k events); the
        path must be readable by the workers too (a shared filesystem). Only the five columns
        the views need are read, with pyarrow, and turned into integers and labels once.
        """
        parts = _parts(path, row_groups_per_partition)
        if not parts:
            raise FileNotFoundError(f"No Parquet file in {path}.")
        frame = dd.from_map(_read_part, parts, meta=_PREPARED, label="read-events", enforce_metadata=False)
        first, last, rows = dask.compute(frame["t"].min(), frame["t"].max(), frame["t"].count())
        rows = int(rows)
        return cls(frame=frame, span=(int(first), int(last) + 1) if rows else (0, 1), rows=rows)

    def __len__(self) -> int:
        return self.rows


def _masks(frame: dd.DataFrame, filters: Filters, start: int | None, end: int | None) -> dict[str, dd.Series]:
    """One lazy boolean series per active filter (the range as ``range``), as ``aggregate`` reads them."""
    t = frame["t"]
    masks = {}
    if start is not None or end is not None:
        inside = t >= (start if start is not None else np.iinfo(np.int64).min)
        masks["range"] = inside & (t < end) if end is not None else inside
    if filters.days:
        days = [pd.Timestamp(d).value // 86_400_000_000_000 for d in filters.days]
        masks["days"] = (t // DAY).isin(days)
    if filters.hours:
        masks["hours"] = (t // HOUR % 24).isin(list(filters.hours))
    if filters.products:
        masks["products"] = frame["product"].isin(list(filters.products))
    if filters.categories:
        masks["categories"] = frame["category"].isin(list(filters.categories))
    if filters.statuses:
        masks["statuses"] = frame["status"].isin(list(filters.statuses))
    return masks


def _without(frame: dd.DataFrame, masks: dict[str, dd.Series], *dimensions: str) -> dd.DataFrame:
    """The rows that pass every mask but those of ``dimensions``."""
    combined = None
    for name, mask in masks.items():
        if name not in dimensions:
            combined = mask if combined is None else combined & mask
    return frame if combined is None else frame[combined]


def _counts(frame: dd.DataFrame, key: dd.Series | str):
    """Events and errors per key value (lazy pandas DataFrame with columns ``events``, ``errors``)."""
    keyed = frame.assign(key=frame[key] if isinstance(key, str) else key)
    return keyed.groupby("key")["failed"].agg(["count", "sum"])


def _stats(frame: dd.DataFrame) -> list:
    return [frame["t"].count(), frame["failed"].sum(), frame["server_failed"].sum(), frame["bytes"].sum()]


def _dense(counts: pd.DataFrame, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Events and errors for each of ``keys`` (0 where the group-by found none), int64."""
    counts = counts.reindex(keys, fill_value=0)
    return counts["count"].to_numpy(np.int64), counts["sum"].to_numpy(np.int64)


def _labelled(counts: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "label": pd.Series(counts.index.to_numpy(dtype=object), dtype="str"),
            "events": counts["count"].to_numpy(np.int64),
            "errors": counts["sum"].to_numpy(np.int64),
        }
    )
    return frame[frame["events"] > 0].sort_values(["events", "label"], ascending=[False, True], ignore_index=True)


def dashboard(events: DaskEvents, filters: Filters, granularity: str = "hour", top: int = 10) -> dict:
    """``models.logs.aggregate.dashboard`` on a Dask dataframe: the same keys, columns and values.

    Runs on the current ``dask.distributed`` client when there is one (see ``connect``), else
    on Dask's default scheduler. The dataset is read once.

    Returns:
        ``timeseries`` (``time``, ``events``, ``errors``, ``z``, ``outlier``), ``trend``,
        ``daily`` (``day``, ``events``, ``errors``), ``hourly`` (``hour``, ...), ``products`` /
        ``categories`` / ``statuses`` (``label``, ``events``, ``errors``), ``heatmap`` (7×24,
        Monday first), ``stats``, ``previous``, ``range`` and ``matching``, as ``aggregate.dashboard``.
    """
    frame = events.frame
    width = GRANULARITY_S[granularity]
    first, last = events.span
    start = filters.start if filters.start is not None else first
    end = filters.end if filters.end is not None else last
    shown_products = filters.products
    if OTHER in filters.products:  # one more pass: the product ranking under every other filter
        masks = _masks(frame, filters, filters.start, filters.end)
        ranking = _labelled(_counts(_without(frame, masks, "products"), "product").compute())
        filters = expand_other(filters, ranking, top)
    masks = _masks(frame, filters, filters.start, filters.end)
    everything = _without(frame, masks)
    length = end - start
    previous_masks = _masks(frame, filters, start - length, start)
    t = everything["t"]

    lazy = {
        "series": _counts(_without(frame, masks, "range"), frame["t"] // width),
        "daily": _counts(_without(frame, masks, "days"), frame["t"] // DAY),
        "hourly": _counts(_without(frame, masks, "hours"), frame["t"] // HOUR % 24),
        "products": _counts(_without(frame, masks, "products"), "product"),
        "categories": _counts(_without(frame, masks, "categories"), "category"),
        "statuses": _counts(_without(frame, masks, "statuses"), "status"),
        "heatmap": _counts(everything, (t // DAY + 3) % 7 * 24 + t // HOUR % 24),  # 1970-01-01 was a Thursday
        "stats": _stats(everything),
        "previous": _stats(_without(frame, previous_masks)),
    }
    done = dict(zip(lazy, dask.compute(*lazy.values())))

    origin_bucket = first // width
    size = int((last - 1) // width - origin_bucket) + 1 if events.rows else 0
    counts, errors = _dense(done["series"], origin_bucket + np.arange(size))
    z = robust_z(counts)
    series = pd.DataFrame(
        {
            "time": pd.to_datetime((origin_bucket + np.arange(size)) * width, unit="s", utc=True),
            "events": counts,
            "errors": errors,
            "z": z,
            "outlier": np.abs(z) > 3.5,
        }
    )
    line = range_trend(series, start, end, granularity)

    first_day = first // DAY
    n_days = int((last - 1) // DAY) - first_day + 1
    daily_counts, daily_errors = _dense(done["daily"], first_day + np.arange(n_days))
    daily = pd.DataFrame(
        {
            "day": pd.to_datetime((first_day + np.arange(n_days)) * DAY, unit="s").strftime("%Y-%m-%d"),
            "events": daily_counts,
            "errors": daily_errors,
        }
    )
    hourly_counts, hourly_errors = _dense(done["hourly"], np.arange(24))
    hourly = pd.DataFrame({"hour": np.arange(24), "events": hourly_counts, "errors": hourly_errors})

    status_counts = done["statuses"].sort_index()
    status_counts = status_counts[status_counts["count"] > 0]
    codes = status_counts.index.to_numpy(np.int64)
    statuses = pd.DataFrame(
        {
            "label": codes.astype(str),
            "events": status_counts["count"].to_numpy(np.int64),
            "errors": np.where(codes >= 400, status_counts["count"].to_numpy(np.int64), 0).astype(np.int64),
        }
    )
    heatmap, _ = _dense(done["heatmap"], np.arange(7 * 24))
    stats = stats_dict(*done["stats"])
    return {
        "timeseries": series,
        "trend": line,
        "daily": daily,
        "hourly": hourly,
        "products": top_n(_labelled(done["products"]), top, keep=shown_products),
        "categories": _labelled(done["categories"]),
        "statuses": statuses,
        "heatmap": heatmap.reshape(7, 24),
        "stats": stats,
        "previous": stats_dict(*done["previous"]) if has_previous_period(filters, (first, last)) else None,
        "range": (int(start), int(end)),
        "matching": stats["events"],
    }


def dashboard_from_parquet(
    path: str | Path, filters: Filters | None = None, address: str | None = None, **options
) -> dict:
    """Connect (see ``connect``), read the dataset and compute one dashboard; for scripts and the CLI."""
    with connect(address, **options):
        return dashboard(DaskEvents.from_parquet(path), filters or Filters())
