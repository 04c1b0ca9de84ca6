"""The cheap quality levers, as recipes on a TF-IDF + LR base (seconds to fit).

Each recipe takes the `LeverData` (the Sentiment140 splits and the airline feedback days,
never the judge days) and returns a fitted model plus the params to log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np

from models.base import SentimentModel
from models.blend import LABEL_SHARE, BlendSource, LexiconBlend
from models.calibration import CalibratedModel, fit_calibration
from models.data import LabelledTexts
from models.lexicon import VaderModel, vader_features
from models.lstm.subwords import DEFAULT_CHECKPOINT
from models.splits import Splits, stratified_sample
from models.tfidf import TfidfConfig, TfidfModel
from models.weighting import balanced_weights, time_weights
from training.loop.distillation import DISTIL_HARD_SHARE, mix_targets

#: The ranking base: word 1-2 grams, 100k features, C=2 (docs/training.md's search).
BASE_CONFIG = TfidfConfig(max_features=100_000, C=2.0)
AIRLINE_WEIGHT = 5.0  # an airline label counts this many Sentiment140 labels
HALF_LIFE_DAYS = 2.0
NOISE_THRESHOLD = 0.15  # drop training rows whose out-of-fold P(own label) is below this
OOF_FOLDS = 2  # folds of the feedback days for out-of-fold base scores
LEXICON_DIMS = 8  # embedding columns holding VADER's valence (the lexicon lever)


@dataclass(frozen=True)
class LeverData:
    splits: Splits
    feedback: LabelledTexts  # airline, feedback days only
    feedback_days: list[str]
    seed: int = 42
    teacher: SentimentModel | None = None  # a teacher's saved scores (training.teacher_scores)


Fitted = tuple[SentimentModel, dict[str, Any]]


_FITTED: dict[tuple[str, int], tuple[LeverData, SentimentModel]] = {}


def _once(name: str, d: LeverData, fit: Callable[[], SentimentModel]) -> SentimentModel:
    """A base model fitted once per run's data (blends reuse it; their time excludes it).

    The data is kept with the model, so its id cannot be reused by other data."""
    key = (name, id(d))
    if key not in _FITTED:
        _FITTED[key] = (d, fit())
    return _FITTED[key][1]


def _tfidf(
    texts: Sequence[str], labels: np.ndarray, weight: np.ndarray | None = None
) -> TfidfModel:
    model = TfidfModel(BASE_CONFIG)
    model.fit(texts, labels, sample_weight=weight)
    return model


def _concat(a: LabelledTexts, b: LabelledTexts) -> LabelledTexts:
    return LabelledTexts(a.texts + b.texts, np.concatenate([a.labels, b.labels]))


def _age_days(days: list[str]) -> np.ndarray:
    latest = max(date.fromisoformat(day) for day in days)
    return np.asarray([(latest - date.fromisoformat(day)).days for day in days], dtype=float)


def baseline(d: LeverData) -> Fitted:
    return _once("tfidf", d, lambda: _tfidf(d.splits.train.texts, d.splits.train.labels)), {}


def vader(d: LeverData) -> Fitted:
    return VaderModel(), {}


def _blend(base: SentimentModel, on: LabelledTexts, name: str) -> Fitted:
    model = LexiconBlend(base)
    model.fit(on.texts, on.labels)
    return model, {"blend_fitted_on": name} | {f"w_{k}": v for k, v in model.weights().items()}


def blend_val(d: LeverData) -> Fitted:
    return _blend(baseline(d)[0], d.splits.val, "s140 val")


def blend_airline(d: LeverData) -> Fitted:
    return _blend(baseline(d)[0], d.feedback, "airline feedback days")


def blend_both(d: LeverData) -> Fitted:
    return _blend(baseline(d)[0], _concat(d.splits.val, d.feedback), "s140 val + airline feedback")


class TfidfVaderFeatures:
    """TF-IDF features and VADER's four scores in one logistic regression (experiment)."""

    kind = "tfidf-vader"

    def __init__(self, texts: Sequence[str], labels: np.ndarray, weight: np.ndarray | None) -> None:
        from sklearn.linear_model import LogisticRegression

        self.base = _tfidf(texts, labels, weight)
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


