import json

import numpy as np
import pandas as pd
import pytest

from models.db import make_engine
from models.nn.__main__ import main
from models.nn.data import DataError
from models.nn.spec import default_spec
from models.nn.workspace import UnknownDatasetError, Workspace

TINY = {**default_spec(), "epochs": 2, "batch_size": 32, "layers": [{"units": 8, "activation": "relu"}]}


@pytest.fixture
def workspace(tmp_path):
    return Workspace(make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}"), tmp_path)


def _write(tmp_path, name, obj) -> str:
    path = tmp_path / name
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return str(path)


def test_workspace_trains_stores_and_reloads_an_upload(workspace, tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x1": rng.normal(size=80), "x2": rng.normal(size=80)})
    frame["y"] = 2 * frame.x1 - frame.x2
    upload = workspace.save_upload(frame.to_csv(index=False).encode(), "lin.csv")
    assert workspace.save_upload(frame.to_csv(index=False).encode(), "lin.csv") == upload
    with pytest.raises(DataError, match="Choose the column"):
        workspace.dataset(upload)
    dataset = workspace.dataset(upload, target="y")
    assert dataset.name.startswith("lin.csv") and dataset.features == ("x1", "x2")
    run_id, result = workspace.train(dataset, TINY)
    stored = workspace.runs.get(run_id)
    assert stored["status"] == "finished" and len(stored["epochs"]) == 2 and stored["final"] == result.final
    again = workspace.result(run_id)
    assert again.records == result.records and again.model is not None
    assert workspace.runs.list()["id"].tolist() == [run_id]
    for bad in ("upload-0123456789abcdef", "../etc/passwd", ""):
        with pytest.raises(UnknownDatasetError):
            workspace.dataset(bad)
    assert workspace.dataset("digits").task == "classification"


def test_cli_train_prints_epochs_and_final(tmp_path, capsys):
    spec = _write(tmp_path, "spec.json", TINY)
    assert (
        main(
            [
                "train",
                "--spec",
                spec,
                "--dataset",
                "black-scholes",
                "--rows",
                "300",
                "--json",
                "--save",
                str(tmp_path / "run"),
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert [e["epoch"] for e in out["epochs"]] == [1, 2] and out["status"] == "finished"
    assert out["final"]["metric"] == "r2" and "val_r2" in out["final"] and (tmp_path / "run" / "model.keras").exists()
    assert "epoch 2/2" in captured.err


def test_cli_csv_target(tmp_path, capsys):
    frame = pd.DataFrame({"a": np.arange(40.0), "label": ["x", "y"] * 20})
    csv = _write(tmp_path, "d.csv", frame.to_csv(index=False))
    spec = _write(tmp_path, "spec.json", {**TINY, "loss": None, "batch_size": 8})
    assert main(["train", "--spec", spec, "--dataset", csv, "--target", "label", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["task"] == "classification" and out["final"]["metric"] == "accuracy"


@pytest.mark.parametrize(
    "spec, args, message",
    [
        ({**TINY, "layers": [{"units": 0}]}, ["--dataset", "digits"], "Layer 1: units"),
        ({**TINY, "batch_size": 5000}, ["--dataset", "digits"], "larger than the 1437 training rows"),
        ({**TINY, "optimizer_params": {"learning_rate": -1}}, ["--dataset", "digits"], "learning rate must be above 0"),
        (TINY, ["--dataset", "nowhere.csv"], "must be black-scholes"),
        (TINY, ["--dataset", "CSV", "--target", "nope"], "no column 'nope'"),
        (TINY, ["--dataset", "CSV"], "needs --target"),
        ("{not json", ["--dataset", "digits"], "not valid JSON"),
    ],
)
def test_cli_bad_specs_and_data_exit_2(tmp_path, capsys, spec, args, message):
    csv = _write(tmp_path, "d.csv", "a,b\n" + "\n".join(f"{i},x" for i in range(20)))
    args = [csv if a == "CSV" else a for a in args]
    assert main(["train", "--spec", _write(tmp_path, "spec.json", spec), *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_cli_diverged_run_exits_1(tmp_path, capsys):
    spec = _write(tmp_path, "spec.json", {**TINY, "optimizer": "SGD", "optimizer_params": {"learning_rate": 1e6}})
    assert main(["train", "--spec", spec, "--dataset", "black-scholes", "--rows", "300", "--quiet"]) == 1
    assert json.loads(capsys.readouterr().out)["status"] == "diverged"


def test_cli_choices_and_code(tmp_path, capsys):
    assert main(["choices", "--task", "regression", "--optimizer", "Adam"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "mean_squared_error" in out["losses"] and out["optimizer_params"][0]["name"] == "learning_rate"
    assert main(["code", "--spec", _write(tmp_path, "spec.json", TINY), "--dataset", "digits"]) == 0
    code = capsys.readouterr().out
    assert "keras.Input(shape=(64,)" in code and "Dense(10, activation='softmax'" in code


def test_dataset_ids_carry_black_scholes_rows_and_seed(workspace):
    from models.nn.workspace import dataset_id

    small = workspace.dataset(dataset_id("black-scholes", rows=200, seed=3))
    assert len(small.y) == 200 and "seed 3" in small.name
    again = workspace.dataset("black-scholes?rows=200&seed=3")
    assert again is small  # cached per process
    other = workspace.dataset(dataset_id("black-scholes", rows=200, seed=4))
    assert not np.array_equal(other.y, small.y)
    assert len(workspace.dataset("black-scholes").y) == 10_000
    for query, message in (
        ("rows=5", "between 10 and 1,000,000"),
        ("rows=2.5", "whole number"),
        ("rows=many", "whole number"),
        ("seed=-1", "seed must be between 0"),
    ):
        with pytest.raises(DataError, match=message):
            workspace.dataset(f"black-scholes?{query}")


def test_an_upload_is_described_and_its_id_carries_target_and_task(workspace):
    from models.nn.workspace import dataset_id

    rows = "\n".join(f"{i},{i % 3},{i * 0.5}" for i in range(30))
    info = workspace.describe_upload(f"a,b,c\n{rows}\n".encode(), "abc.csv")
    assert info["name"] == "abc.csv" and info["rows"] == 30 and info["columns"] == ["a", "b", "c"]
    assert info["tasks"] == {"a": "regression", "b": "classification", "c": "regression"}
    as_classes = workspace.dataset(dataset_id(info["id"], target="b"))
    assert as_classes.task == "classification" and as_classes.classes == ("0", "1", "2")
    assert workspace.dataset(dataset_id(info["id"], target="b", task="regression")).task == "regression"
    with pytest.raises(DataError, match="task must be one of"):
        workspace.dataset(dataset_id(info["id"], target="b", task="ranking"))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty"),
        (b"\x00\x01binary", "looks binary"),
        (b"\xff\xfe\x00a", "looks binary"),
        (b"a,b\n", "no rows"),
        (b"caf\xe9,b\n1,2\n", "not UTF-8"),
    ],
)
def test_unreadable_uploads_are_refused_and_not_kept(workspace, content, message):
    with pytest.raises(DataError, match=message):
        workspace.describe_upload(content, "x.csv")
    assert not (workspace.root / "datasets").exists()
