"""How good and how fast a model is: quality metrics, latency, throughput, size on disk.

Quality comes from labels and scores (no model needed); speed is measured on the model
itself with `time.perf_counter`. Plots live in `models.plots`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.base import SentimentModel

THRESHOLD = 0.5
_EPS = 1e-7


@dataclass(frozen=True)
class Quality:
    n: int
    accuracy: float
    f1_macro: float
    roc_auc: float
    log_loss: float
    confusion_matrix: list[list[int]]  # rows: true negative/positive; columns: predicted

    def scalars(self) -> dict[str, float]:
        """The numeric metrics, for logging (the confusion matrix left out)."""
        return {k: float(v) for k, v in asdict(self).items() if k != "confusion_matrix"}


@dataclass(frozen=True)
class Speed:
    latency_p50_ms: float  # one tweet per call
    latency_p95_ms: float
    batch_size: int
    throughput_per_s: float  # tweets per second in batches of `batch_size`

    def scalars(self) -> dict[str, float]:
        """For logging: `throughput_batch<N>_per_s` names the batch size."""
        return {
            "latency_p50_ms": self.latency_p50_ms,
            "latency_p95_ms": self.latency_p95_ms,
            f"throughput_batch{self.batch_size}_per_s": self.throughput_per_s,
        }


def quality(labels: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray) -> Quality:
    """Accuracy, macro F1, ROC-AUC and log loss at the 0.5 threshold, plus the confusion matrix."""
    from sklearn import metrics

    y_true = np.asarray(labels, dtype=int)
    y_score = np.clip(np.asarray(scores, dtype=float), _EPS, 1 - _EPS)
    if y_true.shape != y_score.shape or y_true.ndim != 1:
        raise ValueError(f"labels {y_true.shape} and scores {y_score.shape} must be equal 1-D")
    if len(set(y_true.tolist())) < 2:
        raise ValueError("evaluation needs both classes among the labels")
    y_pred = (y_score >= THRESHOLD).astype(int)
    return Quality(
        n=len(y_true),
        accuracy=float(metrics.accuracy_score(y_true, y_pred)),
        f1_macro=float(metrics.f1_score(y_true, y_pred, average="macro")),
        roc_auc=float(metrics.roc_auc_score(y_true, y_score)),
        log_loss=float(metrics.log_loss(y_true, y_score, labels=[0, 1])),
        confusion_matrix=metrics.confusion_matrix(y_true, y_pred, labels=[0, 1]).tolist(),
    )


def latency_ms(model: SentimentModel, texts: Sequence[str], calls: int = 200) -> np.ndarray:
    """Milliseconds per single-tweet `predict_proba` call, over `calls` calls (after a warm-up)."""
    model.predict_proba(texts[:1])
    timings = []
    for i in range(calls):
        started = time.perf_counter()
        model.predict_proba([texts[i % len(texts)]])
        timings.append((time.perf_counter() - started) * 1000)
    return np.asarray(timings)


def throughput(
    model: SentimentModel, texts: Sequence[str], batch_size: int = 256, batches: int = 8
) -> float:
    """Tweets per second scored in batches of `batch_size` (texts are cycled if too few)."""
    needed = batch_size * batches
    pool = [texts[i % len(texts)] for i in range(needed)]
    model.predict_proba(pool[:batch_size])
    started = time.perf_counter()
    for start in range(0, needed, batch_size):
        model.predict_proba(pool[start : start + batch_size])
    return needed / (time.perf_counter() - started)


def speed(
    model: SentimentModel, texts: Sequence[str], calls: int = 200, batch_size: int = 256
) -> Speed:
    if not texts:
        raise ValueError("speed needs at least one text")
    timings = latency_ms(model, texts, calls)
    return Speed(
        latency_p50_ms=float(np.percentile(timings, 50)),
        latency_p95_ms=float(np.percentile(timings, 95)),
        batch_size=batch_size,
        throughput_per_s=throughput(model, texts, batch_size),
    )


def artifact_size_bytes(path: Path) -> int:
    """Total size of the files in a saved model directory (or one file)."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def summary(quality_: Quality, speed_: Speed | None = None, **extra: Any) -> dict[str, Any]:
    """One flat JSON-able dict: the report and `--output` format."""
    result: dict[str, Any] = asdict(quality_)
    if speed_ is not None:
        result |= asdict(speed_)
    return result | extra
