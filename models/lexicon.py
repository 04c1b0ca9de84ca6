"""NLTK's VADER lexicon: its scores as features, and VADER alone as a (training-free) model.

The lexicon is read from NLTK data (`NLTK_DATA`, `sentiment/vader_lexicon.zip`) on first
use, never at import. VADER scores the raw text: it reads case, punctuation, emoticons,
emojis, negations and intensifiers itself, so it gets no `clean_tweet`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from models.base import read_manifest, write_manifest

#: The columns of `vader_features`, in order.
FEATURES = ("compound", "pos", "neg", "neu")


@lru_cache(maxsize=1)
def analyzer() -> Any:
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    try:
        return SentimentIntensityAnalyzer()
    except LookupError as exc:
        raise LookupError(
            "VADER's lexicon is missing: set NLTK_DATA to a folder with sentiment/vader_lexicon.zip"
        ) from exc


@lru_cache(maxsize=1 << 17)
def _scores(text: str) -> tuple[float, ...]:
    """One text's scores (cached: retweets, and experiments scoring a split twice)."""
    row = analyzer().polarity_scores(text)
    return tuple(row[name] for name in FEATURES)


def vader_features(texts: Sequence[str]) -> np.ndarray:
    """(n, 4) float32: VADER's compound (-1..1) and its pos/neg/neu shares (0..1)."""
    if not len(texts):
        return np.empty((0, len(FEATURES)), dtype=np.float32)
    return np.asarray([_scores(text) for text in texts], dtype=np.float32)


class VaderModel:
    """VADER alone: P(positive) = (compound + 1) / 2. Nothing to fit."""

    kind = "vader"

    def __init__(self) -> None:
        self.metadata: dict[str, Any] = {}

    def fit(self, *args: Any, **kwargs: Any) -> dict[str, list[float]]:
        return {}

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.empty(0, dtype=np.float32)
        return ((vader_features(texts)[:, 0] + 1) / 2).astype(np.float32)

    def oov_rate(self, texts: Sequence[str]) -> float:
        return 0.0

    def save(self, path: Path) -> None:
        write_manifest(path, {"kind": self.kind, "metadata": self.metadata})

    @classmethod
    def load(cls, path: Path) -> VaderModel:
        manifest = read_manifest(path)
        if manifest.get("kind") != cls.kind:
            raise ValueError(f"{path} holds a {manifest.get('kind')!r} model, not 'vader'")
        model = cls()
        model.metadata = dict(manifest.get("metadata", {}))
        return model
