"""The time view by ticker, its table selection and export (callbacks called as plain functions), and
GET /api/sentiment/scores, on a generated team upload (semicolon CSV, multi-line texts, ids, times, cashtags)."""

from __future__ import annotations

import base64
import io

import pandas as pd
import pytest
from dash.exceptions import PreventUpdate

from models.sentiment.tickers import score_series
from tests.ticker_data import TICKERS, ticker_csv
from tests.unit.test_sentiment_callbacks import _array, _message, call, triggered


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from webapp import create_app

    return create_app({"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("data")), "SECRET_KEY": "test"})


@pytest.fixture(scope="module")
def views(app):
    from webapp.views import sentiment

    return sentiment


@pytest.fixture
def ctx(app):
    with app.server.test_request_context():
        yield


def _contents(payload: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(payload).decode()


def _upload(app, views, payload: bytes, filename: str, time_col: str | None = "created_at"):
    """Upload through the page's callbacks, train the first model (as the background job does), return RUN."""
    from webapp import services

    with app.server.test_request_context():
        guess = views.upload.read_upload(_contents(payload), filename)
        out = triggered(
            views.ids.USE + ".n_clicks",
            views.upload.use_upload,
            1,
            _contents(payload),
            filename,
            guess["text"],
            guess["label"],
            None,
            "",
            guess["id"],
            time_col,
        )
        services.sentiment().latest_run_id(out["dataset"])
        return views.overview.choose_dataset(out["dataset"])["run"], guess, out


@pytest.fixture(scope="module")
def uploaded(app, views):
    return _upload(app, views, ticker_csv(n=600, seed=0, bad_times=6, plain=20), "team.csv")


@pytest.fixture(scope="module")
def run_info(uploaded):
    return uploaded[0]


def test_upload_guesses_id_and_time_and_counts_unreadable_times(uploaded):
    _, guess, out = uploaded
    assert (guess["text"], guess["label"], guess["id"], guess["time"]) == (
        "Tweet",
        "Sentiment",
        "tweet_id",
        "created_at",
    )
    message = out["message"].children
    assert message.startswith("Loaded 620 tweets")
    assert "6 unreadable (e.g. 'yesterday', 'n/a', '32/13/2026')" in message
    assert "those 6 row(s) are kept but left out of the time view" in message


def test_time_view_draws_a_line_with_a_band_per_most_mentioned_ticker(views, run_info, ctx):
    out = triggered(views.ids.RUN + ".data", views.tickers.render_times, run_info, None, "D", "dark")
    assert sorted(out["chosen"]) == sorted(TICKERS)  # the 5 most mentioned: all five here
    lines = [t for t in out["figure"]["data"] if t.get("mode") == "lines+markers"]
    bands = [t for t in out["figure"]["data"] if t.get("fill") == "toself"]
    assert sorted(t["name"] for t in lines) == sorted("$" + t for t in TICKERS)
    assert len(bands) == len(lines)
    assert all(len(t["x"]) == 10 for t in lines)  # ten days
    assert [o["value"] for o in out["options"]][:5] and out["options"][0]["label"].startswith("$")
    assert "6 row(s) without a readable time are left out" in out["note"]
    hourly = triggered(views.ids.FREQ + ".value", views.tickers.render_times, run_info, ["AAPL"], "h", "dark")
    (line,) = [t for t in hourly["figure"]["data"] if t.get("mode") == "lines+markers"]
    assert len(line["x"]) > 50 and "per hour" in hourly["figure"]["layout"]["title"]["text"]


def test_a_click_on_a_day_lists_that_days_tweets_for_that_ticker(views, run_info, ctx):
    from webapp import services

    click = {"points": [{"customdata": ["TSLA", "2026-11-05T00:00:00+00:00", 3]}]}
    out = triggered(
        views.ids.TIMES + ".clickData",
        views.selection.select_cell,
        None,
        None,
        "test",
        run_info,
        {"split": "test", "cell": None},
        day_click=click,
        freq="D",
    )
    cell = out["cell"]
    assert cell["day"] == {"ticker": "TSLA", "period": "2026-11-05T00:00:00+00:00", "freq": "D"}
    table = triggered(views.ids.CELL + ".data", views.selection.render_table, cell, None, run_info, 0)
    dataset = services.sentiment().dataset(run_info["dataset"])
    expected = dataset[
        dataset["text"].str.contains(r"\$tsla\b", case=False)
        & (dataset["time"].dt.strftime("%Y-%m-%d") == "2026-11-05")
    ]
    assert sorted(r["id"] for r in table["rows"]) == sorted(expected["id"])  # the file's own ids
    assert table["count"] == f"{len(expected)} tweets mentioning $TSLA on 2026-11-05"
    figure = views.selection.render_triangle(cell, run_info, 0, None, "dark")
    assert sum(len(_array(t["x"])) for t in figure["data"] if t["type"] == "scattergl") == len(expected)


@pytest.mark.parametrize(
    "click, message",
    [
        ({"points": [{"customdata": ["ZZZ", "2026-11-05T00:00:00+00:00"]}]}, "No tweet mentions the ticker 'ZZZ'"),
        ({"points": [{"customdata": ["TSLA", "not a day"]}]}, "'not a day' is not a day or hour"),
        ({"points": [{"customdata": ["TSLA", "2031-01-01"]}]}, "No tweet mentions $TSLA in the day starting 2031"),
        ({"points": [{"customdata": [1, 2]}]}, "names no ticker and day"),
        ({"points": []}, "names no ticker and day"),
        ({"nope": 1}, "names no ticker and day"),
    ],
)
def test_crafted_day_clicks_get_a_message(views, run_info, ctx, click, message):
    out, side = call(
        views.selection.select_cell,
        None,
        None,
        "test",
        run_info,
        None,
        day_click=click,
        freq="D",
        prop_id=views.ids.TIMES + ".clickData",
    )
    if out is not PreventUpdate:  # the click is stored; drawing the table finds what it names missing
        out, side = call(views.selection.render_table, out["cell"], None, run_info, 0)
    assert out is PreventUpdate and message in _message(side)


@pytest.mark.parametrize(
    "chosen, freq, message",
    [
        (["ZZZ"], "D", "No tweet with a time mentions the ticker 'ZZZ'"),
        ([{"a": 1}], "D", "list of names"),
        (["AAPL"], "W", "freq must be D"),
    ],
)
def test_crafted_ticker_choices_get_a_message(views, run_info, ctx, chosen, freq, message):
    out, side = call(views.tickers.render_times, run_info, chosen, freq, "dark", prop_id=views.ids.TICKERS + ".value")
    assert out is PreventUpdate and message in _message(side)


def test_export_is_the_drawn_series_as_csv(views, run_info, ctx):
    from webapp import services

    out = views.tickers.export_series(1, run_info, ["AAPL", "BRK.B"], "D")
    assert out["filename"] == "sentiment-by-ticker-day.csv"
    frame = pd.read_csv(io.StringIO(out["content"]))
    assert set(frame["ticker"]) == {"AAPL", "BRK.B"} and len(frame) == 20
    found = services.sentiment().mentions(run_info["dataset"], run_info["run"])
    expected = score_series(found, "D", ["AAPL", "BRK.B"])
    assert frame["n"].tolist() == expected["n"].tolist()
    assert frame["score"].round(4).tolist() == expected["score"].round(4).tolist()


def test_the_series_follows_the_generated_drift(views, run_info, ctx):
    """AAPL's tweets grow more positive over the ten days and TSLA's more negative: the model's score shows it."""
    from webapp import services

    series = score_series(services.sentiment().mentions(run_info["dataset"], run_info["run"]), "D")
    first, last = series["period"].min(), series["period"].max()
    by = series.set_index(["ticker", "period"])["score"]
    assert by["AAPL", last] - by["AAPL", first] > 0.4
    assert by["TSLA", first] - by["TSLA", last] > 0.4


def test_a_dataset_without_a_time_column_says_so(app, views):
    run_info, _, _ = _upload(app, views, ticker_csv(n=120, seed=5), "no-time.csv", time_col=None)
    with app.server.test_request_context():
        out = triggered(views.ids.RUN + ".data", views.tickers.render_times, run_info, None, "D", "dark")
        assert "has no time column" in out["note"] and out["options"] == []
        assert "has no time column" in out["figure"]["layout"]["annotations"][0]["text"]
        response = app.server.test_client().get(f"/api/sentiment/scores?ticker=AAPL&dataset={run_info['dataset']}")
        assert response.status_code == 404 and "has no time column" in response.get_json()["error"]


def test_a_dataset_without_cashtags_says_so(app, views):
    payload = ticker_csv(n=120, seed=6).decode().replace("$", "").encode()
    run_info, _, _ = _upload(app, views, payload, "no-tags.csv")
    with app.server.test_request_context():
        out = triggered(views.ids.RUN + ".data", views.tickers.render_times, run_info, None, "D", "dark")
        assert "mentions a cashtag" in out["note"]


# GET /api/sentiment/scores ------------------------------------------------------------------------------------


def test_api_returns_the_series_as_json(app, run_info):
    from webapp import services

    client = app.server.test_client()
    response = client.get(f"/api/sentiment/scores?ticker=aapl&freq=D&dataset={run_info['dataset']}")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["ticker"], body["freq"], body["run"], body["dataset"]) == (
        "AAPL",
        "D",
        run_info["run"],
        run_info["dataset"],
    )
    with app.server.test_request_context():
        expected = score_series(services.sentiment().mentions(run_info["dataset"], run_info["run"]), "D", ["AAPL"])
    assert [p["period"] for p in body["series"]] == [t.isoformat() for t in expected["period"]]
    assert [p["n"] for p in body["series"]] == expected["n"].tolist()
    assert [p["score"] for p in body["series"]] == pytest.approx(expected["score"].tolist(), abs=1e-6)
    hourly = client.get(f"/api/sentiment/scores?ticker=$BRK.B&freq=H&dataset={run_info['dataset']}").get_json()
    assert hourly["freq"] == "H" and len(hourly["series"]) > len(body["series"])


@pytest.mark.parametrize(
    "query, status, reason",
    [
        ("ticker=ZZZ&freq=D", 404, "mentions the ticker 'ZZZ'"),
        ("freq=D", 400, "Name a ticker"),
        ("ticker=AAPL&freq=W", 400, "freq must be D (daily) or H (hourly), not 'W'"),
        ("ticker=AAPL&freq=", 400, "freq must be D"),
    ],
)
def test_api_bad_queries_get_json_reasons(app, run_info, query, status, reason):
    response = app.server.test_client().get(f"/api/sentiment/scores?{query}&dataset={run_info['dataset']}")
    assert response.status_code == status
    assert reason in response.get_json()["error"]


def test_api_unknown_dataset_is_404(app):
    response = app.server.test_client().get("/api/sentiment/scores?ticker=AAPL&dataset=upload-0000000000000000")
    assert response.status_code == 404 and "No dataset named" in response.get_json()["error"]
