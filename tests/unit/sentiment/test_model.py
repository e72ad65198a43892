import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from models.sentiment.model import SentimentModel, evaluate


def test_beats_the_plain_tfidf_reference_on_the_tweets(tweets, fitted):
    # A plain TF-IDF one-vs-rest logistic regression gets ~0.83 accuracy and ~0.75 macro-F1 here.
    test = tweets[tweets["split"] == "test"]
    metrics = evaluate(test["label"].to_numpy(), fitted.predict(test["text"]))
    assert metrics["accuracy"] > 0.83
    assert metrics["macro_f1"] > 0.76
    assert np.sum(metrics["confusion_matrix"]) == len(test)


def test_probabilities_are_three_per_text_and_sum_to_one(fitted):
    proba = fitted.predict_proba(["Stocks soar", "Profit slimmed", "", "$TSLA"])
    assert proba.shape == (4, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all(proba > 0)


@pytest.mark.parametrize("label", ["negative", "neutral", "positive"])
def test_contributions_plus_intercept_equal_the_binary_logit(fitted, label):
    text = "$AAPL shares fall after weak guidance, profit slimmed and outlook not good"
    explanation = fitted.explain(text, label)
    logit = fitted.decision_function([text])[0, ["negative", "neutral", "positive"].index(label)]
    assert explanation.intercept + explanation.tokens["contribution"].sum() == pytest.approx(logit)
    assert explanation.logit == pytest.approx(logit)
    assert {"$aapl", "shares fall", "not good"} <= set(explanation.tokens["token"])


def test_unseen_tokens_are_shown_with_zero_coefficient(fitted):
    tokens = fitted.explain("zorblax profit", "negative").tokens.set_index("token")
    assert not tokens.loc["zorblax", "seen"]
    assert tokens.loc["zorblax", "coefficient"] == 0 and tokens.loc["zorblax", "contribution"] == 0
    assert tokens.loc["profit", "seen"]


def test_negative_words_push_the_negative_model_up(fitted):
    bad = fitted.explain("shares plunge on weak outlook", "negative")
    assert bad.tokens.set_index("token").loc["plunge", "coefficient"] > 0


def test_save_and_load_give_the_same_predictions(fitted, tmp_path):
    fitted.save(tmp_path / "m.joblib")
    loaded = SentimentModel.load(tmp_path / "m.joblib")
    texts = ["Stocks soar", "Profit slimmed"]
    np.testing.assert_array_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))
    assert loaded.get_params() == fitted.get_params()


def test_unfitted_and_bad_parameters_fail_clearly():
    with pytest.raises(NotFittedError):
        SentimentModel().predict(["x"])
    with pytest.raises(ValueError, match="C must be positive"):
        SentimentModel(C=0).fit(["a", "b", "c"], [0, 1, 2])
    with pytest.raises(ValueError, match="weighting"):
        SentimentModel(weighting="bm25").fit(["a", "b", "c"], [0, 1, 2])
    with pytest.raises(ValueError, match="no positive"):
        SentimentModel().fit(["a", "b"], [0, 1])


def test_counts_weighting_also_explains_exactly():
    texts = ["good good growth", "bad loss", "flat day", "good day", "bad day", "flat growth"]
    model = SentimentModel(weighting="counts", ngram_max=1).fit(texts, [2, 0, 1, 2, 0, 1])
    explanation = model.explain("good good day", "positive")
    assert explanation.tokens.set_index("token").loc["good", "value"] == 2
    assert explanation.logit == pytest.approx(model.decision_function(["good good day"])[0, 2])
