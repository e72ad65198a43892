"""Seeded, realistic web-shop access logs in Combined Log Format, generated without a per-line loop.

The shop is Buttercup Games, the demo store of Splunk's tutorial data: 20 products in 8 categories,
one of which (``NULL``) is broken and always fails. Each line reads (on one line)::

    [vhost ]ip - - [01/May/2023:18:04:11 +0000] "GET /product.screen?productId=WC-SH-G04&JSESSIONID=SD... HTTP/1.1"
        200 2550 "http://www.buttercupgames.com/category.screen?categoryId=SHOOTER" "Mozilla/5.0 (...)" 38211

where the last field is the time taken to serve the request in microseconds (Apache ``%D``).

What a user can find in the data:

- people's traffic with a night lull (02:00-06:00 at ~15% of the evening peak), ~30% more on weekends;
- ~10% of lines from bots (Googlebot, bingbot, AhrefsBot, curl, python-requests), flat over the day;
- a few thousand client IPs with heavy-tailed activity, each with one user agent;
- Zipf-like product popularity, query-style (``/product.screen?productId=``) and path-style
  (``/product/<id>``, ``/category/<name>``) URLs, carts, searches, static assets, scanners;
- 2-3 incidents (see ``incidents``): 30-120 minutes in which 1-2 products return mostly 5xx, slowly;
- the ``NULL`` category, whose pages always answer 500 or 503.

Lines are drawn in blocks of whole minutes, each block from its own random stream, and rendered with
Arrow's string kernels from pre-built pieces, so the output depends on ``seed`` and the window only,
never on ``chunk_lines``, and memory stays bounded by the chunk size.
"""

from __future__ import annotations

import os
import re
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

LINES_PER_DAY = 20_000
MAX_DAYS = 90
FAILING_CATEGORY = "NULL"
SHOP_URL = "http://www.buttercupgames.com"
VHOST = "www.example-shop.com:443"


@dataclass(frozen=True)
class Product:
    """One article of the shop; ``category`` is one of ``CATEGORIES``."""

    id: str
    name: str
    category: str


# Most popular first: a product's share of product traffic falls off as 1 / rank.
PRODUCTS: tuple[Product, ...] = (
    Product("WC-SH-G04", "World of Cheese", "SHOOTER"),
    Product("DB-SG-G01", "Mediocre Kingdoms", "STRATEGY"),
    Product("MB-AG-G07", "Manganiello Bros.", "ARCADE"),
    Product("PZ-SG-G05", "Puppies vs. Zombies", "STRATEGY"),
    Product("WC-SH-A02", "Fire Resistance Suit of Provolone", "ACCESSORIES"),
    Product("SC-MG-G10", "SIM Cubicle", "SIMULATION"),
    Product("FS-SG-G03", "Final Sequel", "STRATEGY"),
    Product("BS-AG-G09", "Benign Space Debris", "ARCADE"),
    Product("WC-SH-T02", "World of Cheese Tee", "TEE"),
    Product("CU-PG-G06", "Curling 2014", "SPORTS"),
    Product("DC-SG-G02", "Dream Crusher", "STRATEGY"),
    Product("FI-AG-G08", "Orvil the Wolverine", "ARCADE"),
    Product("WC-SH-A01", "Holy Blade of Gouda", "ACCESSORIES"),
    Product("SF-BVS-G01", "Grand Theft Scooter", "NULL"),
    Product("MB-AG-T01", "Manganiello Bros. Tee", "TEE"),
    Product("WC-SH-G05", "World of Cheese: Revenge of the Brie", "SHOOTER"),
    Product("CU-PG-G07", "Extreme Croquet", "SPORTS"),
    Product("SF-BVS-01", "Scooter Helmet", "NULL"),
    Product("SC-MG-G11", "SIM Lighthouse Keeper", "SIMULATION"),
    Product("PZ-SG-T01", "Puppies vs. Zombies Tee", "TEE"),
)
CATEGORIES: tuple[str, ...] = ("STRATEGY", "ARCADE", "ACCESSORIES", "TEE", "SIMULATION", "SHOOTER", "SPORTS", "NULL")
N_ITEMS = 27  # cart item ids EST-1 .. EST-27
_INCIDENT_CANDIDATES = 8  # incidents hit one of the 8 most popular working products, so they are visible

# Relative traffic of people at each hour of the day (bots come on top, flat).
_HOURLY = np.array(
    [
        0.45,
        0.30,
        0.18,
        0.15,
        0.15,
        0.16,
        0.24,
        0.38,
        0.52,
        0.62,
        0.68,
        0.71,
        0.77,
        0.74,
        0.69,
        0.69,
        0.72,
        0.80,
        0.90,
        0.97,
        1.00,
        0.95,
        0.80,
        0.62,
    ]
)
_WEEKEND_UPLIFT = 1.3
_BOT_SHARE = 0.10

_HUMAN_AGENTS = (  # (agent, share of human clients)
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36",
        0.30,
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.4 Mobile/15E148 Safari/604.1",
        0.18,
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Mobile Safari/537.36",
        0.15,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36",
        0.12,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.4 Safari/605.1.15",
        0.08,
    ),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/113.0", 0.07),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36 Edg/113.0.1774.35",
        0.07,
    ),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/113.0", 0.03),
)
_HUMAN, _CRAWLER, _SCRIPT = 0, 1, 2
_BOTS = (  # (agent, client class, share of bot traffic, number of IPs, IP prefixes)
    (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        _CRAWLER,
        0.35,
        12,
        ("66.249.66", "66.249.68", "66.249.79"),
    ),
    (
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        _CRAWLER,
        0.20,
        8,
        ("157.55.39", "207.46.13", "40.77.167"),
    ),
    (
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        _CRAWLER,
        0.20,
        10,
        ("54.36.148", "54.36.149", "5.39.1"),
    ),
    ("curl/7.88.1", _SCRIPT, 0.10, 5, ("3.120.44", "18.195.7", "34.89.12")),
    ("python-requests/2.31.0", _SCRIPT, 0.15, 8, ("35.204.18", "52.59.131", "139.59.77")),
)
_N_HUMAN_IPS = 3000
# First octets of ordinary client addresses (none shared with the bot prefixes above).
_CLIENT_OCTETS = np.array(
    [
        23,
        24,
        31,
        37,
        46,
        62,
        71,
        73,
        77,
        78,
        81,
        82,
        84,
        86,
        88,
        89,
        91,
        92,
        94,
        98,
        99,
        104,
        107,
        108,
        109,
        112,
        115,
        117,
        122,
        128,
        141,
        151,
        173,
        174,
        176,
        178,
        181,
        185,
        187,
        188,
        190,
        193,
        195,
        201,
        212,
        217,
    ]
)

