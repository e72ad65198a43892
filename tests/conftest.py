"""Shared fixtures: an app built on a temporary data folder, its test client, and Chromium options for dash_duo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"

# Tests never download: datasets come from the shared mirror beside the checkout.
if SHARED_DATA.is_dir():
    os.environ.setdefault("GLASSBOX_DATA_MIRROR", str(SHARED_DATA))
CHROMIUM = os.environ.get("GLASSBOX_TEST_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def app_config(tmp_path):
    return {"TESTING": True, "DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "test"}


@pytest.fixture
def app(app_config):
    from webapp import create_app

    return create_app(app_config)


@pytest.fixture
def client(app):
    return app.server.test_client()


def pytest_setup_options():
    """Chromium options for dash_duo: Debian's headless Chromium, no network chatter, fresh profile."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    return options
