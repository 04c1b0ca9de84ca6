"""What every sentiment model offers, and how a saved model directory is recognised.

A saved model is a self-contained directory: `model.json` (kind, preprocessing config,
vocabulary or fitted state, metadata) plus the kind's own files. `load_model(path)` reads
`model.json` and hands the directory to the right class.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

MANIFEST = "model.json"
REFERENCE_SCORES = "reference_scores.npy"


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


def read_manifest(path: Path) -> dict[str, Any]:
    manifest = Path(path) / MANIFEST
    if not manifest.is_file():
        raise FileNotFoundError(f"{path} is not a saved model: {MANIFEST} is missing")
    data: dict[str, Any] = json.loads(manifest.read_text())
    return data


def write_manifest(path: Path, data: dict[str, Any]) -> None:
    Path(path).mkdir(parents=True, exist_ok=True)
    (Path(path) / MANIFEST).write_text(json.dumps(data, indent=2, sort_keys=True))


def save_reference_scores(path: Path, scores: np.ndarray) -> None:
    """Validation-set scores stored with the model: the stream's drift reference."""
    np.save(Path(path) / REFERENCE_SCORES, np.asarray(scores, dtype=np.float32))


def load_reference_scores(path: Path) -> np.ndarray | None:
    file = Path(path) / REFERENCE_SCORES
    return np.load(file) if file.is_file() else None


def load_model(path: Path) -> SentimentModel:
    """Load any saved model directory by the kind its manifest names (wrapped in its
    calibration when the manifest holds one: `models.calibration`)."""
    from models.calibration import with_calibration

    manifest = read_manifest(path)
    model: SentimentModel = with_calibration(_load_kind(path, manifest["kind"]), manifest)
    return model


def _load_kind(path: Path, kind: str) -> SentimentModel:
    if kind == "tfidf":
        from models.tfidf import TfidfModel

        return TfidfModel.load(path)
    if kind == "lstm":
        from models.lstm import LstmModel

        return LstmModel.load(path)
    if kind == "transformer":
        from models.transformer import TransformerModel

        return TransformerModel.load(path)
    if kind == "vader":
        from models.lexicon import VaderModel

        return VaderModel.load(path)
    if kind == "blend":
        from models.blend import LexiconBlend

        return LexiconBlend.load(path)
    raise ValueError(f"unknown model kind {kind!r} in {path}/{MANIFEST}")
