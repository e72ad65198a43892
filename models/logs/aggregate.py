"""Cross-filtered aggregates of parsed events, for the logs dashboard.

Events are held once as sorted integer columns (``Events``); a click never touches strings.
A time range is a slice found by binary search; every other filter is a lookup table indexed
by a category code. Each view is filtered by every filter except its own dimension, so a
user can keep adding bars of one chart while the others follow (crossfilter semantics).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa

GRANULARITY_S = {"minute": 60, "hour": 3600, "day": 86400}
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
OTHER = "other"
NONE_LABEL = "(none)"


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Dictionary codes (-1 for null) and the labels they index, unified over chunks."""
    series = column.to_pandas()
    cat = series.astype("category") if not isinstance(series.dtype, pd.CategoricalDtype) else series
    return cat.cat.codes.to_numpy(np.int32), np.asarray(cat.cat.categories.astype(str), dtype=object)


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
    def from_table(cls, table: pa.Table) -> "Events":
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

    def __len__(self) -> int:
        return len(self.ts)

    @property
    def span(self) -> tuple[int, int]:
        return (int(self.ts[0]), int(self.ts[-1]) + 1) if len(self.ts) else (0, 1)


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
    def from_dict(cls, data: dict | None) -> "Filters":
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

    def toggle(self, dimension: str, value, additive: bool = True) -> "Filters":
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


@dataclass
class _Slice:
    lo: int
    hi: int
    masks: dict[str, np.ndarray]

    def without(self, dimension: str | None) -> np.ndarray | None:
        """AND of every mask but one; None means "all rows of the slice"."""
        combined = None
        for name, mask in self.masks.items():
            if name == dimension:
                continue
            combined = mask if combined is None else combined & mask
        return combined


