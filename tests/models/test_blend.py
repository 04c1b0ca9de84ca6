"""LexiconBlend: a model's score and VADER's, blended by weights fitted on held-out labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.blend import LexiconBlend
from models.evaluation import quality
from models.kinds import load_model
from models.splits import Splits
from models.tfidf import TfidfModel


@pytest.fixture(scope="module")
def blend(small_tfidf: TfidfModel, sample_splits: Splits) -> LexiconBlend:
    model = LexiconBlend(small_tfidf)
    model.fit(sample_splits.val.texts, sample_splits.val.labels)
    return model


def test_weights_trust_both_sources(blend: LexiconBlend) -> None:
    weights = blend.weights()
    assert weights["base_logit"] > 0 and weights["compound"] > 0


def test_blend_ranks_test_tweets_at_least_as_well_as_its_base(
    blend: LexiconBlend, small_tfidf: TfidfModel, sample_splits: Splits
) -> None:
    test = sample_splits.test
    base_auc = quality(test.labels, small_tfidf.predict_proba(test.texts)).roc_auc
    blend_auc = quality(test.labels, blend.predict_proba(test.texts)).roc_auc
    assert blend_auc > base_auc - 0.005


def test_blend_reads_what_the_small_base_cannot(blend: LexiconBlend) -> None:
    scores = blend.predict_proba(["home at last 😍", "lost my bag 😢"])
    assert scores[0] > scores[1]


def test_save_load_gives_identical_scores(
    blend: LexiconBlend, sample_splits: Splits, tmp_path: Path
) -> None:
    blend.reference_scores = np.asarray([0.1, 0.9], dtype=np.float32)
    blend.save(tmp_path / "blend")
    loaded = load_model(tmp_path / "blend")
    texts = sample_splits.test.texts[:50]
    assert loaded.kind == "blend"
    np.testing.assert_allclose(loaded.predict_proba(texts), blend.predict_proba(texts), atol=1e-6)
    assert isinstance(loaded, LexiconBlend) and loaded.reference_scores is not None
    assert loaded.predict_proba([]).shape == (0,)


def test_unfitted_blend_says_so(small_tfidf: TfidfModel) -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        LexiconBlend(small_tfidf).predict_proba(["hi"])