def _in_domain(
    d: LeverData,
    airline_weight: float,
    half_life: float | None,
    balance: bool,
    base: LabelledTexts | None = None,
) -> tuple[LabelledTexts, np.ndarray, dict[str, Any]]:
    """`base` (default: Sentiment140 train) + airline feedback; airline rows weighted,
    decayed, balanced."""
    base = d.splits.train if base is None else base
    data = _concat(base, d.feedback)
    recent = time_weights(_age_days(d.feedback_days), half_life)
    weight = np.concatenate([np.ones(len(base)), airline_weight * recent])
    if balance:
        weight = balanced_weights(data.labels, weight)
    params = {"airline_weight": airline_weight, "half_life_days": half_life, "balanced": balance}
    return data, weight, params


def in_domain(d: LeverData) -> Fitted:
    data, weight, params = _in_domain(d, 1.0, None, False)
    return _tfidf(data.texts, data.labels, weight), params


def in_domain_weighted(d: LeverData) -> Fitted:
    params = _in_domain(d, AIRLINE_WEIGHT, HALF_LIFE_DAYS, True)[2]
    return _once("tfidf+airline(weighted)", d, lambda: _fit_in_domain_weighted(d)), params


def in_domain_weighted_blend(d: LeverData) -> Fitted:
    model, params = in_domain_weighted(d)
    blend, blend_params = _blend(model, d.splits.val, "s140 val")
    return blend, params | blend_params


def _airline_oof_scores(
    d: LeverData, fit: Callable[[LeverData], SentimentModel], name: str = ""
) -> np.ndarray:
    """Each feedback-day tweet scored by a base (`fit` on the rest) that did not see it;
    computed once per run's data when named."""
    key = (f"oof:{name}", id(d))
    if name and key in _OOF:
        return _OOF[key][1]
    fold = np.random.default_rng(d.seed).integers(0, OOF_FOLDS, len(d.feedback))
    scores = np.empty(len(d.feedback))
    for k in range(OOF_FOLDS):
        kept, held = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        days = [d.feedback_days[i] for i in kept]
        base = fit(replace(d, feedback=d.feedback.take(kept), feedback_days=days))
        scores[held] = base.predict_proba([d.feedback.texts[i] for i in held])
    if name:
        _OOF[key] = (d, scores)
    return scores


_OOF: dict[tuple[str, int], tuple[LeverData, np.ndarray]] = {}


def _fit_in_domain_weighted(d: LeverData) -> SentimentModel:
    data, weight, _ = _in_domain(d, AIRLINE_WEIGHT, HALF_LIFE_DAYS, True)
    return _tfidf(data.texts, data.labels, weight)


def _blend_both(
    d: LeverData,
    model: SentimentModel,
    fit: Callable[[LeverData], SentimentModel],
    name: str = "",
    airline_prior: bool = False,
) -> Fitted:
    """`model` blended on the validation split *and* the feedback days (base scores out of
    fold, from `fit`): VADER gets the weight people's labels give it. Each source is
    class-balanced, unless `airline_prior`: the feedback days then keep the airline's
    negative prior."""
    val, feedback, share = d.splits.val, d.feedback, LABEL_SHARE
    oof = _airline_oof_scores(d, fit, name)
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


def in_domain_weighted_blend_both(d: LeverData) -> Fitted:
    model, params = in_domain_weighted(d)
    blend, blend_params = _blend_both(d, model, _fit_in_domain_weighted, "tfidf")
    return blend, params | blend_params


def in_domain_weighted_blend_prior(d: LeverData) -> Fitted:
    model, params = in_domain_weighted(d)
    blend, blend_params = _blend_both(d, model, _fit_in_domain_weighted, "tfidf", True)
    return blend, params | blend_params


def _teacher(d: LeverData) -> SentimentModel:
    if d.teacher is None:
        raise ValueError("this lever needs a teacher's scores: --teacher-scores FILE")
    return d.teacher


