"""Sample weights for retraining: recent labels weigh more, classes weigh the same.

Pure NumPy. A label `age` days old weighs `0.5 ** (age / half_life)`; class balancing
either scales weights so each class carries the same total weight (`balanced_weights`)
or draws a class-balanced resample (`balanced_resample`).
"""

from __future__ import annotations

import math

import numpy as np


def time_weights(age_days: np.ndarray, half_life_days: float | None) -> np.ndarray:
    """`0.5 ** (age / half_life)` per label (a negative age counts as 0).

    `half_life_days=None` (or inf) gives every label weight 1.
    """
    age = np.clip(np.asarray(age_days, dtype=float), 0.0, None)
    if half_life_days is None or math.isinf(half_life_days):
        return np.ones(len(age))
    if half_life_days <= 0:
        raise ValueError(f"half_life_days must be > 0, got {half_life_days}")
    return np.asarray(0.5 ** (age / half_life_days), dtype=float)


def class_weights(labels: np.ndarray, weights: np.ndarray | None = None) -> dict[int, float]:
    """Per-class factor that makes every class's total weight equal to `total / n_classes`
    (scikit-learn's "balanced" rule, generalised to weighted rows)."""
    labels = np.asarray(labels)
    weights = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=float)
    classes = np.unique(labels)
    total = weights.sum()
    factors = {}
    for cls in classes.tolist():
        class_total = weights[labels == cls].sum()
        if class_total <= 0:
            raise ValueError(f"class {cls} has no weight: cannot balance")
        factors[int(cls)] = float(total / (len(classes) * class_total))
    return factors


def balanced_weights(labels: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """`weights` times their class factor: each class then carries the same total weight."""
    labels = np.asarray(labels)
    weights = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=float)
    factors = class_weights(labels, weights)
    return weights * np.array([factors[int(label)] for label in labels.tolist()])


def balanced_resample(labels: np.ndarray, weights: np.ndarray | None, seed: int) -> np.ndarray:
    """Row indices of a resample (same size) whose classes are equally likely; within a
    class a row is drawn in proportion to its weight. Use with unit weights afterwards."""
    labels = np.asarray(labels)
    weights = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=float)
    probabilities = balanced_weights(labels, weights)
    probabilities = probabilities / probabilities.sum()
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(len(labels), size=len(labels), replace=True, p=probabilities))


def weighted_counts(labels: np.ndarray, weights: np.ndarray) -> dict[int, float]:
    """Total weight per class (for logging and tests)."""
    labels = np.asarray(labels)
    return {int(c): float(np.asarray(weights)[labels == c].sum()) for c in np.unique(labels)}


def source_balanced_weights(
    labels: np.ndarray, shares: list[tuple[int, float]], balanced: list[bool] | None = None
) -> np.ndarray:
    """Weights for rows that come in consecutive blocks from several sources, given as
    (block length, share): within a block classes weigh the same (unless that block's
    `balanced` is False: then its rows do), and each block carries its share of the total
    weight (mean weight 1 overall)."""
    labels = np.asarray(labels)
    if sum(n for n, _ in shares) != len(labels):
        raise ValueError("the blocks' lengths must add up to the number of labels")
    balanced = balanced or [True] * len(shares)
    total = sum(share for _, share in shares)
    weights, start = [], 0
    for (n, share), classes_even in zip(shares, balanced, strict=True):
        rows = labels[start : start + n]
        block = balanced_weights(rows) if classes_even else np.ones(n)
        weights.append(block / block.sum() * share / total * len(labels))
        start += n
    return np.concatenate(weights)
