"""A fork waits for SQLite calls in flight, so a forked background job never inherits SQLite's locks held."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from webapp import forksafe

SLOW = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) FROM n"


def test_connections_opened_after_install_pass_the_gate(tmp_path):
    forksafe.install()
    con = sqlite3.connect(tmp_path / "a.db")
    assert isinstance(con, forksafe.GatedConnection)
    assert isinstance(con.cursor(), forksafe.GatedCursor)
    assert con.execute("SELECT 41 + 1").fetchone() == (42,)
    con.close()
    assert isinstance(sqlite3.dbapi2.connect(":memory:"), forksafe.GatedConnection)  # SQLAlchemy's door


def test_a_fork_waits_for_a_query_in_flight_and_the_child_can_use_sqlite(tmp_path):
    forksafe.install()
    con = sqlite3.connect(tmp_path / "a.db", check_same_thread=False)
    done = {}
    started = threading.Event()

    def slow_query():
        started.set()
        con.execute(SLOW).fetchone()
        done["at"] = time.monotonic()

    thread = threading.Thread(target=slow_query)
    thread.start()
    started.wait()
    time.sleep(0.05)  # the query is running (it takes well over a second here)
    pid = os.fork()
    if pid == 0:  # the child: SQLite works at once (no inherited lock), then leave without pytest's teardown
        code = 1
        try:
            other = sqlite3.connect(tmp_path / "b.db")
            code = 0 if other.execute("SELECT 1").fetchone() == (1,) else 1
        finally:
            os._exit(code)
    forked_at = time.monotonic()
    thread.join()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert forked_at >= done["at"]  # the fork waited until the query had left SQLite


def test_a_forked_process_opens_its_own_database_connection_not_its_parents(tmp_path):
    import sqlalchemy as sa

    from models.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'g.db'}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (a INTEGER)"))
        parents = id(connection.connection.dbapi_connection)  # back in the pool after this block
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            with engine.begin() as connection:
                connection.execute(sa.text("INSERT INTO t VALUES (2)"))
                code = 0 if id(connection.connection.dbapi_connection) != parents else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0  # 3: the child wrote through its parent's pooled connection
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM t")).scalar() == 1
        assert id(connection.connection.dbapi_connection) == parents  # the parent's connection is left intact
