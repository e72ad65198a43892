"""The logs page in a real browser: cross-filtering clicks, an interval drag, shareable URLs, bad uploads."""

import gzip

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.browser


def _trace(dash_duo, graph_id, index=0, axis="x"):
    """What Plotly drew: ``_fullData`` holds decoded arrays (``data`` may hold base64 typed arrays)."""
    return dash_duo.driver.execute_script(
        f"const el = document.querySelector('#{graph_id} .js-plotly-plot');"
        f"return el && el._fullData && el._fullData[{index}] ? Array.from(el._fullData[{index}].{axis} || []) : null;"
    )


def _pager(dash_duo):
    return dash_duo.find_element("#logs-pager").text


def _matching(dash_duo) -> int:
    return int(_pager(dash_duo).split(" of ")[1].split(" ")[0].replace(",", ""))


def _open(dash_duo, app, path="/logs"):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + path)
    until(lambda: "matching" in _pager(dash_duo), timeout=60)


def test_logs_page_renders_every_view_with_an_empty_console(dash_duo, app):
    _open(dash_duo, app)
    for graph in ("logs-timeseries", "logs-daily", "logs-hourly", "logs-products", "logs-categories"):
        assert len(_trace(dash_duo, graph, axis="y")) > 0, graph
    assert "500" in _trace(dash_duo, "logs-status", axis="labels")
    assert len(_trace(dash_duo, "logs-heatmap", axis="y")) == 7
    assert _matching(dash_duo) == 200_000
    assert len(dash_duo.find_elements("#logs-events .ag-row")) > 0
    assert dash_duo.get_logs() == []


def test_clicking_a_status_slice_filters_products_and_the_url_reproduces_it(dash_duo, app):
    _open(dash_duo, app)
    before = _trace(dash_duo, "logs-products", axis="x")
    statuses = _trace(dash_duo, "logs-status", axis="labels")
    target = statuses.index("500")
    slices = dash_duo.find_elements("#logs-status g.slice path.surface")
    ActionChains(dash_duo.driver).move_to_element(slices[target]).click().perform()
    dash_duo.wait_for_text_to_equal("#logs-chips button", "status: 500 ×")
    until(lambda: _trace(dash_duo, "logs-products", axis="x") != before, timeout=10)
    after = _trace(dash_duo, "logs-products", axis="x")
    assert sum(after) < sum(before)
    filtered = _matching(dash_duo)
    assert filtered < 200_000
    statuses_in_table = {cell.text for cell in dash_duo.find_elements("#logs-events .ag-row [col-id='status']")}
    assert statuses_in_table == {"500"}

    url = dash_duo.driver.current_url
    assert "statuses=500" in url
    dash_duo.driver.get("about:blank")
    dash_duo.driver.get(url)
    dash_duo.wait_for_text_to_equal("#logs-chips button", "status: 500 ×", timeout=30)  # a reload under load
    until(lambda: _matching(dash_duo) == filtered, timeout=30)
    assert _trace(dash_duo, "logs-products", axis="x") == after

    dash_duo.find_element("#logs-chips button").click()  # remove the chip
    until(lambda: _matching(dash_duo) == 200_000, timeout=10)
    assert dash_duo.get_logs() == []


def test_dragging_an_interval_filters_daily_chart_and_table(dash_duo, app):
    _open(dash_duo, app)
    daily_before = _trace(dash_duo, "logs-daily", axis="y")
    drag = dash_duo.find_element("#logs-timeseries .nsewdrag")
    width = drag.size["width"]
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", drag)
    actions = ActionChains(dash_duo.driver)
    actions.move_to_element(drag).move_by_offset(-int(width * 0.2), 0).click_and_hold()
    actions.move_by_offset(int(width * 0.25), 0).release().perform()
    until(lambda: any("→" in b.text for b in dash_duo.find_elements("#logs-chips button")), timeout=10)
    daily_after = _trace(dash_duo, "logs-daily", axis="y")
    assert daily_after != daily_before
    assert sum(daily_after) < sum(daily_before)
    zero_days = [i for i, n in enumerate(daily_after) if n == 0]
    assert zero_days and 0 in zero_days  # the first day lies before the interval
    assert _matching(dash_duo) == sum(daily_after)
    assert "start=" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("binary.log", b"\x00\x01\x02\x03" * 100, "binary"),
        ("empty.log", b"", "empty"),
        ("numbers.csv", b"date,value\n2023-01-01,3\n", "none of its 2 lines"),
        ("junk.log", b"hello world\n[01/May/2023] GET /x\n\nnot a log line either\n", "none of its 4 lines"),
    ],
)
def test_bad_uploads_explain_themselves_and_keep_the_data(dash_duo, app, tmp_path, name, content, message):
    _open(dash_duo, app)
    path = tmp_path / name
    path.write_bytes(content)
    dash_duo.find_element("#logs-upload input[type=file]").send_keys(str(path))
    dash_duo.wait_for_contains_text("#logs-upload-error", message, timeout=15)
    assert _matching(dash_duo) == 200_000
    assert dash_duo.get_logs() == []


