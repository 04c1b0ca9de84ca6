"""Soft targets from a teacher: a labelled tweet's target mixes its label with the
teacher's score (knowledge distillation; docs/model_quality.md)."""

from __future__ import annotations

import numpy as np

from models.base import SentimentModel
from training.loop import dataset

DISTIL_HARD_SHARE = 0.5  # a labelled tweet's target: this share of its label, the rest teacher


def mix_targets(
    labels: np.ndarray, teacher: np.ndarray, hard_share: float = DISTIL_HARD_SHARE
) -> np.ndarray:
    """A labelled tweet's soft target: `hard_share` of its label, the rest the teacher's."""
    return hard_share * np.asarray(labels) + (1 - hard_share) * np.asarray(teacher)


def distilled_targets(data: dataset.TrainingSet, teacher: SentimentModel) -> np.ndarray:
    """Base-corpus tweets (emoticon labels): half label, half teacher; people's labels: hard."""
    targets = data.labels.astype(np.float64)
    rows = np.flatnonzero(data.sources == dataset.BASE_SOURCE)
    scores = teacher.predict_proba([data.texts[i] for i in rows])
    targets[rows] = mix_targets(targets[rows], scores)
    return targets
