"""What a run logs to MLflow besides the model: params, metrics, per-epoch history, plots.

Call inside an active run (`mlflow.start_run`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import mlflow
import numpy as np

from models import evaluation, plots

_MAX_PARAM_CHARS = 500


def flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested dicts as dotted keys, values as (short) strings: MLflow params are flat."""
    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{name}.")
        else:
            flat[name] = str(value)[:_MAX_PARAM_CHARS]
    return flat


def log_params(params: Mapping[str, Any]) -> None:
    mlflow.log_params(flatten(params))


def log_metrics(metrics: Mapping[str, float]) -> None:
    mlflow.log_metrics({key: float(value) for key, value in metrics.items()})


def log_history(history: Mapping[str, Sequence[float]]) -> None:
    """Per-epoch values as `epoch_<name>` metrics, the epoch number as the step."""
    for name, values in history.items():
        for epoch, value in enumerate(values, start=1):
            mlflow.log_metric(f"epoch_{name}", float(value), step=epoch)


def log_evaluation_plots(
    labels: np.ndarray,
    scores: np.ndarray,
    history: Mapping[str, Sequence[float]],
    split: str = "test",
) -> None:
    """ROC, confusion matrix, calibration (and training curves if any) under `plots/`."""
    quality = evaluation.quality(labels, scores)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plots.roc_plot(labels, scores, folder / f"roc_{split}.png", title=f"ROC ({split})")
        plots.confusion_plot(
            quality.confusion_matrix, folder / f"confusion_{split}.png", f"Confusion ({split})"
        )
        plots.calibration_plot(labels, scores, folder / f"calibration_{split}.png")
        if history:
            plots.training_curves_plot(history, folder / "training_curves.png")
        mlflow.log_artifacts(str(folder), "plots")


def prefixed(prefix: str, values: Mapping[str, float]) -> dict[str, float]:
    return {f"{prefix}_{key}": value for key, value in values.items()}
