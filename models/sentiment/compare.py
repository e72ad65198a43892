"""Before/after a retrain: how the metrics moved and which confusion cells gained or lost tweets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.sentiment.labels import LABELS


@dataclass(frozen=True)
class RunComparison:
    """Two runs' test-split metrics side by side.

    Attributes:
        accuracy: ``(before, after)``.
        macro_f1: ``(before, after)``.
        moved: ``(actual, predicted, change)`` for every confusion cell whose count changed, rows in order.
    """

    accuracy: tuple[float, float]
    macro_f1: tuple[float, float]
    moved: list[tuple[str, str, int]]

    def moved_text(self) -> str:
        """``"negative→neutral -3, negative→positive +3"``, or ``"no cell changed"``."""
        return ", ".join(f"{a}→{p} {d:+d}" for a, p, d in self.moved) or "no cell changed"


def compare_runs(before: dict, after: dict) -> RunComparison:
    """Compare two runs' metrics (as ``models.sentiment.model.evaluate`` returns them)."""
    delta = np.asarray(after["confusion_matrix"]) - np.asarray(before["confusion_matrix"])
    moved = [(LABELS[i], LABELS[j], int(delta[i, j])) for i, j in zip(*np.nonzero(delta), strict=True)]
    return RunComparison(
        accuracy=(float(before["accuracy"]), float(after["accuracy"])),
        macro_f1=(float(before["macro_f1"]), float(after["macro_f1"])),
        moved=moved,
    )
