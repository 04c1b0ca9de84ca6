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


def test_a_source_where_the_lexicon_is_right_raises_its_weight(
    small_tfidf: TfidfModel, sample_splits: Splits
) -> None:
    """A second source whose labels follow VADER's compound (and whose given base scores
    are uninformative): the more of the fit's weight it carries, the more compound counts."""
    from models.blend import BlendSource
    from models.lexicon import vader_features

    val = sample_splits.val
    texts = sample_splits.test.texts[:400]
    compound = vader_features(texts)[:, 0]
    kept = [i for i, c in enumerate(compound) if abs(c) > 0.05]
    lexicon_texts = [texts[i] for i in kept]
    lexicon_labels = (compound[kept] > 0).astype(int)
    flat = np.full(len(kept), 0.5)
    compound_weight = {}
    for share in (0.0, 0.5):
        model = LexiconBlend(small_tfidf)
        model.fit_sources(
            [
                BlendSource(val.texts, val.labels, small_tfidf.predict_proba(val.texts), 1 - share),
                BlendSource(lexicon_texts, lexicon_labels, flat, share),
            ]
        )
        compound_weight[share] = model.weights()["compound"]
    assert compound_weight[0.5] > compound_weight[0.0] + 1.0


def test_a_source_that_keeps_its_prior_moves_the_bias_toward_it(
    sample_splits: Splits, small_tfidf: TfidfModel
) -> None:
    """Labels 3 to 1 negative: balanced, the blend's bias ignores that prior; kept, it
    leans negative."""
    from models.blend import BlendSource

    val = sample_splits.val
    texts = sample_splits.test.texts[:400]
    labels = (np.arange(len(texts)) % 4 == 0).astype(int)
    flat = np.full(len(texts), 0.5)
    bias = {}
    for balanced in (True, False):
        model = LexiconBlend(small_tfidf)
        model.fit_sources(
            [
                BlendSource(val.texts, val.labels, small_tfidf.predict_proba(val.texts), 0.5),
                BlendSource(texts, labels, flat, 0.5, balanced),
            ]
        )
        bias[balanced] = model.weights()["bias"]
    assert bias[False] < bias[True] - 0.3
