"""Fit a challenger on a weighted training set (from scratch with the champion's config,
or warm-started from the champion) and calibrate it on recent labels. No MLflow here."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from models.calibration import CalibratedModel, fit_calibration, uncalibrated
from models.data import LabelledTexts
from training.loop.dataset import TrainingSet

CALIBRATIONS = ("none", "platt", "isotonic")


def fit(
    champion: Any,
    data: TrainingSet,
    val: LabelledTexts,
    warm_start: bool,
    epochs: int | None = None,
    targets: np.ndarray | None = None,
) -> Any:
    """A new model of the champion's kind and config, fitted on `data` with its weights.

    Warm start: TF-IDF keeps the champion's features and refits the regression from its
    coefficients; the LSTM keeps its vocabulary and starts from its weights. A blend
    (`models.blend`) retrains its base so, an ensemble its members (keeping their weights);
    `blend_on_labels` then fits the weights of a blend (an ensemble's blend members too).
    `targets`: soft targets in [0, 1] instead of `data.labels` (distillation; not with a
    TF-IDF warm start).
    """
    raw = uncalibrated(champion)
    weights = np.asarray(data.weights, dtype=float)
    soft = targets is not None
    labels = targets if targets is not None else data.labels
    if raw.kind == "tfidf":
        from models.tfidf import TfidfModel

        if warm_start:
            if soft:
                raise ValueError(
                    "a TF-IDF warm start refits hard labels only: retrain from scratch"
                )
            model = copy.deepcopy(raw)
            model.refit_classifier(data.texts, data.labels, weights)
            return model
        model = TfidfModel(raw.config)
        model.fit(data.texts, labels, sample_weight=weights, soft_labels=soft)
        return model
    if raw.kind == "lstm":
        from models.lstm.model import LstmModel

        config = raw.config if epochs is None else replace(raw.config, max_epochs=epochs)
        model = LstmModel(config, raw.preprocessor.config)
        init = raw if warm_start else None
        model.fit(data.texts, labels, val.texts, val.labels, weights, init, soft_labels=soft)
        return model
    if raw.kind == "blend":  # the base retrained as above; its weights: `blend_on_labels`
        from models.blend import LexiconBlend

        return LexiconBlend(fit(raw.base, data, val, warm_start, epochs, targets), raw.C)
    if raw.kind == "ensemble":  # each member retrained as above, the weights kept
        from models.ensemble import LogitEnsemble

        members = [
            fit(member, data, val, warm_start, epochs, _member_targets(member, targets))
            for member in raw.members
        ]
        return LogitEnsemble(members, raw.weights, raw.bias)
    raise ValueError(
        f"retraining a {raw.kind!r} model is not supported (tfidf, lstm, blend, ensemble)"
    )


def _member_targets(member: Any, targets: np.ndarray | None) -> np.ndarray | None:
    """An ensemble's TF-IDF member (blended or not) keeps hard labels, as the champion
    recipe fits it."""
    raw = uncalibrated(member)
    base = raw.base if raw.kind == "blend" else raw
    return None if base.kind == "tfidf" else targets


def blend_on_labels(model: Any, val: LabelledTexts, labels: pd.DataFrame) -> Any:
    """A blend's weights fitted on `val` and on label rows its base did not see (each
    class-balanced, the labels carrying `LABEL_SHARE`), as the champion recipe fits them:
    without the labels, a retrain would forget how much people's labels trust VADER.
    Labels of one class (or none): fitted on `val` alone. An ensemble: its blend members
    so. Any other model is returned as is."""
    from models.blend import LABEL_SHARE, BlendSource

    if model.kind == "ensemble":
        model.members = [blend_on_labels(member, val, labels) for member in model.members]
        return model
    if model.kind != "blend":
        return model
    if labels["y"].nunique() < 2:
        model.fit(val.texts, val.labels)
        return model
    texts, y, base = labels["text"].tolist(), labels["y"].to_numpy(), model.base
    model.fit_sources(
        [
            BlendSource(val.texts, val.labels, base.predict_proba(val.texts), 1 - LABEL_SHARE),
            BlendSource(texts, y, base.predict_proba(texts), LABEL_SHARE),
        ]
    )
    return model


def with_blend_weights(model: Any, fitted: Any) -> Any:
    """`model` (a blend) with the weights of `fitted` (a blend of an earlier base); an
    ensemble's members so, member by member."""
    if model.kind == "ensemble" and fitted.kind == "ensemble":
        pairs = zip(model.members, fitted.members, strict=True)
        model.members = [with_blend_weights(new, old) for new, old in pairs]
    if model.kind == "blend" and fitted.kind == "blend":
        model.coef, model.intercept = fitted.coef.copy(), fitted.intercept
    return model


def calibrate(model: Any, labels: pd.DataFrame, method: str) -> Any:
    """`model` with a calibration fitted on `labels` (rows with `text`, `y`, `tweet_time`)."""
    if method == "none":
        return model
    if method not in CALIBRATIONS:
        raise ValueError(f"calibration {method!r}: expected one of {CALIBRATIONS}")
    if labels["y"].nunique() < 2:
        raise ValueError(f"calibration needs both classes in its {len(labels)} recent labels")
    scores = uncalibrated(model).predict_proba(labels["text"].tolist())
    times = labels["tweet_time"]
    calibration = fit_calibration(
        scores,
        labels["y"].to_numpy(),
        method,
        start=times.min().isoformat(),
        end=times.max().isoformat(),
    )
    return CalibratedModel(uncalibrated(model), calibration)
