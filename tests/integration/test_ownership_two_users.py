"""Two users in two browsers against the Procfile's gunicorn (2 workers) with password sign-in: each uploads a private
dataset; neither sees or opens the other's (menu, crafted callback id, copied URL, export); a team-visible one is
seen by both; Undo undoes only its author's batch; the corrected CSV names each row's author."""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3

import pytest
from dash.testing import errors as dash_errors
from dash.testing.wait import until
from selenium import webdriver
from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.auth.helpers import PASSWORD
from tests.conftest import pytest_setup_options
from tests.security.conftest import SECRET, start_gunicorn, stop

WORDS = {
    "positive": ["soar", "beat", "record", "upgrade", "jump", "rally"],
    "negative": ["plunge", "miss", "loss", "downgrade", "slump", "cut"],
    "neutral": ["hold", "flat", "meeting", "schedule", "report", "unchanged"],
}


def tweets_csv(path, seed: int, rows: int = 240) -> None:
    rng = random.Random(seed)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for i in range(rows):
            label = rng.choice(list(WORDS))
            writer.writerow([f"{seed} shares {rng.choice(WORDS[label])} {rng.choice(WORDS[label])} q{i}", label])


def log_file(path, ip: str, lines: int = 40) -> None:
    rows = [f'{ip} - - [10/Oct/2026:13:{i % 60:02d}:36 +0000] "GET /shop/p?product_id=P{i % 5} HTTP/1.1" 200 512\n'
            for i in range(lines)]  # fmt: skip
    path.write_text("".join(rows))


@pytest.fixture
def server(tmp_path):
    from models import accounts
    from models.db import make_engine
    from webapp import create_app, services

    data = tmp_path / "data"
    # The tweets' first model, trained before the server starts (the shared machine is slow enough already).
    app = create_app({"TESTING": True, "DATA_DIR": str(data), "SECRET_KEY": "test"})
    with app.server.app_context():
        services.sentiment().latest_run_id("tweets")
    engine = make_engine(f"sqlite:///{data / 'glassbox.db'}")
    for name in ("ana", "bob"):
        accounts.add_user(engine, name, "editor", PASSWORD)
    engine.dispose()
    running = start_gunicorn(tmp_path, {"GLASSBOX_AUTH": "password", "GLASSBOX_SECRET_KEY": SECRET})
    yield running, data
    stop(running)


@pytest.fixture
def browsers():
    made = []

    def make():
        options = pytest_setup_options()
        for flag in ("--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--remote-debugging-port=0"):
            options.add_argument(flag)  # as dash_duo starts its Chrome
        made.append(webdriver.Chrome(options=options))
        return made[-1]

    yield make
    for driver in made:
        driver.quit()


def sign_in(driver, base: str, name: str) -> None:
    driver.get(f"{base}/login?next=/")
    wait_for(driver, "#login-name").send_keys(name)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    press(driver, "login-submit")
    until(lambda: name in text(driver, "#shell-nav-user"), timeout=60)


def press(driver, element_id: str) -> None:
    """Scroll a button into view and click it, as a user does."""
    element = wait_for(driver, f"#{element_id}")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def wait_for(driver, selector: str, timeout: float = 60):
    until(lambda: driver.find_elements(By.CSS_SELECTOR, selector), timeout=timeout)
    return driver.find_element(By.CSS_SELECTOR, selector)


def text(driver, selector: str) -> str:
    """An element's text now ("" while it is absent); read in one step, so a redraw never leaves a stale handle."""
    return driver.execute_script(
        "const el = document.querySelector(arguments[0]); return el ? el.innerText : '';", selector
    )


def open_dropdown(driver, component_id: str) -> None:
    """Open a dropdown as a user would: scroll it into the middle of the window and click it, again if the page was
    still growing under it (after an upload the views render and shift the layout while the click lands)."""

    def is_open() -> bool:
        return driver.execute_script("return !!document.querySelector('.dash-dropdown-content')")

    def opened() -> bool:
        element = wait_for(driver, f"#{component_id}")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        try:
            element.click()
        except ElementClickInterceptedException:
            return False
        try:
            until(is_open, timeout=3)
        except dash_errors.TestingTimeoutError:
            return False
        return True

    until(opened, timeout=30)


def menu(driver, component_id: str) -> str:
    """The text of a dropdown's options, as the user sees them once it is open."""
    open_dropdown(driver, component_id)
    shown = driver.execute_script("return document.querySelector('.dash-dropdown-content').innerText")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    return shown


def choose(driver, component_id: str, option_text: str) -> None:
    open_dropdown(driver, component_id)
    options = driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-content .dash-dropdown-option")
    next(o for o in options if option_text in o.text).click()


