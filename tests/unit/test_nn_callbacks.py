"""NN Builder callbacks and figures called as plain functions (no browser)."""

from types import SimpleNamespace

import pytest
from dash import no_update

from models.nn.form import chosen_id
from models.nn.monitor import layer_warnings
from webapp.components import nn_figures as figs


@pytest.fixture(scope="module")
def views(tmp_path_factory):
    """The page's view modules, imported the way the app imports them (register_page needs an app first)."""
    from webapp import create_app

    create_app({"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("data")), "SECRET_KEY": "test"})
    from webapp.views.nn_builder import diagnostics, ids, live, training

    return SimpleNamespace(ids=ids, training=training, live=live, diagnostics=diagnostics)


INFO = {
    "id": "black-scholes?rows=100",
    "task": "regression",
    "features": ["S", "T", "sigma", "moneyness", "r"],
    "classes": [],
    "rows": 100,
    "target": "price",
    "name": "Black-Scholes",
}
EPOCHS = [{"epoch": k, "loss": 1.0 / k, "val_loss": 1.1 / k, "metric": 0.5, "val_metric": 0.4} for k in (1, 2, 3)]


def _request(views, units=(8,), dropouts=(0.0,), batch_size=16, rate=0.001, validation=0.2):
    return views.training.request_training(
        clicks=1,
        info=INFO,
        choice="black-scholes",
        epochs=2,
        batch_size=batch_size,
        loss="mean_squared_error",
        optimizer="Adam",
        scale=True,
        validation=validation,
        param_ids=[{"type": views.ids.OPT_PARAM, "name": "learning_rate"}],
        param_values=[rate],
        layers=[list(units), ["relu"] * len(units), [False] * len(units), list(dropouts)],
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"units": (0,)}, "Layer 1: units must be a whole number above 0"),
        ({"dropouts": (1.5,)}, "Layer 1: dropout must be at least 0 and below 1"),
        ({"rate": 0}, "The learning rate must be above 0"),
        ({"batch_size": 500}, "is larger than the 80 training rows"),
        ({"validation": 1.5}, "The validation share must be a number between 0 and 1 (exclusive), not 1.5"),
        ({"validation": 0}, "The validation share must be a number between 0 and 1 (exclusive), not 0"),
        ({"validation": ""}, "The validation share must be a number between 0 and 1 (exclusive), not None"),
    ],
)
def test_bad_settings_start_nothing_and_say_why(views, kwargs, message):
    out = _request(views, **kwargs)
    assert out["request"] is no_update
    assert message in str(out["message"].to_plotly_json())


def test_a_valid_spec_becomes_a_request_with_only_changed_parameters(views):
    out = _request(views, rate=0.01)
    request = out["request"]
    assert out["tab"] == "training" and request["dataset"] == "black-scholes?rows=100"
    assert request["spec"]["validation"] == 0.2
    assert request["spec"]["optimizer_params"] == {"learning_rate": 0.01}
    assert request["spec"]["layers"] == [{"units": 8, "activation": "relu", "batch_norm": False, "dropout": 0.0}]


def test_curves_start_fresh_for_a_new_run_then_append_only_new_epochs(views):
    out = views.live.curve_update({"run": "a", "epochs": EPOCHS[:1]}, None, "dark")
    assert [len(trace["x"]) for trace in out["curves"]["data"]] == [1, 1, 1, 1]
    assert out["drawn"] == {"run": "a", "n": 1}
    out = views.live.curve_update({"run": "a", "epochs": EPOCHS}, out["drawn"], "dark")
    operations = out["curves"].to_plotly_json()["operations"]
    assert len(operations) == 8 and {op["operation"] for op in operations} == {"Extend"}
    assert out["drawn"] == {"run": "a", "n": 3}


def test_network_drawing_has_a_column_per_layer_and_caps_wide_layers():
    figure = figs.network_figure(
        5, [{"units": 64, "activation": "relu"}, {"units": 3, "activation": "tanh"}], 1, "linear"
    )
    assert len(figure.layout.annotations) == 4
    assert len(figure.data[1].x) == 5 + figs.MAX_DRAWN_UNITS + 3 + 1


def test_warnings_name_saturated_and_dead_layers(views):
    layers = [
        {"name": "dense_1", "activation": "tanh", "saturation": 0.9, "dead": None},
        {"name": "dense_2", "activation": "relu", "saturation": None, "dead": 0.5},
    ]
    assert len(layer_warnings(layers)) == 2
    text = str([w.to_plotly_json() for w in views.live.warnings_children(layers)])
    assert "dense_1 (tanh): 90% of activations saturated" in text and "dense_2 (relu): 50% of units dead" in text


@pytest.mark.parametrize(
    "choice, rows, seed, expected",
    [
        ("black-scholes", 10_000, 0, "black-scholes?rows=10000&seed=0"),
        ("black-scholes", 500, 7, "black-scholes?rows=500&seed=7"),
        ("black-scholes", "", None, "black-scholes"),
        ("digits", 500, 7, "digits"),
        (None, None, None, "black-scholes"),
    ],
)
def test_the_picker_and_the_black_scholes_inputs_name_one_dataset(choice, rows, seed, expected):
    assert chosen_id(choice, rows, seed) == expected


