"""Levers on the TF-IDF + LR base (seconds to fit each)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from models.base import SentimentModel
from models.calibration import CalibratedModel, fit_calibration
from models.lexicon import VaderModel, vader_features
from models.tfidf import TfidfConfig, TfidfModel
from training.loop.distillation import DISTIL_HARD_SHARE
from training.quality.blends import blend_on
from training.quality.data import (
    BASE_CONFIG,
    CHAR_CONFIG,
    Fitted,
    LeverData,
    concat,
    fit_once,
    in_domain,
    soft_targets,
    teacher_of,
    weighted_in_domain,
)

NOISE_THRESHOLD = 0.15  # drop training rows whose out-of-fold P(own label) is below this


def fit_tfidf(
    texts: Sequence[str],
    labels: np.ndarray,
    weight: np.ndarray | None = None,
    config: TfidfConfig = BASE_CONFIG,
) -> TfidfModel:
    model = TfidfModel(config)
    model.fit(texts, labels, sample_weight=weight)
    return model


def baseline(d: LeverData) -> Fitted:
    fit = lambda: fit_tfidf(d.splits.train.texts, d.splits.train.labels)  # noqa: E731
    return fit_once("tfidf", d, fit), {}


def vader(d: LeverData) -> Fitted:
    return VaderModel(), {}


def blend_val(d: LeverData) -> Fitted:
    return blend_on(baseline(d)[0], d.splits.val, "s140 val")


def blend_airline(d: LeverData) -> Fitted:
    return blend_on(baseline(d)[0], d.feedback, "airline feedback days")


def blend_both(d: LeverData) -> Fitted:
    both = concat(d.splits.val, d.feedback)
    return blend_on(baseline(d)[0], both, "s140 val + airline feedback")


class TfidfVaderFeatures:
    """TF-IDF features and VADER's four scores in one logistic regression (experiment)."""

    kind = "tfidf-vader"

    def __init__(self, texts: Sequence[str], labels: np.ndarray, weight: np.ndarray | None) -> None:
        from sklearn.linear_model import LogisticRegression

        self.base = fit_tfidf(texts, labels, weight)
        self.regression = LogisticRegression(C=BASE_CONFIG.C, max_iter=1000)
        self.regression.fit(self._features(texts), labels, sample_weight=weight)

    def _features(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import hstack

        tfidf = self.base.pipeline[:-1].transform(list(texts))
        return hstack([tfidf, vader_features(texts)]).tocsr()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.regression.predict_proba(self._features(texts))[:, 1].astype(np.float32)

    def oov_rate(self, texts: Sequence[str]) -> float:
        return self.base.oov_rate(texts)

    def save(self, path: Any) -> None:
        raise NotImplementedError("an experiment: LexiconBlend is the servable form")


def vader_features_lever(d: LeverData) -> Fitted:
    return TfidfVaderFeatures(d.splits.train.texts, d.splits.train.labels, None), {}


def in_domain_plain(d: LeverData) -> Fitted:
    data, weight, params = in_domain(d, 1.0, None, False)
    return fit_tfidf(data.texts, data.labels, weight), params


def fit_in_domain_weighted(d: LeverData) -> SentimentModel:
    data, weight, _ = weighted_in_domain(d)
    return fit_tfidf(data.texts, data.labels, weight)


def in_domain_weighted(d: LeverData) -> Fitted:
    params = weighted_in_domain(d)[2]
    return fit_once("tfidf+airline(weighted)", d, lambda: fit_in_domain_weighted(d)), params


def fit_in_domain_weighted_char(d: LeverData) -> SentimentModel:
    data, weight, _ = weighted_in_domain(d)
    return fit_tfidf(data.texts, data.labels, weight, CHAR_CONFIG)


def in_domain_weighted_char(d: LeverData) -> Fitted:
    """The weighted in-domain recipe with character n-grams beside the words."""
    low, high = CHAR_CONFIG.char_ngrams or (0, 0)
    char = {"char_ngrams": f"{low}-{high}", "char_max_features": CHAR_CONFIG.char_max_features}
    params = weighted_in_domain(d)[2] | char
    fit = lambda: fit_in_domain_weighted_char(d)  # noqa: E731
    return fit_once("tfidf(char)+airline(weighted)", d, fit), params


def fit_distilled(d: LeverData) -> SentimentModel:
    """The weighted in-domain recipe, each Sentiment140 tweet's target half its label and
    half the teacher's score; the airline labels (people's) stay hard."""
    data, weight, _ = weighted_in_domain(d)
    model = TfidfModel(BASE_CONFIG)
    model.fit(data.texts, soft_targets(d, data), sample_weight=weight, soft_labels=True)
    return model


def distilled_in_domain(d: LeverData) -> Fitted:
    params = {"hard_share": DISTIL_HARD_SHARE, "teacher": getattr(teacher_of(d), "teacher", "")}
    return fit_once("tfidf+airline(weighted)+distilled", d, lambda: fit_distilled(d)), params


def in_domain_vader_features(d: LeverData) -> Fitted:
    data, weight, params = weighted_in_domain(d)
    return TfidfVaderFeatures(data.texts, data.labels, weight), params


def calibrated_airline(d: LeverData) -> Fitted:
    base = baseline(d)[0]
    calibration = fit_calibration(base.predict_proba(d.feedback.texts), d.feedback.labels)
    model: Any = CalibratedModel(base, calibration)  # `kind` is a property there
    return model, {"calibrated_on": "airline feedback days"}


def noise_filtered(d: LeverData) -> Fitted:
    """Drop emoticon labels a first model (2-fold, out of fold) finds implausible, refit."""
    train = d.splits.train
    rng = np.random.default_rng(d.seed)
    fold = rng.integers(0, 2, len(train))
    p_own = np.empty(len(train))
    for k in (0, 1):
        fit_on, score = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        first = fit_tfidf([train.texts[i] for i in fit_on], train.labels[fit_on])
        p = first.predict_proba([train.texts[i] for i in score])
        p_own[score] = np.where(train.labels[score] == 1, p, 1 - p)
    kept = train.take(np.flatnonzero(p_own >= NOISE_THRESHOLD))
    params = {"noise_threshold": NOISE_THRESHOLD, "rows_dropped": len(train) - len(kept)}
    return fit_tfidf(kept.texts, kept.labels), params
