"""A page's view state in the URL fragment, so a copied link reproduces the view.

The fragment (``#...``), not the query string: Dash Pages re-renders a page when its query
string changes, while the fragment is the page's own.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlencode

LIST_SEPARATOR = "~"


def _item(value) -> str:
    """A list item as the fragment holds it: ``%`` and the separator escaped, so an item may contain ``~``
    (a product id such as ``/a~b``) and come back whole. ``assets/logs.js`` (``listItem``) does the same."""
    return str(value).replace("%", "%25").replace(LIST_SEPARATOR, "%7E")


def encode_hash(state: dict) -> str:
    """``{"a": 1, "b": ["x", "y~z"], "c": None}`` → ``#a=1&b=x~y%257Ez``; empty values are left out."""
    pairs = []
    for key, value in state.items():
        if value is None or value == [] or value == ():
            continue
        if isinstance(value, (list, tuple)):
            value = LIST_SEPARATOR.join(_item(v) for v in value)
        pairs.append((key, str(value)))
    return "#" + urlencode(pairs) if pairs else ""


def decode_hash(fragment: str | None, list_keys: set[str]) -> dict:
    """Inverse of ``encode_hash``; keys in ``list_keys`` come back as lists of strings. Anything but a string (a
    crafted callback payload) reads as no fragment. A link made before list items were escaped reads the same,
    unless an item held ``~`` (it was split then too) or a ``%`` followed by two hex digits."""
    query = parse_qs(fragment.lstrip("#") if isinstance(fragment, str) else "", keep_blank_values=False)
    out: dict = {}
    for key, values in query.items():
        value = values[-1]
        out[key] = [unquote(v) for v in value.split(LIST_SEPARATOR) if v] if key in list_keys else value
    return out
