"""TF-IDF baseline: behaviour on a model trained on the 4,000-tweet sample, save/load, config."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.char_ngrams import CharNgramTfidf
from models.kinds import load_model
from models.manifest import read_manifest
from models.preprocessing import PreprocessConfig
from models.splits import Splits
from models.tfidf import TfidfConfig, TfidfModel

AIRLINES = ["Delta", "United", "Air Paradis", "Ryanair"]


def test_learns_something_on_the_sample(small_tfidf: TfidfModel, sample_splits: Splits) -> None:
    scores = small_tfidf.predict_proba(sample_splits.test.texts)
    accuracy = float(((scores >= 0.5) == sample_splits.test.labels).mean())
    assert accuracy > 0.68
    assert scores.shape == (len(sample_splits.test),) and scores.dtype == np.float32


def test_minimum_functionality_love_is_positive(small_tfidf: TfidfModel) -> None:
    assert small_tfidf.predict_proba(["I love this airline"])[0] > 0.7


def test_direction_negation_moves_the_score_down(small_tfidf: TfidfModel) -> None:
    plain, negated = small_tfidf.predict_proba(
        ["I love this airline", "I do not love this airline"]
    )
    assert negated < plain - 0.1


@pytest.mark.parametrize("template", ["I love {}", "my flight with {} was cancelled"])
def test_invariance_airline_name_changes_little(small_tfidf: TfidfModel, template: str) -> None:
    scores = small_tfidf.predict_proba([template.format(name) for name in AIRLINES])
    assert scores.max() - scores.min() < 0.1


def test_save_load_round_trip(small_tfidf: TfidfModel, tmp_path: Path) -> None:
    texts = ["great crew", "lost my luggage", "meh"]
    reference = np.array([0.2, 0.8], dtype=np.float32)
    small_tfidf.reference_scores = reference
    small_tfidf.save(tmp_path / "m")
    small_tfidf.reference_scores = None
    loaded = load_model(tmp_path / "m")
    assert isinstance(loaded, TfidfModel)
    np.testing.assert_array_equal(loaded.predict_proba(texts), small_tfidf.predict_proba(texts))
    np.testing.assert_array_equal(loaded.reference_scores, reference)
    manifest = read_manifest(tmp_path / "m")
    assert manifest["kind"] == "tfidf"
    assert manifest["preprocess"] == {"lemmatize": False, "remove_stopwords": False}
    assert TfidfConfig.from_dict(manifest["config"]) == small_tfidf.config


def test_oov_rate_counts_unknown_tokens(small_tfidf: TfidfModel) -> None:
    assert small_tfidf.oov_rate(["qwzx vbnmk"]) == 1.0
    assert small_tfidf.oov_rate(["i love it"]) == 0.0
    assert small_tfidf.oov_rate([]) == 0.0


def test_empty_batch_and_unfitted_model() -> None:
    model = TfidfModel()
    with pytest.raises(RuntimeError, match="not fitted"):
        model.predict_proba(["hello"])
    with pytest.raises(RuntimeError, match="not fitted"):
        model.save(Path("/nonexistent"))


def test_char_ngrams_and_preprocessing_options_fit(sample_splits: Splits, tmp_path: Path) -> None:
    config = TfidfConfig(
        max_features=2000,
        char_ngrams=(2, 4),
        char_max_features=3000,
        preprocessing=PreprocessConfig(lemmatize=True, remove_stopwords=True),
    )
    model = TfidfModel(config)
    part = sample_splits.train.take(np.arange(800))
    model.fit(part.texts, part.labels)
    features = model.pipeline.named_steps["features"].transformer_list
    assert [name for name, _ in features] == ["word", "char"]
    assert len(features[1][1].vocabulary_) == 3000
    assert model.predict_proba([]).shape == (0,)
    texts = sample_splits.test.texts[:50]
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    loaded_char = loaded.pipeline.named_steps["features"].transformer_list[1][1]
    assert isinstance(loaded_char, CharNgramTfidf)
    np.testing.assert_array_equal(loaded.predict_proba(texts), model.predict_proba(texts))


def test_loading_another_kind_is_refused(tmp_path: Path) -> None:
    from models.manifest import write_manifest

    write_manifest(tmp_path, {"kind": "lstm"})
    with pytest.raises(ValueError, match="not 'tfidf'"):
        TfidfModel.load(tmp_path)


def test_the_stream_scores_and_oov_rate_of_a_batch_tokenize_it_once(
    small_tfidf: TfidfModel, monkeypatch
) -> None:
    """The stream asks a batch's scores, then its OOV rate: one tokenization, same answers
    as the whole scikit-learn pipeline."""
    from models.preprocessing import Preprocessor

    calls = []
    real = Preprocessor.tokenize_many
    monkeypatch.setattr(Preprocessor, "tokenize_many", lambda *a: calls.append(1) or real(*a))
    batch = ["love this flight", "lost my bag again", "@airline thanks!!"]
    scores = small_tfidf.predict_proba(batch)
    small_tfidf.oov_rate(batch)
    assert len(calls) == 1
    whole = small_tfidf.pipeline.predict_proba(batch)[:, 1]
    assert scores == pytest.approx(whole, abs=1e-6)


def test_soft_labels_fit_the_targets_not_just_their_sign(sample_splits: Splits) -> None:
    """Hard 0/1 targets given as soft labels fit like hard labels; targets squeezed to
    [0.4, 0.6] give scores squeezed towards 0.5 (cross-entropy against the targets)."""
    train, texts = sample_splits.train, sample_splits.test.texts[:200]
    hard, soft, squeezed = (TfidfModel(TfidfConfig(max_features=5_000)) for _ in range(3))
    hard.fit(train.texts, train.labels)
    soft.fit(train.texts, train.labels.astype(float), soft_labels=True)
    squeezed.fit(train.texts, 0.4 + 0.2 * train.labels, soft_labels=True)
    np.testing.assert_allclose(soft.predict_proba(texts), hard.predict_proba(texts), atol=1e-3)
    spread = np.abs(squeezed.predict_proba(texts) - 0.5)
    assert spread.max() < 0.2 < np.abs(hard.predict_proba(texts) - 0.5).max()


def test_soft_labels_outside_zero_one_are_refused(sample_splits: Splits) -> None:
    train = sample_splits.train
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        TfidfModel().fit(train.texts, train.labels * 2.0, soft_labels=True)
