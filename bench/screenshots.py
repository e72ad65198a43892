"""Take the README's screenshots with headless Chromium: one page in both themes (or any pages).

    .venv/bin/python bench/screenshots.py [--pages / /explore] [--out assets/screenshots] [--width 1400]

The app is built by ``create_app`` on a temporary data folder (datasets come from ``GLASSBOX_DATA_MIRROR`` when
set) and served on a free loopback port; each page is opened with the theme remembered in localStorage, as a
returning user would see it, waited for until its callbacks settle, then saved as ``<name>-<theme>.png``
(``home`` for ``/``). Needs Chromium and chromedriver (``GLASSBOX_TEST_CHROMIUM`` names the browser).
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import tempfile
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from webapp import create_app, ids

ROOT = Path(__file__).resolve().parent.parent
THEMES = ("dark", "light")
READY = {"/": "#home-title", "/logs": "#logs-title", "/sentiment": "#sentiment-title",
         "/nn-builder": "#nn-builder-title", "/explore": "#explore-title"}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _browser(width: int, height: int) -> webdriver.Chrome:
    options = Options()
    options.binary_location = os.environ.get("GLASSBOX_TEST_CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
                 f"--window-size={width},{height}"):  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(options=options)


def _settled(driver) -> bool:
    """No Dash request in flight and every graph drawn."""
    return driver.execute_script(
        "return !document.querySelector('[data-dash-is-loading]') && "
        "Array.from(document.querySelectorAll('.js-plotly-plot')).every(el => el._fullLayout);"
    )


def shoot(url: str, path: str, theme: str, out: Path, driver, timeout: float = 120) -> Path:
    """Open ``url + path`` in ``theme``, wait for it to settle, save and return the PNG's path."""
    driver.get(url + path)
    WebDriverWait(driver, timeout).until(lambda d: d.find_elements(By.CSS_SELECTOR, READY.get(path, "body")))
    driver.execute_script("window.localStorage.setItem(arguments[0], JSON.stringify(arguments[1]))",
                          ids.THEME_STORE, theme)  # fmt: skip
    driver.refresh()
    WebDriverWait(driver, timeout).until(
        lambda d: (
            d.execute_script("return document.documentElement.dataset.bsTheme") == theme
            and d.find_elements(By.CSS_SELECTOR, READY.get(path, "body"))
            and _settled(d)
        )
    )
    time.sleep(1)  # let Plotly's transitions finish; what is saved is a picture, not an assertion
    name = path.strip("/").replace("/", "-") or "home"
    target = out / f"{name}-{theme}.png"
    driver.save_screenshot(str(target))
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", default=["/"], help="paths to shoot (default: /)")
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "screenshots")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        app = create_app({"DATA_DIR": data, "SECRET_KEY": secrets.token_hex(32)})  # served on loopback only
        port = _free_port()
        server = make_server("127.0.0.1", port, app.server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        driver = _browser(args.width, args.height)
        try:
            for path in args.pages:
                for theme in THEMES:
                    print(shoot(f"http://127.0.0.1:{port}", path, theme, args.out, driver))
        finally:
            driver.quit()
            server.shutdown()


if __name__ == "__main__":
    main()
