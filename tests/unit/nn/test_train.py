import json

import numpy as np
import pytest

from models.nn.spec import SpecError, default_spec
from models.nn.train import Result, train


def test_regression_result(regression_run, bs_small):
    result, _ = regression_run
    assert result.status == "finished" and result.reason is None and result.seconds > 0
    assert result.final["epochs"] == 2 and result.final["metric"] == "r2"
    assert result.final["val_r2"] == pytest.approx(result.records[-1]["val_metric"], abs=1e-3)  # ours and Keras's R²
    d = result.diagnostics
    assert len(d["actual"]) == len(d["predicted"]) == result.data["val_rows"] == 120
    np.testing.assert_allclose(np.array(d["actual"]) - d["predicted"], d["residual"], atol=1e-9)
    assert result.data["features"] == list(bs_small.features) and len(result.data["mean"]) == 5
    assert [set(e) for e in result.epochs()][0] == {"epoch", "loss", "val_loss", "metric", "val_metric", "seconds"}


def test_classification_confusion_matrix(classification_run, digits_small):
    d = classification_run.diagnostics
    assert d["labels"] == list(digits_small.classes)
    matrix = np.array(d["matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == classification_run.data["val_rows"]
    assert classification_run.final["val_accuracy"] == pytest.approx(np.trace(matrix) / matrix.sum())


def test_save_and_load_round_trip(regression_run, bs_small, tmp_path):
    result, _ = regression_run
    folder = result.save(tmp_path / "run")
    assert {p.name for p in folder.iterdir()} == {"model.keras", "spec.json", "run.json"}
    json.loads((folder / "run.json").read_text())
    loaded = Result.load(folder)
    assert loaded.spec == result.spec and loaded.final == result.final and loaded.records == result.records
    np.testing.assert_allclose(loaded.predict(bs_small.X[:20]), result.predict(bs_small.X[:20]), rtol=1e-5)
    assert Result.load(folder, with_model=False).model is None


def test_one_hot_losses_get_one_hot_targets(digits_small):
    result = train(
        digits_small,
        {**default_spec("classification"), "epochs": 1, "loss": "categorical_crossentropy", "layers": [{"units": 8}]},
    )
    assert result.status == "finished"
    # Keras's CategoricalAccuracy on one-hot targets agrees with accuracy counted from the predicted classes.
    assert result.final["val_accuracy"] == pytest.approx(result.records[-1]["val_metric"], abs=1e-6)


def test_bad_spec_or_split_fails_before_training(bs_small):
    with pytest.raises(SpecError) as info:
        train(bs_small, {**default_spec(), "batch_size": 10_000, "layers": [{"units": -1}]})
    assert len(info.value.messages) == 2
    with pytest.raises(SpecError, match="does not fit regression"):
        train(bs_small, {**default_spec(), "loss": "sparse_categorical_crossentropy"})


def test_an_error_inside_fit_is_reported(bs_small, monkeypatch):
    def explode(epoch, epochs, record):
        raise RuntimeError("the page went away")

    result = train(bs_small, {**default_spec(), "epochs": 3, "layers": [{"units": 4}]}, progress=explode)
    assert result.status == "failed" and "RuntimeError: the page went away" in result.reason
