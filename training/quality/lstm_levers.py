"""Levers on the BiLSTM (the quick 20k-tweet one: minutes; the served config: a quarter
hour and more) and the MiniLM teacher they may distil."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from models.base import SentimentModel
from models.data import LabelledTexts
from models.lstm.subwords import DEFAULT_CHECKPOINT
from models.splits import stratified_sample
from training.loop.distillation import DISTIL_HARD_SHARE, mix_targets
from training.quality.data import (
    AIRLINE_WEIGHT,
    HALF_LIFE_DAYS,
    LEXICON_DIMS,
    Fitted,
    Lever,
    LeverData,
    concat,
    fit_once,
    in_domain,
    soft_targets,
    weighted_in_domain,
)

LSTM_SAMPLE = 20_000  # the demo's quick BiLSTM: 20k tweets, 3 epochs
LSTM_EPOCHS = 3
LSTM_AIRLINE_COPIES = 2  # the LSTM has no sample weights: airline rows repeated instead
TEACHER_SAMPLE = LSTM_SAMPLE  # the teacher sees the student's 20k tweets, 1 epoch
TEACHER_EPOCHS = 1
QUICK = {"sample": LSTM_SAMPLE, "epochs": LSTM_EPOCHS}


def _quick_lstm(d: LeverData, airline_copies: int) -> SentimentModel:
    from models.lstm.config import LstmConfig
    from models.lstm.model import LstmModel

    train = stratified_sample(d.splits.train, LSTM_SAMPLE, d.seed)
    for _ in range(airline_copies):
        train = concat(train, d.feedback)
    val = stratified_sample(d.splits.val, 2_000, d.seed)
    model = LstmModel(LstmConfig(max_epochs=LSTM_EPOCHS, seed=d.seed))
    model.fit(train.texts, train.labels, val.texts, val.labels)
    return model


def lstm_quick(d: LeverData) -> Fitted:
    return fit_once("lstm", d, lambda: _quick_lstm(d, 0)), dict(QUICK)


def lstm_airline(d: LeverData) -> Fitted:
    params = QUICK | {"airline_copies": LSTM_AIRLINE_COPIES}
    return fit_once("lstm+airline", d, lambda: _quick_lstm(d, LSTM_AIRLINE_COPIES)), params


def _quick_weighted(d: LeverData) -> tuple[LabelledTexts, np.ndarray, dict[str, Any]]:
    """The quick BiLSTM's 20k sample + the feedback days, weighted like the TF-IDF recipe;
    the airline weight is scaled so airline labels carry the share of the total weight
    they carry on the full train split (x5 there); weights then have mean 1."""
    sample = stratified_sample(d.splits.train, LSTM_SAMPLE, d.seed)
    scaled = AIRLINE_WEIGHT * len(sample) / len(d.splits.train)
    data, weight, params = in_domain(d, scaled, HALF_LIFE_DAYS, True, base=sample)
    return data, weight / weight.mean(), params | QUICK


def _fit_quick_weighted(d: LeverData) -> SentimentModel:
    from models.lstm.config import LstmConfig
    from models.lstm.model import LstmModel

    data, weight, _ = _quick_weighted(d)
    val = stratified_sample(d.splits.val, 2_000, d.seed)
    model = LstmModel(LstmConfig(max_epochs=LSTM_EPOCHS, seed=d.seed))
    model.fit(data.texts, data.labels, val.texts, val.labels, weight)
    return model


def lstm_airline_weighted(d: LeverData) -> Fitted:
    model = fit_once("lstm+airline(weighted)", d, lambda: _fit_quick_weighted(d))
    return model, _quick_weighted(d)[2]


def _fit_teacher(d: LeverData) -> SentimentModel:
    from models.transformer.model import TransformerConfig, TransformerModel

    train = stratified_sample(d.splits.train, TEACHER_SAMPLE, d.seed)
    val = stratified_sample(d.splits.val, 2_000, d.seed)
    model = TransformerModel(TransformerConfig(epochs=TEACHER_EPOCHS, seed=d.seed))
    model.fit(train.texts, train.labels.tolist(), val.texts, val.labels.tolist())
    return model


def transformer_quick(d: LeverData) -> Fitted:
    """The project's MiniLM (top 4 layers fine-tuned) on the quick sample: the teacher."""
    model = fit_once("transformer", d, lambda: _fit_teacher(d))
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
    params = QUICK | {
        "teacher": "transformer-quick",
        "hard_share": DISTIL_HARD_SHARE,
        "unlabelled_texts": len(d.feedback),
        "unlabelled_from": ",".join(sorted(set(d.feedback_days))),
        "teacher_scoring_s": round(scoring, 1),
    }
    return model, params


