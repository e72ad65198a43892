"""Command line: train and measure, rank label issues, predict.

python -m models.sentiment train --train CSV [--test CSV] [--label-map 0=negative,...] --json
python -m models.sentiment label-issues --data CSV [--label-map ...] [--top N] --json
python -m models.sentiment predict TEXT...
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from models.sentiment.data import DataError, labelled, read_table
from models.sentiment.issues import out_of_fold_proba, rank_label_issues
from models.sentiment.labels import LABELS, TWEET_LABEL_MAP, LabelError, parse_label_map
from models.sentiment.model import SentimentModel, evaluate


def _read(path: str, args, split: str | None = None) -> pd.DataFrame:
    try:
        table = read_table(Path(path).read_bytes(), Path(path).name)
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc.strerror}.") from None
    for note in table.notes:
        print(note, file=sys.stderr)
    frame = table.frame
    if split:
        frame = frame.assign(_split=split)
    try:
        dataset, notes = labelled(
            frame,
            args.text_column,
            args.label_column,
            _label_map(args, frame),
            "_split" if split else None,
            check_splits=split is None,
        )
    except LabelError as exc:
        raise DataError(str(exc)) from None
    for note in notes:
        print(note, file=sys.stderr)
    return dataset


def _label_map(args, frame: pd.DataFrame) -> dict:
    if args.label_map:
        return parse_label_map(args.label_map)
    if args.label_column in frame and set(frame[args.label_column].astype(str).str.strip()) <= set(TWEET_LABEL_MAP):
        print(
            "Integer labels read with the tweet set's codes 0=negative,1=positive,2=neutral; "
            "pass --label-map to change.",
            file=sys.stderr,
        )
        return dict(TWEET_LABEL_MAP)
    return {}


def _params(args) -> dict:
    return {"C": args.C, "ngram_max": args.ngram_max, "weighting": args.weighting}


def cmd_train(args) -> dict:
    train = _read(args.train, args, "train" if args.test else None)
    data = pd.concat([train, _read(args.test, args, "test")], ignore_index=True) if args.test else train
    fit = data[data["split"] == "train"]  # unlabelled rows are left out by fit
    test = data[(data["split"] == "test") & (data["label"] >= 0)]  # measured on labelled test rows only
    model = SentimentModel(**_params(args)).fit(fit["text"], fit["label"].to_numpy())
    result = evaluate(test["label"].to_numpy(), model.predict(test["text"]))
    result.update(train_rows=len(fit), test_rows=len(test))
    if args.save:
        model.save(args.save)
        result["saved"] = str(args.save)
    return result


def cmd_label_issues(args) -> dict:
    data = _read(args.data, args)
    data = data[data["label"] >= 0]  # an unlabelled row has no label to doubt
    y = data["label"].to_numpy()
    proba = out_of_fold_proba(
        data["text"], y, lambda: SentimentModel(**_params(args)), folds=args.folds, seed=args.seed
    )
    ranked = rank_label_issues(y, proba)
    ranked["row"] = data["source_row"].to_numpy()[ranked["row"].to_numpy()]
    if args.top:
        ranked = ranked.head(args.top)
    return {
        "rows": len(data),
        "ranked": [
            {"row": int(r.row), "given": r.given, "suggested": r.suggested, "score": round(float(r.score), 6)}
            for r in ranked.itertuples(index=False)
        ],
    }


def cmd_predict(args) -> dict:
    if args.model:
        model = SentimentModel.load(args.model)
    else:
        from models.datasets import get_data_home
        from models.db import make_engine
        from models.sentiment.workspace import DEFAULT_DATASET, Workspace

        data_dir = get_data_home()
        url = os.environ.get("GLASSBOX_DATABASE_URL") or f"sqlite:///{data_dir / 'glassbox.db'}"
        workspace = Workspace(make_engine(url), data_dir, os.environ.get("GLASSBOX_DATA_MIRROR"))
        model = workspace.run(workspace.latest_run_id(DEFAULT_DATASET)).model
    proba = model.predict_proba(args.texts)
    return {
        "predictions": [
            {"text": text, "label": LABELS[int(p.argmax())], "probabilities": dict(zip(LABELS, map(float, p)))}
            for text, p in zip(args.texts, proba)
        ]
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.sentiment", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--text-column", default="text")
    common.add_argument("--label-column", default="label")
    common.add_argument("--label-map", help="value=class pairs, e.g. 0=negative,1=positive,2=neutral")
    common.add_argument("--C", type=float, default=30.0, help="inverse regularisation strength")
    common.add_argument("--ngram-max", type=int, default=2)
    common.add_argument("--weighting", choices=("tfidf", "counts"), default="tfidf")
    common.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    t = sub.add_parser("train", parents=[common], help="fit on --train, measure on --test (or a 20%% split)")
    t.add_argument("--train", required=True)
    t.add_argument("--test")
    t.add_argument("--save", help="write the fitted model here (joblib)")
    li = sub.add_parser("label-issues", parents=[common], help="rank rows by how likely their label is wrong")
    li.add_argument("--data", required=True)
    li.add_argument("--folds", type=int, default=5)
    li.add_argument("--seed", type=int, default=0)
    li.add_argument("--top", type=int, default=0, help="print only the N most suspicious rows")
    p = sub.add_parser("predict", help="label texts with the current model (or --model FILE)")
    p.add_argument("texts", nargs="+")
    p.add_argument("--model")
    args = parser.parse_args(argv)
    try:
        result = {"train": cmd_train, "label-issues": cmd_label_issues, "predict": cmd_predict}[args.command](args)
    except (DataError, LabelError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, default=lambda o: o.item() if isinstance(o, np.generic) else str(o))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
