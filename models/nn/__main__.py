"""Command line: train a network from a JSON spec, list the choices Keras offers, export a spec as Keras code.

    python -m models.nn train --spec SPEC.json --dataset black-scholes|bls-prices|digits|CSV [--target COL] --json
    python -m models.nn choices [--task regression|classification] [--optimizer Adam]
    python -m models.nn code --spec SPEC.json --dataset ... [--target COL]

Bad specs or data exit with code 2 and the reasons on stderr; a run that diverged or failed prints
its JSON and exits with code 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from models.datasets import DatasetError
from models.nn.data import TASKS, DataError, Dataset, black_scholes, load_bls_prices, load_csv, load_digits
from models.nn.spec import SpecError, check, choices, load_spec, optimizer_params, to_python


def _dataset(args) -> Dataset:
    name = args.dataset
    if name == "black-scholes":
        return black_scholes(args.rows, seed=args.seed)
    if name == "bls-prices":
        return load_bls_prices()
    if name == "digits":
        return load_digits()
    if not Path(name).is_file():
        raise DataError(f"--dataset must be black-scholes, bls-prices, digits or a CSV file; {name} is none of them.")
    if not args.target:
        raise DataError("A CSV dataset needs --target COLUMN, the column to predict.")
    return load_csv(name, args.target, args.task)


def cmd_train(args) -> tuple[dict, int]:
    from models.nn.train import train

    dataset = _dataset(args)
    result = train(dataset, load_spec(args.spec), progress=None if args.quiet else _progress)
    out = {
        "dataset": result.data["name"],
        "task": dataset.task,
        "status": result.status,
        "reason": result.reason,
        "seconds": round(result.seconds, 3),
        "epochs": result.epochs(),
        "final": result.final,
    }
    if args.save:
        out["saved"] = str(result.save(args.save))
    return out, 0 if result.status in ("finished", "stopped") else 1


def _progress(epoch: int, epochs: int, record: dict) -> None:
    print(
        f"epoch {epoch}/{epochs}: loss {record['loss']}, val_loss {record['val_loss']}, "
        f"val_metric {record['val_metric']}",
        file=sys.stderr,
    )


def cmd_choices(args) -> tuple[dict, int]:
    out = choices(args.task)
    if args.optimizer:
        out["optimizer_params"] = optimizer_params(args.optimizer)
    return out, 0


def cmd_code(args) -> tuple[str, int]:
    dataset = _dataset(args)
    spec = check(load_spec(args.spec), len(dataset.y), dataset.task)
    return to_python(spec, dataset.X.shape[1], dataset.task, len(dataset.classes) or None), 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.nn", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument("--spec", required=True, help="JSON file of settings (missing ones take their defaults)")
    data.add_argument("--dataset", required=True, help="black-scholes, bls-prices, digits or a CSV file")
    data.add_argument("--target", help="the CSV column to predict")
    data.add_argument("--task", choices=TASKS, help="for a CSV: guessed from the target when left out")
    data.add_argument("--rows", type=int, default=10_000, help="rows of the generated Black-Scholes set")
    data.add_argument("--seed", type=int, default=0, help="seed of the generated Black-Scholes set")
    t = sub.add_parser("train", parents=[data], help="train and print per-epoch and final metrics")
    t.add_argument("--save", help="write the run here (model.keras, spec.json, run.json)")
    t.add_argument("--quiet", action="store_true", help="no per-epoch lines on stderr")
    t.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    c = sub.add_parser("choices", help="losses, activations and optimizers Keras offers")
    c.add_argument("--task", choices=TASKS)
    c.add_argument("--optimizer", help="also list this optimizer's parameters")
    c.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    sub.add_parser("code", parents=[data], help="print Keras code that builds the spec's network")
    args = parser.parse_args(argv)
    try:
        out, code = {"train": cmd_train, "choices": cmd_choices, "code": cmd_code}[args.command](args)
    except SpecError as exc:
        for message in exc.messages:
            print(f"error: {message}", file=sys.stderr)
        return 2
    except (DataError, DatasetError, KeyError, OSError) as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    print(out if isinstance(out, str) else json.dumps(out))
    return code


if __name__ == "__main__":
    sys.exit(main())
