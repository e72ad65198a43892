"""Labelled texts: the public tweet set, or a user's CSV/Parquet, as one frame with a train/test split.

Every dataset becomes a DataFrame with columns ``text`` (str), ``label`` (int8 index into
``LABELS``, or ``UNLABELLED`` (-1) for a row whose label cell was empty) and ``split`` ("train" or
"test"), in a fixed row order: a row's position is its id, which stored corrections refer to. An upload may add
``id`` (the file's own row id, str, shown in the table) and ``time`` (UTC timestamps, NaT where the file's value
was empty or unreadable; the time view by ticker uses it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.model_selection import train_test_split

from models.datasets import fetch_dataset
from models.files import guess_column, sniff_delimiter
from models.limits import LimitError, Limits, check_cells, check_parquet, current_limits, release_memory
from models.sentiment.labels import LABELS, TWEET_LABEL_MAP, UNLABELLED, LabelError, to_codes
from models.sentiment.times import parse_times

TWEETS = "twitter_financial_news_sentiment"
SPLITS = ("train", "test")
_PARQUET_MAGIC = b"PAR1"


class DataError(ValueError):
    """A file or column choice that cannot become a labelled dataset; the message says why."""


@dataclass(frozen=True)
class Table:
    """A user's file, read but not yet interpreted: the UI lets them pick columns from it.

    Attributes:
        frame: The file's columns as read.
        notes: Things the user should know (e.g. bytes that were not UTF-8 and were replaced).
    """

    frame: pd.DataFrame
    notes: tuple[str, ...] = ()


def load_tweets(data_home: str | Path | None = None, mirror: str | Path | None = None) -> pd.DataFrame:
    """The financial-news tweets, train then test (the public ``sent_valid.csv`` is the test split)."""
    folder = fetch_dataset(TWEETS, data_home=data_home, mirror=mirror)
    parts = []
    for split, name in (("train", "sent_train.csv"), ("test", "sent_valid.csv")):
        raw = pd.read_csv(folder / name, dtype={"text": str}, keep_default_na=False)
        parts.append(
            pd.DataFrame({"text": raw["text"], "label": to_codes(raw["label"], TWEET_LABEL_MAP), "split": split})
        )
    return pd.concat(parts, ignore_index=True)


def read_parquet(content: bytes, filename: str, limits: Limits) -> pd.DataFrame:
    """A Parquet upload as a frame, its size checked from the footer before any data is read.

    Raises:
        DataError: unreadable, or more rows × columns (or uncompressed bytes) than ``limits`` allow.
    """
    try:
        parquet = pq.ParquetFile(io.BytesIO(content))
        check_parquet(parquet.metadata, limits, filename)
        frame = parquet.read().to_pandas()
    except LimitError as exc:
        raise DataError(str(exc)) from None
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{filename} is not a readable Parquet file ({exc}).") from None
    release_memory()  # Arrow's buffers are freed now; hand them back rather than keep the worker at its peak
    return frame


def _check_csv_size(text: str, filename: str, limits: Limits) -> None:
    """Rows (lines) × columns (the header's fields) within ``limits``, counted before pandas reads anything."""
    header = text[: text.find("\n")] if "\n" in text else text
    columns = max(len(header.split(sniff_delimiter(text))), 1)
    try:
        check_cells(text.count("\n"), columns, limits, filename)
    except LimitError as exc:
        raise DataError(str(exc)) from None


def read_table(content: bytes, filename: str, limits: Limits | None = None) -> Table:
    """Read an uploaded CSV or Parquet file.

    Args:
        limits: Caps on its size once read; default: the running app's (``GLASSBOX_MAX_TABLE_CELLS`` ...).

    Raises:
        DataError: empty, binary but not Parquet, unreadable, no rows, or larger than the caps.
    """
    if not content:
        raise DataError(f"{filename} is empty.")
    limits = limits or current_limits()
    notes: list[str] = []
    if content[:4] == _PARQUET_MAGIC or filename.lower().endswith(".parquet"):
        frame = read_parquet(content, filename, limits)
    else:
        if b"\x00" in content[:4096]:
            raise DataError(f"{filename} looks binary; upload a CSV (UTF-8 text) or a Parquet file.")
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            text = content.decode("utf-8-sig", errors="replace")
            bad = text.count("\ufffd")
            notes.append(
                f"{filename} is not valid UTF-8 (first bad byte at offset {exc.start}); "
                f"{bad} undecodable byte(s) were replaced with \ufffd."
            )
        _check_csv_size(text, filename, limits)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sniff_delimiter(text))
        except (pd.errors.ParserError, csv.Error) as exc:
            raise DataError(f"{filename} is not a readable CSV file ({exc}).") from None
    if frame.empty or len(frame.columns) < 2:
        raise DataError(f"{filename} needs a header and at least two columns (a text and a label) and one row.")
    frame.columns = [str(c) for c in frame.columns]
    return Table(frame, tuple(notes))


