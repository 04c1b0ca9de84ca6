"""VADER blends of a lever's model (`models.blend`), as levers of their own.

`val_blend(lever)` fits the blend on the validation split; `two_source(lever, ...)` on the
validation split *and* the feedback days, whose base scores come out of fold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from models.base import SentimentModel
from models.blend import LABEL_SHARE, BlendSource, LexiconBlend
from models.data import LabelledTexts
from training.quality.data import OOF_FOLDS, Fitted, Lever, LeverData


def blend_on(base: SentimentModel, on: LabelledTexts, name: str) -> Fitted:
    model = LexiconBlend(base)
    model.fit(on.texts, on.labels)
    return model, {"blend_fitted_on": name} | {f"w_{k}": v for k, v in model.weights().items()}


def val_blend(lever: Lever) -> Lever:
    """`lever`'s model blended on the Sentiment140 validation split."""

    def blended(d: LeverData) -> Fitted:
        model, params = lever(d)
        blend, blend_params = blend_on(model, d.splits.val, "s140 val")
        return blend, params | blend_params

    return blended


_OOF: dict[tuple[str, int], tuple[LeverData, np.ndarray]] = {}


def airline_oof_scores(
    d: LeverData, fit: Callable[[LeverData], SentimentModel], name: str
) -> np.ndarray:
    """Each feedback-day tweet scored by a base (`fit` on the rest) that did not see it;
    computed once per run's data and `name`."""
    key = (f"oof:{name}", id(d))
    if key in _OOF:
        return _OOF[key][1]
    fold = np.random.default_rng(d.seed).integers(0, OOF_FOLDS, len(d.feedback))
    scores = np.empty(len(d.feedback))
    for k in range(OOF_FOLDS):
        kept, held = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        days = [d.feedback_days[i] for i in kept]
        base = fit(replace(d, feedback=d.feedback.take(kept), feedback_days=days))
        scores[held] = base.predict_proba([d.feedback.texts[i] for i in held])
    _OOF[key] = (d, scores)
    return scores


def blend_two_sources(
    d: LeverData,
    model: SentimentModel,
    fit: Callable[[LeverData], SentimentModel],
    name: str,
    airline_prior: bool = False,
) -> Fitted:
    """`model` blended on the validation split *and* the feedback days (base scores out of
    fold, from `fit`): VADER gets the weight people's labels give it. Each source is
    class-balanced, unless `airline_prior`: the feedback days then keep the airline's
    negative prior."""
    val, feedback, share = d.splits.val, d.feedback, LABEL_SHARE
    oof = airline_oof_scores(d, fit, name)
    blend = LexiconBlend(model)
    blend.fit_sources(
        [
            BlendSource(val.texts, val.labels, model.predict_proba(val.texts), 1 - share),
            BlendSource(feedback.texts, feedback.labels, oof, share, not airline_prior),
        ]
    )
    weights = {f"w_{k}": v for k, v in blend.weights().items()}
    prior = "airline's own prior" if airline_prior else "balanced"
    on = {"blend_fitted_on": f"s140 val + airline feedback (out of fold), {prior}"}
    return blend, on | weights | {"label_share": share}


def two_source(
    lever: Lever,
    fit: Callable[[LeverData], SentimentModel],
    name: str,
    airline_prior: bool = False,
) -> Lever:
    """`lever`'s model in the two-source blend; `fit` refits its base on a fold of the
    feedback days for their out-of-fold scores (a BiLSTM: OOF_FOLDS more full fits), shared
    by every blend of the same `name` in a run."""

    def blended(d: LeverData) -> Fitted:
        model, params = lever(d)
        blend, blend_params = blend_two_sources(d, model, fit, name, airline_prior)
        return blend, params | blend_params

    return blended
