"""A page's view state in the URL fragment, so a copied link reproduces the view.

The fragment (``#...``), not the query string: Dash Pages re-renders a page when its query
string changes, while the fragment is the page's own.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

LIST_SEPARATOR = "~"


def encode_hash(state: dict) -> str:
    """``{"a": 1, "b": ["x", "y"], "c": None}`` → ``#a=1&b=x~y``; empty values are left out."""
    pairs = []
    for key, value in state.items():
        if value is None or value == [] or value == ():
            continue
        if isinstance(value, (list, tuple)):
            value = LIST_SEPARATOR.join(str(v) for v in value)
        pairs.append((key, str(value)))
    return "#" + urlencode(pairs) if pairs else ""


def decode_hash(fragment: str | None, list_keys: set[str]) -> dict:
    """Inverse of ``encode_hash``; keys in ``list_keys`` come back as lists of strings. Anything but a string (a
    crafted callback payload) reads as no fragment."""
    query = parse_qs(fragment.lstrip("#") if isinstance(fragment, str) else "", keep_blank_values=False)
    out: dict = {}
    for key, values in query.items():
        value = values[-1]
        out[key] = [v for v in value.split(LIST_SEPARATOR) if v] if key in list_keys else value
    return out
