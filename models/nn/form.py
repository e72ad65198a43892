"""The NN Builder's form read as domain objects: a spec from its inputs, a dataset id from its picker.

The page hands over what its inputs hold (numbers, empty strings for empty boxes, column lists of the
layer table) and gets back plain data; validation stays in ``models.nn.spec.validate``.
"""

from __future__ import annotations

from models.files import guess_column
from models.nn import spec as nnspec
from models.nn.data import Dataset
from models.nn.workspace import dataset_id

DEFAULT_DATASET = "black-scholes"
# A CSV's column with one of these names is offered as the target first (else the last column).
TARGET_NAMES = ("target", "label", "y", "class", "price")


def _blank(value) -> bool:
    return value is None or value == ""


def guess_target(columns: list[str]) -> str | None:
    """The column a user most likely wants to predict: a conventional name, else the last column."""
    return guess_column(columns, *TARGET_NAMES) or (columns[-1] if columns else None)


def chosen_id(choice: str | None, rows, seed) -> str:
    """The dataset id for the picker's choice: Black-Scholes carries the rows and seed typed in (when set)."""
    choice = choice or DEFAULT_DATASET
    if choice != "black-scholes":
        return choice
    return dataset_id(choice, rows=None if _blank(rows) else rows, seed=None if _blank(seed) else seed)


def same_dataset(a: str, b: str) -> bool:
    """Whether two dataset ids name the same set (they may differ in its parameters, such as rows or seed)."""
    return a.partition("?")[0] == b.partition("?")[0]


def dataset_info(dataset: Dataset, data_id: str) -> dict:
    """What the page keeps about the chosen dataset (JSON-ready).

    Returns:
        ``{"id", "task", "features", "classes", "rows", "target", "name"}``.
    """
    return {
        "id": data_id,
        "task": dataset.task,
        "features": list(dataset.features),
        "classes": list(dataset.classes),
        "rows": len(dataset.y),
        "target": dataset.target,
        "name": dataset.name,
    }


def layers_from_columns(units, activations, batch_norms, dropouts) -> list[dict]:
    """The layer table's columns (one list per input kind) as a spec's ``layers``."""
    return [
        {"units": u, "activation": a, "batch_norm": bool(b), "dropout": d}
        for u, a, b, d in zip(units, activations, batch_norms, dropouts, strict=False)
    ]


def changed_optimizer_params(name: str, values: dict) -> dict:
    """The parameters the user changed from the optimizer's defaults (an empty box means "none").

    Args:
        name: The optimizer's class name.
        values: Parameter name → the box's value.

    Raises:
        KeyError: ``name`` is not an optimizer Keras has.
    """
    defaults = {p["name"]: p["default"] for p in nnspec.optimizer_params(name)}
    out = {}
    for key, value in values.items():
        if value == "":
            value = None
        if key in defaults and value != defaults[key]:
            out[key] = value
    return out


def spec_from_form(
    epochs, batch_size, loss, optimizer, scale, optimizer_values: dict, layers: list[dict], validation=None
) -> dict:
    """A spec from the page's inputs, not validated (an empty validation box stays ``None`` and is refused)."""
    spec = nnspec.default_spec()
    spec.update(
        epochs=epochs,
        batch_size=batch_size,
        loss=loss,
        optimizer=optimizer,
        scale=bool(scale),
        layers=layers,
        validation=None if validation == "" else validation,
    )
    try:
        spec["optimizer_params"] = changed_optimizer_params(optimizer, optimizer_values)
    except KeyError:
        spec["optimizer_params"] = {}
    return spec
