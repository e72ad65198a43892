"""Click → repaint on the logs page in headless Chromium, p50/p95 over N clicks, on N generated events.

    .venv/bin/python bench/logs_browser.py [--lines 10000000] [--clicks 30] [--granularity hour] [--breakdown]
                                           [--pointer headless|mouse]

The app serves a generated log stored as an upload (``bench/logs_filter.py`` generates and caches
it as Parquet) from a threaded server on a free port; Chromium opens the logs page on it and
clicks bars of the hour-of-day chart, one hour then another (a click filters every view). Each
click is timed in the page: from the ``mousedown`` (a capturing listener) to the last
``plotly_react`` of the seven charts once every one of them has drawn again. Goal: p95 ≤ 300 ms.

``plotly_react``, not ``plotly_afterplot``: Plotly.react emits ``plotly_react`` once its drawing is
done, every time. ``plotly_afterplot`` is skipped when Plotly counts a redraw for automatic margins
(``_redrawFromAutoMarginCount``): after some clicks one chart (the category bars, whose tick labels
change width) drew the new data without it, and runs of 15+ clicks waited for it forever.

The pointer: headless Chromium tells pages it has no hover-capable pointer (``(hover: none)`` matches, as on a
phone), and Plotly then handles a press on a chart the touch way: it sets the cursor on ``<html>`` on mousedown and
back on mouseup, and each change restyled the whole document (~1,500 elements, 12–20 ms of CPU each here); with a
mouse (a desktop browser) it lays a transparent cover over the page instead, which restyles nothing else.
``--pointer mouse`` makes Chromium report a mouse (Blink's pointer and hover settings). The default stays headless
Chromium's own, so the figures compare with earlier ones. Since ``assets/glassbox.css`` gives the body its own
cursor on such devices, the cursor change stops at the body and restyles nothing else (a forced restyle after it:
19-38 ms before, ~0.2 ms after), so the two pointers now take much the same path.

Next to wall time it prints CPU per click: every Chromium process, the page's main thread, the GPU
process (software WebGL) and the app's process; on a shared machine CPU time compares runs better
than wall time (print the load average with it). ``--breakdown`` prints each click's phases: the
Dash requests (start → end from the mousedown, server time, response size) and each chart's
Plotly.react (start + duration).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
from logs_filter import app_with_source, load
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.action_chains import ActionChains
from werkzeug.serving import make_server

from models.logs import sources

GRAPHS = [
    "logs-timeseries",
    "logs-daily",
    "logs-hourly",
    "logs-products",
    "logs-categories",
    "logs-status",
    "logs-heatmap",
]

# Listeners: the time of each mousedown, and of each chart's latest Plotly.react (see the docstring).
WATCH = """
window.__bench = {down: 0, up: 0, plots: {}};
document.addEventListener('mousedown', () => { window.__bench.down = performance.now(); }, true);
document.addEventListener('mouseup', () => { window.__bench.up = performance.now(); }, true);
for (const id of arguments[0]) {
    const el = document.querySelector('#' + id + ' .js-plotly-plot');
    el.on('plotly_react', () => {
        window.__bench.plots[id] = performance.now();
        if (window.__bench.check) { window.__bench.check(); }
    });
}
"""
# With --breakdown: each Plotly.react's start and end per chart, for the phases of a click.
WRAP_REACT = """
window.__reacts = [];
const react = Plotly.react;
Plotly.react = function (gd, ...rest) {
    const entry = {id: gd.parentElement && gd.parentElement.id, start: performance.now()};
    window.__reacts.push(entry);
    return react.call(this, gd, ...rest).then((out) => { entry.end = performance.now(); return out; });
};
"""
# The phases of the last click (ms from its mousedown): the Dash requests (server time = first byte −
# request sent; size = response bytes) and each chart's Plotly.react (start, duration).
PHASES = """
const down = window.__bench.down;
const requests = performance.getEntriesByType('resource')
    .filter(e => e.name.includes('_dash-update-component') && e.startTime >= down)
    .map(e => ({start: e.startTime - down, server: e.responseStart - e.requestStart,
                end: e.responseEnd - down, bytes: e.encodedBodySize}));
const reacts = window.__reacts.filter(r => r.start >= down && r.end)
    .map(r => ({id: r.id, start: r.start - down, ms: r.end - r.start}));
return {up: window.__bench.up - down, requests, reacts};
"""
# Milliseconds from the last mousedown to the last chart's plotly_react, once all charts drew after it:
# the page calls back when they have (no polling from here, which would run scripts in the page meanwhile).
REPAINT = """
const done = arguments[arguments.length - 1], b = window.__bench, ids = arguments[0];
b.check = () => {
    if (b.down && ids.every(id => (b.plots[id] || 0) > b.down)) {
        b.check = null;
        done(Math.max(...ids.map(id => b.plots[id])) - b.down);
    }
};
b.check();
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# What a desktop browser with a mouse reports to ``(hover: …)`` and ``(pointer: …)`` (Blink's ui::HoverType and
# ui::PointerType: 2 = hover, 4 = fine); headless Chromium reports neither (see the docstring).
MOUSE = "--blink-settings=primaryHoverType=2,availableHoverTypes=2,primaryPointerType=4,availablePointerTypes=4"


