"""Attack 10 of issue 11 (no security headers, framing, versions), and the CSP checked in a real browser."""

from __future__ import annotations

import json
import re
import time

import pytest

PATHS = ["/", "/logs", "/sentiment", "/nn-builder", "/explore"]


def _csp(headers) -> dict[str, list[str]]:
    policy = headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("GET", "/", None),
        ("GET", "/logs", None),
        ("GET", "/nope", None),
        ("GET", "/healthz", None),
        ("GET", "/_dash-layout", None),
        ("GET", "/_dash-dependencies", None),
        ("GET", "/api/nope", None),
        ("POST", "/api/sentiment/predict", b'{"texts": 1}'),
        ("POST", "/_dash-update-component", b"{"),
    ],
)
def test_every_response_carries_the_security_headers(procfile_server, method, path, body):
    headers = {"Content-Type": "application/json"} if body else {}
    _, answer, _ = procfile_server.request(method, path, body, headers)
    csp = _csp(answer)
    assert "'unsafe-inline'" not in csp["script-src"]  # 'unsafe-eval' stays for Plotly's WebGL (see security.py)
    assert csp["frame-ancestors"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert answer["X-Frame-Options"] == "SAMEORIGIN"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert not re.search(r"\d", answer.get("Server", "")), f"Server header advertises a version: {answer['Server']}"


def test_static_bundles_carry_nosniff(procfile_server):
    page = procfile_server.get("/")[2].decode()
    bundle = re.search(r'src="(/_dash-component-suites/[^"]+\.js)"', page).group(1)
    status, headers, _ = procfile_server.get(bundle)
    assert status == 200 and headers["X-Content-Type-Options"] == "nosniff"


def test_the_page_does_not_advertise_the_python_version(procfile_server):
    page = procfile_server.get("/")[2].decode()
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page).group(1))
    assert "python_version" not in config and "plotly_version" not in config
    import sys

    assert sys.version.split()[0] not in page


def test_every_inline_script_of_the_page_is_allowed_by_hash(procfile_server):
    """Each executable inline script on the page has its sha256 in script-src; nothing else inline may run."""
    import base64
    import hashlib

    _, headers, body = procfile_server.get("/")
    allowed = set(_csp(headers)["script-src"])
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", body.decode(), re.DOTALL)
    executable = [text for attrs, text in scripts if "application/json" not in attrs]
    assert len(executable) >= 2  # the theme script and Dash's renderer start, at least
    for text in executable:
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed, text[:120]


# In the browser ---------------------------------------------------------------------------------------------------

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
    e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || '') + ' at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber));
"""


@pytest.mark.browser
def test_every_page_renders_under_the_csp_without_violations(dash_duo, app):
    """A browser obeys the CSP: every page still draws, and no script, style or connection was refused."""
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})
    dash_duo.start_server(app)
    for path in PATHS:
        dash_duo.driver.get(dash_duo.server_url + path)
        dash_duo.wait_for_element("#_pages_content", timeout=60)
        dash_duo.wait_for_element("nav .navbar-brand", timeout=60)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # the page's own content, drawn by its callbacks
            text = dash_duo.driver.execute_script("return document.querySelector('#_pages_content').innerText")
            graphs = dash_duo.driver.execute_script("return document.querySelectorAll('.js-plotly-plot').length")
            if len(text.strip()) > 20 and (graphs or path == "/"):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"{path} did not render under the CSP")
        violations = dash_duo.driver.execute_script("return window.__cspViolations")
        assert violations == [], f"{path}: {violations}"
        logged = [e["message"] for e in dash_duo.driver.get_log("browser") if "Content Security Policy" in e["message"]]
        assert logged == [], f"{path}: {logged}"
    # The page itself may be framed by its own origin only.
    headers = dash_duo.driver.execute_script(
        "const r = new XMLHttpRequest(); r.open('GET', '/', false); r.send();"
        "return r.getResponseHeader('Content-Security-Policy');"
    )
    assert "frame-ancestors 'self'" in headers
