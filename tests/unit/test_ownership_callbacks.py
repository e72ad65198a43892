"""Crafted Dash callback requests (POST /_dash-update-component, as a browser would send them) from a viewer and
from another user: a viewer's upload, relabel, undo, retrain or train is refused with 403 and stores nothing;
another user's private dataset, run or log upload, named by id in a callback or in a URL fragment, reads as a
missing one (logs, sentiment, NN); pages hide from a viewer what the server refuses them."""

from __future__ import annotations

import base64
import json

import flask
import pandas as pd
import pytest

from models import audit
from models.access import TEAM, User
from models.logs import view as log_views
from models.logs.parse import parse_bytes
from models.logs.sources import save_upload
from webapp import services
from webapp.identity import set_current_user
from webapp.roles import write_callbacks

ANA, BOB, ADMIN, VIEWER = User("ana", "editor"), User("bob", "editor"), User("root", "admin"), User("vic", "viewer")
USERS = {u.name: u for u in (ANA, BOB, ADMIN, VIEWER)}
LOG = b'1.2.3.4 - - [10/Oct/2026:13:55:36 +0000] "GET /shop/a?product_id=X1 HTTP/1.1" 200 12\n' * 5


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from webapp import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("data")), "NN_WARM_TRAINER": False})

    def as_header_user():  # stands in for sign-in: the user named by a test header (first, before the role check)
        name = flask.request.headers.get("X-Test-User")
        if name:
            set_current_user(USERS[name])

    app.server.before_request_funcs.setdefault(None, []).insert(0, as_header_user)
    return app


@pytest.fixture(scope="module")
def anas(app):
    """Ana's private things: a sentiment dataset with a (recorded) run, an NN upload and run, a log upload."""
    with app.server.test_request_context():
        sentiment, nn = services.sentiment(), services.nn()
        frame = pd.DataFrame(
            {"text": [f"tweet {i}" for i in range(12)], "label": [i % 3 for i in range(12)], "split": "train"}
        )
        dataset = sentiment.save_dataset(frame, name="ana.csv", owner=ANA)
        run = sentiment.runs.add(dataset, {}, {"accuracy": 1.0}, 0, 1.0, "/nowhere", owner="ana")
        upload = nn.describe_upload(b"x,y\n" + b"".join(b"%d,%d\n" % (i, i) for i in range(30)), "a.csv", ANA)["id"]
        nn_run = nn.runs.add(f"{upload}?target=y", "regression", {}, [], {}, 1.0, "finished", "/nowhere", owner="ana")
        config = app.server.config
        source = save_upload(parse_bytes(LOG, name="a.log"), config["DATA_DIR"], services.owners(), ANA, name="a.log")
    return {"dataset": dataset, "run": run, "nn_upload": upload, "nn_run": nn_run, "source": source}


def _find(app, module: str, name: str) -> tuple[str, dict]:
    for key, entry in app.callback_map.items():
        fn = entry.get("callback")
        # a page's callbacks are in webapp/views/<page>/; shared components' (sharing) in webapp/components/
        if fn is not None and fn.__module__ in (f"webapp.views.{module}", f"webapp.{module}") and fn.__name__ == name:
            return key, entry
    raise LookupError(f"no callback {module}.{name}")


def _outputs(key: str):
    """The outputs a browser names for a callback key (``..a.b...c.d..`` for several; ``@hash`` dropped)."""

    def one(text):
        ident, prop = text.rsplit(".", 1)
        return {"id": ident, "property": prop.split("@")[0]}

    if key.startswith(".."):
        return [one(part) for part in key[2:-2].split("...")]
    return one(key)


