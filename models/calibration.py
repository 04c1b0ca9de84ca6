"""Score calibration fitted on recent labelled tweets and saved with the model.

A `Calibration` maps a model's raw probability of positive to a calibrated one, so the
served `score` stays a probability and the 0.5 decision threshold fits the traffic:
`platt` is a logistic regression on the raw score's logit, `isotonic` a monotone step
function (scikit-learn's `IsotonicRegression`, stored as its breakpoints). It lives in
the saved model's `model.json` under `calibration`; `models.kinds.load_model` wraps a
model that has one in `CalibratedModel`. A model without it loads and scores as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from models.manifest import read_manifest, write_manifest
from models.scores import logit, sigmoid

METHODS = ("platt", "isotonic")
MANIFEST_KEY = "calibration"


@dataclass(frozen=True)
class Calibration:
    method: str
    params: dict[str, Any]
    n: int = 0  # tweets it was fitted on
    fitted_on: dict[str, Any] = field(default_factory=dict)  # e.g. time range, sources

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"calibration method {self.method!r}: expected one of {METHODS}")

    def apply(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probability of positive, float32, same shape."""
        scores = np.asarray(scores, dtype=float)
        if self.method == "platt":
            out = sigmoid(self.params["a"] * logit(scores) + self.params["b"])
        else:
            out = np.interp(scores, self.params["x"], self.params["y"])
        return out.astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "params": self.params,
            "n": self.n,
            "fitted_on": self.fitted_on,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        fitted_on = dict(data.get("fitted_on", {}))
        return cls(data["method"], dict(data["params"]), int(data.get("n", 0)), fitted_on)


def fit_calibration(
    scores: np.ndarray, labels: np.ndarray, method: str = "platt", **fitted_on: Any
) -> Calibration:
    """Fit `method` on raw scores and 0/1 labels (both classes needed)."""
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels, dtype=int)
    if len(np.unique(labels)) < 2:
        raise ValueError("calibration needs both classes among the labels")
    if method == "platt":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=1e6, max_iter=1000).fit(logit(scores)[:, None], labels)
        params: dict[str, Any] = {"a": float(lr.coef_[0, 0]), "b": float(lr.intercept_[0])}
    elif method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, labels)
        params = {"x": iso.X_thresholds_.tolist(), "y": iso.y_thresholds_.tolist()}
    else:
        raise ValueError(f"calibration method {method!r}: expected one of {METHODS}")
    return Calibration(method, params, len(labels), fitted_on)


class CalibratedModel:
    """A loaded model whose `predict_proba` applies its calibration; everything else
    (kind, oov_rate, metadata, config...) is the wrapped model's."""

    def __init__(self, model: Any, calibration: Calibration) -> None:
        self.model = model
        self.calibration = calibration

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)

    @property
    def kind(self) -> str:
        return str(self.model.kind)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.calibration.apply(self.model.predict_proba(texts))

    def oov_rate(self, texts: Sequence[str]) -> float:
        return float(self.model.oov_rate(texts))

    def save(self, path: Path) -> None:
        self.model.save(path)
        save_calibration(path, self.calibration)


def uncalibrated(model: Any) -> Any:
    """The raw model under a `CalibratedModel` (the model itself otherwise)."""
    return model.model if isinstance(model, CalibratedModel) else model


def save_calibration(path: Path, calibration: Calibration | None) -> None:
    """Write (or remove, with None) the calibration in a saved model's manifest."""
    manifest = read_manifest(path)
    manifest.pop(MANIFEST_KEY, None)
    if calibration is not None:
        manifest[MANIFEST_KEY] = calibration.to_dict()
    write_manifest(path, manifest)


def with_calibration(model: Any, manifest: dict[str, Any]) -> Any:
    """`model` wrapped if its manifest holds a calibration, else `model` unchanged."""
    data = manifest.get(MANIFEST_KEY)
    return CalibratedModel(model, Calibration.from_dict(data)) if data else model
