"""Calibration: Platt and isotonic fits, and a calibration saved with a model and applied
when it is loaded (a model without one loads and scores as before)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from models.base import load_model, read_manifest
from models.calibration import (
    CalibratedModel,
    Calibration,
    fit_calibration,
    save_calibration,
    uncalibrated,
)
from models.tfidf import TfidfModel


def _miscalibrated(n: int = 20_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Raw scores whose true probability is sigmoid(2 * logit(score) - 1)."""
    rng = np.random.default_rng(seed)
    scores = rng.uniform(0.02, 0.98, n)
    z = 2 * np.log(scores / (1 - scores)) - 1
    labels = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(int)
    return scores, labels


def _log_loss(labels: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import log_loss

    return float(log_loss(labels, np.clip(p, 1e-6, 1 - 1e-6)))


def test_platt_recovers_the_true_mapping() -> None:
    scores, labels = _miscalibrated()
    calibration = fit_calibration(scores, labels, "platt")
    assert calibration.params["a"] == pytest.approx(2.0, abs=0.1)
    assert calibration.params["b"] == pytest.approx(-1.0, abs=0.1)
    assert _log_loss(labels, calibration.apply(scores)) < _log_loss(labels, scores) - 0.01


def test_isotonic_is_monotone_bounded_and_better_calibrated() -> None:
    scores, labels = _miscalibrated(seed=1)
    calibration = fit_calibration(scores, labels, "isotonic")
    grid = np.linspace(0, 1, 101)
    out = calibration.apply(grid)
    assert np.all(np.diff(out) >= 0) and out.min() >= 0 and out.max() <= 1
    assert _log_loss(labels, calibration.apply(scores)) < _log_loss(labels, scores) - 0.01


def test_bad_inputs_fail_clearly() -> None:
    with pytest.raises(ValueError, match="both classes"):
        fit_calibration(np.array([0.2, 0.7]), np.array([1, 1]))
    with pytest.raises(ValueError, match="method"):
        fit_calibration(np.array([0.2, 0.7]), np.array([0, 1]), "beta")


def test_calibration_travels_with_the_saved_model(small_tfidf: Any, tmp_path: Path) -> None:
    texts = ["I love this airline", "my flight was delayed again", "ok"]
    raw_scores = small_tfidf.predict_proba(texts)
    small_tfidf.save(tmp_path / "plain")
    plain = load_model(tmp_path / "plain")
    assert isinstance(plain, TfidfModel)  # no calibration: loaded exactly as before
    np.testing.assert_array_equal(plain.predict_proba(texts), raw_scores)

    calibration = Calibration("platt", {"a": 1.5, "b": -0.8}, n=10)
    small_tfidf.save(tmp_path / "calibrated")
    save_calibration(tmp_path / "calibrated", calibration)
    loaded = load_model(tmp_path / "calibrated")
    assert isinstance(loaded, CalibratedModel) and loaded.kind == "tfidf"
    np.testing.assert_allclose(loaded.predict_proba(texts), calibration.apply(raw_scores))
    assert uncalibrated(loaded).predict_proba(texts) == pytest.approx(raw_scores)
    assert loaded.oov_rate(texts) == small_tfidf.oov_rate(texts)

    loaded.save(tmp_path / "again")  # saving the wrapper keeps the calibration
    assert read_manifest(tmp_path / "again")["calibration"]["params"] == {"a": 1.5, "b": -0.8}
    np.testing.assert_allclose(
        load_model(tmp_path / "again").predict_proba(texts), loaded.predict_proba(texts)
    )
