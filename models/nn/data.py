"""Tabular datasets for the NN Builder and their train/validation split.

Every source becomes a ``Dataset``: a float32 feature matrix, a target (float32 for regression,
int64 class codes for classification) and the names that go with them. ``split`` draws a seeded
validation share and, when asked, standard-scales the features with statistics of the training
rows only, so nothing about the validation rows leaks into training.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr
from sklearn.model_selection import train_test_split

from models.datasets import fetch_dataset
from models.files import sniff_delimiter

TASKS = ("regression", "classification")
BLS_PRICES = "bls_prices"
MIN_ROWS = 10
# An integer target with at most this many distinct values is read as class labels (unless told otherwise).
MAX_GUESSED_CLASSES = 20


class DataError(ValueError):
    """Data that cannot be trained on; the message says why and what to change."""


@dataclass(frozen=True)
class Dataset:
    """A table ready for a network.

    Attributes:
        name: Shown to the user and stored with runs.
        X: Features, shape (rows, features), float32, all finite.
        y: Target, shape (rows,): float32 for regression, int64 codes into ``classes`` for classification.
        features: Column names of ``X``.
        target: Name of the target column.
        task: ``"regression"`` or ``"classification"``.
        classes: Class names (``str``) for classification, empty for regression.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    features: tuple[str, ...]
    target: str
    task: str
    classes: tuple[str, ...] = ()

    @property
    def n_outputs(self) -> int:
        return len(self.classes) if self.task == "classification" else 1


@dataclass(frozen=True)
class Split:
    """Training and validation rows of a dataset, scaled or not.

    Attributes:
        X_train, y_train, X_val, y_val: The two parts (features scaled when ``mean`` is set).
        rows_train, rows_val: Their row positions in the dataset.
        mean, scale: Per-feature standardisation fitted on the training rows (``None`` when not scaled);
            a new row ``x`` enters the network as ``(x - mean) / scale``.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    rows_train: np.ndarray
    rows_val: np.ndarray
    mean: np.ndarray | None = field(default=None)
    scale: np.ndarray | None = field(default=None)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Features as the network sees them."""
        X = np.asarray(X, dtype=np.float32)
        return X if self.mean is None else ((X - self.mean) / self.scale).astype(np.float32)


def call_price(S, K, T, sigma, r=0.0) -> np.ndarray:
    """Black-Scholes price of a European call without dividends (arrays broadcast).

    ``d1 = (ln(S/K) + (r + sigma²/2)·T) / (sigma·√T)``, ``d2 = d1 - sigma·√T``,
    ``price = S·N(d1) - K·e^(-rT)·N(d2)``.
    """
    S, K, T, sigma, r = (np.asarray(a, dtype=np.float64) for a in (S, K, T, sigma, r))
    vol = sigma * np.sqrt(T)
    d1 = (np.log(S / K) + (r + 0.5 * sigma**2) * T) / vol
    return S * ndtr(d1) - K * np.exp(-r * T) * ndtr(d1 - vol)


def black_scholes(n: int = 10_000, seed: int = 0) -> Dataset:
    """Call prices drawn from the formula, in the reference file's ranges plus a rate.

    Features: ``S`` (spot, 70..130), ``T`` (years to maturity, 0.01..2), ``sigma`` (volatility,
    0.01..0.6), ``moneyness`` (K/S, 0.2..2) and ``r`` (rate, 0..0.05), each uniform; target ``price``.
    """
    if n < MIN_ROWS:
        raise DataError(f"Ask for at least {MIN_ROWS} rows, not {n}.")
    rng = np.random.default_rng(seed)
    S = rng.uniform(70, 130, n)
    T = rng.uniform(0.01, 2.0, n)
    sigma = rng.uniform(0.01, 0.6, n)
    moneyness = rng.uniform(0.2, 2.0, n)
    r = rng.uniform(0.0, 0.05, n)
    price = call_price(S, S * moneyness, T, sigma, r)
    X = np.column_stack([S, T, sigma, moneyness, r]).astype(np.float32)
    return Dataset(
        f"Black-Scholes ({n:,} rows, seed {seed})",
        X,
        price.astype(np.float32),
        ("S", "T", "sigma", "moneyness", "r"),
        "price",
        "regression",
    )


