"""Cross-filtered aggregates of parsed events, for the logs dashboard.

Events are held once as sorted integer columns (``Events``); a click never touches strings.
Each view is filtered by every filter except its own dimension, so a user can keep adding bars
of one chart while the others follow (crossfilter semantics).

Clicks aggregate over a cube, not over rows: ``Events.cube`` counts events and bytes per
(hour, product, category, status code), built once per ``Events``. Day and hour-of-day filters
are unions of hours, so every view but a minute time series and the partial hours at either
end of a time range reads the cube; those edges come from the raw rows, found by binary search.
A cube has far fewer cells than a log has lines (10M generated lines: about 150k cells).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

GRANULARITY_S = {"minute": 60, "hour": 3600, "day": 86400}
HOUR = 3600
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
OTHER = "other"  # the bar of every product outside the top N; as a product filter, selects those products
TOP_PRODUCTS = 10
NONE_LABEL = "(none)"
STATUS_SLOTS = 600  # status codes 0-599 index the status counts


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Dictionary codes (-1 for null) and the labels they index, unified over chunks."""
    series = column.to_pandas()
    cat = series.astype("category") if not isinstance(series.dtype, pd.CategoricalDtype) else series
    return cat.cat.codes.to_numpy(np.int32), np.asarray(cat.cat.categories.astype(str), dtype=object)