def _browser(pointer: str = "headless") -> webdriver.Chrome:
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    if pointer == "mouse":
        options.add_argument(MOUSE)
    # --no-sandbox: as dash.testing does, so it runs as root in CI containers.
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--no-first-run",
        "--disable-background-networking",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options)


def _text(driver, css: str) -> str:
    """The text of an element, "" while the page has not drawn it."""
    found = driver.find_elements("css selector", css)
    return found[0].text if found else ""


def _until(check, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.01)
    raise TimeoutError("the page did not get there in time")


def _cpu_seconds(driver) -> dict[str, float]:
    """CPU seconds so far of Chromium's processes (children of chromedriver) and of this process (the app)."""
    seconds = {"browser": 0.0, "gpu": 0.0, "main": 0.0}
    for child in psutil.Process(driver.service.process.pid).children(recursive=True):
        try:
            times = child.cpu_times()
            seconds["browser"] += times.user + times.system
            command = child.cmdline()
            if "--type=gpu-process" in command:
                seconds["gpu"] += times.user + times.system
            elif "--type=renderer" in command:  # the page's main thread: its thread id is the process id
                main = [t for t in child.threads() if t.id == child.pid]
                seconds["main"] = max(seconds.get("main", 0.0), sum(t.user_time + t.system_time for t in main))
        except psutil.NoSuchProcess:
            pass
    own = psutil.Process().cpu_times()
    return {**seconds, "server": own.user + own.system}


def _print_phases(total: float, phases: dict) -> None:
    requests = "; ".join(
        f"{r['start']:.0f}→{r['end']:.0f} (server {r['server']:.0f}, {r['bytes'] / 1024:.0f} KiB)"
        for r in phases["requests"]
    )
    reacts = " ".join(
        f"{r['id'].removeprefix('logs-')}@{r['start']:.0f}+{r['ms']:.0f}"
        for r in sorted(phases["reacts"], key=lambda r: r["start"])
    )
    print(f"{total:.0f} ms: mouseup {phases['up']:.0f}, requests {requests} | react {reacts}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--clicks", type=int, default=30)
    parser.add_argument("--granularity", default="hour", choices=["minute", "hour", "day"])
    parser.add_argument("--breakdown", action="store_true", help="print each click's requests and Plotly.react times")
    parser.add_argument(
        "--pointer",
        default="headless",
        choices=["headless", "mouse"],
        help="the pointer Chromium reports (see the docstring)",
    )
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "glassbox-bench")
    args = parser.parse_args()
    events, parquet = load(args.lines, args.cache)
    del events
    app, source = app_with_source(parquet)
    # The source menu lists built-in sources, server files and this session's uploads: a page opened
    # on a link to an upload would not offer it, so the bench lists it as built in (this process only).
    sources.BUILTIN[source] = f"Bench: {args.lines:,} generated events"
    port = _free_port()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    driver = _browser(args.pointer)
    try:
        began = time.perf_counter()
        driver.get(f"http://127.0.0.1:{port}/logs#source={source}&granularity={args.granularity}")
        _until(lambda: "matching" in _text(driver, "#logs-pager"), timeout=600)
        print(
            f"{args.lines:,} events: first dashboard in {time.perf_counter() - began:.1f} s (opening the stored source)"
        )
        driver.execute_script(WATCH, GRAPHS)
        driver.set_script_timeout(60)  # a click's repaint
        if args.breakdown:
            driver.execute_script(WRAP_REACT)
            driver.execute_script("performance.setResourceTimingBufferSize(100000)")
        times = []
        cpu_before = _cpu_seconds(driver)
        for i in range(args.clicks):
            bars = driver.find_elements("css selector", "#logs-hourly .bars .point path")
            bar = bars[(7 * i) % len(bars)]  # another hour each time: every click changes the filter
            ActionChains(driver).move_to_element(bar).click().perform()
            times.append(driver.execute_async_script(REPAINT, GRAPHS))
            if args.breakdown:
                _print_phases(times[-1], driver.execute_script(PHASES))
            time.sleep(0.2)  # let the hover label settle before the next click
        cpu = {side: (after - cpu_before[side]) * 1000 / args.clicks for side, after in _cpu_seconds(driver).items()}
        assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"], driver.get_log("browser")
    finally:
        driver.quit()
        server.shutdown()
        # The fresh data folder ``app_with_source`` made holds the source's store (~1.3 GB at 10M events).
        shutil.rmtree(app.server.config["DATA_DIR"], ignore_errors=True)
    print("click → repaint per click (ms):", " ".join(f"{t:.0f}" for t in times))
    print(
        f"CPU per click (less sensitive to a busy machine than wall time): browser {cpu['browser']:.0f} ms "
        f"(every Chromium process; the page's main thread {cpu['main']:.0f} ms; "
        f"GPU process, SwiftShader for WebGL: {cpu['gpu']:.0f} ms), server {cpu['server']:.0f} ms (this process)"
    )
    print("load average (1, 5, 15 min): " + " ".join(f"{n:.2f}" for n in os.getloadavg()))
    print(
        f"click → repaint p50 {np.percentile(times, 50):.0f} ms, p95 {np.percentile(times, 95):.0f} ms "
        f"({args.clicks} clicks, {args.granularity} granularity, {args.lines} events, {args.pointer} pointer; "
        "goal p95 ≤ 300 ms)"
    )


if __name__ == "__main__":
    main()
