"""Cold open of a big server log on the logs page, as a user sees it, in headless Chromium.

    .venv/bin/python bench/logs_cold_open.py [--lines 10000000] [--repeats 1]

A generated access log of ``--lines`` lines (cached under ``--cache`` as ``bench/logs_store.py`` caches it) is
the one file ``GLASSBOX_LOG_PATHS`` allows, and the data directory starts empty: no store. The app is served
from a threaded server on a free port with its default background-job manager (diskcache: the job runs in
its own process, as in production); Chromium opens ``/logs#source=path:<log>`` and the page is watched from
the moment it is asked for:

- ``bar``: the progress bar of the background job is on screen (the job started);
- ``moving``: the bar shows progress above 0 (the job reports as it reads);
- ``dashboard``: the pager says "... matching" (the render callback drew the file's dashboard);
- ``build`` and ``stored`` (server side): the store's hidden build folder appeared under the data directory
  (the parse began: in the early build's process, or in the job's when none was started) and the store was
  renamed into place (the parse and the store's files are done).

Times are wall-clock on whatever else the machine is doing: the load average is printed before and after.
The last line reads ``cold open <N>M lines: first dashboard <s> s (...)`` (goal ≤ 15 s on a quiet machine).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from logs_browser import _browser, _free_port
from werkzeug.serving import make_server

MB = 1 << 20
RESOURCES = """
return performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-update-component'))
    .map(e => [e.startTime, e.responseEnd]);
"""
# One look at the page: is the job's bar shown, its value and label, and the pager's text.
LOOK_BODY = """
const box = document.querySelector('#logs-prepare-box');
const bar = document.querySelector('#logs-prepare-progress .progress-bar');
const pager = document.querySelector('#logs-pager');
return [box ? !box.hidden && box.offsetParent !== null : false,
        bar ? parseInt(bar.getAttribute('aria-valuenow') || '0', 10) : 0,
        bar ? bar.textContent : '', pager ? pager.textContent : ''];
"""
LOOK = LOOK_BODY
# The same look, run by the page itself on every change of its DOM (a MutationObserver installed before the
# page's own scripts): each stage is noted with the page's clock when it happens, and the bench reads the notes
# every ``--look-every`` s. Looking through WebDriver every 20 ms instead costs the browser, chromedriver and this
# process CPU that a user's browser does not spend, on a machine whose two CPUs the parse wants too.
RECORDER = (
    """
(() => {
  const seen = window.__coldOpen = {labels: []};
  const look = () => {"""
    + LOOK_BODY
    + """};
  const note = () => {
    if (seen.dashboard !== undefined || !document.body) return;
    const [shown, value, label, pager] = look();
    const now = performance.now();
    if (shown) {
      if (seen.bar === undefined) seen.bar = now;
      if (value > 0 && seen.moving === undefined) seen.moving = now;
      const last = seen.labels[seen.labels.length - 1];
      if (label && (!last || last[1] !== label)) seen.labels.push([now, label]);
    }
    if (pager.includes('matching')) { seen.dashboard = now; seen.pager = pager; }
  };
  new MutationObserver(note).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
})();
"""
)


def log_file(lines: int, cache: Path) -> Path:
    """The generated log (``bench/logs_store.py``'s, so one 2.5 GB file serves both)."""
    from models.logs.generate import write_log

    log = cache / f"store-bench-{lines}.log"
    if not log.exists():
        began = time.perf_counter()
        cache.mkdir(parents=True, exist_ok=True)
        write_log(log, lines, seed=2)
        print(f"generated {lines:,} lines ({log.stat().st_size / MB:,.0f} MB) in {time.perf_counter() - began:.1f} s")
    return log


class Trace:
    """WSGI middleware noting each Dash callback request: its outputs, when it came and how long it took."""

    def __init__(self, app):
        self.app, self.began, self.calls = app, time.perf_counter(), []

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path != "/_dash-update-component":
            return self.app(environ, start_response)
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size)
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            output = json.loads(body).get("output", "?")
        except ValueError:
            output = "?"
        query = environ.get("QUERY_STRING", "")
        began = time.perf_counter()
        result = list(self.app(environ, start_response))
        ended = time.perf_counter()
        label = output.strip(".").split("...")[0][:60] + ("…" if "..." in output else "")
        self.calls.append((began - self.began, ended - began, label + (" (poll)" if "cacheKey" in query else "")))
        return result


def watch_build(root: Path, began: float, seen: dict, stop: threading.Event) -> None:
    """Note when a build folder (``.<key>.<id>.tmp``) first shows under the store root, and when a store does."""
    while not stop.wait(0.05):
        try:
            names = os.listdir(root)
        except FileNotFoundError:
            continue
        now = time.perf_counter() - began
        if any(n.startswith(".") and n.endswith(".tmp") for n in names):
            seen.setdefault("build", now)
        if any(not n.startswith(".") for n in names):
            seen.setdefault("stored", now)
            return


