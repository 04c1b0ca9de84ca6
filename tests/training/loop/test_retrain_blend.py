"""The loop's retrain keeps a blended champion's recipe: the blend's weights are refitted
on the validation split *and* recent labels its base did not see, not on the split alone."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from models.blend import LexiconBlend
from models.calibration import uncalibrated
from models.devsets import AIRLINE_DATA
from models.evaluation import quality
from models.tfidf import TfidfModel
from tests.training.conftest import SAMPLE
from training.jobs import prepare_splits
from training.loop import challenger
from training.loop import labels as label_rows
from training.loop.retrain import RetrainOptions, build_challenger

UNTIL = pd.Timestamp("2015-02-20T08:00:00", tz="UTC")


@pytest.mark.timeout(300)
def test_a_retrained_blend_learns_its_weights_from_recent_labels_too() -> None:
    base = prepare_splits(SAMPLE, None, 42)
    tfidf = TfidfModel()
    tfidf.fit(base.train.texts, base.train.labels)
    champion = LexiconBlend(tfidf)
    champion.fit(base.val.texts, base.val.labels)
    labels = label_rows.load_labels(str(AIRLINE_DATA))
    options = RetrainOptions(
        labels=str(AIRLINE_DATA), train_until=UNTIL, holdout_days=2, calibration="platt"
    )
    with_labels = build_challenger(champion, labels, base, options)
    # without a calibration window there are no unseen labels: the blend is fitted on val
    val_only = build_challenger(champion, labels, base, replace(options, calibration="none"))

    blended, plain = uncalibrated(with_labels.model), val_only.model
    assert blended.kind == plain.kind == "blend"
    assert len(with_labels.calibration_labels) > 500
    np.testing.assert_allclose(  # the same final base: only the blend's weights differ
        blended.base.predict_proba(base.test.texts), plain.base.predict_proba(base.test.texts)
    )
    learned, val_view = blended.weights(), plain.weights()
    # people's labels trust the lexicon more than Sentiment140's emoticon labels do
    assert learned["compound"] > val_view["compound"] and learned["pos"] > val_view["pos"]
    judged = label_rows.binary(with_labels.holdout)  # 20-21 February, seen by neither
    texts, truth = judged["text"].tolist(), judged["y"].to_numpy()
    auc = {
        name: quality(truth, model.predict_proba(texts)).roc_auc
        for name, model in {"labels": with_labels.model, "val": plain}.items()
    }
    assert auc["labels"] > auc["val"]


def test_only_a_blend_with_both_classes_is_refitted() -> None:
    base = prepare_splits(SAMPLE, None, 42)
    tfidf = TfidfModel()
    tfidf.fit(base.train.texts, base.train.labels)
    one_class = pd.DataFrame({"text": ["late again", "lost my bag"], "y": [0, 0]})
    assert challenger.blend_on_labels(tfidf, base.val, one_class) is tfidf
    blend = LexiconBlend(tfidf)
    blend.fit(base.val.texts, base.val.labels)
    before = blend.weights()
    assert challenger.blend_on_labels(blend, base.val, one_class).weights() == before