def _fit_distilled(d: LeverData) -> SentimentModel:
    """The weighted in-domain recipe, each Sentiment140 tweet's target half its label and
    half the teacher's score; the airline labels (people's) stay hard."""
    data, weight, _ = _in_domain(d, AIRLINE_WEIGHT, HALF_LIFE_DAYS, True)
    model = TfidfModel(BASE_CONFIG)
    model.fit(data.texts, _soft_targets(d, data), sample_weight=weight, soft_labels=True)
    return model


def _soft_targets(d: LeverData, data: LabelledTexts) -> np.ndarray:
    """`data` = the train split then airline rows: the former get half the teacher's score."""
    train = d.splits.train
    targets = data.labels.astype(np.float64)
    teacher = _teacher(d).predict_proba(train.texts)
    targets[: len(train)] = mix_targets(train.labels, teacher)
    return targets


def distilled_in_domain(d: LeverData) -> Fitted:
    params = {"hard_share": DISTIL_HARD_SHARE, "teacher": getattr(_teacher(d), "teacher", "")}
    return _once("tfidf+airline(weighted)+distilled", d, lambda: _fit_distilled(d)), params


def distilled_in_domain_blend_both(d: LeverData) -> Fitted:
    model, params = distilled_in_domain(d)
    blend, blend_params = _blend_both(d, model, _fit_distilled)
    return blend, params | blend_params


def in_domain_vader_features(d: LeverData) -> Fitted:
    data, weight, params = _in_domain(d, AIRLINE_WEIGHT, HALF_LIFE_DAYS, True)
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
        first = _tfidf([train.texts[i] for i in fit_on], train.labels[fit_on])
        p = first.predict_proba([train.texts[i] for i in score])
        p_own[score] = np.where(train.labels[score] == 1, p, 1 - p)
    kept = train.take(np.flatnonzero(p_own >= NOISE_THRESHOLD))
    params = {"noise_threshold": NOISE_THRESHOLD, "rows_dropped": len(train) - len(kept)}
    return _tfidf(kept.texts, kept.labels), params


LSTM_SAMPLE = 20_000  # the demo's quick BiLSTM: 20k tweets, 3 epochs
LSTM_EPOCHS = 3
LSTM_AIRLINE_COPIES = 2  # the LSTM has no sample weights: airline rows repeated instead


def _lstm(d: LeverData, airline_copies: int) -> SentimentModel:
    from models.lstm.config import LstmConfig
    from models.lstm.model import LstmModel

    train = stratified_sample(d.splits.train, LSTM_SAMPLE, d.seed)
    for _ in range(airline_copies):
        train = _concat(train, d.feedback)
    val = stratified_sample(d.splits.val, 2_000, d.seed)
    model = LstmModel(LstmConfig(max_epochs=LSTM_EPOCHS, seed=d.seed))
    model.fit(train.texts, train.labels, val.texts, val.labels)
    return model


def _lstm_weighted(d: LeverData) -> tuple[LabelledTexts, np.ndarray, dict[str, Any]]:
    """The quick BiLSTM's 20k sample + the feedback days, weighted like the TF-IDF recipe;
    the airline weight is scaled so airline labels carry the share of the total weight
    they carry on the full train split (x5 there); weights then have mean 1."""
    sample = stratified_sample(d.splits.train, LSTM_SAMPLE, d.seed)
    scaled = AIRLINE_WEIGHT * len(sample) / len(d.splits.train)
    data, weight, params = _in_domain(d, scaled, HALF_LIFE_DAYS, True, base=sample)
    return data, weight / weight.mean(), params | {"sample": LSTM_SAMPLE, "epochs": LSTM_EPOCHS}


def _fit_lstm_weighted(d: LeverData) -> SentimentModel:
    from models.lstm.config import LstmConfig
    from models.lstm.model import LstmModel

    data, weight, _ = _lstm_weighted(d)
    val = stratified_sample(d.splits.val, 2_000, d.seed)
    model = LstmModel(LstmConfig(max_epochs=LSTM_EPOCHS, seed=d.seed))
    model.fit(data.texts, data.labels, val.texts, val.labels, weight)
    return model


