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


def test_concurrent_first_starts_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engines = [make_engine(url) for _ in range(8)]
    errors, barrier = [], threading.Barrier(len(engines))

    def start(engine):
        barrier.wait()
        try:
            create_tables(engine, _metadata())
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
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
    errors = []
    for round_ in range(40):
        engines = [make_engine(f"sqlite:///{tmp_path / f'db{round_}.sqlite'}") for _ in range(6)]
        barrier = threading.Barrier(len(engines))

        def open_(engine, barrier=barrier):
            barrier.wait()
            try:
                with engine.connect() as connection:
                    assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=open_, args=(e,)) for e in engines]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for engine in engines:
            engine.dispose()
    assert errors == []
