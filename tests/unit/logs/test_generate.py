"""The synthetic shop log: reproducible, well-formed, and showing the patterns it promises."""

from __future__ import annotations

import gzip
import re

import pandas as pd
import pytest

from models.logs.generate import CATEGORIES, FAILING_CATEGORY, PRODUCTS, generate_log_lines, incidents, write_log

COMBINED_RE = re.compile(
    r'^(\S+) (\S+) (\S+) \[([^\]]+)\] "(\S+) (\S+) ([^"]*)" (\d{3}) (\S+) "([^"]*)" "([^"]*)"( \d+)?$'
)
COLUMNS = [
    "ip",
    "ident",
    "user",
    "time",
    "method",
    "target",
    "protocol",
    "status",
    "bytes",
    "referrer",
    "agent",
    "took",
]
BOT_AGENTS = r"Googlebot|bingbot|AhrefsBot|curl/|python-requests/"
N_LINES = 50_000
WINDOW = {"seed": 7, "start": "2023-05-01", "days": 14}  # two full weeks from a Monday


def generate(n_lines: int, **kwargs) -> bytes:
    return b"".join(generate_log_lines(n_lines, **kwargs))


def frame(data: bytes) -> pd.DataFrame:
    rows = [COMBINED_RE.match(line) for line in data.decode().splitlines()]
    assert all(rows), "every line is in Combined Log Format"
    df = pd.DataFrame([m.groups() for m in rows], columns=COLUMNS)
    df["time"] = pd.to_datetime(df["time"], format="%d/%b/%Y:%H:%M:%S %z").dt.tz_localize(None)
    df["status"] = df["status"].astype(int)
    df["bot"] = df["agent"].str.contains(BOT_AGENTS)
    return df


@pytest.fixture(scope="session")
def log() -> pd.DataFrame:
    return frame(generate(N_LINES, **WINDOW))


def test_same_seed_gives_the_same_bytes_whatever_the_chunk_size():
    first = generate(20_000, seed=1)
    assert generate(20_000, seed=1, chunk_lines=7_777) == first
    assert generate(20_000, seed=2) != first


@pytest.mark.parametrize("n_lines", [0, 1, 12_345])
def test_exactly_n_lines_in_chunks_of_whole_lines(n_lines):
    chunks = list(generate_log_lines(n_lines, seed=3, chunk_lines=5_000))
    assert sum(chunk.count(b"\n") for chunk in chunks) == n_lines
    assert all(chunk.endswith(b"\n") for chunk in chunks)
    assert [chunk.count(b"\n") for chunk in chunks[:-1]] == [5_000] * (len(chunks) - 1)


@pytest.mark.parametrize(
    ("options", "time_re"),
    [
        ({}, r"\d\d/May/2023:\d\d:\d\d:\d\d \+0000"),
        ({"tz_offset": None}, r"\d\d/May/2023:\d\d:\d\d:\d\d"),
        ({"tz_offset": "-0530", "host": True}, r"\d\d/May/2023:\d\d:\d\d:\d\d -0530"),
    ],
)
def test_every_line_is_combined_format_with_a_request_time(options, time_re):
    lines = generate(5_000, seed=4, days=3, **options).decode().splitlines()
    for line in lines:
        if options.get("host"):
            vhost, line = line.split(" ", 1)
            assert vhost == "www.example-shop.com:443"
        match = COMBINED_RE.match(line)
        assert match, line
        assert re.fullmatch(time_re, match.group(4)), line
        assert match.group(12), f"no request time: {line}"


def test_lines_are_in_time_order_within_the_window(log):
    assert log["time"].is_monotonic_increasing
    assert log["time"].min() >= pd.Timestamp("2023-05-01")
    assert log["time"].max() < pd.Timestamp("2023-05-15")


def test_nights_are_quiet_and_evenings_busy(log):
    hours = log["time"].dt.hour
    assert hours.between(2, 5).sum() < 0.4 * hours.between(18, 21).sum()


def test_weekends_are_busier(log):
    per_day = log.groupby(log["time"].dt.date).size()
    weekend = pd.to_datetime(per_day.index).day_of_week >= 5
    assert per_day[weekend].mean() > 1.15 * per_day[~weekend].mean()


