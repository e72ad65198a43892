"""The click (on a chart or a chip) decided in the browser (``assets/logs.js``, ``glassboxLogsView``) gives the same view and URL fragment
as ``models.logs.view`` does on the server: the page sets the view from a click without asking the server, so the
two must agree case by case (Node runs the page's own script)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from models.logs import view as views
from webapp.components.logs_figures import _text
from webapp.views.logs.view_state import url_hash, view_from_hash

SCRIPT = Path(__file__).resolve().parents[3] / "assets" / "logs.js"
RUN = """
global.window = {}; global.performance = {now: () => 0};
require(process.argv[1]);
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
const v = window.glassboxLogsView;
const out = cases.map(([view, dim, label, additive]) => {
    const next = dim === "range" ? v.withoutRange(view) : v.toggle(view, dim, v.chartValue(label), additive);
    return next && {view: next, hash: v.urlHash(next)};
});
process.stdout.write(JSON.stringify(out));
"""

EMPTY = views.DEFAULT_VIEW
BUSY = {
    "source": "upload:ab12",
    "granularity": "minute",
    "page": 3,
    "filters": {
        "start": 1_700_000_000,
        "end": 1_700_086_400,
        "days": ["2024-01-05", "2024-01-07"],
        "hours": [3, 17],
        "products": ["(none)", "P-1", "a b"],
        "categories": ["books"],
        "statuses": [404, 500],
    },
}
LABELS = {
    "products": ["P-1", "P-2", "<b>x</b>", "a&amp;b", "tom & jerry", "é~ü", "50% off!*()'", "(none)", "a b", ""],
    "categories": ["books", "<i>", "x&lt;y"],
    "days": ["2024-01-05", "2024-01-06"],
    "hours": [0, 3, 7.0, 23, "17"],
    "statuses": [200, "404", "500", 500.0],
}


def _cases() -> list[tuple[dict, str, object, bool]]:
    cases = []
    for view in (EMPTY, BUSY):
        for dimension, labels in LABELS.items():
            for label in labels:
                drawn = _text(label) if dimension in ("products", "categories") else label  # as the chart holds it
                cases.extend((view, dimension, drawn, additive) for additive in (False, True))
        cases.append((view, "range", "", True))  # the range chip removed
    return cases


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js is needed (the README's test command installs it with npm)")
        pytest.skip("Node.js is not installed")
    return node


def _browser_answers(cases: list) -> list:
    """What the page's script answers to each case, run in Node."""
    done = subprocess.run(
        [_node(), "-e", RUN, str(SCRIPT)], input=json.dumps(cases), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_a_click_in_the_browser_gives_the_servers_view_and_fragment():
    cases = _cases()
    answers = _browser_answers(cases)
    assert len(answers) == len(cases) > 90
    for (view, dimension, label, additive), answer in zip(cases, answers, strict=True):
        if dimension == "range":
            expected = views.with_range(view, None, None)
        else:
            expected = views.toggle(view, dimension, views.chart_value(label), additive)
        assert answer == {"view": expected, "hash": url_hash(expected)}, (view, dimension, label, additive)
        # ... and the fragment, opened as a link, gives the same filters back ("é~ü" once came back split).
        assert view_from_hash(answer["hash"])["filters"] == _as_linked(expected["filters"]), answer["hash"]
    # The cases cover each way a click changes a selection: replaced, added to, and a value removed.
    hours = [
        a["view"]["filters"]["hours"] for c, a in zip(cases, answers, strict=True) if c[0] is BUSY and c[1] == "hours"
    ]
    assert [3] in hours or [17] in hours  # 3 or 17 clicked again: removed
    assert [0, 3, 17] in hours and [0] in hours  # added (shift) and replaced (plain)


def _as_linked(filters: dict) -> dict:
    """Filters as a link gives them back: the fragment holds text (an empty label it cannot hold), and the view reads
    hours and statuses as ints."""
    return views.view_from_state(
        {k: [str(v) for v in value if v != ""] if isinstance(value, list) else value for k, value in filters.items()}
    )["filters"]


def test_list_items_holding_the_separator_or_a_percent_come_back_whole_from_a_link():
    view = {**EMPTY, "filters": {**EMPTY["filters"], "products": ["/a~b", "50%7E", "~", "%", "x"]}}
    fragment = url_hash(view)
    assert view_from_hash(fragment)["filters"]["products"] == sorted(["/a~b", "50%7E", "~", "%", "x"]), fragment
    # An older link (items not escaped) reads as it did.
    assert view_from_hash("#products=P-1~a+b~50%25+off")["filters"]["products"] == sorted(["P-1", "a b", "50% off"])


def test_a_click_on_a_value_no_filter_can_hold_changes_nothing():
    """Not a number for hours or statuses, or a dimension no chart has: no view (the page keeps the one it has)."""
    probe = [[EMPTY, "hours", "noon", False], [EMPTY, "statuses", None, True], [EMPTY, "colour", "red", False]]
    assert _browser_answers(probe) == [None, None, None]


def test_a_label_the_url_cannot_hold_still_changes_the_view():
    """A lone surrogate (a log line's undecodable bytes can become one): encodeURIComponent refuses it, as Python's
    quote_plus does; the filter still applies, the URL is left as it was (no fragment), for a click and a chip."""
    view = {**EMPTY, "filters": {**EMPTY["filters"], "products": ["\ud800x"]}}
    clicked, chipped = _browser_answers([[EMPTY, "products", "\ud800x", False], [view, "range", "", True]])
    assert clicked == {"view": {**view, "page": 0}, "hash": None}
    assert chipped["hash"] is None and chipped["view"]["filters"]["products"] == ["\ud800x"]
