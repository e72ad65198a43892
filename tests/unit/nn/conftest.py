"""Session-scoped tiny datasets and runs shared by the NN tests (each fit takes about a second)."""

from __future__ import annotations

import numpy as np
import pytest

from models.nn.data import Dataset, black_scholes, load_digits
from models.nn.spec import default_spec


@pytest.fixture(scope="session")
def bs_small():
    return black_scholes(600, seed=1)


@pytest.fixture(scope="session")
def digits_small():
    full = load_digits()
    rows = np.arange(0, len(full.y), 3)  # 599 rows, every class present
    return Dataset(
        "digits (every third)", full.X[rows], full.y[rows], full.features, full.target, full.task, full.classes
    )


@pytest.fixture(scope="session")
def small_spec():
    return {
        **default_spec(),
        "epochs": 2,
        "batch_size": 32,
        "layers": [{"units": 16, "activation": "relu"}, {"units": 8, "activation": "tanh"}],
    }


@pytest.fixture(scope="session")
def regression_run(bs_small, small_spec):
    from models.nn.train import train

    epochs = []
    result = train(bs_small, small_spec, progress=lambda epoch, total, record: epochs.append((epoch, total, record)))
    return result, epochs


@pytest.fixture(scope="session")
def classification_run(digits_small):
    from models.nn.train import train

    return train(
        digits_small,
        {
            **default_spec("classification"),
            "epochs": 2,
            "layers": [{"units": 16, "activation": "sigmoid", "batch_norm": True, "dropout": 0.1}],
        },
    )
