"""The one table of model kinds: class, config class, registered name, pip requirements.

Classes are named by import path and imported only when used: TensorFlow stays unloaded
until a kind that needs it is asked for.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.base import SentimentModel
from models.manifest import MANIFEST, read_manifest


@dataclass(frozen=True)
class Kind:
    model: str  # "module:Class" of the model
    config: str  # "module:Class" of its config dataclass
    registered_name: str  # MLflow registered model name
    requirements: tuple[str, ...]  # pip packages its pyfunc needs to serve

    def model_class(self) -> Any:
        return _load(self.model)

    def config_class(self) -> Any:
        return _load(self.config)


KINDS: dict[str, Kind] = {
    "tfidf": Kind(
        "models.tfidf:TfidfModel",
        "models.tfidf:TfidfConfig",
        "air-paradis-tfidf",
        ("numpy", "nltk", "scikit-learn", "skops"),
    ),
    "lstm": Kind(
        "models.lstm.model:LstmModel",
        "models.lstm.config:LstmConfig",
        "air-paradis-lstm",
        ("numpy", "nltk", "scipy", "threadpoolctl"),  # NumPy serving runtime, no TF
    ),
    "transformer": Kind(
        "models.transformer.model:TransformerModel",
        "models.transformer.model:TransformerConfig",
        "air-paradis-transformer",
        ("numpy", "nltk", "keras", "keras-hub", "tensorflow", "tokenizers"),
    ),
}


# Kinds served from a saved directory but not trained by `airparadis-train train`:
# model class and pip requirements (a blend saves its base model inside its own folder,
# an ensemble its members).
SERVED_ONLY: dict[str, tuple[str, tuple[str, ...]]] = {
    "vader": ("models.lexicon:VaderModel", ("numpy", "nltk")),  # NLTK data: vader_lexicon
    "blend": (
        "models.blend:LexiconBlend",
        ("numpy", "nltk", "scikit-learn", "skops", "scipy", "threadpoolctl"),  # any base
    ),
    "ensemble": (
        "models.ensemble:LogitEnsemble",
        ("numpy", "nltk", "scikit-learn", "skops", "scipy", "threadpoolctl"),  # any members
    ),
}


def requirements_of(kind: str) -> tuple[str, ...]:
    if kind in SERVED_ONLY:
        return SERVED_ONLY[kind][1]
    return KINDS[kind].requirements if kind in KINDS else ("numpy",)


def _load(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def kind_of(kind: str) -> Kind:
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r} (expected one of {', '.join(KINDS)})")
    return KINDS[kind]


def load_model(path: Path) -> SentimentModel:
    """Load any saved model directory by the kind its manifest names (wrapped in its
    calibration when the manifest holds one: `models.calibration`)."""
    from models.calibration import with_calibration

    manifest = read_manifest(path)
    kind = manifest["kind"]
    if kind in SERVED_ONLY:
        cls = _load(SERVED_ONLY[kind][0])
    elif kind in KINDS:
        cls = KINDS[kind].model_class()
    else:
        raise ValueError(f"unknown model kind {kind!r} in {path}/{MANIFEST}")
    model: SentimentModel = with_calibration(cls.load(path), manifest)
    return model
