"""Start a store's build in a process of its own the moment the app knows it is needed.

Why: on a cold open of a large server file the page's ``request`` callback answers ~1 s after the page
loads, but the background job that parses the file (a Dash background callback) is asked for by the browser
only once its main thread is done mounting the graphs, ~1.4 s later: 1.4 s of a ~15 s first dashboard spent
with the CPUs idle. ``start`` begins the build when ``request`` answers; the job then runs the same parse,
finds this build holding the store's build lock (``columnar.open_or_build``), waits for it while passing its
progress on to the page's bar, and maps the store it wrote. A build that fails here is tried again by the
job, which says why.

The process is forked, as Dash's ``DiskcacheManager`` starts its jobs (it inherits the app's loaded modules
and configuration, so it costs no interpreter start-up), and detached: the caller returns at once, a thread
of its own reaps the child when it ends (no zombie), and the child ends with ``os._exit`` (it never returns
into the web server's code). Before working, the child lets go of every file it inherited but its standard
streams and the logging handlers' files (each is pointed at /dev/null): it holds no client connection, no
listening socket and no lock of the web process. Errors are logged, not raised.

Bounded: one build per store (the store's build lock is taken before the fork, so a second request meanwhile
starts none), and none when ``max_builds`` builds (by any process: jobs too) run already.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import stat
import threading
from collections.abc import Callable
from pathlib import Path

from models.logs import columnar

log = logging.getLogger(__name__)

_RESET_SIGNALS = ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGTTIN", "SIGTTOU")


def start(folder: str | Path, work: Callable[[], object], max_builds: int) -> int | None:
    """Run ``work()`` (which builds the store at ``folder``) in a detached child process.

    Args:
        folder: The store the work builds: its build lock is taken here, handed to the child.
        work: Called in the child; what it returns is dropped, what it raises is logged.
        max_builds: Start nothing when this many stores are being built already (0: never start).

    Returns:
        The child's process id, or None when nothing was started (a build of this store runs already,
        too many builds run, or the fork failed).
    """
    folder = Path(folder)
    if max_builds <= 0 or columnar.builds_running(folder.parent) >= max_builds:
        return None
    claim = columnar.claim_build(folder)
    if claim is None:  # its build runs already
        return None
    try:
        pid = os.fork()
    except OSError as exc:
        log.warning("could not start building %s early: %s", folder.name, exc)
        claim.close()
        return None
    if pid == 0:  # the child
        _run(folder, claim, work)
    claim.close()  # the child holds the lock now (the same open file): it is released when the child ends
    threading.Thread(target=_reap, args=(pid,), name=f"reap-build-{pid}", daemon=True).start()
    return pid


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _run(folder: Path, claim, work: Callable[[], object]) -> None:
    """The child: build, log what went wrong, and leave without returning into the caller's code."""
    code = 1
    try:
        for name in _RESET_SIGNALS:  # the web server's handlers (a gunicorn worker's) are not this process's
            with contextlib.suppress(AttributeError, ValueError, OSError):
                signal.signal(getattr(signal, name), signal.SIG_DFL)
        _let_go_of_inherited_files(keep={claim.fileno()})
        columnar.adopt_build(folder, claim)
        work()
        code = 0
    except BaseException as exc:  # anything: logged, then this process ends
        if isinstance(exc, (OSError, ValueError, LookupError)):
            log.warning("building %s early failed: %s", folder.name, exc)
        else:
            log.exception("building %s early failed", folder.name)
    finally:
        with contextlib.suppress(BaseException):
            logging.shutdown()
        os._exit(code)


def _logging_fds() -> set[int]:
    """The files the logging handlers write to (not sockets: a syslog handler's connection is the parent's)."""
    fds = set()
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        for handler in getattr(logger, "handlers", []):
            stream = getattr(handler, "stream", None)
            with contextlib.suppress(AttributeError, OSError, ValueError):
                fd = stream.fileno()
                if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                    fds.add(fd)
    return fds


def _let_go_of_inherited_files(keep: set[int]) -> None:
    """Point every inherited descriptor but ``keep``, stdin/stdout/stderr and the logging handlers' files at
    /dev/null: the sockets and locks they held are released here (the numbers stay taken, so an object of
    the parent's that closes its descriptor later closes /dev/null, never a file this process opened)."""
    keep = keep | {0, 1, 2} | _logging_fds()
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc: leave them (the build still works; sockets stay open until it ends)
        return
    null = os.open(os.devnull, os.O_RDWR)
    for fd in fds:
        if fd not in keep and fd != null:
            with contextlib.suppress(OSError):  # the listing's own descriptor is gone already
                os.fstat(fd)
                os.dup2(null, fd)
    os.close(null)
