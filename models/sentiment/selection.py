"""What a client may name on the sentiment page — runs, rows, labels — checked before anything is read or written.

Every id here comes from the browser (a ``dcc.Store``, a grid's checked rows, a clicked point) and so may be
crafted: ``"1 OR 1=1"``, ``1e9``, ``-1``. Each check raises ``SelectionError`` with a message the page shows,
instead of a 500 or, worse, numpy's negative indexing picking the last tweet.
"""

from __future__ import annotations

import numbers

import numpy as np

from models.sentiment.labels import LABELS


class SelectionError(ValueError):
    """An id sent by a client that names no run, row or label; the message says which and why."""


def whole_number(value, what: str) -> int:
    """``value`` as an int when it is a whole number (an int, an integral float, or a string of digits)."""
    if isinstance(value, bool):
        raise SelectionError(f"{what} must be a whole number, not {value!r}.")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float) and np.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 18:
        return int(value.strip())
    raise SelectionError(f"{what} must be a whole number, not {str(value)[:40]!r}.")


def check_rows(rows, n_rows: int) -> np.ndarray:
    """Row ids as an int64 array, each at least 0 and below ``n_rows``, in the order given, duplicates dropped.

    Raises:
        SelectionError: a row is not a whole number or lies outside the dataset.
    """
    values = [whole_number(r, "A row") for r in rows]
    bad = [r for r in values if not 0 <= r < n_rows]
    if bad:
        raise SelectionError(f"Row {bad[0]} is not in this dataset (rows 0 to {n_rows - 1:,}).")
    return np.asarray(list(dict.fromkeys(values)), dtype=np.int64)


def check_label(label) -> str:
    if label not in LABELS:
        raise SelectionError(f"{str(label)[:40]!r} is not one of {', '.join(LABELS)}.")
    return label


def page_of(shown: list[dict] | None, pages: dict | None) -> list[dict]:
    """The rows of the table page the user looks at: ``shown`` (the grid's rows after its filter and sort)
    cut to ``pages`` (the grid's ``paginationInfo``: ``currentPage``, ``pageSize``); all of them without paging."""
    shown = [r for r in shown or [] if isinstance(r, dict)]
    try:
        page, size = int(pages["currentPage"]), int(pages["pageSize"])
    except (TypeError, KeyError, ValueError):
        return shown
    if page < 0 or size <= 0:
        return shown
    return shown[page * size : (page + 1) * size]


def visible_checked(checked: list[dict] | None, visible: list[dict] | None) -> list:
    """The checked rows among ``visible`` (the rows on screen), in the table's order.

    A grid keeps the checks of rows the user no longer sees (on another page, filtered out, or gone after a
    new cell, lasso or retrain); those must not be relabelled.
    """
    ticked = {str(r.get("row")) for r in checked or [] if isinstance(r, dict)}
    return [r.get("row") for r in visible or [] if isinstance(r, dict) and str(r.get("row")) in ticked]


def shown_rows(shown: list[dict] | None) -> list:
    """Every row id the table holds now (after its filter)."""
    return [r.get("row") for r in shown or [] if isinstance(r, dict)]