def call(client, app, module: str, name: str, user: str, trigger: str, **values):
    """POST a crafted callback request; ``values`` by ``"id.property"`` (dots in keys written as ``__``)."""
    key, entry = _find(app, module, name)
    values = {trigger: 1, **{k.replace("__", "."): v for k, v in values.items()}}  # a click is n_clicks 1

    def dep(d):
        return {"id": d["id"], "property": d["property"], "value": values.get(f"{d['id']}.{d['property']}")}

    body = {
        "output": key,
        "outputs": _outputs(key),
        "inputs": [dep(i) for i in entry["inputs"]],
        "state": [dep(s) for s in entry["state"]],
        "changedPropIds": [trigger],
    }
    response = client.post("/_dash-update-component", json=body, headers={"X-Test-User": user})
    return response.status_code, response.get_data(as_text=True)


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


def test_every_write_callback_is_marked_for_the_one_role_check(app):
    marked = {(entry["callback"].__module__.rsplit(".", 2)[-2], entry["callback"].__name__) for entry in [
        app.callback_map[k] for k in write_callbacks(app)
    ]}  # fmt: skip
    assert marked == {
        ("logs", "upload_chunk"),
        ("sentiment", "read_upload"),
        ("sentiment", "use_upload"),
        ("sentiment", "relabel"),
        ("sentiment", "answer_confirmation"),
        ("sentiment", "undo"),
        ("sentiment", "retrain"),
        ("sentiment", "answer"),
        ("sentiment", "undo_answer"),
        ("nn_builder", "read_upload"),
        ("nn_builder", "use_upload"),
        ("nn_builder", "request_training"),
        ("nn_builder", "train"),
        ("nn_builder", "stop"),
        ("nn_builder", "change_visibility"),
        # the three pages' sharing controls, registered by webapp/components/sharing.py (one write each)
        ("components", "toggle_logs_sharing"),
        ("components", "toggle_sentiment_sharing"),
        ("components", "toggle_nn_builder_sharing"),
        ("components", "toggle_sentiment_run_sharing"),  # the Sentiment page's run control
    }


@pytest.mark.parametrize(
    "module, name, trigger, values",
    [
        ("sentiment.relabel", "relabel", "sentiment-relabel-all.n_clicks", "relabel"),
        ("sentiment.relabel", "undo", "sentiment-undo.n_clicks", "run"),
        ("sentiment.upload", "use_upload", "sentiment-use-upload.n_clicks", "upload"),
        ("sentiment.retrain", "retrain", "sentiment-retrain.n_clicks", "run"),
        ("nn_builder.upload", "read_upload", "nn-builder-upload.contents", "nn_upload"),
        ("nn_builder.training", "train", "nn-builder-request.data", "nn_request"),
        ("logs.upload", "upload_chunk", "logs-upload-chunk.data", "log_chunk"),
    ],
)
def test_a_viewers_crafted_write_is_refused_with_403_and_stores_nothing(
    app, client, anas, module, name, trigger, values
):
    with app.server.test_request_context():
        before = (
            len(services.sentiment().corrections.history(anas["dataset"])),
            len(services.sentiment().runs.latest(anas["dataset"]) or {}),
            len(services.nn().runs.list()),
            sorted(p.name for p in (services.nn().root / "datasets").glob("*")),
        )
    csv = base64.b64encode(b"text,label\nup,positive\ndown,negative\n").decode()
    run_info = {"dataset": anas["dataset"], "run": anas["run"]}
    bodies = {
        "relabel": {
            "sentiment-relabel-to.value": "positive",
            "sentiment-table.virtualRowData": [{"row": 0}, {"row": 1}],
            "sentiment-run.data": run_info,
        },
        "run": {"sentiment-run.data": run_info, "sentiment-c.value": 1, "sentiment-weighting.value": "tfidf"},
        "upload": {
            "sentiment-upload.contents": f"data:text/csv;base64,{csv}",
            "sentiment-upload.filename": "up.csv",
            "sentiment-text-column.value": "text",
            "sentiment-label-column.value": "label",
        },
        "nn_upload": {"nn-builder-upload.contents": f"data:text/csv;base64,{csv}", "nn-builder-upload.filename": "x.csv"},
        "nn_request": {"nn-builder-request.data": {"id": "r1", "dataset": "digits", "spec": {"epochs": 1}}},
        "log_chunk": {
            "logs-upload-chunk.data": {"id": "u1", "name": "v.log", "offset": 0, "total": len(LOG),
                                       "data": base64.b64encode(LOG).decode()},
        },
    }  # fmt: skip
    status, text = call(client, app, module, name, "vic", trigger, **bodies[values])
    assert status == 403, text[:300]
    assert "This needs the editor role; vic is a viewer." in json.loads(text)["error"]
    with app.server.test_request_context():
        after = (
            len(services.sentiment().corrections.history(anas["dataset"])),
            len(services.sentiment().runs.latest(anas["dataset"]) or {}),
            len(services.nn().runs.list()),
            sorted(p.name for p in (services.nn().root / "datasets").glob("*")),
        )
    assert after == before


