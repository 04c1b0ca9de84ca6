"""Probabilities and their logits, clipped so that 0 and 1 stay finite."""

from __future__ import annotations

import numpy as np

_EPS = 1e-6


def logit(scores: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)) in float64, p clipped to [1e-6, 1 - 1e-6]."""
    p = np.clip(np.asarray(scores, dtype=np.float64), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.asarray(z, dtype=np.float64)))