def load_bls_prices(data_home: str | os.PathLike | None = None, mirror: str | os.PathLike | None = None) -> Dataset:
    """The talk's reference file: 10,000 call prices (``price`` from ``S``, ``T``, ``sigma``, ``moneyness``; r = 0)."""
    folder = fetch_dataset(BLS_PRICES, data_home=data_home, mirror=mirror)
    frame = pd.read_csv(folder / "bls_prices.csv")
    dataset = from_frame(frame, "price", task="regression")
    return Dataset(
        "Black-Scholes reference (10,000 rows)", dataset.X, dataset.y, dataset.features, "price", "regression"
    )


def load_digits() -> Dataset:
    """scikit-learn's 8×8 handwritten digits (1,797 rows, 64 pixel features, classes 0..9); bundled, no download."""
    from sklearn.datasets import load_digits as sk_digits

    bunch = sk_digits()
    return Dataset(
        "Digits (1,797 rows)",
        bunch.data.astype(np.float32),
        bunch.target.astype(np.int64),
        tuple(bunch.feature_names),
        "digit",
        "classification",
        tuple(str(c) for c in bunch.target_names),
    )


def load_csv(
    source: bytes | str | os.PathLike, target: str, task: str | None = None, name: str | None = None
) -> Dataset:
    """A user's CSV with a chosen target column; every other column is a feature.

    Args:
        source: The file's bytes (an upload) or a path.
        target: Column to predict.
        task: ``"regression"`` or ``"classification"``; guessed when ``None``: text targets and
            integer targets with at most 20 distinct values are classes.
        name: Shown to the user; defaults to the file name.

    Raises:
        DataError: unreadable or empty file, missing target, non-numeric or incomplete feature
            columns, missing target values, fewer than 10 rows or a single class.
    """
    label = name or ("the file" if isinstance(source, (bytes, bytearray)) else Path(source).name)
    dataset = from_frame(read_frame(source, label), target, task)
    return Dataset(
        f"{label} ({len(dataset.y):,} rows)",
        dataset.X,
        dataset.y,
        dataset.features,
        target,
        dataset.task,
        dataset.classes,
    )


def read_frame(source: bytes | str | os.PathLike, label: str = "the file") -> pd.DataFrame:
    """A CSV's table as read, before any column is chosen (column names stripped of spaces).

    Args:
        source: The file's bytes (an upload) or a path.
        label: The file's name in messages.

    Raises:
        DataError: the file cannot be read, is empty, looks binary or is not a CSV table.
    """
    if isinstance(source, (bytes, bytearray)):
        content = bytes(source)
    else:
        try:
            content = Path(source).read_bytes()
        except OSError as exc:
            raise DataError(f"Cannot read {source}: {exc.strerror}.") from None
    if not content.strip():
        raise DataError(f"{label} is empty.")
    if b"\x00" in content[:65536]:
        raise DataError(f"{label} looks binary; upload a CSV file (UTF-8 text).")
    try:
        text = content.decode("utf-8-sig")
        frame = pd.read_csv(io.StringIO(text), sep=sniff_delimiter(text))
    except UnicodeDecodeError:
        raise DataError(f"{label} is not UTF-8 text; upload a CSV file saved as UTF-8.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(f"{label} is not a readable CSV file ({exc}).") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise DataError(f"{label} has a header but no rows.")
    return frame


def guess_task(column: pd.Series) -> str:
    """``"classification"`` for text targets and whole-number targets with at most 20 distinct values, else
    ``"regression"`` (missing values are ignored in the guess)."""
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if not numeric:
        return "classification"
    values = column.dropna().to_numpy(dtype=float)
    whole = np.all(np.isfinite(values)) and np.all(values == np.round(values))
    return "classification" if whole and column.nunique() <= MAX_GUESSED_CLASSES else "regression"


def from_frame(frame: pd.DataFrame, target: str, task: str | None = None) -> Dataset:
    """A DataFrame as a dataset (see ``load_csv`` for the rules and errors)."""
    if task is not None and task not in TASKS:
        raise DataError(f"The task must be one of {', '.join(TASKS)}, not {task!r}.")
    if target not in frame.columns:
        raise DataError(
            f"There is no column {target!r} to predict; the columns are: {', '.join(map(str, frame.columns))}."
        )
    features = [c for c in frame.columns if c != target]
    if not features:
        raise DataError("Besides the target there is no column to predict it from.")
    if len(frame) < MIN_ROWS:
        raise DataError(f"{len(frame)} row(s) are too few to train and validate on; at least {MIN_ROWS} are needed.")
    text = [
        c for c in features if not (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))
    ]
    if text:
        examples = ", ".join(f"{c!r} (e.g. {_first_text(frame[c])!r})" for c in text[:5])
        more = f" and {len(text) - 5} more" if len(text) > 5 else ""
        raise DataError(f"Feature columns must be numeric; not numeric: {examples}{more}. Drop or encode them.")
    X = frame[features].to_numpy(dtype=np.float64)
    bad = ~np.isfinite(X)
    if bad.any():
        counts = bad.sum(axis=0)
        listed = ", ".join(f"{features[i]!r} ({counts[i]} row(s))" for i in np.flatnonzero(counts)[:5])
        raise DataError(f"Feature columns have missing or infinite values: {listed}. Fill or drop those rows.")
    _check_float32(X, features)
    column = frame[target]
    missing = int(column.isna().sum())
    if missing:
        raise DataError(f"The target {target!r} has {missing} missing value(s); drop or fill those rows first.")
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if task is None:
        task = guess_task(column)
    if task == "regression":
        if not numeric:
            raise DataError(
                f"A regression target must be numeric; {target!r} holds text such as {_first_text(column)!r}."
            )
        y = column.to_numpy(dtype=np.float64)
        if not np.isfinite(y).all():
            raise DataError(f"The target {target!r} has infinite values.")
        _check_float32(y[:, None], [target])
        return Dataset(target, X.astype(np.float32), y.astype(np.float32), tuple(features), target, task)
    codes, uniques = pd.factorize(column, sort=True)
    if len(uniques) < 2:
        raise DataError(
            f"The target {target!r} has a single value ({uniques[0]!r}); a classifier needs two classes or more."
        )
    classes = tuple(_class_name(u) for u in uniques)
    return Dataset(target, X.astype(np.float32), codes.astype(np.int64), tuple(features), target, task, classes)


