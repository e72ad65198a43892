"""A fork waits for SQLite calls in flight, so a forked background job never inherits SQLite's locks held."""

from __future__ import annotations

import logging
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


def test_a_child_forked_while_another_thread_writes_a_log_can_still_log(tmp_path):
    """Another thread was inside a log stream's write at the fork (its lock held): the child's copy of that stream
    stayed locked, and an early store build hung for good in ``logging.shutdown`` flushing it. The child gets fresh
    streams; here it logs, flushes and exits while the parent's writer is still blocked."""
    forksafe.install()
    read_end, write_end = os.pipe()
    stream = open(write_end, "w", buffering=1 << 20, closefd=True)  # noqa: SIM115 - closed below
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("glassbox.test.forksafe")
    logger.addHandler(handler)
    blocked = threading.Thread(target=lambda: (stream.write("x" * (4 << 20)), stream.flush()), daemon=True)
    drained = threading.Thread(target=lambda: [None for _ in iter(lambda: os.read(read_end, 1 << 16), b"")])
    try:
        blocked.start()  # 4 MiB into a 64 KiB pipe nobody reads yet: the write blocks holding the stream's lock
        time.sleep(0.3)
        pid = os.fork()
        if pid == 0:  # the child: log and flush through the handler the blocked thread's stream belongs to
            code = 1
            try:
                logger.warning("from the child")
                handler.flush()
                code = 0
            finally:
                os._exit(code)
        drained.start()  # now the pipe is read: the parent's writer and the child's fresh stream both get through
        deadline = time.monotonic() + 20
        while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        if done[0] == 0:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        assert done[0] == pid, "the child hung on the stream lock it inherited"
        assert os.waitstatus_to_exitcode(done[1]) == 0
    finally:
        logger.removeHandler(handler)
        blocked.join(20)
        stream.close()
        if drained.ident:
            drained.join(20)
        os.close(read_end)
