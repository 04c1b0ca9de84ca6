"""A saved model directory: `model.json` (kind, config, metadata) and the reference
scores every kind keeps (the stream's drift reference).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

MANIFEST = "model.json"

REFERENCE_SCORES = "reference_scores.npy"


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
