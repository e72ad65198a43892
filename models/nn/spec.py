"""A network spec as plain JSON data, the choices it may take (asked of Keras itself), and the Keras model it builds.

A spec is a dict, so the page can keep it in a ``dcc.Store`` and the database as JSON::

    {"epochs": 20, "batch_size": 32, "loss": "mean_squared_error", "optimizer": "Adam",
     "optimizer_params": {"learning_rate": 0.001},
     "layers": [{"units": 64, "activation": "relu", "batch_norm": false, "dropout": 0.0}, ...],
     "validation": 0.2, "scale": true, "seed": 0}

``loss`` may be ``None`` (the task's default). The input size comes from the data, the output
size and activation from the task: one linear unit for regression, a softmax over the classes
for classification.
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
import math
import re
import warnings
from pathlib import Path

import numpy as np

from models.nn.data import TASKS, training_rows

DEFAULT_LOSS = {"regression": "mean_squared_error", "classification": "sparse_categorical_crossentropy"}
DEFAULTS = {
    "epochs": 20,
    "batch_size": 32,
    "loss": None,
    "optimizer": "Adam",
    "optimizer_params": {},
    "layers": [
        {"units": 64, "activation": "relu", "batch_norm": False, "dropout": 0.0},
        {"units": 64, "activation": "relu", "batch_norm": False, "dropout": 0.0},
    ],
    "validation": 0.2,
    "scale": True,
    "seed": 0,
}
LAYER_DEFAULTS = {"units": 32, "activation": "relu", "batch_norm": False, "dropout": 0.0}
MAX_EPOCHS = 10_000
# Parameters every optimizer shares that most users leave alone; learning rate and weight decay stay in front.
_FRONT = ("learning_rate", "weight_decay")
# Wrappers that take another optimizer instead of numbers.
_WRAPPERS = ("Optimizer", "LossScaleOptimizer", "MultiOptimizer", "OptimizerMap")
_TYPE_WORDS = (
    ("float", float),
    ("a float", float),
    ("int", int),
    ("integer", int),
    ("bool", bool),
    ("string", str),
    ("str", str),
    ("list", list),
)
_ARG_LINE = re.compile(r"^\s+(\w+): (.+)$")


class SpecError(ValueError):
    """A spec that cannot be trained; ``messages`` lists every problem found."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = list(messages)


def default_spec(task: str = "regression") -> dict:
    """A fresh spec with every setting at its default and the task's default loss."""
    spec = copy.deepcopy(DEFAULTS)
    spec["loss"] = DEFAULT_LOSS.get(task, DEFAULT_LOSS["regression"])
    return spec


def normalize(spec: dict, task: str | None = None) -> dict:
    """A copy of ``spec`` with missing settings filled from the defaults (values are not checked here).

    Loss and optimizer names become the names Keras lists, for every alias Keras accepts
    (``"mse"`` → ``"mean_squared_error"``, ``"MeanSquaredError"`` → ``"mean_squared_error"``, ``"adam"`` → ``"Adam"``).
    """
    out = copy.deepcopy(DEFAULTS)
    out.update(copy.deepcopy(dict(spec)))
    if out.get("loss") is None and task in DEFAULT_LOSS:
        out["loss"] = DEFAULT_LOSS[task]
    if isinstance(out.get("layers"), list):
        out["layers"] = [{**LAYER_DEFAULTS, **layer} if isinstance(layer, dict) else layer for layer in out["layers"]]
    if isinstance(out.get("optimizer"), str):
        out["optimizer"] = canonical_optimizer(out["optimizer"])
    if isinstance(out.get("loss"), str):
        out["loss"] = canonical_loss(out["loss"])
    if out.get("optimizer_params") is None:
        out["optimizer_params"] = {}
    return out


