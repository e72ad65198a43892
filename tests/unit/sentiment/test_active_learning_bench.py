"""bench/active_learning.py runs in CI only as a smoke run (tiny sizes): it must keep working and print both curves."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from models.sentiment.queue import batch, text_space

ROOT = Path(__file__).resolve().parents[3]


def test_the_bench_smoke_run_prints_both_curves_and_the_gain():
    result = subprocess.run(
        [sys.executable, "bench/active_learning.py", "--smoke", "--diverse"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    out = result.stdout
    for strategy in ("queue", "random"):
        line = re.search(rf"^mean\s+{strategy}\s+10: ([\d.]+)\s+20: ([\d.]+)$", out, re.M)
        assert line, out
        assert all(0 < float(v) <= 1 for v in line.groups())
    gain = float(re.search(r"gain at 20 labels .*: ([+-][\d.]+)", out).group(1))
    assert -1 < gain < 1


def test_a_diverse_batch_takes_one_uncertain_row_per_group_of_near_duplicates():
    # Eight rewordings of one headline are the most uncertain; then four distinct, slightly less uncertain texts.
    texts = [f"acme shares halted pending news {i}" for i in range(8)]
    texts += ["oil prices climb on supply cuts", "fed holds rates steady", "bitcoin slides", "retail sales beat"]
    proba = np.array([[0.34, 0.33, 0.33]] * 8 + [[0.4, 0.35, 0.25]] * 4)
    pool = np.arange(len(texts))
    plain = batch(proba, pool, 4)
    assert plain.tolist() == [0, 1, 2, 3]  # four copies of one headline
    diverse = batch(proba, pool, 4, space=text_space(texts), widen=3)
    assert len(diverse) == 4 and sum(r < 8 for r in diverse) == 1  # one of the rewordings, three other texts


def _bench():
    spec = importlib.util.spec_from_file_location("active_learning_bench", ROOT / "bench" / "active_learning.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bench_retrains_as_often_as_the_page_by_default(monkeypatch):
    bench = _bench()
    monkeypatch.setenv("GLASSBOX_SENTIMENT_RETRAIN_EVERY", "7")
    assert bench.page_retrain_every() == 7
    monkeypatch.delenv("GLASSBOX_SENTIMENT_RETRAIN_EVERY")
    assert bench.page_retrain_every() == 10


def test_the_bench_refuses_a_retrain_interval_below_one(capsys):
    with pytest.raises(SystemExit):
        _bench().main(["--every", "0"])
    assert "--every must be at least 1, not 0" in capsys.readouterr().err
