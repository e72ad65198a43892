"""Database helpers: table creation from several processes at once."""

import threading

import pytest
import sqlalchemy as sa

from models.db import create_tables, make_engine


def _metadata():
    metadata = sa.MetaData()
    sa.Table("things", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("others", metadata, sa.Column("id", sa.Integer, primary_key=True))
    return metadata


def _all_at_once(engines, action) -> list[Exception]:
    """Run ``action(engine)`` for every engine, each in its own thread, released together; the errors raised."""
    errors, barrier = [], threading.Barrier(len(engines))

    def run(engine):
        barrier.wait()
        try:
            action(engine)
        except Exception as exc:  # any error is the failure these tests look for
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_first_starts_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engines = [make_engine(url) for _ in range(8)]
    assert _all_at_once(engines, lambda engine: create_tables(engine, _metadata())) == []
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
        errors += _all_at_once(engines, open_)
        for engine in engines:
            engine.dispose()
    assert errors == []
