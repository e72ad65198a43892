"""Signing test users in, for any test: through the real sign-in form, never by forging a session.

    from tests.auth.helpers import add_user, sign_in
    app = create_app({**app_config, "AUTH": "password"})        # or the ``password_app`` fixture
    client = sign_in(app, "ana", role="editor")                  # a test client signed in as ana (an editor)
    dash_duo.start_server(app, navigate=False)                   # "/" redirects to /login: nothing to wait for
    sign_in_browser(dash_duo, "ana", password=PASSWORD)          # a dash_duo browser signed in, on next_path

``tests/conftest.py`` has the fixtures ``password_app`` (an app with ``GLASSBOX_AUTH=password``) and ``sign_in``.
"""

from __future__ import annotations

import re

from models import accounts
from webapp import services

PASSWORD = "correct-horse-battery"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def add_user(app, name: str, role: str = "editor", password: str | None = PASSWORD):
    """Add ``name`` to ``app``'s users table (if missing); returns the ``models.access.User``."""
    with app.server.app_context():
        engine = services.engine()
        return accounts.get_user(engine, name) or accounts.add_user(engine, name, role, password)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page:\n" + html[:2000]
    return found.group(1)


def post_login(client, name: str, password: str, next_path: str = "/", csrf: str | None = None):
    """GET /login, then POST the form as a browser would; returns the POST's response."""
    page = client.get(f"/login?next={next_path}")
    token = csrf_of(page.text) if csrf is None else csrf
    return client.post("/login", data={"csrf": token, "name": name, "password": password, "next": next_path})


def sign_in(app, name: str, role: str = "editor", password: str = PASSWORD, client=None):
    """A Flask test client of ``app`` signed in as ``name`` (added with ``role`` when missing)."""
    add_user(app, name, role, password)
    client = client or app.server.test_client()
    response = post_login(client, name, password)
    assert response.status_code == 303, response.text[:2000]
    return client


def sign_in_browser(dash_duo, name: str, password: str = PASSWORD, next_path: str = "/") -> None:
    """Sign a dash_duo browser in through the form (the user must exist: ``add_user``); waits for the navbar."""
    from selenium.webdriver.common.by import By

    from webapp import ids

    dash_duo.driver.get(f"{dash_duo.server.url.rstrip('/')}/login?next={next_path}")
    dash_duo.wait_for_element("#login-name", timeout=30).send_keys(name)
    dash_duo.driver.find_element(By.ID, "login-password").send_keys(password)
    dash_duo.driver.find_element(By.ID, "login-submit").click()
    dash_duo.wait_for_contains_text(f"#{ids.NAV_USER}", name, timeout=60)