def lstm_airline_weighted(d: LeverData) -> Fitted:
    model = _once("lstm+airline(weighted)", d, lambda: _fit_lstm_weighted(d))
    return model, _lstm_weighted(d)[2]


def lstm_airline_weighted_blend(d: LeverData) -> Fitted:
    model, params = lstm_airline_weighted(d)
    blend, blend_params = _blend(model, d.splits.val, "s140 val")
    return blend, params | blend_params


def lstm_quick(d: LeverData) -> Fitted:
    return _once("lstm", d, lambda: _lstm(d, 0)), {"sample": LSTM_SAMPLE, "epochs": LSTM_EPOCHS}


def lstm_quick_blend(d: LeverData) -> Fitted:
    model, params = lstm_quick(d)
    blend, blend_params = _blend(model, d.splits.val, "s140 val")
    return blend, params | blend_params


def lstm_airline(d: LeverData) -> Fitted:
    params = {"sample": LSTM_SAMPLE, "epochs": LSTM_EPOCHS, "airline_copies": LSTM_AIRLINE_COPIES}
    return _once("lstm+airline", d, lambda: _lstm(d, LSTM_AIRLINE_COPIES)), params


def lstm_airline_blend(d: LeverData) -> Fitted:
    model, params = lstm_airline(d)
    blend, blend_params = _blend(model, d.splits.val, "s140 val")
    return blend, params | blend_params


TEACHER_SAMPLE = LSTM_SAMPLE  # the teacher sees the student's 20k tweets, 1 epoch
TEACHER_EPOCHS = 1


def _fit_teacher(d: LeverData) -> SentimentModel:
    from models.transformer.model import TransformerConfig, TransformerModel

    train = stratified_sample(d.splits.train, TEACHER_SAMPLE, d.seed)
    val = stratified_sample(d.splits.val, 2_000, d.seed)
    model = TransformerModel(TransformerConfig(epochs=TEACHER_EPOCHS, seed=d.seed))
    model.fit(train.texts, train.labels.tolist(), val.texts, val.labels.tolist())
    return model


def transformer_quick(d: LeverData) -> Fitted:
    """The project's MiniLM (top 4 layers fine-tuned) on the quick sample: the teacher."""
    model = _once("transformer", d, lambda: _fit_teacher(d))
    return model, {"sample": TEACHER_SAMPLE, "epochs": TEACHER_EPOCHS}


def distillation_targets(
    labelled: LabelledTexts,
    unlabelled: Sequence[str],
    teacher: SentimentModel,
    hard_share: float = DISTIL_HARD_SHARE,
) -> tuple[list[str], np.ndarray]:
    """Texts and soft targets: a labelled text's target mixes its label (`hard_share`)
    with the teacher's score; an unlabelled text's target is the teacher's score."""
    texts = labelled.texts + list(unlabelled)
    scores = teacher.predict_proba(texts).astype(np.float32)
    targets = scores.copy()
    n = len(labelled)
    targets[:n] = mix_targets(labelled.labels, scores[:n], hard_share)
    return texts, np.clip(targets, 0.0, 1.0)


def lstm_distilled(d: LeverData) -> Fitted:
    """The quick BiLSTM on the teacher's scores: the 20k sample (half label, half teacher)
    plus the airline feedback days' texts, their labels unused (teacher only)."""
    from models.lstm.config import LstmConfig
    from models.lstm.model import LstmModel

    teacher = transformer_quick(d)[0]  # fitted once per run; its fit is not this lever's time
    sample = stratified_sample(d.splits.train, LSTM_SAMPLE, d.seed)
    started = time.perf_counter()
    texts, targets = distillation_targets(sample, d.feedback.texts, teacher)
    scoring = time.perf_counter() - started
    val = stratified_sample(d.splits.val, 2_000, d.seed)
    model = LstmModel(LstmConfig(max_epochs=LSTM_EPOCHS, seed=d.seed))
    model.fit(texts, targets, val.texts, val.labels, soft_labels=True)
    params = {
        "sample": LSTM_SAMPLE,
        "epochs": LSTM_EPOCHS,
        "teacher": "transformer-quick",
        "hard_share": DISTIL_HARD_SHARE,
        "unlabelled_texts": len(d.feedback),
        "unlabelled_from": ",".join(sorted(set(d.feedback_days))),
        "teacher_scoring_s": round(scoring, 1),
    }
    return model, params


