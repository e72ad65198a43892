"""Keep SQLite calls and ``fork`` apart, so a forked background job never starts with SQLite's locks held.

Why: Dash's diskcache manager starts each background job by forking the web process (``multiprocess``), and
``models.logs.early`` forks too. A fork copies only the forking thread; if another thread was inside SQLite at
that moment (a job's progress poll reading the diskcache, a SQLAlchemy query on the SQLite database), the child
inherits SQLite's process-wide mutexes locked by a thread it does not have. Its first SQLite call then waits
forever: seen as a first-model job hanging in ``sqlite3Malloc`` on SQLite's static memory mutex, its result never
stored, the page waiting for it (or, when the lock was one of the database's, a ``diskcache.Timeout``).

``install`` makes every ``sqlite3`` connection opened afterwards (diskcache's and SQLAlchemy's both go through
``sqlite3.connect``) take a shared gate around each call into SQLite, and registers fork hooks that close the
gate (waiting for calls in flight, at most ``DRAIN_S``) just before any fork in the process and open it after.
A call waits only while a fork is under way; forks wait only for SQLite calls already running.

The same holds for Python's file objects: each buffered stream has a lock, taken while it writes. If another
thread was writing (a request's access-log line, a log record) when the process forked, the child's copy of that
stream is locked for good, and its first write or flush waits forever: seen as an early store build that finished
its work and then hung in ``logging.shutdown`` flushing a log file, holding its build lock. So in the child,
``sys.stdout``, ``sys.stderr`` and every logging handler's stream are replaced by fresh file objects on the same
descriptors (``_fresh_streams``); what the parent had buffered stays the parent's to write.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import sys
import threading

DRAIN_S = 1.0  # a fork waits at most this long for SQLite calls in flight (a stuck one must not stop all jobs)


class _Gate:
    """Many threads in SQLite at once, or one fork: a readers-writer gate, reentrant for the readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._inside = 0  # threads inside SQLite now
        self._forking = 0  # forks under way
        self._local = threading.local()

    def __enter__(self) -> None:
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            with self._cond:
                while self._forking:
                    self._cond.wait()
                self._inside += 1
        self._local.depth = depth + 1

    def __exit__(self, *_exc) -> None:
        self._local.depth -= 1
        if self._local.depth == 0:
            with self._cond:
                self._inside -= 1
                if not self._inside:
                    self._cond.notify_all()

    def before_fork(self) -> None:
        with self._cond:
            self._forking += 1
            mine = 1 if getattr(self._local, "depth", 0) else 0  # a fork from inside SQLite waits for the others
            self._cond.wait_for(lambda: self._inside <= mine, timeout=DRAIN_S)

    def after_fork_in_parent(self) -> None:
        with self._cond:
            self._forking -= 1
            self._cond.notify_all()

    def after_fork_in_child(self) -> None:
        depth = getattr(self._local, "depth", 0)  # the forking thread is the child's only thread
        self.__init__()
        if depth:
            self._inside, self._local.depth = 1, depth


GATE = _Gate()


def _gated(method):
    def call(self, *args, **kwargs):
        with GATE:
            return method(self, *args, **kwargs)

    call.__name__, call.__doc__ = method.__name__, method.__doc__
    return call


class GatedCursor(sqlite3.Cursor):
    """A cursor whose calls into SQLite pass the fork gate."""

    execute = _gated(sqlite3.Cursor.execute)
    executemany = _gated(sqlite3.Cursor.executemany)
    executescript = _gated(sqlite3.Cursor.executescript)
    fetchone = _gated(sqlite3.Cursor.fetchone)
    fetchmany = _gated(sqlite3.Cursor.fetchmany)
    fetchall = _gated(sqlite3.Cursor.fetchall)
    close = _gated(sqlite3.Cursor.close)
    __next__ = _gated(sqlite3.Cursor.__next__)


class GatedConnection(sqlite3.Connection):
    """A connection whose calls into SQLite pass the fork gate; its cursors are ``GatedCursor``."""

    def cursor(self, factory=GatedCursor):
        with GATE:
            return super().cursor(factory)

    execute = _gated(sqlite3.Connection.execute)
    executemany = _gated(sqlite3.Connection.executemany)
    executescript = _gated(sqlite3.Connection.executescript)
    commit = _gated(sqlite3.Connection.commit)
    rollback = _gated(sqlite3.Connection.rollback)
    close = _gated(sqlite3.Connection.close)
    create_function = _gated(sqlite3.Connection.create_function)
    create_aggregate = _gated(sqlite3.Connection.create_aggregate)
    create_collation = _gated(sqlite3.Connection.create_collation)
    __exit__ = _gated(sqlite3.Connection.__exit__)


_real_connect = sqlite3.connect
_installed = False


def _connect(*args, **kwargs):
    kwargs.setdefault("factory", GatedConnection)
    with GATE:
        return _real_connect(*args, **kwargs)


def _fresh(stream):
    """A new text file object on ``stream``'s descriptor (not closing it), or None for a stream without one."""
    try:
        fd = stream.fileno()
        return open(  # it replaces the stream for the rest of the child's life
            fd,
            "w",
            buffering=1,
            encoding=getattr(stream, "encoding", None) or "utf-8",
            errors=getattr(stream, "errors", None) or "backslashreplace",
            closefd=False,
        )
    except (AttributeError, OSError, ValueError):  # io.StringIO, a closed stream, pytest's capture without a file
        return None


def _fresh_streams() -> None:
    """In a forked child: new file objects for the standard streams and the logging handlers' streams, whose
    locks another thread of the parent may have held at the fork (see the module docstring)."""
    replaced = {}
    for name in ("stdout", "stderr"):
        old = getattr(sys, name)
        new = _fresh(old)
        if new is not None:
            replaced[id(old)] = new
            setattr(sys, name, new)
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        for handler in getattr(logger, "handlers", []):
            stream = getattr(handler, "stream", None)
            if stream is None:
                continue
            new = replaced.get(id(stream)) or _fresh(stream)
            if new is not None:
                with contextlib.suppress(AttributeError):
                    handler.stream = new  # not setStream: it flushes the old stream, whose lock may be held


def install() -> None:
    """Gate ``sqlite3.connect`` (and ``sqlite3.dbapi2.connect``, SQLAlchemy's) and register the fork hooks (the gate,
    fresh streams in the child); once."""
    global _installed
    if _installed:
        return
    _installed = True
    sqlite3.connect = _connect
    sqlite3.dbapi2.connect = _connect
    os.register_at_fork(
        before=GATE.before_fork,
        after_in_parent=GATE.after_fork_in_parent,
        after_in_child=GATE.after_fork_in_child,
    )
    os.register_at_fork(after_in_child=_fresh_streams)
