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


def test_the_bench_refuses_fewer_than_one_random_draw(capsys):
    with pytest.raises(SystemExit):
        _bench().main(["--draws", "0"])
    assert "--draws must be at least 1, not 0" in capsys.readouterr().err


def test_random_draws_are_other_orders_from_the_same_start_and_the_first_is_the_single_draw_order(monkeypatch):
    bench = _bench()
    words = {0: "plunge loss slump", 1: "report meeting schedule", 2: "surge gain rally"}
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 120)
    texts = np.array([f"{words[k]} item{i} {rng.choice(['alpha', 'beta', 'gamma'])}" for i, k in enumerate(y)], object)
    fitted = []
    real_model = bench.SentimentModel

    class Recording(real_model):
        def fit(self, texts, y):
            fitted.append(frozenset(texts))
            return super().fit(texts, y)

    monkeypatch.setattr(bench, "SentimentModel", Recording)

    def labelled(draw):
        fitted.clear()
        bench.curve(texts, y, texts[:30], y[:30], "random", 3, budgets=(20,), every=10, draw=draw)
        return fitted[0], fitted[-1]

    start0, end0 = labelled(0)
    start1, end1 = labelled(1)
    assert start0 == start1  # the same starting 20%
    assert end0 != end1 and len(end0) == len(end1) == 24 + 20  # other 20 answered rows
    # draw 0 is the order a single draw always used: the picker seeded with seed + 1000
    start = set(texts[np.random.default_rng(3).permutation(120)[:24]])
    pool = np.flatnonzero(~np.isin(texts, list(start)))
    expected = set(texts[np.random.default_rng(3 + 1000).choice(pool, 10, replace=False)])
    assert expected <= end0 - start


def test_dedup_skips_rows_like_a_labelled_one_and_does_not_take_a_duplicate_twice():
    bench = _bench()
    texts = np.array(
        ["acme shares halted pending news"] * 3 + ["oil prices climb", "fed holds rates", "bitcoin slides"]
    )
    # rows 0-2 are one headline, the most uncertain; row 5 is already labelled
    proba = np.array([[0.34, 0.33, 0.33]] * 3 + [[0.5, 0.3, 0.2], [0.6, 0.3, 0.1], [0.7, 0.2, 0.1]])
    known = np.zeros(len(texts), bool)
    known[5] = True
    pool = np.flatnonzero(~known)
    assert bench.Picker(texts).pick(proba, pool, known, 3, "margin").tolist() == [0, 1, 2]  # one headline thrice
    assert bench.Picker(texts, dedup=0.9).pick(proba, pool, known, 3, "margin").tolist() == [0, 3, 4]
    known[0] = True
    again = bench.Picker(texts, dedup=0.9).pick(proba, np.flatnonzero(~known), known, 2, "margin")
    assert again.tolist() == [3, 4]  # rows like a labelled one are not asked again


def test_density_weighting_prefers_an_equally_uncertain_row_from_a_dense_region():
    bench = _bench()
    # rows 0 and 1 are equally uncertain; 0 shares no word with any other row, 1 shares words with rows 2-6
    texts = np.array(["zebra quokka narwhal", "rates rise today"] + ["rates rise again"] * 5, object)
    proba = np.array([[0.4, 0.35, 0.25]] * 2 + [[0.9, 0.05, 0.05]] * 5)
    known, pool = np.zeros(len(texts), bool), np.arange(len(texts))
    assert bench.Picker(texts).pick(proba, pool, known, 1, "margin").tolist() == [0]  # the tie goes to row 0
    for density in ("mean", "knn"):
        picked = bench.Picker(texts, beta=1.0, density=density, k=2).pick(proba, pool, known, 1, "margin")
        assert picked.tolist() == [1], density


def test_balanced_batches_take_the_classes_in_turn():
    bench = _bench()
    texts = np.array([f"text {i}" for i in range(6)], object)
    # the four most uncertain rows are all predicted negative
    proba = np.array([[0.4, 0.35, 0.25]] * 4 + [[0.2, 0.45, 0.35], [0.2, 0.3, 0.5]])
    known = np.zeros(6, bool)
    picked = bench.Picker(texts, balanced=True).pick(proba, np.arange(6), known, 3, "margin")
    assert sorted(proba[picked].argmax(axis=1).tolist()) == [0, 1, 2]