_SEARCH_TERMS = (
    "cheese",
    "world+of+cheese",
    "strategy+games",
    "zombies",
    "tee",
    "curling",
    "gouda",
    "arcade",
    "sim",
    "scooter",
    "sale",
    "gift+card",
)
_STATIC = (  # (path, share, median bytes)
    ("/static/app.js", 0.22, 48_200),
    ("/static/app.css", 0.20, 14_800),
    ("/static/vendor.js", 0.12, 131_000),
    ("/images/logo.png", 0.16, 6_100),
    ("/images/cart.png", 0.08, 2_300),
    ("/images/banner.jpg", 0.10, 88_000),
    ("/images/sprite.png", 0.08, 21_500),
    ("/favicon.ico", 0.04, 1_150),
)

# Page kinds and their share of requests for (people, crawlers, scripts).
_KINDS = {
    "home": (0.080, 0.08, 0.15),
    "head": (0.0, 0.0, 0.20),
    "product": (0.200, 0.33, 0.15),
    "product_path": (0.070, 0.15, 0.05),
    "category": (0.120, 0.20, 0.08),
    "category_path": (0.040, 0.08, 0.02),
    "cart_add": (0.070, 0.0, 0.0),
    "cart_view": (0.030, 0.0, 0.0),
    "purchase": (0.030, 0.0, 0.0),
    "success": (0.025, 0.0, 0.0),
    "search": (0.050, 0.0, 0.05),
    "static": (0.250, 0.05, 0.0),
    "robots": (0.0, 0.06, 0.03),
    "redirect": (0.010, 0.02, 0.02),
    "missing": (0.008, 0.03, 0.15),
    "forbidden": (0.0, 0.0, 0.10),
}
_KIND = {name: i for i, name in enumerate(_KINDS)}
_DYNAMIC_KINDS = (
    "home",
    "product",
    "product_path",
    "category",
    "category_path",
    "cart_add",
    "cart_view",
    "purchase",
    "success",
    "search",
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_STATUS_CODES = (200, 301, 304, 400, 403, 404, 500, 503)
_HEX = np.frombuffer(b"0123456789ABCDEF", np.uint8)
_SESSION_PREFIX = np.frombuffer(b"&JSESSIONID=SD", np.uint8)
_SESSIONS = 1 << 18  # session ids to draw from: a client's daily session rarely collides with another's
_TZ_RE = re.compile(r"[+-]\d{4}")
_RENDER_ROWS = 1 << 17  # lines rendered at once: small enough for Arrow's 32-bit offsets and the CPU caches
_BLOCK_LINES = 1 << 16  # expected lines per random block
_THREADS = min(4, os.cpu_count() or 1)
_MEMBER_BYTES = 16 << 20  # text per gzip member
# Independent random streams under one seed.
_STREAM_PLAN, _STREAM_INCIDENTS, _STREAM_BLOCKS = 1, 2, 3


@dataclass(frozen=True)
class Incident:
    """A window in which requests for ``products`` mostly fail with 500/503.

    Attributes:
        start: First second of the window (local time, as written in the log).
        end: End of the window, exclusive.
        products: Product ids hit by the incident.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    products: tuple[str, ...]


def default_days(n_lines: int) -> int:
    """Days covered by default: about 20,000 lines a day, at least 1 day and at most 90."""
    return int(min(MAX_DAYS, max(1, round(n_lines / LINES_PER_DAY))))


def _window(n_lines: int, start, days: int | None) -> tuple[pd.Timestamp, int]:
    if int(n_lines) != n_lines or n_lines < 0:
        raise ValueError(f"n_lines must be a non-negative integer, got {n_lines!r}.")
    days = default_days(n_lines) if days is None else days
    if int(days) != days or days < 1:
        raise ValueError(f"days must be a positive integer, got {days!r}.")
    start = pd.Timestamp(start)
    if start.tzinfo is not None:  # the log shows wall-clock time; keep it
        start = start.tz_localize(None)
    return start.floor("min"), int(days)


def _check_seed(seed: int) -> int:
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    return int(seed)


def incidents(
    n_lines: int, *, seed: int = 0, start: str | pd.Timestamp = "2023-05-01", days: int | None = None
) -> tuple[Incident, ...]:
    """The incidents ``generate_log_lines`` injects for the same arguments, in time order.

    Incidents start at 10:00, 13:00, 16:00 or 19:00 plus up to 50 minutes, last 30-120 minutes and
    never overlap. Their products are among the most popular ones outside the ``NULL`` category.

    Args:
        n_lines: Number of lines (only used to choose ``days`` when it is None).
        seed, start, days: As for ``generate_log_lines``.

    Returns:
        Two or three ``Incident``s.
    """
    start, days = _window(n_lines, start, days)
    rng = np.random.default_rng([_check_seed(seed), _STREAM_INCIDENTS])
    end = start + pd.Timedelta(days=days)
    slots = [
        slot
        for day in range(days + 1)
        for hour in (10, 13, 16, 19)
        if start <= (slot := start.normalize() + pd.Timedelta(days=day, hours=hour))
        and slot + pd.Timedelta(minutes=170) <= end  # the latest start plus the longest incident
    ]
    count = min(int(rng.integers(2, 4)), len(slots))
    candidates = [p.id for p in PRODUCTS if p.category != FAILING_CATEGORY][:_INCIDENT_CANDIDATES]
    found = []
    for slot in sorted(rng.choice(len(slots), size=count, replace=False)):
        begin = slots[slot] + pd.Timedelta(minutes=int(rng.integers(0, 51)))
        length = pd.Timedelta(minutes=int(rng.integers(30, 121)))
        products = rng.choice(candidates, size=int(rng.integers(1, 3)), replace=False)
        found.append(Incident(begin, begin + length, tuple(str(p) for p in products)))
    return tuple(found)


# --------------------------------------------------------------------------- the request table


@dataclass(frozen=True)
class _Requests:
    """Every distinct request line the shop sees, with what drives its status, size and timing."""

    text: list[bytes]
    kind: np.ndarray
    product: np.ndarray  # index into PRODUCTS, -1 for none
    category: np.ndarray  # index into CATEGORIES, -1 for none
    status: np.ndarray
    size: np.ndarray  # median body bytes
    latency: np.ndarray  # median microseconds
    weights: np.ndarray  # (3, n): share for people, crawlers, scripts
    session: np.ndarray  # carries a JSESSIONID
    referrer: np.ndarray  # index of the page that usually links here, -1 for none
    follows: np.ndarray  # probability a person arrived from that page
    head: np.ndarray
    dynamic: np.ndarray  # a page the application server renders (may fail with 5xx)
    failing_page: np.ndarray  # a page of the always-failing category
    failing_product: np.ndarray  # about a product of the always-failing category


def _referrers() -> list[str]:
    return (
        ["-", "https://www.google.com/", "https://www.bing.com/", f"{SHOP_URL}/", f"{SHOP_URL}/cart.do?action=view"]
        + [f"{SHOP_URL}/category.screen?categoryId={c}" for c in CATEGORIES]
        + [f"{SHOP_URL}/product.screen?productId={p.id}" for p in PRODUCTS]
    )


_REF_HOME, _REF_CART, _REF_CATEGORY = 3, 4, 5  # positions in ``_referrers()``
_REF_PRODUCT = _REF_CATEGORY + len(CATEGORIES)


def _request_table() -> _Requests:
    """Build the table; each kind's share (``_KINDS``) is split over its entries by their relative shares."""
    rank = np.arange(1, len(PRODUCTS) + 1)
    popularity = (1.0 / rank) / (1.0 / rank).sum()
    uniform = np.full(len(PRODUCTS), 1.0 / len(PRODUCTS))
    category_of = np.array([CATEGORIES.index(p.category) for p in PRODUCTS])
    category_pop = np.bincount(category_of, popularity, len(CATEGORIES))
    rows: list[tuple] = []

    def add(
        kind,
        method,
        path,
        share,
        *,
        product=-1,
        category=-1,
        status=200,
        size=2500.0,
        latency=35_000.0,
        referrer=-1,
        follows=0.0,
    ):
        rows.append(
            (
                kind,
                f"{method} {path}",
                product,
                category,
                status,
                size,
                latency,
                share,
                referrer,
                follows,
                method == "HEAD",
            )
        )

    add("home", "GET", "/", (1, 1, 1), size=7400, latency=28_000)
    add("head", "HEAD", "/", (0, 0, 0.6), size=0, latency=9_000)
    for i, p in enumerate(PRODUCTS):
        share = (popularity[i], uniform[i], uniform[i])
        page = dict(
            product=i,
            category=category_of[i],
            size=2400 + 90 * i,
            latency=38_000,
            referrer=_REF_CATEGORY + category_of[i],
            follows=0.6,
        )
        add(
            "head",
            "HEAD",
            f"/product/{p.id}",
            (0, 0, 0.4 / len(PRODUCTS)),
            product=i,
            category=category_of[i],
            size=0,
            latency=12_000,
        )
        add("product", "GET", f"/product.screen?productId={p.id}", share, **page)
        add("product_path", "GET", f"/product/{p.id}", share, **page)
        for item in range(1, N_ITEMS + 1):
            add(
                "cart_add",
                "POST",
                f"/cart.do?action=addtocart&itemId=EST-{item}&productId={p.id}",
                (popularity[i] / N_ITEMS, 0, 0),
                product=i,
                category=category_of[i],
                size=1750,
                latency=82_000,
                referrer=_REF_PRODUCT + i,
                follows=0.9,
            )
    for c, name in enumerate(CATEGORIES):
        share = (category_pop[c], 1 / len(CATEGORIES), 1 / len(CATEGORIES))
        page = dict(category=c, size=3100, latency=45_000, referrer=_REF_HOME, follows=0.5)
        add("category", "GET", f"/category.screen?categoryId={name}", share, **page)
        add("category_path", "GET", f"/category/{name}", share, **page)
    add(
        "cart_view",
        "GET",
        "/cart.do?action=view",
        (1, 0, 0),
        size=2100,
        latency=40_000,
        referrer=_REF_HOME,
        follows=0.3,
    )
    for i, p in enumerate(PRODUCTS):
        for item in range(1, N_ITEMS + 1):
            add(
                "purchase",
                "POST",
                f"/cart.do?action=purchase&itemId=EST-{item}&productId={p.id}",
                (popularity[i] / N_ITEMS, 0, 0),
                product=i,
                category=category_of[i],
                size=1400,
                latency=240_000,
                referrer=_REF_CART,
                follows=0.9,
            )
    add("success", "GET", "/cart/success.do", (1, 0, 0), size=1900, latency=30_000, referrer=_REF_CART, follows=0.8)
    terms = np.array([1 / (k + 1) for k in range(len(_SEARCH_TERMS))])
    terms = 0.96 * terms / terms.sum()
    for term, share in zip(_SEARCH_TERMS, terms, strict=True):
        add(
            "search",
            "GET",
            f"/search?q={term}",
            (share, 0, share),
            size=4200,
            latency=120_000,
            referrer=_REF_HOME,
            follows=0.7,
        )
    add("search", "GET", "/search?q=", (0.04, 0, 0.04), status=400, size=450, latency=6_000)
    for path, share, size in _STATIC:
        add("static", "GET", path, (share, share, 0), size=size, latency=700)
    add("robots", "GET", "/robots.txt", (0, 0.7, 0.7), size=180, latency=500)
    add("robots", "GET", "/sitemap.xml", (0, 0.3, 0.3), size=5600, latency=2_500)
    for path, share in (("/shop", 0.5), ("/index.html", 0.3), ("/products", 0.2)):
        add("redirect", "GET", path, (share, share, share), status=301, size=230, latency=400)
    for path, share in (
        ("/images/banner-2022.jpg", (0.5, 0.3, 0)),
        ("/product.screen?productId=WC-SH-G00", (0.3, 0.4, 0)),
        ("/product/XX-XX-G99", (0.2, 0.3, 0)),
        ("/wp-login.php", (0, 0, 0.35)),
        ("/.env", (0, 0, 0.25)),
        ("/xmlrpc.php", (0, 0, 0.2)),
        ("/phpmyadmin/", (0, 0, 0.2)),
    ):
        add("missing", "GET", path, share, status=404, size=1150, latency=3_000)
    for path, share in (("/admin", 0.5), ("/server-status", 0.3), ("/.git/config", 0.2)):
        add("forbidden", "GET", path, (0, 0, share), status=403, size=320, latency=900)

    cols = list(zip(*rows, strict=True))
    kind = np.array([_KIND[k] for k in cols[0]], np.int8)
    product = np.array(cols[2], np.int16)
    category = np.array(cols[3], np.int16)
    failing = CATEGORIES.index(FAILING_CATEGORY)
    text = [t.encode() for t in cols[1]]
    weights = np.array(cols[7], float).T
    kind_share = np.array(list(_KINDS.values())).T[:, kind]
    for c in range(3):  # each kind's entries split that kind's share
        totals = np.bincount(kind, weights[c], len(_KINDS))[kind]
        weights[c] = np.where(totals > 0, weights[c] / np.where(totals > 0, totals, 1), 0) * kind_share[c]
    weights /= weights.sum(axis=1, keepdims=True)
    return _Requests(
        text=text,
        kind=kind,
        product=product,
        category=category,
        status=np.array(cols[4], np.int16),
        size=np.array(cols[5], float),
        latency=np.array(cols[6], float),
        weights=weights,
        session=np.array([b"?" in t and (b".screen" in t or b"cart.do" in t) for t in text]),
        referrer=np.array(cols[8], np.int32),
        follows=np.array(cols[9], float),
        head=np.array(cols[10]),
        dynamic=np.isin(kind, [_KIND[k] for k in _DYNAMIC_KINDS]),
        failing_page=np.isin(kind, [_KIND["category"], _KIND["category_path"]]) & (category == failing),
        failing_product=np.isin(product, np.flatnonzero(category_of == failing)),
    )


# --------------------------------------------------------------------------- the plan


class _Sampler:
    """Draws indices with given weights from uniform numbers in O(1) each (Walker's alias method)."""

    def __init__(self, weights: np.ndarray):
        scaled = np.asarray(weights, float) * len(weights) / np.sum(weights)
        self.keep = np.ones(len(scaled))
        self.alias = np.arange(len(scaled), dtype=np.int32)
        small = [i for i, w in enumerate(scaled) if w < 1.0]
        large = [i for i, w in enumerate(scaled) if w >= 1.0]
        while small and large:  # a loop over the table's entries, built once
            s, g = small.pop(), large.pop()
            self.keep[s], self.alias[s] = scaled[s], g
            scaled[g] -= 1.0 - scaled[s]
            (small if scaled[g] < 1.0 else large).append(g)

    def __call__(self, u: np.ndarray) -> np.ndarray:
        x = u * len(self.keep)
        bucket = np.minimum(x.astype(np.int32), len(self.keep) - 1)
        return np.where(x - bucket < self.keep[bucket], bucket, self.alias[bucket])


def _ips(rng: np.random.Generator) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Client addresses, their weights, classes and agents: people first, then bots."""
    drawn = 2 * _N_HUMAN_IPS  # enough to keep _N_HUMAN_IPS distinct ones
    raw = np.column_stack(
        [rng.choice(_CLIENT_OCTETS, drawn), rng.integers(0, 256, (drawn, 2)), rng.integers(1, 255, drawn)]
    )
    _, first = np.unique(raw @ np.array([1 << 24, 1 << 16, 1 << 8, 1]), return_index=True)
    raw = raw[np.sort(first)[:_N_HUMAN_IPS]]
    addresses = [f"{a}.{b}.{c}.{d}" for a, b, c, d in raw.tolist()]
    weights = [rng.lognormal(0.0, 1.6, _N_HUMAN_IPS)]
    weights[0] *= (1 - _BOT_SHARE) / weights[0].sum()
    classes = [np.full(_N_HUMAN_IPS, _HUMAN)]
    shares = np.array([s for _, s in _HUMAN_AGENTS])
    agents = [_Sampler(shares)(rng.random(_N_HUMAN_IPS))]
    for b, (_, cls, share, count, prefixes) in enumerate(_BOTS):
        hosts = rng.choice(np.arange(2, 254), count, replace=False)
        addresses += [f"{prefixes[k % len(prefixes)]}.{h}" for k, h in enumerate(hosts.tolist())]
        w = rng.lognormal(0.0, 0.5, count)
        weights.append(w * _BOT_SHARE * share / w.sum())
        classes.append(np.full(count, cls))
        agents.append(np.full(count, len(_HUMAN_AGENTS) + b, np.int32))
    return addresses, np.concatenate(weights), np.concatenate(classes).astype(np.int8), np.concatenate(agents)


def _binary(values: list[bytes]) -> pa.Array:
    return pa.array(values, pa.binary())


def _fixed_width(matrix: np.ndarray) -> pa.Array:
    """An (n, w) uint8 matrix → Arrow binary array of n strings of w bytes (one copy)."""
    matrix = np.ascontiguousarray(matrix)
    n, w = matrix.shape
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(w), n, [None, pa.py_buffer(matrix)]).cast(pa.binary())


def _clock_pieces(tz_offset: str | None) -> pa.Array:
    """``HH:MM:SS[ +zzzz]] "`` for every second of the day."""
    seconds = np.arange(86_400)
    parts = (seconds // 3600, seconds // 60 % 60, seconds % 60)
    digits = np.stack([np.stack([v // 10, v % 10], axis=1) for v in parts], axis=1) + ord("0")  # (n, 3, 2)
    suffix = np.frombuffer((f" {tz_offset}" if tz_offset else "").encode() + b'] "', np.uint8)
    matrix = np.empty((86_400, 8 + len(suffix)), np.uint8)
    matrix[:, [0, 1, 3, 4, 6, 7]] = digits.reshape(-1, 6)
    matrix[:, [2, 5]] = ord(":")
    matrix[:, 8:] = suffix
    return _fixed_width(matrix)


def _session_pool(rng: np.random.Generator) -> pa.Array:
    """``""`` followed by ``_SESSIONS`` random ``&JSESSIONID=SD`` + 15 hex digit query suffixes."""
    width = len(_SESSION_PREFIX) + 15
    data = np.empty((_SESSIONS, width), np.uint8)
    data[:, : len(_SESSION_PREFIX)] = _SESSION_PREFIX
    data[:, len(_SESSION_PREFIX) :] = _HEX[rng.integers(0, 16, (_SESSIONS, 15))]
    offsets = np.concatenate([[0], np.arange(_SESSIONS + 1) * width]).astype(np.int32)
    return pa.Array.from_buffers(pa.binary(), _SESSIONS + 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


@dataclass
class _Plan:
    """Everything fixed for one log before its lines are drawn: traffic per minute, clients, pieces of text."""

    seed: int
    start: int  # epoch seconds of the first minute (wall clock read as UTC)
    day0: int  # epoch seconds of the first day's midnight
    total_minutes: int
    block_minutes: int
    minute_counts: np.ndarray
    bot_fraction: np.ndarray  # per minute
    load: np.ndarray  # per minute, people's traffic relative to the busiest minute
    pick_ip: tuple[_Sampler, _Sampler]  # people, bots
    n_human_ips: int
    ip_class: np.ndarray
    ip_agent: np.ndarray
    requests: _Requests
    pick_request: list[_Sampler]  # per client class
    pick_referrer: list[_Sampler]  # per client class, when not following a link
    pick_page: _Sampler  # the page a static asset was loaded by
    incidents: list[tuple[int, int, np.ndarray]]  # (start, end) in seconds since ``start``, product indices
    # rendering pieces
    ip_piece: pa.Array
    date_piece: pa.Array
    clock_piece: pa.Array
    request_piece: pa.Array
    status_piece: pa.Array
    status_index: np.ndarray
    session_piece: pa.Array  # "" then the pool of "&JSESSIONID=SD..." suffixes
    tail_piece: pa.Array  # ' "referrer" "agent" ' for every referrer x agent
    n_agents: int
    # what the pieces say, for events written without text (``generate_events``)
    addresses: list[str]
    referrers: list[str]
    agents: list[str]
    utc_offset_s: int  # seconds to subtract from the wall clock for UTC
    host: str | None


def _plan(
    n_lines: int,
    *,
    seed: int = 0,
    start="2023-05-01",
    days: int | None = None,
    tz_offset: str | None = "+0000",
    host: bool = False,
) -> _Plan:
    if tz_offset is not None and not _TZ_RE.fullmatch(tz_offset):
        raise ValueError(f"tz_offset must look like '+0000' or '-0530', or be None; got {tz_offset!r}.")
    seed = _check_seed(seed)
    start, days = _window(n_lines, start, days)
    rng = np.random.default_rng([seed, _STREAM_PLAN])
    epoch = pd.Timestamp("1970-01-01")
    start_s = int((start - epoch) // pd.Timedelta(seconds=1))
    day0_s = int((start.normalize() - epoch) // pd.Timedelta(seconds=1))

    # Per-minute intensity: people follow the clock and the week, bots are flat.
    total = days * 1440
    minute = start_s // 60 + np.arange(total)
    people = np.interp(minute % 1440 / 60, np.arange(25), np.append(_HOURLY, _HOURLY[0]))
    people *= np.where((minute // 1440 + 3) % 7 >= 5, _WEEKEND_UPLIFT, 1.0)  # 1970-01-01 was a Thursday
    people *= rng.lognormal(0.0, 0.05, days + 1)[(minute - day0_s // 60) // 1440]  # day-to-day noise
    bots = _BOT_SHARE / (1 - _BOT_SHARE) * people.mean()
    intensity = people + bots
    counts = rng.multinomial(n_lines, intensity / intensity.sum())

    requests = _request_table()
    addresses, ip_weights, ip_class, ip_agent = _ips(rng)
    n_human = _N_HUMAN_IPS
    referrers = _referrers()
    ref_generic = [np.zeros(len(referrers)) for _ in range(3)]
    ref_generic[_HUMAN][[0, 1, 2, _REF_HOME]] = (0.45, 0.25, 0.05, 0.25)
    ref_generic[_CRAWLER][[0, _REF_HOME]] = (0.95, 0.05)
    ref_generic[_SCRIPT][0] = 1.0
    pages = np.zeros(len(referrers))  # which page a static asset was loaded by
    pages[_REF_HOME] = 0.4
    pages[_REF_CATEGORY : _REF_CATEGORY + len(CATEGORIES)] = 0.2 / len(CATEGORIES)
    pages[_REF_PRODUCT:] = 0.4 * (1 / np.arange(1, len(PRODUCTS) + 1)) / (1 / np.arange(1, len(PRODUCTS) + 1)).sum()

    product_index = {p.id: i for i, p in enumerate(PRODUCTS)}
    found = incidents(n_lines, seed=seed, start=start, days=days)
    windows = [
        (
            int((i.start - start) // pd.Timedelta(seconds=1)),
            int((i.end - start) // pd.Timedelta(seconds=1)),
            np.array([product_index[p] for p in i.products]),
        )
        for i in found
    ]

    prefix = f"{VHOST} " if host else ""
    dates = [start.normalize() + pd.Timedelta(days=d) for d in range(days + 2)]
    status_index = np.zeros(600, np.int8)
    status_index[list(_STATUS_CODES)] = np.arange(len(_STATUS_CODES))
    agents = [a for a, _ in _HUMAN_AGENTS] + [b[0] for b in _BOTS]
    return _Plan(
        seed=seed,
        start=start_s,
        day0=day0_s,
        total_minutes=total,
        block_minutes=int(np.clip(_BLOCK_LINES * total // max(n_lines, 1), 1, total)),
        minute_counts=counts,
        bot_fraction=(bots / intensity).astype(np.float32),
        load=(people / people.max()).astype(np.float32),
        pick_ip=(_Sampler(ip_weights[:n_human]), _Sampler(ip_weights[n_human:])),
        n_human_ips=n_human,
        ip_class=ip_class,
        ip_agent=ip_agent,
        requests=requests,
        pick_request=[_Sampler(w) for w in requests.weights],
        pick_referrer=[_Sampler(w) for w in ref_generic],
        pick_page=_Sampler(pages),
        incidents=windows,
        ip_piece=_binary([f"{prefix}{a} - - [".encode() for a in addresses]),
        date_piece=_binary([f"{d.day:02d}/{_MONTHS[d.month - 1]}/{d.year}:".encode() for d in dates]),
        clock_piece=_clock_pieces(tz_offset),
        request_piece=_binary(requests.text),
        status_piece=_binary([f' HTTP/1.1" {code} '.encode() for code in _STATUS_CODES]),
        status_index=status_index,
        session_piece=_session_pool(rng),
        tail_piece=_binary([f' "{r}" "{a}" '.encode() for r in referrers for a in agents]),
        n_agents=len(agents),
        addresses=addresses,
        referrers=referrers,
        agents=agents,
        utc_offset_s=_offset_seconds(tz_offset),
        host=VHOST if host else None,
    )


def _offset_seconds(tz_offset: str | None) -> int:
    """``+0130`` → 5400; None (no offset written: the parser reads UTC) → 0."""
    if tz_offset is None:
        return 0
    sign = -1 if tz_offset[0] == "-" else 1
    return sign * (int(tz_offset[1:3]) * 3600 + int(tz_offset[3:5]) * 60)


# --------------------------------------------------------------------------- drawing and rendering


def _splitmix64(x: np.ndarray) -> np.ndarray:
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _draw_block(plan: _Plan, block: int) -> dict[str, np.ndarray] | None:
    """The lines of one block of minutes, as columns of codes and numbers, in time order."""
    lo = block * plan.block_minutes
    hi = min(lo + plan.block_minutes, plan.total_minutes)
    counts = plan.minute_counts[lo:hi]
    n = int(counts.sum())
    if n == 0:
        return None
    rng = np.random.default_rng([plan.seed, _STREAM_BLOCKS, block])
    second = np.repeat(np.arange(lo, hi, dtype=np.int64) * 60, counts) + rng.integers(0, 60, n)
    second.sort()  # seconds since the start; whole minutes per block keep blocks in order
    minute = second // 60
    u = rng.random((10, n), dtype=np.float32)
    z = rng.standard_normal((3, n), dtype=np.float32)
    R = plan.requests

    bot = u[0] < plan.bot_fraction[minute]
    ip = plan.pick_ip[0](u[1])
    ip[bot] = plan.n_human_ips + plan.pick_ip[1](u[1][bot])
    cls = plan.ip_class[ip]
    req = np.empty(n, np.int32)
    referrer = np.empty(n, np.int32)
    for c in (_HUMAN, _CRAWLER, _SCRIPT):
        mask = cls == c
        req[mask] = plan.pick_request[c](u[2][mask])
        referrer[mask] = plan.pick_referrer[c](u[3][mask])
    kind = R.kind[req]
    product = R.product[req]

    status = R.status[req].copy()
    static = kind == _KIND["static"]
    status[static & (cls == _HUMAN) & (u[4] < 0.25)] = 304  # browsers revalidate cached assets
    dynamic = R.dynamic[req]
    status[dynamic & (u[4] < 0.004)] = 500
    status[dynamic & (u[4] >= 0.004) & (u[4] < 0.006)] = 503
    failing = R.failing_page[req] | (R.failing_product[req] & (u[6] < 0.6))
    status[failing] = np.where(u[5][failing] < 0.7, 500, 503)
    incident = np.zeros(n, bool)
    for begin, end, products in plan.incidents:
        i0, i1 = np.searchsorted(second, [begin, end])
        if i1 > i0:
            incident[i0:i1] = np.isin(product[i0:i1], products) & (u[6][i0:i1] < 0.85)
    status[incident] = np.where(u[5][incident] < 0.6, 503, 500)
    error = status >= 500

    size = R.size[req] * np.exp(0.25 * z[0])
    size[error] = np.where(status[error] == 500, 720.0, 380.0) * np.exp(0.1 * z[0][error])
    size = size.astype(np.int64)
    size[(status == 304) | (R.head[req] & (u[7] < 0.6))] = -1  # written as "-"
    size[R.head[req] & (size > 0)] = 0

    latency = R.latency[req] * np.exp(0.5 * z[1]) * (0.7 + 0.6 * plan.load[minute])
    latency[status == 304] *= 0.3
    latency[error] = 250_000 * np.exp(0.5 * z[2][error])
    latency[failing] = 15_000 * np.exp(0.4 * z[2][failing])  # the broken category fails fast
    latency[incident] = 3_000_000 * np.exp(0.7 * z[2][incident])  # upstream timeouts
    latency = np.maximum(latency, 50).astype(np.int64)

    natural = np.where(static, plan.pick_page(u[8]), R.referrer[req])
    follow = (cls == _HUMAN) & (natural >= 0) & (u[9] < np.where(static, 0.95, R.follows[req]))
    referrer = np.where(follow, natural, referrer)

    # A person keeps one session a day; bots do not keep cookies.
    day = (plan.start + second - plan.day0) // 86_400
    key = np.where(bot, second * 131 + 7, day).astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93)
    session = _splitmix64(key ^ (ip.astype(np.uint64) << np.uint64(40)) ^ np.uint64(plan.seed)) & np.uint64(
        _SESSIONS - 1
    )
    session = np.where(R.session[req], session.astype(np.int32) + 1, 0)  # 0: no session in this URL
    return {
        "second": second,
        "ip": ip,
        "request": req,
        "status": status,
        "size": size,
        "referrer": referrer,
        "latency": latency,
        "session": session,
    }


def _numbers(values: np.ndarray) -> pa.Array:
    return pc.cast(pc.cast(pa.array(values), pa.string()), pa.binary())


def _render(plan: _Plan, cols: dict[str, np.ndarray]) -> pa.Buffer:
    """Columns from ``_draw_block`` (at most ``_RENDER_ROWS`` lines) → newline-terminated log lines."""
    t = plan.start + cols["second"]
    size = cols["size"]
    lines = pc.binary_join_element_wise(
        plan.ip_piece.take(pa.array(cols["ip"])),
        plan.date_piece.take(pa.array((t - plan.day0) // 86_400)),
        plan.clock_piece.take(pa.array(t % 86_400)),
        plan.request_piece.take(pa.array(cols["request"])),
        plan.session_piece.take(pa.array(cols["session"])),
        plan.status_piece.take(pa.array(plan.status_index[cols["status"]])),
        pc.if_else(pa.array(size < 0), pa.scalar(b"-", pa.binary()), _numbers(size)),
        plan.tail_piece.take(pa.array(cols["referrer"] * plan.n_agents + plan.ip_agent[cols["ip"]])),
        _numbers(cols["latency"]),
        pa.scalar(b"\n", pa.binary()),
        pa.scalar(b"", pa.binary()),  # separator
    )
    offsets = np.frombuffer(lines.buffers()[1], np.int32, len(lines) + 1, lines.offset * 4)
    return lines.buffers()[2][int(offsets[0]) : int(offsets[-1])]


def _runs(plan: _Plan, pool: ThreadPoolExecutor, chunk_lines: int) -> Iterator[dict[str, np.ndarray]]:
    """The drawn lines in runs of exactly ``chunk_lines`` (the last may be shorter), the next block drawn ahead."""
    n_blocks = -(-plan.total_minutes // plan.block_minutes)
    ahead = deque(pool.submit(_draw_block, plan, b) for b in range(min(2, n_blocks)))
    pending: list[dict[str, np.ndarray]] = []
    pending_lines = 0
    for block in range(n_blocks):
        cols = ahead.popleft().result()
        if block + 2 < n_blocks:
            ahead.append(pool.submit(_draw_block, plan, block + 2))
        if cols is None:
            continue
        pending.append(cols)
        pending_lines += len(cols["second"])
        if pending_lines < chunk_lines:
            continue
        cols = {k: np.concatenate([p[k] for p in pending]) for k in pending[0]}
        done = 0
        while pending_lines - done >= chunk_lines:
            yield {k: v[done : done + chunk_lines] for k, v in cols.items()}
            done += chunk_lines
        pending = [{k: v[done:] for k, v in cols.items()}]
        pending_lines -= done
    if pending_lines:
        yield {k: np.concatenate([p[k] for p in pending]) for k in pending[0]}


def _chunks(n_lines: int, chunk_lines: int, **kwargs) -> Iterator[list[pa.Buffer]]:
    """The log as runs of consecutive buffers, ``chunk_lines`` lines per run (the last may be shorter).

    NumPy and Arrow release the GIL, so a few threads draw and render side by side; the output does
    not depend on them (each block has its own random stream and results are taken in order).
    """
    if int(chunk_lines) != chunk_lines or chunk_lines < 1:
        raise ValueError(f"chunk_lines must be a positive integer, got {chunk_lines!r}.")
    plan = _plan(n_lines, **kwargs)
    with ThreadPoolExecutor(_THREADS) as pool:
        for cols in _runs(plan, pool, chunk_lines):
            starts = range(0, len(cols["second"]), _RENDER_ROWS)
            slices = [{k: v[lo : lo + _RENDER_ROWS] for k, v in cols.items()} for lo in starts]
            yield list(pool.map(partial(_render, plan), slices))


def generate_log_lines(
    n_lines: int,
    *,
    seed: int = 0,
    start: str | pd.Timestamp = "2023-05-01",
    days: int | None = None,
    tz_offset: str | None = "+0000",
    host: bool = False,
    chunk_lines: int = 1_000_000,
) -> Iterator[bytes]:
    """Generate a web shop's access log, a chunk at a time.

    Args:
        n_lines: Exact number of lines.
        seed: Same seed and window → byte-identical output, whatever ``chunk_lines``.
        start: First day (or minute) of the log; a zone, if any, is dropped and the wall time kept.
        days: Days covered; None for about 20,000 lines a day (at least 1, at most 90).
        tz_offset: Offset written after each timestamp (``+0000``); None writes none.
        host: Start each line with the virtual host (``www.example-shop.com:443``).
        chunk_lines: Lines per yielded chunk (the last one may be shorter); bounds memory.

    Yields:
        Chunks of complete lines, each ending in ``\\n``, in time order.
    """
    chunks = _chunks(n_lines, chunk_lines, seed=seed, start=start, days=days, tz_offset=tz_offset, host=host)
    for parts in chunks:
        yield b"".join(parts)  # one copy, out of Arrow's memory


def write_log(
    path: str | os.PathLike,
    n_lines: int,
    *,
    seed: int = 0,
    chunk_lines: int = 1_000_000,
    gzip: bool | None = None,
    compresslevel: int = 6,
    **kwargs,
) -> Path:
    """Write ``generate_log_lines(n_lines, seed=seed, **kwargs)`` to a file, atomically.

    Args:
        path: Destination; its folder is created.
        n_lines, seed, chunk_lines: As for ``generate_log_lines``.
        gzip: Compress; None to decide from the name (``.gz``). The file is a series of gzip members of
            16 MiB of text each (as ``bgzip`` writes), compressed in parallel; ``gzip.open`` and ``zcat``
            read it as one stream. Its bytes, too, depend only on the log's arguments.
        compresslevel: zlib level, 1 (fast) to 9 (small).
        **kwargs: ``start``, ``days``, ``tz_offset``, ``host``.

    Returns:
        The path written.
    """
    path = Path(path)
    if gzip is None:
        gzip = path.name.endswith(".gz")
    path.parent.mkdir(parents=True, exist_ok=True)
    unfinished = path.with_name(path.name + ".part")
    try:
        # Each chunk is written (and compressed) while the next one is generated.
        with open(unfinished, "wb") as out, ThreadPoolExecutor(_THREADS) as pool:
            chunks = _chunks(n_lines, chunk_lines, seed=seed, **kwargs)
            if gzip:
                compressed: list[Future] = []
                for members in _recut(chunks, _MEMBER_BYTES):
                    for future in compressed:
                        out.write(future.result())
                    compressed = [pool.submit(zlib.compress, member, compresslevel, 31) for member in members]
                for future in compressed:
                    out.write(future.result())
            else:
                written: Future | None = None
                for parts in chunks:
                    if written is not None:
                        written.result()
                    written = pool.submit(_write_all, out, parts)
                if written is not None:
                    written.result()
        os.replace(unfinished, path)
    except BaseException:
        unfinished.unlink(missing_ok=True)
        raise
    return path


def _write_all(out, parts: list[pa.Buffer]) -> None:
    for part in parts:  # Arrow's buffers as they are: no joined copy
        out.write(part)


def _recut(chunks: Iterator[list[pa.Buffer]], size: int) -> Iterator[list[bytes]]:
    """Re-cut a stream of buffers into blocks of exactly ``size`` bytes (the last may be shorter).

    Yields, for each incoming chunk, the blocks it completed, so block boundaries never depend on
    how the stream was chunked.
    """
    carry: list[memoryview] = []
    carried = 0
    for parts in chunks:
        blocks = []
        for part in parts:
            view = memoryview(part)
            while len(view):
                take = min(size - carried, len(view))
                carry.append(view[:take])
                carried += take
                view = view[take:]
                if carried == size:
                    blocks.append(b"".join(carry))
                    carry, carried = [], 0
        yield blocks
    if carried:
        yield [b"".join(carry)]


# --------------------------------------------------------------------------- events without text


@dataclass(frozen=True)
class _Fields:
    """What the parser reads out of each piece of a line, parsed once per distinct piece.

    Per-request columns are dictionary arrays with one row per entry of the request table, so a
    block's column is one ``take`` of its request indices (dictionary codes only, no strings).
    """

    request: pa.Table  # method, path, query, protocol, product, category; one row per request
    referrer: pa.Array  # one row per referrer (null for "-")
    agent: pa.Array  # one row per agent
    agent_class: pa.Array
    ip: pa.Array  # the addresses, as a string dictionary
    session: pa.Array  # "" then the "&JSESSIONID=SD..." suffixes, as strings


def _fields(plan: _Plan) -> _Fields:
    """Parse one line per request (and per referrer and agent) with the real parser, so events written
    without text hold exactly what parsing the text log would give."""
    from models.logs.parse import parse_bytes

    requests, referrers, agents = plan.requests.text, plan.referrers, plan.agents
    n = max(len(requests), len(referrers), len(agents))
    lines = b"".join(
        b'1.1.1.1 - - [01/May/2023:00:00:00 +0000] "%s HTTP/1.1" 200 1 "%s" "%s" 1\n'
        % (requests[k % len(requests)], referrers[k % len(referrers)].encode(), agents[k % len(agents)].encode())
        for k in range(n)
    )
    table = parse_bytes(lines, name="pieces").table
    if table.num_rows != n:
        raise RuntimeError("the generator's request table holds a line the parser rejects")
    columns = ("method", "path", "query", "protocol", "product", "category")
    return _Fields(
        request=pa.table({c: table[c].combine_chunks() for c in columns}).slice(0, len(requests)),
        referrer=table["referrer"].combine_chunks().slice(0, len(referrers)),
        agent=table["agent"].combine_chunks().slice(0, len(agents)),
        agent_class=table["agent_class"].combine_chunks().slice(0, len(agents)),
        ip=pa.array(plan.addresses, pa.string()),
        session=plan.session_piece.cast(pa.string()),
    )


def _event_table(plan: _Plan, fields: _Fields, cols: dict[str, np.ndarray], first_line: int, source: str) -> pa.Table:
    """Columns from ``_draw_block`` → rows of ``models.logs.parse.EVENT_SCHEMA``, as parsing their text would give."""
    from models.logs.parse import EVENT_SCHEMA, _constant

    n = len(cols["second"])
    request = pa.array(cols["request"], pa.int32())
    per_request = fields.request.take(request)
    agent = pa.array(plan.ip_agent[cols["ip"]], pa.int32())
    size = cols["size"]
    ts = (plan.start + cols["second"] - plan.utc_offset_s).astype("datetime64[s]")
    query = pc.binary_join_element_wise(
        per_request["query"], fields.session.take(pa.array(cols["session"], pa.int32())), ""
    )
    return pa.table(
        {
            "ts": pa.array(ts).cast(pa.timestamp("s", tz="UTC")),
            "host": _constant(plan.host, n),
            "ip": pa.DictionaryArray.from_arrays(pa.array(cols["ip"], pa.int32()), fields.ip),
            "method": per_request["method"],
            "path": per_request["path"],
            "query": query,
            "protocol": per_request["protocol"],
            "status": pa.array(cols["status"], pa.int16()),
            "bytes": pa.array(np.where(size < 0, 0, size), pa.int64()),  # "-" is read as 0
            "referrer": fields.referrer.take(pa.array(cols["referrer"], pa.int32())),
            "agent": fields.agent.take(agent),
            "agent_class": fields.agent_class.take(agent),
            "product": per_request["product"],
            "category": per_request["category"],
            "request_time": pa.array(cols["latency"].astype(np.float64)),
            "source": _constant(source, n),
            "line": pa.array(np.arange(first_line, first_line + n, dtype=np.int64)),
        },
        schema=EVENT_SCHEMA,
    )


def generate_events(
    n_events: int,
    *,
    seed: int = 0,
    start: str | pd.Timestamp = "2023-05-01",
    days: int | None = None,
    tz_offset: str | None = "+0000",
    host: bool = False,
    chunk_lines: int = 1 << 20,
    source: str = "generated",
) -> Iterator[pa.Table]:
    """The events of ``generate_log_lines`` with the same arguments, as tables, without writing text.

    Rows are the ones parsing that log (named ``source``) would give, value for value: the same
    random draws, turned into columns of ``models.logs.parse.EVENT_SCHEMA`` instead of text.
    About ten times faster than generating and parsing the text.

    Args:
        n_events: Exact number of events.
        seed, start, days, tz_offset, host: As for ``generate_log_lines``.
        chunk_lines: Rows per yielded table (the last may be shorter); bounds memory.
        source: The ``source`` column (a parsed file's name).

    Yields:
        Tables of ``EVENT_SCHEMA``, in time order.
    """
    if int(chunk_lines) != chunk_lines or chunk_lines < 1:
        raise ValueError(f"chunk_lines must be a positive integer, got {chunk_lines!r}.")
    plan = _plan(n_events, seed=seed, start=start, days=days, tz_offset=tz_offset, host=host)
    fields = _fields(plan)
    line = 1
    with ThreadPoolExecutor(_THREADS) as pool:
        for cols in _runs(plan, pool, chunk_lines):
            yield _event_table(plan, fields, cols, line, source)
            line += len(cols["second"])


def write_parquet(out_dir: str | os.PathLike, n_events: int, *, seed: int = 0, **kwargs):
    """Write ``generate_events(n_events, seed=seed)`` as a ts-sorted Parquet dataset, chunk by chunk.

    Args:
        out_dir: The dataset folder (earlier ``part-*.parquet`` files in it are replaced).
        **kwargs: ``start``, ``days``, ``tz_offset``, ``host`` for ``generate_events``; ``rows_per_file``,
            ``row_group_rows`` and ``compression`` for ``models.logs.dataset.write_tables``.

    Returns:
        The ``models.logs.dataset.WriteResult``.
    """
    from models.logs.dataset import ROW_GROUP_ROWS, write_tables

    layout = {k: kwargs.pop(k) for k in ("rows_per_file", "row_group_rows", "compression") if k in kwargs}
    chunk = 8 * layout.get("row_group_rows", ROW_GROUP_ROWS)  # whole row groups per chunk
    return write_tables(generate_events(n_events, seed=seed, chunk_lines=chunk, **kwargs), out_dir, **layout)