def labelled(
    frame: pd.DataFrame,
    text_column: str,
    label_column: str,
    label_map: Mapping[str, str] | None = None,
    split_column: str | None = None,
    test_size: float = 0.2,
    seed: int = 0,
    check_splits: bool = True,
    id_column: str | None = None,
    time_column: str | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """A user's table as a labelled dataset.

    Rows with an empty text are dropped (and counted in the notes); rows with an empty label (empty,
    whitespace or missing) are kept as ``UNLABELLED`` (counted in the notes). Without a split column a
    stratified, seeded test split of ``test_size`` is drawn. ``check_splits=False`` allows a
    single split (a caller joining a train file and a test file). ``id_column`` keeps the file's own row ids
    (as ``id``); ``time_column`` is read with its timezone into ``time`` (see ``models.sentiment.times``: values
    without an offset are UTC, unreadable ones NaT, both counted in the notes).

    Returns:
        ``(dataset, notes)``: the dataset frame (``text``, ``label``, ``split``, ``source_row``, the row's
        0-based position in ``frame``, and ``id`` / ``time`` when those columns were chosen) and messages for the
        user.

    Raises:
        DataError: a column is missing, no texts remain, or the split column has other values.
        LabelError: labels that are none of the classes (``unknown`` lists them).
    """
    roles = (("text", text_column), ("label", label_column), ("split", split_column))
    for role, column in (*roles, ("id", id_column), ("time", time_column)):
        if column is not None and not isinstance(column, str):
            raise DataError(f"Choose the {role} column by its name, not {str(column)[:40]!r}.")
        if column is not None and column not in frame.columns:
            raise DataError(
                f"The file has no column {column!r} for the {role}; its columns are: {', '.join(frame.columns)}."
            )
    if text_column == label_column:
        raise DataError("Choose different columns for the text and the label.")
    for role, column in (("id", id_column), ("time", time_column)):
        if column is not None and column in (text_column, label_column):
            raise DataError(f"The {role} column cannot be the text or the label column.")
    notes = []
    text = frame[text_column].astype(str).str.strip()
    keep = text.ne("") & frame[text_column].notna()
    if not keep.all():
        notes.append(f"{int((~keep).sum())} row(s) with an empty text were left out.")
    frame, text = frame[keep], text[keep]
    if frame.empty:
        raise DataError("No row has a text.")
    codes = unlabelled_codes(frame[label_column], label_map)
    if (codes == UNLABELLED).any():
        notes.append(f"{int((codes == UNLABELLED).sum()):,} row(s) have no label yet: the labelling queue offers them.")
    if split_column:
        split = frame[split_column].astype(str).str.strip().str.lower().replace({"valid": "test", "validation": "test"})
        odd = sorted(set(split) - set(SPLITS))
        if odd:
            raise DataError(
                f"The split column may hold only train or test (or valid); it has {', '.join(map(repr, odd[:5]))}."
            )
        split = split.to_numpy(object)
    else:
        split = split_rows(codes, test_size, seed)
    dataset = pd.DataFrame(
        {"text": text.to_numpy(object), "label": codes, "split": split, "source_row": np.flatnonzero(keep.to_numpy())}
    )
    if id_column:
        dataset["id"] = frame[id_column].astype(str).str.strip().to_numpy(object)
    if time_column:
        parsed = parse_times(frame[time_column])
        dataset["time"] = parsed.times.to_numpy()
        notes.extend(parsed.notes(time_column))
    for name in SPLITS if check_splits else ():
        if not (dataset["split"] == name).any():
            raise DataError(f"The {name} split is empty; a model needs rows in both.")
    return dataset, notes


def unlabelled_codes(values: pd.Series, label_map: Mapping[str, str] | None = None) -> np.ndarray:
    """``to_codes`` where an empty, whitespace or missing label is ``UNLABELLED`` instead of an error.

    Raises:
        LabelError: a non-empty label that is none of the classes (named, as ``to_codes`` does).
    """
    empty = values.isna().to_numpy() | values.astype(str).str.strip().eq("").to_numpy()
    codes = np.full(len(values), UNLABELLED, dtype=np.int8)
    codes[~empty] = to_codes(values[~empty], label_map)
    return codes


def split_rows(codes: np.ndarray, test_size: float, seed: int) -> np.ndarray:
    """A stratified train/test assignment per row, unlabelled rows a stratum of their own (falls back to
    unstratified for tiny classes)."""
    if not 0 < test_size < 1:
        raise DataError(f"The test share must be between 0 and 1, not {test_size}.")
    rows = np.arange(len(codes))
    counts = np.bincount(np.asarray(codes, dtype=np.int64) + 1, minlength=len(LABELS) + 1)
    stratify = codes if counts[counts > 0].min() >= 2 else None
    try:
        try:
            _, test_rows = train_test_split(rows, test_size=test_size, random_state=seed, stratify=stratify)
        except ValueError:  # a test split smaller than the number of strata: unstratified
            _, test_rows = train_test_split(rows, test_size=test_size, random_state=seed)
    except ValueError as exc:
        raise DataError(f"Cannot split {len(codes)} rows into train and test: {exc}") from None
    split = np.full(len(codes), "train", dtype=object)
    split[test_rows] = "test"
    return split


ID_NAMES = ("id", "tweet_id", "id_str", "status_id", "row_id", "uid")
TIME_NAMES = ("time", "created_at", "timestamp", "date", "datetime", "published_at", "posted_at", "created")


def guess_columns(columns: list[str]) -> dict[str, str | None]:
    """The likely text, label, split, id and time columns of an upload, by name (first and second column otherwise).

    Returns:
        ``{"text": ..., "label": ..., "split": ..., "id": ..., "time": ...}``; split, id and time are None when no
        column looks like one.
    """
    columns = list(columns)
    return {
        "text": guess_column(columns, "text", "tweet", "sentence") or (columns[0] if columns else None),
        "label": guess_column(columns, "label", "sentiment", "class", "target")
        or (columns[1] if len(columns) > 1 else None),
        "split": guess_column(columns, "split", "set"),
        "id": guess_column(columns, *ID_NAMES),
        "time": guess_column(columns, *TIME_NAMES),
    }


__all__ = [
    "DataError",
    "guess_columns",
    "LabelError",
    "Table",
    "labelled",
    "load_tweets",
    "read_table",
    "split_rows",
    "TWEETS",
]
