"""Session-scoped tweets and a model fitted on them once (half a second), shared by the sentiment tests."""

from __future__ import annotations

import pytest

from models.sentiment.data import load_tweets
from models.sentiment.model import SentimentModel


@pytest.fixture(scope="session")
def tweets(tmp_path_factory):
    return load_tweets(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def fitted(tweets):
    train = tweets[tweets["split"] == "train"]
    return SentimentModel().fit(train["text"], train["label"].to_numpy())