def test_an_editors_write_passes_the_role_check(app, client, anas):
    csv = base64.b64encode(b"a,b\n1,2\n3,4\n").decode()
    status, text = call(
        client,
        app,
        "nn_builder.upload",
        "read_upload",
        "bob",
        "nn-builder-upload.contents",
        **{"nn-builder-upload__contents": f"data:text/csv;base64,{csv}", "nn-builder-upload__filename": "b.csv"},
    )
    assert status == 200, text[:300]
    assert "b.csv: 2 rows" in text
    with app.server.test_request_context():
        events = audit.query(services.engine(), actor="bob", action="nn.upload")
    assert events and events[0]["detail"] == {"name": "b.csv", "rows": 2}


def test_another_users_private_sentiment_dataset_and_run_read_as_missing(app, client, anas):
    dataset, run_info = anas["dataset"], {"dataset": anas["dataset"], "run": anas["run"]}
    status, text = call(
        client, app, "sentiment.overview", "choose_dataset", "bob", "sentiment-dataset.value",
        **{"sentiment-dataset__value": dataset},
    )  # fmt: skip
    assert status == 200 and f"No dataset named '{dataset}'" in text and "sentiment-run" not in text

    status, text = call(
        client, app, "sentiment.relabel", "relabel", "bob", "sentiment-relabel-all.n_clicks",
        **{"sentiment-relabel-to__value": "positive", "sentiment-table__virtualRowData": [{"row": 0}],
           "sentiment-run__data": run_info},
    )  # fmt: skip
    assert status == 200 and "Nothing relabelled" in text and "no model run" in text
    status, text = call(
        client,
        app,
        "sentiment.relabel",
        "export",
        "bob",
        "sentiment-export.n_clicks",
        **{"sentiment-run__data": run_info},
    )
    # ``guarded`` says why on the page (webapp.shown) and sends no CSV.
    assert status == 200 and "no model run" in text and "text,label" not in text
    status, text = call(
        client, app, "sentiment.relabel", "undo", "bob", "sentiment-undo.n_clicks", **{"sentiment-run__data": run_info}
    )
    assert status == 200 and "no model run" in text
    with app.server.test_request_context():
        assert services.sentiment().corrections.history(dataset).empty

    # Ana herself exports it (with the author column); an admin may open it too.
    status, text = call(
        client,
        app,
        "sentiment.relabel",
        "export",
        "ana",
        "sentiment-export.n_clicks",
        **{"sentiment-run__data": run_info},
    )
    assert (
        status == 200
        and "text,label,split,corrected,author" in json.loads(text)["response"]["sentiment-download"]["data"]["content"]
    )
    status, text = call(
        client, app, "sentiment.overview", "choose_dataset", "root", "sentiment-dataset.value",
        **{"sentiment-dataset__value": dataset},
    )  # fmt: skip
    assert status == 200 and "No dataset named" not in text


