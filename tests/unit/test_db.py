"""Database helpers: table creation from several processes at once."""

import pytest
import sqlalchemy as sa

from models.db import create_tables, make_engine
from tests.concurrency import all_at_once


def _metadata():
    metadata = sa.MetaData()
    sa.Table("things", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("others", metadata, sa.Column("id", sa.Integer, primary_key=True))
    return metadata


def test_concurrent_first_starts_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engines = [make_engine(url) for _ in range(8)]
    assert all_at_once(engines, lambda engine: create_tables(engine, _metadata())) == []
    assert {"things", "others"} <= set(sa.inspect(engines[0]).get_table_names())
    for engine in engines:
        engine.dispose()


def test_other_database_errors_still_raise(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    metadata = sa.MetaData()
    sa.Table("bad", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.CheckConstraint("nonsense(", name="c"))
    with pytest.raises(sa.exc.DatabaseError):
        create_tables(engine, metadata)
    engine.dispose()


def test_many_processes_opening_a_new_database_at_once_all_connect(tmp_path):
    """The first connections to a new file race to switch it to WAL; SQLite answers "database is locked" at once
    there (no busy wait). Seen in CI as a gunicorn worker that failed to boot. 40 new files, 6 openers each."""

    def open_(engine):
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"

    errors = []
    for round_ in range(40):
        engines = [make_engine(f"sqlite:///{tmp_path / f'db{round_}.sqlite'}") for _ in range(6)]
        errors += all_at_once(engines, open_)
        for engine in engines:
            engine.dispose()
    assert errors == []