def _fit_lstm_full(d: LeverData, distil: bool, **options: Any) -> SentimentModel:
    """The served BiLSTM's config on the whole train split + the feedback days, weighted
    like the TF-IDF recipe; `distil`: Sentiment140 targets half label, half teacher;
    `options`: `LstmConfig` fields that differ from the served config."""
    from models.lstm.config import LstmConfig
    from models.lstm.model import LstmModel

    data, weight, _ = _in_domain(d, AIRLINE_WEIGHT, HALF_LIFE_DAYS, True)
    targets = _soft_targets(d, data) if distil else data.labels
    val = d.splits.val
    model = LstmModel(LstmConfig(seed=d.seed, **options))
    model.fit(
        data.texts, targets, val.texts, val.labels, weight / weight.mean(), soft_labels=distil
    )
    return model


def lstm_full_weighted(d: LeverData) -> Fitted:
    return _once("lstm-full+airline(weighted)", d, lambda: _fit_lstm_full(d, False)), {}


def lstm_full_distilled(d: LeverData) -> Fitted:
    model = _once("lstm-full+distilled", d, lambda: _fit_lstm_full(d, True))
    return model, {"hard_share": DISTIL_HARD_SHARE}


def lstm_wordpieces_distilled(d: LeverData) -> Fitted:
    """The distilled recipe on the MiniLM's wordpieces and token embeddings (PCA to the
    BiLSTM's 300 dimensions) instead of words and Word2Vec."""
    fit = lambda: _fit_lstm_full(d, True, wordpieces=DEFAULT_CHECKPOINT)  # noqa: E731
    model = _once("lstm-wordpieces+distilled", d, fit)
    return model, {"hard_share": DISTIL_HARD_SHARE, "wordpieces": DEFAULT_CHECKPOINT}


def _fit_lstm_lexicon_distilled(d: LeverData) -> SentimentModel:
    return _fit_lstm_full(d, True, lexicon_dims=LEXICON_DIMS)


def lstm_lexicon_distilled(d: LeverData) -> Fitted:
    """The distilled recipe with VADER's valences as extra embedding columns, the
    lexicon's words in the vocabulary."""
    model = _once("lstm-lexicon+distilled", d, lambda: _fit_lstm_lexicon_distilled(d))
    return model, {"hard_share": DISTIL_HARD_SHARE, "lexicon_dims": LEXICON_DIMS}


def lstm_lexicon_distilled_blend(d: LeverData, airline_prior: bool) -> Fitted:
    model, params = lstm_lexicon_distilled(d)
    fit, name = _fit_lstm_lexicon_distilled, "lstm-lexicon+distilled"
    blend, blend_params = _blend_both(d, model, fit, name, airline_prior)
    return blend, params | blend_params


def _fit_lstm_lexicon(d: LeverData) -> SentimentModel:
    return _fit_lstm_full(d, False, lexicon_dims=LEXICON_DIMS)


def lstm_lexicon(d: LeverData) -> Fitted:
    """The recipe with VADER's valence columns, without a teacher (`champion --base lstm`
    when no teacher's scores are given)."""
    model = _once("lstm-lexicon", d, lambda: _fit_lstm_lexicon(d))
    return model, {"lexicon_dims": LEXICON_DIMS}


def lstm_lexicon_blend_both(d: LeverData) -> Fitted:
    model, params = lstm_lexicon(d)
    blend, blend_params = _blend_both(d, model, _fit_lstm_lexicon, "lstm-lexicon")
    return blend, params | blend_params