FLOAT32_MAX = float(np.finfo(np.float32).max)


def _check_float32(values: np.ndarray, columns: list[str]) -> None:
    """Networks train in float32: a finite float64 beyond its range (1e300) would become inf there."""
    outside = np.abs(values) > FLOAT32_MAX
    if outside.any():
        counts = outside.sum(axis=0)
        listed = ", ".join(f"{columns[i]!r} ({counts[i]} row(s))" for i in np.flatnonzero(counts)[:5])
        raise DataError(
            f"Values beyond float32's range (±{FLOAT32_MAX:.3g}) in: {listed}; a network trains in float32, where "
            "they become infinite. Rescale or drop those rows."
        )


def _first_text(column: pd.Series) -> str:
    for value in column:
        if isinstance(value, str):
            return value
    return str(column.iloc[0])


def _class_name(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def split(dataset: Dataset, validation: float = 0.2, seed: int = 0, scale: bool = True) -> Split:
    """A seeded train/validation split (stratified for classes when every class has two rows).

    Args:
        validation: Share of rows held out, strictly between 0 and 1; the validation part has
            ``ceil(validation · rows)`` rows (``training_rows`` says how many remain).
        scale: Standardise features with the training rows' mean and standard deviation
            (constant columns are centred only).

    Raises:
        DataError: the share is out of range or leaves a part empty.
    """
    n = len(dataset.y)
    n_train = training_rows(n, validation)
    if n_train < 1 or n_train >= n:
        raise DataError(f"A validation share of {validation} leaves no rows for training or validation out of {n}.")
    rows = np.arange(n)
    stratify = None
    if dataset.task == "classification":
        counts = np.bincount(dataset.y, minlength=len(dataset.classes))
        if counts.min() >= 2 and n - n_train >= len(dataset.classes) and n_train >= len(dataset.classes):
            stratify = dataset.y
    train_rows, val_rows = train_test_split(rows, test_size=n - n_train, random_state=seed, stratify=stratify)
    X_train, X_val = dataset.X[train_rows], dataset.X[val_rows]
    mean = std = None
    if scale:
        mean = X_train.mean(axis=0, dtype=np.float64)
        std = X_train.std(axis=0, dtype=np.float64)
        std[std == 0] = 1.0
        mean, std = mean.astype(np.float32), std.astype(np.float32)
        X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
    return Split(
        X_train.astype(np.float32),
        dataset.y[train_rows],
        X_val.astype(np.float32),
        dataset.y[val_rows],
        train_rows,
        val_rows,
        mean,
        std,
    )


def training_rows(n_rows: int, validation: float) -> int:
    """How many of ``n_rows`` rows ``split`` keeps for training (0 for a share outside (0, 1))."""
    if not 0 < validation < 1:
        return 0
    return n_rows - int(np.ceil(validation * n_rows))
