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

from models.manifest import Manifest

#: The columns of `vader_features`, in order.
FEATURES = ("compound", "pos", "neg", "neu")


@lru_cache(maxsize=1)
def analyzer() -> Any:
    """NLTK's VADER with a faster word splitter (same scores: tests/models/test_lexicon.py)."""
    from nltk.sentiment import vader

    class FastSentiText(vader.SentiText):
        """NLTK strips a word's leading/trailing punctuation through a dict of every
        (punctuation, word) pair of the text (most of its time: docs/model_quality.md);
        a direct check instead."""

        def _words_and_emoticons(self) -> list[str]:
            no_punc = self.REGEX_REMOVE_PUNCTUATION.sub("", self.text).split()
            words = {w for w in no_punc if len(w) > 1}
            return [_strip(we, words, self.PUNC_LIST) for we in self.text.split() if len(we) > 1]

    class FastVader(vader.SentimentIntensityAnalyzer):
        def polarity_scores(self, text: str) -> dict[str, float]:
            # NLTK 3.10's method, with FastSentiText in place of SentiText
            sentitext = FastSentiText(
                text, self.constants.PUNC_LIST, self.constants.REGEX_REMOVE_PUNCTUATION
            )
            words = sentitext.words_and_emoticons
            first_index: dict[str, int] = {}
            for idx, token in enumerate(words):
                first_index.setdefault(token, idx)
            sentiments: list[float] = []
            for item in words:
                i = first_index[item]
                if (
                    i < len(words) - 1 and item.lower() == "kind" and words[i + 1].lower() == "of"
                ) or item.lower() in self.constants.BOOSTER_DICT:
                    sentiments.append(0)
                    continue
                sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
            sentiments = self._but_check(words, sentiments)
            scores: dict[str, float] = self.score_valence(sentiments, text)
            return scores

    try:
        return FastVader()
    except LookupError as exc:
        raise LookupError(
            "VADER's lexicon is missing: set NLTK_DATA to a folder with sentiment/vader_lexicon.zip"
        ) from exc


def _strip(word: str, words: set[str], punctuation: list[str]) -> str:
    """`word` without one leading or trailing punctuation mark when the rest is a word."""
    for mark in punctuation:
        if word.startswith(mark) and word[len(mark) :] in words:
            return word[len(mark) :]
        if word.endswith(mark) and word[: -len(mark)] in words:
            return word[: -len(mark)]
    return word


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
        Manifest(self.kind, metadata=self.metadata).save(path)

    @classmethod
    def load(cls, path: Path) -> VaderModel:
        model = cls()
        model.metadata = Manifest.load(path, cls.kind).metadata
        return model
