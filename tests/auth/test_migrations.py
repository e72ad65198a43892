"""Alembic migrations: a database made by the app before migrations upgrades without losing a row (SQLite and
PostgreSQL), an empty one is migrated at start, one behind is refused with a message, and the live tables match
what the migrations make."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from models import accounts, audit, migrations, ownership
from models.nn import store as nn_store
from models.sentiment import store as sentiment_store
from models.sentiment.labels import LABELS
from tests.concurrency import all_at_once

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def legacy_metadata() -> sa.MetaData:
    """A frozen copy of the schema the app made before migrations (commit 82c515e's stores), so this test keeps
    building a real legacy database whatever the live tables become."""
    metadata = sa.MetaData()
    sa.Table(
        "sentiment_corrections",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(64), nullable=False, index=True),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("old_label", sa.String(16), nullable=False),
        sa.Column("new_label", sa.String(16), nullable=False),
        sa.Column("batch", sa.String(32), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
    )
    sa.Table(
        "sentiment_runs",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(64), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("metrics", sa.Text, nullable=False),
        sa.Column("corrections", sa.Integer, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
    )
    sa.Table(
        "nn_runs",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dataset", sa.String(200), nullable=False, index=True),
        sa.Column("task", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("epochs", sa.Text, nullable=False),
        sa.Column("final", sa.Text, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
    )
    return metadata


T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
CORRECTIONS = [
    dict(dataset="tweets", row=3, text="Shares soar", old_label="negative", new_label="positive", batch="b1"),
    dict(dataset="tweets", row=7, text="Profit slimmed", old_label="neutral", new_label="negative", batch="b1"),
    dict(dataset="tweets", row=9, text="Flat day", old_label="positive", new_label="neutral", batch="b2"),
    dict(dataset="own-ab12", row=0, text="=1+1", old_label="neutral", new_label="positive", batch="b3"),
]
SENTIMENT_RUNS = [
    dict(dataset="tweets", params="{}", metrics='{"accuracy": 0.837}', corrections=2, seconds=3.1, path="/r/1"),
    dict(dataset="own-ab12", params='{"C": 2}', metrics='{"accuracy": 0.5}', corrections=0, seconds=1.0, path="/r/2"),
]
NN_RUNS = [
    dict(dataset="black-scholes", task="regression", status="done", reason=None, spec="{}", epochs="[]",
         final='{"loss": 0.1}', seconds=9.5, path="/nn/1"),
    dict(dataset="digits", task="classification", status="failed", reason="NaN (diverged)", spec="{}",
         epochs="[]", final="{}", seconds=2.0, path="/nn/2"),
]  # fmt: skip


def make_legacy(engine) -> dict[str, list[tuple]]:
    """A database as the app made it before migrations: the tables, rows in each (an undone batch too)."""
    metadata = legacy_metadata()
    metadata.create_all(engine)
    t = metadata.tables
    with engine.begin() as connection:
        for row in CORRECTIONS:
            undone = T0 if row["batch"] == "b2" else None
            connection.execute(t["sentiment_corrections"].insert().values(**row, created_at=T0, undone_at=undone))
        for row in SENTIMENT_RUNS:
            connection.execute(t["sentiment_runs"].insert().values(**row, created_at=T0))
        for row in NN_RUNS:
            connection.execute(t["nn_runs"].insert().values(**row, created_at=T0))
    return snapshot(engine, metadata)


def snapshot(engine, metadata: sa.MetaData) -> dict[str, list[tuple]]:
    """Every row of every legacy table, in the legacy columns only (later revisions may add columns)."""
    out = {}
    with engine.connect() as connection:
        for name, table in metadata.tables.items():
            columns = [sa.column(c.name) for c in table.columns]
            rows = connection.execute(sa.select(*columns).select_from(sa.table(name)).order_by(sa.column("id")))
            out[name] = [tuple(r) for r in rows]
    return out


def test_a_database_from_before_migrations_upgrades_keeping_every_row(engine):
    db = engine()
    before = make_legacy(db)
    assert migrations.state(db) == "legacy"
    with pytest.raises(migrations.SchemaBehindError, match="glassbox db upgrade"):
        migrations.ensure_current(db)

    old, new = migrations.upgrade(db)

    assert (old, new) == (None, migrations.head())
    after = snapshot(db, legacy_metadata())
    assert after == before
    assert len(after["sentiment_corrections"]) == 4
    assert sum(1 for row in after["sentiment_corrections"] if row[-1] is not None) == 1  # the undone batch stays undone
    assert {"users", "api_tokens", "audit_events"} <= set(sa.inspect(db).get_table_names())
    migrations.ensure_current(db)  # now current: no error

    # The stores read the upgraded rows: the undone batch is not effective, the others are.
    corrections = sentiment_store.CorrectionStore(db)
    assert corrections.effective("tweets") == {3: LABELS.index("positive"), 7: LABELS.index("negative")}
    assert len(corrections.history("tweets")) == 3
    assert len(nn_store.RunStore(db).list()) == 2


def test_an_empty_database_is_migrated_by_the_first_store_and_matches_the_live_tables(engine):
    db = engine()
    assert migrations.state(db) == "empty"
    sentiment_store.CorrectionStore(db)
    assert migrations.current(db) == migrations.head()
    with db.connect() as connection:
        context = MigrationContext.configure(connection)
        metadata = sa.MetaData()
        for source in (
            sentiment_store.metadata,
            nn_store.metadata,
            audit.metadata,
            accounts.metadata,
            ownership.metadata,
        ):
            for table in source.tables.values():
                table.to_metadata(metadata)
        diff = compare_metadata(context, metadata)
    assert diff == [], f"the live tables differ from what the migrations make: {diff}"


def test_two_processes_starting_on_an_empty_database_at_once_both_start(database_url):
    from models.db import make_engine

    engines = [make_engine(database_url) for _ in range(4)]
    assert all_at_once(engines, migrations.ensure_current) == []
    assert migrations.current(engines[0]) == migrations.head()
    for e in engines:
        e.dispose()


def test_a_process_starting_while_another_is_mid_migration_waits_for_it(database_url):
    """Seen in CI: of two gunicorn workers booting on a new database, one read the other's half-made schema
    (tables, no ``alembic_version`` yet) as a database from before migrations, refused to start, and the master
    shut down. The second process must wait for the lock and find the schema current."""
    from models.db import make_engine

    first, second = make_engine(database_url), make_engine(database_url)
    errors, done = [], threading.Event()

    def start():
        try:
            migrations.ensure_current(second)
        except Exception as exc:  # any error is the failure this test looks for
            errors.append(exc)
        done.set()

    with migrations._migration_lock(first):
        legacy_metadata().create_all(first)  # the first process's migration, part way
        waiter = threading.Thread(target=start)
        waiter.start()
        assert not done.wait(1.0), f"the second process did not wait for the migration: {errors}"
        migrations._upgrade_unlocked(first)  # the first process's migration, finished
    waiter.join(60)
    assert errors == []
    assert migrations.current(second) == migrations.head()
    first.dispose()
    second.dispose()


def test_the_app_refuses_to_start_on_a_database_behind_and_names_the_command(tmp_path):
    from models.db import make_engine
    from webapp import create_app
    from webapp.config import ConfigError

    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    db = make_engine(url)
    make_legacy(db)
    with pytest.raises(ConfigError, match=r"glassbox db upgrade"):
        create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": url})
    db.dispose()


def glassbox(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "webapp", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_glassbox_db_upgrade_and_current_on_the_command_line(database_url):
    from models.db import make_engine

    db = make_engine(database_url)
    before = make_legacy(db)
    env = {"GLASSBOX_DATABASE_URL": database_url}

    shown = glassbox("db", "current", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "legacy" in shown.stdout and migrations.head() in shown.stdout

    upgraded = glassbox("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"upgraded none -> {migrations.head()}" in upgraded.stdout
    assert snapshot(db, legacy_metadata()) == before

    again = glassbox("db", "upgrade", env=env)
    assert again.returncode == 0 and f"already at {migrations.head()}" in again.stdout
    db.dispose()


def test_a_database_a_newer_glassbox_migrated_is_refused(engine):
    db = engine()
    migrations.upgrade(db)
    with db.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(migrations.SchemaBehindError, match="does not know"):
        migrations.ensure_current(db)
