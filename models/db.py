"""Database engines from a URL: SQLite by default, any SQLAlchemy server URL (PostgreSQL) the same way."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def make_engine(url: str) -> Engine:
    """Create an engine; for a SQLite file, create its folder and use WAL so several workers can share it.

    Args:
        url: A SQLAlchemy database URL, e.g. ``sqlite:///data/glassbox.db`` or
            ``postgresql+psycopg://user@host/db``.
    """
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return _per_process(sa.create_engine(url, pool_pre_ping=True))
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = _per_process(sa.create_engine(url, connect_args={"timeout": 30}))

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        _journal_mode_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def _journal_mode_wal(cursor, timeout: float = 30.0) -> None:
    """Switch the file to WAL, trying again while another connection is switching it: SQLite answers "database
    is locked" at once there, without waiting on the busy timeout (seen when two gunicorn workers first opened a
    new database together: one worker failed to boot and the master shut down)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _per_process(engine: Engine) -> Engine:
    """Never hand a forked process a pooled connection of its parent's (SQLAlchemy's recipe for pools across
    processes): background jobs are forked from the web process, and a SQLite or PostgreSQL connection used from
    two processes corrupts its state (a forked first-model job waited forever for SQLite's WAL lock). A
    connection opened by another process is dropped from the pool (not closed: it is the parent's) and a
    fresh one opened."""

    @sa.event.listens_for(engine, "connect")
    def _note_process(_dbapi_connection, record):
        record.info["pid"] = os.getpid()

    @sa.event.listens_for(engine, "checkout")
    def _same_process(_dbapi_connection, record, proxy):
        if record.info.get("pid") != os.getpid():
            record.dbapi_connection = proxy.dbapi_connection = None
            raise sa.exc.DisconnectionError(f"connection opened by process {record.info.get('pid')}, not this one")

    return engine


def ping(engine: Engine) -> None:
    """Raise if the database cannot answer a trivial query."""
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


def create_tables(engine: Engine, metadata: sa.MetaData, attempts: int = 5) -> None:
    """Create ``metadata``'s missing tables, safe when several processes do it at once.

    ``create_all(checkfirst=True)`` checks, then creates: two workers starting together can both
    see a table missing, and the second ``CREATE TABLE`` fails. Trying again checks again, and
    then only what is still missing is created; an error that persists is raised.
    """
    for attempt in range(attempts):
        try:
            metadata.create_all(engine, checkfirst=True)
            return
        except sa.exc.DatabaseError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
