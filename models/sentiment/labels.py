"""The three classes and the ways users write them (names in any case, bearish/bullish, integer codes)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
# The code of a row nobody has labelled yet (an empty label cell); such rows are scored, never trained on.
UNLABELLED = -1
SYNONYMS = {
    "negative": "negative",
    "bearish": "negative",
    "neutral": "neutral",
    "positive": "positive",
    "bullish": "positive",
}
# The public tweet set codes its labels in this (unsorted) order; see its PROVENANCE.md.
TWEET_LABEL_MAP = {"0": "negative", "1": "positive", "2": "neutral"}


class LabelError(ValueError):
    """Labels that are none of the three classes; ``unknown`` lists them so the UI can offer a mapping."""

    def __init__(self, message: str, unknown: list[str]):
        super().__init__(message)
        self.unknown = unknown


def parse_label_map(text: str | None) -> dict[str, str]:
    """``"0=negative,1=positive,2=neutral"`` → ``{"0": "negative", ...}``.

    Raises:
        LabelError: an entry has no ``=`` or maps to something that is not a class.
    """
    mapping: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        key, sep, value = item.partition("=")
        target = SYNONYMS.get(value.strip().lower())
        if not sep or not key.strip() or target is None:
            raise LabelError(
                f"Bad label mapping entry {item!r}: write it as value=class, class one of {', '.join(LABELS)}.", [item]
            )
        mapping[key.strip()] = target
    return mapping


def _key(value) -> str:
    """Raw label → mapping key: integral floats (``2.0`` from a CSV with gaps) read as ``"2"``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def to_codes(values: pd.Series, mapping: Mapping[str, str] | None = None) -> np.ndarray:
    """Class index (into ``LABELS``) of every raw label.

    Names are matched in any case (bearish/bullish too); anything else goes through ``mapping``.

    Raises:
        LabelError: some labels are missing or match no class; the message names up to ten of them.
    """
    mapping = {str(k): SYNONYMS.get(str(v).lower(), v) for k, v in (mapping or {}).items()}
    keys = values.map(_key, na_action="ignore")
    names = keys.map(lambda k: mapping.get(k) or SYNONYMS.get(k.lower()), na_action="ignore")
    index = {name: i for i, name in enumerate(LABELS)}
    codes = names.map(index, na_action="ignore")
    bad = codes.isna()
    if bad.any():
        unknown = sorted(set(keys[bad].fillna("(empty)")), key=str)
        shown = ", ".join(repr(u) for u in unknown[:10]) + (" …" if len(unknown) > 10 else "")
        raise LabelError(
            f"{int(bad.sum())} label(s) are not one of {', '.join(LABELS)}: {shown}. "
            "Map them to classes, e.g. 0=negative,1=positive,2=neutral.",
            unknown,
        )
    return codes.to_numpy(np.int8)


def label_names(codes: np.ndarray) -> np.ndarray:
    """Class names of ``codes``, ``""`` for ``UNLABELLED`` (numpy would read -1 as the last class)."""
    codes = np.asarray(codes, dtype=np.int64)
    names = np.asarray(LABELS + ("",), dtype=object)
    return names[np.where(codes < 0, len(LABELS), codes)]
