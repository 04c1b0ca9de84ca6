"""PNG plots for runs and reports: ROC, confusion matrix, training curves, calibration.

matplotlib runs on the Agg backend (no display); each function writes one file and
returns its path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
    return path


def roc_plot(labels: np.ndarray, scores: np.ndarray, path: Path, title: str = "ROC") -> Path:
    from sklearn.metrics import roc_auc_score, roc_curve

    fpr, tpr, _ = roc_curve(labels, scores)
    fig, ax = _pyplot().subplots(figsize=(5, 5))
    ax.plot(fpr, tpr, label=f"AUC = {roc_auc_score(labels, scores):.3f}")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title=title)
    ax.legend(loc="lower right")
    return _save(fig, path)


def confusion_plot(matrix: Sequence[Sequence[int]], path: Path, title: str = "Confusion") -> Path:
    values = np.asarray(matrix)
    fig, ax = _pyplot().subplots(figsize=(4.5, 4))
    ax.imshow(values, cmap="Blues")
    names = ["negative", "positive"]
    ax.set(xticks=[0, 1], yticks=[0, 1], xticklabels=names, yticklabels=names)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    for (row, col), count in np.ndenumerate(values):
        colour = "white" if count > values.max() / 2 else "black"
        ax.text(col, row, f"{count:,}", ha="center", va="center", color=colour)
    return _save(fig, path)


def training_curves_plot(history: Mapping[str, Sequence[float]], path: Path) -> Path:
    """One panel per metric (loss, accuracy, ...), training and `val_` curves together."""
    metrics = sorted({name.removeprefix("val_") for name in history})
    fig, axes = _pyplot().subplots(
        1, len(metrics), figsize=(4.5 * len(metrics), 3.5), squeeze=False
    )
    for ax, metric in zip(axes[0], metrics, strict=True):
        for name in (metric, f"val_{metric}"):
            if name in history:
                epochs = range(1, len(history[name]) + 1)
                ax.plot(epochs, history[name], marker="o", label=name)
        ax.set(xlabel="epoch", title=metric)
        ax.legend()
    return _save(fig, path)


def calibration_plot(labels: np.ndarray, scores: np.ndarray, path: Path, bins: int = 10) -> Path:
    from sklearn.calibration import calibration_curve

    observed, predicted = calibration_curve(labels, scores, n_bins=bins, strategy="uniform")
    fig, ax = _pyplot().subplots(figsize=(5, 5))
    ax.plot(predicted, observed, marker="o", label="model")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    ax.set(xlabel="mean predicted probability", ylabel="observed share positive")
    ax.set(title="Calibration", xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper left")
    return _save(fig, path)


def comparison_plot(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], path: Path) -> Path:
    """One bar panel per column, one bar per model (`row["label"]`), four panels a row."""
    names = [str(row["label"]) for row in rows]
    colours = [f"C{i}" for i in range(len(rows))]
    ncols = min(4, len(columns))
    nrows = -(-len(columns) // ncols)
    fig, axes = _pyplot().subplots(nrows, ncols, figsize=(3.6 * ncols, 3.4 * nrows), squeeze=False)
    for ax, column in zip(axes.flat, columns, strict=False):
        values = [float(row.get(column) or 0.0) for row in rows]
        bars = ax.bar(names, values, color=colours)
        ax.bar_label(bars, fmt="%.4g", fontsize=8)
        if all(0.5 <= v <= 1 for v in values):
            ax.set_ylim(0.5, 1.0)  # scores: show the differences, not the bar from zero
        ax.set_title(column, fontsize=9)
        ax.tick_params(axis="x", labelrotation=20, labelsize=8)
    for ax in list(axes.flat)[len(columns) :]:
        ax.axis("off")
    return _save(fig, path)