def test_badge_batch_has_no_repeats_and_starts_with_the_longest_gradient():
    bench = _bench()
    texts = np.array([f"word{i} other{i % 3}" for i in range(12)], object)
    rng = np.random.default_rng(1)
    proba = rng.dirichlet([1, 1, 1], 12)
    proba[7] = [0.34, 0.33, 0.33]  # the least sure: the longest (p − onehot) vector
    picked = bench.Picker(texts, badge=True).pick(proba, np.arange(12), np.zeros(12, bool), 5, "margin")
    assert picked[0] == 7 and len(set(picked.tolist())) == 5


def test_the_random_cache_is_reused_instead_of_recomputed(tmp_path, monkeypatch):
    bench = _bench()
    cache = tmp_path / "random.json"
    calls = []
    real_curve = bench.curve

    def counting(*args, **kwargs):
        calls.append(args[4])
        return real_curve(*args, **kwargs)

    monkeypatch.setattr(bench, "curve", counting)
    first = bench.main(["--smoke", "--draws", "2", "--random-cache", str(cache)])
    assert calls.count("random") == 2 and cache.exists()
    calls.clear()
    second = bench.main(["--smoke", "--draws", "2", "--random-cache", str(cache)])
    assert calls == ["queue"]  # the random arm came from the cache
    assert second["mean"]["random"] == first["mean"]["random"]


def test_skip_top_ranks_the_most_uncertain_share_last_and_keeps_the_rest_in_margin_order():
    bench = _bench()
    texts = np.array([f"text {i}" for i in range(10)], object)
    margins = np.array([0.01, 0.02, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])  # row 0 the most uncertain
    proba = np.column_stack([(1 + margins) / 2, (1 - margins) / 2, np.zeros(10)])
    known = np.zeros(10, bool)
    assert bench.Picker(texts).pick(proba, np.arange(10), known, 3, "margin").tolist() == [0, 1, 2]
    picked = bench.Picker(texts, skip_top=0.2).pick(proba, np.arange(10), known, 3, "margin")
    assert picked.tolist() == [2, 3, 4]  # the two most ambiguous rows (20% of 10) skipped
    assert bench.Picker(texts, skip_top=0.2).pick(proba, np.arange(10), known, 10, "margin").tolist()[-2:] == [0, 1]
    with pytest.raises(ValueError, match="skip_top"):
        bench.Picker(texts, skip_top=1.0)


def test_expected_error_reduction_prefers_the_uncertain_row_whose_label_settles_many_others():
    bench = _bench()
    # "acme" and "quokka" are seen once in each class, so a text of either alone is equally uncertain; twenty pool
    # rows say only acme in other (unseen) words, none quokka: the acme row's label settles twenty others.
    labelled = ["plunge loss", "slump loss", "report meeting", "schedule meeting", "surge gain", "rally gain"]
    labelled += ["acme plunge", "acme report", "acme surge", "quokka slump", "quokka schedule", "quokka rally"]
    y_known = [0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, 2]
    pool_texts = ["quokka", "acme"] + [f"acme news{i}" for i in range(20)]
    pool_texts += ["plunge loss slump"] * 10 + ["surge gain rally"] * 10  # sure rows
    texts = np.array(labelled + pool_texts, object)
    y = np.array(y_known + [-1] * len(pool_texts))
    model = bench.SentimentModel().fit(texts[: len(labelled)], y[: len(labelled)])
    proba = model.predict_proba(texts)
    pool = np.arange(len(labelled), len(texts))
    known = y >= 0
    quokka, acme = len(labelled), len(labelled) + 1
    margin_first = bench.Picker(texts).pick(proba, pool, known, 1, "margin")[0]
    assert margin_first in (quokka, acme)
    picker = bench.Picker(texts, eer=5, eer_sample=len(pool))
    assert picker.pick(proba, pool, known, 1, "margin", model=model, y=y).tolist() == [acme]
    # the batch comes from the eer most uncertain candidates and the time of each pick is kept
    batch = picker.pick(proba, pool, known, 3, "margin", model=model, y=y)
    top5 = bench.Picker(texts).pick(proba, pool, known, 5, "margin")
    assert set(batch.tolist()) <= set(top5.tolist()) and len(set(batch.tolist())) == 3
    assert len(picker.seconds) == 2 and all(s >= 0 for s in picker.seconds)
    with pytest.raises(ValueError, match="needs the current model"):
        picker.pick(proba, pool, known, 1, "margin")