def test_another_users_private_nn_upload_and_run_read_as_missing(app, client, anas):
    status, text = call(
        client, app, "nn_builder.parameters", "choose_dataset", "bob", "nn-builder-dataset.value",
        **{"nn-builder-dataset__value": f"{anas['nn_upload']}?target=y"},
    )  # fmt: skip
    assert status == 200 and "No dataset named" in text

    selected = [{"id": anas["nn_run"]}]
    status, text = call(
        client, app, "nn_builder.runs", "download", "bob", "nn-builder-download-spec.n_clicks",
        **{"nn-builder-runs__selectedRows": selected},
    )  # fmt: skip
    assert status == 200 and f"There is no run {anas['nn_run']}" in text
    status, text = call(client, app, "nn_builder.runs", "list_runs", "bob", "nn-builder-result.data")
    assert status == 200 and f'"id": {anas["nn_run"]},' not in text.replace('"id":', '"id": ')
    status, text = call(client, app, "nn_builder.runs", "list_runs", "ana", "nn-builder-result.data")
    rows = json.loads(text)["response"]["nn-builder-runs"]["rowData"]
    assert [(r["id"], r["owner"], r["visibility"]) for r in rows] == [(anas["nn_run"], "ana", "private")]


def test_nn_training_on_another_users_private_upload_is_refused_by_the_trainer(app, anas):
    import io

    from webapp import nn_jobs

    config = app.server.config
    request = {
        "database_url": config["DATABASE_URL"],
        "data_dir": str(config["DATA_DIR"]),
        "mirror": None,
        "dataset_id": f"{anas['nn_upload']}?target=y",
        "spec": {"epochs": 1},
        "stop_path": "/nonexistent",
        "user": {"name": "bob", "role": "editor"},
    }
    out = io.StringIO()
    nn_jobs._child(request, out)
    assert f'["error", "No dataset named \'{anas["nn_upload"]}?target=y\'' in out.getvalue()


def test_another_users_private_log_upload_is_not_drawn_from_a_crafted_url(app, client, anas):
    from webapp.views.logs.view_state import url_hash, view_from_hash

    view = view_from_hash(url_hash({**log_views.DEFAULT_VIEW, "source": anas["source"]}))  # a shared link
    assert view["source"] == anas["source"]
    status, text = call(client, app, "logs.render", "render", "bob", "logs-view.data", **{"logs-view__data": view})
    assert status == 200 and "No log data named" in text and "logs-timeseries" not in text
    status, text = call(client, app, "logs.render", "render", "ana", "logs-view.data", **{"logs-view__data": view})
    assert status == 200 and "No log data named" not in text and "logs-timeseries" in text

    with app.server.test_request_context():
        services.owners().set_visibility(ANA, "logs", anas["source"], TEAM)
    try:
        status, text = call(client, app, "logs.render", "render", "bob", "logs-view.data", **{"logs-view__data": view})
        assert status == 200 and "logs-timeseries" in text
    finally:
        with app.server.test_request_context():
            services.owners().set_visibility(ANA, "logs", anas["source"], "private")


def _hidden(component, target: str, hidden: bool = False):
    """Whether the component with id ``target`` is hidden by itself or an ancestor (``hidden`` or ``d-none``)."""
    here = hidden or getattr(component, "hidden", None) is True
    here = here or "d-none" in (getattr(component, "className", None) or getattr(component, "class_name", None) or "")
    if getattr(component, "id", None) == target:
        return here
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "to_plotly_json"):
            found = _hidden(child, target, here)
            if found is not None:
                return found
    return None


