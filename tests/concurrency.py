"""Run one action from several threads released at the same instant: how the tests start "processes at once"."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable


def all_at_once(items: Iterable, action: Callable, timeout: float = 60) -> list[Exception]:
    """``action(item)`` for every item, each in its own thread, all released together; the errors they raised.

    A thread still running after ``timeout`` seconds fails the test (a hang is not a pass)."""
    items = list(items)
    errors, barrier = [], threading.Barrier(len(items))

    def run(item):
        barrier.wait()
        try:
            action(item)
        except Exception as exc:  # any error is the failure these tests look for
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), f"still running after {timeout} s"
    return errors