def _slice(events: Events, filters: Filters, with_range: bool = True) -> _Slice:
    lo, hi = 0, len(events)
    if with_range and filters.start is not None:
        lo = int(np.searchsorted(events.ts, filters.start, side="left"))
    if with_range and filters.end is not None:
        hi = int(np.searchsorted(events.ts, filters.end, side="left"))
    hi = max(lo, hi)
    ts = events.ts[lo:hi]
    masks: dict[str, np.ndarray] = {}
    if filters.days:
        day_numbers = np.array([pd.Timestamp(d).value // 86_400_000_000_000 for d in filters.days])
        masks["days"] = np.isin(ts // 86400, day_numbers)
    if filters.hours:
        hours = np.zeros(24, dtype=bool)
        hours[list(filters.hours)] = True
        masks["hours"] = hours[(ts // 3600) % 24]
    if filters.products:
        masks["products"] = _lookup(events.products, filters.products)[events.product[lo:hi] + 1]
    if filters.categories:
        masks["categories"] = _lookup(events.categories, filters.categories)[events.category[lo:hi] + 1]
    if filters.statuses:
        masks["statuses"] = np.isin(events.status[lo:hi], np.array(filters.statuses, dtype=np.int16))
    return _Slice(lo, hi, masks)


def _count_by(codes: np.ndarray, mask: np.ndarray | None, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    if mask is not None:
        codes = codes[mask]
        weights = weights[mask] if weights is not None else None
    return np.bincount(codes, weights=weights, minlength=size)[:size]


def _labelled_counts(codes: np.ndarray, labels: np.ndarray, mask, errors: np.ndarray) -> pd.DataFrame:
    shifted = codes + 1
    counts = _count_by(shifted, mask, len(labels) + 1)
    error_counts = _count_by(shifted, mask, len(labels) + 1, weights=errors)
    frame = pd.DataFrame({"label": np.concatenate([[NONE_LABEL], labels]), "events": counts, "errors": error_counts.astype(np.int64)})
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
    slope, intercept = np.polyfit(x, y, 1)
    residuals = y - (slope * x + intercept)
    dof = len(x) - 2
    se = np.sqrt((residuals @ residuals) / dof / ((x - x.mean()) @ (x - x.mean())))
    t = float(slope / se) if se > 0 else (float(np.sign(slope)) * np.inf if slope else 0.0)
    return {"slope": float(slope), "intercept": float(intercept), "t": t}


def _stats(events: Events, lo: int, hi: int, mask) -> dict:
    status = events.status[lo:hi]
    size = events.bytes[lo:hi]
    if mask is not None:
        status, size = status[mask], size[mask]
    n = len(status)
    return {
        "events": int(n),
        "errors": int((status >= 400).sum()),
        "server_errors": int((status >= 500).sum()),
        "error_rate": float((status >= 400).mean()) if n else 0.0,
        "server_error_rate": float((status >= 500).mean()) if n else 0.0,
        "bytes": int(size.sum()),
    }


def timeseries(events: Events, filters: Filters, granularity: str = "hour") -> pd.DataFrame:
    """Events and errors per time bucket over the whole log, with every filter but the range.

    Returns:
        Columns ``time`` (UTC timestamps), ``events``, ``errors`` (4xx+5xx), ``z`` (robust
        z-score of the counts) and ``outlier`` (``|z| > 3.5``).
    """
    width = GRANULARITY_S[granularity]
    whole = _slice(events, filters, with_range=False)
    mask = whole.without(None)
    first, last = events.span
    origin = first - first % width
    buckets = (events.ts - origin) // width
    size = int((last - 1 - origin) // width) + 1 if len(events) else 0
    counts = _count_by(buckets, mask, size)
    errors = _count_by(buckets, mask, size, weights=(events.status >= 400).astype(float))
    z = robust_z(counts)
    return pd.DataFrame(
        {
            "time": pd.to_datetime(origin + np.arange(size) * width, unit="s", utc=True),
            "events": counts.astype(np.int64),
            "errors": errors.astype(np.int64),
            "z": z,
            "outlier": np.abs(z) > 3.5,
        }
    )


def dashboard(events: Events, filters: Filters, granularity: str = "hour", top: int = 10) -> dict:
    """Every aggregate the logs page shows, for one filter state.

    Returns:
        ``timeseries`` (see ``timeseries``), ``trend`` (slope per bucket, t-statistic, over the
        selected range), ``daily`` (``day``, ``events``, ``errors``), ``hourly`` (``hour``, ...),
        ``products`` / ``categories`` / ``statuses`` (``label``, ``events``, ``errors``),
        ``heatmap`` (7×24 counts, Monday first), ``stats`` and ``previous`` (the same stats for
        the period of equal length just before the range) and ``matching`` (row count).
    """
    sl = _slice(events, filters)
    lo, hi = sl.lo, sl.hi
    ts = events.ts[lo:hi]
    errors = (events.status[lo:hi] >= 400).astype(float)

    series = timeseries(events, filters, granularity)
    start = filters.start if filters.start is not None else events.span[0]
    end = filters.end if filters.end is not None else events.span[1]
    seconds = series["time"].astype("int64").to_numpy() // 1_000_000_000
    in_range = (seconds >= start - GRANULARITY_S[granularity] + 1) & (seconds < end)
    line = trend(np.flatnonzero(in_range), series["events"].to_numpy()[in_range])

    day_index = ts // 86400
    first_day = int(events.span[0] // 86400)
    n_days = int((events.span[1] - 1) // 86400) - first_day + 1
    mask_days = sl.without("days")
    daily_counts = _count_by(day_index - first_day, mask_days, n_days)
    daily_errors = _count_by(day_index - first_day, mask_days, n_days, weights=errors)
    daily = pd.DataFrame(
        {
            "day": pd.to_datetime((first_day + np.arange(n_days)) * 86400, unit="s").strftime("%Y-%m-%d"),
            "events": daily_counts.astype(np.int64),
            "errors": daily_errors.astype(np.int64),
        }
    )

    hour_of_day = (ts // 3600) % 24
    mask_hours = sl.without("hours")
    hourly = pd.DataFrame(
        {
            "hour": np.arange(24),
            "events": _count_by(hour_of_day, mask_hours, 24).astype(np.int64),
            "errors": _count_by(hour_of_day, mask_hours, 24, weights=errors).astype(np.int64),
        }
    )

    products = _labelled_counts(events.product[lo:hi], events.products, sl.without("products"), errors)
    categories = _labelled_counts(events.category[lo:hi], events.categories, sl.without("categories"), errors)

    status = events.status[lo:hi].astype(np.int64)
    mask_status = sl.without("statuses")
    status_counts = _count_by(status, mask_status, 600)
    codes = np.flatnonzero(status_counts)
    statuses = pd.DataFrame(
        {"label": codes.astype(str), "events": status_counts[codes].astype(np.int64), "errors": np.where(codes >= 400, status_counts[codes], 0).astype(np.int64)}
    )

    everything = sl.without(None)
    weekday = ((ts // 86400) + 3) % 7  # 1970-01-01 was a Thursday
    heatmap = _count_by(weekday * 24 + hour_of_day, everything, 7 * 24).reshape(7, 24).astype(np.int64)

    length = end - start
    previous = _slice(events, replace(filters, start=start - length, end=start))
    return {
        "timeseries": series,
        "trend": line,
        "daily": daily,
        "hourly": hourly,
        "products": top_n(products, top, keep=filters.products),
        "categories": categories,
        "statuses": statuses,
        "heatmap": heatmap,
        "stats": _stats(events, lo, hi, everything),
        "previous": _stats(events, previous.lo, previous.hi, previous.without(None)),
        "range": (int(start), int(end)),
        "matching": int(everything.sum()) if everything is not None else hi - lo,
    }


def matching_rows(events: Events, filters: Filters, offset: int, limit: int, newest_first: bool = True) -> pa.Table:
    """One page of the raw events that match every filter."""
    sl = _slice(events, filters)
    mask = sl.without(None)
    rows = np.arange(sl.lo, sl.hi) if mask is None else sl.lo + np.flatnonzero(mask)
    if newest_first:
        rows = rows[::-1]
    return events.table.take(pa.array(rows[offset : offset + limit]))
