"""Uses the ``engine`` fixture (tests/conftest.py): SQLite and PostgreSQL."""

from models.nn.spec import default_spec
from models.nn.store import RunStore, network_summary

EPOCHS = [
    {"epoch": 1, "loss": 2.0, "val_loss": 2.5, "metric": 0.1, "val_metric": 0.05, "seconds": 0.3},
    {"epoch": 2, "loss": 1.0, "val_loss": None, "metric": 0.5, "val_metric": None, "seconds": 0.3},
]


def test_runs_keep_spec_epochs_and_final_metrics_across_restarts(engine):
    spec = {**default_spec(), "layers": [{"units": 64, "activation": "relu", "batch_norm": True, "dropout": 0.2}]}
    store = RunStore(engine())
    first = store.add(
        "bs",
        "regression",
        spec,
        EPOCHS,
        {"epochs": 2, "metric": "r2", "val_loss": 2.5, "val_metric": 0.05},
        1.25,
        "finished",
        "/runs/a",
    )
    second = store.add(
        "digits",
        "classification",
        default_spec("classification"),
        EPOCHS[:1],
        {"epochs": 1, "metric": "accuracy", "val_loss": None, "val_metric": None},
        0.5,
        "diverged",
        "/runs/b",
        reason="The loss became nan",
    )
    restarted = RunStore(engine())
    run = restarted.get(first)
    assert run["spec"] == spec and run["epochs"] == EPOCHS and run["final"]["val_metric"] == 0.05
    assert run["status"] == "finished" and run["reason"] is None and run["seconds"] == 1.25 and run["path"] == "/runs/a"
    assert restarted.get(second)["reason"] == "The loss became nan" and restarted.get(999) is None
    listed = restarted.list()
    assert listed["id"].tolist() == [second, first]
    assert listed.loc[1, "network"] == "64 relu (BN) (drop 0.2)" and listed.loc[1, "metric"] == "r2"
    assert listed.loc[0, "status"] == "diverged" and restarted.list(dataset="bs")["id"].tolist() == [first]


def test_network_summary():
    assert network_summary({"layers": []}) == "no hidden layer"
    assert network_summary(default_spec()) == "64 relu → 64 relu"