def test_a_committee_over_c_ranks_by_the_margin_of_its_averaged_probabilities():
    bench = _bench()
    words = {0: "plunge loss slump", 1: "report meeting schedule", 2: "surge gain rally"}
    rng = np.random.default_rng(4)
    truth = rng.integers(0, 3, 60)
    texts = np.array(
        [f"{' '.join(rng.choice(words[k].split(), 2))} {rng.choice(['acme', 'beta', 'gamma'])}" for k in truth], object
    )
    y = np.where(np.arange(60) < 24, truth, -1)  # the first 24 labelled
    known, pool = y >= 0, np.arange(24, 60)
    members = [bench.SentimentModel(C=c).fit(texts[:24], truth[:24]) for c in (0.5, 30)]
    averaged = np.mean([m.predict_proba(texts) for m in members], axis=0)
    expected = bench.Picker(texts).pick(averaged, pool, known, 5, "margin")
    page = members[1].predict_proba(texts)  # the page's model (C = 30) alone
    picked = bench.Picker(texts, cs=(0.5, 30)).pick(page, pool, known, 5, "margin", y=y)
    assert picked.tolist() == expected.tolist()
    whole = bench.Picker(texts, cs=(0.5, 30)).pick(page, pool, known, 36, "margin", y=y)
    assert whole.tolist() != bench.Picker(texts).pick(page, pool, known, 36, "margin").tolist()  # C = 0.5 counts
    with pytest.raises(ValueError, match="needs the labels"):
        bench.Picker(texts, cs=(0.5, 30)).pick(page, pool, known, 5, "margin")


def test_cluster_margin_takes_the_clusters_in_turn_smallest_first():
    bench = _bench()
    texts = np.array([f"text {i}" for i in range(8)], object)
    proba = np.array([[0.34 + 0.02 * i, 0.33 - 0.01 * i, 0.33 - 0.01 * i] for i in range(8)])  # row 0 most uncertain
    picker = bench.Picker(texts, widen=2)
    picker.cluster = np.array([5, 5, 5, 7, 7, 9, 1, 1])  # rows 0-2 one cluster, 3-4 another, 5 a third
    known = np.zeros(8, bool)
    # candidates: the 6 most uncertain (rows 0-5); cluster 9 has one of them, 7 two, 5 three
    assert picker.pick(proba, np.arange(8), known, 3, "margin").tolist() == [5, 3, 0]
    picker.widen = 1  # candidates rows 0-4: cluster 7 has two, 5 three, then round two, then what is left
    assert picker.pick(proba, np.arange(8), known, 5, "margin").tolist() == [3, 0, 4, 1, 2]
    fitted = bench.Picker(texts, clusters=3)
    assert fitted.cluster.shape == (8,) and len(np.unique(fitted.cluster)) == 3


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--skip-top", "1"], "--skip-top must be at least 0 and below 1, not 1.0"),
        (["--eer", "-5"], "--eer must be at least 0, not -5"),
        (["--clusters", "-1"], "--clusters must be at least 0, not -1"),
        (["--widen", "0"], "--eer-sample and --widen must be at least 1, not 1000 and 0"),
        (["--cs", "3", "0"], "--cs values must be positive, not [3.0, 0.0]"),
    ],
)
def test_the_bench_refuses_bad_variant_settings(argv, message, capsys):
    with pytest.raises(SystemExit):
        _bench().main(argv)
    assert message in capsys.readouterr().err