def lstm_lexicon_blend_prior(d: LeverData) -> Fitted:
    model, params = lstm_lexicon(d)
    blend, blend_params = _blend_both(d, model, _fit_lstm_lexicon, "lstm-lexicon", True)
    return blend, params | blend_params


def lstm_full_distilled_blend(d: LeverData) -> Fitted:
    model, params = lstm_full_distilled(d)
    blend, blend_params = _blend(model, d.splits.val, "s140 val")
    return blend, params | blend_params


def lstm_full_distilled_blend_both(d: LeverData) -> Fitted:
    """The two-source blend on the distilled BiLSTM: two more full fits for the out-of-fold
    scores of the feedback days."""
    model, params = lstm_full_distilled(d)
    blend, blend_params = _blend_both(d, model, lambda fold: _fit_lstm_full(fold, True))
    return blend, params | blend_params


LEVERS: dict[str, Callable[[LeverData], Fitted]] = {
    "tfidf": baseline,
    "vader": vader,
    "tfidf+vader-blend(val)": blend_val,
    "tfidf+vader-blend(airline)": blend_airline,
    "tfidf+vader-blend(val+airline)": blend_both,
    "tfidf+vader-features": vader_features_lever,
    "tfidf+calibrated(airline)": calibrated_airline,
    "tfidf+airline": in_domain,
    "tfidf+airline(weighted)": in_domain_weighted,
    "tfidf+airline(weighted)+vader-blend(val)": in_domain_weighted_blend,
    "tfidf+airline(weighted)+vader-blend(val+airline-oof)": in_domain_weighted_blend_both,
    "tfidf+airline(weighted)+vader-blend(val+airline-oof,prior)": in_domain_weighted_blend_prior,
    "tfidf+airline(weighted)+distilled": distilled_in_domain,
    "tfidf+airline(weighted)+distilled+vader-blend(val+airline-oof)": (
        distilled_in_domain_blend_both
    ),
    "tfidf+airline(weighted)+vader-features": in_domain_vader_features,
    "tfidf(noise-filtered)": noise_filtered,
    "lstm-quick": lstm_quick,
    "lstm-quick+vader-blend(val)": lstm_quick_blend,
    "lstm-quick+airline": lstm_airline,
    "lstm-quick+airline+vader-blend(val)": lstm_airline_blend,
    "lstm-quick+airline(weighted)": lstm_airline_weighted,
    "lstm-quick+airline(weighted)+vader-blend(val)": lstm_airline_weighted_blend,
    "lstm+airline(weighted)": lstm_full_weighted,
    "lstm+airline(weighted)+distilled": lstm_full_distilled,
    "lstm+airline(weighted)+distilled+vader-blend(val)": lstm_full_distilled_blend,
    "lstm+airline(weighted)+distilled+vader-blend(val+airline-oof)": (
        lstm_full_distilled_blend_both
    ),
    "lstm(wordpieces)+airline(weighted)+distilled": lstm_wordpieces_distilled,
    "lstm(lexicon)+airline(weighted)+distilled": lstm_lexicon_distilled,
    "lstm(lexicon)+airline(weighted)+distilled+vader-blend(val+airline-oof)": (
        lambda d: lstm_lexicon_distilled_blend(d, False)
    ),
    "lstm(lexicon)+airline(weighted)+distilled+vader-blend(val+airline-oof,prior)": (
        lambda d: lstm_lexicon_distilled_blend(d, True)
    ),
    "lstm(lexicon)+airline(weighted)": lstm_lexicon,
    "lstm(lexicon)+airline(weighted)+vader-blend(val+airline-oof)": lstm_lexicon_blend_both,
    "lstm(lexicon)+airline(weighted)+vader-blend(val+airline-oof,prior)": (
        lstm_lexicon_blend_prior
    ),
    "transformer-quick": transformer_quick,
    "lstm-quick+distilled": lstm_distilled,
}
#: What `quality` runs by default: the TF-IDF levers (seconds each); LSTM and transformer
#: ones on request.
DEFAULT_LEVERS = tuple(
    name
    for name in LEVERS
    if not name.startswith(("lstm", "transformer")) and "distilled" not in name
)