def _append_codes(labels: np.ndarray, codes: np.ndarray, new_labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Re-code ``codes`` (indices into ``new_labels``) onto ``labels``, appending labels not seen before."""
    position = pd.Index(labels).get_indexer(new_labels)
    unseen = position < 0
    position[unseen] = len(labels) + np.arange(unseen.sum())
    labels = np.concatenate([labels, new_labels[unseen]]).astype(object)
    return np.where(codes < 0, -1, position[np.maximum(codes, 0)] if len(position) else -1).astype(np.int32), labels


def grow_codes(known: dict, values: list, added: list) -> np.ndarray:
    """The codes of ``values`` in ``known`` (label → code), each value not known yet given the next code
    and appended to ``added``: a dictionary's few distinct values are looked up once, never its rows."""
    mapping = np.empty(len(values), np.int32)
    for i, value in enumerate(values):
        code = known.get(value)
        if code is None:
            code = known[value] = len(known)
            added.append(value)
        mapping[i] = code
    return mapping


def _codes_onto(labels: np.ndarray, column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """``_append_codes(labels, *_codes(column))``: ``column``'s codes onto ``labels`` (-1 for null), and the labels
    grown by those met first here, in the order unifying the chunks' dictionaries gives.

    A dictionary column's few distinct values are looked up once per chunk and its indices mapped in
    NumPy: no pandas categorical is built per chunk of a parse (the store's writer calls this per chunk).
    """
    if not pa.types.is_dictionary(column.type):
        return _append_codes(labels, *_codes(column))
    known = {label: code for code, label in enumerate(labels.tolist())}
    added: list[str] = []
    parts = []
    for chunk in column.chunks:
        values = chunk.dictionary.to_pylist()
        mapping = np.append(grow_codes(known, values, added), np.int32(-1))  # the last: where a null index points
        indices = chunk.indices
        if indices.null_count:
            indices = pc.fill_null(indices, len(values))
        parts.append(mapping[indices.to_numpy()])
    codes = np.concatenate(parts) if parts else np.zeros(0, np.int32)
    grown = np.concatenate([labels, np.array(added, dtype=object)]).astype(object) if added else labels
    return codes, grown.astype(object)


@dataclass(frozen=True)
class _Cells:
    """Events grouped by (hour, product, category, status), or single rows when ``count`` is None.

    ``hour`` is ascending epoch hours (``ts // 3600``); codes are as in ``Events``.
    """

    hour: np.ndarray  # int64
    product: np.ndarray  # int32, -1 = none
    category: np.ndarray  # int32, -1 = none
    status: np.ndarray  # int16
    count: np.ndarray | None  # int64 events per cell; None: one each
    bytes: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.hour)

    def slice(self, lo: int, hi: int) -> _Cells:
        count = None if self.count is None else self.count[lo:hi]
        return _Cells(
            self.hour[lo:hi], self.product[lo:hi], self.category[lo:hi], self.status[lo:hi], count, self.bytes[lo:hi]
        )

    @staticmethod
    def concat(parts: list[_Cells]) -> _Cells:
        if len(parts) == 1:
            return parts[0]
        counts = [p.count if p.count is not None else np.ones(len(p), np.int64) for p in parts]
        return _Cells(
            *(np.concatenate([getattr(p, name) for p in parts]) for name in ("hour", "product", "category", "status")),
            np.concatenate(counts),
            np.concatenate([p.bytes for p in parts]),
        )


def _dense_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)``, by counting when the values are small non-negative ints."""
    if len(values) and values.min() >= 0 and values.max() < 1 << 16:
        present = np.bincount(values) > 0
        return np.flatnonzero(present), (np.cumsum(present) - 1)[values]
    uniques, inverse = np.unique(values, return_inverse=True)
    return uniques, inverse


def build_cube(
    ts: np.ndarray,
    product: np.ndarray,
    category: np.ndarray,
    status: np.ndarray,
    size: np.ndarray,
    n_products: int,
    n_categories: int,
) -> _Cells:
    """Count events and sum bytes per (hour, product, category, status): one pass, by key.

    The key space is dense enough to count with ``np.bincount`` on real logs; a sparse one is
    grouped by sorting. Without a key that fits in 63 bits, the rows themselves are the cells.
    """
    hour = ts // HOUR
    if len(ts) == 0:
        return _Cells(hour, product, category, status, np.zeros(0, np.int64), size)
    statuses, status_code = _dense_codes(status.astype(np.int64))
    sizes = (int(hour[-1] - hour[0]) + 1, n_products + 1, n_categories + 1, len(statuses))
    space = int(np.prod(sizes, dtype=object))
    if space >= 1 << 62:
        return _Cells(hour, product, category, status, None, size)
    key = hour - hour[0]
    for width, codes in zip(sizes[1:], (product + 1, category + 1, status_code)):
        key = key * width + codes
    if space <= max(2 * len(ts), 1 << 20):
        counts = np.bincount(key, minlength=space)
        cells = np.flatnonzero(counts)
        counts = counts[cells]
        sums = np.bincount(key, weights=size, minlength=space)[cells]
    else:
        cells, inverse = np.unique(key, return_inverse=True)
        counts = np.bincount(inverse)
        sums = np.bincount(inverse, weights=size)
    status_code = cells % sizes[3]
    cells //= sizes[3]
    category_code = cells % sizes[2] - 1
    cells //= sizes[2]
    product_code = cells % sizes[1] - 1
    cells //= sizes[1]
    # Byte sums per cell stay far below 2**53, where float64 weights stop being exact.
    return _Cells(
        cells + hour[0],
        product_code.astype(np.int32),
        category_code.astype(np.int32),
        statuses[status_code].astype(np.int16),
        counts.astype(np.int64),
        np.rint(sums).astype(np.int64),
    )


@dataclass(frozen=True)
class _FineCube:
    """Events per (combination of product, category and status, time bucket), grouped by combination.

    Combination ``c`` owns cells ``offsets[c]:offsets[c + 1]``; ``totals`` are the unfiltered
    events and errors per bucket.
    """

    product: np.ndarray  # per combination
    category: np.ndarray
    status: np.ndarray
    offsets: np.ndarray
    bucket: np.ndarray  # per cell
    count: np.ndarray
    totals: tuple[np.ndarray, np.ndarray]

    def cells_in(self, combos: np.ndarray) -> int:
        return int(np.diff(self.offsets)[combos].sum())


def _build_fine_cube(events: Events, width: int) -> _FineCube:
    first = events.span[0]
    origin = first - first % width
    bucket = (events.ts - origin) // width
    n_buckets = int(bucket[-1]) + 1 if len(bucket) else 0
    statuses, status_code = _dense_codes(events.status.astype(np.int64))
    n_c, n_s = len(events.categories) + 1, max(len(statuses), 1)
    combos, combo_of_row = _dense_codes(
        ((events.product.astype(np.int64) + 1) * n_c + events.category + 1) * n_s + status_code
    )
    key = combo_of_row * max(n_buckets, 1) + bucket
    space = len(combos) * max(n_buckets, 1)
    if space <= max(2 * len(key), 1 << 20):
        counts = np.bincount(key, minlength=space)
        cells = np.flatnonzero(counts)
        counts = counts[cells]
    else:
        cells, counts = np.unique(key, return_counts=True)
    combo_of_cell, bucket_of_cell = np.divmod(cells, max(n_buckets, 1))
    failed = np.bincount(bucket[events.status >= 400], minlength=n_buckets)
    return _FineCube(
        product=(combos // n_s // n_c - 1).astype(np.int32),
        category=(combos // n_s % n_c - 1).astype(np.int32),
        status=statuses[combos % n_s].astype(np.int16) if len(statuses) else np.zeros(0, np.int16),
        offsets=np.searchsorted(combo_of_cell, np.arange(len(combos) + 1)),
        bucket=bucket_of_cell,
        count=counts.astype(np.int64),
        totals=(np.bincount(bucket, minlength=n_buckets).astype(np.int64), failed.astype(np.int64)),
    )


@dataclass(frozen=True)
class Events:
    """Parsed events as sorted NumPy columns; read-only once built, safe to share between users."""

    ts: np.ndarray  # int64 epoch seconds, ascending
    status: np.ndarray  # int16
    bytes: np.ndarray  # int64
    product: np.ndarray  # int32 codes, -1 = none
    products: np.ndarray  # labels
    category: np.ndarray
    categories: np.ndarray
    table: pa.Table = field(repr=False)  # the raw rows, same order, for the events grid

    @classmethod
    def from_table(cls, table: pa.Table) -> Events:
        # Parquet has no second unit: a round trip comes back in milliseconds.
        ts = table["ts"].cast(pa.timestamp("s", tz="UTC")).cast(pa.int64()).to_numpy()
        if len(ts) and np.any(np.diff(ts) < 0):
            order = np.argsort(ts, kind="stable")
            table, ts = table.take(pa.array(order)), ts[order]
        product, products = _codes(table["product"])
        category, categories = _codes(table["category"])
        return cls(
            ts=ts,
            status=table["status"].to_numpy().astype(np.int16),
            bytes=table["bytes"].to_numpy().astype(np.int64),
            product=product,
            products=products,
            category=category,
            categories=categories,
            table=table,
        )

    def extend(self, table: pa.Table) -> Events:
        """These events followed by the rows of ``table`` (a log's newly appended lines).

        When the new rows are in time order and none is older than the last event, arrays and
        labels are appended and the cube is rebuilt only from the first hour the new rows touch;
        otherwise everything is rebuilt.
        """
        if table.num_rows == 0:
            return self
        if table.schema != self.table.schema:
            table = table.cast(self.table.schema)
        combined = pa.concat_tables([self.table, table])
        ts = table["ts"].cast(pa.timestamp("s", tz="UTC")).cast(pa.int64()).to_numpy()
        if len(self) == 0 or ts[0] < self.ts[-1] or np.any(np.diff(ts) < 0):
            return Events.from_table(combined)
        product, products = _codes_onto(self.products, table["product"])
        category, categories = _codes_onto(self.categories, table["category"])
        events = Events(
            ts=np.concatenate([self.ts, ts]),
            status=np.concatenate([self.status, table["status"].to_numpy().astype(np.int16)]),
            bytes=np.concatenate([self.bytes, table["bytes"].to_numpy().astype(np.int64)]),
            product=np.concatenate([self.product, product]),
            products=products,
            category=np.concatenate([self.category, category]),
            categories=categories,
            table=combined,
        )
        if "cube" in self.__dict__ and self.cube.count is not None:
            first_hour = int(ts[0] // HOUR)
            kept = self.cube.slice(0, int(np.searchsorted(self.cube.hour, first_hour)))
            row = int(np.searchsorted(events.ts, first_hour * HOUR))
            rest = build_cube(
                events.ts[row:],
                events.product[row:],
                events.category[row:],
                events.status[row:],
                events.bytes[row:],
                len(products),
                len(categories),
            )
            if rest.count is not None:
                events.__dict__["cube"] = _Cells.concat([kept, rest])
        return events

    def __len__(self) -> int:
        return len(self.ts)

    @property
    def span(self) -> tuple[int, int]:
        return (int(self.ts[0]), int(self.ts[-1]) + 1) if len(self.ts) else (0, 1)

    @cached_property
    def cube(self) -> _Cells:
        """Events and bytes per (hour, product, category, status), built on first use."""
        return build_cube(
            self.ts, self.product, self.category, self.status, self.bytes, len(self.products), len(self.categories)
        )

    def fine_cube(self, width: int) -> _FineCube:
        """Counts per time bucket of ``width`` seconds (< 1 hour) for each combination of
        product, category and status; built on first use, then cached."""
        memo = self.__dict__.setdefault("_fine_cubes", {})
        if width not in memo:
            memo[width] = _build_fine_cube(self, width)
        return memo[width]

    def rows(self, lo: int, hi: int) -> _Cells:
        """Rows ``lo:hi`` as cells of one event each."""
        return _Cells(
            self.ts[lo:hi] // HOUR,
            self.product[lo:hi],
            self.category[lo:hi],
            self.status[lo:hi],
            None,
            self.bytes[lo:hi],
        )

    def take(self, rows: np.ndarray) -> pa.Table:
        """The raw events of these row numbers, in this order."""
        return take_rows(self.table, rows)

    def row_range(self, start: int | None, end: int | None) -> tuple[int, int]:
        """Rows with ``start <= ts < end``, by binary search."""
        lo = 0 if start is None else int(np.searchsorted(self.ts, start, side="left"))
        hi = len(self.ts) if end is None else int(np.searchsorted(self.ts, end, side="left"))
        return lo, max(lo, hi)


@dataclass(frozen=True)
class Filters:
    """What the user selected; plain data so it round-trips through the URL.

    Attributes:
        start, end: Time range ``[start, end)`` in epoch seconds, or None for all.
        days: ISO dates (UTC) picked on the daily chart.
        hours: Hours of day (0-23) picked on the hourly chart.
        products, categories: Labels; ``"(none)"`` selects events without one.
        statuses: HTTP status codes.
    """

    start: int | None = None
    end: int | None = None
    days: tuple[str, ...] = ()
    hours: tuple[int, ...] = ()
    products: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    statuses: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict | None) -> Filters:
        data = data or {}

        def ints(key):
            return tuple(sorted({int(v) for v in data.get(key) or ()}))

        def strs(key):
            return tuple(sorted({str(v) for v in data.get(key) or ()}))

        start, end = data.get("start"), data.get("end")
        return cls(
            start=int(start) if start is not None else None,
            end=int(end) if end is not None else None,
            days=strs("days"),
            hours=tuple(h for h in ints("hours") if 0 <= h < 24),
            products=strs("products"),
            categories=strs("categories"),
            statuses=ints("statuses"),
        )

    def toggle(self, dimension: str, value, additive: bool = True) -> Filters:
        """Add or remove one value of a dimension (replace the selection when not additive)."""
        current = set(getattr(self, dimension))
        if value in current:
            current.discard(value)
        elif additive:
            current.add(value)
        else:
            current = {value}
        return replace(self, **{dimension: tuple(sorted(current))})

    @property
    def active(self) -> bool:
        return any(getattr(self, f) for f in ("days", "hours", "products", "categories", "statuses")) or (
            self.start is not None or self.end is not None
        )


def _lookup(labels: np.ndarray, wanted: tuple[str, ...]) -> np.ndarray:
    """A boolean table over codes (shifted by one so code -1, "none", is index 0)."""
    table = np.zeros(len(labels) + 1, dtype=bool)
    table[0] = NONE_LABEL in wanted
    table[1:] = np.isin(labels, list(wanted))
    return table


def _day_numbers(days: tuple[str, ...]) -> np.ndarray:
    return np.array([pd.Timestamp(d).value // 86_400_000_000_000 for d in days], dtype=np.int64)


def _hour_table(hours: tuple[int, ...]) -> np.ndarray:
    table = np.zeros(24, dtype=bool)
    table[list(hours)] = True
    return table


def _cells_between(events: Events, start: int | None, end: int | None) -> _Cells:
    """The events with ``start <= ts < end``: whole hours from the cube, partial ones from rows."""
    cube = events.cube
    if len(events) == 0 or cube.count is None:
        return events.rows(*events.row_range(start, end))
    first, last = int(cube.hour[0]) * HOUR, (int(cube.hour[-1]) + 1) * HOUR
    start = first if start is None else max(int(start), first)
    end = last if end is None else min(int(end), last)
    full_lo, full_hi = -(-start // HOUR), end // HOUR
    if full_lo >= full_hi:
        return events.rows(*events.row_range(start, end))
    parts = []
    if start < full_lo * HOUR:
        parts.append(events.rows(*events.row_range(start, full_lo * HOUR)))
    parts.append(cube.slice(*np.searchsorted(cube.hour, [full_lo, full_hi])))
    if full_hi * HOUR < end:
        parts.append(events.rows(*events.row_range(full_hi * HOUR, end)))
    return _Cells.concat(parts)


class _Selection:
    """Cells with one boolean mask per active filter, and the sums every view needs."""

    def __init__(self, events: Events, cells: _Cells, filters: Filters):
        self.cells = cells
        self.masks: dict[str, np.ndarray] = {}
        if filters.days:
            self.masks["days"] = np.isin(cells.hour // 24, _day_numbers(filters.days))
        if filters.hours:
            self.masks["hours"] = _hour_table(filters.hours)[cells.hour % 24]
        if filters.products:
            self.masks["products"] = _lookup(events.products, filters.products)[cells.product + 1]
        if filters.categories:
            self.masks["categories"] = _lookup(events.categories, filters.categories)[cells.category + 1]
        if filters.statuses:
            self.masks["statuses"] = np.isin(cells.status, np.array(filters.statuses, dtype=np.int16))
        failed = cells.status >= 400
        self.events = cells.count  # None: one event per cell
        self.errors = failed if cells.count is None else np.where(failed, cells.count, 0)

    def without(self, dimension: str | None) -> np.ndarray | None:
        """AND of every mask but one; None means "every cell"."""
        combined = None
        for name, mask in self.masks.items():
            if name == dimension:
                continue
            combined = mask if combined is None else combined & mask
        return combined

    def sum_by(self, codes: np.ndarray, size: int, dimension: str | None) -> tuple[np.ndarray, np.ndarray]:
        """Events and errors per code (``0 <= code < size``), every filter but ``dimension``'s applied."""
        mask = self.without(dimension)
        return _count_by(codes, mask, size, self.events), _count_by(codes, mask, size, self.errors)

    def stats(self) -> dict:
        mask = self.without(None)
        cells = self.cells
        status, size = cells.status, cells.bytes
        count = np.ones(len(cells), np.int64) if cells.count is None else cells.count
        if mask is not None:
            status, size, count = status[mask], size[mask], count[mask]
        return stats_dict(count.sum(), count[status >= 400].sum(), count[status >= 500].sum(), size.sum())


def stats_dict(events: int, errors: int, server_errors: int, size: int) -> dict:
    """The stats panel's figures from four totals (shared by the in-process and the Dask paths)."""
    events, errors, server_errors = int(events), int(errors), int(server_errors)
    return {
        "events": events,
        "errors": errors,
        "server_errors": server_errors,
        "error_rate": errors / events if events else 0.0,
        "server_error_rate": server_errors / events if events else 0.0,
        "bytes": int(size),
    }


def _count_by(codes: np.ndarray, mask: np.ndarray | None, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Sum of ``weights`` (1 when None) per code, as int64."""
    if mask is not None:
        codes = codes[mask]
        weights = weights[mask] if weights is not None else None
    counts = np.bincount(codes, weights=weights, minlength=size)[:size]
    return counts.astype(np.int64) if weights is not None else counts


def _labelled_counts(events_by_code: np.ndarray, errors_by_code: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"label": np.concatenate([[NONE_LABEL], labels]), "events": events_by_code, "errors": errors_by_code}
    )
    return frame[frame["events"] > 0].sort_values(["events", "label"], ascending=[False, True], ignore_index=True)


def top_n(frame: pd.DataFrame, n: int, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """The ``n`` largest rows plus any kept (selected) ones; the rest summed as ``other``."""
    if len(frame) <= n:
        return frame
    head = frame.iloc[:n]
    extra = frame.iloc[n:][frame.iloc[n:]["label"].isin(keep)]
    rest = frame.iloc[n:][~frame.iloc[n:]["label"].isin(keep)]
    other = pd.DataFrame({"label": [OTHER], "events": [rest["events"].sum()], "errors": [rest["errors"].sum()]})
    return pd.concat([head, extra, other], ignore_index=True)


def expand_other(filters: Filters, ranking: pd.DataFrame, n: int = TOP_PRODUCTS) -> Filters:
    """Replace the ``other`` product filter by the products it stands for.

    ``other`` is the bar ``top_n`` sums the products outside the ``n`` largest into (the
    selected ones are drawn as their own bars); selecting it selects exactly those products.
    The ranking ignores the product filter itself (crossfilter), so it does not move as products
    are clicked.

    Args:
        filters: The user's filters; unchanged unless ``products`` holds ``OTHER``.
        ranking: Events per product label (``(none)`` included), largest first, under every
            other filter: the frame ``top_n`` is given.
    """
    if OTHER not in filters.products:
        return filters
    chosen = set(filters.products) - {OTHER}
    chosen |= set(ranking["label"].iloc[n:].astype(str))
    # Nothing outside the top n: keep the token, which no product matches, so the view is empty.
    return replace(filters, products=tuple(sorted(chosen)) or (OTHER,))


def robust_z(counts: np.ndarray) -> np.ndarray:
    """Modified z-score (Iglewicz & Hoaglin): 0.6745 (x - median) / MAD; 0 where MAD is 0."""
    counts = np.asarray(counts, dtype=float)
    if len(counts) == 0:
        return counts
    median = np.median(counts)
    mad = np.median(np.abs(counts - median))
    if mad == 0:
        return np.zeros_like(counts)
    return 0.6745 * (counts - median) / mad


def trend(x: np.ndarray, y: np.ndarray) -> dict:
    """Least-squares line through (x, y) with the slope's t-statistic (0 when undefined)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 3 or np.ptp(x) == 0:
        return {"slope": 0.0, "intercept": float(y.mean()) if len(y) else 0.0, "t": 0.0}
    # The closed form with elementwise sums, not np.polyfit or ``@``: those call BLAS, whose
    # threads spin against the web workers on a busy machine (tens of ms for a minute series).
    dx = x - x.mean()
    sxx = float(np.sum(dx * dx))
    slope = float(np.sum(dx * (y - y.mean()))) / sxx
    intercept = float(y.mean()) - slope * float(x.mean())
    residuals = y - (slope * x + intercept)
    dof = len(x) - 2
    se = np.sqrt(float(np.sum(residuals * residuals)) / dof / sxx)
    t = float(slope / se) if se > 0 else (float(np.sign(slope)) * np.inf if slope else 0.0)
    return {"slope": float(slope), "intercept": float(intercept), "t": t}


def _sub_hour_series(events: Events, filters: Filters, width: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Events and errors per bucket shorter than an hour; days and hours are masked per bucket.

    Reads ``Events.fine_cube``: counts per (combination of product, category and status, bucket),
    grouped by combination, so a filter reads only the cells of the combinations it keeps.
    """
    cube = events.fine_cube(width)
    keep = np.ones(len(cube.status), dtype=bool)
    if filters.products:
        keep &= _lookup(events.products, filters.products)[cube.product + 1]
    if filters.categories:
        keep &= _lookup(events.categories, filters.categories)[cube.category + 1]
    if filters.statuses:
        keep &= np.isin(cube.status, np.array(filters.statuses, dtype=np.int16))

    def total(combos: np.ndarray) -> np.ndarray:
        cells = np.concatenate(
            [np.arange(cube.offsets[c], cube.offsets[c + 1]) for c in combos] or [np.zeros(0, np.int64)]
        )
        return np.bincount(cube.bucket[cells], weights=cube.count[cells], minlength=size)[:size].astype(np.int64)

    failed = cube.status >= 400
    if keep.all():
        counts, errors = cube.totals[0], cube.totals[1]
    elif cube.cells_in(keep) * 2 > len(cube.bucket):  # most cells kept: subtract the few left out
        counts, errors = (
            cube.totals[0] - total(np.flatnonzero(~keep)),
            cube.totals[1] - total(np.flatnonzero(~keep & failed)),
        )
    else:
        counts, errors = total(np.flatnonzero(keep)), total(np.flatnonzero(keep & failed))
    if filters.days or filters.hours:
        origin = events.span[0] - events.span[0] % width
        hour = (origin + np.arange(size) * width) // HOUR
        inside = np.ones(size, dtype=bool)
        if filters.days:
            inside &= np.isin(hour // 24, _day_numbers(filters.days))
        if filters.hours:
            inside &= _hour_table(filters.hours)[hour % 24]
        counts, errors = np.where(inside, counts, 0), np.where(inside, errors, 0)
    return counts, errors


def timeseries(events: Events, filters: Filters, granularity: str = "hour") -> pd.DataFrame:
    """Events and errors per time bucket over the whole log, with every filter but the range.

    Returns:
        Columns ``time`` (UTC timestamps), ``events``, ``errors`` (4xx+5xx), ``z`` (robust
        z-score of the counts) and ``outlier`` (``|z| > 3.5``).
    """
    width = GRANULARITY_S[granularity]
    first, last = events.span
    origin = first - first % width
    size = int((last - 1 - origin) // width) + 1 if len(events) else 0
    if width % HOUR == 0:
        selection = _Selection(events, events.cube, filters)
        buckets = (selection.cells.hour * HOUR - origin) // width
        counts, errors = selection.sum_by(buckets, size, None)
    else:
        counts, errors = _sub_hour_series(events, filters, width, size)
    z = robust_z(counts)
    return pd.DataFrame(
        {
            "time": pd.to_datetime(origin + np.arange(size) * width, unit="s", utc=True),
            "events": counts,
            "errors": errors,
            "z": z,
            "outlier": np.abs(z) > 3.5,
        }
    )


def range_trend(series: pd.DataFrame, start: int, end: int, granularity: str) -> dict:
    """``trend`` of the time series' buckets that overlap ``[start, end)``, counted from the first.

    The intercept is the line's value at the range's first bucket, where the figure starts it.
    """
    # (pandas 3 keeps these timestamps in seconds, not nanoseconds: ask for seconds explicitly.)
    seconds = ((series["time"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)).to_numpy()
    in_range = (seconds >= start - GRANULARITY_S[granularity] + 1) & (seconds < end)
    return trend(np.arange(int(in_range.sum())), series["events"].to_numpy()[in_range])


def has_previous_period(filters: Filters, span: tuple[int, int]) -> bool:
    """Whether a period comparison means anything: a range is set and it starts after the log does."""
    if filters.start is None and filters.end is None:
        return False
    return (filters.start if filters.start is not None else span[0]) > span[0]


def resolve_other(events: Events, filters: Filters, top: int = TOP_PRODUCTS) -> Filters:
    """``expand_other`` with the product ranking of these events under every other filter."""
    if OTHER not in filters.products:
        return filters
    selection = _Selection(events, _cells_between(events, filters.start, filters.end), filters)
    cells = selection.cells
    counts = selection.sum_by(cells.product + 1, len(events.products) + 1, "products")
    return expand_other(filters, _labelled_counts(*counts, events.products), top)


def shown_timeseries(events: Events, filters: Filters, granularity: str = "hour") -> pd.DataFrame:
    """The time series ``dashboard`` shows for these filters (``other`` resolved), without the other views."""
    return timeseries(events, resolve_other(events, filters), granularity)


def dashboard(events: Events, filters: Filters, granularity: str = "hour", top: int = 10) -> dict:
    """Every aggregate the logs page shows, for one filter state.

    Returns:
        ``timeseries`` (see ``timeseries``), ``trend`` (slope per bucket, intercept at the range's
        first bucket, t-statistic, over the selected range), ``daily`` (``day``, ``events``, ``errors``), ``hourly`` (``hour``, ...),
        ``products`` / ``categories`` / ``statuses`` (``label``, ``events``, ``errors``),
        ``heatmap`` (7×24 counts, Monday first), ``stats`` and ``previous`` (the same stats for
        the period of equal length just before the range; None without a range, or when the
        range starts with the log, since no event can lie before it) and ``matching`` (row count).
    """
    shown_products = filters.products
    filters = resolve_other(events, filters, top)
    series = timeseries(events, filters, granularity)
    start = filters.start if filters.start is not None else events.span[0]
    end = filters.end if filters.end is not None else events.span[1]
    line = range_trend(series, start, end, granularity)

    selection = _Selection(events, _cells_between(events, filters.start, filters.end), filters)
    hour = selection.cells.hour
    first_day = int(events.span[0] // 86400)
    n_days = int((events.span[1] - 1) // 86400) - first_day + 1
    daily_counts, daily_errors = selection.sum_by(hour // 24 - first_day, n_days, "days")
    daily = pd.DataFrame(
        {
            "day": pd.to_datetime((first_day + np.arange(n_days)) * 86400, unit="s").strftime("%Y-%m-%d"),
            "events": daily_counts,
            "errors": daily_errors,
        }
    )
    hour_of_day = hour % 24
    hourly_counts, hourly_errors = selection.sum_by(hour_of_day, 24, "hours")
    hourly = pd.DataFrame({"hour": np.arange(24), "events": hourly_counts, "errors": hourly_errors})

    cells = selection.cells
    products = _labelled_counts(
        *selection.sum_by(cells.product + 1, len(events.products) + 1, "products"), events.products
    )
    categories = _labelled_counts(
        *selection.sum_by(cells.category + 1, len(events.categories) + 1, "categories"), events.categories
    )
    status_counts, _ = selection.sum_by(cells.status.astype(np.int64), STATUS_SLOTS, "statuses")
    codes = np.flatnonzero(status_counts)
    statuses = pd.DataFrame(
        {
            "label": codes.astype(str),
            "events": status_counts[codes],
            "errors": np.where(codes >= 400, status_counts[codes], 0).astype(np.int64),
        }
    )

    weekday = (hour // 24 + 3) % 7  # 1970-01-01 was a Thursday
    heatmap, _ = selection.sum_by(weekday * 24 + hour_of_day, 7 * 24, None)

    stats = selection.stats()
    length = end - start
    comparable = has_previous_period(filters, events.span)
    previous = (
        _Selection(events, _cells_between(events, start - length, start), filters).stats() if comparable else None
    )
    return {
        "timeseries": series,
        "trend": line,
        "daily": daily,
        "hourly": hourly,
        "products": top_n(products, top, keep=shown_products),
        "categories": categories,
        "statuses": statuses,
        "heatmap": heatmap.reshape(7, 24),
        "stats": stats,
        "previous": previous,
        "range": (int(start), int(end)),
        "matching": stats["events"],
    }


def matching_row_numbers(
    events: Events, filters: Filters, offset: int, limit: int, newest_first: bool = True
) -> np.ndarray:
    """Row numbers of one page of the events that match every filter.

    The cube tells how many matches each hour holds, so only the hours the page falls in are
    read row by row.
    """
    filters = resolve_other(events, filters)
    lo, hi = events.row_range(filters.start, filters.end)
    selection = _Selection(events, _cells_between(events, filters.start, filters.end), filters)
    if len(selection.cells) == 0 or limit <= 0:
        return np.zeros(0, np.int64)
    first_hour = int(selection.cells.hour[0])
    per_hour, _ = selection.sum_by(
        selection.cells.hour - first_hour, int(selection.cells.hour[-1]) - first_hour + 1, None
    )
    order = np.arange(len(per_hour))[::-1] if newest_first else np.arange(len(per_hour))
    before = np.cumsum(per_hour[order]) - per_hour[order]  # matches in the hours read before this one
    positions = np.flatnonzero((before + per_hour[order] > offset) & (before < offset + limit) & (per_hour[order] > 0))
    if len(positions) == 0:
        return np.zeros(0, np.int64)
    skip = offset - int(before[positions[0]])
    found = []
    for hour in order[positions]:
        a, b = events.row_range((first_hour + int(hour)) * HOUR, (first_hour + int(hour) + 1) * HOUR)
        a, b = max(a, lo), min(b, hi)
        mask = _Selection(events, events.rows(a, b), filters).without(None)
        rows = np.arange(a, b) if mask is None else a + np.flatnonzero(mask)
        found.append(rows[::-1] if newest_first else rows)
    return np.concatenate(found)[skip : skip + limit].astype(np.int64)


def take_rows(table: pa.Table, rows: np.ndarray) -> pa.Table:
    """``table.take(rows)`` chunk by chunk: Arrow's take joins a column's chunks first, O(table)."""
    columns = []
    for column in table.columns:
        bounds = np.cumsum([0] + [len(chunk) for chunk in column.chunks])
        chunk_of = np.searchsorted(bounds, rows, side="right") - 1
        runs = np.split(np.arange(len(rows)), np.flatnonzero(np.diff(chunk_of)) + 1) if len(rows) else []
        pieces = [
            column.chunk(int(chunk_of[run[0]])).take(pa.array(rows[run] - bounds[chunk_of[run[0]]])) for run in runs
        ]
        columns.append(pa.chunked_array(pieces, type=column.type))
    return pa.Table.from_arrays(columns, schema=table.schema)


def matching_rows(events: Events, filters: Filters, offset: int, limit: int, newest_first: bool = True) -> pa.Table:
    """One page of the raw events that match every filter (``events.take`` reads them: a Parquet
    dataset's ``DatasetEvents`` reads only the row groups that hold them)."""
    return events.take(matching_row_numbers(events, filters, offset, limit, newest_first))
