import numpy as np
import pandas as pd
import pytest

from models.nn.data import DataError, black_scholes, call_price, load_bls_prices, load_csv, split, training_rows


def test_black_scholes_is_seeded_and_priced_by_the_formula():
    a, b = black_scholes(200, seed=3), black_scholes(200, seed=3)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, black_scholes(200, seed=4).X)
    assert a.features == ("S", "T", "sigma", "moneyness", "r") and a.task == "regression" and a.X.dtype == np.float32
    S, T, sigma, moneyness, r = a.X.astype(np.float64).T
    np.testing.assert_allclose(a.y, call_price(S, S * moneyness, T, sigma, r), rtol=1e-5, atol=1e-4)
    intrinsic = np.maximum(S - S * moneyness * np.exp(-r * T), 0)
    assert np.all(a.y >= intrinsic - 1e-3) and np.all(a.y <= S + 1e-3)  # no-arbitrage bounds of a call


def test_call_price_known_value():
    # Hull's textbook example: S=42, K=40, T=0.5, r=0.1, sigma=0.2 -> 4.76.
    assert call_price(42, 40, 0.5, 0.2, 0.1) == pytest.approx(4.759, abs=1e-3)


def test_reference_file_is_the_formula_with_zero_rate(tmp_path):
    data = load_bls_prices(tmp_path)
    assert len(data.y) == 10_000 and data.features == ("S", "T", "sigma", "moneyness")
    S, T, sigma, moneyness = data.X.astype(np.float64).T
    # The file holds float64 prices; the dataset keeps float32, so compare at float32 precision.
    np.testing.assert_allclose(data.y, call_price(S, S * moneyness, T, sigma, 0.0), rtol=1e-5, atol=1e-3)


def test_digits(digits_small):
    assert digits_small.task == "classification" and digits_small.classes == tuple("0123456789")
    assert digits_small.X.shape[1] == 64 and set(np.unique(digits_small.y)) == set(range(10))


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


GOOD = pd.DataFrame({"a": np.arange(12.0), "b": np.arange(12) % 3, "y": np.linspace(0, 1, 12)})


def test_csv_regression_and_guessed_classes(tmp_path):
    data = load_csv(_csv(GOOD), "y", name="good.csv")
    assert data.task == "regression" and data.features == ("a", "b") and data.name.startswith("good.csv")
    labelled = load_csv(_csv(GOOD.assign(y=np.where(GOOD.a > 5, "up", "down"))), "y")
    assert (
        labelled.task == "classification"
        and labelled.classes == ("down", "up")
        and labelled.y.tolist()[:7] == [0] * 6 + [1]
    )
    path = tmp_path / "f.csv"
    path.write_bytes(_csv(GOOD))
    assert load_csv(path, "b").task == "classification"  # few whole numbers: classes
    assert load_csv(path, "b", task="regression").task == "regression"


@pytest.mark.parametrize(
    "frame, target, message",
    [
        (GOOD, "price", "no column 'price'"),
        (GOOD.assign(c=["x"] * 12), "y", "not numeric: 'c'"),
        (GOOD.assign(y=[np.nan] * 2 + [1.0] * 10), "y", "2 missing value"),
        (GOOD.assign(a=[np.nan] + [1.0] * 11), "y", "missing or infinite values: 'a' \\(1 row"),
        (GOOD.head(5), "y", "too few"),
        (GOOD[["y"]], "y", "no column to predict it from"),
        (GOOD.assign(y="same"), "y", "single value"),
    ],
)
def test_csv_errors_say_what_is_wrong(frame, target, message):
    with pytest.raises(DataError, match=message):
        load_csv(_csv(frame), target)


def test_csv_unreadable(tmp_path):
    with pytest.raises(DataError, match="empty"):
        load_csv(b"  \n", "y")
    with pytest.raises(DataError, match="Cannot read"):
        load_csv(tmp_path / "missing.csv", "y")


def test_split_scales_with_training_rows_only(bs_small):
    parts = split(bs_small, validation=0.25, seed=0, scale=True)
    assert len(parts.y_val) == 150 and len(parts.y_train) == training_rows(600, 0.25) == 450
    assert set(parts.rows_train).isdisjoint(parts.rows_val)
    np.testing.assert_allclose(parts.X_train.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(parts.X_train.std(axis=0), 1, atol=1e-3)
    np.testing.assert_allclose(parts.mean, bs_small.X[parts.rows_train].mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(parts.transform(bs_small.X[parts.rows_val]), parts.X_val, atol=1e-5)
    raw = split(bs_small, 0.25, 0, scale=False)
    assert raw.mean is None and np.array_equal(raw.X_val, bs_small.X[raw.rows_val])
    with pytest.raises(DataError, match="validation share"):
        split(bs_small, 1.0)


def test_split_stratifies_classes(digits_small):
    parts = split(digits_small, 0.2, seed=0)
    assert set(np.unique(parts.y_val)) == set(range(10))


@pytest.mark.parametrize(
    "cells, message",
    [
        ({"big": "1e300"}, "Values beyond float32's range (±3.4e+38) in: 'big' (1 row(s))"),
        ({"big": "-5e39"}, "'big' (1 row(s))"),
        ({"y": "1e300"}, "Values beyond float32's range (±3.4e+38) in: 'y' (1 row(s))"),
    ],
)
def test_csv_values_beyond_float32_are_refused_naming_the_column(cells, message):
    rows = [{"a": str(i), "big": str(i * 2), "y": str(i * 0.5)} for i in range(20)]
    rows[7].update(cells)
    text = "a,big,y\n" + "".join(f"{r['a']},{r['big']},{r['y']}\n" for r in rows)
    with pytest.raises(DataError) as error:
        load_csv(text.encode(), "y", "regression", name="huge.csv")
    assert message in str(error.value)


def test_csv_values_at_float32_limits_still_load():
    text = "a,y\n" + "".join(f"{3e38 if i == 3 else i},{i}\n" for i in range(20))
    dataset = load_csv(text.encode(), "y", "regression")
    assert np.isfinite(dataset.X).all() and dataset.X.dtype == np.float32
