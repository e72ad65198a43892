"""A small per-process LRU cache for immutable things loaded from disk (datasets, fitted runs)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class LRU:
    """Keeps the ``size`` most recently used values; safe across threads.

    Only for values that never change once built (read-only data, immutable artifacts): every
    gunicorn worker keeps its own copy, so nothing here may be per-user or mutable state.
    """

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The value for ``key``, built (outside the lock) the first time it is asked for."""
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = build()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every value (tests use it to act as a fresh process)."""
        with self.lock:
            self.items.clear()
