"""Warm trainers: a run claims a spare that already imported TensorFlow, a second claim does not get the same
spare, a replacement appears, stop and errors work as with a fresh trainer, and no spare outlives its owner."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from models.db import make_engine
from models.nn.spec import default_spec
from webapp import nn_jobs, nn_warm

WARM_UP_S = 300  # importing TensorFlow on a loaded 2-core machine can take half a minute or more


def _tiny_spec(**changes):
    spec = default_spec("regression")
    spec.update({"epochs": 2, "batch_size": 64, **changes})
    spec["layers"] = [{"units": 4, "activation": "relu", "batch_norm": False, "dropout": 0.0}]
    return spec


def _spare_processes(folder) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if str(folder) in " ".join(process.info["cmdline"] or []) and "--spare" in (process.info["cmdline"] or []):
            found.append(process)
    return found


def _wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("warm")
    url = f"sqlite:///{data_dir / 'db.sqlite'}"
    make_engine(url).dispose()
    yield url, str(data_dir)
    nn_warm.stop_spares(data_dir)
    _wait(lambda: not _spare_processes(nn_warm.spares_dir(data_dir)), 30, "the spares to exit")
    assert list(nn_warm.spares_dir(data_dir).iterdir()) == []


def _train(place, spec, progress=None, stop=None):
    url, data_dir = place
    epochs = []

    def relay(epoch, total, record):
        epochs.append((epoch, total))
        if progress is not None:
            progress(epoch, total, record)

    stop = stop or str(Path(data_dir) / "no-stop")
    result = nn_jobs.train(url, data_dir, None, "black-scholes", spec, stop, relay, owner=os.getpid(), idle=600)
    return result, epochs


def test_a_run_without_a_spare_trains_fresh_and_leaves_a_warm_spare(place):
    _, data_dir = place
    assert nn_warm.ready_spares(data_dir) == []
    result, epochs = _train(place, _tiny_spec())
    assert result["status"] == "finished" and epochs == [(1, 2), (2, 2)]
    _wait(lambda: nn_warm.ready_spares(data_dir), WARM_UP_S, "the replacement spare")
    assert len(nn_warm.ready_spares(data_dir)) == 1


def test_a_claimed_spare_trains_stops_and_is_replaced_and_no_second_claim_gets_it(place):
    _, data_dir = place
    [spare] = nn_warm.ready_spares(data_dir)
    stop = Path(data_dir) / "stop-me"
    seen = {}

    def progress(epoch, total, record):
        if epoch == 1:
            folder = nn_warm.spares_dir(data_dir)
            seen["claimed"] = (folder / f"{spare['id']}.claimed").exists()
            seen["second claim"] = nn_warm.claim(data_dir)  # the only spare is taken, its replacement still warming
            seen["record"] = sorted(record)
            stop.touch()

    result, epochs = _train(place, _tiny_spec(epochs=200), progress, str(stop))
    assert seen["claimed"] and seen["second claim"] is None
    assert {"loss", "val_loss", "layers"} <= set(seen["record"])
    assert result["status"] == "stopped" and 1 <= len(epochs) < 200
    _wait(lambda: not psutil.pid_exists(spare["pid"]), 30, "the used spare to exit")
    _wait(lambda: nn_warm.ready_spares(data_dir), WARM_UP_S, "the replacement spare")
    [replacement] = nn_warm.ready_spares(data_dir)
    assert replacement["id"] != spare["id"] and replacement["pid"] != spare["pid"]


def test_a_spare_reports_a_refused_spec_as_a_message(place):
    _, data_dir = place
    [spare] = nn_warm.ready_spares(data_dir)
    result, epochs = _train(place, _tiny_spec(batch_size=10**9))
    assert "error" in result and "batch" in result["error"].lower() and epochs == []
    _wait(lambda: not psutil.pid_exists(spare["pid"]), 30, "the used spare to exit")


def test_of_claims_made_at_once_exactly_one_gets_a_spare(tmp_path):
    """A stand-in spare (a listening socket) so that many threads can race for it cheaply."""
    folder = nn_warm.spares_dir(tmp_path)
    folder.mkdir(parents=True)
    address = f"/tmp/gbnn-test-{os.getpid()}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(8)
    try:
        (folder / "one.ready").write_text(f'{{"pid": {os.getpid()}, "socket": "{address}"}}')
        got = []
        barrier = threading.Barrier(8)

        def race():
            barrier.wait()
            got.append(nn_warm.claim(tmp_path))

        threads = [threading.Thread(target=race) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        winners = [c for c in got if c is not None]
        assert len(got) == 8 and len(winners) == 1
        winners[0].close()
        assert list(folder.glob("*.ready")) == [] and (folder / "one.claimed").exists()
    finally:
        listener.close()
        os.unlink(address)


def test_a_dead_spares_file_is_skipped_and_removed(tmp_path):
    folder = nn_warm.spares_dir(tmp_path)
    folder.mkdir(parents=True)
    (folder / "gone.ready").write_text(f'{{"pid": {os.getpid()}, "socket": "/tmp/gbnn-nowhere/s"}}')
    assert nn_warm.claim(tmp_path) is None
    assert list(folder.iterdir()) == []


def test_spares_exit_when_their_owner_is_gone_or_they_idle(tmp_path):
    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        nn_warm.start_spare(tmp_path / "a", owner.pid, idle=600)
        nn_warm.start_spare(tmp_path / "b", os.getpid(), idle=1)
        folder_a, folder_b = nn_warm.spares_dir(tmp_path / "a"), nn_warm.spares_dir(tmp_path / "b")
        _wait(lambda: _spare_processes(folder_a) and _spare_processes(folder_b), 30, "both spares to start")
        _wait(lambda: nn_warm.ready_spares(tmp_path / "a"), WARM_UP_S, "spare a to be ready")
        owner.kill()
        owner.wait()
        _wait(lambda: not _spare_processes(folder_a), 30, "spare a to exit after its owner")
        _wait(lambda: not _spare_processes(folder_b), WARM_UP_S, "spare b to exit after its idle time")
        assert list(folder_a.iterdir()) == [] and list(folder_b.iterdir()) == []
    finally:
        owner.kill()
        owner.wait()
        nn_warm.stop_spares(tmp_path / "a")
        nn_warm.stop_spares(tmp_path / "b")


def test_a_starting_spare_is_stopped_without_waiting_for_its_import(tmp_path):
    nn_warm.start_spare(tmp_path, os.getpid(), idle=600)
    folder = nn_warm.spares_dir(tmp_path)

    def started():
        return any("pid" in path.read_text() for path in folder.glob("*.starting"))

    _wait(started, 30, "the spare to start")
    begun = time.monotonic()
    nn_warm.stop_spares(tmp_path)
    assert time.monotonic() - begun < 10
    assert not _spare_processes(folder) and list(folder.iterdir()) == []
