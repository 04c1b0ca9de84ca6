"""Distillation's pieces on tiny data: soft targets from a fitted stand-in teacher, and a
BiLSTM trained on them follows the teacher (the real MiniLM run: docs/model_quality.md)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from models.data import DEFAULT_DATA, LabelledTexts, load_dataset
from models.lstm.model import LstmConfig, LstmModel
from models.splits import Splits, stratified_sample
from models.tfidf import TfidfModel
from tests.training.conftest import contrary_teacher_for
from training.quality.data import LeverData, concat, soft_targets
from training.quality.lstm_levers import distillation_targets

TINY = LstmConfig(
    embedding_dim=16, lstm_units=8, max_epochs=4, w2v_epochs=1, batch_size=16, learning_rate=1e-2
)


@pytest.fixture(scope="module")
def tweets() -> LabelledTexts:
    return stratified_sample(load_dataset(DEFAULT_DATA), 400, seed=3)


@pytest.fixture(scope="module")
def contrary_teacher(tweets: LabelledTexts) -> TfidfModel:
    return contrary_teacher_for(tweets.texts, tweets.labels)


def test_targets_mix_labels_and_teacher(
    tweets: LabelledTexts, contrary_teacher: TfidfModel
) -> None:
    labelled, unlabelled = tweets.take(np.arange(100)), tweets.texts[100:150]
    texts, targets = distillation_targets(labelled, unlabelled, contrary_teacher, 0.5)
    scores = contrary_teacher.predict_proba(texts)
    assert texts == labelled.texts + unlabelled
    assert targets.dtype == np.float32 and ((targets >= 0) & (targets <= 1)).all()
    np.testing.assert_allclose(targets[:100], 0.5 * labelled.labels + 0.5 * scores[:100], atol=1e-6)
    np.testing.assert_allclose(targets[100:], scores[100:], atol=1e-6)  # unlabelled: teacher only


@pytest.mark.parametrize("hard_share", [0.0, 0.25, 0.5])
def test_recipe_targets_give_the_emoticon_label_its_share_and_keep_people_s_labels(
    tweets: LabelledTexts, contrary_teacher: TfidfModel, hard_share: float
) -> None:
    """0 is the teacher's relabelling of Sentiment140; airline labels stay hard."""
    train, airline = tweets.take(np.arange(300)), tweets.take(np.arange(300, 400))
    splits = Splits(train, airline, airline)
    d = LeverData(splits, airline, ["2015-02-16"] * len(airline), teacher=contrary_teacher)
    targets = soft_targets(d, concat(train, airline), hard_share)
    teacher = contrary_teacher.predict_proba(train.texts)
    expected = hard_share * train.labels + (1 - hard_share) * teacher
    np.testing.assert_allclose(targets[:300], expected, atol=1e-6)
    np.testing.assert_array_equal(targets[300:], airline.labels)


def test_student_follows_the_teacher_not_the_labels(
    tweets: LabelledTexts, contrary_teacher: TfidfModel
) -> None:
    train, val = tweets.take(np.arange(320)), tweets.take(np.arange(320, 400))
    texts, soft = distillation_targets(train, [], contrary_teacher, hard_share=0.0)
    teacher = contrary_teacher.predict_proba(texts)
    distilled, plain = LstmModel(TINY), LstmModel(TINY)
    distilled.fit(texts, soft, val.texts, val.labels, soft_labels=True)
    plain.fit(texts, train.labels, val.texts, val.labels)
    follows = np.corrcoef(distilled.predict_proba(texts), teacher)[0, 1]
    baseline = np.corrcoef(plain.predict_proba(texts), teacher)[0, 1]
    assert follows > 0.3 > baseline


def test_soft_labels_are_checked(tweets: LabelledTexts) -> None:
    texts = tweets.texts[:40]
    model = LstmModel(replace(TINY, max_epochs=1))
    with pytest.raises(ValueError, match=r"row 3: soft label must be in \[0, 1\], got 1.5"):
        model.fit(
            texts,
            np.r_[np.full(3, 0.2), 1.5, np.full(36, 0.7)],
            texts,
            tweets.labels[:40],
            soft_labels=True,
        )
    with pytest.raises(ValueError, match="row 0: label must be 0 or 1"):
        model.fit(texts, np.full(40, 0.2), texts, tweets.labels[:40])  # float labels need the flag
