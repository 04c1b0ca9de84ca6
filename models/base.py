"""What every sentiment model offers, and how a saved model directory is recognised.

A saved model is a self-contained directory: `model.json` (kind, preprocessing config,
vocabulary or fitted state, metadata) plus the kind's own files. `load_model(path)` reads
`model.json` and hands the directory to the right class.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class SentimentModel(Protocol):
    kind: str

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of positive for each text, shape (n,), float."""
        ...

    def oov_rate(self, texts: Sequence[str]) -> float:
        """Share of tokens outside the training vocabulary (0.0 when not meaningful)."""
        ...

    def save(self, path: Path) -> None: ...
