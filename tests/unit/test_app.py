import pytest
import sqlalchemy as sa

PAGES = ["/", "/logs", "/sentiment", "/nn-builder"]


def test_healthz_reports_status_and_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "version": "0.1.0"}


def test_healthz_is_503_when_database_is_down(app, client, tmp_path):
    # A directory is not a database file: every connection attempt fails.
    app.server.extensions["glassbox.db"] = sa.create_engine(f"sqlite:///{tmp_path}")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_served(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b'data-bs-theme="dark"' in response.data


@pytest.mark.parametrize("path", ["/nope", "/logs/extra", "/sentiment-x"])
def test_unknown_paths_are_404_but_still_render_the_app(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"_dash-app-content" in response.data or b"react-entry-point" in response.data


def test_every_page_is_registered_with_its_path(app, client):
    import dash

    client.get("/")
    paths = {page["path"] for page in dash.page_registry.values()}
    assert set(PAGES) | {"/404"} <= paths


def test_upload_limit_comes_from_config(tmp_path):
    from webapp import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "MAX_UPLOAD_MB": 1})
    client = app.server.test_client()
    assert app.server.config["MAX_UPLOAD_BYTES"] == 1024 * 1024
    body = b"x" * (app.server.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 413


def test_sqlite_database_is_created_under_data_dir(app, client, app_config):
    client.get("/healthz")
    assert app.server.config["DATABASE_URL"].endswith("/data/glassbox.db")
