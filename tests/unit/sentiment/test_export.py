"""The corrected-CSV export neutralises spreadsheet formulas (OWASP CSV injection), through the workspace."""

import io

import pandas as pd
import pytest

from models.db import make_engine
from models.sentiment.workspace import Workspace

PAYLOADS = ['=HYPERLINK("http://evil.example","click")', "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "\tTAB", "\rCR"]


@pytest.fixture
def workspace(tmp_path):
    return Workspace(make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}"), tmp_path)


def test_exported_cells_never_start_a_formula(workspace):
    texts = PAYLOADS + ["plain tweet", "shares up 3%"]
    frame = pd.DataFrame({"text": texts, "label": [0, 1, 2] * 3, "split": ["train"] * 9})
    dataset_id = workspace.save_dataset(frame, name="attack.csv")
    workspace.relabel(dataset_id, [0], "positive")
    exported = pd.read_csv(io.StringIO(workspace.corrected_csv(dataset_id)), keep_default_na=False)
    for payload, cell in zip(PAYLOADS, exported["text"], strict=False):
        assert cell == "'" + payload  # shown as text, still readable
    assert list(exported["text"][-2:]) == ["plain tweet", "shares up 3%"]
    assert not any(str(c).startswith(("=", "+", "-", "@", "\t", "\r")) for c in exported.to_numpy().ravel())
    assert exported["corrected"].tolist()[:2] == [True, False]