@pytest.mark.parametrize(
    "page, controls",
    [
        (
            "sentiment",
            ["sentiment-upload", "sentiment-relabel-rows", "sentiment-undo", "sentiment-retrain", "sentiment-run-share"],
        ),
        ("logs", ["logs-upload", "logs-share"]),
        (
            "nn_builder",
            ["nn-builder-upload", "nn-builder-upload-form", "nn-builder-train", "nn-builder-stop",
             "nn-builder-share-upload", "nn-builder-share-runs"],
        ),
    ],
)  # fmt: skip
def test_a_viewers_page_hides_what_the_server_refuses(app, anas, page, controls):
    from importlib import import_module

    layout = import_module(f"webapp.views.{page}.layout").layout
    for user, hidden in ((VIEWER, True), (BOB, False)):
        with app.server.test_request_context():
            set_current_user(user)
            tree = layout()
        for control in controls:
            if control == "nn-builder-upload-form" and not hidden:
                continue  # hidden until a file is read, for an editor too
            assert _hidden(tree, control) is hidden, (user, control)


def test_a_viewers_nn_training_tab_says_why_there_is_no_train_button(app):
    from webapp.views.nn_builder.layout import layout

    def texts(component):
        children = getattr(component, "children", None)
        if isinstance(children, str):
            yield component, children
        for child in children if isinstance(children, list | tuple) else [children]:
            if hasattr(child, "to_plotly_json"):
                yield from texts(child)

    for user, shown in ((VIEWER, True), (BOB, False)):
        with app.server.test_request_context():
            set_current_user(user)
            tree = layout()
        notes = [c for c, text in texts(tree) if text == "Training needs the editor role."]
        assert len(notes) == 1 and (getattr(notes[0], "hidden", None) is not True) is shown, user


