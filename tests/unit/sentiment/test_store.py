"""Uses the ``engine`` fixture (tests/conftest.py): SQLite and PostgreSQL."""

import numpy as np
import pytest

from models.sentiment.store import CorrectionStore, RunStore


def test_corrections_survive_a_restart_and_undo_keeps_history(engine):
    store = CorrectionStore(engine())
    store.relabel("d", [1, 2], ["t1", "t2"], ["neutral", "neutral"], "positive")
    store.relabel("d", [2], ["t2"], ["positive"], "negative")
    store.relabel("other", [1], ["x"], ["neutral"], "negative")

    restarted = CorrectionStore(engine())  # a new process: new engine, same file
    labels, mask = restarted.apply("d", np.array([1, 1, 1, 1], dtype=np.int8))
    assert labels.tolist() == [1, 2, 0, 1] and mask.tolist() == [False, True, True, False]

    assert restarted.undo("d") == 1
    labels, _ = restarted.apply("d", np.array([1, 1, 1, 1], dtype=np.int8))
    assert labels.tolist() == [1, 2, 2, 1]
    history = restarted.history("d")
    assert len(history) == 3 and history["undone_at"].notna().sum() == 1
    assert restarted.undo("d") == 2 and restarted.undo("d") == 0
    assert restarted.effective("d") == {} and restarted.effective("other") == {1: 0}


def test_relabel_skips_rows_already_so_and_refuses_unknown_classes(engine):
    store = CorrectionStore(engine())
    store.relabel("d", [0, 1], ["a", "b"], ["positive", "neutral"], "positive")
    assert store.history("d")["row"].tolist() == [1]
    with pytest.raises(ValueError, match="not one of"):
        store.relabel("d", [0], ["a"], ["neutral"], "great")


def test_runs_record_params_and_metrics(engine):
    runs = RunStore(engine())
    first = runs.add("d", {"C": 1.0}, {"accuracy": 0.5}, 0, 1.5, "/x")
    second = runs.add("d", {"C": 2.0}, {"accuracy": 0.6}, 3, 1.0, "/y")
    assert runs.latest("d")["id"] == second
    assert runs.latest("d", before=second)["metrics"] == {"accuracy": 0.5}
    assert runs.get(first)["params"] == {"C": 1.0} and runs.get(999) is None
