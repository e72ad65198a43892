"""Which points of a long time series to plot: a bounded number that keeps every spike.

A chart is about a thousand pixels wide; a minute series over weeks has tens of thousands of
buckets, and sending them all costs megabytes of JSON and a slow repaint. The plotted points
are chosen by min/max per bucket (``tsdownsample.MinMaxDownsampler``: the series is cut into
``n_out / 2`` equal runs of consecutive buckets and each run keeps the index of its smallest
and of its largest value), so a one-minute spike or dip survives at any zoom: it is the
maximum (or minimum) of its run. LTTB or MinMaxLTTB keep the shape too but pick one point per
run, and can drop a spike's neighbour that a reader compares it with; M4 adds each run's first
and last point, which a line chart of counts does not need.

Only the plotted points are reduced: the series table (selected range, trend, outliers and
their z-scores) is computed on every bucket; these functions return indices into it.
"""

from __future__ import annotations

import math
import re

import numpy as np
from tsdownsample import MinMaxDownsampler

MAX_POINTS = 2000  # per trace: about two points per pixel column of the widest chart


def spike_indices(values: np.ndarray, n_out: int = MAX_POINTS) -> np.ndarray:
    """Sorted indices of at most ``n_out`` (+2) points of ``values`` that keep each run's min and max.

    Args:
        values: The series, one value per bucket, in time order (NaNs are ignored).
        n_out: How many points to keep; rounded down to an even number, at least 2.

    Returns:
        ``int64`` indices, increasing: every index when ``len(values) <= n_out``; otherwise the
        min and max of each of ``n_out // 2`` runs, plus the first and last bucket so the line
        spans the whole series.
    """
    values = np.ascontiguousarray(values)
    size = len(values)
    n_out = max(2, int(n_out) - int(n_out) % 2)
    if size <= n_out:
        return np.arange(size, dtype=np.int64)
    chosen = MinMaxDownsampler().downsample(values, n_out=n_out).astype(np.int64)
    return np.unique(np.concatenate(([0], chosen, [size - 1])))


def window_indices(
    times: np.ndarray, values: np.ndarray, window: tuple[float, float] | None, n_out: int = MAX_POINTS
) -> np.ndarray:
    """Indices to plot when the chart shows ``window``: fine inside it, the overview outside.

    Inside the window the buckets are reduced to ``n_out`` points on their own (all of them
    when fewer), so zooming in shows finer detail; outside it the overview's points are kept,
    so panning or zooming out shows the whole series at once, coarse until the next fetch.

    Args:
        times: Bucket start times, increasing (any unit, the same as ``window``'s).
        values: The series, one value per bucket.
        window: ``(start, end)`` of the visible x range, or None for the overview.
        n_out: Points per part: at most ``2 * n_out + 4`` indices in all.

    Returns:
        Sorted, unique ``int64`` indices into ``times`` and ``values``.
    """
    overview = spike_indices(values, n_out)
    if window is None or len(overview) == len(values):
        return overview
    lo = int(np.searchsorted(times, window[0], side="right")) - 1  # the bucket the window starts in
    lo = max(lo, 0)
    hi = int(np.searchsorted(times, window[1], side="right"))
    if hi - lo <= 0:
        return overview
    inside = spike_indices(values[lo:hi], n_out) + lo
    outside = overview[(overview < lo) | (overview >= hi)]
    return np.union1d(outside, inside)


def parse_window(start, end) -> tuple[float, float] | None:
    """Epoch milliseconds of a visible x range as Plotly reports it, or None when it is not one.

    Plotly reports a date axis' range as date strings (``"2023-05-02 10:15:30.5"``) or
    numbers (epoch ms); anything else (NaN, infinities, reversed or empty ranges, unparsable
    text, years outside 1970-2200) is no window.
    """
    bounds = []
    for value in (start, end):
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str) and len(value) <= 40:
            number = _date_ms(value)
        else:
            return None
        if number is None or not math.isfinite(number) or not 0 <= number <= _LATEST_MS:
            return None
        bounds.append(number)
    if bounds[1] <= bounds[0]:
        return None
    return bounds[0], bounds[1]


_LATEST_MS = 7_258_118_400_000  # 2200-01-01


# What Plotly writes for a date axis' range: a date, perhaps a time, never a zone.
_PLOTLY_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2}([ T]\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?)?)?)?")


def _date_ms(text: str) -> float | None:
    """A Plotly date string (UTC on this page's axis) as epoch ms, or None."""
    if not _PLOTLY_DATE.fullmatch(text.strip()):
        return None
    try:
        stamp = np.datetime64(text.strip().replace(" ", "T"), "ms")
    except (ValueError, OverflowError):
        return None
    if np.isnat(stamp):
        return None
    return float(stamp.astype(np.int64))
