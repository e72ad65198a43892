"""Cross-filtered aggregates checked against plain pandas on the real logs."""

import numpy as np
import pandas as pd
import pytest

from models.datasets import fetch_dataset
from models.logs.aggregate import Events, Filters, dashboard, matching_rows, robust_z, top_n, trend
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
    assert view["daily"].set_index("day")["events"].to_dict() == {
        d: n for d, n in in_range.groupby(in_range["ts"].dt.strftime("%Y-%m-%d")).size().items()
    } | {d: 0 for d in view["daily"]["day"] if d not in set(in_range["ts"].dt.strftime("%Y-%m-%d"))}
    assert view["timeseries"]["events"].sum() == (frame["ts"].dt.hour.isin([20, 21])).sum()
    # Previous period of equal length: the two days before.
    prev = frame[(ts >= pd.Timestamp(start - (end - start), unit="s", tz="UTC")) & (ts < pd.Timestamp(start, unit="s", tz="UTC"))]
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
