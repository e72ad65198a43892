"""Schema migrations (Alembic): every table of the app's database, versioned.

The migration environment lives in this package (``env.py``, ``versions/``) so it ships with the code. One entry
point, ``ensure_current``, is what the app, the gunicorn master and the stores call before touching a table:

- an empty database is upgraded to the newest revision (a newcomer's first command just works);
- a database at the newest revision is left alone;
- a database behind it (including one made before migrations existed: tables, no ``alembic_version``) is refused
  with ``SchemaBehindError``, whose message says to run ``glassbox db upgrade``.

``upgrade`` is what ``glassbox db upgrade`` runs. Both take a lock first (a PostgreSQL advisory lock, a lock file
beside a SQLite file), so two processes starting at once never run the same migration twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

HERE = Path(__file__).resolve().parent
BASELINE = "0001_baseline"
BASELINE_TABLES = ("sentiment_corrections", "sentiment_runs", "nn_runs")
"""The tables the app made before migrations existed (revision ``0001_baseline``)."""
_PG_LOCK_KEY = 0x67626F78  # "gbox": the advisory lock every Glassbox migration takes on PostgreSQL


class SchemaBehindError(RuntimeError):
    """The database's schema is older (or newer) than this code's; the message says what to run."""


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config on this package's migrations (``url`` for Alembic's own command line only)."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The newest revision this code knows."""
    return _scripts().get_current_head()


def current(engine: Engine) -> str | None:
    """The database's revision; ``None`` when it has no ``alembic_version`` (empty, or made before migrations)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def state(engine: Engine) -> str:
    """``"empty"``, ``"legacy"`` (tables made before migrations), ``"current"``, ``"behind"`` or ``"ahead"``."""
    revision = current(engine)
    if revision is None:
        tables = set(sa.inspect(engine).get_table_names())
        return "legacy" if tables & set(BASELINE_TABLES) else "empty"
    if revision == head():
        return "current"
    try:
        _scripts().get_revision(revision)
    except Exception:
        return "ahead"
    return "behind"


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to ``revision`` (default: the newest); returns (revision before, revision after).

    A database made before migrations has its missing baseline tables created and is then upgraded: the
    baseline revision creates only what is missing, so every row already there stays.
    """
    with _migration_lock(engine):
        before = current(engine)
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        return before, current(engine)


def ensure_current(engine: Engine) -> None:
    """Upgrade an empty database to the newest revision; refuse one that is behind (or ahead of) this code.

    Raises:
        SchemaBehindError: the message names the revisions and ``glassbox db upgrade``.
    """
    if state(engine) == "current":
        return
    # Judged again under the lock: another process may be mid-migration (its tables made, its alembic_version
    # not yet), which read unlocked looks like a database from before migrations.
    with _migration_lock(engine):
        status = state(engine)
        if status == "empty":
            _upgrade_unlocked(engine)
            status = state(engine)
    if status == "current":
        return
    url = engine.url.render_as_string(hide_password=True)
    if status == "ahead":
        raise SchemaBehindError(
            f"The database {url} is at revision {current(engine)!r}, which this version of Glassbox does not know "
            f"(its newest is {head()!r}): run the Glassbox version that upgraded it, or a newer one."
        )
    found = "made before migrations existed" if status == "legacy" else f"at revision {current(engine)!r}"
    raise SchemaBehindError(
        f"The database {url} is {found}; this version of Glassbox needs revision {head()!r}. "
        "Back it up, then run `glassbox db upgrade` (with the same GLASSBOX_DATABASE_URL / GLASSBOX_DATA_DIR) "
        "and start again; the upgrade keeps every row."
    )


def _upgrade_unlocked(engine: Engine) -> None:
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextlib.contextmanager
def _migration_lock(engine: Engine, timeout: float = 120.0):
    """Hold an exclusive lock across processes for the migration of ``engine``'s database."""
    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                connection.commit()
        return
    database = engine.url.database if backend == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    lock_path = Path(database).expanduser().with_name(Path(database).name + ".migrate-lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another process holds {lock_path} (a migration running?)") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
