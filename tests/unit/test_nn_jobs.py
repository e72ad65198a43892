"""Training in a fresh interpreter: progress relayed, errors reported, and it works from a daemonic process
(Celery's prefork children are daemonic and may not start multiprocessing children)."""

import multiprocessing

import pytest

from models.db import make_engine
from models.nn.spec import default_spec
from webapp.nn_jobs import train_in_fresh_process


def _tiny_spec(**changes):
    spec = default_spec("regression")
    spec.update({"epochs": 2, "batch_size": 64, **changes})
    spec["layers"] = [{"units": 4, "activation": "relu", "batch_norm": False, "dropout": 0.0}]
    return spec


@pytest.fixture
def setup(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    make_engine(url).dispose()
    return url, str(tmp_path), str(tmp_path / "stop")


def _train(setup, spec, queue=None):
    url, data_dir, stop = setup
    epochs = []
    result = train_in_fresh_process(
        url,
        data_dir,
        None,
        "black-scholes",
        spec,
        stop,
        progress=lambda epoch, total, record: epochs.append((epoch, total, sorted(record))),
    )
    if queue is not None:
        queue.put((result, epochs))
    return result, epochs


def test_progress_and_result_come_back(setup):
    result, epochs = _train(setup, _tiny_spec())
    assert result["status"] == "finished" and result["run_id"] == 1
    assert [e[:2] for e in epochs] == [(1, 2), (2, 2)]
    assert {"loss", "val_loss", "layers"} <= set(epochs[0][2])


def test_a_bad_spec_is_an_error_message_not_a_crash(setup):
    result, epochs = _train(setup, _tiny_spec(batch_size=10**9))
    assert "error" in result and epochs == []


def test_works_from_a_daemonic_process(setup):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_train, args=(setup, _tiny_spec(), queue), daemon=True)
    process.start()
    result, epochs = queue.get(timeout=300)
    process.join(30)
    assert result["status"] == "finished" and len(epochs) == 2