def cold_open(log: Path, cache: Path, timeout: float, trace: bool = False, look_every: float | None = 0.25) -> dict:
    """Open the log once on a fresh app with an empty data directory; the times (s) at which each stage was seen.

    ``look_every``: how often the page's own notes (``RECORDER``) are read; None looks through WebDriver every
    20 ms instead (as this bench did before)."""
    from webapp import create_app

    folder = Path(tempfile.mkdtemp(prefix="cold-open-", dir=cache))
    server = driver = None
    try:
        app = create_app({"DATA_DIR": str(folder), "LOG_PATHS": str(log), "TESTING": True})
        port = _free_port()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request (progress polls)
        wsgi = app.server.wsgi_app = Trace(app.server.wsgi_app) if trace else app.server.wsgi_app
        server = make_server("127.0.0.1", port, app.server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        driver = _browser()
        driver.get("about:blank")  # the browser's own start-up is not the page's
        if look_every is not None:
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
        seen: dict = {"labels": []}
        began = time.perf_counter()
        if trace:
            wsgi.began = began
        stop = threading.Event()
        threading.Thread(target=watch_build, args=(folder / "logstore", began, seen, stop), daemon=True).start()
        driver.get(f"http://127.0.0.1:{port}/logs#source=path:{log}")
        seen["page"] = time.perf_counter() - began  # the document loaded (Dash's renderer starts)
        # The page's clock starts when the navigation did: about when ``driver.get`` was called.
        seen["asked"] = seen["page"] - driver.execute_script("return performance.now() / 1000;")
        deadline = began + timeout
        while time.perf_counter() < deadline:
            if look_every is None:  # the old way: a look through WebDriver every 20 ms
                shown, value, label, pager = driver.execute_script(LOOK)
                now = time.perf_counter() - began
                if shown:
                    seen.setdefault("bar", now)
                    if value > 0:
                        seen.setdefault("moving", now)
                    if label and (not seen["labels"] or seen["labels"][-1][1] != label):
                        seen["labels"].append((now, label))
                if "matching" in pager:
                    seen["dashboard"] = now
                    seen["pager"] = pager
                    break
                time.sleep(0.02)
                continue
            notes = driver.execute_script("return window.__coldOpen || null;") or {}
            if "dashboard" in notes:  # the page's clock (ms since the navigation) on the bench's (s)
                for stage in ("bar", "moving", "dashboard"):
                    if stage in notes:
                        seen[stage] = notes[stage] / 1000 + seen["asked"]
                seen["labels"] = [(t / 1000 + seen["asked"], label) for t, label in notes["labels"]]
                seen["pager"] = notes["pager"]
                break
            time.sleep(look_every)
        else:
            raise TimeoutError(f"no dashboard after {timeout:.0f} s")
        stop.set()
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        if severe:
            raise RuntimeError(f"errors in the browser console: {severe}")
        if trace:
            seen["calls"] = wsgi.calls
            # When the browser sent each callback request and had its answer (s since the page was asked for).
            sent = driver.execute_script(RESOURCES)
            seen["sent"] = [(start / 1000 + seen["asked"], end / 1000 + seen["asked"]) for start, end in sent]
        seen["store_mb"] = sum(p.stat().st_size for p in (folder / "logstore").rglob("*") if p.is_file()) / MB
        return seen
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=1, help="cold opens in a row, each on a fresh data directory")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--trace", action="store_true", help="print each callback request: start, duration, output")
    parser.add_argument(
        "--look-every",
        type=float,
        default=0.25,
        help="read the page's own notes of each stage this often (s); 0: look through WebDriver every 20 ms",
    )
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "glassbox-bench")
    args = parser.parse_args()
    log = log_file(args.lines, args.cache)
    runs = []
    for n in range(args.repeats):
        load_before = os.getloadavg()[0]
        seen = cold_open(log, args.cache, args.timeout, args.trace, args.look_every or None)
        load_after = os.getloadavg()[0]
        runs.append(seen)
        steps = " ".join(f"{t:.1f}s:{label!r}" for t, label in seen["labels"][:: max(1, len(seen["labels"]) // 8)])
        print(
            f"run {n + 1}: page {seen['page']:.1f} s, bar {seen.get('bar', float('nan')):.1f} s,"
            f" moving {seen.get('moving', float('nan')):.1f} s, build began {seen.get('build', float('nan')):.1f} s,"
            f" stored {seen.get('stored', float('nan')):.1f} s, first dashboard {seen['dashboard']:.1f} s"
            f" ({seen['pager'].strip()!r}; store {seen['store_mb']:,.0f} MB; load average {load_before:.1f} → "
            f"{load_after:.1f} on {os.cpu_count()} CPUs)"
        )
        print(f"  bar labels: {steps}")
        polls = []  # the job's progress polls, one line per run of them
        for start, took, output in [*seen.get("calls", []), (None, 0, "")]:
            if output.endswith("(poll)"):
                polls.append((start, took))
                continue
            if polls:
                worst = max(t for _, t in polls)
                print(
                    f"  {polls[0][0]:6.2f} s → {polls[-1][0]:.2f} s: {len(polls)} progress polls (slowest {worst * 1000:.0f} ms)"
                )
                polls = []
            if start is not None:
                print(f"  {start:6.2f} s +{took * 1000:6.0f} ms  {output}")
        if seen.get("sent"):
            print("  sent by the browser (s → s):", " ".join(f"{a:.2f}→{b:.2f}" for a, b in seen["sent"][:12]))
    best = min(runs, key=lambda s: s["dashboard"])
    print(
        f"cold open {args.lines / 1e6:g}M lines: first dashboard {best['dashboard']:.1f} s (best of {len(runs)}; "
        f"bar seen at {best.get('bar', float('nan')):.1f} s; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs; goal ≤ 15 s on a quiet machine)"
    )


if __name__ == "__main__":
    main()
