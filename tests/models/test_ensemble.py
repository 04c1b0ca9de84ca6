"""LogitEnsemble: saved models' logits averaged, or weighted by labels they were not
trained on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.blend import LexiconBlend
from models.ensemble import LogitEnsemble
from models.evaluation import quality
from models.kinds import load_model
from models.lexicon import VaderModel
from models.scores import logit
from models.splits import Splits
from models.tfidf import TfidfModel


@pytest.fixture(scope="module")
def stacked(small_tfidf: TfidfModel, sample_splits: Splits) -> LogitEnsemble:
    model = LogitEnsemble([small_tfidf, VaderModel()])
    model.fit(sample_splits.val.texts, sample_splits.val.labels)
    return model


def test_the_mean_of_two_models_is_their_logits_average(
    small_tfidf: TfidfModel, sample_splits: Splits
) -> None:
    texts = sample_splits.test.texts[:100]
    vader = VaderModel()
    mean = LogitEnsemble([small_tfidf, vader]).predict_proba(texts)
    expected = (logit(small_tfidf.predict_proba(texts)) + logit(vader.predict_proba(texts))) / 2
    np.testing.assert_allclose(logit(mean), expected, atol=1e-3)


def test_a_model_averaged_with_itself_scores_as_it_does(
    small_tfidf: TfidfModel, sample_splits: Splits
) -> None:
    texts = sample_splits.test.texts[:100]
    alone = small_tfidf.predict_proba(texts)
    np.testing.assert_allclose(
        LogitEnsemble([small_tfidf, small_tfidf]).predict_proba(texts), alone, atol=1e-5
    )


def test_stacking_trusts_both_members_and_ranks_better_than_the_weaker(
    stacked: LogitEnsemble, small_tfidf: TfidfModel, sample_splits: Splits
) -> None:
    test = sample_splits.test
    assert np.all(stacked.weights > 0)
    aucs = [quality(test.labels, m.predict_proba(test.texts)).roc_auc for m in stacked.members]
    ensemble_auc = quality(test.labels, stacked.predict_proba(test.texts)).roc_auc
    assert ensemble_auc > min(aucs) + 0.01


def test_save_load_gives_identical_scores_with_nested_kinds(
    stacked: LogitEnsemble, small_tfidf: TfidfModel, sample_splits: Splits, tmp_path: Path
) -> None:
    blend = LexiconBlend(small_tfidf)
    blend.fit(sample_splits.val.texts, sample_splits.val.labels)
    model = LogitEnsemble([stacked, blend], weights=[0.7, 0.4], bias=-0.1)
    model.reference_scores = np.asarray([0.2, 0.8], dtype=np.float32)
    model.save(tmp_path / "ensemble")
    loaded = load_model(tmp_path / "ensemble")
    texts = sample_splits.test.texts[:50]
    assert isinstance(loaded, LogitEnsemble) and loaded.reference_scores is not None
    assert [m.kind for m in loaded.members] == ["ensemble", "blend"]
    np.testing.assert_allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=1e-6)
    assert loaded.predict_proba([]).shape == (0,)
    assert loaded.oov_rate(texts) == small_tfidf.oov_rate(texts)


def test_members_and_weights_must_agree(small_tfidf: TfidfModel) -> None:
    with pytest.raises(ValueError, match="at least one member"):
        LogitEnsemble([])
    with pytest.raises(ValueError, match="2 members but 3 weights"):
        LogitEnsemble([small_tfidf, VaderModel()], weights=[1, 1, 1])


def test_members_with_one_preprocessing_tokenize_a_batch_once(
    small_tfidf: TfidfModel, sample_splits: Splits, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.preprocessing import Preprocessor

    calls: list[str] = []
    tokenize = Preprocessor.tokenize

    def counted(self: Preprocessor, text: str) -> list[str]:
        calls.append(text)
        return tokenize(self, text)

    monkeypatch.setattr(Preprocessor, "tokenize", counted)
    other = TfidfModel(small_tfidf.config)
    other.fit(sample_splits.train.texts[:500], sample_splits.train.labels[:500])
    texts = [f"{text} #{i}" for i, text in enumerate(sample_splits.test.texts[:64])]  # unseen
    calls.clear()
    LogitEnsemble([small_tfidf, other]).predict_proba(texts)
    assert sorted(calls) == sorted(texts)
