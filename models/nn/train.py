"""One training run: split, build, fit with the monitor, and measure on the validation rows."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from sklearn.metrics import confusion_matrix

from models.nn.data import Dataset, Split, split
from models.nn.monitor import Monitor, Progress
from models.nn.spec import build_model, check, load_spec, loss_target, metric_name, save_spec

STATUSES = ("finished", "stopped", "diverged", "failed")
MAX_SAMPLE = 2000
MAX_DIAGNOSTIC_POINTS = 5000


@dataclass
class Result:
    """A finished, stopped, diverged or failed training run.

    Attributes:
        spec: The spec trained, every setting filled in.
        data: ``name``, ``features``, ``target``, ``task``, ``classes``, ``rows``, ``train_rows``,
            ``val_rows`` and ``mean``/``scale`` (the feature scaling, lists or ``None``).
        records: The monitor's per-epoch records (see ``Monitor.records``).
        final: Measured after training: ``epochs`` (trained), ``metric`` (``"r2"`` or ``"accuracy"``),
            the last epoch's ``loss``, ``val_loss``, ``train_metric``, ``val_metric``, and on the
            validation rows ``val_r2``, ``val_mse``, ``val_mae`` (regression) or ``val_accuracy``
            (classification). Values that are not finite are ``None``.
        diagnostics: On the validation rows (at most 5,000 of them): regression ``{"actual",
            "predicted", "residual"}`` (lists, residual = actual - predicted); classification
            ``{"labels", "matrix"}`` (actual rows × predicted columns, counts). ``None`` when the
            network produced no finite predictions.
        model: The fitted Keras model (``None`` when loaded without it).
        seconds: Wall time of ``fit``.
        status: One of ``STATUSES``.
        reason: Why training ended early (``None`` when finished).
    """

    spec: dict
    data: dict
    records: list[dict]
    final: dict
    diagnostics: dict | None
    model: object | None
    seconds: float
    status: str
    reason: str | None = None

    def epochs(self) -> list[dict]:
        """Per-epoch metrics without histograms: ``epoch``, ``loss``, ``val_loss``, ``metric``, ``val_metric``, ``seconds``."""
        return [{k: v for k, v in record.items() if k != "layers"} for record in self.records]

    def transform(self, X) -> np.ndarray:
        """Features as the network takes them (the training rows' scaling applied)."""
        X = np.asarray(X, dtype=np.float32)
        if self.data.get("mean") is None:
            return X
        return ((X - np.asarray(self.data["mean"], np.float32)) / np.asarray(self.data["scale"], np.float32)).astype(
            np.float32
        )

    def predict(self, X) -> np.ndarray:
        """Predictions for raw feature rows: values (regression) or class probabilities (classification)."""
        if self.model is None:
            raise RuntimeError("This result was loaded without its model.")
        out = np.asarray(self.model.predict_on_batch(self.transform(X)))
        return out[:, 0] if self.data["task"] == "regression" else out

    def save(self, folder: str | Path) -> Path:
        """Write ``model.keras``, ``spec.json`` and ``run.json`` (records, metrics, diagnostics) into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if self.model is not None:
            self.model.save(folder / "model.keras")
        save_spec(self.spec, folder / "spec.json")
        meta = {
            key: getattr(self, key)
            for key in ("data", "records", "final", "diagnostics", "seconds", "status", "reason")
        }
        tmp = folder / "run.json.tmp"
        tmp.write_text(json.dumps(meta))
        tmp.replace(folder / "run.json")
        return folder

    @classmethod
    def load(cls, folder: str | Path, with_model: bool = True) -> Result:
        """A saved run; the model is loaded with Keras's safe mode on (no arbitrary code from the file)."""
        folder = Path(folder)
        meta = json.loads((folder / "run.json").read_text())
        model_path = folder / "model.keras"
        model = keras.models.load_model(model_path, safe_mode=True) if with_model and model_path.exists() else None
        return cls(spec=load_spec(folder / "spec.json"), model=model, **meta)


def train(
    dataset: Dataset, spec: dict, progress: Progress | None = None, should_stop: Callable[[], bool] | None = None
) -> Result:
    """Train a network of ``spec`` on ``dataset``, recording every epoch.

    Seeds Keras's global random state with ``spec["seed"]`` (initial weights, shuffling, dropout), so
    the same spec on the same data gives the same run in a fresh process.

    Args:
        progress: Called after every epoch with ``(epoch, epochs, record)``; the page passes a
            function that calls Dash's ``set_progress``.
        should_stop: Checked between batches; returning true ends training after the current batch.

    Returns:
        The run; a NaN loss or an error during ``fit`` ends it with status ``"diverged"`` or
        ``"failed"`` and a ``reason`` instead of raising.

    Raises:
        SpecError: the spec is invalid for this data (checked before anything is built).
        DataError: the validation share leaves a part empty.
    """
    spec = check(spec, len(dataset.y), dataset.task)
    parts = split(dataset, spec["validation"], spec["seed"], spec["scale"])
    keras.utils.set_random_seed(int(spec["seed"]))
    model = build_model(spec, dataset.X.shape[1], dataset.task, len(dataset.classes) or None)
    y_train, y_val = _targets(dataset, spec, parts.y_train), _targets(dataset, spec, parts.y_val)
    rng = np.random.default_rng(spec["seed"])
    sample_rows = np.sort(rng.choice(len(parts.X_train), min(MAX_SAMPLE, len(parts.X_train)), replace=False))
    monitor = Monitor(parts.X_train[sample_rows], int(spec["epochs"]), progress, should_stop)
    status, reason = "finished", None
    started = time.perf_counter()
    try:
        model.fit(
            parts.X_train,
            y_train,
            validation_data=(parts.X_val, y_val),
            epochs=int(spec["epochs"]),
            batch_size=int(spec["batch_size"]),
            shuffle=True,
            verbose=0,
            callbacks=[monitor],
        )
    except Exception as exc:
        status, reason = "failed", f"Training failed at epoch {len(monitor.records) + 1}: {type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    if status == "finished" and monitor.stopped:
        status = {"nan": "diverged", "stopped": "stopped"}[monitor.stopped]
        reason = monitor.reason
    final, diagnostics = _measure(model, dataset, parts, monitor.records)
    data = {
        "name": dataset.name,
        "features": list(dataset.features),
        "target": dataset.target,
        "task": dataset.task,
        "classes": list(dataset.classes),
        "rows": len(dataset.y),
        "train_rows": len(parts.y_train),
        "val_rows": len(parts.y_val),
        "mean": None if parts.mean is None else parts.mean.tolist(),
        "scale": None if parts.scale is None else parts.scale.tolist(),
    }
    return Result(spec, data, monitor.records, final, diagnostics, model, seconds, status, reason)


def _targets(dataset: Dataset, spec: dict, y: np.ndarray) -> np.ndarray:
    if dataset.task == "regression":
        return y.astype(np.float32)[:, None]
    if loss_target(spec["loss"]) == "one_hot":
        return np.eye(len(dataset.classes), dtype=np.float32)[y]
    return y


def _clean(value) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _measure(model, dataset: Dataset, parts: Split, records: list[dict]) -> tuple[dict, dict | None]:
    last = records[-1] if records else {}
    final = {
        "epochs": len(records),
        "metric": metric_name(dataset.task),
        "loss": last.get("loss"),
        "val_loss": last.get("val_loss"),
        "train_metric": last.get("metric"),
        "val_metric": last.get("val_metric"),
    }
    rows = np.arange(len(parts.y_val))
    if len(rows) > MAX_DIAGNOSTIC_POINTS:
        rows = np.sort(np.random.default_rng(0).choice(rows, MAX_DIAGNOSTIC_POINTS, replace=False))
    try:
        predicted = np.asarray(model.predict(parts.X_val, batch_size=4096, verbose=0))
    except Exception:
        return final, None
    if not np.isfinite(predicted).all():
        return final, None
    if dataset.task == "regression":
        predicted, actual = predicted[:, 0].astype(np.float64), parts.y_val.astype(np.float64)
        residual = actual - predicted
        total = float(np.sum((actual - actual.mean()) ** 2))
        final.update(
            val_r2=_clean(1 - float(np.sum(residual**2)) / total) if total > 0 else None,
            val_mse=_clean(float(np.mean(residual**2))),
            val_mae=_clean(float(np.mean(np.abs(residual)))),
        )
        diagnostics = {
            "actual": actual[rows].tolist(),
            "predicted": predicted[rows].tolist(),
            "residual": residual[rows].tolist(),
        }
    else:
        labels = predicted.argmax(axis=1)
        final["val_accuracy"] = float(np.mean(labels == parts.y_val))
        matrix = confusion_matrix(parts.y_val, labels, labels=np.arange(len(dataset.classes)))
        diagnostics = {"labels": list(dataset.classes), "matrix": matrix.tolist()}
    return final, diagnostics