def canonical_loss(name: str) -> str:
    """The loss function's own name for any identifier ``keras.losses.get`` accepts; ``name`` when it accepts none.

    Keras knows the aliases (``mse``, ``mae``, ``bce``, ``kld`` ...) and the loss classes' names; asking it
    keeps this list as long as the installed Keras's.
    """
    if name in _losses():
        return name
    try:
        fn = _keras().losses.get(name)
    except (ValueError, TypeError, KeyError):
        return name
    fn = getattr(fn, "fn", fn)  # a loss class (MeanSquaredError) wraps its function
    found = getattr(fn, "__name__", None)
    return found if found in _losses() else name


def canonical_optimizer(name: str) -> str:
    """The optimizer's class name for any identifier Keras accepts (``"adam"``, ``"SGD"``); else ``name``."""
    by_lower = {key.lower(): key for key in _optimizers()}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    try:
        found = type(_keras().optimizers.get(name)).__name__
    except (ValueError, TypeError, KeyError):
        return name
    return found if found in _optimizers() else name


def save_spec(spec: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(spec, indent=2, sort_keys=True))


def load_spec(path: str | Path) -> dict:
    """A spec from a JSON file (filled with defaults; call ``validate`` before training).

    Raises:
        SpecError: the file is unreadable, not JSON, or not a JSON object.
    """
    try:
        spec = json.loads(Path(path).read_text())
    except OSError as exc:
        raise SpecError([f"Cannot read {path}: {exc.strerror}."]) from None
    except ValueError as exc:
        raise SpecError([f"{path} is not valid JSON ({exc})."]) from None
    if not isinstance(spec, dict):
        raise SpecError([f"{path} must hold a JSON object of settings, not {type(spec).__name__}."])
    return normalize(spec)


# ---------------------------------------------------------------------------------------------- choices
@functools.cache
def _keras():
    import keras

    return keras


@functools.cache
def _optimizers() -> dict[str, type]:
    """Optimizer classes that Keras exports and that can be built from numbers alone, by class name."""
    keras = _keras()
    found = {}
    for name in dir(keras.optimizers):
        cls = getattr(keras.optimizers, name)
        if not (isinstance(cls, type) and issubclass(cls, keras.optimizers.Optimizer)) or name in _WRAPPERS:
            continue
        params = inspect.signature(cls).parameters.values()
        if all(p.default is not p.empty for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)):
            found[name] = cls
    return found


@functools.cache
def _activations() -> tuple[str, ...]:
    """Activation functions Keras exports that take a tensor alone and keep its shape (probed on a small array)."""
    keras = _keras()
    probe = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    found = []
    for name in dir(keras.activations):
        fn = getattr(keras.activations, name)
        if name.startswith("_") or name in ("get", "serialize", "deserialize") or not callable(fn):
            continue
        try:
            out = keras.ops.convert_to_numpy(fn(probe))
        except (TypeError, ValueError):
            continue  # needs more arguments (threshold)
        if out.shape == probe.shape:  # glu halves the units: not a per-unit activation
            found.append(name)
    return tuple(found)


@functools.cache
def _losses() -> dict[str, dict[str, str]]:
    """Loss functions by name → {task: target form}; probed on tiny data.

    A loss fits regression when, on every row, an exact prediction scores lower than predictions
    moved up or down (so it is a minimum there); it fits classification when a confident right softmax scores
    lower than a wrong one, with one-hot targets (``"one_hot"``) or, failing that, class indices
    (``"sparse"``).
    """
    keras = _keras()
    ops = keras.ops
    y = np.array([[1.5], [2.0], [3.0]], np.float32)
    codes = np.array([0, 2, 1])
    one_hot = np.eye(3, dtype=np.float32)[codes]
    right = np.where(one_hot > 0, 0.9, 0.05).astype(np.float32)
    wrong = np.where(one_hot > 0, 0.05, 0.475).astype(np.float32)

    def score(fn, y_true, y_pred) -> np.ndarray:
        return ops.convert_to_numpy(fn(y_true, y_pred))

    found = {}
    for name in dir(keras.losses):
        fn = getattr(keras.losses, name)
        if (
            name.startswith("_")
            or not name.islower()
            or name in ("get", "serialize", "deserialize")
            or not callable(fn)
        ):
            continue
        tasks = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras warns about shapes on the probes that do not fit
            try:
                exact = score(fn, y, y)  # per row: a loss that is flat at some targets is no regression loss
                if np.all(exact < score(fn, y, y + 0.3)) and np.all(exact < score(fn, y, y - 0.3)):
                    tasks["regression"] = "value"
            except Exception:
                pass
            for form, y_true in (("one_hot", one_hot), ("sparse", codes)):
                try:
                    if np.all(score(fn, y_true, right) < score(fn, y_true, wrong)):
                        tasks["classification"] = form
                        break
                except Exception:
                    continue
        if tasks:
            found[name] = tasks
    return found