def test_a_confusion_cell_click_says_its_count(views):
    click = {"points": [{"x": "7", "y": "1", "customdata": {"0": 1, "1": 7, "2": 3}}]}
    cell = views.diagnostics.confusion_cell(click)
    assert "3 validation rows of class 1 were predicted as 7" in str(cell.to_plotly_json())
    assert views.diagnostics.confusion_cell({"points": [{"x": 1.0, "y": 2.0}]}) is no_update


def test_a_diverged_layer_is_named_instead_of_passing_for_healthy():
    nan = {"counts": [0, 0], "edges": [0.0, 0.5, 1.0], "nonfinite": 12}
    layers = [{"name": "dense_1", "activation": "relu", "saturation": None, "dead": 0.0, "weights": nan}]
    notes = layer_warnings(layers)
    assert notes == [
        "dense_1: weights are NaN or infinite — training diverged; try a smaller learning rate or clipping."
    ]


def test_nan_losses_read_as_diverged_in_the_run_summary(views):
    result = {
        "run": "r",
        "run_id": 3,
        "total": 5,
        "epochs": [{"epoch": 1}, {"epoch": 2}],
        "status": "diverged",
        "reason": "The loss became NaN at epoch 2: training diverged.",
        "final": {"val_loss": None, "metric": "r2", "val_metric": None},
    }
    text = str(views.training.finish(result)["message"].to_plotly_json())
    assert "validation loss NaN (diverged), validation r2 NaN (diverged)." in text and "0.000" not in text


@pytest.fixture
def bare_app(tmp_path):
    """An app whose dataset mirror is empty: the reference file cannot be fetched."""
    from webapp import create_app

    (tmp_path / "mirror").mkdir()
    return create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(tmp_path / "data"),
            "DATA_MIRROR": str(tmp_path / "mirror"),
            "SECRET_KEY": "t",
        }
    )


def test_a_dataset_that_cannot_be_fetched_says_so_and_unselects_the_old_one(bare_app):
    from webapp.views.nn_builder import parameters

    with bare_app.server.app_context():
        generated = parameters.choose_dataset("black-scholes", 100, 0, "mean_squared_error", None)["data"]
        out = parameters.choose_dataset("bls-prices", 100, 0, "mean_squared_error", generated)
    assert out["data"] is None and out["info"] == "No dataset loaded."
    assert "GLASSBOX_DATA_MIRROR" in str(out["message"].to_plotly_json())


def test_train_refuses_when_the_loaded_data_is_not_the_picked_dataset(views):
    out = views.training.request_training(
        clicks=1,
        info=INFO,
        choice="bls-prices",
        epochs=2,
        batch_size=16,
        loss="mean_squared_error",
        optimizer="Adam",
        scale=True,
        validation=0.2,
        param_ids=[],
        param_values=[],
        layers=[[8], ["relu"], [False], [0.0]],
    )
    assert out["request"] is no_update and "Choose a dataset that loads first" in str(out["message"].to_plotly_json())


@pytest.mark.parametrize("log, axis", [(True, "log"), (False, "linear")])
def test_the_loss_overlay_is_log_scale_unless_switched_off(log, axis):
    run = {
        "id": 1,
        "epochs": [{"epoch": 1, "loss": 100.0, "val_loss": 90.0}, {"epoch": 2, "loss": 0.1, "val_loss": 0.2}],
    }
    assert figs.overlay_figure([run], log=log).layout.yaxis.type == axis


CRAFTED_RUNS = [999999, "1 OR 1=1", "1; DROP TABLE nn_runs", -1, 0, 1.5, True, None, [1], {"id": 1}, 2**80]


@pytest.mark.parametrize("run_id", CRAFTED_RUNS)
def test_crafted_run_ids_get_a_message_never_an_exception(app, run_id):
    """Callbacks called as Dash would with a payload a client crafted: runs that do not exist or are no integers."""
    from webapp.views.nn_builder import diagnostics, live, runs

    with app.server.app_context():
        note = diagnostics.render_diagnostics({"run_id": run_id}, "dark")
        replay = live.replay_histograms(3, {"run_id": run_id}, "dark")
        figure = runs.overlay([{"id": run_id}, "junk"], True, "dark")
        download = runs.download(None, None, 1, [{"id": run_id}], [])
    if run_id:  # a falsy id names no run: nothing to show, nothing changes
        assert "There is no run" in str(note["note"].to_plotly_json())
        assert "There is no run" in str(replay["warnings"].to_plotly_json())
    assert figure["data"] == []
    assert "There is no run" in str(download["message"].to_plotly_json()) and download["download"] is no_update


@pytest.mark.parametrize("value, expected", [(7, 7), ("7", 7), (7.0, 7), ("1 OR 1=1", None), (True, None), (0, None)])
def test_run_ids_are_whole_numbers_in_range(value, expected):
    from models.nn.store import parse_run_id

    assert parse_run_id(value) == expected
