"""A Keras callback that looks inside the network every epoch, and lets the page stop training at the next batch."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import keras
import numpy as np

# The talk's thresholds: a tanh unit beyond ±0.97, a sigmoid unit below 0.03 or above 0.97, is saturated.
TANH_LIKE = ("tanh", "hard_tanh")
SIGMOID_LIKE = ("sigmoid", "hard_sigmoid")
RELU_LIKE = ("relu", "relu6")
SATURATION = 0.97
# Activations with a fixed range get fixed histogram edges, so pile-ups at the edges show across epochs.
_FIXED_RANGE = {**dict.fromkeys(TANH_LIKE, (-1.0, 1.0)), **dict.fromkeys(SIGMOID_LIKE, (0.0, 1.0))}

Progress = Callable[[int, int, dict], None]
# A layer is worth a warning when more than this share of its activations is saturated, or of its units dead.
SATURATION_WARNING = 0.25
DEAD_WARNING = 0.25


def histogram(values: np.ndarray, bins: int, value_range: tuple[float, float] | None = None) -> dict:
    """``np.histogram`` of the finite values as JSON-ready lists.

    Returns:
        ``{"counts": [bins ints], "edges": [bins + 1 floats], "nonfinite": int}``.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    finite = values[np.isfinite(values)]
    if value_range is None:
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        # A constant array, or one whose spread is below float resolution at its size (a diverged
        # network's huge weights), still gets bins of finite width around it.
        pad = max(abs(low), abs(high)) * 1e-6 + 0.5 if high - low <= max(abs(low), abs(high)) * 1e-9 else 0.0
        value_range = (low - pad, high + pad)
    counts, edges = np.histogram(np.clip(finite, *value_range), bins=bins, range=value_range)
    return {"counts": counts.tolist(), "edges": edges.tolist(), "nonfinite": int(values.size - finite.size)}


def saturation(activation: str, values: np.ndarray) -> float | None:
    """Share of activation values at the flat ends of a tanh or sigmoid (``None`` for other activations)."""
    if activation in TANH_LIKE:
        return float(np.mean(np.abs(values) > SATURATION))
    if activation in SIGMOID_LIKE:
        return float(np.mean((values < 1 - SATURATION) | (values > SATURATION)))
    return None


def dead_units(activation: str, values: np.ndarray) -> float | None:
    """Share of relu units that output 0 for every row of the sample (``None`` for other activations)."""
    if activation not in RELU_LIKE:
        return None
    return float(np.mean(np.all(values.reshape(len(values), -1) == 0, axis=0)))


def _activation_name(layer) -> str:
    name = layer.get_config().get("activation", "linear")
    return name if isinstance(name, str) else getattr(name, "__name__", str(name))


