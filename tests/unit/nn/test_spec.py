import json

import keras
import pytest

from models.nn.spec import (
    SpecError,
    build_model,
    choices,
    default_spec,
    load_spec,
    loss_target,
    normalize,
    optimizer_params,
    save_spec,
    to_python,
    validate,
)


def test_choices_come_from_keras():
    found = choices()
    assert {"Adam", "SGD", "RMSprop", "AdamW"} <= set(found["optimizers"])
    assert not {"Optimizer", "LossScaleOptimizer"} & set(found["optimizers"])  # wrappers need another optimizer
    assert {"relu", "tanh", "sigmoid", "linear", "elu"} <= set(found["activations"])
    assert "glu" not in found["activations"]  # halves its input: not a per-unit activation
    regression = choices("regression")["losses"]
    assert {"mean_squared_error", "mean_absolute_error", "huber"} <= set(regression)
    assert not {"categorical_crossentropy", "hinge", "binary_crossentropy"} & set(regression)
    assert {"sparse_categorical_crossentropy", "categorical_crossentropy"} <= set(choices("classification")["losses"])
    assert (
        loss_target("sparse_categorical_crossentropy") == "sparse"
        and loss_target("categorical_crossentropy") == "one_hot"
    )


def test_adam_parameters_with_defaults_types_and_an_advanced_group():
    params = {p["name"]: p for p in optimizer_params("adam")}
    assert list(params)[:5] == ["learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"]
    assert params["learning_rate"] == {
        "name": "learning_rate",
        "default": 0.001,
        "type": "float",
        "optional": False,
        "advanced": False,
    }
    assert params["amsgrad"]["type"] == "bool" and params["epsilon"]["default"] == pytest.approx(1e-7)
    advanced = {name for name, p in params.items() if p["advanced"]}
    assert {
        "clipnorm",
        "clipvalue",
        "global_clipnorm",
        "use_ema",
        "ema_momentum",
        "ema_overwrite_frequency",
        "loss_scale_factor",
        "gradient_accumulation_steps",
        "name",
    } == advanced
    assert params["ema_overwrite_frequency"]["type"] == "int" and params["clipnorm"]["optional"]
    assert {p["name"] for p in optimizer_params("SGD")} >= {"momentum", "nesterov"}
    with pytest.raises(KeyError, match="Unknown optimizer"):
        optimizer_params("Adamish")


@pytest.mark.parametrize(
    "change, n_rows, message",
    [
        ({"layers": [{"units": 0}]}, None, "Layer 1: units must be a whole number above 0"),
        ({"layers": [{"units": 8}, {"units": -3}]}, None, "Layer 2: units"),
        ({"layers": [{"units": 8, "dropout": 1.0}]}, None, "dropout must be at least 0 and below 1"),
        ({"layers": [{"units": 8, "dropout": -0.1}]}, None, "dropout"),
        ({"layers": [{"units": 8, "activation": "squiggle"}]}, None, "unknown activation 'squiggle'"),
        ({"optimizer_params": {"learning_rate": 0}}, None, "learning rate must be above 0"),
        ({"optimizer_params": {"learning_rate": -0.1}}, None, "learning rate must be above 0"),
        ({"optimizer": "Turbo"}, None, "Unknown optimizer 'Turbo'"),
        ({"optimizer_params": {"beta_3": 1}}, None, "Adam has no parameter 'beta_3'"),
        ({"optimizer_params": {"amsgrad": "yes"}}, None, "amsgrad must be true or false"),
        ({"optimizer": "SGD", "optimizer_params": {"momentum": 2.0}}, None, "SGD: `momentum` must be a float between"),
        ({"loss": "made_up"}, None, "Unknown loss 'made_up'"),
        ({"loss": "categorical_crossentropy"}, None, "does not fit regression"),
        ({"batch_size": 200}, 100, "batch size \\(200\\) is larger than the 80 training rows"),
        ({"epochs": 0}, None, "Epochs must be"),
        ({"validation": 1.5}, None, "validation share"),
        ({"colour": "blue"}, None, "Unknown setting 'colour'"),
        ({"layers": [{"units": None}]}, None, "^Layer 1: units is required \\(a whole number above 0\\)\\.$"),
        ({"layers": [{"units": ""}]}, None, "^Layer 1: units is required"),
        ({"layers": [{"units": 8, "dropout": None}]}, None, "^Layer 1: dropout is required"),
    ],
)
def test_validate_explains_bad_specs(change, n_rows, message):
    messages = validate({**default_spec(), **change}, n_rows, "regression")
    assert any(__import__("re").search(message, m) for m in messages), messages