def crafted(driver, module_function: tuple[str, str], body: dict) -> dict:
    """POST a callback request from this browser (its session cookie goes along): ``{status, text}``."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/_dash-update-component', {method: 'POST', headers: {'Content-Type': 'application/json'},"
        " body: JSON.stringify(arguments[0])}).then(r => r.text().then(t => done({status: r.status, text: t})));",
        body,
    )


def owned(data, kind: str, owner: str) -> str:
    with sqlite3.connect(data / "glassbox.db") as db:
        return db.execute("SELECT item FROM item_owners WHERE kind=? AND owner=?", (kind, owner)).fetchone()[0]


def callback_body(output: str, inputs: list, state: list, changed: str) -> dict:
    outputs = [
        {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1].split("@")[0]} for o in output[2:-2].split("...")
    ]
    return {"output": output, "outputs": outputs, "inputs": inputs, "state": state, "changedPropIds": [changed]}


def dependency(driver, output_starts: str) -> dict:
    deps = json.loads(
        driver.execute_async_script(
            "const done = arguments[arguments.length - 1];fetch('/_dash-dependencies').then(r => r.text()).then(done);"
        )
    )
    return next(d for d in deps if d["output"].startswith(output_starts))


def upload_sentiment(driver, base: str, path, rows: int) -> None:
    driver.get(f"{base}/sentiment")
    wait_for(driver, "#sentiment-upload input[type=file]").send_keys(str(path))
    until(lambda: "Choose the text and label columns" in text(driver, "#sentiment-message"), timeout=60)
    press(driver, "sentiment-use-upload")
    until(lambda: f"Loaded {rows:,} tweets" in text(driver, "#sentiment-message"), timeout=60)
    until(lambda: "Model run #" in text(driver, "#sentiment-run-info"), timeout=300)


def test_two_users_keep_private_data_apart_share_team_data_and_undo_only_their_own(server, browsers, tmp_path):
    gunicorn, data = server
    base = gunicorn.base
    ana, bob = browsers(), browsers()
    sign_in(ana, base, "ana")
    sign_in(bob, base, "bob")

    # Logs: each uploads a private log; the menu names owner and visibility and lists only their own.
    for driver, name, ip in ((ana, "ana.log", "10.0.0.1"), (bob, "bob.log", "10.0.0.2")):
        log_file(tmp_path / name, ip)
        driver.get(f"{base}/logs")
        wait_for(driver, "#logs-upload input[type=file]").send_keys(str(tmp_path / name))
        until(lambda driver=driver: "40 events parsed" in text(driver, "#logs-upload-ok"), timeout=90)
        until(lambda driver=driver: "Your upload, private." in text(driver, "#logs-share-note"), timeout=30)
    anas_log_url = ana.current_url
    assert "upload-" in anas_log_url
    for driver, own, other in ((ana, "ana.log", "bob.log"), (bob, "bob.log", "ana.log")):
        driver.get(f"{base}/logs")
        shown = menu(driver, "logs-source")
        assert f"Upload: {own} ({own[:3]}, private)" in shown and other not in shown

    # Bob opens Ana's copied link: the upload reads as missing, nothing of hers is drawn.
    bob.get(anas_log_url)
    until(lambda: "No log data named" in text(bob, "#logs-source-error"), timeout=60)

    # Ana shares hers with the team: Bob's menu lists it and her link opens for him.
    ana.get(anas_log_url)
    until(lambda: text(ana, "#logs-share") == "Share with the team", timeout=60)
    press(ana, "logs-share")
    until(lambda: "Your upload, team." in text(ana, "#logs-share-note"), timeout=30)
    bob.get(f"{base}/logs")
    assert "Upload: ana.log (ana, team)" in menu(bob, "logs-source")
    bob.get(anas_log_url)
    until(lambda: "Uploaded by ana (team)." in text(bob, "#logs-share-note"), timeout=60)
    assert text(bob, "#logs-source-error") == ""

    # Sentiment: each uploads a private dataset; neither sees the other's in the menu.
    tweets_csv(tmp_path / "ana.csv", 1)
    tweets_csv(tmp_path / "bob.csv", 2)
    upload_sentiment(ana, base, tmp_path / "ana.csv", 240)
    upload_sentiment(bob, base, tmp_path / "bob.csv", 240)
    ana_dataset = owned(data, "sentiment", "ana")
    assert "ana.csv (240 rows; ana, private)" in menu(ana, "sentiment-dataset")
    assert "ana.csv" not in menu(bob, "sentiment-dataset")

    # Bob's browser names Ana's dataset in crafted callbacks: choosing it, and exporting it, read as missing.
    choose_dep = dependency(bob, "..sentiment-run.data...sentiment-first-training.data")
    answer = crafted(
        bob,
        ("overview", "choose_dataset"),
        callback_body(
            choose_dep["output"], [{"id": "sentiment-dataset", "property": "value", "value": ana_dataset}], [],
            "sentiment-dataset.value",
        ),
    )  # fmt: skip
    assert answer["status"] == 200 and f"No dataset named '{ana_dataset}'" in answer["text"]
    with sqlite3.connect(data / "glassbox.db") as db:
        ana_run = db.execute(
            "SELECT id FROM sentiment_runs WHERE dataset=? AND owner='ana'", (ana_dataset,)
        ).fetchone()[0]
    export_dep = dependency(bob, "sentiment-download.data")
    export_body = {
        "output": export_dep["output"],
        "outputs": {"id": "sentiment-download", "property": "data"},
        "inputs": [{"id": "sentiment-export", "property": "n_clicks", "value": 1}],
        "state": [{"id": "sentiment-run", "property": "data", "value": {"dataset": ana_dataset, "run": ana_run}}],
        "changedPropIds": ["sentiment-export.n_clicks"],
    }
    answer = crafted(bob, ("relabel", "export"), export_body)
    # No CSV of hers: the page says the run is missing (webapp.shown), in the words used for a missing one.
    assert answer["status"] == 200 and "no model run" in answer["text"] and "shares" not in answer["text"]

    # Ana shares the dataset; Bob now finds it, and both relabel on it.
    press(ana, "sentiment-share")
    until(lambda: "Your upload, team." in text(ana, "#sentiment-share-note"), timeout=30)
    bob.get(f"{base}/sentiment")
    until(lambda: "Model run #" in text(bob, "#sentiment-run-info"), timeout=120)
    assert "ana.csv (240 rows; ana, team)" in menu(bob, "sentiment-dataset")
    before = text(bob, "#sentiment-run-info")
    choose(bob, "sentiment-dataset", "ana.csv")
    until(lambda: "Uploaded by ana (team)." in text(bob, "#sentiment-share-note"), timeout=60)
    # Ana's run is private: Bob's page trains its own first model of her data; wait until it shows that one.
    until(lambda: text(bob, "#sentiment-run-info") not in ("", before), timeout=300)

    def relabel_all(driver, label):
        driver.execute_script(
            f"const s = document.getElementById('sentiment-relabel-to'); s.value = '{label}';"
            "s.dispatchEvent(new Event('change', {bubbles: true}));"
        )
        until(lambda: "whole selection (" in text(driver, "#sentiment-relabel-all"), timeout=60)
        press(driver, "sentiment-relabel-all")
        until(lambda: "Relabelled" in text(driver, "#sentiment-message") or text(driver, "#sentiment-confirm-text"), 60)
        if "Relabelled" not in text(driver, "#sentiment-message"):  # more than 50 rows: the page asks first
            press(driver, "sentiment-confirm-yes")
            until(lambda: "Relabelled" in text(driver, "#sentiment-message"), timeout=60)
        return text(driver, "#sentiment-message")

    ana_said = relabel_all(ana, "neutral")
    bob_said = relabel_all(bob, "positive")  # the newest batch is Bob's
    assert "as neutral" in ana_said and "as positive" in bob_said

    # Ana's Undo undoes her own batch, not Bob's newer one.
    press(ana, "sentiment-undo")
    until(lambda: "Undid your last correction" in text(ana, "#sentiment-message"), timeout=60)
    press(ana, "sentiment-undo")
    until(lambda: "You have no correction to undo here." in text(ana, "#sentiment-message"), timeout=60)

    # The export (from Ana's browser, her dataset's run) names Bob as the author of the rows still corrected.
    export_body["state"][0]["value"] = {"dataset": ana_dataset, "run": ana_run}
    answer = crafted(ana, ("relabel", "export"), export_body)
    assert answer["status"] == 200
    content = json.loads(answer["text"])["response"]["sentiment-download"]["data"]["content"]
    rows = list(csv.DictReader(io.StringIO(content)))
    assert rows and set(rows[0]) == {"text", "label", "split", "corrected", "author"}
    with sqlite3.connect(data / "glassbox.db") as db:
        kept = db.execute(
            "SELECT author, COUNT(*) FROM sentiment_corrections WHERE dataset=? AND undone_at IS NULL GROUP BY author",
            (ana_dataset,),
        ).fetchall()
    assert [author for author, _ in kept] == ["bob"], kept  # Ana's batch is undone, Bob's stays
    pairs = {(row["corrected"], row["author"]) for row in rows}
    assert pairs == {("True", "bob"), ("False", "")}, pairs
