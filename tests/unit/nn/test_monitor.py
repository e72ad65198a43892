import math

import keras
import numpy as np
import pytest

from models.nn.data import split
from models.nn.monitor import Monitor, dead_units, histogram, saturation
from models.nn.spec import build_model, default_spec
from models.nn.train import train


def test_histogram_has_fixed_bins_and_survives_odd_values():
    h = histogram(np.array([0.0, 1.0, 1.0, np.nan, np.inf]), bins=4)
    assert h["counts"] == [1, 0, 0, 2] and len(h["edges"]) == 5 and h["nonfinite"] == 2
    assert sum(histogram(np.full(10, 3.0), 5)["counts"]) == 10  # constant values still get a bin
    assert sum(histogram(np.array([1e30, 1e30 + 1e15]), 5)["counts"]) == 2  # spread below float resolution
    assert histogram(np.array([-2.0, 0.25]), 4, (-1.0, 1.0))["counts"] == [1, 0, 1, 0]  # fixed range clips to its ends


def test_saturation_and_dead_units():
    assert saturation("tanh", np.array([0.99, -0.98, 0.5, 0.0])) == 0.5
    assert saturation("sigmoid", np.array([0.01, 0.5, 0.99, 0.5])) == 0.5
    assert saturation("relu", np.ones(3)) is None and dead_units("tanh", np.ones((2, 2))) is None
    assert dead_units("relu", np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])) == pytest.approx(1 / 3)


def test_records_every_epoch_with_metrics_and_histograms(regression_run):
    result, progress = regression_run
    assert [r["epoch"] for r in result.records] == [1, 2]
    assert [(e, n) for e, n, _ in progress] == [(1, 2), (2, 2)] and progress[-1][2] is result.records[-1]
    record = result.records[-1]
    assert all(math.isfinite(record[k]) for k in ("loss", "val_loss", "metric", "val_metric", "seconds"))
    assert [layer["name"] for layer in record["layers"]] == ["dense_1", "dense_2", "output"]
    first, second, output = record["layers"]
    for layer in record["layers"]:
        for part in ("weights", "biases", "activations"):
            assert len(layer[part]["counts"]) == 30 and len(layer[part]["edges"]) == 31
    assert sum(first["weights"]["counts"]) == 5 * 16 and sum(first["biases"]["counts"]) == 16
    assert sum(second["activations"]["counts"]) == 480 * 8  # every training row is in the sample (< 2000)
    assert second["activations"]["edges"][0] == -1.0 and second["activations"]["edges"][-1] == 1.0  # tanh: fixed
    assert first["dead"] is not None and first["saturation"] is None
    assert second["saturation"] is not None and second["dead"] is None
    assert output["saturation"] is None and output["dead"] is None


def test_batch_norm_layers_record_the_activation_after_the_norm(classification_run):
    layer = classification_run.records[0]["layers"][0]
    assert layer["name"] == "dense_1" and layer["activation"] == "sigmoid" and layer["saturation"] is not None
    assert classification_run.records[0]["layers"][-1]["activation"] == "softmax"


def test_the_talks_story_tanh_saturates_and_relu_does_not(bs_small):
    """Unscaled prices up to ~100 pull a tanh network's last hidden layer to ±1; relu learns instead."""
    spec = {**default_spec(), "epochs": 3, "optimizer_params": {"learning_rate": 0.01}}
    tanh = train(bs_small, {**spec, "layers": [{"units": 16, "activation": "tanh"}] * 2})
    relu = train(bs_small, {**spec, "layers": [{"units": 16, "activation": "relu"}] * 2})
    first, last = tanh.records[-1]["layers"][:2]
    assert last["saturation"] > 0.3 and last["saturation"] > 5 * first["saturation"]
    counts = last["activations"]["counts"]
    assert counts[0] + counts[-1] > 0.3 * sum(counts)  # the histogram piles up at -1 and +1
    assert all(layer["saturation"] is None for layer in relu.records[-1]["layers"])
    assert relu.final["val_r2"] > tanh.final["val_r2"] + 0.2


def test_nan_loss_is_reported_not_hung(bs_small):
    spec = {**default_spec(), "epochs": 50, "optimizer": "SGD", "optimizer_params": {"learning_rate": 1e6}}
    result = train(bs_small, spec)
    assert result.status == "diverged" and len(result.records) == 1
    assert "training diverged" in result.reason and "smaller learning rate" in result.reason
    assert result.diagnostics is None and result.records[0]["loss"] is None  # JSON-safe: no NaN floats


def test_should_stop_ends_training_at_the_next_batch(bs_small):
    parts = split(bs_small, 0.2)
    keras.utils.set_random_seed(0)
    model = build_model({**default_spec(), "batch_size": 8}, 5, "regression")
    batches = []

    class Count(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(batch)

    monitor = Monitor(parts.X_train, 100, should_stop=lambda: len(batches) >= 3, check_every=0.0)
    model.fit(parts.X_train, parts.y_train[:, None], epochs=100, batch_size=8, verbose=0, callbacks=[Count(), monitor])
    assert monitor.stopped == "stopped" and "Stopped by request during epoch 1" in monitor.reason
    assert len(batches) < 10 and len(monitor.records) == 1  # 60 batches per epoch; the epoch ends early