def test_valid_spec_has_no_messages_and_json_round_trips(tmp_path):
    spec = {
        **default_spec(),
        "optimizer": "sgd",
        "optimizer_params": {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
    }
    assert validate(spec, 1000, "regression") == []
    assert normalize(spec)["optimizer"] == "SGD"
    save_spec(spec, tmp_path / "spec.json")
    assert load_spec(tmp_path / "spec.json") == normalize(spec)
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(SpecError, match="JSON object"):
        load_spec(tmp_path / "bad.json")
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(SpecError, match="not valid JSON"):
        load_spec(tmp_path / "broken.json")


SPEC = {
    **default_spec(),
    "layers": [
        {"units": 12, "activation": "tanh", "batch_norm": True, "dropout": 0.2},
        {"units": 6, "activation": "relu", "batch_norm": False, "dropout": 0.0},
    ],
    "optimizer": "RMSprop",
    "optimizer_params": {"learning_rate": 0.01, "clipnorm": 1},
}


def test_build_model_places_batch_norm_and_dropout():
    model = build_model(SPEC, 5, "regression")
    assert [type(layer).__name__ for layer in model.layers] == [
        "InputLayer",
        "Dense",
        "BatchNormalization",
        "Activation",
        "Dropout",
        "Dense",
        "Dense",
    ]
    assert [layer.name for layer in model.layers[1:]] == [
        "dense_1",
        "batch_norm_1",
        "activation_1",
        "dropout_1",
        "dense_2",
        "output",
    ]
    assert model.get_layer("dense_1").get_config()["activation"] == "linear"
    assert model.get_layer("activation_1").get_config()["activation"] == "tanh"
    assert model.get_layer("dropout_1").rate == pytest.approx(0.2)
    assert model.get_layer("dense_2").units == 6 and model.get_layer("dense_2").get_config()["activation"] == "relu"
    assert model.get_layer("output").units == 1 and model.get_layer("output").get_config()["activation"] == "linear"
    assert isinstance(model.optimizer, keras.optimizers.RMSprop) and model.optimizer.clipnorm == 1.0
    classifier = build_model(SPEC | {"loss": None}, 5, "classification", n_classes=4)
    assert (
        classifier.get_layer("output").units == 4
        and classifier.get_layer("output").get_config()["activation"] == "softmax"
    )
    assert classifier.loss == "sparse_categorical_crossentropy"
    with pytest.raises(SpecError, match="units"):
        build_model({**SPEC, "layers": [{"units": 0}]}, 5, "regression")


@pytest.mark.parametrize("task, n_classes", [("regression", None), ("classification", 3)])
def test_exported_python_rebuilds_the_same_network(task, n_classes):
    spec = SPEC | {"loss": None}
    source = to_python(spec, 5, task, n_classes)
    namespace = {}
    exec(compile(source, "<exported>", "exec"), namespace)
    rebuilt, built = namespace["model"], build_model(spec, 5, task, n_classes)

    def configs(model):
        return [{k: v for k, v in layer.get_config().items() if k != "seed"} for layer in model.layers]

    assert configs(rebuilt) == configs(built)
    assert rebuilt.count_params() == built.count_params()

    def settings(optimizer):
        return {k: v for k, v in optimizer.get_config().items() if k != "name"}  # names are numbered per process

    assert settings(rebuilt.optimizer) == settings(built.optimizer) and rebuilt.loss == built.loss
    json.dumps(spec)  # the spec itself stays plain JSON


@pytest.mark.parametrize(
    "alias, task, name",
    [
        ("mse", "regression", "mean_squared_error"),
        ("MSE", "regression", "mean_squared_error"),
        ("mae", "regression", "mean_absolute_error"),
        ("mape", "regression", "mean_absolute_percentage_error"),
        ("MeanSquaredError", "regression", "mean_squared_error"),
        ("Huber", "regression", "huber"),
        ("CategoricalCrossentropy", "classification", "categorical_crossentropy"),
        ("bce", None, "binary_crossentropy"),
    ],
)
def test_every_loss_alias_keras_accepts_is_accepted_as_its_name(alias, task, name):
    keras.losses.get(alias)  # Keras accepts it (the test's premise)
    spec = {**default_spec(), "loss": alias}
    assert validate(spec, None, task) == []
    assert normalize(spec, task)["loss"] == name


@pytest.mark.parametrize("alias, name", [("adam", "Adam"), ("sgd", "SGD"), ("RMSPROP", "RMSprop"), ("adamw", "AdamW")])
def test_optimizer_aliases_keras_accepts_are_accepted(alias, name):
    assert validate({**default_spec(), "optimizer": alias}, None, "regression") == []
    assert normalize({"optimizer": alias})["optimizer"] == name


def test_a_name_keras_refuses_is_still_refused():
    with pytest.raises(ValueError):
        keras.losses.get("mean_squiggle")
    assert any("Unknown loss 'mean_squiggle'" in m for m in validate({**default_spec(), "loss": "mean_squiggle"}))