def test_a_log_without_product_ids_loads_and_says_so(dash_duo, app, tmp_path):
    _open(dash_duo, app)
    line = '10.0.0.{i} - - [01/May/2023:10:{m:02d}:00 +0000] "GET /about/page{i}.html HTTP/1.1" 200 512 "-" "curl/8"\n'
    path = tmp_path / "plain.log"
    path.write_text("".join(line.format(i=i, m=i % 60) for i in range(50)))
    dash_duo.find_element("#logs-upload input[type=file]").send_keys(str(path))
    dash_duo.wait_for_contains_text("#logs-upload-ok", "No product ids were found", timeout=15)
    until(lambda: _matching(dash_duo) == 50, timeout=15)
    assert dash_duo.get_logs() == []


def test_a_good_upload_replaces_the_data(dash_duo, app, tmp_path):
    _open(dash_duo, app)
    line = '10.0.0.{i} - - [01/May/2023:10:{m:02d}:00 +0000] "GET /product.screen?productId=P{p} HTTP/1.1" {s} 100 "-" "Mozilla/5.0"\n'
    text = "".join(line.format(i=i % 250, m=i % 60, p=i % 3, s=200 if i % 4 else 503) for i in range(120)) + "garbage\n"
    path = tmp_path / "shop.log.gz"
    path.write_bytes(gzip.compress(text.encode()))
    dash_duo.find_element("#logs-upload input[type=file]").send_keys(str(path))
    dash_duo.wait_for_contains_text("#logs-upload-ok", "120 events parsed from 121 lines", timeout=15)
    dash_duo.wait_for_contains_text("#logs-upload-ok", "line 121: garbage", timeout=5)
    until(lambda: _matching(dash_duo) == 120, timeout=15)
    assert sorted(_trace(dash_duo, "logs-products", axis="y")) == ["P0", "P1", "P2"]
    assert dash_duo.get_logs() == []


SERVED_LINE = '10.0.0.{i} - - [01/May/2023:10:{m:02d}:{s:02d} +0000] "GET /product.screen?productId=P{p} HTTP/1.1" {code} 100 "-" "Mozilla/5.0"\n'


