"""The loop's retrain keeps an ensemble champion's recipe: each member retrained on the
weighted labels, the ensemble's weights kept, the TF-IDF member on hard labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.blend import LexiconBlend
from models.devsets import AIRLINE_DATA
from models.ensemble import LogitEnsemble
from models.evaluation import quality
from models.tfidf import TfidfConfig, TfidfModel
from tests.training.conftest import SAMPLE
from training.jobs import prepare_splits
from training.loop import challenger, dataset
from training.loop import labels as label_rows
from training.loop.retrain import RetrainOptions, build_challenger

UNTIL = pd.Timestamp("2015-02-20T08:00:00", tz="UTC")
WEIGHTING = dataset.Weighting()


def _ensemble(texts: list[str], labels: np.ndarray) -> LogitEnsemble:
    members = []
    for config in (TfidfConfig(), TfidfConfig(max_features=2_000, C=0.5)):
        model = TfidfModel(config)
        model.fit(texts, labels)
        members.append(model)
    return LogitEnsemble(members, weights=[0.7, 0.4], bias=0.1)


@pytest.mark.timeout(300)
def test_a_retrained_ensemble_learns_the_labels_in_every_member_and_keeps_its_weights() -> None:
    base = prepare_splits(SAMPLE, None, 42)
    champion = _ensemble(base.train.texts, base.train.labels)
    labels = label_rows.load_labels(str(AIRLINE_DATA))
    options = RetrainOptions(
        labels=str(AIRLINE_DATA), train_until=UNTIL, holdout_days=2, calibration="none"
    )
    built = build_challenger(champion, labels, base, options)

    retrained = built.model
    assert isinstance(retrained, LogitEnsemble)
    assert retrained.weights.tolist() == [0.7, 0.4] and retrained.bias == 0.1
    assert [m.config for m in retrained.members] == [m.config for m in champion.members]
    judged = label_rows.binary(built.holdout)  # 20-21 February, seen by neither
    texts, truth = judged["text"].tolist(), judged["y"].to_numpy()
    for old, new in zip(champion.members, retrained.members, strict=True):
        before = quality(truth, old.predict_proba(texts)).roc_auc
        assert quality(truth, new.predict_proba(texts)).roc_auc > before + 0.02


def test_an_ensembles_tfidf_member_keeps_hard_labels_when_the_rest_distil() -> None:
    """Soft targets that say nothing (0.5 everywhere) would leave a distilled member
    unable to rank; a TF-IDF member, blended or not, learns the labels all the same."""
    base = prepare_splits(SAMPLE, None, 42)
    plain, blended = _ensemble(base.train.texts[:500], base.train.labels[:500]).members
    champion = LogitEnsemble([plain, LexiconBlend(blended)])
    labels = label_rows.binary(label_rows.load_labels(str(AIRLINE_DATA)))
    data = dataset.build(base.train, labels[labels["tweet_time"] < UNTIL], UNTIL, WEIGHTING)
    flat = np.full(len(data.labels), 0.5)
    retrained = challenger.fit(champion, data, base.val, False, None, flat)
    test = base.test
    tfidf, blend = retrained.members
    assert blend.kind == "blend"  # its weights: blend_on_labels, below
    for member in (tfidf, blend.base):
        assert quality(test.labels, member.predict_proba(test.texts)).roc_auc > 0.7


def test_an_ensembles_blend_member_learns_its_weights_from_recent_labels() -> None:
    """As a blended champion does (test_retrain_blend): people's labels trust VADER more
    than the emoticon labels; the final refit keeps those weights, member by member."""
    base = prepare_splits(SAMPLE, None, 42)
    members = _ensemble(base.train.texts, base.train.labels).members
    blend = LexiconBlend(members[0])
    blend.fit(base.val.texts, base.val.labels)
    val_view = blend.weights()
    champion = LogitEnsemble([blend, members[1]])
    labels = label_rows.binary(label_rows.load_labels(str(AIRLINE_DATA)))

    fitted = challenger.blend_on_labels(champion, base.val, labels[labels["tweet_time"] < UNTIL])
    learned = fitted.members[0].weights()
    assert learned["compound"] > val_view["compound"] and learned["pos"] > val_view["pos"]
    assert fitted.members[1] is members[1]

    refitted = LogitEnsemble([LexiconBlend(members[0]), members[1]])
    refitted.members[0].fit(base.val.texts[:2_000], base.val.labels[:2_000])
    assert challenger.with_blend_weights(refitted, fitted).members[0].weights() == learned
