"""Paired bootstrap: is model B better than model A on the same labelled tweets?

Both models' scores are resampled with the same row indices, so the interval on the
difference of a metric reflects the tweets' sampling noise, not the two models' own.
Metrics are at the 0.5 threshold (accuracy, macro F1) and threshold-free (ROC-AUC).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

METRICS = ("accuracy", "f1_macro", "roc_auc")


@dataclass(frozen=True)
class Difference:
    metric: str
    a: float  # model A (champion) on all rows
    b: float  # model B (challenger)
    diff: float  # b - a
    low: float  # bootstrap interval of b - a
    high: float

    def to_dict(self) -> dict[str, float | str]:
        return asdict(self)


def accuracy(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Accuracy per row of `predicted` (shape (k, n) or (n,))."""
    return np.asarray(np.mean(predicted == labels, axis=-1), dtype=float)


def f1_macro(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Macro F1 of the two classes per row of `predicted` (vectorised over resamples)."""
    scores = []
    for cls in (0, 1):
        truth, guess = labels == cls, predicted == cls
        tp = np.sum(truth & guess, axis=-1)
        denominator = np.sum(truth, axis=-1) + np.sum(guess, axis=-1)
        scores.append(np.where(denominator > 0, 2 * tp / np.maximum(denominator, 1), 0.0))
    return np.asarray((scores[0] + scores[1]) / 2, dtype=float)


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """ROC-AUC per row (Mann-Whitney with average ranks for ties); nan without both classes."""
    from scipy.stats import rankdata

    labels, scores = np.atleast_2d(labels), np.atleast_2d(scores)
    ranks = rankdata(scores, axis=-1)
    positives = labels.sum(axis=-1)
    negatives = labels.shape[-1] - positives
    rank_sum = np.sum(ranks * labels, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)
    return np.asarray(np.where((positives > 0) & (negatives > 0), auc, np.nan), dtype=float)


def metric(name: str, labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    if name == "roc_auc":
        return roc_auc(labels, scores)
    predicted = (scores >= 0.5).astype(int)
    return accuracy(labels, predicted) if name == "accuracy" else f1_macro(labels, predicted)


def paired_bootstrap(
    labels: np.ndarray,
    scores_a: np.ndarray,
    scores_b: np.ndarray,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Difference]:
    """Each metric for A and B on all rows, and the percentile interval of B - A
    (nan without resamples)."""
    labels = np.asarray(labels, dtype=int)
    scores_a, scores_b = np.asarray(scores_a, float), np.asarray(scores_b, float)
    if not labels.shape == scores_a.shape == scores_b.shape or labels.ndim != 1:
        raise ValueError("labels and both score arrays must be 1-D of the same length")
    if len(np.unique(labels)) < 2:
        raise ValueError("the bootstrap needs both classes among the labels")
    rows = np.random.default_rng(seed).integers(0, len(labels), (resamples, len(labels)))
    tail = (1 - confidence) / 2 * 100
    result = {}
    for name in METRICS:
        a = float(metric(name, labels, scores_a).ravel()[0])
        b = float(metric(name, labels, scores_b).ravel()[0])
        low = high = float("nan")
        if resamples:
            diffs = metric(name, labels[rows], scores_b[rows]) - metric(
                name, labels[rows], scores_a[rows]
            )
            low, high = np.nanpercentile(diffs, [tail, 100 - tail])
        result[name] = Difference(name, a, b, b - a, float(low), float(high))
    return result