def fit_lstm_full(
    d: LeverData, distil: bool, hard_share: float = DISTIL_HARD_SHARE, **options: Any
) -> SentimentModel:
    """The served BiLSTM's config on the whole train split + the feedback days, weighted
    like the TF-IDF recipe; `distil`: Sentiment140 targets `hard_share` label, the rest
    teacher; `options`: `LstmConfig` fields that differ from the served config."""
    from models.lstm.config import LstmConfig
    from models.lstm.model import LstmModel

    data, weight, _ = weighted_in_domain(d)
    targets = soft_targets(d, data, hard_share) if distil else data.labels
    val = d.splits.val
    model = LstmModel(LstmConfig(seed=d.seed, **options))
    model.fit(
        data.texts, targets, val.texts, val.labels, weight / weight.mean(), soft_labels=distil
    )
    return model


def lstm_full_weighted(d: LeverData) -> Fitted:
    return fit_once("lstm-full+airline(weighted)", d, lambda: fit_lstm_full(d, False)), {}


def fit_lstm_full_distilled(d: LeverData) -> SentimentModel:
    return fit_lstm_full(d, True)


def lstm_full_distilled(d: LeverData) -> Fitted:
    model = fit_once("lstm-full+distilled", d, lambda: fit_lstm_full_distilled(d))
    return model, {"hard_share": DISTIL_HARD_SHARE}


def lstm_wordpieces_distilled(d: LeverData) -> Fitted:
    """The distilled recipe on the MiniLM's wordpieces and token embeddings (PCA to the
    BiLSTM's 300 dimensions) instead of words and Word2Vec."""
    fit = lambda: fit_lstm_full(d, True, wordpieces=DEFAULT_CHECKPOINT)  # noqa: E731
    model = fit_once("lstm-wordpieces+distilled", d, fit)
    return model, {"hard_share": DISTIL_HARD_SHARE, "wordpieces": DEFAULT_CHECKPOINT}


def fit_lstm_lexicon_distilled(d: LeverData) -> SentimentModel:
    return fit_lstm_full(d, True, lexicon_dims=LEXICON_DIMS)


def lstm_lexicon_distilled(d: LeverData) -> Fitted:
    """The distilled recipe with VADER's valences as extra embedding columns, the
    lexicon's words in the vocabulary."""
    model = fit_once("lstm-lexicon+distilled", d, lambda: fit_lstm_lexicon_distilled(d))
    return model, {"hard_share": DISTIL_HARD_SHARE, "lexicon_dims": LEXICON_DIMS}


def lstm_lexicon_hard_share(hard_share: float) -> Lever:
    """v4's recipe with another share of the emoticon label in a Sentiment140 tweet's
    target (0: the teacher's relabelling)."""

    def lever(d: LeverData) -> Fitted:
        fit = lambda: fit_lstm_full(d, True, hard_share, lexicon_dims=LEXICON_DIMS)  # noqa: E731
        model = fit_once(f"lstm-lexicon+distilled(hard={hard_share})", d, fit)
        return model, {"hard_share": hard_share, "lexicon_dims": LEXICON_DIMS}

    return lever


def fit_lstm_lexicon(d: LeverData) -> SentimentModel:
    return fit_lstm_full(d, False, lexicon_dims=LEXICON_DIMS)


def lstm_lexicon(d: LeverData) -> Fitted:
    """The recipe with VADER's valence columns, without a teacher (`champion --base lstm`
    when no teacher's scores are given)."""
    model = fit_once("lstm-lexicon", d, lambda: fit_lstm_lexicon(d))
    return model, {"lexicon_dims": LEXICON_DIMS}