def test_about_a_tenth_of_lines_are_bots_around_the_clock(log):
    assert 0.07 < log["bot"].mean() < 0.13
    bot_hours = log.loc[log["bot"], "time"].dt.hour
    assert bot_hours.between(2, 5).sum() > 0.6 * bot_hours.between(18, 21).sum()
    assert log["agent"][~log["bot"]].str.startswith("Mozilla/5.0 (").all()


def test_incident_products_fail_inside_their_windows(log):
    found = incidents(N_LINES, **WINDOW)
    assert 2 <= len(found) <= 3
    catalogue = {p.id for p in PRODUCTS if p.category != FAILING_CATEGORY}
    inside = pd.Series(False, index=log.index)
    for incident in found:
        assert pd.Timedelta(minutes=30) <= incident.end - incident.start <= pd.Timedelta(minutes=120)
        assert 1 <= len(incident.products) <= 2 and set(incident.products) <= catalogue
        in_window = log["time"].between(incident.start, incident.end, inclusive="left")
        inside |= in_window & log["target"].str.contains("|".join(incident.products))
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
    assert inside.sum() >= 10
    failed = log["status"] >= 500
    assert failed[inside].mean() > 0.6
    assert failed[~inside & ~log["target"].str.contains(FAILING_CATEGORY)].mean() < 0.03


def test_the_null_category_always_fails(log):
    null_pages = log["target"].str.contains(r"categoryId=NULL|/category/NULL")
    assert null_pages.sum() >= 50
    assert log.loc[null_pages, "status"].isin([500, 503]).all()


def test_catalogue_and_traffic_mix(log):
    assert len(PRODUCTS) == 20 and FAILING_CATEGORY in CATEGORIES and len(CATEGORIES) == 8
    products = log["target"].str.extract(r"(?:productId=|/product/)([\w-]+)")[0].dropna()
    assert products.value_counts().index[0] == PRODUCTS[0].id  # Zipf: the most popular product leads
    assert log["target"].str.match(r"/product/[\w-]+$").any() and log["target"].str.match(r"/category/\w+$").any()
    assert log["target"].str.startswith("/cart.do?action=addtocart&itemId=EST-").any()
    assert set(log["method"]) == {"GET", "POST", "HEAD"}
    assert (log.loc[log["target"].str.startswith("/cart.do?action=addtocart"), "method"] == "POST").all()
    assert {200, 301, 304, 404, 500, 503} <= set(log["status"])
    assert (log.loc[log["status"] == 304, "bytes"] == "-").all()
    assert log["ip"].nunique() > 1_000


@pytest.mark.parametrize("name, gzip_flag", [("shop.log.gz", None), ("shop.log", False), ("shop.dat", True)])
def test_write_log_writes_the_generated_lines(tmp_path, name, gzip_flag):
    path = write_log(tmp_path / "out" / name, 3_000, seed=5, chunk_lines=1_000, gzip=gzip_flag, days=2)
    expected = generate(3_000, seed=5, days=2)
    compressed = gzip_flag or (gzip_flag is None and name.endswith(".gz"))
    with gzip.open(path, "rb") if compressed else open(path, "rb") as f:
        assert f.read() == expected
    again = write_log(tmp_path / "again" / name, 3_000, seed=5, gzip=gzip_flag, days=2)
    assert again.read_bytes() == path.read_bytes()  # reproducible, compressed or not
    assert not list(tmp_path.rglob("*.part"))


def test_the_project_parser_reads_every_line():
    from models.logs.parse import parse_bytes

    result = parse_bytes(generate(5_000, seed=6, host=True))
    assert (result.lines, result.rejected) == (5_000, 0)
    products = set(result.table.column("product").to_pylist()) - {None}
    assert {p.id for p in PRODUCTS[:5]} <= products <= {p.id for p in PRODUCTS} | {"WC-SH-G00", "XX-XX-G99"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_lines": -1},
        {"n_lines": 10, "tz_offset": "UTC"},
        {"n_lines": 10, "days": 0},
        {"n_lines": 10, "chunk_lines": 0},
        {"n_lines": 10, "seed": -1},
    ],
)
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        list(generate_log_lines(**kwargs))