def choices(task: str | None = None) -> dict[str, list[str]]:
    """What a spec may choose, as Keras names.

    Args:
        task: Only the losses that fit this task; all losses when ``None``.

    Returns:
        ``{"losses": [...], "activations": [...], "optimizers": [...]}``, each sorted.
    """
    losses = _losses()
    return {
        "losses": sorted(name for name, tasks in losses.items() if task is None or task in tasks),
        "activations": sorted(_activations()),
        "optimizers": sorted(_optimizers()),
    }


def loss_target(loss: str) -> str:
    """How classification targets go into ``loss``: ``"sparse"`` (class indices) or ``"one_hot"``."""
    return _losses().get(loss, {}).get("classification", "sparse")


@functools.cache
def _arg_types() -> dict[str, dict[str, type]]:
    """Parameter types as the optimizers' docstrings state them ("clipnorm: Float. ..."), per class and merged."""
    merged: dict[str, type] = {}
    per_class = {}
    for name, cls in _optimizers().items():
        types = {}
        for line in (cls.__doc__ or "").splitlines():
            match = _ARG_LINE.match(line)
            if match:
                text = match.group(2).lower()
                for word, kind in _TYPE_WORDS:
                    if re.match(rf"{word}\b", text):
                        types[match.group(1)] = kind
                        break
        per_class[name] = types
        for key, kind in types.items():
            merged.setdefault(key, kind)
    per_class[""] = merged
    return per_class


@functools.cache
def _advanced() -> frozenset[str]:
    """Parameters that every optimizer shares (the base class's: clipping, EMA, ...), less learning rate and decay."""
    names = [set(inspect.signature(cls).parameters) for cls in _optimizers().values()]
    return frozenset(set.intersection(*names) - set(_FRONT) - {"kwargs"})


def optimizer_params(name: str) -> list[dict]:
    """An optimizer's constructor parameters, from its signature, for building inputs.

    Args:
        name: A class name from ``choices()["optimizers"]`` (case-insensitive).

    Returns:
        One dict per parameter in signature order: ``name``, ``default`` (JSON-safe), ``type``
        (``"float"``, ``"int"``, ``"bool"`` or ``"str"``), ``optional`` (``None`` allowed: the
        default is ``None``) and ``advanced`` (shared by every optimizer: clipping, EMA, loss
        scaling, gradient accumulation, name). Parameters that take lists are left out.

    Raises:
        KeyError: an unknown optimizer.
    """
    cls = _optimizer_class(name)
    if cls is None:
        raise KeyError(f"Unknown optimizer {name!r}; choose one of {', '.join(sorted(_optimizers()))}.")
    documented = {**_arg_types()[""], **_arg_types()[cls.__name__]}
    out = []
    for param in inspect.signature(cls).parameters.values():
        if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
            continue
        default = param.default
        if default is None:
            kind = documented.get(param.name, float)
        elif isinstance(default, bool):
            kind = bool
        elif isinstance(default, int) and documented.get(param.name) is float:
            kind = float  # adam_lr_ratio=1 is documented as a float
        else:
            kind = type(default) if isinstance(default, (int, float, str)) else None
        if kind not in (float, int, bool, str):
            continue
        out.append(
            {
                "name": param.name,
                "default": default,
                "type": kind.__name__,
                "optional": default is None,
                "advanced": param.name in _advanced(),
            }
        )
    return out


def _optimizer_class(name) -> type | None:
    if not isinstance(name, str):
        return None
    return {k.lower(): v for k, v in _optimizers().items()}.get(name.lower())


