"""What every quality lever shares: its data, fitted-once bases, the in-domain weighting
and the teacher's soft targets.

A lever takes the `LeverData` (the Sentiment140 splits and the airline feedback days, never
the judge days) and returns a fitted model plus the params to log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np

from models.base import SentimentModel
from models.data import LabelledTexts
from models.splits import Splits
from models.tfidf import TfidfConfig
from models.weighting import balanced_weights, time_weights
from training.loop.distillation import DISTIL_HARD_SHARE, mix_targets

#: The ranking base: word 1-2 grams, 100k features, C=2 (docs/training.md's search).
BASE_CONFIG = TfidfConfig(max_features=100_000, C=2.0)
#: The same with character n-grams inside word boundaries (the search's best: 1-4, 50k).
CHAR_CONFIG = replace(BASE_CONFIG, char_ngrams=(1, 4), char_max_features=50_000)
AIRLINE_WEIGHT = 5.0  # an airline label counts this many Sentiment140 labels
HALF_LIFE_DAYS = 2.0
OOF_FOLDS = 2  # folds of the feedback days for out-of-fold base scores
LEXICON_DIMS = 8  # embedding columns holding VADER's valence (the lexicon lever)


@dataclass(frozen=True)
class LeverData:
    splits: Splits
    feedback: LabelledTexts  # airline, feedback days only
    feedback_days: list[str]
    seed: int = 42
    teacher: SentimentModel | None = None  # a teacher's saved scores (training.teacher_scores)


Fitted = tuple[SentimentModel, dict[str, Any]]
Lever = Callable[[LeverData], Fitted]

_FITTED: dict[tuple[str, int], tuple[LeverData, SentimentModel]] = {}


def fit_once(name: str, d: LeverData, fit: Callable[[], SentimentModel]) -> SentimentModel:
    """A base model fitted once per run's data (blends reuse it; their time excludes it).

    The data is kept with the model, so its id cannot be reused by other data."""
    key = (name, id(d))
    if key not in _FITTED:
        _FITTED[key] = (d, fit())
    return _FITTED[key][1]


def concat(a: LabelledTexts, b: LabelledTexts) -> LabelledTexts:
    return LabelledTexts(a.texts + b.texts, np.concatenate([a.labels, b.labels]))


def age_days(days: list[str]) -> np.ndarray:
    latest = max(date.fromisoformat(day) for day in days)
    return np.asarray([(latest - date.fromisoformat(day)).days for day in days], dtype=float)


def in_domain(
    d: LeverData,
    airline_weight: float,
    half_life: float | None,
    balance: bool,
    base: LabelledTexts | None = None,
) -> tuple[LabelledTexts, np.ndarray, dict[str, Any]]:
    """`base` (default: Sentiment140 train) + airline feedback; airline rows weighted,
    decayed, balanced."""
    base = d.splits.train if base is None else base
    data = concat(base, d.feedback)
    recent = time_weights(age_days(d.feedback_days), half_life)
    weight = np.concatenate([np.ones(len(base)), airline_weight * recent])
    if balance:
        weight = balanced_weights(data.labels, weight)
    params = {"airline_weight": airline_weight, "half_life_days": half_life, "balanced": balance}
    return data, weight, params


def weighted_in_domain(d: LeverData) -> tuple[LabelledTexts, np.ndarray, dict[str, Any]]:
    """The recipe's weighting: airline labels x5, halved every 2 days, classes balanced."""
    return in_domain(d, AIRLINE_WEIGHT, HALF_LIFE_DAYS, True)


def teacher_of(d: LeverData) -> SentimentModel:
    if d.teacher is None:
        raise ValueError("this lever needs a teacher's scores: --teacher-scores FILE")
    return d.teacher


def soft_targets(
    d: LeverData, data: LabelledTexts, hard_share: float = DISTIL_HARD_SHARE
) -> np.ndarray:
    """`data` = the train split then airline rows: the former mix their label (`hard_share`)
    with the teacher's score; 0 is the teacher's relabelling."""
    train = d.splits.train
    targets = data.labels.astype(np.float64)
    teacher = teacher_of(d).predict_proba(train.texts)
    targets[: len(train)] = mix_targets(train.labels, teacher, hard_share)
    return targets