class Monitor(keras.callbacks.Callback):
    """Records loss, metric and the insides of every Dense layer after each epoch.

    A "layer" here is a Dense layer (its kernel and bias) and the activation that follows it:
    its own, or that of an ``Activation`` layer after it (batch norm puts one in between). The
    activations are those of a fixed sample of rows, computed by one sub-model built once.

    Args:
        sample: Input rows (as the network sees them); at most ``max_sample`` are used.
        epochs: Total epochs, passed on to ``progress``.
        progress: Called after every epoch with ``(epoch, epochs, record)``; ``epoch`` counts from 1.
        should_stop: Called at the end of a batch, at most every ``check_every`` seconds (so a slow
            check such as a cache lookup does not slow training); when it returns true, training
            ends after the current batch.
        bins: Histogram bins.
        max_sample: Most rows whose activations are recorded.
        check_every: Seconds between two calls of ``should_stop``.

    Attributes:
        records: One dict per finished epoch: ``epoch`` (from 1), ``loss``, ``val_loss``, ``metric``,
            ``val_metric`` (floats; ``None`` when absent or not finite, so records stay valid JSON), ``seconds`` (the epoch's wall time) and
            ``layers``: per layer ``name``, ``activation``, ``units``, ``weights``, ``biases`` and
            ``activations`` (each a ``histogram``), ``saturation`` and ``dead`` (shares, or ``None``).
        stopped: ``None``, ``"stopped"`` (``should_stop`` said so) or ``"nan"`` (the loss was not finite).
        reason: A sentence for the user when ``stopped`` is set.
        overhead: Seconds spent recording, for measuring the monitor's cost.
    """

    # The batch hook only reads a flag and a float and sets ``model.stop_training``: safe to run on
    # Keras's callback thread, which keeps fit's asynchronous dispatch (no per-batch wait).
    async_safe = True

    def __init__(
        self,
        sample: np.ndarray,
        epochs: int | None = None,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
        bins: int = 30,
        max_sample: int = 2000,
        check_every: float = 0.1,
    ):
        super().__init__()
        self.sample = np.asarray(sample[:max_sample], dtype=np.float32)
        self.epochs = epochs
        self.progress = progress
        self.should_stop = should_stop
        self.bins = bins
        self.check_every = check_every
        self.records: list[dict] = []
        self.stopped: str | None = None
        self.reason: str | None = None
        self.overhead = 0.0
        self._epoch = 0
        self._last_check = 0.0
        self._started = 0.0

    def on_train_begin(self, logs=None):
        """``logs``: unused (``None`` or empty)."""
        self.layers_ = []
        current = None
        for layer in self.model.layers:
            if isinstance(layer, keras.layers.Dense):
                current = {"layer": layer, "output": layer, "activation": _activation_name(layer)}
                self.layers_.append(current)
            elif isinstance(layer, keras.layers.Activation) and current is not None:
                current["output"], current["activation"] = layer, _activation_name(layer)
        self.activations_ = keras.Model(self.model.input, [entry["output"].output for entry in self.layers_])
        self.epochs = self.epochs or self.params.get("epochs")

    def on_epoch_begin(self, epoch, logs=None):
        """``epoch``: 0-based; ``logs``: unused."""
        self._epoch = epoch + 1
        self._started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        """``batch``: index within the epoch; ``logs``: ``{"loss": float, <metric>: float}`` running means."""
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            self._stop(
                "nan",
                f"The loss became {loss} at epoch {self._epoch}, batch {batch + 1}: training diverged. "
                f"Try a smaller learning rate, gradient clipping (clipnorm) or scaled features.",
            )
        elif self.should_stop is not None:
            now = time.monotonic()
            if now - self._last_check >= self.check_every:
                self._last_check = now
                if self.should_stop():
                    self._stop("stopped", f"Stopped by request during epoch {self._epoch}.")

    def on_epoch_end(self, epoch, logs=None):
        """``epoch``: 0-based; ``logs``: ``{"loss", <metric>, "val_loss", "val_<metric>"}`` as floats for the epoch
        (the metric is ``r2`` for regression, ``accuracy`` for classification; the ``val_`` keys only with
        validation data)."""
        started = time.perf_counter()
        logs = logs or {}
        metric = next((k for k in logs if k != "loss" and not k.startswith("val_")), None)
        record = {
            "epoch": epoch + 1,
            "loss": _float(logs.get("loss")),
            "val_loss": _float(logs.get("val_loss")),
            "metric": _float(logs.get(metric)) if metric else None,
            "val_metric": _float(logs.get(f"val_{metric}")) if metric else None,
            "seconds": started - self._started,
            "layers": self._inspect(),
        }
        for key in ("loss", "val_loss"):
            value = logs.get(key)
            if value is not None and not math.isfinite(value) and self.stopped is None:
                self._stop(
                    "nan",
                    f"The {key.replace('_', ' ')} became {value} at epoch {epoch + 1}: training "
                    f"diverged. Try a smaller learning rate, gradient clipping (clipnorm) or scaled features.",
                )
        self.records.append(record)
        self.overhead += time.perf_counter() - started
        if self.progress is not None:
            self.progress(epoch + 1, self.epochs, record)

    def _inspect(self) -> list[dict]:
        outputs = self.activations_(self.sample, training=False)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        layers = []
        for entry, output in zip(self.layers_, outputs):
            layer, activation = entry["layer"], entry["activation"]
            values = keras.ops.convert_to_numpy(output)
            # Variable.numpy(): numpy 2 warns when convert_to_numpy passes a Variable to np.asarray.
            weights = layer.kernel.numpy()
            biases = layer.bias.numpy() if layer.use_bias else np.zeros(0, np.float32)
            layers.append(
                {
                    "name": layer.name,
                    "activation": activation,
                    "units": int(layer.units),
                    "weights": histogram(weights, self.bins),
                    "biases": histogram(biases, self.bins),
                    "activations": histogram(values, self.bins, _FIXED_RANGE.get(activation)),
                    "saturation": saturation(activation, values),
                    "dead": dead_units(activation, values),
                }
            )
        return layers

    def _stop(self, kind: str, reason: str) -> None:
        if self.stopped is None:
            self.stopped, self.reason = kind, reason
        self.model.stop_training = True


def _float(value) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def layer_warnings(layers: list[dict]) -> list[str]:
    """Warnings in words for the layers past the thresholds, from one epoch's layer records.

    Args:
        layers: Records with ``name``, ``activation``, ``saturation`` and ``dead`` (``None`` where they do
            not apply), as ``on_epoch_end`` writes them.
    """
    notes = []
    for layer in layers:
        broken = [kind for kind in ("weights", "biases", "activations") if (layer.get(kind) or {}).get("nonfinite")]
        if broken:
            notes.append(
                f"{layer['name']}: {', '.join(broken)} are NaN or infinite — training diverged; "
                "try a smaller learning rate or clipping."
            )
            continue
        if layer.get("saturation") is not None and layer["saturation"] > SATURATION_WARNING:
            notes.append(
                f"{layer['name']} ({layer['activation']}): {layer['saturation']:.0%} of activations saturated — "
                "gradients vanish there; try relu, batch norm or a smaller learning rate."
            )
        if layer.get("dead") is not None and layer["dead"] > DEAD_WARNING:
            notes.append(
                f"{layer['name']} ({layer['activation']}): {layer['dead']:.0%} of units dead (0 for every sampled row)."
            )
    return notes