# ---------------------------------------------------------------------------------------------- validation
def _whole(value) -> bool:
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, bool)
        and float(value).is_integer()
    )


def _number(value) -> bool:
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def validate(spec: dict, n_rows: int | None = None, task: str | None = None) -> list[str]:
    """Every reason ``spec`` cannot be trained, as messages for the user (empty when it can).

    Args:
        spec: A spec (missing settings take their defaults).
        n_rows: Rows in the dataset, to check the batch size against the training rows.
        task: ``"regression"`` or ``"classification"``, to check the loss fits it.
    """
    if not isinstance(spec, dict):
        return ["The spec must be a JSON object of settings."]
    messages = [f"Unknown setting {key!r}." for key in spec if key not in DEFAULTS]
    spec = normalize(spec, task)
    if not _whole(spec["epochs"]) or not 1 <= spec["epochs"] <= MAX_EPOCHS:
        messages.append(f"Epochs must be a whole number from 1 to {MAX_EPOCHS:,}, not {spec['epochs']!r}.")
    validation_ok = _number(spec["validation"]) and 0 < spec["validation"] < 1
    if not validation_ok:
        messages.append(
            f"The validation share must be a number between 0 and 1 (exclusive), not {spec['validation']!r}."
        )
    if not _whole(spec["batch_size"]) or spec["batch_size"] < 1:
        messages.append(f"The batch size must be a whole number above 0, not {spec['batch_size']!r}.")
    elif n_rows is not None and validation_ok:
        n_train = training_rows(n_rows, spec["validation"])
        if n_train < 1 or n_train == n_rows:
            messages.append(
                f"A validation share of {spec['validation']} leaves no rows for training or validation out of {n_rows}."
            )
        elif spec["batch_size"] > n_train:
            messages.append(
                f"The batch size ({spec['batch_size']}) is larger than the {n_train} training rows; "
                f"use {n_train} or less."
            )
    if not isinstance(spec["scale"], bool):
        messages.append(f"Scaling must be true or false, not {spec['scale']!r}.")
    if not _whole(spec["seed"]) or spec["seed"] < 0:
        messages.append(f"The seed must be a whole number, 0 or more, not {spec['seed']!r}.")
    losses = _losses()
    if spec["loss"] not in losses:
        messages.append(f"Unknown loss {spec['loss']!r}; choose one of {', '.join(sorted(losses))}.")
    elif task is not None and task not in losses[spec["loss"]]:
        messages.append(
            f"The loss {spec['loss']!r} does not fit {task}; choose one of {', '.join(choices(task)['losses'])}."
        )
    messages += _validate_layers(spec["layers"])
    messages += _validate_optimizer(spec["optimizer"], spec["optimizer_params"])
    if task is not None and task not in TASKS:
        messages.append(f"The task must be one of {', '.join(TASKS)}, not {task!r}.")
    return messages


def _validate_layers(layers) -> list[str]:
    if not isinstance(layers, list):
        return ["Layers must be a list of {units, activation, batch_norm, dropout} objects."]
    messages = []
    activations = _activations()
    for k, layer in enumerate(layers, 1):
        if not isinstance(layer, dict):
            messages.append(f"Layer {k} must be an object with units, activation, batch_norm and dropout.")
            continue
        unknown = sorted(set(layer) - set(LAYER_DEFAULTS))
        if unknown:
            messages.append(f"Layer {k}: unknown setting(s) {', '.join(map(repr, unknown))}.")
        if layer["units"] is None or layer["units"] == "":
            messages.append(f"Layer {k}: units is required (a whole number above 0).")
        elif not _whole(layer["units"]) or layer["units"] <= 0:
            messages.append(f"Layer {k}: units must be a whole number above 0, not {layer['units']!r}.")
        if layer["activation"] not in activations:
            messages.append(
                f"Layer {k}: unknown activation {layer['activation']!r}; choose one of {', '.join(activations)}."
            )
        if not isinstance(layer["batch_norm"], bool):
            messages.append(f"Layer {k}: batch_norm must be true or false, not {layer['batch_norm']!r}.")
        if layer["dropout"] is None or layer["dropout"] == "":
            messages.append(f"Layer {k}: dropout is required (at least 0 and below 1).")
        elif not _number(layer["dropout"]) or not 0 <= layer["dropout"] < 1:
            messages.append(f"Layer {k}: dropout must be at least 0 and below 1, not {layer['dropout']!r}.")
    return messages


