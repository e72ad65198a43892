"""The Label tab in a real browser: a partially labelled upload, answers by keyboard, skip, undo, retrain every K."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.integration.browser import click as _click
from tests.integration.browser import plotly as _full

pytestmark = pytest.mark.browser
_SHOTS = Path(tempfile.gettempdir())


@pytest.fixture
def app_config(app_config):
    app_config["SENTIMENT_RETRAIN_EVERY"] = 3
    return app_config


def _csv(path: Path) -> Path:
    rows = ["tweet,mood"]
    for i in range(15):
        rows += [f"shares soar on record profit {i},positive", f"shares sink after loss {i},negative"]
        rows += [f"board meeting scheduled {i},neutral"]
    rows += [f"shares soar then sink at meeting {i}," for i in range(15)]  # no label yet
    path.write_text("\n".join(rows) + "\n")
    return path


def _unlabelled(dash_duo) -> int | None:
    """The "unlabelled" row's total in the counts table (None until drawn)."""
    cells = dash_duo.driver.execute_script(
        "const r = document.getElementById('sentiment-label-counts-unlabelled');"
        "return r ? Array.from(r.querySelectorAll('td')).map(td => td.textContent) : null;"
    )
    return int(cells[-1].replace(",", "")) if cells else None


def _shown_row(dash_duo) -> int | None:
    match = re.match(r"Row (\d+):", dash_duo.find_element("#sentiment-queue-status").text)
    return int(match.group(1)) if match else None


def _press(dash_duo, key) -> None:
    """A key pressed with the focus on the page itself (nothing focused: the page body gets it)."""
    dash_duo.driver.execute_script("document.activeElement && document.activeElement.blur();")
    ActionChains(dash_duo.driver).send_keys(key).perform()


def _answers(dash_duo) -> int:
    match = re.match(r"(\d+) answer", dash_duo.find_element("#sentiment-queue-answered").text)
    return int(match.group(1)) if match else 0


def _stored(app):
    """The upload's corrections that are not undone, read from the database."""
    from webapp import services

    with app.server.app_context():
        workspace = services.sentiment()
        (dataset_id,) = [key for key in workspace.datasets() if key.startswith("upload-")]
        history = workspace.corrections.history(dataset_id)
    return history[history["undone_at"].isna()]


def test_label_three_rows_by_keyboard_and_undo_one(dash_duo, app, tmp_path):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/sentiment")
    dash_duo.wait_for_element("#sentiment-upload input[type=file]", timeout=60).send_keys(
        str(_csv(tmp_path / "partial.csv"))
    )
    dash_duo.wait_for_contains_text("#sentiment-message", "60 rows, columns tweet, mood", timeout=30)
    _click(dash_duo, "#sentiment-use-upload")
    dash_duo.wait_for_contains_text("#sentiment-message", "15 row(s) have no label yet", timeout=30)
    until(lambda: _unlabelled(dash_duo) == 15, timeout=30)  # the counts: 45 labelled, 15 unlabelled
    counts = dash_duo.find_element("#sentiment-label-counts").text
    assert re.search(r"negative \d+ \d+ 15", counts) and re.search(r"positive \d+ \d+ 15", counts)
    assert "partial.csv" in dash_duo.find_element("#sentiment-dataset").text  # the dropdown shows the upload

    # Unlabelled test rows are drawn in the triangle as their own trace; the switch hides and shows them.
    def traces():
        return _full(dash_duo, "sentiment-triangle", "el._fullData.map(t => t.name + ':' + t.x.length)") or []

    until(lambda: "unlabelled:3" in traces(), timeout=300)  # 3 of the 12 test rows have no label
    _click(dash_duo, "#sentiment-show-unlabelled")
    until(lambda: traces() and not any(t.startswith("unlabelled") for t in traces()), timeout=30)
    _click(dash_duo, "#sentiment-show-unlabelled")
    until(lambda: "unlabelled:3" in traces(), timeout=30)

    tabs = dash_duo.driver.find_elements("css selector", "#sentiment-mode-tabs .nav-link")
    _click(dash_duo, [t for t in tabs if t.text == "Label"][0])
    # The upload's first model is trained in the background; then the queue ranks by its uncertainty.
    dash_duo.wait_for_contains_text("#sentiment-queue-status", "the model is least sure", timeout=300)
    until(lambda: _full(dash_duo, "sentiment-queue-tokens", "el._fullData.length") == 2, timeout=30)
    assert "p(negative)" in dash_duo.find_element("#sentiment-queue-proba").text
    assert dash_duo.find_element("#sentiment-queue-text").text.startswith("shares soar then sink at meeting")

    first = _shown_row(dash_duo)
    _press(dash_duo, " ")  # skip: another row, nothing stored
    until(lambda: _shown_row(dash_duo) not in (None, first), timeout=30)
    assert _unlabelled(dash_duo) == 15 and _answers(dash_duo) == 0

    # A key typed into a field is text, not an answer.
    field = dash_duo.find_element("#sentiment-label-map")
    _click(dash_duo, field)
    field.send_keys("1")
    assert field.get_attribute("value") == "1"

    answered = []
    for step, (key, label) in enumerate((("1", "negative"), ("3", "positive"), ("2", "neutral")), start=1):
        row = _shown_row(dash_duo)
        _press(dash_duo, key)
        until(lambda step=step: _answers(dash_duo) == step, timeout=30)
        until(lambda step=step: _unlabelled(dash_duo) == 15 - step, timeout=30)  # counts follow each answer
        until(lambda row=row: _shown_row(dash_duo) != row, timeout=30)  # and the next row is on screen
        answered.append((row, label))
    stored = _stored(app)
    assert sorted(zip(stored["row"], stored["new_label"], strict=True)) == sorted(answered)
    assert set(stored["old_label"]) == {""}

    # The third answer was the K-th: the Retrain job runs and the learning curve gets its second point.
    until(lambda: _full(dash_duo, "sentiment-learning-curve", "el._fullData[0].x.length") == 2, timeout=300)
    xs = _full(dash_duo, "sentiment-learning-curve", "el._fullData[0].x")
    assert xs[1] == xs[0] + 3  # three more labelled rows
    dash_duo.driver.execute_script(
        "document.getElementById('sentiment-mode-tabs').scrollIntoView({block: 'start', behavior: 'instant'})"
    )
    dash_duo.driver.save_screenshot(str(_SHOTS / "sentiment-label-queue.png"))  # the README's Label tab picture

    _press(dash_duo, Keys.BACKSPACE)
    dash_duo.wait_for_contains_text("#sentiment-message", f"Undid your answer for row {answered[-1][0]}", timeout=30)
    until(lambda: _unlabelled(dash_duo) == 13, timeout=30)
    assert _answers(dash_duo) == 2
    stored = _stored(app)
    assert sorted(zip(stored["row"], stored["new_label"], strict=True)) == sorted(answered[:2])
    assert dash_duo.driver.current_url.endswith("/sentiment")  # backspace did not navigate back
    assert dash_duo.get_logs() == []
