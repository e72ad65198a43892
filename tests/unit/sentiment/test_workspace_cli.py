import json

import numpy as np
import pandas as pd
import pytest

from models.db import make_engine
from models.sentiment.__main__ import main
from models.sentiment.workspace import UnknownDatasetError, Workspace

SMALL = pd.DataFrame(
    {
        "text": [
            "shares soar",
            "profit up",
            "strong beat",
            "shares fall",
            "profit slimmed",
            "weak miss",
            "meeting today",
            "report out",
            "call at noon",
            "stock jumps",
            "loss widens",
            "agenda posted",
        ],
        "label": [2, 2, 2, 0, 0, 0, 1, 1, 1, 2, 0, 1],
        "split": ["train"] * 9 + ["test"] * 3,
    }
)


@pytest.fixture
def workspace(tmp_path):
    return Workspace(make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}"), tmp_path)


def test_upload_train_correct_retrain(workspace):
    dataset_id = workspace.save_dataset(SMALL)
    assert workspace.save_dataset(SMALL) == dataset_id  # same content, same id
    first = workspace.latest_run_id(dataset_id)
    run = workspace.run(first)
    assert len(run.scores) == 12 and run.metrics["n"] == 3
    np.testing.assert_allclose(run.scores[["p_negative", "p_neutral", "p_positive"]].sum(axis=1), 1.0)

    workspace.corrections.relabel(dataset_id, [9], ["stock jumps"], ["positive"], "neutral")
    second = workspace.train(dataset_id)
    assert workspace.runs.get(second)["corrections"] == 1
    assert workspace.run(second).scores.loc[9, "label"] == 1
    assert workspace.latest_run_id(dataset_id) == second
    csv = pd.read_csv(__import__("io").StringIO(workspace.corrected_csv(dataset_id)))
    assert csv.loc[9, "label"] == "neutral" and bool(csv.loc[9, "corrected"])


def test_unknown_datasets(workspace):
    for bad in ("upload-0123456789abcdef", "../etc/passwd", ""):
        with pytest.raises(UnknownDatasetError):
            workspace.dataset(bad)


def _csv(tmp_path, frame, name="d.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


def test_cli_train_prints_metrics(tmp_path, capsys):
    train = _csv(tmp_path, SMALL[SMALL.split == "train"][["text", "label"]], "train.csv")
    test = _csv(tmp_path, SMALL[SMALL.split == "test"][["text", "label"]], "test.csv")
    assert (
        main(["train", "--train", train, "--test", test, "--label-map", "0=negative,1=neutral,2=positive", "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["labels"] == ["negative", "neutral", "positive"]
    assert np.sum(out["confusion_matrix"]) == 3 and 0 <= out["accuracy"] <= 1 and "macro_f1" in out


def test_cli_label_issues_rows_are_file_rows(tmp_path, capsys):
    words = {0: "loss plunge miss", 1: "meeting agenda report", 2: "gain soar beat"}
    frame = pd.DataFrame(
        {
            "text": [f"{words[k]} item{i}" for i in range(20) for k in (0, 1, 2)],
            "label": [k for _ in range(20) for k in (0, 1, 2)],
        }
    ).astype(object)
    frame.loc[0, "text"] = ""  # dropped, yet row numbers still count it
    frame.loc[14, "label"] = 0  # a "gain soar beat" row called negative
    path = _csv(tmp_path, frame)
    assert main(["label-issues", "--data", path, "--label-map", "0=negative,1=neutral,2=positive", "--json"]) == 0
    ranked = json.loads(capsys.readouterr().out)["ranked"]
    assert len(ranked) == 59 and 0 not in {r["row"] for r in ranked}
    assert ranked[0] == {**ranked[0], "row": 14, "given": "negative", "suggested": "positive"}


def test_cli_bad_input_is_a_message_not_a_traceback(tmp_path, capsys):
    path = _csv(tmp_path, pd.DataFrame({"text": ["a", "b"], "label": ["good", "bad"]}))
    assert main(["train", "--train", path]) == 2
    assert "not one of negative, neutral, positive" in capsys.readouterr().err
    assert main(["train", "--train", str(tmp_path / "missing.csv")]) == 2
    assert "Cannot read" in capsys.readouterr().err


def test_a_first_model_is_audited_for_the_user_it_was_trained_for(workspace):
    from models import audit
    from models.access import User

    ana = User("ana", "editor")
    dataset_id = workspace.save_dataset(SMALL, owner=ana)
    first = workspace.latest_run_id(dataset_id, user=ana, min_per_class=1)
    assert workspace.latest_run_id(dataset_id, user=ana) == first  # found, not trained again: no second event
    events = audit.query(workspace.engine, action="sentiment.first_model")
    assert [(e["actor"], e["target"], e["detail"]) for e in events] == [
        ("ana", f"dataset:{dataset_id}", {"run": first, "visibility": "private"})
    ]


def test_the_apis_first_model_process_audits_its_training_for_the_user_who_asked(workspace, tmp_path, monkeypatch):
    from models import audit
    from models.access import User
    from webapp import first_model

    dataset_id = workspace.save_dataset(SMALL, owner=User("bob", "editor"))
    monkeypatch.setenv("GLASSBOX_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GLASSBOX_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    first_model._train(dataset_id, User("bob", "editor"))  # what ``python -m webapp.first_model`` runs
    events = audit.query(workspace.engine, action="sentiment.first_model")
    assert [(e["actor"], e["target"]) for e in events] == [("bob", f"dataset:{dataset_id}")]
    assert workspace.runs.get(events[0]["detail"]["run"], User("bob", "editor"))["owner"] == "bob"