def _validate_optimizer(name, params) -> list[str]:
    cls = _optimizer_class(name)
    if cls is None:
        return [f"Unknown optimizer {name!r}; choose one of {', '.join(sorted(_optimizers()))}."]
    if not isinstance(params, dict):
        return ["Optimizer parameters must be an object of name: value."]
    known = {p["name"]: p for p in optimizer_params(cls.__name__)}
    messages = []
    for key, value in params.items():
        param = known.get(key)
        if param is None:
            messages.append(f"{cls.__name__} has no parameter {key!r}; it takes {', '.join(known)}.")
        elif value is None:
            if not param["optional"]:
                messages.append(f"{cls.__name__}'s {key} needs a value (default {param['default']!r}).")
        elif param["type"] == "bool" and not isinstance(value, bool):
            messages.append(f"{cls.__name__}'s {key} must be true or false, not {value!r}.")
        elif param["type"] == "int" and not _whole(value):
            messages.append(f"{cls.__name__}'s {key} must be a whole number, not {value!r}.")
        elif param["type"] == "float" and not _number(value):
            messages.append(f"{cls.__name__}'s {key} must be a finite number, not {value!r}.")
        elif param["type"] == "str" and not isinstance(value, str):
            messages.append(f"{cls.__name__}'s {key} must be text, not {value!r}.")
    rate = params.get("learning_rate", known.get("learning_rate", {}).get("default"))
    if _number(rate) and rate <= 0:
        messages.append(f"The learning rate must be above 0, not {rate!r}.")
    if not messages:
        try:  # Keras checks the rest (ranges such as momentum in [0, 1], one clipping at a time)
            make_optimizer(cls.__name__, params)
        except (ValueError, TypeError) as exc:
            messages.append(f"{cls.__name__}: {exc}")
    return messages


def check(spec: dict, n_rows: int | None = None, task: str | None = None) -> dict:
    """``normalize`` then ``validate``; returns the filled spec.

    Raises:
        SpecError: with every message from ``validate``.
    """
    messages = validate(spec, n_rows, task)
    if messages:
        raise SpecError(messages)
    return normalize(spec, task)


# ---------------------------------------------------------------------------------------------- building
def _typed_params(name: str, params: dict) -> dict:
    """Parameters cast to their declared types (JSON gives 1 for 1.0 and the like)."""
    kinds = {p["name"]: p["type"] for p in optimizer_params(name)}
    cast = {"float": float, "int": int, "bool": bool, "str": str}
    return {key: (value if value is None else cast[kinds[key]](value)) for key, value in params.items()}


def make_optimizer(name: str, params: dict | None = None):
    """A Keras optimizer from its class name and JSON parameters."""
    cls = _optimizer_class(name)
    return cls(**_typed_params(cls.__name__, params or {}))


def _metric(task: str, loss: str):
    keras = _keras()
    if task == "regression":
        return keras.metrics.R2Score(name="r2")
    if loss_target(loss) == "one_hot":
        return keras.metrics.CategoricalAccuracy(name="accuracy")
    return keras.metrics.SparseCategoricalAccuracy(name="accuracy")


def metric_name(task: str) -> str:
    """The name of the compiled metric in Keras's logs: ``"r2"`` or ``"accuracy"``."""
    return "r2" if task == "regression" else "accuracy"


def _output(task: str, n_classes: int | None) -> tuple[int, str]:
    if task == "regression":
        return 1, "linear"
    if not n_classes or n_classes < 2:
        raise SpecError([f"A classifier needs two classes or more, not {n_classes!r}."])
    return int(n_classes), "softmax"


