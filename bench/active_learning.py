"""Active learning against random labelling on the public tweets: does the labelling queue's order pay?

    .venv/bin/python bench/active_learning.py [--seeds 0 1 2] [--draws 5] [--method margin] [--every K] [--diverse]
                                              [--beta B [--density mean|knn]] [--dedup T] [--balanced] [--badge]
                                              [--skip-top Q] [--eer N [--eer-sample M] [--eer-step S]]
                                              [--cs C ...] [--clusters K [--widen W]]
                                              [--validation SHARE] [--random-cache FILE] [--smoke]

Hides the labels of 80% of the training rows (seeded), then simulates an annotator who answers with the true
labels: the *queue* labels the most uncertain hidden rows (``models.sentiment.queue.batch``, the page's ranking)
and retrains every ``--every`` answers (default: the page's ``GLASSBOX_SENTIMENT_RETRAIN_EVERY``, 10), so the
bench measures what the Label tab does; *random* labels hidden rows in a random order. Both start from the same
20% and are measured on the whole public test split (macro-F1) after 50, 100, 200 and 500 answers. Prints each
curve per seed, the averages and the gain at the last budget (goal: ≥ +0.03 averaged over 3 seeds).

The queue's curve is fixed by its seed (the starting 20%), but the random curve is a lottery: one random order of
500 rows scores ±0.005 macro-F1 around its mean at 500 labels (8 orders per seed measured), as much as a third of
the gain sought, so a single draw can make the queue look better or worse than it is. ``--draws R`` (default 5)
averages the random curve of each seed over R random orders (the first is the order a single draw used), so the
gain is measured against what random labelling gives on average rather than against one lucky or unlucky order.
``--random-cache FILE`` keeps the random curves (which do not depend on the queue's ranking) in a JSON file keyed
by split, seed, order, budgets and interval, so screening a variant costs only its queue curves.
``--validation SHARE`` carves a seeded validation split from the training rows and measures on it instead of the
test split, for choices (such as the retrain interval) that must not be read off the test split.
``--beta``, ``--dedup``, ``--balanced``, ``--badge``, ``--skip-top``, ``--eer``, ``--cs`` and ``--clusters`` swap
the page's ranking for one of the variants in ``Picker`` (composable); the page itself ranks by margin. A variant's
run prints the gain per seed and at each budget and the ranking's seconds per batch.
``--smoke`` runs a tiny version (a few hundred rows) that the test suite runs to keep the script working.

Measured (3 seeds, 5 random orders each, load average 7-12 on 2 cores): the queue 0.6941 against random 0.6735 at
500 labels, **+0.0206** (per seed +0.0074, +0.0293, +0.0251) — short of +0.03. Random labelling needs about
+1,400 labels to reach the queue's 500 and +2,000 to reach random(500) + 0.03 (0.7077): the goal asks each queue
answer to be worth four random ones, the queue's are worth about three. Label-aware pickers (the true labels
known) did no better than the margin: first-order influence on a validation split's loss +0.017, the model's
mistakes first +0.016; nor did weighting answers, a smaller C, rare-class-first rankings or committees (see the
README).

Variants of this round (same 3 seeds, retrain every 10, the same cached random arm; gain at 50 / 100 / 200 / 500
labels, per seed at 500), none reaching +0.03:

    margin (the page)                        +0.0049 +0.0065 +0.0067 +0.0206   (+0.0074 +0.0293 +0.0251)
    information density, mean cosine, β 0.5  +0.0004 +0.0036 +0.0060 +0.0168   (+0.0047 +0.0247 +0.0210)
    information density, mean cosine, β 1    -0.0009 +0.0011 +0.0079 +0.0094   (+0.0009 +0.0147 +0.0126)
    information density, 10-NN cosine, β 1   +0.0012 +0.0064 +0.0034 +0.0108   (+0.0042 +0.0083 +0.0199)
    near-duplicates skipped (cosine > 0.9)   +0.0031 +0.0032 +0.0125 +0.0223   (+0.0253 +0.0287 +0.0129)
    class-balanced batches (round-robin)     +0.0024 +0.0024 +0.0039 +0.0243   (+0.0239 +0.0210 +0.0281)
    balanced + near-duplicates skipped       +0.0024 +0.0024 +0.0056 +0.0174   (+0.0255 +0.0127 +0.0139)
    BADGE (gradient-embedding k-means++)     -0.0011 -0.0008 +0.0052 +0.0140   (+0.0181 +0.0119 +0.0119)

The two balanced rows show how far apart one queue curve can land: they score the same up to 100 answers and
end 0.007 apart on average and 0.014 on one seed, so differences of a few thousandths between rankings are within
the noise of one queue curve per seed. The retrain interval chosen on a validation split (20% of the training rows,
seeded; the test split unseen) ties: queue 0.6856 every 10, 0.6865 every 25, 0.6803 every 50 at 500 labels (gain
+0.0212, +0.0217, +0.0151 over each's own random arm), so the page keeps retraining every 10. On the test
split, every 25 gives -0.0004, +0.0005, +0.0077, **+0.0280** (per seed +0.0224, +0.0302, +0.0313; queue 0.7017,
random 0.6737), the closest to the goal but not chosen by validation; class-balanced batches every 25: validation
+0.0221 (queue 0.6869), test +0.0207.

Third round, chosen on the validation split (``--validation 0.2``) before the test split was read; gain at 50 / 100
/ 200 / 500 labels (per seed at 500), retraining every 10:

    margin (the page)                        val  +0.0043 / +0.0053 / +0.0073 / +0.0212 (+0.0186, +0.0193, +0.0258)
                                             test +0.0049 / +0.0065 / +0.0067 / +0.0206 (+0.0074, +0.0293, +0.0251)
    EER, 100 candidates, 1,000 rows scored   val  +0.0055 / +0.0028 / +0.0058 / +0.0129 (+0.0126, +0.0040, +0.0219)
                                             test −0.0008 / +0.0022 / +0.0083 / +0.0204 (+0.0198, +0.0173, +0.0243)
    EER, 30 candidates                       val  +0.0034 / +0.0083 / +0.0092 / +0.0201 (+0.0133, +0.0212, +0.0259)
                                             test −0.0005 / +0.0048 / +0.0068 / +0.0230 (+0.0284, +0.0255, +0.0151)
    most ambiguous 5% skipped                val  +0.0042 / +0.0090 / +0.0078 / +0.0105 (+0.0080, +0.0086, +0.0150)
                                             test +0.0056 / +0.0106 / +0.0128 / +0.0301 (+0.0309, +0.0368, +0.0227)
    most ambiguous 10% skipped               val  +0.0031 / +0.0035 / +0.0086 / +0.0199 (−0.0002, +0.0276, +0.0322)
                                             test +0.0000 / +0.0011 / +0.0006 / +0.0144 (+0.0077, +0.0149, +0.0207)
    most ambiguous 20% skipped               val  +0.0024 / +0.0006 / +0.0058 / +0.0117 (−0.0036, +0.0235, +0.0153)
                                             test +0.0005 / +0.0023 / +0.0023 / +0.0125 (+0.0104, +0.0146, +0.0126)
    committee over C = 3, 10, 30             val  +0.0013 / +0.0117 / +0.0171 / +0.0230 (+0.0290, +0.0116, +0.0284)
                                             test −0.0011 / +0.0028 / +0.0068 / +0.0232 (+0.0126, +0.0258, +0.0313)
    cluster-margin, 500 clusters, 100 cand.  val  +0.0072 / +0.0088 / +0.0082 / +0.0157 (+0.0069, +0.0166, +0.0235)
                                             test −0.0008 / +0.0048 / +0.0123 / +0.0268 (+0.0339, +0.0159, +0.0306)
    class-balanced batches                   val  +0.0027 / +0.0083 / +0.0124 / +0.0215 (+0.0148, +0.0110, +0.0388)
                                             test +0.0024 / +0.0024 / +0.0039 / +0.0243 (+0.0239, +0.0210, +0.0281)
    margin, retrain every 5                  val  −0.0013 / +0.0011 / +0.0086 / +0.0232 (+0.0228, +0.0299, +0.0169)
                                             test +0.0028 / +0.0062 / +0.0075 / +0.0175 (+0.0202, +0.0110, +0.0212)

Expected error reduction (``--eer``) gets worse the further it strays from the margin; skipping the most ambiguous
rows (``--skip-top``) loses on validation (5% skipped, seeds 0-4: +0.0100 against the margin's +0.0193) though its
+0.0301 on test reaches the goal, and cluster-margin's test +0.0268 sits beside validation +0.0157: noise of one
queue curve per seed, so neither is chosen; the committee over C and retraining every 5 are within noise of the
margin on validation (+0.0018, +0.0020; the committee over seeds 0-4: +0.0215 against +0.0193). The page keeps the
margin, retrained every 10.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import f1_score

from models.sentiment.data import load_tweets
from models.sentiment.model import SentimentModel
from models.sentiment.queue import METHODS, batch, text_space, uncertainty

BUDGETS = (50, 100, 200, 500)
STRATEGIES = ("queue", "random")


def curve(
    texts: np.ndarray,
    y: np.ndarray,
    test_texts: np.ndarray,
    test_y: np.ndarray,
    strategy: str,
    seed: int,
    budgets=BUDGETS,
    every: int = 10,
    method: str = "margin",
    known_share: float = 0.2,
    space: np.ndarray | None = None,
    draw: int = 0,
    ranker: Picker | None = None,
) -> dict[int, float]:
    """Test macro-F1 after each budget of answers, for one strategy and seed.

    The starting 20% is drawn with ``seed`` alone, so both strategies of a seed start from the same labels;
    ``draw`` picks another random order of answers (random strategy) from the same start.
    ``space`` (``text_space`` of ``texts``) makes the queue's batches diverse (``models.sentiment.queue.batch``).
    ``ranker`` replaces the page's ranking by one of the bench's variants (``Picker``).
    """
    n = len(y)
    order = np.random.default_rng(seed).permutation(n)
    known = np.zeros(n, dtype=bool)
    known[order[: int(round(known_share * n))]] = True
    picker = np.random.default_rng(seed + 1000 if draw == 0 else [seed + 1000, draw])

    def fit():
        return SentimentModel().fit(texts[known], y[known])

    model, given, out = fit(), 0, {}
    for budget in sorted(budgets):
        while given < budget:
            size = min(every, budget - given)
            pool = np.flatnonzero(~known)
            if strategy == "random":
                rows = picker.choice(pool, size, replace=False)
            else:
                proba = np.zeros((n, 3))
                proba[pool] = model.predict_proba(texts[pool])
                if ranker is not None:
                    rows = ranker.pick(proba, pool, known, size, method, model=model, y=np.where(known, y, -1))
                else:
                    rows = batch(proba, pool, size, method, space=space, seed=seed)
            known[rows] = True  # the annotator answers with the true labels
            given += size
            if strategy != "random" or given == budget:
                model = fit()  # the queue retrains every `every` answers; random needs a model only at a budget
        out[budget] = float(f1_score(test_y, model.predict(test_texts), average="macro"))
    return out


class Picker:
    """The bench's variants of the queue's ranking (uncertainty first), composable.

    Args:
        texts: Every training text; their sublinear TF-IDF (word uni+bigrams, L2-normalised rows) is the space the
            variants measure similarity in, fitted once on all texts (no labels).
        beta: Information density (Settles & Craven 2008): uncertainty × density^beta, 0 = off.
        density: ``"mean"``: a row's mean cosine similarity to the unlabelled pool (= its cosine to the pool's mean
            vector, one sparse product per batch); ``"knn"``: its mean similarity to its ``k`` nearest rows.
        dedup: Skip a candidate whose cosine similarity to a labelled row or one already in the batch exceeds it
            (None = off).
        balanced: Fill the batch round-robin across the predicted classes, most uncertain first within each.
        badge: BADGE (Ash et al. 2020): k-means++ seeding over the rows' gradient embeddings (p − onehot(ŷ)) ⊗ x,
            so a batch is both uncertain (long gradients) and diverse; the distances come from
            ⟨g_i, g_j⟩ = (a_i·a_j)(x_i·x_j), one sparse product per row picked.
    """

    def __init__(
        self,
        texts,
        beta: float = 0.0,
        density: str = "mean",
        k: int = 10,
        dedup: float | None = None,
        balanced: bool = False,
        badge: bool = False,
        skip_top: float = 0.0,
        eer: int = 0,
        eer_sample: int = 1000,
        eer_step: float = 1.0,
        cs: tuple[float, ...] = (),
        clusters: int = 0,
        widen: int = 10,
        seed: int = 0,
    ):
        from sklearn.feature_extraction.text import TfidfVectorizer

        from models.sentiment.text import tokenize

        self.X = TfidfVectorizer(
            tokenizer=tokenize, token_pattern=None, lowercase=False, sublinear_tf=True, ngram_range=(1, 2)
        ).fit_transform(list(texts))
        self.beta, self.density, self.dedup, self.balanced, self.badge = beta, density, dedup, balanced, badge
        if not 0 <= skip_top < 1:
            raise ValueError(f"skip_top must be in [0, 1), not {skip_top!r}")
        self.skip_top, self.eer, self.eer_sample, self.eer_step = skip_top, eer, eer_sample, eer_step
        self.texts = np.asarray(list(texts), dtype=object)
        self.cs = tuple(cs)
        self.widen = widen
        self.cluster = None
        if clusters:  # cluster-margin: every text's k-means cluster in the LSA space, fitted once (no labels)
            space = text_space(self.texts, seed=seed)
            self.cluster = KMeans(n_clusters=clusters, n_init=1, random_state=seed).fit_predict(space)
        self.seconds: list[float] = []  # time of each pick
        self.rng = np.random.default_rng(seed)
        self.knn = None
        if beta and density == "knn":
            self.knn = np.zeros(self.X.shape[0])
            for start in range(0, self.X.shape[0], 1000):
                block = (self.X[start : start + 1000] @ self.X.T).toarray()
                block[np.arange(len(block)), np.arange(start, start + len(block))] = 0.0  # not itself
                self.knn[start : start + len(block)] = np.sort(block, axis=1)[:, -k:].mean(axis=1)

    def pick(
        self,
        proba: np.ndarray,
        pool: np.ndarray,
        known: np.ndarray,
        size: int,
        method: str,
        model: SentimentModel | None = None,
        y: np.ndarray | None = None,
    ) -> np.ndarray:
        """``size`` rows of ``pool`` to label next; ``model`` (the current one) is needed by ``eer``, ``y`` (the
        labels, < 0 where hidden) by ``eer`` and ``cs``."""
        started = time.perf_counter()
        rows = self._pick(proba, pool, known, size, method, model, y)
        self.seconds.append(time.perf_counter() - started)
        return rows

    def _pick(self, proba, pool, known, size, method, model, y) -> np.ndarray:
        if self.badge:
            return self._badge(proba, pool, size)
        if self.eer:
            return self._eer(proba, pool, size, method, model, y)
        if self.cs:
            # a committee over the regularisation: the pool's probabilities averaged over models with each C
            if y is None:
                raise ValueError("a committee over C needs the labels")
            labelled = np.flatnonzero(y >= 0)
            proba = proba.copy()
            members = [SentimentModel(C=c).fit(self.texts[labelled], y[labelled]) for c in self.cs]
            proba[pool] = np.mean([m.predict_proba(self.texts[pool]) for m in members], axis=0)
        score = uncertainty(proba[pool], method)
        if self.skip_top:
            # the most uncertain rows are often ambiguous or mislabelled: rank them last
            drop = int(np.floor(self.skip_top * len(pool)))
            most = np.lexsort((pool, -score))[:drop]
            score = score.copy()
            score[most] -= score.max() + 1.0
        if self.beta:
            if self.knn is not None:
                weight = self.knn[pool]
            else:
                centre = np.asarray(self.X[pool].mean(axis=0)).ravel()
                weight = self.X[pool] @ centre
            score = score * np.power(np.clip(weight, 1e-12, None), self.beta)
        order = pool[np.lexsort((pool, -score))]
        if self.balanced:
            predicted = proba[order].argmax(axis=1)
            turn = np.zeros(len(order), dtype=np.int64)  # place of each row within its predicted class
            for k in np.unique(predicted):
                turn[predicted == k] = np.arange(np.sum(predicted == k))
            order = order[np.lexsort((predicted, turn))]
        if self.cluster is not None:
            return self._cluster_margin(order, size)
        if self.dedup is None:
            return order[:size]
        taken: list[int] = []
        seen = self.X[np.flatnonzero(known)]
        for row in order:
            x = self.X[row]
            if (x @ seen.T).max() > self.dedup or (taken and (x @ self.X[taken].T).max() > self.dedup):
                continue
            taken.append(int(row))
            if len(taken) == size:
                break
        return np.asarray(taken, dtype=np.int64)

    def _cluster_margin(self, order: np.ndarray, size: int) -> np.ndarray:
        """Cluster-margin (Citovsky et al. 2021): the ``widen × size`` most uncertain rows grouped by their cluster,
        the clusters with fewest of them first, one row from each in turn (the most uncertain of the cluster's
        rows not yet taken) until the batch is full."""
        candidates = order[: self.widen * size]
        groups = self.cluster[candidates]
        ids, counts = np.unique(groups, return_counts=True)
        queues = [list(candidates[groups == g]) for g in ids[np.argsort(counts, kind="stable")]]
        taken: list[int] = []
        while len(taken) < min(size, len(candidates)):
            for q in queues:
                if q and len(taken) < size:
                    taken.append(int(q.pop(0)))
        return np.asarray(taken, dtype=np.int64)

    def _eer(self, proba, pool, size, method, model, y) -> np.ndarray:
        """Expected error reduction (Roy & McCallum 2001), approximated for the one-vs-rest logistic regression.

        Candidates are the ``eer`` most uncertain rows. For each candidate i and each class c it might have, every
        binary model is refitted with (x_i, [k == c]) added, restricted to moving its weights along x_i (liblinear's
        intercept is a regularised constant feature, so x carries a 1): one-dimensional Newton steps on
        ½hδ² + C·w·logloss(z_i + δ) where h is the current objective's curvature along x_i (the L2 term plus the
        labelled rows' C·w_l·s_l·(x_l·x_i)²/|x_i|²) and δ the candidate's own logit change; a row j's logit
        then moves by δ·(x_i·x_j)/|x_i|². The risk is the mean of 1 − max p' over a random sample of the pool,
        averaged over c weighted by the current p(c | x_i); the batch is the ``size`` candidates of least risk.
        """
        if model is None or y is None:
            raise ValueError("expected error reduction needs the current model and the labels")
        ranked = pool[np.lexsort((pool, -uncertainty(proba[pool], method)))]
        cand = ranked[: max(self.eer, size)]
        if len(cand) <= size:
            return cand
        sample = self.rng.choice(pool, min(self.eer_sample, len(pool)), replace=False)
        labelled = np.flatnonzero(y >= 0)
        Xc, Xs, XL = (model.transform(self.texts[rows]) for rows in (cand, sample, labelled))
        coef, b, C = model.coef_, model.intercept_, float(model.C)
        Zs = np.asarray(Xs @ coef.T) + b
        ZL = np.asarray(XL @ coef.T) + b
        zc = np.asarray(Xc @ coef.T) + b  # (N, 3)
        norm = np.asarray(Xc.multiply(Xc).sum(axis=1)).ravel() + 1.0  # |x|² with the intercept's constant 1
        yL = y[labelled]
        n = len(yL)
        positives = np.array([np.sum(yL == k) for k in range(3)], dtype=float)
        weight = {  # liblinear's class_weight="balanced" per binary model: n / (2 n_class)
            1: n / (2 * np.clip(positives, 1, None)) if model.balanced else np.ones(3),
            0: n / (2 * np.clip(n - positives, 1, None)) if model.balanced else np.ones(3),
        }
        wL = np.where(yL[:, None] == np.arange(3), weight[1], weight[0])  # (L, 3)
        sig = 1.0 / (1.0 + np.exp(-ZL))
        G = np.asarray((Xc @ XL.T).todense()) + 1.0  # (N, L)
        curvature = (G * G) @ (wL * sig * (1 - sig))  # (N, 3)
        h = (1.0 + C * curvature / norm[:, None]) / norm[:, None]
        delta = {}
        for t in (0, 1):
            cw = C * weight[t]
            d = np.zeros_like(zc)
            for _ in range(8):  # Newton on ½hδ² + cw·logloss(z + δ, t)
                p = 1.0 / (1.0 + np.exp(-(zc + d)))
                d = d - (h * d + cw * (p - t)) / (h + cw * p * (1 - p))
            delta[t] = self.eer_step * d
        D = np.stack([np.where(np.arange(3) == c, delta[1], delta[0]) for c in range(3)], axis=1)  # (N, c, k)
        K = (np.asarray((Xc @ Xs.T).todense()) + 1.0) / norm[:, None]  # (N, m)
        Z = Zs[None, None, :, :] + D[:, :, None, :] * K[:, None, :, None]  # (N, c, m, k)
        P = 1.0 / (1.0 + np.exp(-np.clip(Z, -500, 500)))
        P /= P.sum(axis=-1, keepdims=True)
        risk = (1.0 - P.max(axis=-1)).mean(axis=-1)  # (N, c)
        expected = np.sum(proba[cand] * risk, axis=1)
        return cand[np.lexsort((cand, expected))[:size]]

    def _badge(self, proba: np.ndarray, pool: np.ndarray, size: int) -> np.ndarray:
        a = proba[pool].copy()
        a[np.arange(len(pool)), a.argmax(axis=1)] -= 1.0
        sq = np.sum(a * a, axis=1) * np.asarray(self.X[pool].multiply(self.X[pool]).sum(axis=1)).ravel()
        X = self.X[pool]
        first = int(np.argmax(sq))
        chosen, d2 = [first], np.full(len(pool), np.inf)
        while len(chosen) < size:
            c = chosen[-1]
            dot = (a @ a[c]) * np.asarray((X @ X[c].T).todense()).ravel()
            d2 = np.minimum(d2, np.clip(sq + sq[c] - 2 * dot, 0, None))
            d2[chosen] = 0.0
            if d2.sum() <= 0:
                break
            chosen.append(int(self.rng.choice(len(pool), p=d2 / d2.sum())))
        return pool[np.asarray(chosen, dtype=np.int64)]


def page_retrain_every() -> int:
    """The Label tab's retrain interval, ``GLASSBOX_SENTIMENT_RETRAIN_EVERY`` (default 10)."""
    from webapp.config import load_config  # imports the app package, so only when the bench needs it

    return load_config()["SENTIMENT_RETRAIN_EVERY"]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--draws", type=int, default=5, help="random orders averaged into each seed's random curve (default 5)"
    )
    parser.add_argument("--method", choices=METHODS, default="margin")
    parser.add_argument(
        "--every",
        type=int,
        default=None,
        help="answers between retrains of the queue's model (default: the page's GLASSBOX_SENTIMENT_RETRAIN_EVERY)",
    )
    parser.add_argument("--diverse", action="store_true", help="diverse batches: one row per cluster of uncertain rows")
    parser.add_argument("--beta", type=float, default=0.0, help="information density: uncertainty × density^beta")
    parser.add_argument("--density", choices=("mean", "knn"), default="mean", help="the density --beta weighs by")
    parser.add_argument(
        "--dedup", type=float, default=None, help="skip candidates more similar than this to a labelled/picked row"
    )
    parser.add_argument("--balanced", action="store_true", help="batches round-robin across the predicted classes")
    parser.add_argument("--badge", action="store_true", help="BADGE: k-means++ over gradient embeddings")
    parser.add_argument(
        "--skip-top", type=float, default=0.0, help="rank this share of the most uncertain rows last (ambiguous)"
    )
    parser.add_argument(
        "--eer", type=int, default=0, help="expected error reduction over this many most uncertain candidates"
    )
    parser.add_argument("--eer-sample", type=int, default=1000, help="pool rows expected error reduction scores")
    parser.add_argument("--eer-step", type=float, default=1.0, help="damping of expected error reduction's refit")
    parser.add_argument(
        "--clusters", type=int, default=0, help="cluster-margin over this many k-means clusters of the texts"
    )
    parser.add_argument("--widen", type=int, default=10, help="cluster-margin's candidates: this many per batch row")
    parser.add_argument(
        "--cs", type=float, nargs="+", default=(), help="rank by the probabilities averaged over models with these C"
    )
    parser.add_argument(
        "--validation",
        type=float,
        default=None,
        help="measure on this share of the training rows (a seeded validation split) instead of the test split",
    )
    parser.add_argument(
        "--random-cache",
        type=Path,
        default=None,
        help="JSON file of random curves (keyed by split, seed, draw, budgets, every): read and extended",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for the test suite")
    args = parser.parse_args(argv)
    if args.every is None and not args.smoke:
        args.every = page_retrain_every()
    if args.every is not None and args.every < 1:
        parser.error(f"--every must be at least 1, not {args.every}")
    if args.draws < 1:
        parser.error(f"--draws must be at least 1, not {args.draws}")
    if not 0 <= args.skip_top < 1:
        parser.error(f"--skip-top must be at least 0 and below 1, not {args.skip_top}")
    for flag, value in (("--eer", args.eer), ("--clusters", args.clusters)):
        if value < 0:
            parser.error(f"{flag} must be at least 0, not {value}")
    if args.eer_sample < 1 or args.widen < 1:
        parser.error(f"--eer-sample and --widen must be at least 1, not {args.eer_sample} and {args.widen}")
    if any(c <= 0 for c in args.cs):
        parser.error(f"--cs values must be positive, not {args.cs}")
    if args.validation is not None and not 0 < args.validation < 1:
        parser.error(f"--validation must be between 0 and 1, not {args.validation}")
    data = load_tweets(mirror=os.environ.get("GLASSBOX_DATA_MIRROR"))
    train, test = data[data["split"] == "train"], data[data["split"] == "test"]
    measured_on = "test"
    if args.validation is not None:  # the test split stays unseen: choices are made on rows carved from training
        test = train.sample(frac=args.validation, random_state=12345)
        train = train.drop(test.index)
        measured_on = f"validation {args.validation:g}"
    budgets = BUDGETS
    if args.smoke:
        train, test = train.sample(400, random_state=0), test.sample(150, random_state=0)
        budgets, args.every, args.seeds, args.draws = (10, 20), 10, args.seeds[:1], min(args.draws, 2)
    texts, y = train["text"].to_numpy(object), train["label"].to_numpy()
    test_texts, test_y = test["text"].to_numpy(object), test["label"].to_numpy()
    print(
        f"{len(y):,} training rows, {round(0.8 * len(y)):,} hidden; measured on {measured_on} ({len(test_y):,} rows); "
        f"queue: {args.method}{', diverse batches' if args.diverse else ''}, retrain every {args.every}; "
        f"random: mean of {args.draws} order(s) per seed"
    )
    space = text_space(texts) if args.diverse else None
    ranker = None
    if (
        args.beta
        or args.dedup is not None
        or args.balanced
        or args.badge
        or args.skip_top
        or args.eer
        or args.cs
        or args.clusters
    ):
        ranker = Picker(
            texts,
            beta=args.beta,
            density=args.density,
            dedup=args.dedup,
            balanced=args.balanced,
            badge=args.badge,
            skip_top=args.skip_top,
            eer=args.eer,
            eer_sample=args.eer_sample,
            eer_step=args.eer_step,
            cs=tuple(args.cs),
            clusters=args.clusters,
            widen=args.widen,
        )
        print(
            f"variant: beta {args.beta:g} ({args.density}), dedup {args.dedup}, balanced {args.balanced}, "
            f"badge {args.badge}, skip top {args.skip_top:g}, eer {args.eer} (sample {args.eer_sample}, "
            f"step {args.eer_step:g}), committee C {list(args.cs)}, "
            f"cluster-margin {args.clusters} clusters × {args.widen}"
        )
    cache = {}
    if args.random_cache is not None and args.random_cache.exists():
        cache = json.loads(args.random_cache.read_text())

    def run(strategy, seed, draw):
        if strategy != "random" or args.random_cache is None:
            return curve(
                *common, strategy, seed, budgets, args.every, args.method, space=space, draw=draw, ranker=ranker
            )
        key = f"{measured_on}|{len(y)}|{len(test_y)}|seed {seed}|draw {draw}|{','.join(map(str, budgets))}|{args.every}"
        if key not in cache:
            cache[key] = curve(*common, strategy, seed, budgets, args.every, draw=draw)
            args.random_cache.write_text(json.dumps(cache, indent=1))
        return {int(b): f for b, f in cache[key].items()}

    common = (texts, y, test_texts, test_y)
    results = {s: [] for s in STRATEGIES}
    for seed in args.seeds:
        for strategy in STRATEGIES:
            started = time.perf_counter()
            draws = [run(strategy, seed, draw) for draw in range(args.draws if strategy == "random" else 1)]
            points = {b: float(np.mean([d[b] for d in draws])) for b in budgets}
            results[strategy].append(points)
            shown = "  ".join(f"{b}: {f:.4f}" for b, f in points.items())
            spread = ""
            if len(draws) > 1:
                spread = (
                    f"  [{len(draws)} orders at {budgets[-1]}: "
                    + " ".join(f"{d[budgets[-1]]:.4f}" for d in draws)
                    + "]"
                )
            print(f"seed {seed}  {strategy:<6}  {shown}{spread}  ({time.perf_counter() - started:.1f} s)")
    means = {s: {b: float(np.mean([r[b] for r in results[s]])) for b in budgets} for s in STRATEGIES}
    for strategy in STRATEGIES:
        print(f"mean    {strategy:<6}  " + "  ".join(f"{b}: {f:.4f}" for b, f in means[strategy].items()))
    last = budgets[-1]
    gain = means["queue"][last] - means["random"][last]
    print(f"gain at {last} labels (queue − random, mean of {len(args.seeds)} seeds): {gain:+.4f}")
    print(
        "gain per seed at "
        + f"{last}: "
        + " ".join(f"{q[last] - r[last]:+.4f}" for q, r in zip(results["queue"], results["random"], strict=True))
    )
    print("gain at each budget: " + " ".join(f"{b}: {means['queue'][b] - means['random'][b]:+.4f}" for b in budgets))
    if ranker is not None and ranker.seconds:
        print(f"ranking: {np.mean(ranker.seconds):.3f} s per batch (max {np.max(ranker.seconds):.3f})")
    return {"runs": results, "mean": means, "gain": gain}


if __name__ == "__main__":
    main()
