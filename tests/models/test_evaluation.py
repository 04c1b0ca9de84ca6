"""Metrics against hand-computed values; speed and size measurements; plots are real PNGs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from models import plots
from models.evaluation import artifact_size_bytes, quality, speed, summary

LABELS = np.array([0, 0, 1, 1])
SCORES = np.array([0.1, 0.6, 0.4, 0.9])
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_quality_matches_hand_computation() -> None:
    result = quality(LABELS, SCORES)
    assert result.n == 4
    assert result.accuracy == 0.5  # 0.1 and 0.9 right, 0.6 and 0.4 wrong
    assert result.confusion_matrix == [[1, 1], [1, 1]]
    assert result.f1_macro == 0.5
    assert result.roc_auc == 0.75  # 3 of the 4 (positive, negative) pairs ordered right
    expected_loss = -(2 * math.log(0.9) + 2 * math.log(0.4)) / 4
    assert result.log_loss == pytest.approx(expected_loss)


def test_perfect_scores() -> None:
    result = quality([0, 1, 1], [0.0, 1.0, 0.8])
    assert (result.accuracy, result.f1_macro, result.roc_auc) == (1.0, 1.0, 1.0)
    assert 0 < result.log_loss < 0.1  # clipped, so finite


def test_quality_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match="both classes"):
        quality([1, 1], [0.2, 0.9])
    with pytest.raises(ValueError, match="must be equal 1-D"):
        quality([0, 1], [0.2, 0.9, 0.4])


def test_summary_is_flat_and_json_ready() -> None:
    flat = summary(quality(LABELS, SCORES), model="m", version="3")
    assert {"n", "accuracy", "f1_macro", "roc_auc", "log_loss", "confusion_matrix"} <= set(flat)
    assert flat["model"] == "m" and flat["version"] == "3"


class CountingModel:
    """A stand-in whose cost is known: each call sleeps a little per batch."""

    kind = "counting"

    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        return np.full(len(texts), 0.5, dtype=np.float32)

    def oov_rate(self, texts: Sequence[str]) -> float:
        return 0.0

    def save(self, path: Path) -> None:
        raise NotImplementedError


def test_speed_runs_single_calls_and_full_batches() -> None:
    model = CountingModel()
    result = speed(model, ["a", "b", "c"], calls=20, batch_size=8)
    singles = [n for n in model.calls if n == 1]
    batches = [n for n in model.calls if n == 8]
    assert len(singles) == 21  # warm-up + 20 timed calls
    assert len(batches) == 9  # warm-up + 8 timed batches
    assert 0 < result.latency_p50_ms <= result.latency_p95_ms
    assert result.throughput_per_s > 0
    assert "throughput_batch8_per_s" in result.scalars()


def test_artifact_size_sums_files(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"x" * 100)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.bin").write_bytes(b"y" * 23)
    assert artifact_size_bytes(tmp_path) == 123
    assert artifact_size_bytes(tmp_path / "a.bin") == 100


def test_plots_write_png_files(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    scores = np.clip(labels * 0.4 + rng.random(200) * 0.6, 0, 1)
    written = [
        plots.roc_plot(labels, scores, tmp_path / "roc.png"),
        plots.confusion_plot([[50, 10], [5, 35]], tmp_path / "cm.png"),
        plots.calibration_plot(labels, scores, tmp_path / "cal.png"),
        plots.training_curves_plot(
            {"loss": [0.7, 0.5], "val_loss": [0.72, 0.6]}, tmp_path / "tc.png"
        ),
        plots.comparison_plot(
            [{"label": "tfidf v1", "accuracy": 0.79}, {"label": "lstm v2", "accuracy": 0.82}],
            ["accuracy"],
            tmp_path / "cmp.png",
        ),
    ]
    for path in written:
        assert path.read_bytes()[:8] == PNG_MAGIC
        assert path.stat().st_size > 5_000