def build_model(spec: dict, n_inputs: int, task: str, n_classes: int | None = None):
    """The compiled Keras model of a spec.

    Each hidden layer ``k`` is ``dense_k`` (with its activation), or with batch norm
    ``dense_k`` (linear) → ``batch_norm_k`` → ``activation_k``, then ``dropout_k`` when its rate is
    above 0; the last layer is ``output``. Call ``keras.utils.set_random_seed`` first for
    reproducible initial weights (``train`` does).

    Raises:
        SpecError: the spec is invalid.
    """
    keras = _keras()
    spec = check(spec, task=task)
    units, activation = _output(task, n_classes)
    inputs = keras.Input(shape=(int(n_inputs),), name="inputs")
    x = inputs
    for k, layer in enumerate(spec["layers"], 1):
        if layer["batch_norm"]:
            x = keras.layers.Dense(int(layer["units"]), name=f"dense_{k}")(x)
            x = keras.layers.BatchNormalization(name=f"batch_norm_{k}")(x)
            x = keras.layers.Activation(layer["activation"], name=f"activation_{k}")(x)
        else:
            x = keras.layers.Dense(int(layer["units"]), activation=layer["activation"], name=f"dense_{k}")(x)
        if layer["dropout"] > 0:
            x = keras.layers.Dropout(float(layer["dropout"]), name=f"dropout_{k}")(x)
    outputs = keras.layers.Dense(units, activation=activation, name="output")(x)
    model = keras.Model(inputs, outputs, name="network")
    model.compile(
        optimizer=make_optimizer(spec["optimizer"], spec["optimizer_params"]),
        loss=spec["loss"],
        metrics=[_metric(task, spec["loss"])],
    )
    return model


def to_python(spec: dict, n_inputs: int, task: str, n_classes: int | None = None) -> str:
    """Keras source code that rebuilds and compiles the same network as ``build_model``.

    Raises:
        SpecError: the spec is invalid.
    """
    spec = check(spec, task=task)
    units, activation = _output(task, n_classes)
    optimizer = _optimizer_class(spec["optimizer"]).__name__
    params = _typed_params(optimizer, spec["optimizer_params"])
    args = ", ".join(f"{k}={v!r}" for k, v in params.items())
    metric = type(_metric(task, spec["loss"])).__name__
    lines = [
        "import keras",
        "",
        f"keras.utils.set_random_seed({int(spec['seed'])})",
        f'inputs = keras.Input(shape=({int(n_inputs)},), name="inputs")',
        "x = inputs",
    ]
    for k, layer in enumerate(spec["layers"], 1):
        if layer["batch_norm"]:
            lines += [
                f'x = keras.layers.Dense({int(layer["units"])}, name="dense_{k}")(x)',
                f'x = keras.layers.BatchNormalization(name="batch_norm_{k}")(x)',
                f'x = keras.layers.Activation({layer["activation"]!r}, name="activation_{k}")(x)',
            ]
        else:
            lines.append(
                f'x = keras.layers.Dense({int(layer["units"])}, activation={layer["activation"]!r}, name="dense_{k}")(x)'
            )
        if layer["dropout"] > 0:
            lines.append(f'x = keras.layers.Dropout({float(layer["dropout"])!r}, name="dropout_{k}")(x)')
    lines += [
        f'outputs = keras.layers.Dense({units}, activation={activation!r}, name="output")(x)',
        'model = keras.Model(inputs, outputs, name="network")',
        "model.compile(",
        f"    optimizer=keras.optimizers.{optimizer}({args}),",
        f"    loss={spec['loss']!r},",
        f"    metrics=[keras.metrics.{metric}(name={metric_name(task)!r})],",
        ")",
        "",
        "# Train on features"
        + (" standardised with the training rows' mean and standard deviation" if spec["scale"] else "")
        + ":",
        f"# model.fit(X_train, y_train, validation_data=(X_val, y_val), epochs={int(spec['epochs'])}, "
        f"batch_size={int(spec['batch_size'])})",
        "",
    ]
    return "\n".join(lines)
