"""Paired bootstrap metrics agree with scikit-learn, and identical models differ by 0."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics

from models import bootstrap


def test_vectorised_metrics_match_sklearn() -> None:
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 300)
    scores = np.round(rng.uniform(size=300), 1)  # many ties
    predicted = (scores >= 0.5).astype(int)
    assert bootstrap.roc_auc(labels, scores)[0] == pytest.approx(
        metrics.roc_auc_score(labels, scores)
    )
    assert bootstrap.f1_macro(labels, predicted) == pytest.approx(
        metrics.f1_score(labels, predicted, average="macro")
    )
    rows = rng.integers(0, 300, (5, 300))
    expected = [metrics.roc_auc_score(labels[r], scores[r]) for r in rows]
    np.testing.assert_allclose(bootstrap.roc_auc(labels[rows], scores[rows]), expected)


def test_identical_models_differ_by_nothing() -> None:
    rng = np.random.default_rng(4)
    labels, scores = rng.integers(0, 2, 200), rng.uniform(size=200)
    for d in bootstrap.paired_bootstrap(labels, scores, scores, resamples=100).values():
        assert (d.diff, d.low, d.high) == (0.0, 0.0, 0.0)


def test_one_class_is_refused() -> None:
    with pytest.raises(ValueError, match="both classes"):
        bootstrap.paired_bootstrap(np.ones(5), np.ones(5), np.ones(5))