def test_the_menus_list_only_what_the_user_may_see_with_owner_and_visibility(app, anas):
    from webapp.views.logs.layout import layout as logs_layout
    from webapp.views.sentiment.layout import layout as sentiment_layout

    def options(tree, target):
        if getattr(tree, "id", None) == target:
            return {o["value"]: o["label"] for o in tree.options}
        children = getattr(tree, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if hasattr(child, "to_plotly_json") and (found := options(child, target)) is not None:
                return found
        return None

    for user, sees in ((ANA, True), (BOB, False), (ADMIN, True)):
        with app.server.test_request_context():
            set_current_user(user)
            sentiment_menu, logs_menu = (
                options(sentiment_layout(), "sentiment-dataset"),
                options(logs_layout(), "logs-source"),
            )
        assert (anas["dataset"] in sentiment_menu) is sees and (anas["source"] in logs_menu) is sees
        if sees:
            assert "ana, private" in sentiment_menu[anas["dataset"]] and "ana, private" in logs_menu[anas["source"]]


def test_the_api_answers_another_users_private_dataset_as_missing(app, client, anas):
    body = {"texts": ["Shares soar"], "dataset": anas["dataset"]}
    response = client.post("/api/sentiment/predict", json=body, headers={"X-Test-User": "bob"})
    assert response.status_code == 404
    assert response.get_json() == {"error": f"No dataset named '{anas['dataset']}'."}


def _options(tree, target):
    if getattr(tree, "id", None) == target:
        return {o["value"]: o["label"] for o in tree.options}
    children = getattr(tree, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "to_plotly_json") and (found := _options(child, target)) is not None:
            return found
    return None


def _nn_menu(app, user):
    from webapp.views.nn_builder.layout import layout

    with app.server.test_request_context():
        set_current_user(user)
        return _options(layout(), "nn-builder-dataset")


def _nn_visibility(app, upload):
    with app.server.test_request_context():
        return {e["owner"]: e["visibility"] for e in services.owners().entries("nn", upload)}


def test_an_nn_upload_is_private_until_its_owner_shares_it_with_the_team(app, client, anas):
    upload, chosen = anas["nn_upload"], f"{anas['nn_upload']}?target=y"

    def toggle(user, value=chosen):
        return call(
            client, app, "components.sharing", "toggle_nn_builder_sharing", user, "nn-builder-share-upload.n_clicks",
            **{"nn-builder-dataset__value": value},
        )  # fmt: skip

    def choose(user):
        return call(
            client, app, "nn_builder.parameters", "choose_dataset", user, "nn-builder-dataset.value",
            **{"nn-builder-dataset__value": chosen},
        )  # fmt: skip

    assert _nn_menu(app, ANA)[chosen] == "a.csv → y (ana, private)"
    assert _nn_menu(app, ADMIN)[chosen] == "a.csv → y (ana, private)"
    assert chosen not in _nn_menu(app, BOB) and "digits" in _nn_menu(app, BOB)
    status, text = toggle("bob")  # a crafted id of another user's private upload
    assert status == 200 and f"No dataset named '{chosen}'" in text
    assert _nn_visibility(app, upload) == {"ana": "private"}
    status, text = toggle("vic")
    assert status == 403 and "This needs the editor role" in text

    status, text = toggle("ana")
    try:
        assert status == 200 and "The team sees it now." in text, text[:300]
        response = json.loads(text)["response"]
        assert response["nn-builder-share-upload"]["children"] == "Make private"
        assert response["nn-builder-share-note"]["children"] == "Your upload, team."
        assert {o["value"]: o["label"] for o in response["nn-builder-dataset"]["options"]}[chosen].endswith(
            "(ana, team)"
        )
        assert _nn_visibility(app, upload) == {"ana": "team"}
        with app.server.test_request_context():
            events = audit.query(services.engine(), actor="ana", action="nn.visibility")
        assert events[0]["target"] == f"dataset:{upload}" and events[0]["detail"]["visibility"] == "team"

        # After a reload Bob sees it in his menu and opens it, but cannot make it private.
        assert _nn_menu(app, BOB)[chosen] == "a.csv → y (ana, team)"
        status, text = choose("bob")
        assert status == 200 and "Using a.csv" in text and "No dataset named" not in text
        status, text = toggle("bob")
        assert status == 200 and "bob may not change who sees this upload. Uploaded by ana (team)." in text
        assert _nn_visibility(app, upload) == {"ana": "team"}
        status, text = call(
            client, app, "components.sharing", "show_nn_builder_sharing", "bob", "nn-builder-dataset.value",
            **{"nn-builder-dataset__value": chosen},
        )  # fmt: skip
        response = json.loads(text)["response"]
        assert response["nn-builder-share-upload"]["disabled"] is True
        assert response["nn-builder-share-note"]["children"] == "Uploaded by ana (team)."
    finally:
        status, text = toggle("ana")  # private again: Bob loses it
    assert status == 200 and "Only ana (and admins) see it now." in text
    assert chosen not in _nn_menu(app, BOB)
    status, text = choose("bob")
    assert status == 200 and "No dataset named" in text


def test_an_admin_may_change_anyones_nn_upload_and_nobody_a_built_in_one(app, client, anas):
    chosen = f"{anas['nn_upload']}?target=y"

    def toggle(user, value):
        return call(
            client, app, "components.sharing", "toggle_nn_builder_sharing", user, "nn-builder-share-upload.n_clicks",
            **{"nn-builder-dataset__value": value},
        )  # fmt: skip

    status, text = toggle("root", chosen)
    try:
        assert status == 200 and "The team sees it now." in text
        assert _nn_visibility(app, anas["nn_upload"]) == {"ana": "team"}
    finally:
        status, text = toggle("root", chosen)
    assert "Only ana (and admins) see it now." in text and _nn_visibility(app, anas["nn_upload"]) == {"ana": "private"}

    for bad, said in [
        ("digits", "Built-in data is everyone&#x27;s"),
        ("../../etc/passwd", "No dataset named"),
        ({"not": "an id"}, "No dataset named"),
        (None, "No dataset named"),
        ("upload-" + "0" * 16 + "?target=y", "No dataset named"),
    ]:
        status, text = toggle("ana", bad)
        assert status == 200 and said.replace("&#x27;", "'") in text.replace("\\u0027", "'"), (bad, text[:300])


def test_a_sentiment_run_is_seen_by_another_user_only_after_its_owner_shares_it(app, client, anas):
    """Ana's dataset is team-visible but her run is private: Bob gets no model until she shares the run from the
    Model card; he may not change it back; a viewer's click is refused; private again, he loses it."""
    dataset, run = anas["dataset"], anas["run"]
    run_info = {"dataset": dataset, "run": run}

    def toggle(user, value=run_info):
        return call(
            client, app, "components.sharing", "toggle_sentiment_run_sharing", user, "sentiment-run-share.n_clicks",
            **{"sentiment-run__data": value},
        )  # fmt: skip

    def bobs_run():
        status, text = call(
            client, app, "sentiment.overview", "choose_dataset", "bob", "sentiment-dataset.value",
            **{"sentiment-dataset__value": dataset},
        )  # fmt: skip
        assert status == 200 and "No dataset named" not in text, text[:300]
        return (json.loads(text)["response"].get("sentiment-run") or {}).get("data")

    def shown_to(user):
        status, text = call(
            client, app, "components.sharing", "show_sentiment_run_sharing", user, "sentiment-run.data",
            **{"sentiment-run__data": run_info},
        )  # fmt: skip
        response = json.loads(text)["response"]
        return response["sentiment-run-share-note"]["children"], response["sentiment-run-share"]

    with app.server.test_request_context():
        services.owners().set_visibility(ANA, "sentiment", dataset, TEAM)  # the data is shared, the run is not
    try:
        assert bobs_run() is None  # no run he may see: the page asks for his own first model instead
        assert shown_to("ana") == (f"Run #{run}: yours, private.", {"children": "Share this run", "disabled": False})
        status, text = toggle("vic")
        assert status == 403 and "This needs the editor role" in text
        status, text = toggle("bob")  # a crafted click on a run he cannot see
        assert status == 200 and f"There is no model run '{run}' for this dataset." in text

        status, text = toggle("ana")
        response = json.loads(text)["response"]
        assert status == 200 and response["sentiment-run-share-note"]["children"] == f"Run #{run}: yours, team."
        assert response["sentiment-run-share"]["children"] == "Make this run private"
        assert bobs_run() == {"dataset": dataset, "run": run, "previous": None}
        assert shown_to("bob") == (
            f"Run #{run}: trained by ana, team.",
            {"children": "Share this run", "disabled": True},
        )
        status, text = toggle("bob")  # he sees it now, but it is not his to make private
        assert status == 200 and f"bob (editor) may not change run #{run} of ana." in text
        with app.server.test_request_context():
            events = audit.query(services.engine(), actor="ana", action="sentiment.visibility")
            assert services.sentiment().runs.get(run, BOB)["visibility"] == TEAM
        assert events[0]["target"] == f"run:{run}" and events[0]["detail"]["visibility"] == "team"
    finally:
        status, text = toggle("ana")  # private again: Bob loses it
        with app.server.test_request_context():
            services.owners().set_visibility(ANA, "sentiment", dataset, "private")
    assert status == 200 and f"Run #{run}: yours, private." in text


@pytest.mark.parametrize(
    "bad, said",
    [
        (None, "Show a model run first."),
        ("run 1", "Show a model run first."),
        ({"dataset": "tweets", "run": "1; drop"}, "A model run must be a whole number, not '1; drop'."),
        ({"run": 10**12}, f"There is no model run '{10**12}' for this dataset."),
        ({"dataset": "tweets", "run": 1}, "There is no model run '1' for this dataset."),  # run 1 is of Ana's data
        ({}, "A model run must be a whole number, not 'None'."),
    ],
)
def test_a_crafted_run_share_says_there_is_no_such_run(app, client, anas, bad, said):
    status, text = call(
        client, app, "components.sharing", "toggle_sentiment_run_sharing", "ana", "sentiment-run-share.n_clicks",
        **{"sentiment-run__data": bad},
    )  # fmt: skip
    assert status == 200, text[:300]
    assert json.loads(text)["response"]["sentiment-run-share-note"]["children"] == said
