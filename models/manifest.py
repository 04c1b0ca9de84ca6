"""A saved model directory: `model.json` (kind, the kind's own entries, metadata) and the
reference scores every kind keeps (the stream's drift reference).

Every kind saves and loads these through `Manifest`; its own files (weights, pipeline,
tokenizer) it writes beside them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

MANIFEST = "model.json"

REFERENCE_SCORES = "reference_scores.npy"


@dataclass
class Manifest:
    """What a saved model holds besides the kind's own files."""

    kind: str
    entries: dict[str, Any] = field(default_factory=dict)  # the kind's own: config, ...
    metadata: dict[str, Any] = field(default_factory=dict)
    reference_scores: np.ndarray | None = None  # validation scores: the drift reference

    def save(self, path: Path) -> None:
        """Write `model.json`, and the reference scores when there are some."""
        write_manifest(path, {**self.entries, "kind": self.kind, "metadata": self.metadata})
        if self.reference_scores is not None:
            save_reference_scores(path, self.reference_scores)

    @classmethod
    def load(cls, path: Path, kind: str) -> Manifest:
        """Read a saved model of `kind` (a ValueError names the kind found otherwise)."""
        data = read_manifest(path)
        if data.get("kind") != kind:
            raise ValueError(f"{path} holds a {data.get('kind')!r} model, not {kind!r}")
        entries = {name: value for name, value in data.items() if name not in {"kind", "metadata"}}
        metadata = dict(data.get("metadata") or {})
        return cls(kind, entries, metadata, load_reference_scores(path))


def local_model_dir(uri: str) -> Path:
    """`uri` as a saved model directory; ValueError if it is none (nor a registry URI)."""
    path = Path(uri)
    if not (path / MANIFEST).is_file():
        raise ValueError(f"{uri!r} is neither models:/name@alias, models:/name/N nor a model dir")
    return path


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
