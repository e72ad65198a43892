"""Cross-filtered aggregates checked against plain pandas on the real logs."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from models.datasets import fetch_dataset
from models.logs.aggregate import (
    OTHER,
    Events,
    Filters,
    dashboard,
    matching_row_numbers,
    matching_rows,
    robust_z,
    top_n,
    trend,
)
from models.logs.parse import parse_files


@pytest.fixture(scope="module")
def parsed():
    folder = fetch_dataset("buttercup_games_access_logs")
    table = parse_files(sorted(folder.glob("www*/access.log"))).table
    return Events.from_table(table), table.to_pandas()


def test_no_filter_counts_everything(parsed):
    events, frame = parsed
    view = dashboard(events, Filters())
    assert view["stats"]["events"] == len(frame) == view["matching"]
    assert view["daily"]["events"].sum() == len(frame)
    assert view["hourly"]["events"].sum() == len(frame)
    assert view["heatmap"].sum() == len(frame)
    assert view["stats"]["bytes"] == frame["bytes"].sum()


def test_status_filter_drives_products_and_categories(parsed):
    events, frame = parsed
    view = dashboard(events, Filters(statuses=(503,)), top=100)
    sub = frame[frame["status"] == 503]
    expected = sub["product"].astype(object).fillna("(none)").value_counts().to_dict()
    assert dict(zip(view["products"]["label"], view["products"]["events"])) == expected
    expected_cat = sub["category"].astype(object).fillna("(none)").value_counts().to_dict()
    assert dict(zip(view["categories"]["label"], view["categories"]["events"])) == expected_cat
    # The status view ignores its own filter, so other slices stay clickable.
    assert len(view["statuses"]) == frame["status"].nunique()


def test_product_selection_limits_categories_and_vice_versa(parsed):
    events, frame = parsed
    view = dashboard(events, Filters(products=("WC-SH-G04",)))
    sub = frame[frame["product"] == "WC-SH-G04"]
    assert view["stats"]["events"] == len(sub)
    assert set(view["categories"]["label"]) == set(sub["category"].astype(object).fillna("(none)"))
    view = dashboard(events, Filters(categories=("NULL",)), top=100)
    sub = frame[frame["category"] == "NULL"]
    assert view["products"]["events"].sum() == len(sub)


def test_time_range_slices_every_view_but_the_timeseries(parsed):
    events, frame = parsed
    start = int(pd.Timestamp("2023-05-13", tz="UTC").timestamp())
    end = int(pd.Timestamp("2023-05-15", tz="UTC").timestamp())
    view = dashboard(events, Filters(start=start, end=end, hours=(20, 21)))
    ts = frame["ts"]
    in_range = frame[(ts >= pd.Timestamp(start, unit="s", tz="UTC")) & (ts < pd.Timestamp(end, unit="s", tz="UTC"))]
    assert view["stats"]["events"] == in_range["ts"].dt.hour.isin([20, 21]).sum()
    in_range = in_range[in_range["ts"].dt.hour.isin([20, 21])]
    assert view["daily"].set_index("day")["events"].to_dict() == dict(
        in_range.groupby(in_range["ts"].dt.strftime("%Y-%m-%d")).size().items()
    ) | {d: 0 for d in view["daily"]["day"] if d not in set(in_range["ts"].dt.strftime("%Y-%m-%d"))}
    assert view["timeseries"]["events"].sum() == (frame["ts"].dt.hour.isin([20, 21])).sum()
    # Previous period of equal length: the two days before.
    prev = frame[
        (ts >= pd.Timestamp(start - (end - start), unit="s", tz="UTC")) & (ts < pd.Timestamp(start, unit="s", tz="UTC"))
    ]
    assert view["previous"]["events"] == prev["ts"].dt.hour.isin([20, 21]).sum()


def test_day_filter_and_heatmap(parsed):
    events, frame = parsed
    view = dashboard(events, Filters(days=("2023-05-14",)))
    sub = frame[frame["ts"].dt.strftime("%Y-%m-%d") == "2023-05-14"]
    assert view["stats"]["events"] == len(sub)
    assert view["heatmap"][6].sum() == len(sub)  # 2023-05-14 was a Sunday
    assert view["daily"]["events"].sum() == len(frame)  # the daily chart ignores its own filter


def test_matching_rows_pages_newest_first(parsed):
    events, frame = parsed
    page = matching_rows(events, Filters(statuses=(500,)), offset=0, limit=25).to_pandas()
    assert len(page) == 25 and (page["status"] == 500).all()
    assert page["ts"].is_monotonic_decreasing
    assert page["ts"].iloc[0] == frame.loc[frame["status"] == 500, "ts"].max()


def test_robust_z_and_trend():
    counts = np.array([10, 11, 9, 10, 12, 10, 95, 11, 10])
    z = robust_z(counts)
    assert np.flatnonzero(np.abs(z) > 3.5).tolist() == [6]
    rising = trend(np.arange(20), 3 * np.arange(20) + np.random.default_rng(0).normal(0, 1, 20))
    assert rising["slope"] == pytest.approx(3, abs=0.2) and rising["t"] > 10
    assert trend(np.arange(2), np.array([1.0, 2.0]))["t"] == 0.0


def test_the_other_product_selects_exactly_what_the_other_bar_counts(parsed):
    events, frame = parsed
    labels = frame["product"].astype(object).fillna("(none)")
    for filters in (Filters(), Filters(statuses=(200,)), Filters(hours=(9, 10, 11), statuses=(200, 404))):
        shown = dashboard(events, filters)["products"]
        other = int(shown.loc[shown["label"] == OTHER, "events"].iloc[0])
        top = set(shown["label"]) - {OTHER}
        others = replace(filters, products=(OTHER,))
        view = dashboard(events, others)
        selected = _but(frame, filters, None)  # every filter but the product one, in plain pandas
        expected = int((~labels.loc[selected.index].isin(top)).sum())
        assert other == expected > 0, filters
        assert view["matching"] == expected, filters
        # The bar chart still shows the top 10 and the "other" bar, now selected; not 0 events.
        assert view["products"]["label"].tolist() == shown["label"].tolist()
        rows = matching_rows(events, others, 0, 10_000).to_pandas()
        assert len(rows) == min(expected, 10_000) and len(rows)
        assert not set(rows["product"].astype(object).fillna("(none)")) & top


def test_other_with_nothing_outside_the_top_matches_nothing(parsed):
    events, _ = parsed
    assert dashboard(events, Filters(products=(OTHER,)), top=1000)["matching"] == 0


def test_top_n_keeps_selected_and_sums_the_rest():
    frame = pd.DataFrame({"label": list("abcde"), "events": [50, 40, 30, 20, 10], "errors": [1, 1, 1, 1, 1]})
    out = top_n(frame, 2, keep=("d",))
    assert out["label"].tolist() == ["a", "b", "d", "other"]
    assert out["events"].sum() == 150


def test_filters_round_trip_and_toggle():
    filters = Filters(start=1, end=5, hours=(3,), products=("x",), statuses=(500,))
    assert Filters.from_dict(filters.to_dict()) == filters
    assert Filters.from_dict({"hours": [30, 2]}).hours == (2,)
    assert filters.toggle("hours", 3).hours == ()
    assert filters.toggle("hours", 4).hours == (3, 4)
    assert filters.toggle("hours", 4, additive=False).hours == (4,)


def test_events_survive_a_parquet_round_trip(parsed, tmp_path):
    import pyarrow.parquet as pq

    events, _ = parsed
    pq.write_table(events.table, tmp_path / "e.parquet")
    again = Events.from_table(pq.read_table(tmp_path / "e.parquet"))
    np.testing.assert_array_equal(again.ts, events.ts)


# --------------------------------------------------------------------------- the cube against pandas


def _generated():
    from models.logs.generate import generate_log_lines
    from models.logs.parse import parse_bytes

    table = parse_bytes(b"".join(generate_log_lines(150_000, seed=3, days=12))).table
    return Events.from_table(table), table.to_pandas()


@pytest.fixture(scope="module", params=["buttercup", "generated"])
def logs(request, parsed):
    return parsed if request.param == "buttercup" else _generated()


def _random_filters(rng, events, frame) -> Filters:
    first, last = events.span
    picks = {}
    if rng.random() < 0.6:  # a range that rarely falls on whole hours
        start, end = sorted(rng.integers(first - 7200, last + 7200, 2))
        picks.update(start=int(start), end=int(end) + 1)
        if rng.random() < 0.3:
            picks["end"] = int(start) + int(rng.integers(1, 5400))  # within an hour or two
    if rng.random() < 0.3:
        picks["days"] = tuple(rng.choice(frame["ts"].dt.strftime("%Y-%m-%d").unique(), 2))
    if rng.random() < 0.3:
        picks["hours"] = tuple(int(h) for h in rng.choice(24, 5, replace=False))
    if rng.random() < 0.4:
        picks["products"] = tuple(rng.choice(np.append(events.products, "(none)"), 3))
    if rng.random() < 0.3:
        picks["categories"] = tuple(rng.choice(np.append(events.categories, "(none)"), 2))
    if rng.random() < 0.4:
        picks["statuses"] = tuple(int(s) for s in rng.choice(np.unique(events.status), 2))
    return Filters.from_dict(picks)


def _pandas_masks(frame: pd.DataFrame, filters: Filters) -> dict[str, pd.Series]:
    ts = frame["ts"]
    masks = {
        "days": ts.dt.strftime("%Y-%m-%d").isin(filters.days) if filters.days else None,
        "hours": ts.dt.hour.isin(filters.hours) if filters.hours else None,
        "products": frame["product"].astype(object).fillna("(none)").isin(filters.products)
        if filters.products
        else None,
        "categories": frame["category"].astype(object).fillna("(none)").isin(filters.categories)
        if filters.categories
        else None,
        "statuses": frame["status"].isin(filters.statuses) if filters.statuses else None,
    }
    return {k: v for k, v in masks.items() if v is not None}


def _in_range(frame, start, end) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= frame["ts"] >= pd.Timestamp(start, unit="s", tz="UTC")
    if end is not None:
        keep &= frame["ts"] < pd.Timestamp(end, unit="s", tz="UTC")
    return keep


def _but(frame, filters, dimension, with_range=True):
    keep = _in_range(frame, filters.start, filters.end) if with_range else pd.Series(True, index=frame.index)
    for name, mask in _pandas_masks(frame, filters).items():
        if name != dimension:
            keep &= mask
    return frame[keep]


def _counts(view: pd.DataFrame, key: str) -> dict:
    return {k: (int(e), int(r)) for k, e, r in zip(view[key], view["events"], view["errors"]) if e}


def _grouped(sub: pd.DataFrame, key) -> dict:
    failed = (sub["status"] >= 400).astype(int)
    groups = failed.groupby(key(sub), observed=True)
    return {k: (int(n), int(e)) for (k, n), e in zip(groups.size().items(), groups.sum())}


def _stats(sub: pd.DataFrame) -> tuple:
    return len(sub), int((sub["status"] >= 400).sum()), int((sub["status"] >= 500).sum()), int(sub["bytes"].sum())


@pytest.mark.parametrize("granularity", ["minute", "hour", "day"])
def test_cube_matches_a_pandas_groupby_on_random_filters(logs, granularity):
    events, frame = logs
    rng = np.random.default_rng({"minute": 1, "hour": 2, "day": 3}[granularity])
    label = lambda column: lambda s: s[column].astype(object).fillna("(none)")  # noqa: E731
    for _ in range(12):
        filters = _random_filters(rng, events, frame)
        view = dashboard(events, filters, granularity, top=1000)
        everything = _but(frame, filters, None)
        now = view["stats"]
        assert (now["events"], now["errors"], now["server_errors"], now["bytes"]) == _stats(everything), filters
        assert view["matching"] == len(everything)
        assert _counts(view["daily"], "day") == _grouped(
            _but(frame, filters, "days"), lambda s: s["ts"].dt.strftime("%Y-%m-%d")
        )
        assert _counts(view["hourly"], "hour") == _grouped(_but(frame, filters, "hours"), lambda s: s["ts"].dt.hour)
        assert _counts(view["products"], "label") == _grouped(_but(frame, filters, "products"), label("product"))
        assert _counts(view["categories"], "label") == _grouped(_but(frame, filters, "categories"), label("category"))
        assert _counts(view["statuses"], "label") == _grouped(
            _but(frame, filters, "statuses"), lambda s: s["status"].astype(str)
        )
        heat = everything.groupby([everything["ts"].dt.day_of_week, everything["ts"].dt.hour]).size()
        assert {k: int(n) for k, n in heat.items()} == {
            (d, h): int(view["heatmap"][d, h]) for d, h in zip(*np.nonzero(view["heatmap"]))
        }
        start, end = view["range"]
        previous = view["previous"]
        if filters.start is None and filters.end is None or start <= events.span[0]:
            assert previous is None  # nothing lies before: no comparison, not zeros
        else:
            before = _but(frame, replace(filters, start=start - (end - start), end=start), None)
            assert (previous["events"], previous["errors"], previous["server_errors"], previous["bytes"]) == _stats(
                before
            )
        series = view["timeseries"]
        whole = _but(frame, filters, None, with_range=False)
        width = {"minute": "min", "hour": "h", "day": "D"}[granularity]
        assert _counts(series, "time") == _grouped(whole, lambda s, width=width: s["ts"].dt.floor(width)), filters


def test_matching_pages_agree_with_a_plain_mask(logs):
    events, frame = logs
    rng = np.random.default_rng(4)
    for _ in range(10):
        filters = _random_filters(rng, events, frame)
        matches = np.flatnonzero(
            _in_range(frame, filters.start, filters.end)
            & np.logical_and.reduce(
                [m.to_numpy() for m in _pandas_masks(frame, filters).values()] or [np.ones(len(frame), bool)]
            )
        )
        for newest_first in (True, False):
            ordered = matches[::-1] if newest_first else matches
            for offset in (0, 150, max(0, len(matches) - 30)):
                got = matching_row_numbers(events, filters, offset, 100, newest_first)
                np.testing.assert_array_equal(got, ordered[offset : offset + 100])


def test_cube_is_much_smaller_than_the_log_and_sums_to_it():
    events, _ = _generated()
    cube = events.cube
    assert len(cube) < len(events) / 4
    assert cube.count.sum() == len(events) and cube.bytes.sum() == events.bytes.sum()
    assert np.all(np.diff(cube.hour) >= 0)


def test_take_rows_follows_chunks_and_keeps_order():
    import pyarrow as pa

    from models.logs.aggregate import take_rows

    chunked = pa.concat_tables(
        [pa.table({"x": list(range(i, i + 5)), "y": [str(v) for v in range(i, i + 5)]}) for i in (0, 5, 10)]
    )
    rows = np.array([14, 13, 7, 6, 5, 4, 0])
    assert take_rows(chunked, rows).to_pydict() == chunked.take(pa.array(rows)).to_pydict()
    assert take_rows(chunked, np.zeros(0, np.int64)).num_rows == 0


@pytest.mark.parametrize("split", [0.5, 0.999])
def test_extending_events_equals_building_them_at_once(split):
    events, _ = _generated()
    table = events.table
    cut = int(table.num_rows * split)
    head = Events.from_table(table.slice(0, cut))
    head.cube  # noqa: B018 - built, so extend continues it
    grown = head.extend(table.slice(cut))
    assert "cube" in grown.__dict__
    rng = np.random.default_rng(5)
    for _ in range(8):
        filters = _random_filters(rng, events, table.to_pandas())
        for granularity in ("minute", "hour"):
            want, got = (
                dashboard(events, filters, granularity, top=1000),
                dashboard(grown, filters, granularity, top=1000),
            )
            assert got["stats"] == want["stats"]
            for key in ("daily", "hourly", "products", "categories", "statuses", "timeseries"):
                pd.testing.assert_frame_equal(got[key], want[key])
            np.testing.assert_array_equal(got["heatmap"], want["heatmap"])
    # Rows older than the last event: rebuilt in time order.
    shuffled = Events.from_table(table.slice(cut)).extend(table.slice(0, cut))
    assert dashboard(shuffled, Filters())["stats"] == dashboard(events, Filters())["stats"]


def test_the_trend_follows_the_selected_range():
    events, _ = _generated()
    day = int(pd.Timestamp("2023-05-03", tz="UTC").timestamp())
    morning = dashboard(
        events, Filters(start=day + 4 * 3600, end=day + 12 * 3600)
    )  # traffic rises after the night lull
    series = morning["timeseries"].set_index("time")["events"]
    counts = series[
        pd.Timestamp(day + 4 * 3600, unit="s", tz="UTC") : pd.Timestamp(day + 11 * 3600, unit="s", tz="UTC")
    ]
    assert len(counts) == 8
    assert morning["trend"]["slope"] == pytest.approx(np.polyfit(np.arange(8), counts.to_numpy(), 1)[0])
    assert morning["trend"]["slope"] > 0 and morning["trend"]["t"] > 3
    assert abs(morning["trend"]["intercept"] - counts.iloc[0]) < counts.std()
    evening = dashboard(events, Filters(start=day + 20 * 3600, end=day + 26 * 3600))
    assert evening["trend"]["slope"] < 0


@pytest.mark.parametrize("seed", range(6))
def test_codes_onto_known_labels_equal_the_pandas_categorical_codes(seed):
    """The store's writer codes each chunk's products onto the labels so far without pandas: same codes, same new
    labels in the same order as the categorical reading (chunks with their own dictionaries, values a slice no
    longer uses, nulls, an all-null chunk, labels known already)."""
    import pyarrow as pa

    from models.logs.aggregate import _append_codes, _codes, _codes_onto

    rng = np.random.default_rng(seed)
    pool = np.array([f"P{i}" for i in range(40)], dtype=object)
    chunks = []
    for _ in range(rng.integers(1, 6)):
        n = int(rng.integers(0, 300))
        values = rng.choice(pool, n).astype(object)
        values[rng.random(n) < 0.2] = None
        chunk = pa.array(values, pa.string()).dictionary_encode()
        lo = int(rng.integers(0, max(n // 2, 1)))
        chunks.append(chunk.slice(lo))  # the dictionary keeps the values of the rows sliced off
    chunks.append(pa.DictionaryArray.from_arrays(pa.nulls(3, pa.int32()), pa.array([], pa.string())))
    column = pa.chunked_array(chunks, pa.dictionary(pa.int32(), pa.string()))
    for labels in (np.empty(0, object), rng.choice(pool, 7, replace=False).astype(object)):
        want_codes, want_labels = _append_codes(labels, *_codes(column))
        codes, grown = _codes_onto(labels, column)
        assert codes.dtype == np.int32 and grown.dtype == object
        np.testing.assert_array_equal(codes, want_codes)
        assert grown.tolist() == want_labels.tolist()