def _served_lines(first, count):
    return "".join(
        SERVED_LINE.format(i=i % 250, m=i // 60 % 60, s=i % 60, p=i % 3, code=200 if i % 4 else 503)
        for i in range(first, first + count)
    )


@pytest.fixture
def served(tmp_path):
    path = tmp_path / "served" / "access.log"
    path.parent.mkdir()
    path.write_text(_served_lines(0, 120))
    (tmp_path / "served" / "private.txt").write_text("not a configured file\n")
    return path


@pytest.fixture
def app_with_paths(app_config, served):
    from webapp import create_app

    return create_app({**app_config, "LOG_PATHS": str(served.parent / "*.log")})


def test_a_configured_server_file_is_in_the_source_menu_and_nothing_else_opens(dash_duo, app_with_paths, served):
    _open(dash_duo, app_with_paths)
    dash_duo.select_dcc_dropdown("#logs-source", value=f"Server: {served}")
    until(lambda: _matching(dash_duo) == 120, timeout=15)
    assert "Server file" in _pager(dash_duo)
    assert f"source=path%3A{str(served).replace('/', '%2F')}" in dash_duo.driver.current_url

    crafted = str(served.parent / ".." / "served" / "private.txt")
    dash_duo.driver.get(dash_duo.server_url + "/logs#source=path:" + crafted)
    dash_duo.wait_for_contains_text("#logs-source-error", "only the files named by GLASSBOX_LOG_PATHS", timeout=15)
    assert dash_duo.get_logs() == []


def test_live_mode_appends_new_lines_without_a_reload(dash_duo, app_with_paths, served):
    _open(dash_duo, app_with_paths, f"/logs#source=path:{served}")
    until(lambda: _matching(dash_duo) == 120, timeout=15)
    drawn = len(_trace(dash_duo, "logs-timeseries", axis="y"))
    dash_duo.driver.execute_script("window.__sameDocument = true;")
    dash_duo.find_element("#logs-live-switch").click()
    with open(served, "a") as out:
        out.write(_served_lines(120, 3000))  # 50 more minutes
    until(lambda: _matching(dash_duo) == 3120, timeout=20)
    assert dash_duo.find_element("#logs-stat-events").text == "3,120"
    assert dash_duo.driver.execute_script("return window.__sameDocument === true;")
    series = _trace(dash_duo, "logs-timeseries", axis="y")
    assert sum(series) == 3120 and len(series) >= drawn

    dash_duo.find_element("#logs-live-switch").click()  # off: the file keeps growing, the page stays
    with open(served, "a") as out:
        out.write(_served_lines(3120, 60))
    dash_duo.wait_for_text_to_equal("#logs-stat-events", "3,120", timeout=5)
    assert dash_duo.get_logs() == []


RECORD_PROGRESS = """
window.__progress = [];
const bar = document.querySelector('#logs-upload-progress');
new MutationObserver(() => {
    const inner = bar.querySelector('.progress-bar');
    if (inner) { window.__progress.push([parseInt(inner.getAttribute('aria-valuenow') || '0', 10), inner.textContent]); }
}).observe(bar, {subtree: true, attributes: true, childList: true, characterData: true});
"""


def test_an_upload_arrives_in_chunks_behind_a_progress_bar(dash_duo, app, tmp_path, monkeypatch):
    import webapp.views.logs.layout as logs_layout
    from models.logs.generate import write_log

    monkeypatch.setattr(logs_layout, "UPLOAD_CHUNK_BYTES", 256 * 1024)
    path = write_log(tmp_path / "shop.log", 20_000, seed=1)
    _open(dash_duo, app)
    dash_duo.driver.execute_script(RECORD_PROGRESS)
    dash_duo.find_element("#logs-upload input[type=file]").send_keys(str(path))
    dash_duo.wait_for_contains_text("#logs-upload-ok", "20,000 events parsed", timeout=30)
    until(lambda: _matching(dash_duo) == 20_000, timeout=15)
    shown = dash_duo.driver.execute_script("return window.__progress;")
    steps = sorted({value for value, _ in shown if 0 < value < 100})
    assert len(steps) >= 5, shown  # one step per acknowledged chunk: ~4.6 MiB in 256 KiB chunks
    assert any("MiB" in label and " of " in label for _, label in shown)
    assert any("parsing" in label for _, label in shown)
    assert dash_duo.find_element("#logs-upload-progress").text == "uploaded, parsed"
    assert not list((tmp_path / "data" / "logs" / "incoming").glob("*.part"))
    assert dash_duo.get_logs() == []


def test_an_upload_over_the_limit_is_refused_before_it_is_sent(dash_duo, app_config, tmp_path):
    from webapp import create_app

    path = tmp_path / "big.log"
    path.write_bytes(b"x" * (3 * 2**20 // 2))
    _open(dash_duo, create_app({**app_config, "MAX_UPLOAD_MB": 1}))
    dash_duo.find_element("#logs-upload input[type=file]").send_keys(str(path))
    dash_duo.wait_for_contains_text("#logs-upload-error", "the upload limit is 1 MiB", timeout=15)
    assert _matching(dash_duo) == 200_000
    assert dash_duo.get_logs() == []


PRODUCT_LINE = '10.0.0.{i} - - [01/May/2023:10:{m:02d}:{s:02d} +0000] "GET /product.screen?productId={p} HTTP/1.1" {code} 100 "-" "Mozilla/5.0"\n'


@pytest.fixture
def shop(tmp_path):
    """A server log of 15 products with 16, 15, ..., 2 events, and one product id that is markup."""
    products = [f"P{k:02d}" for k in range(14)] + ["<b>x</b>"]
    lines = [
        (p, 16 - k) for k, p in enumerate(products) for _ in range(16 - k)
    ]  # (product, its count): the top 10 hold 115 events
    path = tmp_path / "shop" / "access.log"
    path.parent.mkdir()
    path.write_text(
        "".join(
            PRODUCT_LINE.format(i=i % 250, m=i // 60, s=i % 60, p=p, code=200 if i % 4 else 503)
            for i, (p, _) in enumerate(lines)
        )
    )
    return path


@pytest.fixture
def app_with_shop(app_config, shop):
    from webapp import create_app

    return create_app({**app_config, "LOG_PATHS": str(shop)})


def _outside_the_top_10(path) -> tuple[int, set]:
    """The events of the products outside the 10 largest, from the models layer and from plain pandas."""
    from models.logs.aggregate import OTHER, Events, Filters, dashboard
    from models.logs.parse import parse_bytes

    table = parse_bytes(path.read_bytes(), name="access.log").table
    shown = dashboard(Events.from_table(table), Filters())["products"]
    counted = int(shown.loc[shown["label"] == OTHER, "events"].iloc[0])
    counts = table.to_pandas()["product"].value_counts()
    counts = counts.rename_axis("label").reset_index().sort_values(["count", "label"], ascending=[False, True])
    outside = set(counts["label"].iloc[10:])
    assert counted == int(counts["count"].iloc[10:].sum())
    return counted, outside


def test_the_other_bar_selects_every_product_outside_the_top_10(dash_duo, app_with_shop, shop):
    expected, outside = _outside_the_top_10(shop)
    assert expected == 20 and len(outside) == 5
    _open(dash_duo, app_with_shop, f"/logs#source=path:{shop}")
    until(lambda: _matching(dash_duo) == 135, timeout=15)
    labels = _trace(dash_duo, "logs-products", axis="y")
    assert labels[-1] == "other"
    bars = dash_duo.find_elements("#logs-products g.point path")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", bars[-1])
    ActionChains(dash_duo.driver).move_to_element(bars[-1]).click().perform()
    until(lambda: _matching(dash_duo) != 135, timeout=15)
    assert _matching(dash_duo) == expected  # before the fix: 0, a product literally named "other"
    dash_duo.wait_for_text_to_equal("#logs-chips button", "product: other (outside the top 10) ×", timeout=15)
    assert dash_duo.find_element("#logs-stat-events").text == f"{expected:,}"
    products = {cell.text for cell in dash_duo.find_elements("#logs-events .ag-row [col-id='product']")}
    assert products and products <= outside
    assert "products=other" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_markup_in_a_product_id_is_shown_literally(dash_duo, app_with_shop, shop):
    _open(dash_duo, app_with_shop, f"/logs#source=path:{shop}&products=%3Cb%3Ex%3C%2Fb%3E")
    until(lambda: _matching(dash_duo) == 2, timeout=15)
    dash_duo.wait_for_text_to_equal("#logs-chips button", "product: <b>x</b> ×", timeout=15)
    ticks = [t.get_attribute("textContent") for t in dash_duo.find_elements("#logs-products .ytick text")]
    assert "<b>x</b>" in ticks, ticks
    bold = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#logs-products .ytick text tspan'))"
        ".filter(t => t.style.fontWeight === 'bold' || t.getAttribute('style') && t.getAttribute('style').includes('bold')).length;"
    )
    assert bold == 0
    assert dash_duo.get_logs() == []


def test_an_empty_view_says_no_events_match(dash_duo, app_with_paths, served):
    start = 1682935200  # 2023-05-01 10:00 UTC: the served log's first minute
    _open(dash_duo, app_with_paths, f"/logs#source=path:{served}&statuses=299&start={start}&end={start + 90}")
    until(lambda: "status: 299 ×" in [b.text for b in dash_duo.find_elements("#logs-chips button")], timeout=15)
    until(lambda: _matching(dash_duo) == 0, timeout=15)
    for graph in ("logs-timeseries", "logs-daily", "logs-hourly", "logs-products", "logs-categories", "logs-heatmap"):
        dash_duo.wait_for_contains_text(f"#{graph} .annotation-text", "No events match", timeout=10)
        assert not dash_duo.find_elements(f"#{graph} .ytick text"), graph  # no -1..1 axes
    assert not dash_duo.find_elements("#logs-heatmap .colorbar")
    legend = [t.get_attribute("textContent") for t in dash_duo.find_elements("#logs-timeseries .legendtext")]
    assert not any("trend" in text for text in legend), legend
    assert dash_duo.get_logs() == []


def test_the_live_switch_says_why_it_is_off(dash_duo, app_with_paths, served):
    _open(dash_duo, app_with_paths)
    dash_duo.wait_for_contains_text("#logs-live-hint", "pick one in the source menu", timeout=10)
    assert not dash_duo.find_element("#logs-live-switch").is_enabled()
    dash_duo.select_dcc_dropdown("#logs-source", value=f"Server: {served}")
    until(lambda: dash_duo.find_element("#logs-live-switch").is_enabled(), timeout=15)
    assert dash_duo.find_element("#logs-live-hint").text == ""
    assert dash_duo.get_logs() == []


def test_without_log_paths_live_says_it_needs_them(dash_duo, app):
    _open(dash_duo, app)
    dash_duo.wait_for_contains_text("#logs-live-hint", "GLASSBOX_LOG_PATHS", timeout=10)
    assert not dash_duo.find_element("#logs-live-switch").is_enabled()
    assert not dash_duo.find_elements(".btn-outline-undefined")  # every button has a colour and a border
    assert dash_duo.get_logs() == []


def test_a_refused_upload_does_not_say_it_was_parsed(dash_duo, app, tmp_path):
    path = tmp_path / "chart.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    _open(dash_duo, app)
    dash_duo.driver.execute_script(RECORD_PROGRESS)
    dash_duo.find_element("#logs-upload input[type=file]").send_keys(str(path))
    dash_duo.wait_for_element("#logs-upload-error", timeout=15)
    until(lambda: "d-none" in dash_duo.find_element("#logs-upload-progress").get_attribute("class"), timeout=10)
    shown = dash_duo.driver.execute_script("return window.__progress;")
    assert not any("parsed" in label for _, label in shown), shown
    assert _matching(dash_duo) == 200_000
    assert dash_duo.get_logs() == []


def test_the_status_title_fits_its_chart(dash_duo, app):
    dash_duo.driver.set_window_size(900, 1000)  # three charts a row: the narrowest the status pie gets
    _open(dash_duo, app)
    until(lambda: dash_duo.find_elements("#logs-status .gtitle"), timeout=15)
    overflow = dash_duo.driver.execute_script(
        "const svg = document.querySelector('#logs-status .main-svg').getBoundingClientRect();"
        "const title = document.querySelector('#logs-status .gtitle').getBoundingClientRect();"
        "return [title.left - svg.left, svg.right - title.right];"
    )
    assert min(overflow) >= 0, overflow
    assert dash_duo.get_logs() == []


# Every Dash callback request from now on, by the outputs it asks for.
RECORD_REQUESTS = """
window.__asked = [];
const fetched = window.fetch;
window.fetch = function (url, options) {
    if (String(url).includes('_dash-update-component') && options && options.body) {
        window.__asked.push(JSON.parse(options.body).output);
    }
    return fetched.apply(this, arguments);
};
"""


def _asked(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script("const asked = window.__asked; window.__asked = []; return asked;")


def test_a_click_asks_only_for_the_view_and_its_drawing_and_a_new_source_for_the_rest(dash_duo, app_with_paths, served):
    """A click asks the server for one thing, its drawing: the view and the URL are set in the browser (four
    requests a click two rounds ago, two before this one); what depends on the source alone (the prepare request, the
    share note) is not asked for on a click that keeps the source. The stat cards and comparison table change
    their texts in place. Opening another source (here by a link's fragment) still asks for both."""
    _open(dash_duo, app_with_paths)
    before = _trace(dash_duo, "logs-products", axis="x")
    dash_duo.driver.execute_script(RECORD_REQUESTS)
    # The stat cards and the comparison table stay on the page; a click changes their texts only.
    dash_duo.driver.execute_script("document.querySelector('#logs-stat-events').__kept = true;")
    slices = dash_duo.find_elements("#logs-status g.slice path.surface")
    target = _trace(dash_duo, "logs-status", axis="labels").index("500")
    ActionChains(dash_duo.driver).move_to_element(slices[target]).click().perform()
    dash_duo.wait_for_text_to_equal("#logs-chips button", "status: 500 ×")
    until(lambda: _trace(dash_duo, "logs-products", axis="x") != before, timeout=10)
    until(lambda: {c.text for c in dash_duo.find_elements("#logs-events .ag-row [col-id='status']")} == {"500"}, 10)
    asked = _asked(dash_duo)
    assert len(asked) == 1 and "logs-events.rowData" in asked[0], asked  # the drawing, nothing before it
    assert "statuses=500" in dash_duo.driver.current_url  # the link follows the click all the same
    assert not [o for o in asked if "logs-prepare" in o or "logs-share-note" in o], asked
    pulled = _trace(dash_duo, "logs-status", axis="pull")  # the clicked chart: its colours only (a Patch)
    assert pulled[target] > 0 and not [p for i, p in enumerate(pulled) if p and i != target], pulled
    matching = f"{_matching(dash_duo):,}"
    assert dash_duo.find_element("#logs-stat-events").text == matching
    assert dash_duo.find_element("#logs-compare-events-selected").text == matching
    assert dash_duo.find_element("#logs-compare-events-previous").text == "—"  # no range selected
    assert dash_duo.driver.execute_script("return document.querySelector('#logs-stat-events').__kept === true;")

    dash_duo.driver.execute_script("window.location.hash = arguments[0]", f"#source=path:{served}")  # a link
    until(lambda: _matching(dash_duo) == 120, timeout=15)
    asked = _asked(dash_duo)
    assert [o for o in asked if "logs-prepare.data" in o], asked
    assert [o for o in asked if "logs-share-note.children" in o], asked
    assert dash_duo.get_logs() == []


def _chips(dash_duo) -> list[str]:
    """The filter chips' texts, read in one go (a drawing replaces them)."""
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#logs-chips button'), (b) => b.innerText.trim());"
    )


def test_shift_click_adds_a_filter_and_the_back_button_takes_each_click_back(dash_duo, app):
    """The view a click sets in the browser is in the history like any other: shift adds to the selection, and
    Back walks through what was shown (the fragment goes to the server only then)."""
    _open(dash_duo, app)
    labels = _trace(dash_duo, "logs-status", axis="labels")
    slices = dash_duo.find_elements("#logs-status g.slice path.surface")
    first, second = labels.index("500"), labels.index("404")
    ActionChains(dash_duo.driver).move_to_element(slices[first]).click().perform()
    until(lambda: _chips(dash_duo) == ["status: 500 ×"], timeout=15)
    only_500 = _matching(dash_duo)
    slices = dash_duo.find_elements("#logs-status g.slice path.surface")
    ActionChains(dash_duo.driver).key_down(Keys.SHIFT).move_to_element(slices[second]).click().key_up(
        Keys.SHIFT
    ).perform()
    until(lambda: _chips(dash_duo) == ["status: 404 ×", "status: 500 ×"], timeout=15)
    until(lambda: _matching(dash_duo) > only_500, timeout=15)
    assert "statuses=404~500" in dash_duo.driver.current_url
    dash_duo.driver.back()
    until(lambda: _chips(dash_duo) == ["status: 500 ×"], timeout=15)
    until(lambda: _matching(dash_duo) == only_500, timeout=15)
    dash_duo.driver.back()
    until(lambda: _chips(dash_duo) == [], timeout=15)
    until(lambda: _matching(dash_duo) == 200_000, timeout=15)
    assert dash_duo.get_logs() == []


def test_pressing_a_chart_without_hover_restyles_the_body_no_more(dash_duo, app):
    """Headless Chromium, as a touch screen, has no hover: pressing a chart, Plotly puts the drag's cursor on <html>
    (and back on release). The body keeps its own cursor, so that change stops there instead of restyling all
    ~2,000 elements of the page twice per click (glassbox.css); the click still filters."""
    _open(dash_duo, app)
    driver = dash_duo.driver
    if not driver.execute_script("return matchMedia('(hover: none)').matches"):
        pytest.skip("this browser reports a hover-capable pointer: Plotly lays a cover instead")
    bar = dash_duo.find_elements("#logs-hourly .bars .point path")[10]
    ActionChains(driver).move_to_element(bar).click_and_hold().perform()
    try:
        pressed = driver.execute_script(
            "return [document.documentElement.style.cursor, getComputedStyle(document.body).cursor]"
        )
    finally:
        ActionChains(driver).release().perform()
    assert pressed[0] not in ("", "auto"), pressed  # Plotly did set the drag's cursor on <html> ...
    assert pressed[1] == "auto", pressed  # ... and the body did not take it
    until(lambda: dash_duo.find_elements("#logs-chips button"), timeout=30)
    assert "hour" in dash_duo.find_element("#logs-chips button").text
